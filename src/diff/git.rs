//! Reading one version of a model from git (`git show REV:PATH`), for comparisons with an earlier revision.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::formats::json::{self, LoadError, MAX_FILE_BYTES};
use crate::model::Document;

/// Why a revision of a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// `git` could not be started.
    #[error("{spec}: git could not be run to read it from revision {rev:?}: {source}")]
    Spawn {
        /// The `REV:PATH` asked for.
        spec: String,
        /// The revision.
        rev: String,
        /// Why it could not be started.
        source: std::io::Error,
    },
    /// `git show` failed (no repository, unknown revision, no such path in it).
    #[error("`git show {spec}` failed: {reason}")]
    Show {
        /// The `REV:PATH` asked for.
        spec: String,
        /// git's message, or its exit status.
        reason: String,
    },
    /// The file in that revision is larger than any model file may be.
    #[error("{spec}: the file is {size} bytes; files over {MAX_FILE_BYTES} bytes are refused")]
    TooLarge {
        /// The `REV:PATH` asked for.
        spec: String,
        /// Its size.
        size: usize,
    },
    /// The file in that revision is not UTF-8 text.
    #[error("{spec}: not UTF-8 text")]
    NotText {
        /// The `REV:PATH` asked for.
        spec: String,
    },
    /// The file in that revision is not a valid model.
    #[error("{}", located(spec, error))]
    Invalid {
        /// The `REV:PATH` asked for.
        spec: String,
        /// Where and what, with line and column.
        error: LoadError,
    },
}

fn located(spec: &str, error: &LoadError) -> String {
    error.diagnostics.iter().map(|d| format!("{spec}:{d}")).collect::<Vec<_>>().join("\n")
}

/// The text of `spec` (`REV:PATH`, with PATH relative to the repository root, or `./`-relative to `dir`)
/// as `git show` prints it, run in `dir` (the current directory when `None`).
pub fn show(dir: Option<&Path>, spec: &str) -> Result<String, GitError> {
    let rev = spec.split_once(':').map_or(spec, |(r, _)| r).to_owned();
    let mut command = Command::new("git");
    command.arg("show").arg("--no-textconv").arg(spec).stdin(Stdio::null());
    if let Some(d) = dir {
        command.current_dir(d);
    }
    let output = command.output().map_err(|source| GitError::Spawn { spec: spec.to_owned(), rev, source })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.trim();
        let reason = if reason.is_empty() { format!("git exited with {}", output.status) } else { reason.to_owned() };
        return Err(GitError::Show { spec: spec.to_owned(), reason });
    }
    if output.stdout.len() as u64 > MAX_FILE_BYTES {
        return Err(GitError::TooLarge { spec: spec.to_owned(), size: output.stdout.len() });
    }
    String::from_utf8(output.stdout).map_err(|_| GitError::NotText { spec: spec.to_owned() })
}

/// Loads the model `spec` (`REV:PATH`) names, through [`show`].
pub fn load(dir: Option<&Path>, spec: &str) -> Result<Document, GitError> {
    let text = show(dir, spec)?;
    json::from_str(&text).map_err(|error| GitError::Invalid { spec: spec.to_owned(), error })
}

/// Loads revision `rev` of the model file `file` (the file as committed in `rev`, e.g. `HEAD~1`), running
/// git in the file's folder.
pub fn load_revision_of(file: &Path, rev: &str) -> Result<Document, GitError> {
    let dir: PathBuf = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    load(Some(&dir), &format!("{rev}:./{name}"))
}
