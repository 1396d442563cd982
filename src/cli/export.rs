//! `export`: write a model as Mermaid, SVG, PNG, a Markdown report, Threat Dragon JSON or canonical JSON.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::EXIT_OK;
use crate::formats::json;
use crate::model::Document;
use crate::render::report::{self, ReportOptions};
use crate::render::{self, RenderOptions, Scene, png, svg};

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

impl From<Theme> for render::Theme {
    fn from(t: Theme) -> Self {
        match t {
            Theme::Light => Self::Light,
            Theme::Dark => Self::Dark,
        }
    }
}

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The model to export (.json). Not with --diff.
    #[arg(required_unless_present = "diff")]
    pub file: Option<PathBuf>,
    /// Draw a comparison instead (SVG or PNG only): the NEW diagram with added items green, removed ones
    /// ghosted red where they were, changed ones amber, renamed ones `old → new`. Either side may be
    /// REV:PATH, read with `git show`, as in `diff`.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], conflicts_with_all = ["file", "with_svg"])]
    pub diff: Option<Vec<PathBuf>>,
    /// With --diff: draw unchanged items faintly.
    #[arg(long, requires = "diff")]
    pub dim_unchanged: bool,
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
    /// With a Markdown report: also write the diagram as an SVG next to it (same name, .svg) and link it.
    #[arg(long)]
    pub with_svg: bool,
}

/// Runs `export`.
pub fn run(args: &ExportArgs) -> anyhow::Result<u8> {
    let format = match (args.format, &args.output) {
        (Some(f), _) => f,
        (None, Some(out)) => ExportFormat::from_path(out)
            .with_context(|| format!("cannot tell the format from {}; give --format", out.display()))?,
        (None, None) => bail!("give --output FILE or --format FORMAT"),
    };
    if let Some(sides) = &args.diff {
        return run_diff(args, format, sides);
    }
    let Some(file) = &args.file else { bail!("give the model to export, or --diff OLD NEW") };
    let doc = json::load_file(file)?;
    let svg_link = if args.with_svg { Some(write_report_svg(&doc, format, args)?) } else { None };
    let bytes = render(&doc, format, args, svg_link)?;
    match &args.output {
        Some(out) => json::write_atomically(out, &bytes)?,
        None if format == ExportFormat::Png => bail!("PNG output needs --output FILE"),
        None => super::print_stdout(&String::from_utf8_lossy(&bytes))?,
    }
    Ok(EXIT_OK)
}

/// `export --diff OLD NEW`: the comparison overlay as SVG or PNG.
fn run_diff(args: &ExportArgs, format: ExportFormat, sides: &[PathBuf]) -> anyhow::Result<u8> {
    let [old_spec, new_spec] = sides else { bail!("--diff takes two models: OLD NEW") };
    if !matches!(format, ExportFormat::Svg | ExportFormat::Png) {
        bail!("--diff draws a comparison: write it as SVG or PNG (-o diff.svg, -o diff.png)");
    }
    let old = super::diff::load_side(old_spec)?;
    let new = super::diff::load_side(new_spec)?;
    let comparison = crate::diff::compare(&old, &new);
    let overlay = crate::diff::overlay::OverlayOptions { dim_unchanged: args.dim_unchanged };
    let scene = crate::diff::overlay::diff_scene(&old, &new, &comparison, &render_options(args), &overlay);
    let drawing = svg::to_svg(&scene);
    let bytes = if format == ExportFormat::Png { png::to_png(&drawing, args.scale)? } else { drawing.into_bytes() };
    match &args.output {
        Some(out) => json::write_atomically(out, &bytes)?,
        None if format == ExportFormat::Png => bail!("PNG output needs --output FILE"),
        None => super::print_stdout(&String::from_utf8_lossy(&bytes))?,
    }
    Ok(EXIT_OK)
}

fn render_options(args: &ExportArgs) -> RenderOptions {
    RenderOptions { theme: args.theme.into(), threats: !args.no_threats, ..RenderOptions::default() }
}

fn render(
    doc: &Document,
    format: ExportFormat,
    args: &ExportArgs,
    svg_link: Option<String>,
) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        ExportFormat::Json => json::to_string(doc).into_bytes(),
        ExportFormat::Mermaid => crate::formats::mermaid::export(doc).into_bytes(),
        ExportFormat::ThreatDragon => crate::formats::threat_dragon::export(doc).into_bytes(),
        ExportFormat::Svg => svg::to_svg(&Scene::build(doc, &render_options(args))).into_bytes(),
        ExportFormat::Png => {
            let drawing = svg::to_svg(&Scene::build(doc, &render_options(args)));
            png::to_png(&drawing, args.scale)?
        }
        ExportFormat::Markdown => report::to_markdown(doc, &ReportOptions { svg_link }).into_bytes(),
    })
}

/// For `--with-svg`: writes the diagram next to the report (`review.md` → `review.svg`) and returns the
/// relative link the report uses.
fn write_report_svg(doc: &Document, format: ExportFormat, args: &ExportArgs) -> anyhow::Result<String> {
    if format != ExportFormat::Markdown {
        bail!("--with-svg goes with a Markdown report (-o report.md)");
    }
    let Some(out) = &args.output else {
        bail!("--with-svg needs --output FILE, to write the SVG next to it");
    };
    let svg_path = out.with_extension("svg");
    let drawing = svg::to_svg(&Scene::build(doc, &render_options(args)));
    json::write_atomically(&svg_path, drawing.as_bytes())?;
    let name = svg_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(name)
}
