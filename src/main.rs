//! The `threatboard` binary: parses the command line, then runs a command or opens the editor.

use std::process::ExitCode;

use clap::Parser;
use threatboard::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Some(command) => cli::run(command),
        None => open_editor(args.file.as_deref()),
    }
}

fn open_editor(file: Option<&std::path::Path>) -> ExitCode {
    let _ = file;
    eprintln!("threatboard: this build has no desktop editor yet; use a command instead (threatboard --help)");
    ExitCode::from(cli::EXIT_ERROR)
}
