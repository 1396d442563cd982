//! The `threatboard` binary: parses the command line, then runs a command or opens the editor.

use std::process::ExitCode;

use clap::Parser;
use threatboard::cli::{self, Cli};

/// mimalloc keeps freed memory for reuse: the editor's tessellator grows and frees a large mesh every
/// frame, which the system allocator hands back to the kernel and faults in again (half of a zoomed-out
/// frame of 1 000 elements). Exports of large models allocate many small strings and gain too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Some(command) => cli::run(command),
        None => open_editor(args.file.as_deref(), &args.rules, args.compare.as_deref()),
    }
}

#[cfg(feature = "gui")]
fn open_editor(file: Option<&std::path::Path>, rules: &[std::path::PathBuf], compare: Option<&str>) -> ExitCode {
    match threatboard::app::run(file, rules, compare) {
        Ok(()) => ExitCode::from(cli::EXIT_OK),
        Err(e) => {
            eprintln!(
                "threatboard: cannot open the editor window: {e}\n\
                 (no display? set DISPLAY or WAYLAND_DISPLAY, or use a command instead: threatboard --help)"
            );
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_editor(file: Option<&std::path::Path>, rules: &[std::path::PathBuf], compare: Option<&str>) -> ExitCode {
    let _ = (file, rules, compare);
    eprintln!(
        "threatboard: this build has no desktop editor (built without the `gui` feature); use a command instead (threatboard --help)"
    );
    ExitCode::from(cli::EXIT_ERROR)
}
