//! `threatboard check` and `threatboard suggest` through the binary: exit codes, output formats,
//! SARIF validity against the official 2.1.0 schema, and rule-file errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use threatboard::analysis::{self, Review, RuleSet};
use threatboard::formats::json;
use threatboard::model::{Document, Edit, FieldPath};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/kubernetes-agent-2021-02.json");
const SARIF_SCHEMA: &str = include_str!("data/sarif-schema-2.1.0.json");

fn threatboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatboard")).args(args).output().expect("the binary runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// The sample with every suggestion dismissed: what is left is its one open threat, T7 (medium).
fn reviewed_sample(dir: &Path) -> PathBuf {
    let mut doc = json::load_file(Path::new(SAMPLE)).unwrap();
    let rules = RuleSet::builtin().unwrap();
    let edits = analysis::suggestions(&doc, &rules).iter().map(|s| Edit::Dismiss(s.dismissal("reviewed"))).collect();
    doc.apply(Edit::Batch { label: "dismiss all".into(), edits }).unwrap();
    let path = dir.join("reviewed.json");
    json::save_file(&path, &doc).unwrap();
    path
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn check_exit_codes_follow_the_threshold() {
    // The sample has high-severity suggestions and one open medium threat.
    assert_eq!(code(&threatboard(&["check", SAMPLE])), 1, "any finding fails by default");
    assert_eq!(code(&threatboard(&["check", SAMPLE, "--fail-on", "high"])), 1);
    assert_eq!(code(&threatboard(&["check", SAMPLE, "--fail-on", "critical"])), 0);

    let dir = tempfile::tempdir().unwrap();
    let reviewed = reviewed_sample(dir.path());
    let reviewed = reviewed.to_str().unwrap();
    for (fail_on, expected) in [("low", 1), ("medium", 1), ("high", 0), ("critical", 0)] {
        let out = threatboard(&["check", reviewed, "--fail-on", fail_on]);
        assert_eq!(code(&out), expected, "--fail-on {fail_on}: {}", stdout(&out));
    }
    let out = threatboard(&["check", reviewed, "--fail-on", "medium"]);
    let text = stdout(&out);
    assert!(text.contains(":317:5: medium: Information disclosure: Unencrypted agent"), "{text}");
    assert!(text.contains("[open threat T7 on agentk-to-nginx]"), "{text}");
    assert!(
        text.trim_end().ends_with("fails: 1 threat open, 0 suggestions un-reviewed, 1 at or above medium"),
        "{text}"
    );

    // A model with nothing to answer for passes at any threshold.
    let empty = write(dir.path(), "empty.json", "{\"threatboard\": 1}\n");
    assert_eq!(code(&threatboard(&["check", &empty])), 0);
}

#[test]
fn check_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let out = threatboard(&["check", missing.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("missing.json"), "{}", stderr(&out));

    let broken_model = write(dir.path(), "broken.json", "{\"threatboard\": 1, \"elements\": [{\"id\": \"a\"}]}\n");
    let out = threatboard(&["check", &broken_model]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("broken.json:1:"), "{}", stderr(&out));

    let rules = write(
        dir.path(),
        "rules.toml",
        "version = 1\n\n[[rule]]\nid = \"x\"\ncategory = \"tampering\"\ntitle = \"t\"\n[rule.flow]\nencrypted = true\n",
    );
    let out = threatboard(&["check", SAMPLE, "--rules", &rules]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains(&format!("{rules}:8:1: unknown field `encrypted`")), "{err}");
    let out = threatboard(&["suggest", SAMPLE, "--rules", &rules]);
    assert_eq!(code(&out), 2);

    assert_eq!(code(&threatboard(&["check", SAMPLE, "--fail-on", "severe"])), 2, "clap rejects unknown thresholds");
}

#[test]
fn user_rules_apply_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "mine.toml",
        "[[rule]]\nid = \"no-plain-grpc\"\ncategory = \"tampering\"\nseverity = \"critical\"\ntitle = \"No plain grpc into {to}\"\n[rule.flow]\nprotocol = \"grpc\"\n",
    );
    let out = threatboard(&["check", SAMPLE, "--rules", &rules, "--fail-on", "critical"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("critical: Tampering: No plain grpc into kas [suggestion no-plain-grpc on nginx-to-kas]")
    );
}

fn sarif_errors(log: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SARIF_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    validator.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn validate_sarif(log: &Value) {
    let errors = sarif_errors(log);
    assert!(errors.is_empty(), "SARIF output is not valid:\n{}", errors.join("\n"));
}

#[test]
fn sarif_output_is_valid_and_located() {
    let out = threatboard(&["check", SAMPLE, "--format", "sarif"]);
    assert_eq!(code(&out), 1);
    let log: Value = serde_json::from_str(&stdout(&out)).expect("SARIF is JSON");
    validate_sarif(&log);
    // The validator does reject what the schema forbids.
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("fatal");
    bad["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(0);
    assert_eq!(sarif_errors(&bad).len(), 2, "{:?}", sarif_errors(&bad));

    let text = std::fs::read_to_string(SAMPLE).unwrap();
    let doc = json::from_str(&text).unwrap();
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let rules = RuleSet::builtin().unwrap();
    let pending = analysis::suggestions(&doc, &rules).len();
    assert_eq!(results.len(), pending + 1, "every suggestion and the one open threat");
    let driver_rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let loc = &r["locations"][0];
        let target = loc["logicalLocations"][0]["name"].as_str().unwrap();
        let region = &loc["physicalLocation"]["region"];
        let at = (region["startLine"].as_u64().unwrap() as usize, region["startColumn"].as_u64().unwrap() as usize);
        let path = match r["properties"]["kind"].as_str().unwrap() {
            "threat" => {
                let id = r["ruleId"].as_str().unwrap().strip_prefix("threat/").unwrap();
                FieldPath::entry("threats", doc.threats.iter().position(|t| t.id == id).unwrap())
            }
            _ => item_path(&doc, target),
        };
        assert_eq!(Some(at), json::locate(&text, &path), "{r}");
        assert!(
            loc["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("kubernetes-agent-2021-02.json")
        );
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(driver_rules[index]["id"], r["ruleId"], "ruleIndex points at the rule");
    }
    let t7 = results.iter().find(|r| r["ruleId"] == "threat/T7").expect("the open threat is reported");
    assert_eq!(t7["level"], "warning");
    assert_eq!(t7["locations"][0]["logicalLocations"][0]["name"], "agentk-to-nginx");
    assert_eq!(t7["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "flows/agentk-to-nginx");
    let listener = results
        .iter()
        .find(|r| {
            r["ruleId"] == "listener-reached-by-monitoring"
                && r["locations"][0]["logicalLocations"][0]["name"] == "kas-listeners"
        })
        .expect("the listener suggestion is reported");
    assert_eq!(
        listener["partialFingerprints"]["threatboard/v1"],
        "suggestion:listener-reached-by-monitoring:kas-listeners"
    );
}

fn item_path(doc: &Document, id: &str) -> FieldPath {
    if let Some(i) = doc.elements.iter().position(|e| e.id == id) {
        FieldPath::entry("elements", i)
    } else {
        FieldPath::entry("flows", doc.flows.iter().position(|f| f.id == id).unwrap())
    }
}

#[test]
fn sarif_of_an_empty_and_a_large_model_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty model.json", "{\"threatboard\": 1}\n");
    let out = threatboard(&["check", &empty, "--format", "sarif"]);
    assert_eq!(code(&out), 0);
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    validate_sarif(&log);
    assert!(log["runs"][0]["results"].as_array().unwrap().is_empty());
    assert!(log["runs"][0]["artifacts"][0]["location"]["uri"].as_str().unwrap().ends_with("empty%20model.json"));

    // Every rule, threats of every status, elements and flows of every kind.
    let doc = threatboard::model::synth::document(400, 9);
    let text = json::to_string(&doc);
    let report = analysis::check(&doc, &text, &RuleSet::builtin().unwrap(), threatboard::model::Severity::High);
    let log = analysis::sarif::to_sarif(&report, &RuleSet::builtin().unwrap(), "synthetic.json");
    validate_sarif(&log);
    let open = doc.threats.iter().filter(|t| t.status == threatboard::model::Status::Open).count();
    let (threats, _) = report.counts();
    assert_eq!(threats, open);
}

#[test]
fn check_json_lists_the_findings() {
    let out = threatboard(&["check", SAMPLE, "--format", "json", "--fail-on", "critical"]);
    assert_eq!(code(&out), 0);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["fail_on"], "critical");
    assert_eq!(report["failed"], false);
    assert_eq!(report["open_threats"], 1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1 + report["suggestions"].as_u64().unwrap() as usize);
    let nginx = findings
        .iter()
        .find(|f| f["rule"] == "plain-crossing-disclosure" && f["target"] == "nginx-to-kas")
        .expect("the plain proxy pass is listed");
    assert_eq!((nginx["kind"].as_str(), nginx["severity"].as_str()), (Some("suggestion"), Some("high")));
    assert!(nginx["line"].as_u64().unwrap() > 1);
}

#[test]
fn suggest_lists_suggestions_readably() {
    let out = threatboard(&["suggest", SAMPLE]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.contains("nginx-to-kas (flow: Front proxy (nginx) → kas, grpc)\n"), "{text}");
    assert!(text.contains("  [high] Information disclosure: Plain grpc from Front proxy (nginx) to kas crosses kas host (localhost)\n      rule plain-crossing-disclosure\n"), "{text}");
    assert!(text.contains("kas-listeners (process: kas metrics & health listeners)\n"), "{text}");
    assert!(text.contains("Mitigation: Use grpcs"), "{text}");
    assert!(text.trim_end().ends_with("0 accepted, 0 dismissed"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let reviewed = reviewed_sample(dir.path());
    let reviewed = reviewed.to_str().unwrap();
    let text = stdout(&threatboard(&["suggest", reviewed]));
    assert!(text.starts_with("0 suggestions on 0 targets; 0 accepted, "), "{text}");
    let text = stdout(&threatboard(&["suggest", reviewed, "--all"]));
    assert!(text.contains("(dismissed)"), "{text}");

    let rows: Value =
        serde_json::from_str(&stdout(&threatboard(&["suggest", reviewed, "--all", "--format", "json"]))).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["review"] == serde_json::to_value(Review::Dismissed).unwrap()));
    assert!(rows.iter().all(|r| r["rule"].is_string() && r["target"].is_string() && r["title"].is_string()));
}
