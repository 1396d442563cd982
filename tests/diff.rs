//! The comparison engine and the `diff` / `textconv` commands, on the seed samples and on generated models.

// Helpers shared by the tests fail loudly, like the tests themselves.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proptest::prelude::*;
use threatboard::diff::{self, ChangeStatus, Diff, Field, MatchedBy, Section, Value};
use threatboard::formats::json;
use threatboard::model::synth::{self, Rng};
use threatboard::model::{Document, Edit, Element, ElementKind, Encryption, Id, Index, Point};

fn sample_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples").join(format!("kubernetes-agent-{name}.json"))
}

fn sample(name: &str) -> Document {
    json::load_file(&sample_path(name)).expect("sample loads")
}

fn id(s: &str) -> Id {
    Id::new(s).expect("valid id")
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_threatboard"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// ---------------------------------------------------------------------------------------------
// The seed samples

#[test]
fn may_to_october_finds_the_kgb_to_kas_rename() {
    let d = diff::compare(&sample("2020-05"), &sample("2020-10"));

    let kas = d.change_of("kas").expect("kas is reported");
    assert_eq!(kas.status, ChangeStatus::Renamed);
    assert_eq!(kas.old_id, Some(id("kgb")));
    assert_eq!(kas.old_name.as_deref(), Some("kgb"));
    assert_eq!(d.status_of("kgb"), None, "kgb is not reported as removed");
    assert!(d.elements.iter().all(|c| c.status != ChangeStatus::Removed), "nothing removed: {:#?}", d.elements);

    assert_eq!(d.status_of("nginx"), Some(ChangeStatus::Added));
    assert_eq!(d.status_of("agentk"), None, "agentk did not change");

    // agentk's flow to kgb now goes to nginx: the same flow, re-pointed.
    let flow = d.change_of("agentk-to-nginx").expect("agentk's flow is reported");
    assert_eq!(flow.status, ChangeStatus::Renamed);
    assert_eq!(flow.old_id, Some(id("agentk-to-kgb")));
    assert_eq!(flow.matched_by, Some(MatchedBy::Repointed));
    let to = flow.property(Field::To).expect("target changed");
    assert!(matches!(&to.old, Value::Ref(r) if r.id == "kgb"));
    assert!(matches!(&to.new, Value::Ref(r) if r.id == "nginx"));
    assert_eq!(flow.properties.len(), 1, "{:?}", flow.properties);

    // The flows of kgb follow the rename: renamed by their endpoints, not removed and added.
    for (old, new) in [("kgb-to-gitaly", "kas-to-gitaly"), ("gitlab-ror-to-kgb", "gitlab-ror-to-kas")] {
        let c = d.change_of(new).expect("flow reported");
        assert_eq!(
            (c.status, c.old_id.clone(), c.matched_by),
            (ChangeStatus::Renamed, Some(id(old)), Some(MatchedBy::Endpoints))
        );
        assert!(c.properties.is_empty());
    }
    assert_eq!(d.status_of("nginx-to-kas"), Some(ChangeStatus::Added));
    assert!(d.flows.iter().all(|c| c.status != ChangeStatus::Removed));

    // Threats follow their renamed targets and did not change.
    assert!(d.threats.is_empty(), "{:#?}", d.threats);
    // The security summary sees the re-pointed boundary-crossing flow and nothing else.
    assert_eq!(d.summary.repointed.len(), 1);
    assert!(d.summary.encryption.is_empty() && d.summary.crossings_added.is_empty());
}

#[test]
fn october_to_february_reports_protocols_and_new_elements() {
    let d = diff::compare(&sample("2020-10"), &sample("2021-02"));

    let flow = d.change_of("agentk-to-nginx").expect("agentk's flow changed");
    assert_eq!(flow.status, ChangeStatus::Changed);
    let p = flow.property(Field::Protocol).expect("protocol changed");
    assert_eq!((&p.old, &p.new), (&Value::Text("grpc".into()), &Value::Text("grpcs".into())));

    let gained: Vec<_> = d.summary.encryption.iter().filter(|e| e.gained()).map(|e| e.flow.id.as_str()).collect();
    assert_eq!(gained, ["agentk-to-nginx"]);
    assert_eq!(d.summary.encryption[0].old, Encryption::Plain);

    for added in ["agentk-listeners", "kube-api", "kubelet", "kas-listeners", "developer", "prometheus"] {
        assert_eq!(d.status_of(added), Some(ChangeStatus::Added), "{added}");
    }
    for added in ["agentk-pod", "kas-host", "agentk-to-nginx-wss", "agentk-to-kube-api"] {
        assert_eq!(d.status_of(added), Some(ChangeStatus::Added), "{added}");
    }
    let moved: Vec<_> = d.summary.boundary_moves.iter().map(|m| m.item.id.as_str()).collect();
    assert_eq!(moved, ["agentk", "kas"]);
    let opened: Vec<_> = d.summary.threats_opened.iter().map(|t| t.threat.id.as_str()).collect();
    assert_eq!(opened, ["T7"]);
    assert_eq!(d.threat_status_of("T3"), Some(ChangeStatus::Added));
    assert_eq!(d.threat_status_of("T1"), None);
    assert_eq!(d.counts(Section::Threat).added, 5);
    // Nothing in October is gone in February.
    assert!(d.changes().all(|(_, c)| c.status != ChangeStatus::Removed));
}

#[test]
fn golden_text_and_markdown() {
    for (old, new) in [("2020-05", "2020-10"), ("2020-10", "2021-02")] {
        let d = diff::compare(&sample(old), &sample(new));
        insta::assert_snapshot!(format!("text_{old}_to_{new}"), diff::render_text(&d));
        insta::assert_snapshot!(format!("markdown_{old}_to_{new}"), diff::render_markdown(&d));
    }
}

#[test]
fn golden_textconv() {
    insta::assert_snapshot!("textconv_2020-05", diff::textconv(&sample("2020-05")));
    insta::assert_snapshot!("textconv_2021-02", diff::textconv(&sample("2021-02")));
}

#[test]
fn json_output_is_keyed_by_id() {
    let d = diff::compare(&sample("2020-05"), &sample("2020-10"));
    let v: serde_json::Value = serde_json::to_value(&d).expect("serialises");
    let kas = v["elements"].as_array().and_then(|a| a.iter().find(|c| c["new_id"] == "kas")).expect("kas");
    assert_eq!(kas["status"], "renamed");
    assert_eq!(kas["old_id"], "kgb");
    assert_eq!(kas["matched_by"], "neighbourhood");
    assert_eq!(v["summary"]["repointed"][0]["end"], "to");
}

#[test]
fn reversing_the_comparison_swaps_added_and_removed() {
    let d = diff::compare(&sample("2020-10"), &sample("2020-05"));
    assert_eq!(d.status_of("kgb"), Some(ChangeStatus::Renamed));
    assert_eq!(d.change_of("kgb").and_then(|c| c.old_id.clone()), Some(id("kas")));
    assert_eq!(d.status_of("nginx"), Some(ChangeStatus::Removed), "a removed id is looked up in the old version");
    assert_eq!(d.change_of_old("nginx").map(|c| c.status), Some(ChangeStatus::Removed));
    assert_eq!(d.removed().count(), 2, "nginx and its flow to kas");
}

#[test]
fn textconv_ignores_item_order() {
    let doc = sample("2021-02");
    let mut shuffled = doc.clone();
    shuffled.boundaries.reverse();
    shuffled.elements.reverse();
    shuffled.flows.reverse();
    shuffled.threats.reverse();
    assert_eq!(diff::textconv(&doc), diff::textconv(&shuffled));
    assert!(diff::compare(&doc, &shuffled).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Smaller cases

fn element(i: &str, kind: ElementKind, label: &str, at: (f64, f64)) -> Element {
    Element {
        id: id(i),
        kind,
        label: label.into(),
        boundary: None,
        at: Point::new(at.0, at.1),
        out_of_scope: false,
        out_of_scope_reason: String::new(),
        notes: String::new(),
    }
}

#[test]
fn moves_under_the_threshold_are_not_changes() {
    let mut old = Document::default();
    old.elements.push(element("a", ElementKind::Process, "A", (0.0, 0.0)));
    let mut nudged = old.clone();
    nudged.elements[0].at = Point::new(30.0, 40.0); // exactly 50
    assert!(diff::compare(&old, &nudged).is_empty());
    let mut moved = old.clone();
    moved.elements[0].at = Point::new(30.0, 41.0);
    let d = diff::compare(&old, &moved);
    assert_eq!(d.change_of("a").map(|c| c.properties[0].field), Some(Field::Position));
}

#[test]
fn numbered_siblings_are_not_renames() {
    let mut old = Document::default();
    old.elements.push(element("cache-1", ElementKind::Store, "cache 1", (0.0, 0.0)));
    let mut new = Document::default();
    new.elements.push(element("cache-2", ElementKind::Store, "cache 2", (0.0, 0.0)));
    let d = diff::compare(&old, &new);
    assert_eq!(d.status_of("cache-2"), Some(ChangeStatus::Added));
    assert_eq!(d.status_of("cache-1"), Some(ChangeStatus::Removed));
    // Same label, new id: a rename.
    new.elements[0].label = "cache 1".into();
    let d = diff::compare(&old, &new);
    assert_eq!(d.status_of("cache-2"), Some(ChangeStatus::Renamed));
    assert_eq!(d.change_of("cache-2").and_then(|c| c.matched_by), Some(MatchedBy::Label));
    // A different kind is never a rename.
    new.elements[0].kind = ElementKind::Process;
    assert_eq!(diff::compare(&old, &new).status_of("cache-2"), Some(ChangeStatus::Added));
}

#[test]
fn threats_opened_closed_and_severity() {
    let mut old = sample("2021-02");
    let mut new = old.clone();
    new.apply(Edit::UpdateThreat(threatboard::model::Threat {
        status: threatboard::model::Status::Mitigated,
        severity: threatboard::model::Severity::High,
        ..new.threats[6].clone()
    }))
    .expect("update");
    let d = diff::compare(&old, &new);
    assert_eq!(d.summary.threats_closed.len(), 1);
    assert_eq!(d.summary.severity.len(), 1);
    let t7 = d.threat_change_of("T7").expect("T7 changed");
    let fields: Vec<Field> = t7.properties.iter().map(|p| p.field).collect();
    assert_eq!(fields, [Field::Severity, Field::Status]);
    // Reopening is reported as opened.
    std::mem::swap(&mut old, &mut new);
    let d = diff::compare(&old, &new);
    assert_eq!(d.summary.threats_opened.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// The command line

#[test]
fn a_file_against_itself_reports_nothing_and_exits_0() {
    let path = sample_path("2021-02");
    for format in ["text", "markdown"] {
        let o = bin().arg("diff").arg(&path).arg(&path).args(["--format", format]).output().expect("runs");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(stdout(&o), "", "{format}");
    }
    let o = bin().arg("diff").arg(&path).arg(&path).args(["--format", "json"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["elements"], serde_json::json!([]));
}

#[test]
fn different_files_exit_1_and_print_the_report() {
    let o = bin().arg("diff").arg(sample_path("2020-05")).arg(sample_path("2020-10")).output().expect("runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let expected = diff::render_text(&diff::compare(&sample("2020-05"), &sample("2020-10")));
    assert_eq!(stdout(&o), expected);
}

#[test]
fn unreadable_input_exits_2() {
    let o = bin().arg("diff").arg("no-such-file.json").arg(sample_path("2020-05")).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-file.json"), "{}", stderr(&o));

    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"threatboard\": 1, \"elements\": [}").expect("write");
    let o = bin().arg("diff").arg(&bad).arg(sample_path("2020-05")).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.json:1:"), "{}", stderr(&o));
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let o = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    o
}

/// A repository with two commits of `model.json`: May, then October.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    git(p, &["init", "-q"]);
    std::fs::copy(sample_path("2020-05"), p.join("model.json")).expect("copy");
    git(p, &["add", "model.json"]);
    git(p, &["commit", "-q", "-m", "May"]);
    std::fs::copy(sample_path("2020-10"), p.join("model.json")).expect("copy");
    git(p, &["commit", "-q", "-a", "-m", "October"]);
    dir
}

#[test]
fn a_side_can_be_a_git_revision() {
    let dir = repo();
    let run = |old: &str, new: &str| {
        bin().current_dir(dir.path()).env("HOME", dir.path()).args(["diff", old, new]).output().expect("runs")
    };
    let o = run("HEAD~1:model.json", "model.json");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), diff::render_text(&diff::compare(&sample("2020-05"), &sample("2020-10"))));
    let o = run("HEAD:model.json", "model.json");
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), String::new()), "{}", stderr(&o));

    // git's own error, said clearly, with exit 2.
    let o = run("HEAD~5:model.json", "model.json");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("HEAD~5:model.json") && err.contains("git show"), "{err}");
    let o = run("HEAD:missing.json", "model.json");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.json"), "{}", stderr(&o));

    // A file on disk whose name looks like REV:PATH wins.
    std::fs::copy(sample_path("2020-05"), dir.path().join("HEAD:model.json")).expect("copy");
    let o = run("HEAD:model.json", "model.json");
    assert_eq!(o.status.code(), Some(1), "the May file on disk, not October from HEAD: {}", stderr(&o));
}

#[test]
fn outside_a_repository_the_git_error_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = bin()
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap_or(dir.path()))
        .args(["diff", "HEAD:model.json"])
        .arg(sample_path("2020-05"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).to_lowercase().contains("not a git repository"), "{}", stderr(&o));
}

#[test]
fn textconv_prints_models_as_text_and_other_files_unchanged() {
    let o = bin().arg("textconv").arg(sample_path("2020-10")).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), diff::textconv(&sample("2020-10")));

    let dir = tempfile::tempdir().expect("tempdir");
    let other = dir.path().join("package.json");
    std::fs::write(&other, "{\"name\": \"not a model\"}\n").expect("write");
    let o = bin().arg("textconv").arg(&other).output().expect("runs");
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), "{\"name\": \"not a model\"}\n".to_owned()));

    let o = bin().arg("textconv").arg(dir.path().join("missing.json")).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn git_diff_uses_the_textconv_driver() {
    let dir = repo();
    let p = dir.path();
    std::fs::write(p.join(".gitattributes"), "*.json diff=threatboard\n").expect("write");
    let driver = format!("{} textconv", env!("CARGO_BIN_EXE_threatboard"));
    git(p, &["config", "diff.threatboard.textconv", &driver]);
    let o = git(p, &["diff", "--no-color", "HEAD~1", "HEAD", "--", "model.json"]);
    let text = stdout(&o);
    assert!(text.contains("-process kgb") && text.contains("+process kas"), "{text}");
    assert!(text.contains("+  ends: agentk ↔ nginx"), "{text}");
    // `diff` reading a revision is not fooled by the textconv driver.
    let o = bin()
        .current_dir(p)
        .env("HOME", p)
        .args(["diff", "HEAD~1:model.json", "HEAD:model.json"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// Property tests on generated models

/// What the comparison should report for one item: its status and the properties that changed.
type Expected = BTreeMap<(u8, String), (ChangeStatus, BTreeSet<&'static str>)>;

fn section_key(s: Section) -> u8 {
    match s {
        Section::Boundary => 0,
        Section::Element => 1,
        Section::Flow => 2,
        Section::Threat => 3,
    }
}

fn reported(d: &Diff) -> Expected {
    d.changes()
        .map(|(s, c)| {
            let key = c.new_id.clone().or_else(|| c.old_id.clone()).map(String::from).unwrap_or_default();
            let fields = c.properties.iter().map(|p| p.field.as_str()).collect();
            ((section_key(s), key), (c.status, fields))
        })
        .collect()
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Relabel,
    Protocol,
    Move,
    Nudge,
    Add,
    Remove,
    RenameId,
}

fn op() -> impl Strategy<Value = (Op, u64)> {
    (
        prop_oneof![
            Just(Op::Relabel),
            Just(Op::Protocol),
            Just(Op::Move),
            Just(Op::Nudge),
            Just(Op::Add),
            Just(Op::Remove),
            Just(Op::RenameId),
        ],
        any::<u64>(),
    )
}

const PROTOCOLS: [&str; 6] = ["grpc", "grpcs", "https", "http", "ws", "kafka+tls"];

/// Applies the operations through `Document::apply`, each to an element (or flow) no other operation
/// touched, and returns what a comparison must report.
fn apply_ops(doc: &mut Document, ops: &[(Op, u64)]) -> Expected {
    let mut expected = Expected::new();
    let mut touched: HashSet<Id> = HashSet::new();
    let mut touched_flows: HashSet<Id> = HashSet::new();
    for (k, &(op, seed)) in ops.iter().enumerate() {
        let mut rng = Rng::new(seed);
        let free: Vec<Id> = doc.elements.iter().map(|e| e.id.clone()).filter(|i| !touched.contains(i)).collect();
        let pick = (!free.is_empty()).then(|| free[rng.below(free.len())].clone());
        match (op, pick) {
            (Op::Relabel, Some(e)) => {
                let mut el = doc.elements.iter().find(|x| x.id == e).cloned().expect("element");
                el.label = format!("relabelled element {k}");
                doc.apply(Edit::UpdateElement(el)).expect("relabel");
                expected.insert((1, e.to_string()), (ChangeStatus::Changed, ["label"].into()));
                touched.insert(e);
            }
            (Op::Move, Some(e)) => {
                let sign = |b: bool| if b { 1.0 } else { -1.0 };
                let dx = sign(rng.chance(50)) * (60 + rng.below(200)) as f64;
                let dy = sign(rng.chance(50)) * rng.below(200) as f64;
                doc.apply(Edit::Move { ids: vec![e.clone()], dx, dy }).expect("move");
                expected.insert((1, e.to_string()), (ChangeStatus::Changed, ["position"].into()));
                touched.insert(e);
            }
            (Op::Nudge, Some(e)) => {
                let dx = rng.below(61) as f64 - 30.0;
                let dy = rng.below(61) as f64 - 30.0;
                doc.apply(Edit::Move { ids: vec![e.clone()], dx, dy }).expect("nudge");
                touched.insert(e);
            }
            (Op::RenameId, Some(e)) => {
                let to = id(&format!("renamed-{k}"));
                doc.apply(Edit::Rename { from: e.clone(), to: to.clone() }).expect("rename");
                expected.insert((1, to.to_string()), (ChangeStatus::Renamed, BTreeSet::new()));
                touched.insert(e);
                touched.insert(to);
            }
            (Op::Remove, Some(e)) => {
                let flows: Vec<Id> =
                    doc.flows.iter().filter(|f| f.from == e || f.to == e).map(|f| f.id.clone()).collect();
                for t in doc.threats.iter().filter(|t| t.target == e || flows.contains(&t.target)) {
                    expected.insert((3, t.id.to_string()), (ChangeStatus::Removed, BTreeSet::new()));
                }
                for f in &flows {
                    expected.insert((2, f.to_string()), (ChangeStatus::Removed, BTreeSet::new()));
                }
                doc.apply(Edit::Remove { ids: vec![e.clone()] }).expect("remove");
                expected.insert((1, e.to_string()), (ChangeStatus::Removed, BTreeSet::new()));
                touched.insert(e);
            }
            (Op::Add, _) => {
                let new_id = id(&format!("added-{k}"));
                let boundary =
                    (!doc.boundaries.is_empty()).then(|| doc.boundaries[rng.below(doc.boundaries.len())].id.clone());
                let kind = ElementKind::ALL[rng.below(3)];
                let at = Point::new(rng.below(5000) as f64, rng.below(5000) as f64);
                let el =
                    Element { boundary, ..element(new_id.as_str(), kind, &format!("fresh node {k}"), (at.x, at.y)) };
                doc.apply(Edit::AddElement(el)).expect("add");
                expected.insert((1, new_id.to_string()), (ChangeStatus::Added, BTreeSet::new()));
                touched.insert(new_id);
            }
            (Op::Protocol, _) => {
                let free: Vec<usize> =
                    (0..doc.flows.len()).filter(|&i| !touched_flows.contains(&doc.flows[i].id)).collect();
                if free.is_empty() {
                    continue;
                }
                let mut f = doc.flows[free[rng.below(free.len())]].clone();
                let choices: Vec<&str> = PROTOCOLS.iter().copied().filter(|p| *p != f.protocol).collect();
                f.protocol = choices[rng.below(choices.len())].into();
                touched_flows.insert(f.id.clone());
                expected.insert((2, f.id.to_string()), (ChangeStatus::Changed, ["protocol"].into()));
                doc.apply(Edit::UpdateFlow(f)).expect("protocol");
            }
            (_, None) => {}
        }
    }
    expected
}

/// Naive crossing changes, flow by flow through `Index::crossings`, for documents with the same ids.
fn naive_crossings(old: &Document, new: &Document) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, Vec<String>>) {
    let (oi, ni) = (Index::new(old), Index::new(new));
    let (mut added, mut removed) = (BTreeMap::new(), BTreeMap::new());
    for f in &new.flows {
        let o = oi.flow(f.id.as_str()).expect("same flows");
        let before: Vec<String> = oi.crossings(o).iter().map(|b| b.id.to_string()).collect();
        let after: Vec<String> = ni.crossings(f).iter().map(|b| b.id.to_string()).collect();
        let plus: Vec<String> = after.iter().filter(|b| !before.contains(b)).cloned().collect();
        let minus: Vec<String> = before.iter().filter(|b| !after.contains(b)).cloned().collect();
        if !plus.is_empty() {
            added.insert(f.id.to_string(), plus);
        }
        if !minus.is_empty() {
            removed.insert(f.id.to_string(), minus);
        }
    }
    (added, removed)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn crossings_match_index_crossings(n in 2usize..200, seed in any::<u64>(), moves in prop::collection::vec((any::<u64>(), any::<u64>()), 1..8)) {
        let old = synth::document(n, seed);
        let mut new = old.clone();
        for (a, b) in moves {
            let ids: Vec<Id> = new.elements.iter().map(|e| e.id.clone()).chain(new.boundaries.iter().map(|b| b.id.clone())).collect();
            let item = ids[(a % ids.len() as u64) as usize].clone();
            let target = (b % 5 != 0).then(|| new.boundaries[(b % new.boundaries.len() as u64) as usize].id.clone());
            let _ = new.apply(Edit::SetBoundary { ids: vec![item], boundary: target }); // cycles are refused
        }
        let d = diff::compare(&old, &new);
        let key = |list: &[threatboard::diff::CrossingChange]| -> BTreeMap<String, Vec<String>> {
            list.iter().map(|c| (c.flow.id.to_string(), c.boundaries.iter().map(|b| b.id.to_string()).collect())).collect()
        };
        let (added, removed) = naive_crossings(&old, &new);
        prop_assert_eq!(key(&d.summary.crossings_added), added);
        prop_assert_eq!(key(&d.summary.crossings_removed), removed);
    }

    #[test]
    fn a_document_against_itself_is_empty(n in 0usize..400, seed in any::<u64>()) {
        let doc = synth::document(n, seed);
        let d = diff::compare(&doc, &doc);
        prop_assert!(d.is_empty(), "{}", diff::render_text(&d));
        prop_assert_eq!(diff::render_text(&d), "");
    }

    #[test]
    fn random_edits_are_reported_exactly(n in 2usize..250, seed in any::<u64>(), ops in prop::collection::vec(op(), 1..12)) {
        let old = synth::document(n, seed);
        let mut new = old.clone();
        let expected = apply_ops(&mut new, &ops);
        let d = diff::compare(&old, &new);
        prop_assert!(d.document.is_empty());
        prop_assert_eq!(reported(&d), expected, "{}", diff::render_text(&d));
    }
}

// ---------------------------------------------------------------------------------------------
// The comparison drawn over the new diagram (`export --diff`)

fn overlay_svg(old: &str, new: &str, dim: bool) -> String {
    use threatboard::diff::overlay::{OverlayOptions, diff_scene};
    use threatboard::render::{RenderOptions, svg};
    let (old, new) = (sample(old), sample(new));
    let d = diff::compare(&old, &new);
    svg::to_svg(&diff_scene(&old, &new, &d, &RenderOptions::default(), &OverlayOptions { dim_unchanged: dim }))
}

/// The SVG group of one drawn item, from its opening tag to its end.
fn group<'a>(svg: &'a str, id: &str) -> &'a str {
    let start = svg.find(&format!("<g id=\"{id}\"")).unwrap_or_else(|| panic!("no group {id}"));
    let end = svg[start..].find("</g>").expect("group ends") + start;
    &svg[start..end]
}

#[test]
fn overlay_of_may_to_october_marks_the_rename_and_the_new_proxy() {
    use threatboard::diff::overlay::OverlayColors;
    use threatboard::render::{Theme, png};
    let svg = overlay_svg("2020-05", "2020-10", false);
    resvg::usvg::Tree::from_str(&svg, png::options()).expect("the overlay is SVG usvg reads");
    let colors = OverlayColors::of(Theme::Light);
    let (added, removed, changed) = (colors.added.to_hex(), colors.removed.to_hex(), colors.changed.to_hex());

    let kas = group(&svg, "element-kas");
    assert!(kas.contains("kgb → kas"), "{kas}");
    assert!(kas.contains(&format!("stroke=\"{changed}\"")), "{kas}");
    let nginx = group(&svg, "element-nginx");
    assert!(nginx.contains(&format!("stroke=\"{added}\"")), "{nginx}");
    assert!(nginx.contains(&format!("fill=\"{}\"", colors.added_fill.to_hex())), "{nginx}");
    assert!(nginx.contains("Added in this version"), "{nginx}");
    // agentk did not change; GitLab RoR only moved: both look as they do in a plain export.
    for id in ["element-agentk", "element-gitlab-ror"] {
        let g = group(&svg, id);
        assert!(![&added, &removed, &changed].iter().any(|c| g.contains(c.as_str())), "{g}");
    }
    // The re-pointed flow gets a band in the changed colour, the new one in the added colour.
    assert!(svg.matches(&format!("stroke=\"{changed}\" stroke-width=\"")).count() >= 2);
    assert!(svg.contains(&format!("stroke=\"{added}\" stroke-width=\"")));
    // The legend explains every mark, with counts.
    for words in
        ["Added (2)", "Removed, ghosted where it was (0)", "Changed (2; moves alone are not marked)", "old → new"]
    {
        assert!(svg.contains(words), "legend lacks {words:?}");
    }
}

#[test]
fn overlay_ghosts_removed_items_where_they_were() {
    use threatboard::diff::overlay::{GHOST, OverlayColors};
    use threatboard::render::Theme;
    // Backwards, nginx and its flow to kas were removed.
    let svg = overlay_svg("2020-10", "2020-05", true);
    let removed = OverlayColors::of(Theme::Light).removed.to_hex();
    let ghost = group(&svg, "element-nginx");
    assert!(ghost.contains(&format!("opacity=\"{GHOST}\"")), "{ghost}");
    assert!(ghost.contains(&format!("stroke=\"{removed}\"")) && ghost.contains("stroke-dasharray"), "{ghost}");
    assert!(ghost.contains("Removed in this version"));
    // Where it was in October: the ghost's box is centred on its old position.
    let oct = sample("2020-10");
    let at = oct.elements.iter().find(|e| e.id == "nginx").expect("nginx").at;
    assert!(ghost.contains(&format!("y=\"{}\"", at.y - 26.0)), "{ghost}");
    let flow = group(&svg, "flow-nginx-to-kas");
    assert!(flow.contains(&format!("stroke=\"{removed}\"")), "{flow}");
    assert!(group(&svg, "element-kgb").contains("kas → kgb"));
    // Unchanged items are dimmed.
    assert!(group(&svg, "element-agentk").contains("opacity=\"0.3\""));
    assert!(svg.contains("Unchanged (dimmed)"));
}

#[test]
fn golden_overlay_svg() {
    insta::assert_snapshot!("overlay_2020-05_to_2020-10", overlay_svg("2020-05", "2020-10", false));
}

#[test]
fn export_diff_writes_svg_and_png_from_files_and_revisions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let svg = dir.path().join("diff.svg");
    let png = dir.path().join("diff.png");
    for out in [&svg, &png] {
        let o = bin()
            .args(["export", "--diff"])
            .arg(sample_path("2020-05"))
            .arg(sample_path("2020-10"))
            .arg("-o")
            .arg(out)
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read_to_string(&svg).expect("svg"), overlay_svg("2020-05", "2020-10", false));
    let bytes = std::fs::read(&png).expect("png");
    let image = resvg::tiny_skia::Pixmap::decode_png(&bytes).expect("a PNG");
    let first = image.pixels()[0];
    let distinct = image.pixels().iter().filter(|p| **p != first).count();
    assert!(distinct > image.pixels().len() / 50, "the PNG is not blank: {distinct} pixels differ");
    let changed = threatboard::diff::overlay::OverlayColors::of(threatboard::render::Theme::Light).changed;
    assert!(
        image.pixels().iter().any(|p| p.red() == changed.r && p.green() == changed.g && p.blue() == changed.b),
        "the changed colour is drawn"
    );

    // A side may be a git revision, as in `diff`.
    let repo = repo();
    let o = bin()
        .current_dir(repo.path())
        .args(["export", "--diff", "HEAD~1:model.json", "model.json", "--format", "svg"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), overlay_svg("2020-05", "2020-10", false));

    let o = bin()
        .args(["export", "--diff"])
        .arg(sample_path("2020-05"))
        .arg(sample_path("2020-10"))
        .args(["-o", "x.md"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("SVG or PNG"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// File → Compare with… in the editor

#[cfg(feature = "gui")]
mod editor {
    use egui::{Key, Modifiers};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use threatboard::app::ThreatboardApp;
    use threatboard::diff::ChangeStatus;

    use super::{id, sample, sample_path};

    fn harness(app: ThreatboardApp) -> Harness<'static, ThreatboardApp> {
        let mut h = Harness::builder()
            .with_size([1280.0, 800.0])
            .build_ui_state(|ui, app: &mut ThreatboardApp| app.ui_frame(ui), app);
        h.run_steps(3);
        h
    }

    #[test]
    fn compare_with_may_lists_the_rename_and_selects_it() {
        let october = sample_path("2020-10");
        let mut h = harness(ThreatboardApp::with_document(sample("2020-10"), Some(october)));
        h.get_by_label("File").click();
        h.run_steps(2);
        h.get_by_label("Compare with…").click();
        h.run_steps(2);
        h.get_by_label("Version to compare with").type_text(&sample_path("2020-05").display().to_string());
        h.run_steps(1);
        h.get_by_label("Compare").click();
        h.run_steps(3);

        let c = h.state().comparison().expect("comparing");
        assert_eq!(c.diff.change_of("kas").map(|c| c.status), Some(ChangeStatus::Renamed));
        assert!(h.state().notice().is_none_or(|n| !n.error), "{:?}", h.state().notice());

        // The change list names the rename; clicking it selects kas on the canvas.
        h.get_by_label("kgb → kas").click();
        h.run_steps(2);
        assert_eq!(h.state().selection(), [id("kas")]);
        h.get_by_label("nginx").click();
        h.run_steps(2);
        assert_eq!(h.state().selection(), [id("nginx")]);
        // The security summary comes first, and its entries select what they are about.
        h.get_by_label("Security summary");
        h.get_by_label_contains("Re-pointed across a boundary").click();
        h.run_steps(2);
        assert_eq!(h.state().selection(), [id("agentk-to-nginx")]);

        // Editing while comparing recomputes the comparison.
        h.state_mut().select(vec![id("nginx")]);
        h.run_steps(1);
        h.key_press(Key::Delete);
        h.run_steps(3);
        let c = h.state().comparison().expect("still comparing");
        assert_eq!(c.diff.change_of("nginx"), None, "nginx is gone from both versions now");

        // Escape leaves the comparison; the edit stays.
        h.event(egui::Event::PointerMoved(h.state().canvas_view().0.center()));
        h.key_press_modifiers(Modifiers::NONE, Key::Escape);
        h.run_steps(3);
        assert!(h.state().comparison().is_none());
        assert!(h.query_by_label("kgb → kas").is_none(), "the change list is gone");
        assert!(h.state().session().doc.elements.iter().all(|e| e.id != "nginx"));
    }

    #[test]
    fn leave_button_and_a_revision_that_cannot_be_read() {
        let mut h = harness(ThreatboardApp::with_document(sample("2020-10"), None));
        assert!(!h.state_mut().compare_with("HEAD~1"), "an unsaved model has no git history");
        assert!(h.state().notice().is_some_and(|n| n.error));
        assert!(h.state_mut().compare_with(&sample_path("2020-05").display().to_string()));
        h.run_steps(2);
        h.get_by_label("Leave comparison").click();
        h.run_steps(2);
        assert!(h.state().comparison().is_none());
    }
}
