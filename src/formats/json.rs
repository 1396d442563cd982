//! The `threatboard` JSON file: canonical output and loading with line:column diagnostics.
//!
//! Output is pretty-printed with a fixed key order, positions rounded to 0.1 and a final newline,
//! so that loading and saving a saved file gives the same bytes and `git diff` stays small.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::{Document, FieldPath, Segment};

/// Largest file accepted, in bytes.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// One problem found while loading, located in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The field at fault, when known (`elements[2].boundary`).
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        match &self.path {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Why a text is not a valid document: every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The problems; never empty.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Reading or writing a document file failed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is over [`MAX_FILE_BYTES`].
    #[error("{}: the file is {size} bytes; files over {MAX_FILE_BYTES} bytes are refused", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// The file is not a valid document.
    #[error("{}", format_located(path, error))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        error: LoadError,
    },
}

fn format_located(path: &Path, error: &LoadError) -> String {
    error.diagnostics.iter().map(|d| format!("{}:{d}", path.display())).collect::<Vec<_>>().join("\n")
}

/// The canonical text of a document.
pub fn to_string(doc: &Document) -> String {
    // Serialising plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Parses and validates a document.
pub fn from_str(text: &str) -> Result<Document, LoadError> {
    let doc: Document = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(_) => return Err(structural_error(text)),
    };
    let problems = doc.validate();
    if problems.is_empty() {
        return Ok(doc);
    }
    let diagnostics = problems
        .into_iter()
        .map(|p| {
            let (line, column) = locate(text, &p.path).unwrap_or((1, 1));
            Diagnostic { line, column, path: Some(p.path.to_string()), message: p.message }
        })
        .collect();
    Err(LoadError { diagnostics })
}

/// Re-parses a text that failed, this time tracking the path, to say where and what.
fn structural_error(text: &str) -> LoadError {
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<Document, _> = serde_path_to_error::deserialize(&mut de);
    let diagnostic = match result {
        Ok(_) => Diagnostic { line: 1, column: 1, path: None, message: "the file could not be read".into() },
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = strip_position(&inner.to_string());
            let path = (path != "." && !path.is_empty()).then_some(path);
            let column = char_column(text, inner.line(), inner.column());
            Diagnostic { line: inner.line().max(1), column, path, message }
        }
    };
    LoadError { diagnostics: vec![diagnostic] }
}

/// `serde_json` appends " at line L column C" to its messages; the diagnostic carries those itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// `serde_json` counts columns in bytes; editors count characters.
fn char_column(text: &str, line: usize, byte_column: usize) -> usize {
    let Some(l) = text.lines().nth(line.saturating_sub(1)) else { return byte_column.max(1) };
    let end = byte_column.min(l.len());
    let end = (0..=end).rev().find(|&i| l.is_char_boundary(i)).unwrap_or(0);
    l[..end].chars().count().max(1)
}

/// Reads and validates a document file.
pub fn load_file(path: &Path) -> Result<Document, FileError> {
    let io = |source| FileError::Io { path: path.to_owned(), source };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(FileError::TooLarge { path: path.to_owned(), size });
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    from_str(&text).map_err(|error| FileError::Invalid { path: path.to_owned(), error })
}

/// Writes a document atomically: to a temporary file in the same folder, synced, then renamed over
/// the old one, so a crash at any moment leaves either the old or the new file, never a mix.
pub fn save_file(path: &Path, doc: &Document) -> Result<(), FileError> {
    write_atomically(path, to_string(doc).as_bytes())
}

/// Saves like [`save_file`], and keeps the version it replaces as [`backup_path`] (`model.json.bak`
/// next to the file). Returns whether a backup was made: none is when there was no file yet, or when
/// the file already held exactly these bytes (the backup then keeps the version before them).
///
/// The file being replaced becomes the backup by a hard link renamed over the old backup (a copy
/// where links are not supported), before the new version is renamed into place. So at every moment
/// the file holds the old or the new version, and the backup the old one or the one before it.
pub fn save_file_with_backup(path: &Path, doc: &Document) -> Result<bool, FileError> {
    write_with_backup(path, to_string(doc).as_bytes())
}

/// Where [`save_file_with_backup`] keeps the previous version of `path`: the same name plus `.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

/// Writes bytes to `path` atomically, keeping the replaced version (see [`save_file_with_backup`]).
pub fn write_with_backup(path: &Path, bytes: &[u8]) -> Result<bool, FileError> {
    let io = |source| FileError::Io { path: path.to_owned(), source };
    let old = match std::fs::read(path) {
        Ok(old) => Some(old),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let keep = old.as_deref().is_some_and(|old| old != bytes);
    write_then_rename(path, bytes, |dir| {
        if keep { keep_backup(path, dir, old.as_deref().unwrap_or_default()) } else { Ok(()) }
    })?;
    Ok(keep)
}

/// Makes the file at `path` the backup in one rename: a hard link to it (or a synced copy of `old`,
/// its contents, where links fail) under a temporary name, renamed over the previous backup.
fn keep_backup(path: &Path, dir: &Path, old: &[u8]) -> Result<(), FileError> {
    let backup = backup_path(path);
    let io = |source| FileError::Io { path: backup.clone(), source };
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix(".threatboard-").suffix(".bak.tmp");
        b
    };
    let Ok(staged) = builder.make_in(dir, |p| std::fs::hard_link(path, p)) else {
        let mut copy = builder.tempfile_in(dir).map_err(io)?;
        copy.write_all(old).map_err(io)?;
        copy.as_file().sync_all().map_err(io)?;
        copy.persist(&backup).map_err(|e| io(e.error))?;
        return Ok(());
    };
    staged.persist(&backup).map_err(|e| io(e.error))?;
    Ok(())
}

/// Writes bytes to `path` atomically (see [`save_file`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_then_rename(path, bytes, |_| Ok(()))
}

/// Writes `bytes` to a synced temporary file next to `path`, runs `before_rename` with the folder,
/// then renames the temporary file over `path`.
fn write_then_rename(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> Result<(), FileError>,
) -> Result<(), FileError> {
    let io = |source| FileError::Io { path: path.to_owned(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".threatboard-").suffix(".tmp").tempfile_in(dir).map_err(io)?;
    // The temporary file is private (0600); the result should have the old file's permissions, or the
    // usual ones for a new file.
    let permissions = std::fs::metadata(path).map(|m| m.permissions()).ok().or_else(default_permissions);
    if let Some(permissions) = permissions {
        tmp.as_file().set_permissions(permissions).map_err(io)?;
    }
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    before_rename(dir)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    // Make the rename itself durable where the platform allows opening a directory.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    sweep_stale_temporaries(dir);
    Ok(())
}

/// How old a temporary file of ours must be before a save removes it as left over from a save that
/// was killed before its rename. Far longer than any save takes, so one running in another window
/// is never touched.
pub const STALE_TEMPORARY: std::time::Duration = std::time::Duration::from_mins(10);

/// Removes the temporary files (`.threatboard-*.tmp`) in `dir` older than [`STALE_TEMPORARY`]:
/// a save killed between writing and renaming leaves one behind, and it never replaces the model.
/// Failures are ignored: the save itself has succeeded.
fn sweep_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // Exactly the names the saves above give (lower case), so the comparison is exact too.
        let ours = name.starts_with(".threatboard-") && Path::new(name).extension().is_some_and(|e| e == "tmp");
        if !ours {
            continue;
        }
        let old = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_TEMPORARY);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // the same signature as on other platforms
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// Elsewhere a temporary file already gets the usual permissions.
#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

/// The 1-based line and column where the value at `path` starts in a JSON text.
pub fn locate(text: &str, path: &FieldPath) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    for seg in &path.0 {
        match (seg, bytes.get(pos)) {
            (Segment::Key(key), Some(b'{')) => {
                pos = skip_ws(bytes, pos + 1);
                loop {
                    if bytes.get(pos) != Some(&b'"') {
                        return None;
                    }
                    let key_start = pos;
                    let key_end = skip_string(bytes, pos)?;
                    let found: Option<String> = serde_json::from_str(&text[key_start..key_end]).ok();
                    pos = skip_ws(bytes, key_end);
                    if bytes.get(pos) != Some(&b':') {
                        return None;
                    }
                    pos = skip_ws(bytes, pos + 1);
                    if found.as_deref() == Some(key.as_str()) {
                        break;
                    }
                    pos = skip_ws(bytes, skip_value(bytes, pos)?);
                    match bytes.get(pos) {
                        Some(b',') => pos = skip_ws(bytes, pos + 1),
                        _ => return None,
                    }
                }
            }
            (Segment::Index(n), Some(b'[')) => {
                pos = skip_ws(bytes, pos + 1);
                for _ in 0..*n {
                    pos = skip_ws(bytes, skip_value(bytes, pos)?);
                    match bytes.get(pos) {
                        Some(b',') => pos = skip_ws(bytes, pos + 1),
                        _ => return None,
                    }
                }
            }
            _ => return None,
        }
    }
    let before = &text[..pos];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Index just past the string starting at `i` (which must be a `"`).
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Index just past the value starting at `i`, without recursion.
fn skip_value(b: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match *b.get(i)? {
            b'"' => i = skip_string(b, i)?,
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            _ => {
                while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b'"' | b'{' | b'[') {
                    i += 1;
                }
            }
        }
        if depth == 0 {
            return Some(i);
        }
        i = skip_ws(b, i);
        if depth > 0 && b.get(i) == Some(&b',') {
            i += 1;
        }
        i = skip_ws(b, i);
        if depth > 0 && b.get(i) == Some(&b':') {
            i += 1;
        }
        i = skip_ws(b, i);
    }
}
