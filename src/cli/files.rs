//! `validate` and `fmt`: the commands that check and normalise model files.

use std::path::PathBuf;

use anyhow::Context;

use super::{EXIT_FINDINGS, EXIT_OK};
use crate::formats::json::{self, FileError};

/// Loads each file and prints every problem; exit 1 if any file is invalid. Unreadable files are
/// reported like invalid ones so that one missing file does not hide the others' problems.
pub fn validate(files: &[PathBuf]) -> u8 {
    let mut code = EXIT_OK;
    for path in files {
        match json::load_file(path) {
            Ok(_) => {}
            Err(e) => {
                eprintln!("{e}");
                code = match e {
                    FileError::Invalid { .. } => code.max(EXIT_FINDINGS),
                    _ => super::EXIT_ERROR,
                };
            }
        }
    }
    code
}

/// Rewrites each file canonically, or with `check` lists those that are not canonical.
pub fn fmt(files: &[PathBuf], check: bool) -> anyhow::Result<u8> {
    let mut code = EXIT_OK;
    for path in files {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let doc = json::from_str(&text).map_err(|error| FileError::Invalid { path: path.clone(), error })?;
        let canonical = json::to_string(&doc);
        if canonical == text {
            continue;
        }
        if check {
            eprintln!("{}: not in canonical form (run `threatboard fmt {}`)", path.display(), path.display());
            code = EXIT_FINDINGS;
        } else {
            json::save_file(path, &doc)?;
            eprintln!("formatted {}", path.display());
        }
    }
    Ok(code)
}
