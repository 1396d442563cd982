//! Crash recovery: unsaved work is autosaved to a recovery file in the platform's data directory;
//! a clean exit removes it, so a recovery file found at start-up means a session ended without saving.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::formats::json::{self, FileError};
use crate::model::Document;

/// Environment variable that overrides the recovery folder (used by tests and portable installs).
pub const DIR_ENV: &str = "THREATBOARD_RECOVERY_DIR";
const VERSION: u32 = 1;

/// What a recovery file holds: the unsaved document and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    threatboard_recovery: u32,
    /// The file the document was opened from or last saved to; `None` for a new, never-saved model.
    source: Option<PathBuf>,
    /// Seconds since the Unix epoch when it was written.
    saved_at: u64,
    /// The process that wrote it.
    pid: u32,
    document: Document,
}

/// Unsaved work left behind by a session that did not exit cleanly.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovered {
    /// The recovery file itself.
    pub path: PathBuf,
    /// The model file the work belongs to, if it had one.
    pub source: Option<PathBuf>,
    /// When it was autosaved (seconds since the Unix epoch).
    pub saved_at: u64,
    /// The unsaved document.
    pub document: Document,
}

/// A recovery file that could not be read; it is left in place for the user to inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The file.
    pub path: PathBuf,
    /// Why it could not be read.
    pub reason: String,
}

/// The folder recovery files live in.
#[derive(Debug, Clone)]
pub struct RecoveryStore {
    dir: PathBuf,
}

impl RecoveryStore {
    /// Recovery files in `dir` (created on first autosave).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The platform's location: `$THREATBOARD_RECOVERY_DIR`, else `<data dir>/threatboard/recovery`
    /// (`~/.local/share/threatboard/recovery` on Linux), else the temporary folder.
    pub fn default_location() -> Self {
        if let Some(dir) = std::env::var_os(DIR_ENV).filter(|d| !d.is_empty()) {
            return Self::new(dir);
        }
        let base = dirs::data_local_dir().unwrap_or_else(std::env::temp_dir);
        Self::new(base.join("threatboard").join("recovery"))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where this process keeps the autosave of the model opened from `source` (or of an untitled one).
    pub fn file_for(&self, source: Option<&Path>) -> PathBuf {
        let name = match source {
            Some(p) => {
                let absolute = std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
                let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                let stem: String =
                    stem.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).take(40).collect();
                format!("{stem}-{:016x}.recovery.json", fnv1a(absolute.to_string_lossy().as_bytes()))
            }
            None => format!("untitled-{}.recovery.json", std::process::id()),
        };
        self.dir.join(name)
    }

    /// Writes `doc` atomically as the recovery file for `source`.
    pub fn autosave(&self, source: Option<&Path>, doc: &Document) -> Result<PathBuf, FileError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| FileError::Io { path: self.dir.clone(), source: e })?;
        let path = self.file_for(source);
        let envelope = Envelope {
            threatboard_recovery: VERSION,
            source: source.map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_owned())),
            saved_at: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
            pid: std::process::id(),
            document: doc.clone(),
        };
        let text = serde_json::to_string(&envelope).unwrap_or_default();
        json::write_atomically(&path, text.as_bytes())?;
        Ok(path)
    }

    /// Removes the recovery file for `source`: after a save, or on a clean exit.
    pub fn discard(&self, source: Option<&Path>) {
        let _ = std::fs::remove_file(self.file_for(source));
    }

    /// Removes a recovery file found by [`RecoveryStore::pending`] once the user restored or declined it.
    pub fn remove(&self, recovered: &Recovered) {
        let _ = std::fs::remove_file(&recovered.path);
    }

    /// Recovery files left by sessions that are no longer running, newest first, and those that could
    /// not be read. Files of a Threatboard that is still running are not listed.
    pub fn pending(&self) -> (Vec<Recovered>, Vec<Unreadable>) {
        let mut found = Vec::new();
        let mut broken = Vec::new();
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return (found, broken) };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".recovery.json"))
            .collect();
        paths.sort();
        for path in paths {
            let parsed = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str::<Envelope>(&t).map_err(|e| e.to_string()));
            match parsed {
                Ok(env) if env.threatboard_recovery != VERSION => {
                    broken.push(Unreadable { path, reason: format!("recovery format {}", env.threatboard_recovery) });
                }
                Ok(env) if env.pid != std::process::id() && process_alive(env.pid) => {}
                Ok(env) => {
                    found.push(Recovered { path, source: env.source, saved_at: env.saved_at, document: env.document });
                }
                Err(reason) => broken.push(Unreadable { path, reason }),
            }
        }
        found.sort_by(|a, b| b.saved_at.cmp(&a.saved_at).then_with(|| a.path.cmp(&b.path)));
        (found, broken)
    }
}

/// True when a process with this id is running (on Linux, through /proc; elsewhere assumed not).
fn process_alive(pid: u32) -> bool {
    cfg!(target_os = "linux") && Path::new(&format!("/proc/{pid}")).exists()
}

/// FNV-1a: a stable hash (unlike `DefaultHasher`, the same in every build) for recovery file names.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synth;

    #[test]
    fn autosave_then_pending_then_discard() {
        let dir = tempfile::tempdir().unwrap();
        let store = RecoveryStore::new(dir.path().join("r"));
        let doc = synth::document(5, 1);
        let model = dir.path().join("model.json");
        store.autosave(Some(&model), &doc).unwrap();
        let (found, broken) = store.pending();
        assert!(broken.is_empty());
        assert_eq!(found.len(), 1, "this process's own file is listed (it is what a restarted app sees)");
        assert_eq!(found[0].document, doc);
        assert_eq!(found[0].source.as_deref(), Some(std::path::absolute(&model).unwrap().as_path()));
        store.discard(Some(&model));
        assert!(store.pending().0.is_empty());
    }

    #[test]
    fn corrupt_files_are_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let store = RecoveryStore::new(dir.path());
        std::fs::write(dir.path().join("x.recovery.json"), "{ not json").unwrap();
        let (found, broken) = store.pending();
        assert!(found.is_empty());
        assert_eq!(broken.len(), 1);
    }

    #[test]
    fn names_are_stable_and_distinct() {
        let store = RecoveryStore::new("/r");
        let a = store.file_for(Some(Path::new("/x/model.json")));
        assert_eq!(a, store.file_for(Some(Path::new("/x/model.json"))));
        assert_ne!(a, store.file_for(Some(Path::new("/y/model.json"))));
        assert!(a.to_string_lossy().starts_with("/r/model-"));
    }
}
