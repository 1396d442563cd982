//! SARIF 2.1.0 output of `check`, for GitHub code scanning and other SARIF viewers.
//!
//! Each finding becomes a result located twice: physically at the item's line in the model file
//! (the element or flow for a suggestion, the threat's own entry for a threat), and logically at the
//! element's or flow's id. Suggestions are reported under their rule; an open threat under a rule of
//! its own (`threat/T7`), since a threat's severity is its own and GitHub reads severity per rule.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::check::{Finding, FindingKind, Report};
use super::rules::{Rule, RuleSet, TargetKind};
use crate::model::Severity;

/// The `$schema` written into each log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF's level for a severity: critical and high are errors, medium a warning, low a note.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` score (0–10) for a severity, in the middle of its band.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
    }
}

/// A file path as a SARIF URI reference: forward slashes, anything outside the unreserved set escaped.
pub fn path_to_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn rule_descriptor(rule: &Rule) -> Value {
    let mut help = rule.mitigation.source().to_owned();
    for r in rule.references.iter() {
        help.push_str("\n- ");
        help.push_str(r);
    }
    let mut d = json!({
        "id": rule.id,
        "name": rule.id,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": non_empty(rule.description.source(), &rule.summary) },
        "defaultConfiguration": { "level": level(rule.severity) },
        "help": { "text": non_empty(help.trim(), &rule.summary) },
        "properties": {
            "tags": ["security", "threat-model", rule.category.as_str(), rule.target().as_str()],
            "security-severity": security_severity(rule.severity),
        },
    });
    if let Some(uri) = rule.references.iter().find(|r| r.starts_with("https://")) {
        d["helpUri"] = json!(uri);
    }
    d
}

fn threat_descriptor(f: &Finding) -> Value {
    json!({
        "id": threat_rule_id(f),
        "name": format!("threat-{}", f.threat),
        "shortDescription": { "text": f.title },
        "fullDescription": { "text": non_empty(&f.description, &f.title) },
        "defaultConfiguration": { "level": level(f.severity) },
        "help": { "text": non_empty(&f.mitigation, "Mitigate the threat, or record why it is accepted, transferred or not applicable.") },
        "properties": {
            "tags": ["security", "threat-model", f.category.as_str()],
            "security-severity": security_severity(f.severity),
        },
    })
}

fn threat_rule_id(f: &Finding) -> String {
    format!("threat/{}", f.threat)
}

fn non_empty<'a>(text: &'a str, fallback: &'a str) -> &'a str {
    if text.trim().is_empty() { fallback } else { text }
}

/// The SARIF log of a check of the model at `file` (a path as given, made into a relative URI).
pub fn to_sarif(report: &Report, rules: &RuleSet, file: &str) -> Value {
    let mut descriptors: Vec<Value> = rules.rules().iter().map(rule_descriptor).collect();
    let mut results = Vec::with_capacity(report.findings.len());
    for f in &report.findings {
        let (rule_id, rule_index) = match f.kind {
            FindingKind::Suggestion => {
                (f.rule.clone(), rules.rules().iter().position(|r| r.id == f.rule).unwrap_or(usize::MAX))
            }
            FindingKind::Threat => {
                descriptors.push(threat_descriptor(f));
                (threat_rule_id(f), descriptors.len() - 1)
            }
        };
        let mut message = f.title.clone();
        if !f.description.trim().is_empty() {
            message.push_str(". ");
            message.push_str(f.description.trim());
        }
        let (collection, kind) = match f.target_kind {
            Some(TargetKind::Element) => ("elements", "element"),
            Some(TargetKind::Flow) => ("flows", "flow"),
            None => ("items", "item"),
        };
        let fingerprint = match f.kind {
            FindingKind::Suggestion => format!("suggestion:{}:{}", f.rule, f.target),
            FindingKind::Threat => format!("threat:{}", f.threat),
        };
        let mut result = json!({
            "ruleId": rule_id,
            "level": level(f.severity),
            "message": { "text": message },
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": { "uri": path_to_uri(file), "index": 0 },
                    "region": { "startLine": f.line, "startColumn": f.column },
                },
                "logicalLocations": [{
                    "name": f.target.as_str(),
                    "fullyQualifiedName": format!("{collection}/{}", f.target),
                    "kind": "object",
                }],
            }],
            "partialFingerprints": { "threatboard/v1": fingerprint },
            "properties": {
                "kind": match f.kind { FindingKind::Threat => "threat", FindingKind::Suggestion => "suggestion" },
                "target": f.target.as_str(),
                "targetKind": kind,
                "category": f.category.as_str(),
                "severity": f.severity.as_str(),
            },
        });
        if rule_index != usize::MAX {
            result["ruleIndex"] = json!(rule_index);
        }
        if !f.mitigation.trim().is_empty() {
            result["properties"]["mitigation"] = json!(f.mitigation);
        }
        results.push(result);
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "Threatboard",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": descriptors,
                },
            },
            "artifacts": [{ "location": { "uri": path_to_uri(file) }, "mimeType": "application/json" }],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": { "failOn": report.fail_on.as_str(), "failed": report.failed() },
        }],
    })
}

/// The SARIF log as pretty-printed text with a final newline.
pub fn to_string(report: &Report, rules: &RuleSet, file: &str) -> String {
    let mut text = serde_json::to_string_pretty(&to_sarif(report, rules, file)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(path_to_uri("samples/k8s agent.json"), "samples/k8s%20agent.json");
        assert_eq!(path_to_uri("a\\b.json"), "a/b.json");
        assert_eq!(path_to_uri("modèle.json"), "mod%C3%A8le.json");
    }
}
