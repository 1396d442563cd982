//! `diff` and `textconv`: compare two versions of a model, and print one as text for `git diff`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::{EXIT_FINDINGS, EXIT_OK};
use crate::diff;
use crate::formats::json;
use crate::model::Document;

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DiffFormat {
    /// Plain text for terminals and CI logs.
    #[default]
    Text,
    /// Markdown for pull-request comments.
    Markdown,
    /// JSON for tools.
    Json,
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old version: a model file, or REV:PATH read with `git show` (e.g. HEAD~3:model.json).
    pub old: PathBuf,
    /// The new version: a model file, or REV:PATH. A file that exists on disk always wins.
    pub new: PathBuf,
    /// The output format.
    #[arg(short, long, value_enum, default_value_t)]
    pub format: DiffFormat,
}

/// Arguments of `textconv`.
#[derive(Debug, Args)]
pub struct TextconvArgs {
    /// The model file (git passes a temporary copy of each side).
    pub file: PathBuf,
}

/// Runs `diff`: exit 0 when the versions are the same, 1 when they differ.
pub fn run(args: &DiffArgs) -> anyhow::Result<u8> {
    let old = load_side(&args.old)?;
    let new = load_side(&args.new)?;
    let result = diff::compare(&old, &new);
    let text = match args.format {
        DiffFormat::Text => diff::render_text(&result),
        DiffFormat::Markdown => diff::render_markdown(&result),
        DiffFormat::Json => {
            let mut s = serde_json::to_string_pretty(&result).context("cannot write the comparison as JSON")?;
            s.push('\n');
            s
        }
    };
    super::print_stdout(&text)?;
    Ok(if result.is_empty() { EXIT_OK } else { EXIT_FINDINGS })
}

/// Runs `textconv`. A file that is not a valid model (another JSON file matched by `*.json` in
/// `.gitattributes`) is printed unchanged, so that `git diff` keeps working for it.
pub fn textconv(args: &TextconvArgs) -> anyhow::Result<u8> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let doc = std::str::from_utf8(&bytes).ok().and_then(|text| json::from_str(text).ok());
    match doc {
        Some(doc) => super::print_stdout(&diff::textconv(&doc))?,
        None => print_bytes(&bytes)?,
    }
    Ok(EXIT_OK)
}

/// Loads one side of a comparison: the file at `spec` if there is one, else `REV:PATH` through git.
pub fn load_side(spec: &Path) -> anyhow::Result<Document> {
    if spec.exists() {
        return Ok(json::load_file(spec)?);
    }
    let Some((_rev, path)) = spec.to_str().and_then(|s| s.split_once(':')) else {
        // Not a revision either: report the missing file as such.
        return Ok(json::load_file(spec)?);
    };
    if path.is_empty() {
        bail!("{}: no such file, and no path after the ':' to read from git", spec.display());
    }
    diff::git::load(None, &spec.to_string_lossy())
        .with_context(|| format!("{}: no such file, and git could not read that revision", spec.display()))
}

/// Writes bytes to stdout, treating a closed pipe as success.
fn print_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
