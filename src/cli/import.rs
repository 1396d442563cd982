//! `import`: read a Mermaid flowchart or a Threat Dragon model into a Threatboard model.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::EXIT_OK;
use crate::formats::json;
use crate::formats::threat_dragon::{self, DiagramChoice};
use crate::model::{Document, Id};

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
    /// Threat Dragon: the diagram to import, by position (0, 1, …) or title. Needed when the model has several.
    #[arg(long, value_name = "N|TITLE", conflicts_with = "all")]
    pub diagram: Option<String>,
    /// Threat Dragon: import every diagram, one document each, into the directory given with -o.
    #[arg(long)]
    pub all: bool,
}

/// Runs `import`: prints warnings to stderr and writes the model.
pub fn run(args: &ImportArgs) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(&args.input).with_context(|| format!("cannot read {}", args.input.display()))?;
    let format = args
        .from
        .or_else(|| ImportFormat::detect(&args.input, &text))
        .context("cannot tell the input format; give --from")?;
    if format == ImportFormat::ThreatDragon {
        return run_threat_dragon(args, &text);
    }
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
        ImportFormat::ThreatDragon => {
            let mut imported = threat_dragon::import(text, &DiagramChoice::Only)?;
            let one = imported.pop().context("the model has no diagram to import")?;
            Ok((one.document, one.warnings.iter().map(ToString::to_string).collect()))
        }
    }
}

/// Imports one diagram (`--diagram`, or the only one) or all of them (`--all`, into a directory).
fn run_threat_dragon(args: &ImportArgs, text: &str) -> anyhow::Result<u8> {
    let choice = match (&args.diagram, args.all) {
        (_, true) => DiagramChoice::All,
        (Some(d), false) => DiagramChoice::parse(d),
        (None, false) => DiagramChoice::Only,
    };
    let imported = threat_dragon::import(text, &choice)?;
    let input = args.input.display();
    if !args.all {
        for one in imported {
            for w in &one.warnings {
                eprintln!("{input}: warning: {w}");
            }
            let out = json::to_string(&one.document);
            match &args.output {
                Some(path) => json::write_atomically(path, out.as_bytes())?,
                None => super::print_stdout(&out)?,
            }
        }
        return Ok(EXIT_OK);
    }
    let Some(dir) = &args.output else {
        bail!("--all writes one file per diagram: give the directory with -o DIR");
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut names: Vec<String> = Vec::new();
    for one in imported {
        for w in &one.warnings {
            eprintln!("{input}: warning: {w}");
        }
        let base = Id::slug(&one.diagram_title, &format!("diagram-{}", one.diagram));
        let name = Id::unique(&base, |s| names.iter().any(|n| n == s)).to_string();
        let path = dir.join(format!("{name}.json"));
        json::write_atomically(&path, json::to_string(&one.document).as_bytes())?;
        eprintln!("wrote {} (diagram {} {:?})", path.display(), one.diagram, one.diagram_title);
        names.push(name);
    }
    Ok(EXIT_OK)
}
