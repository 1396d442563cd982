//! Reviewing threats in the editor, driven through `egui_kittest`: the Threats tab, rule suggestions
//! (accept, dismiss with a reason), the threat table (filter, sort, click to select) and rule files.
//! Every test asserts on the resulting document.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)] // test helpers fail the test loudly on bad fixtures

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use threatboard::app::ThreatboardApp;
use threatboard::model::Status;

mod support;

use support::{harness, id, sample};

/// The editor on the February 2021 model with `target` selected and its Threats tab open.
fn threats_tab_on(target: &str) -> Harness<'static, ThreatboardApp> {
    let mut app = ThreatboardApp::with_document(sample("kubernetes-agent-2021-02.json"), None);
    app.select(vec![id(target)]);
    let mut h = harness(app);
    h.get_by_label_contains("Threats (").click();
    h.run_steps(3);
    h
}

fn pending_on(h: &mut Harness<'_, ThreatboardApp>, target: &str) -> Vec<String> {
    h.state_mut().pending_suggestions().iter().filter(|s| s.target == target).map(|s| s.rule.to_string()).collect()
}

#[test]
fn add_a_threat_to_a_flow_from_the_inspector() {
    let mut h = threats_tab_on("nginx-to-kas");
    let before = h.state().session().doc.threats.len();
    h.get_by_label("+ Add threat").click();
    h.run_steps(3);
    let doc = &h.state().session().doc;
    assert_eq!(doc.threats.len(), before + 1);
    let t = doc.threats.iter().find(|t| t.target.as_str() == "nginx-to-kas").unwrap();
    assert_eq!((t.id.as_str(), t.status), ("T8", Status::Open));
    assert!(t.rule.is_empty(), "a threat typed by hand names no rule");
}

#[test]
fn accept_a_suggestion() {
    let mut h = threats_tab_on("agentk-to-nginx");
    let pending = pending_on(&mut h, "agentk-to-nginx");
    assert!(!pending.is_empty(), "the plain agentk → nginx flow gets suggestions");
    let runs = h.state().suggestion_runs();
    h.run_steps(10);
    assert_eq!(h.state().suggestion_runs(), runs, "no document change, no new run");

    h.get_all_by_label("Accept").next().unwrap().click();
    h.run_steps(3);
    let doc = &h.state().session().doc;
    let t = doc.threats.iter().find(|t| t.rule == pending[0]).unwrap();
    assert_eq!((t.id.as_str(), t.target.as_str(), t.status), ("T8", "agentk-to-nginx", Status::Open));
    assert_eq!(h.state().session().history.undo_len(), 1, "accepting is one undo step");
    assert!(!pending_on(&mut h, "agentk-to-nginx").contains(&pending[0]), "accepted, so no longer suggested");
    assert!(h.state().suggestion_runs() > runs, "the edit made the suggestions work out again");
}

#[test]
fn accept_all_for_the_selection() {
    let mut h = threats_tab_on("agentk-to-nginx");
    let pending = pending_on(&mut h, "agentk-to-nginx");
    assert!(pending.len() > 1, "{pending:?}");
    let before = h.state().session().doc.threats.len();
    h.get_by_label("Accept all for the selection").click();
    h.run_steps(3);
    assert_eq!(h.state().session().doc.threats.len(), before + pending.len());
    assert!(pending_on(&mut h, "agentk-to-nginx").is_empty());
    assert_eq!(h.state().session().history.undo_len(), 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().session().doc, sample("kubernetes-agent-2021-02.json"));
}

#[test]
fn dismiss_a_suggestion_with_a_reason() {
    let mut h = threats_tab_on("agentk-to-nginx");
    let pending = pending_on(&mut h, "agentk-to-nginx");
    h.get_all_by_label("Dismiss…").next().unwrap().click();
    h.run_steps(3);
    h.get_by_label("Reason").click();
    h.run_steps(1);
    h.get_by_label("Reason").type_text("Only on self-managed installs; see T7");
    h.run_steps(2);
    h.get_by_label("Dismiss").click();
    h.run_steps(3);
    let doc = &h.state().session().doc;
    assert_eq!(doc.dismissed.len(), 1);
    let d = &doc.dismissed[0];
    assert_eq!((d.rule.as_str(), d.target.as_str()), (pending[0].as_str(), "agentk-to-nginx"));
    assert_eq!(d.reason, "Only on self-managed installs; see T7");
    assert!(!pending_on(&mut h, "agentk-to-nginx").contains(&pending[0]), "dismissed, so not suggested again");

    // The dismissal is an undo step of its own, and restoring it brings the suggestion back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(h.state().session().doc.dismissed.is_empty());
    assert!(pending_on(&mut h, "agentk-to-nginx").contains(&pending[0]));
}

fn open_table() -> Harness<'static, ThreatboardApp> {
    let mut h = harness(ThreatboardApp::with_document(sample("kubernetes-agent-2021-02.json"), None));
    h.key_press_modifiers(Modifiers::COMMAND, Key::T);
    h.run_steps(3);
    assert!(h.state().threat_table_open());
    h
}

fn rows(h: &Harness<'_, ThreatboardApp>) -> Vec<String> {
    h.state().threat_table_rows().iter().map(ToString::to_string).collect()
}

#[test]
fn filter_and_sort_the_threat_table() {
    let mut h = open_table();
    assert_eq!(rows(&h), ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]);

    h.get_by_role_and_label(Role::TextInput, "Target").click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "Target").type_text("gitaly");
    h.run_steps(3);
    assert_eq!(rows(&h), ["T1", "T6"], "both threats on kas → gitaly");
    assert!(h.query_by_label("T7").is_none(), "filtered rows are not drawn");

    h.get_by_label("Clear filters").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::ComboBox, "Status").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "accepted").click();
    h.run_steps(3);
    assert_eq!(rows(&h), ["T3", "T4", "T5"]);

    h.get_by_role_and_label(Role::ComboBox, "Severity").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "low").click();
    h.run_steps(3);
    assert_eq!(rows(&h), ["T3", "T4"]);

    h.get_by_label("Clear filters").click();
    h.run_steps(2);
    // Sort by severity (low first, ids in order within one), then reverse.
    h.get_by_role_and_label(Role::Button, "Severity").click();
    h.run_steps(2);
    assert_eq!(rows(&h), ["T3", "T4", "T5", "T7", "T1", "T2", "T6"]);
    h.get_by_role_and_label(Role::Button, "Severity ▲").click();
    h.run_steps(2);
    assert_eq!(rows(&h), ["T6", "T2", "T1", "T7", "T5", "T4", "T3"]);
}

#[test]
fn clicking_a_row_selects_its_target() {
    let mut h = open_table();
    h.get_by_label("T5").click();
    h.run_steps(3);
    assert_eq!(h.state().selection(), [id("developer-to-gitlab-ror")]);
    h.get_by_label("T3").click();
    h.run_steps(3);
    assert_eq!(h.state().selection(), [id("agentk-listeners")]);
}

#[test]
fn a_broken_rule_file_is_reported_and_the_builtin_rules_stay() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.toml");
    std::fs::write(&bad, "version = 1\n\n[[rule]]\nid = \"x\"\ncategory = \"sneezing\"\n").unwrap();
    let builtin = threatboard::analysis::RuleSet::builtin().unwrap().len();
    let mut app = ThreatboardApp::with_document(sample("kubernetes-agent-2021-02.json"), None);
    app.set_command_line_rules(vec![bad]);
    let mut h = harness(app);
    let error = h.state().rules_error().unwrap().to_owned();
    assert!(error.contains("broken.toml:5:"), "{error}");
    assert!(h.state().notice().is_some_and(|n| n.error && n.text.contains("broken.toml:5:")));
    assert_eq!(h.state_mut().rule_count(), builtin);
    assert!(!h.state_mut().pending_suggestions().is_empty(), "the built-in rules still suggest");
}

#[test]
fn a_user_rule_file_adds_its_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    std::fs::write(
        &file,
        "version = 1\n\n[[rule]]\nid = \"prometheus-scrapes\"\ncategory = \"information-disclosure\"\n\
         severity = \"low\"\nsummary = \"Scraped\"\ntitle = \"{from} scrapes {to}\"\n\
         description = \"Metrics leave the cluster.\"\nmitigation = \"Restrict.\"\n[rule.flow]\nout_of_scope = true\n",
    )
    .unwrap();
    let mut app = ThreatboardApp::with_document(sample("kubernetes-agent-2021-02.json"), None);
    app.set_command_line_rules(vec![file]);
    assert_eq!(app.rules_error(), None);
    assert!(app.pending_suggestions().iter().any(|s| s.rule == "prometheus-scrapes"));
}
