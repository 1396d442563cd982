//! `check` and `suggest`: gate CI on a model's open threats and un-reviewed suggestions, and list the
//! suggestions for a reviewer.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::{EXIT_FINDINGS, EXIT_OK, print_stdout};
use crate::analysis::{self, Review, RuleSet, Suggestion, TargetKind, sarif};
use crate::formats::json::{self, FileError, MAX_FILE_BYTES};
use crate::model::{Document, Index, Severity};

/// A severity threshold on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Threshold {
    /// Any finding fails.
    Low,
    /// Medium, high and critical findings fail.
    Medium,
    /// High and critical findings fail.
    High,
    /// Only critical findings fail.
    Critical,
}

impl From<Threshold> for Severity {
    fn from(t: Threshold) -> Self {
        match t {
            Threshold::Low => Severity::Low,
            Threshold::Medium => Severity::Medium,
            Threshold::High => Severity::High,
            Threshold::Critical => Severity::Critical,
        }
    }
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CheckFormat {
    /// One `FILE:LINE:COLUMN: severity: …` line per finding, then a summary.
    #[default]
    Text,
    /// A JSON report.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

/// Output formats of `suggest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum SuggestFormat {
    /// A readable list, grouped by element and flow.
    #[default]
    Text,
    /// A JSON array of suggestions.
    Json,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The model to check (.json).
    pub file: PathBuf,
    /// A rule file (TOML) to use besides the built-in rules; may be given more than once.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// The lowest severity that fails the check (exit 1).
    #[arg(long, value_enum, default_value_t = Threshold::Low)]
    pub fail_on: Threshold,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// Arguments of `suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// The model (.json).
    pub file: PathBuf,
    /// A rule file (TOML) to use besides the built-in rules; may be given more than once.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Also list suggestions already accepted or dismissed, marked as such.
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SuggestFormat::Text)]
    pub format: SuggestFormat,
}

/// Reads a model file, keeping its text for locating findings.
fn read_model(path: &Path) -> anyhow::Result<(String, Document)> {
    let size = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
    if size > MAX_FILE_BYTES {
        return Err(FileError::TooLarge { path: path.to_owned(), size }.into());
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let doc = json::from_str(&text).map_err(|error| FileError::Invalid { path: path.to_owned(), error })?;
    Ok((text, doc))
}

/// Runs `check`: prints the report; exit 1 when a finding is at or above `--fail-on`, else 0.
pub fn run_check(args: &CheckArgs) -> anyhow::Result<u8> {
    let rules = RuleSet::load(&args.rules)?;
    let (text, doc) = read_model(&args.file)?;
    let report = analysis::check(&doc, &text, &rules, args.fail_on.into());
    let file = args.file.display().to_string();
    let out = match args.format {
        CheckFormat::Text => analysis::check::to_text(&report, &file),
        CheckFormat::Json => analysis::check::to_json(&report, &file),
        CheckFormat::Sarif => sarif::to_string(&report, &rules, &file),
    };
    print_stdout(&out)?;
    Ok(if report.failed() { EXIT_FINDINGS } else { EXIT_OK })
}

/// Runs `suggest`: prints the suggestions; always exit 0 (`check` is the command that judges).
pub fn run_suggest(args: &SuggestArgs) -> anyhow::Result<u8> {
    let rules = RuleSet::load(&args.rules)?;
    let (_, doc) = read_model(&args.file)?;
    let all = analysis::review(&doc, &rules);
    let shown: Vec<&(Suggestion, Review)> = all.iter().filter(|(_, r)| args.all || *r == Review::Pending).collect();
    let out = match args.format {
        SuggestFormat::Text => suggestions_text(&doc, &all, &shown),
        SuggestFormat::Json => {
            #[derive(serde::Serialize)]
            struct Row<'a> {
                #[serde(flatten)]
                suggestion: &'a Suggestion,
                review: Review,
            }
            let rows: Vec<Row<'_>> = shown.iter().map(|(s, r)| Row { suggestion: s, review: *r }).collect();
            let mut text = serde_json::to_string_pretty(&rows)?;
            text.push('\n');
            text
        }
    };
    print_stdout(&out)?;
    Ok(EXIT_OK)
}

/// The readable list: a heading per element or flow, then its suggestions, then a summary line.
fn suggestions_text(doc: &Document, all: &[(Suggestion, Review)], shown: &[&(Suggestion, Review)]) -> String {
    let index = Index::new(doc);
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for (s, review) in shown {
        if current != Some(s.target.as_str()) {
            current = Some(s.target.as_str());
            if !out.is_empty() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", heading(&index, s));
        }
        let mark = match review {
            Review::Pending => String::new(),
            Review::Accepted => " (accepted)".into(),
            Review::Dismissed => " (dismissed)".into(),
        };
        let _ = writeln!(
            out,
            "  [{}] {}: {}{mark}\n      rule {}",
            s.severity.as_str(),
            s.category.title(),
            s.title(),
            s.rule
        );
        if !s.description().is_empty() {
            let _ = writeln!(out, "      {}", s.description());
        }
        if !s.mitigation().is_empty() {
            let _ = writeln!(out, "      Mitigation: {}", s.mitigation());
        }
    }
    let pending = all.iter().filter(|(_, r)| *r == Review::Pending).count();
    let accepted = all.iter().filter(|(_, r)| *r == Review::Accepted).count();
    let dismissed = all.len() - pending - accepted;
    let mut targets: Vec<&str> =
        all.iter().filter(|(_, r)| *r == Review::Pending).map(|(s, _)| s.target.as_str()).collect();
    targets.dedup();
    if !out.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} on {}; {} accepted, {} dismissed",
        analysis::check::plural(pending, "suggestion"),
        analysis::check::plural(targets.len(), "target"),
        accepted,
        dismissed
    );
    out
}

fn heading(index: &Index<'_>, s: &Suggestion) -> String {
    let name = |id: &str| index.item(id).map_or_else(|| id.to_owned(), |i| one_line(i.display_name()));
    match s.target_kind {
        TargetKind::Element => match index.element(s.target.as_str()) {
            Some(e) => format!("{} ({}: {})", s.target, e.kind.title(), one_line(&name(e.id.as_str()))),
            None => s.target.to_string(),
        },
        TargetKind::Flow => match index.flow(s.target.as_str()) {
            Some(f) => {
                let protocol = if f.protocol.is_empty() { String::new() } else { format!(", {}", f.protocol) };
                format!("{} (flow: {} → {}{protocol})", s.target, name(f.from.as_str()), name(f.to.as_str()))
            }
            None => s.target.to_string(),
        },
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
