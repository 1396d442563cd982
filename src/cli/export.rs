//! `export`: write a model as Mermaid, SVG, PNG, a Markdown report, Threat Dragon JSON or canonical JSON.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::EXIT_OK;
use crate::formats::json;
use crate::model::Document;

/// Output formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Threatboard's canonical JSON.
    Json,
    /// A Mermaid flowchart that re-imports without loss.
    Mermaid,
    /// A self-contained SVG drawing.
    Svg,
    /// A PNG image of the SVG drawing.
    Png,
    /// A Markdown review report.
    Markdown,
    /// An OWASP Threat Dragon v2 model.
    ThreatDragon,
}

impl ExportFormat {
    /// The format an output file name implies (`.mmd`, `.svg`, `.png`, `.md`, `.td.json`, `.json`).
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_string_lossy().to_lowercase();
        let ext = name.rsplit('.').next()?;
        Some(match ext {
            "mmd" | "mermaid" => Self::Mermaid,
            "svg" => Self::Svg,
            "png" => Self::Png,
            "md" | "markdown" => Self::Markdown,
            "json" if name.ends_with(".td.json") => Self::ThreatDragon,
            "json" => Self::Json,
            _ => return None,
        })
    }
}

/// Colour theme of drawn exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Theme {
    /// Dark lines on white.
    #[default]
    Light,
    /// Light lines on a dark background.
    Dark,
}

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The model to export (.json).
    pub file: PathBuf,
    /// Where to write; the format follows from the extension unless --format is given. Without it, stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The output format (needed when writing to stdout).
    #[arg(short, long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Colour theme of SVG and PNG output.
    #[arg(long, value_enum, default_value_t)]
    pub theme: Theme,
    /// Pixel density of PNG output (2 = twice the SVG size).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f32,
    /// Leave the threat badges out of drawings.
    #[arg(long)]
    pub no_threats: bool,
}

/// Runs `export`.
pub fn run(args: &ExportArgs) -> anyhow::Result<u8> {
    let format = match (args.format, &args.output) {
        (Some(f), _) => f,
        (None, Some(out)) => ExportFormat::from_path(out)
            .with_context(|| format!("cannot tell the format from {}; give --format", out.display()))?,
        (None, None) => bail!("give --output FILE or --format FORMAT"),
    };
    let doc = json::load_file(&args.file)?;
    let bytes = render(&doc, format, args)?;
    match &args.output {
        Some(out) => json::write_atomically(out, &bytes)?,
        None if format == ExportFormat::Png => bail!("PNG output needs --output FILE"),
        None => super::print_stdout(&String::from_utf8_lossy(&bytes))?,
    }
    Ok(EXIT_OK)
}

fn render(doc: &Document, format: ExportFormat, _args: &ExportArgs) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        ExportFormat::Json => json::to_string(doc).into_bytes(),
        ExportFormat::Mermaid => crate::formats::mermaid::export(doc).into_bytes(),
        other => bail!("export to {other:?} is not available in this build"),
    })
}
