//! `import`: read a Mermaid flowchart or a Threat Dragon model into a Threatboard model.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::EXIT_OK;
use crate::formats::json;
use crate::model::Document;

/// Input formats of `import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// A Mermaid flowchart (`graph` / `flowchart`).
    Mermaid,
    /// An OWASP Threat Dragon model (v1 or v2).
    ThreatDragon,
}

impl ImportFormat {
    /// Guesses the format from the file name and, for JSON, its content.
    pub fn detect(path: &Path, text: &str) -> Option<Self> {
        let name = path.file_name()?.to_string_lossy().to_lowercase();
        let ext = Path::new(&name).extension().and_then(|e| e.to_str()).unwrap_or_default();
        if ext == "mmd" || ext == "mermaid" {
            return Some(Self::Mermaid);
        }
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            return Some(Self::ThreatDragon);
        }
        Some(Self::Mermaid)
    }
}

/// Arguments of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import.
    pub input: PathBuf,
    /// Where to write the Threatboard model (.json); stdout without it.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The input format; guessed from the file name and content when left out.
    #[arg(long, value_enum)]
    pub from: Option<ImportFormat>,
}

/// Runs `import`: prints warnings to stderr and writes the model.
pub fn run(args: &ImportArgs) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(&args.input).with_context(|| format!("cannot read {}", args.input.display()))?;
    let format = args
        .from
        .or_else(|| ImportFormat::detect(&args.input, &text))
        .context("cannot tell the input format; give --from")?;
    let (doc, warnings) = convert(&text, format, &args.input)?;
    for w in warnings {
        eprintln!("{}: warning: {w}", args.input.display());
    }
    let out = json::to_string(&doc);
    match &args.output {
        Some(path) => json::write_atomically(path, out.as_bytes())?,
        None => super::print_stdout(&out)?,
    }
    Ok(EXIT_OK)
}

fn convert(text: &str, format: ImportFormat, path: &Path) -> anyhow::Result<(Document, Vec<String>)> {
    match format {
        ImportFormat::Mermaid => {
            let imported =
                crate::formats::mermaid::import(text).map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))?;
            Ok((imported.document, imported.warnings.iter().map(ToString::to_string).collect()))
        }
        ImportFormat::ThreatDragon => bail!("import from Threat Dragon is not available in this build"),
    }
}
