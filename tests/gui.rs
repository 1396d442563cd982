//! The editor's main stories, driven through `egui_kittest`: keys, clicks and typing, asserting on the document.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)] // test helpers fail the test loudly on bad fixtures

use egui::{Event, Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use threatboard::app::{Pending, ThreatboardApp};
use threatboard::formats::json;
use threatboard::model::Document;

mod quick;
mod support;

use support::{click, drag, element_centre, harness, id, sample};

/// Adds an element with a single key at `pos` and names it by typing into the in-place rename field.
fn add_named(h: &mut Harness<'_, ThreatboardApp>, key: Key, pos: Pos2, name: &str) {
    h.event(Event::PointerMoved(pos));
    h.run_steps(1);
    h.key_press(key);
    h.run_steps(3);
    h.event(Event::Text(name.to_owned()));
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(3);
}

#[test]
fn create_three_elements_and_connect_them() {
    let mut h = harness(ThreatboardApp::with_document(Document::default(), None));
    let area = h.state().canvas_view().0;
    add_named(&mut h, Key::E, area.min + egui::vec2(150.0, 150.0), "Developer");
    add_named(&mut h, Key::P, area.min + egui::vec2(450.0, 150.0), "GitLab RoR");
    add_named(&mut h, Key::S, area.min + egui::vec2(450.0, 420.0), "Gitaly");
    let doc = &h.state().session().doc;
    let ids: Vec<&str> = doc.elements.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["developer", "gitlab-ror", "gitaly"], "ids follow the typed names");

    for (a, b) in [("developer", "gitlab-ror"), ("gitlab-ror", "gitaly")] {
        let (pa, pb) = (element_centre(&h, a), element_centre(&h, b));
        click(&mut h, pa, Modifiers::NONE);
        click(&mut h, pb, Modifiers::SHIFT);
        assert_eq!(h.state().selection(), [id(a), id(b)]);
        h.key_press(Key::C);
        h.run_steps(2);
    }
    let flows: Vec<(String, String)> =
        h.state().session().doc.flows.iter().map(|f| (f.from.to_string(), f.to.to_string())).collect();
    assert_eq!(flows, [("developer".into(), "gitlab-ror".into()), ("gitlab-ror".into(), "gitaly".into())]);
    assert_eq!(h.state().session().doc.flows[0].id.as_str(), "developer-to-gitlab-ror");
}

#[test]
fn quick_entry_bar_builds_the_october_2020_diagram() {
    let mut h = harness(ThreatboardApp::with_document(Document::default(), None));
    h.get_by_label("Quick entry").click();
    h.run_steps(2);
    for line in quick::OCTOBER_2020 {
        h.get_by_label("Quick entry").type_text(line);
        h.run_steps(1);
        h.key_press(Key::Enter);
        h.run_steps(2);
    }
    let app = h.state();
    assert!(app.notice().is_none_or(|n| !n.error), "{:?}", app.notice());
    quick::assert_same_diagram(&app.session().doc, &sample("kubernetes-agent-2020-10.json"));
    assert_eq!(app.session().history.undo_len(), quick::OCTOBER_2020.len());
}

#[test]
fn rename_in_the_inspector() {
    let mut app = ThreatboardApp::with_document(sample("kubernetes-agent-2020-10.json"), None);
    app.select(vec![id("kas")]);
    let mut h = harness(app);
    h.get_by_label("Label").focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Label").type_text("Kubernetes Agent Server");
    h.run_steps(2);
    h.key_press(Key::Tab);
    h.run_steps(2);
    let doc = &h.state().session().doc;
    let kas = doc.elements.iter().find(|e| e.id.as_str() == "kas").unwrap();
    assert_eq!(kas.label, "Kubernetes Agent Server");
    assert_eq!(h.state().session().history.undo_len(), 1, "typing in one field is one undo step");
}

#[test]
fn delete_then_undo_restores_flows_and_threats() {
    let original = sample("kubernetes-agent-2021-02.json");
    let mut app = ThreatboardApp::with_document(original.clone(), None);
    app.select(vec![id("kas")]);
    let mut h = harness(app);
    h.key_press(Key::Delete);
    h.run_steps(2);
    let doc = &h.state().session().doc;
    assert!(doc.elements.iter().all(|e| e.id.as_str() != "kas"));
    assert!(doc.flows.iter().all(|f| f.from.as_str() != "kas" && f.to.as_str() != "kas"));
    assert!(doc.threats.len() < original.threats.len(), "threats on kas's flows went with it");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().session().doc, original);
}

#[test]
fn unsaved_changes_are_asked_about() {
    let mut h = harness(ThreatboardApp::with_document(sample("kubernetes-agent-2020-05.json"), None));
    let area = h.state().canvas_view().0;
    h.event(Event::PointerMoved(area.min + egui::vec2(60.0, 60.0)));
    h.key_press(Key::P);
    h.run_steps(3);
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(h.state().is_dirty());
    let edited = h.state().session().doc.clone();

    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    h.run_steps(2);
    assert_eq!(h.state().pending_question(), Some(&Pending::New));
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert_eq!(h.state().pending_question(), None);
    assert_eq!(h.state().session().doc, edited, "cancel keeps the work");

    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    h.run_steps(2);
    h.get_by_label("Discard changes").click();
    h.run_steps(2);
    assert_eq!(h.state().session().doc, Document::default());
    assert!(!h.state().is_dirty());
}

#[test]
fn zoom_to_fit_shows_everything() {
    let mut app = ThreatboardApp::with_document(sample("kubernetes-agent-2021-02.json"), None);
    app.set_zoom(6.0);
    let mut h = harness(app);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Num0);
    h.run_steps(2);
    let (area, zoom) = h.state().canvas_view();
    assert!(zoom < 6.0);
    for e in &h.state().session().doc.elements {
        let p = h.state().canvas_to_screen(e.at.x, e.at.y);
        assert!(area.contains(p), "{} at {p:?} outside {area:?}", e.id);
    }
}

/// Every element centre of the open model lies inside the canvas.
fn all_visible(h: &Harness<'_, ThreatboardApp>) -> bool {
    let (area, _) = h.state().canvas_view();
    h.state().session().doc.elements.iter().all(|e| area.contains(h.state().canvas_to_screen(e.at.x, e.at.y)))
}

#[test]
fn a_fitted_view_follows_the_window_until_the_user_moves_it() {
    let doc = threatboard::model::synth::document(200, 1);
    let mut h = harness(ThreatboardApp::with_document(doc, None));
    assert!(all_visible(&h), "opens fitted");
    h.set_size(egui::Vec2::new(900.0, 600.0));
    h.run_steps(3);
    assert!(all_visible(&h), "a smaller window fits again");

    // Once the user zooms, the view is theirs: a resize leaves it alone.
    h.state_mut().set_zoom(0.5);
    h.run_steps(2);
    let before = h.state().canvas_view().1;
    h.set_size(egui::Vec2::new(1280.0, 800.0));
    h.run_steps(3);
    assert!((h.state().canvas_view().1 - before).abs() < 1e-6, "the user's zoom is kept");
}

#[test]
fn threats_tab_adds_and_sets_status() {
    let mut app = ThreatboardApp::with_document(sample("kubernetes-agent-2020-10.json"), None);
    app.select(vec![id("nginx-to-kas")]);
    let mut h = harness(app);
    h.get_by_label("Threats (0)").click();
    h.run_steps(2);
    h.get_by_label("+ Add threat").click();
    h.run_steps(3);
    let doc = &h.state().session().doc;
    let t = doc.threats.iter().find(|t| t.target.as_str() == "nginx-to-kas").unwrap();
    assert_eq!(t.id.as_str(), "T3");
    h.get_by_label("mitigated").click();
    h.run_steps(2);
    let doc = &h.state().session().doc;
    let t = doc.threats.iter().find(|t| t.id.as_str() == "T3").unwrap();
    assert_eq!(t.status, threatboard::model::Status::Mitigated);
}

#[test]
fn dropping_into_a_boundary_box_moves_membership_and_is_one_step() {
    let mut doc = sample("kubernetes-agent-2020-10.json");
    let edit = threatboard::quick::parse_line(&doc, "Runner: external").unwrap().unwrap();
    doc.apply(edit).unwrap();
    let mut h = harness(ThreatboardApp::with_document(doc, None));
    let runner = |h: &Harness<'_, ThreatboardApp>| {
        h.state().session().doc.elements.iter().find(|e| e.id.as_str() == "runner").unwrap().clone()
    };
    assert_eq!(runner(&h).boundary, None);
    // Between nginx and kas, inside GitLab's box.
    let target = h.state().canvas_to_screen(420.0, 310.0);
    let from = element_centre(&h, "runner");
    drag(&mut h, from, target);
    assert_eq!(runner(&h).boundary, Some(id("gitlab")));
    assert_eq!(h.state().session().history.undo_len(), 1, "move and re-parent are one step");
    let far = h.state().canvas_to_screen(1400.0, 300.0);
    let from = element_centre(&h, "runner");
    drag(&mut h, from, far);
    assert_eq!(runner(&h).boundary, None);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(runner(&h).boundary, Some(id("gitlab")));
}

#[test]
fn tidy_up_is_one_undo_step() {
    let mut doc = Document::default();
    for line in quick::OCTOBER_2020 {
        let edit = threatboard::quick::parse_line(&doc, line).unwrap().unwrap();
        doc.apply(edit).unwrap();
    }
    let mut h = harness(ThreatboardApp::with_document(doc.clone(), None));
    h.get_by_label("Tidy up").click();
    h.run_steps(3);
    let after = h.state().session().doc.clone();
    assert_ne!(after, doc);
    assert_eq!(h.state().session().history.undo_label(), Some("Tidy up"));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().session().doc, doc);
}

#[test]
fn unsaved_work_is_autosaved_and_forgotten_once_saved() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("model.json");
    json::save_file(&file, &sample("kubernetes-agent-2020-05.json")).unwrap();
    let store = threatboard::recovery::RecoveryStore::new(dir.path().join("recovery"));
    let mut app = ThreatboardApp::with_document(sample("kubernetes-agent-2020-05.json"), Some(file.clone()));
    app.enable_recovery(store.clone());
    let mut h = harness(app);
    let autosave = store.file_for(Some(&file));
    assert!(!autosave.exists());
    h.get_by_label("Quick entry").click();
    h.get_by_label("Quick entry").type_text("Runner -https-> kgb");
    h.key_press(Key::Enter);
    h.run_steps(3);
    assert!(autosave.exists(), "unsaved work is autosaved");
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(3);
    assert!(!h.state().is_dirty());
    assert!(!autosave.exists(), "saving removes the autosave");
    assert_eq!(json::load_file(&file).unwrap(), h.state().session().doc);
}
