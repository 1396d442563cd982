//! The command line: argument parsing and one function per command. Errors are handled once, here.

pub mod check;
pub mod diff;
pub mod export;
mod files;
pub mod import;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit status: success, no findings.
pub const EXIT_OK: u8 = 0;
/// Exit status: the command ran and found something (an invalid file, a difference, a threat).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: bad usage, or a file that could not be read or written.
pub const EXIT_ERROR: u8 = 2;

/// Draw, review and compare data-flow diagrams for security threat models.
///
/// Without a command, opens FILE (or a new model) in the desktop editor.
#[derive(Debug, Parser)]
#[command(name = "threatboard", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A model to open in the editor.
    pub file: Option<PathBuf>,
    /// A suggestion-rule file (TOML) for the editor, used besides the built-in rules; may be given more than once.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Open the editor comparing FILE with another version: a model file, a git revision of FILE
    /// (`HEAD~1`), or REV:PATH. The same as File → Compare with….
    #[arg(long, value_name = "OLD", requires = "file")]
    pub compare: Option<String>,
    /// What to do without a window.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands that run without a window.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that model files load: JSON syntax, fields, ids and references.
    ///
    /// Prints each problem as `FILE:LINE:COLUMN: message`. Exits 0 when every file is valid, 1 otherwise.
    Validate {
        /// Model files (.json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Rewrite model files in the canonical form (key order, rounding, final newline).
    Fmt {
        /// Only report files that are not canonical (exit 1), without writing them.
        #[arg(long)]
        check: bool,
        /// Model files (.json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the model file format.
    Schema,
    /// Write a model as Mermaid, SVG, PNG, a Markdown report, Threat Dragon or canonical JSON.
    Export(export::ExportArgs),
    /// Read a Mermaid flowchart or a Threat Dragon model into a Threatboard model.
    Import(import::ImportArgs),
    /// Compare two versions of a model: security summary first, then what was added, removed, renamed or changed.
    ///
    /// A side may be REV:PATH, read with `git show` (`threatboard diff HEAD~3:model.json model.json`).
    /// Exits 0 when the versions are the same, 1 when they differ, 2 on error.
    Diff(diff::DiffArgs),
    /// Print a model as stable, readable text, for `git diff` through a textconv driver (see README).
    Textconv(diff::TextconvArgs),
    /// Gate CI on a model: list its open threats and un-reviewed rule suggestions.
    ///
    /// Each finding is printed as `FILE:LINE:COLUMN: severity: …` (or as JSON or SARIF 2.1.0).
    /// Exits 1 when one is at or above --fail-on, 0 otherwise, and 2 when the model or a rule file
    /// cannot be read.
    Check(check::CheckArgs),
    /// List the STRIDE threats the rules suggest for a model and no reviewer has accepted or dismissed.
    Suggest(check::SuggestArgs),
}

/// Runs a command and returns the process exit code. Every error is printed here, once.
pub fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Validate { files } => Ok(files::validate(&files)),
        Command::Fmt { check, files } => files::fmt(&files, check),
        Command::Schema => print_stdout(&schema_text()).map(|()| EXIT_OK),
        Command::Export(args) => export::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Textconv(args) => diff::textconv(&args),
        Command::Check(args) => check::run_check(&args),
        Command::Suggest(args) => check::run_suggest(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("threatboard: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The JSON Schema of the file format, as shipped in `assets/threatboard.schema.json`.
pub fn schema_text() -> String {
    let schema = schemars::schema_for!(crate::model::Document);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes to stdout, treating a closed pipe (`| head`) as success.
pub(crate) fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
