//! `check`: what a model still has to answer for (its open threats and the suggestions nobody has
//! accepted or dismissed), each located in the model file, and whether that fails a threshold.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::engine::{self, Facts, Target};
use super::rules::{RuleSet, TargetKind};
use crate::formats::json;
use crate::model::{Category, Document, FieldPath, Id, Segment, Severity, Status};

/// Whether a finding is a recorded threat or a rule's suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// An open threat in the document.
    Threat,
    /// A suggestion not yet accepted or dismissed.
    Suggestion,
}

/// One thing to answer for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Threat or suggestion.
    pub kind: FindingKind,
    /// The threat's id, or empty for a suggestion.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub threat: String,
    /// The rule that suggested it (for a threat: the rule it was accepted from, if any).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rule: String,
    /// The element or flow concerned.
    pub target: Id,
    /// Whether the target is an element or a flow (`None` for a threat on an unknown target).
    pub target_kind: Option<TargetKind>,
    /// STRIDE category.
    pub category: Category,
    /// Severity.
    pub severity: Severity,
    /// One-line summary.
    pub title: String,
    /// What could happen and how.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// What is or should be done.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub mitigation: String,
    /// Links.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The item in the file: `threats[i]` for a threat, `elements[i]` or `flows[i]` for a suggestion.
    #[serde(skip)]
    pub path: FieldPath,
    /// 1-based line of that item in the file.
    pub line: usize,
    /// 1-based column of that item in the file, in characters.
    pub column: usize,
}

impl Finding {
    /// A stable name for the finding: `threat T7` or `rule-id on target`.
    pub fn key(&self) -> String {
        match self.kind {
            FindingKind::Threat => format!("threat {}", self.threat),
            FindingKind::Suggestion => format!("{} on {}", self.rule, self.target),
        }
    }
}

/// The findings of one model against a threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The lowest severity that fails the check.
    pub fail_on: Severity,
    /// Open threats, then pending suggestions, each in file order.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The findings at or above the threshold.
    pub fn failing(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity >= self.fail_on)
    }

    /// True when at least one finding is at or above the threshold.
    pub fn failed(&self) -> bool {
        self.failing().next().is_some()
    }

    /// How many findings are open threats, and how many are suggestions.
    pub fn counts(&self) -> (usize, usize) {
        let threats = self.findings.iter().filter(|f| f.kind == FindingKind::Threat).count();
        (threats, self.findings.len() - threats)
    }
}

/// Checks a document: `text` is the file it was loaded from, used to give each finding its line.
pub fn check(doc: &Document, text: &str, rules: &RuleSet, fail_on: Severity) -> Report {
    let facts = Facts::new(doc);
    let mut findings = Vec::new();
    engine::for_each_match(&facts, rules, false, |s, _, target| {
        let path = match target {
            Target::Element(i) => FieldPath::entry("elements", i),
            Target::Flow(i) => FieldPath::entry("flows", i),
        };
        findings.push(Finding {
            kind: FindingKind::Suggestion,
            threat: String::new(),
            rule: s.rule.to_string(),
            target: s.target.clone(),
            target_kind: Some(s.target_kind),
            category: s.category,
            severity: s.severity,
            title: s.title().to_owned(),
            description: s.description().to_owned(),
            mitigation: s.mitigation().to_owned(),
            references: s.references.to_vec(),
            path,
            line: 1,
            column: 1,
        });
    });
    for (i, t) in doc.threats.iter().enumerate().filter(|(_, t)| t.status == Status::Open) {
        findings.push(Finding {
            kind: FindingKind::Threat,
            threat: t.id.to_string(),
            rule: t.rule.clone(),
            target: t.target.clone(),
            target_kind: engine::target_kind(&facts.index, t.target.as_str()),
            category: t.category,
            severity: t.severity,
            title: t.title.clone(),
            description: t.description.clone(),
            mitigation: t.mitigation.clone(),
            references: t.references.clone(),
            path: FieldPath::entry("threats", i),
            line: 1,
            column: 1,
        });
    }
    let locator = Locator::new(text);
    for f in &mut findings {
        if let Some((line, column)) = locator.position(&f.path) {
            (f.line, f.column) = (line, column);
        }
    }
    Report { fail_on, findings }
}

/// Finds where the entries of `elements`, `flows` and `threats` start in a model file, in one pass,
/// so that locating thousands of findings does not rescan the file for each.
#[derive(Debug)]
pub struct Locator<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    elements: Vec<usize>,
    flows: Vec<usize>,
    threats: Vec<usize>,
}

#[derive(Deserialize)]
struct Entries<'t> {
    #[serde(borrow, default)]
    elements: Vec<&'t RawValue>,
    #[serde(borrow, default)]
    flows: Vec<&'t RawValue>,
    #[serde(borrow, default)]
    threats: Vec<&'t RawValue>,
}

impl<'t> Locator<'t> {
    /// Indexes a model file's text.
    pub fn new(text: &'t str) -> Self {
        let base = text.as_ptr().addr();
        // A raw value borrows its bytes from `text`, so its address gives its offset.
        let offsets = |items: &[&RawValue]| items.iter().map(|r| r.get().as_ptr().addr() - base).collect();
        let (elements, flows, threats) = match serde_json::from_str::<Entries<'_>>(text) {
            Ok(e) => (offsets(&e.elements), offsets(&e.flows), offsets(&e.threats)),
            Err(_) => Default::default(),
        };
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Self { text, line_starts, elements, flows, threats }
    }

    /// The 1-based line and column where the value at `path` starts, as [`json::locate`] gives it.
    pub fn position(&self, path: &FieldPath) -> Option<(usize, usize)> {
        let list = match path.0.as_slice() {
            [Segment::Key(k), Segment::Index(i)] => match k.as_str() {
                "elements" => Some((&self.elements, *i)),
                "flows" => Some((&self.flows, *i)),
                "threats" => Some((&self.threats, *i)),
                _ => None,
            },
            _ => None,
        };
        match list {
            Some((offsets, i)) => offsets.get(i).map(|&o| self.line_column(o)),
            None => json::locate(self.text, path),
        }
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }
}

/// The report as compiler-style lines, `FILE:LINE:COLUMN: severity: title [what on which]`, then a summary.
pub fn to_text(report: &Report, file: &str) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let what = match f.kind {
            FindingKind::Threat => format!("open threat {} on {}", f.threat, f.target),
            FindingKind::Suggestion => format!("suggestion {} on {}", f.rule, f.target),
        };
        let _ = writeln!(
            out,
            "{file}:{}:{}: {}: {}: {} [{what}]",
            f.line,
            f.column,
            f.severity.as_str(),
            f.category.title(),
            f.title
        );
    }
    let (threats, suggestions) = report.counts();
    let failing = report.failing().count();
    let verdict = if failing == 0 { "passes" } else { "fails" };
    let _ = writeln!(
        out,
        "{file}: {verdict}: {} open, {} un-reviewed, {failing} at or above {}",
        plural(threats, "threat"),
        plural(suggestions, "suggestion"),
        report.fail_on.as_str()
    );
    out
}

/// The report as a JSON document (`file`, `fail_on`, `failed`, counts and `findings`).
pub fn to_json(report: &Report, file: &str) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        file: &'a str,
        fail_on: Severity,
        failed: bool,
        open_threats: usize,
        suggestions: usize,
        failing: usize,
        findings: &'a [Finding],
    }
    let (open_threats, suggestions) = report.counts();
    let out = Out {
        file,
        fail_on: report.fail_on,
        failed: report.failed(),
        open_threats,
        suggestions,
        failing: report.failing().count(),
        findings: &report.findings,
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// `1 threat`, `2 threats`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}
