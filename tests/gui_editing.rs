//! Editing stories beyond the main ones, driven through `egui_kittest` and asserted on the document:
//! drawing flows and boxes with the pointer and keys, selecting, copying, renaming, the view, the
//! panels' fields and the file commands through the typed-path prompt.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)] // test helpers fail the test loudly on bad fixtures

use egui::{Event, Key, Modifiers, MouseWheelUnit, OutputCommand, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use threatboard::app::{Pending, ThreatboardApp};
use threatboard::formats::json;
use threatboard::model::{Document, Element, ElementKind};

mod support;

use support::{drag, drag_with, element_centre, fast_harness, harness, id, sample, type_slowly};

fn ctrl(h: &mut Harness<'_, ThreatboardApp>, key: Key) {
    h.key_press_modifiers(Modifiers::COMMAND, key);
    h.run_steps(2);
}

fn ctrl_shift(h: &mut Harness<'_, ThreatboardApp>, key: Key) {
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, key);
    h.run_steps(2);
}

fn press(h: &mut Harness<'_, ThreatboardApp>, key: Key) {
    h.key_press(key);
    h.run_steps(2);
}

fn doc(h: &Harness<'_, ThreatboardApp>) -> Document {
    h.state().session().doc.clone()
}

fn element(doc: &Document, id: &str) -> Element {
    doc.elements.iter().find(|e| e.id.as_str() == id).unwrap().clone()
}

/// A document built from quick-entry lines.
fn drawn(lines: &[&str]) -> Document {
    let mut doc = Document::default();
    for line in lines {
        let edit = threatboard::quick::parse_line(&doc, line).unwrap().unwrap();
        doc.apply(edit).unwrap();
    }
    doc
}

/// The text the last frame put on the clipboard after `event` (Copy, Cut).
fn clipboard_after(h: &mut Harness<'_, ThreatboardApp>, event: Event) -> String {
    h.event(event);
    h.step();
    let text = h.output().platform_output.commands.iter().find_map(|c| match c {
        OutputCommand::CopyText(t) => Some(t.clone()),
        _ => None,
    });
    h.run_steps(2);
    text.expect("the frame copied text")
}

fn quick_bar_text(h: &Harness<'_, ThreatboardApp>) -> String {
    h.get_by_label("Quick entry").value().unwrap_or_default()
}

#[test]
fn a_quick_entry_line_is_undone_and_redone_without_leaving_the_bar() {
    let mut h = harness(ThreatboardApp::with_document(Document::default(), None));
    h.get_by_label("Quick entry").click();
    h.run_steps(2);
    type_slowly(&mut h, "agentk -grpcs-> nginx");
    press(&mut h, Key::Enter);
    assert_eq!(doc(&h).flows.len(), 1);

    ctrl(&mut h, Key::Z);
    assert_eq!(doc(&h), Document::default(), "Ctrl+Z in the empty bar undoes the line");
    ctrl_shift(&mut h, Key::Z);
    assert_eq!(doc(&h).flows.len(), 1, "Ctrl+Shift+Z redoes it");
    ctrl(&mut h, Key::Z);
    ctrl(&mut h, Key::Y);
    assert_eq!(doc(&h).flows.len(), 1, "Ctrl+Y redoes too");

    // With a line half typed, Ctrl+Z belongs to the text.
    type_slowly(&mut h, "kas: process");
    ctrl(&mut h, Key::Z);
    assert_eq!(doc(&h).elements.len(), 2, "the document is left alone");
    assert_eq!(h.state().session().history.undo_len(), 1);
}

#[test]
fn up_and_down_recall_the_lines_entered() {
    let mut h = harness(ThreatboardApp::with_document(Document::default(), None));
    h.get_by_label("Quick entry").click();
    h.run_steps(2);
    for line in ["a -grpcs-> b", "b -http-> c"] {
        type_slowly(&mut h, line);
        press(&mut h, Key::Enter);
    }
    assert_eq!(quick_bar_text(&h), "");
    press(&mut h, Key::ArrowUp);
    assert_eq!(quick_bar_text(&h), "b -http-> c");
    press(&mut h, Key::ArrowUp);
    assert_eq!(quick_bar_text(&h), "a -grpcs-> b");
    press(&mut h, Key::ArrowUp);
    assert_eq!(quick_bar_text(&h), "a -grpcs-> b", "the oldest line stays");
    press(&mut h, Key::ArrowDown);
    assert_eq!(quick_bar_text(&h), "b -http-> c");
    press(&mut h, Key::ArrowDown);
    assert_eq!(quick_bar_text(&h), "", "past the newest line the bar is empty again");
}

#[test]
fn list_fields_keep_spaces_and_new_lines_while_typing_and_undo_as_one_step() {
    let original = sample("kubernetes-agent-2020-10.json");
    let mut h = harness(ThreatboardApp::with_document(original.clone(), None));
    h.get_by_label("Document").click();
    h.run_steps(2);
    h.get_by_label("Entry points").focus();
    h.run_steps(1);
    ctrl(&mut h, Key::A);
    type_slowly(&mut h, "GitLab RoR ");
    press(&mut h, Key::Enter);
    type_slowly(&mut h, "kas API");
    assert_eq!(doc(&h).decomposition.entry_points, ["GitLab RoR", "kas API"]);
    assert_eq!(h.get_by_label("Entry points").value().unwrap(), "GitLab RoR \nkas API", "the text stays as typed");
    assert_eq!(h.state().session().history.undo_len(), 1, "typing in the field is one step");

    ctrl(&mut h, Key::Z);
    assert_eq!(doc(&h), original, "Ctrl+Z in the field undoes the typing in the document");
    assert_eq!(h.get_by_label("Entry points").value().unwrap(), original.decomposition.entry_points.join("\n"));
    ctrl_shift(&mut h, Key::Z);
    assert_eq!(doc(&h).decomposition.entry_points, ["GitLab RoR", "kas API"]);
}

#[test]
fn select_all_then_delete_leaves_nothing_not_even_empty_boundaries() {
    let mut original = sample("kubernetes-agent-2021-02.json");
    let edit = threatboard::quick::parse_line(&original, "Cloud: boundary").unwrap().unwrap();
    original.apply(edit).unwrap();
    let mut h = harness(ThreatboardApp::with_document(original.clone(), None));
    ctrl(&mut h, Key::A);
    let selected = h.state().selection().len();
    assert_eq!(selected, original.elements.len() + original.flows.len() + original.boundaries.len());
    press(&mut h, Key::Delete);
    let after = doc(&h);
    assert!(after.elements.is_empty() && after.flows.is_empty() && after.boundaries.is_empty());
    assert!(after.threats.is_empty(), "threats go with their targets");
    ctrl(&mut h, Key::Z);
    assert_eq!(doc(&h), original);
}

#[test]
fn a_copied_boundary_pastes_as_a_new_box_with_copies_of_its_members() {
    let original = sample("kubernetes-agent-2020-10.json");
    let mut app = ThreatboardApp::with_document(original.clone(), None);
    app.select(vec![id("gitlab")]);
    let mut h = harness(app);
    let text = clipboard_after(&mut h, Event::Copy);
    h.event(Event::Paste(text));
    h.run_steps(2);
    let after = doc(&h);
    assert_eq!(after.boundaries.len(), 3);
    let new_box = after.boundaries.iter().find(|b| b.id.as_str() != "gitlab" && b.label == "GitLab").unwrap();
    let members: Vec<&str> =
        after.elements.iter().filter(|e| e.boundary.as_ref() == Some(&new_box.id)).map(|e| e.label.as_str()).collect();
    assert_eq!(members, ["nginx", "kas", "GitLab RoR", "Gitaly"]);
    let inside = |id: &threatboard::model::Id| element(&after, id.as_str()).boundary.as_ref() == Some(&new_box.id);
    let copied_flows = after.flows.iter().filter(|f| inside(&f.from) && inside(&f.to)).count();
    assert_eq!(copied_flows, 4, "flows between the members come along; agentk → nginx does not");
    assert_eq!(h.state().selection().len(), 1 + 4 + 4, "the pasted items are selected");

    // An element copied on its own is pasted into the box it came from.
    h.state_mut().select(vec![id("kas")]);
    h.run_steps(1);
    let text = clipboard_after(&mut h, Event::Copy);
    h.event(Event::Paste(text));
    h.run_steps(2);
    let after = doc(&h);
    let pasted = after.elements.last().unwrap();
    assert_eq!((pasted.label.as_str(), pasted.boundary.as_ref()), ("kas", Some(&id("gitlab"))));
    assert_eq!(after.boundaries.len(), 3);
}

#[test]
fn cut_of_a_lone_flow_keeps_it() {
    let mut app = ThreatboardApp::with_document(sample("kubernetes-agent-2020-10.json"), None);
    app.select(vec![id("nginx-to-kas")]);
    let mut h = harness(app);
    h.event(Event::Cut);
    h.run_steps(2);
    assert!(doc(&h).flows.iter().any(|f| f.id.as_str() == "nginx-to-kas"), "nothing was copied, so nothing is deleted");
    assert!(h.state().notice().unwrap().text.contains("both of its ends"));
}

#[test]
fn duplicate_then_rename_in_place_with_f2_and_by_double_click() {
    let mut app = ThreatboardApp::with_document(sample("kubernetes-agent-2020-10.json"), None);
    app.select(vec![id("kas")]);
    let mut h = fast_harness(app);
    ctrl(&mut h, Key::D);
    let copy = h.state().selection().to_vec();
    assert_eq!(copy.len(), 1);
    let dup = element(&doc(&h), copy[0].as_str());
    assert_eq!((dup.label.as_str(), dup.kind, dup.boundary), ("kas", ElementKind::Process, Some(id("gitlab"))));

    press(&mut h, Key::F2);
    ctrl(&mut h, Key::A);
    type_slowly(&mut h, "kas replica");
    press(&mut h, Key::Enter);
    let d = doc(&h);
    assert!(d.elements.iter().any(|e| e.id.as_str() == "kas-replica" && e.label == "kas replica"), "the id follows");
    assert_eq!(element(&d, "kas").label, "kas", "the original is untouched");

    // A double click: two presses and releases in four frames 1/60 s apart (see `fast_harness`).
    let at = element_centre(&h, "nginx");
    h.event(Event::PointerMoved(at));
    h.run_steps(1);
    for pressed in [true, false, true, false] {
        let button = egui::PointerButton::Primary;
        h.event(Event::PointerButton { pos: at, button, pressed, modifiers: Modifiers::NONE });
    }
    h.run_steps(3);
    ctrl(&mut h, Key::A);
    type_slowly(&mut h, "Front proxy");
    press(&mut h, Key::Enter);
    assert_eq!(element(&doc(&h), "front-proxy").label, "Front proxy");
}

#[test]
fn rubber_band_selects_the_elements_it_encloses() {
    let mut h = harness(ThreatboardApp::with_document(drawn(&["a -> b", "c: store"]), None));
    let (a, b, c) = (element_centre(&h, "a"), element_centre(&h, "b"), element_centre(&h, "c"));
    // A band from above-left of a and b to below-right of both, short of c if c lies further out.
    let min = Pos2::new(a.x.min(b.x) - 80.0, a.y.min(b.y) - 50.0);
    let max = Pos2::new(a.x.max(b.x) + 80.0, a.y.max(b.y) + 50.0);
    let band = egui::Rect::from_min_max(min, max);
    drag_with(&mut h, min, max, Modifiers::SHIFT);
    let sel = h.state().selection();
    assert!(sel.contains(&id("a")) && sel.contains(&id("b")), "{sel:?}");
    assert_eq!(sel.contains(&id("c")), band.contains(c), "{sel:?}");
}

#[test]
fn ctrl_drag_from_one_element_to_another_draws_a_flow() {
    let d = drawn(&["Alpha: process", "Beta: store"]);
    let mut h = harness(ThreatboardApp::with_document(d, None));
    let (from, to) = (element_centre(&h, "alpha"), element_centre(&h, "beta"));
    drag_with(&mut h, from, to, Modifiers::COMMAND);
    let d = doc(&h);
    assert_eq!(d.flows.len(), 1);
    assert_eq!((d.flows[0].from.as_str(), d.flows[0].to.as_str()), ("alpha", "beta"));
    assert_eq!(element(&d, "alpha").at, element(&drawn(&["Alpha: process"]), "alpha").at, "nothing moved");
    assert_eq!(h.state().session().history.undo_len(), 1);
}

#[test]
fn b_puts_the_selection_in_a_new_named_boundary() {
    let mut app = ThreatboardApp::with_document(drawn(&["a -grpcs-> b", "c: external"]), None);
    app.select(vec![id("a"), id("b")]);
    let mut h = harness(app);
    press(&mut h, Key::B);
    ctrl(&mut h, Key::A);
    type_slowly(&mut h, "Cluster");
    press(&mut h, Key::Enter);
    let d = doc(&h);
    let zone = d.boundaries.iter().find(|b| b.label == "Cluster").unwrap();
    assert_eq!(element(&d, "a").boundary.as_ref(), Some(&zone.id));
    assert_eq!(element(&d, "b").boundary.as_ref(), Some(&zone.id));
    assert_eq!(element(&d, "c").boundary, None);
}

#[test]
fn wheel_keys_and_dragging_empty_canvas_move_the_view_but_not_the_model() {
    let original = sample("kubernetes-agent-2020-10.json");
    let mut app = ThreatboardApp::with_document(original.clone(), None);
    app.set_zoom(1.0);
    let mut h = harness(app);
    let zoom = |h: &Harness<'_, ThreatboardApp>| h.state().canvas_view().1;
    ctrl(&mut h, Key::Plus);
    assert!((zoom(&h) - 1.25).abs() < 1e-4, "{}", zoom(&h));
    ctrl(&mut h, Key::Minus);
    assert!((zoom(&h) - 1.0).abs() < 1e-4, "{}", zoom(&h));

    let area = h.state().canvas_view().0;
    h.event(Event::PointerMoved(area.center()));
    h.event(Event::MouseWheel {
        unit: MouseWheelUnit::Line,
        delta: Vec2::new(0.0, 2.0),
        modifiers: Modifiers::NONE,
        phase: egui::TouchPhase::Move,
    });
    h.run_steps(2);
    assert!(zoom(&h) > 1.0, "wheel up zooms in: {}", zoom(&h));

    // Find empty canvas: a corner of the window's canvas well away from every element.
    let start = area.min + Vec2::new(8.0, 8.0);
    let origin = h.state().canvas_to_screen(0.0, 0.0);
    drag(&mut h, start, start + Vec2::new(120.0, 60.0));
    let moved = h.state().canvas_to_screen(0.0, 0.0) - origin;
    assert!((moved - Vec2::new(120.0, 60.0)).length() < 1.0, "the view pans with the pointer: {moved:?}");
    assert_eq!(doc(&h), original);
    assert_eq!(h.state().session().history.undo_len(), 0);
}

#[test]
fn the_flow_inspector_sets_the_protocol_from_the_catalogue_or_as_typed() {
    let mut app = ThreatboardApp::with_document(sample("kubernetes-agent-2020-10.json"), None);
    app.select(vec![id("nginx-to-kas")]);
    let mut h = harness(app);
    let flow = |h: &Harness<'_, ThreatboardApp>| {
        doc(h).flows.iter().find(|f| f.id.as_str() == "nginx-to-kas").unwrap().clone()
    };
    h.get_by_label("Protocol").focus();
    h.run_steps(1);
    ctrl(&mut h, Key::A);
    type_slowly(&mut h, "websocket");
    // The catalogue's entries whose name, meaning or aliases match come up; pick the encrypted one.
    h.get_by_label("🔒 wss").click();
    h.run_steps(2);
    assert_eq!(flow(&h).protocol, "wss");

    h.get_by_label("Protocol").focus();
    h.run_steps(1);
    ctrl(&mut h, Key::A);
    type_slowly(&mut h, "amqp over tls");
    press(&mut h, Key::Tab);
    assert_eq!(flow(&h).protocol, "amqp over tls", "free text is kept as typed");
    h.get_by_label("bidirectional").click();
    h.run_steps(2);
    assert!(flow(&h).bidirectional);
}

#[test]
fn opening_and_saving_as_through_the_typed_path_prompt_and_the_title_follows() {
    let dir = tempfile::tempdir().unwrap();
    let may = dir.path().join("may.json");
    json::save_file(&may, &sample("kubernetes-agent-2020-05.json")).unwrap();
    let mut app = ThreatboardApp::with_document(Document::default(), None);
    app.use_typed_paths();
    let mut h = harness(app);
    assert_eq!(h.state().title(), "Untitled — Threatboard");

    ctrl(&mut h, Key::O);
    ctrl(&mut h, Key::A);
    h.event(Event::Text(may.display().to_string()));
    h.run_steps(1);
    press(&mut h, Key::Enter);
    h.run_steps(2);
    assert_eq!(doc(&h), sample("kubernetes-agent-2020-05.json"));
    assert_eq!(h.state().title(), "may.json — Threatboard");

    h.get_by_label("Quick entry").click();
    h.run_steps(1);
    type_slowly(&mut h, "Runner -https-> kgb");
    press(&mut h, Key::Enter);
    assert_eq!(h.state().title(), "may.json • — Threatboard", "a modified mark");

    let copy = dir.path().join("copy.json");
    press(&mut h, Key::Escape);
    h.state_mut().select(Vec::new());
    ctrl_shift(&mut h, Key::S);
    ctrl(&mut h, Key::A);
    h.event(Event::Text(copy.display().to_string()));
    h.run_steps(1);
    press(&mut h, Key::Enter);
    h.run_steps(2);
    assert_eq!(json::load_file(&copy).unwrap(), doc(&h));
    assert_eq!(h.state().title(), "copy.json — Threatboard");
    assert_eq!(h.state().settings().recent[..2], [copy.clone(), may.clone()], "recent files, newest first");
    assert_eq!(json::load_file(&may).unwrap(), sample("kubernetes-agent-2020-05.json"), "the opened file is untouched");
}

#[test]
fn quitting_with_unsaved_changes_asks_first() {
    let mut h = harness(ThreatboardApp::with_document(sample("kubernetes-agent-2020-05.json"), None));
    h.get_by_label("Quick entry").click();
    h.run_steps(1);
    type_slowly(&mut h, "Runner -https-> kgb");
    press(&mut h, Key::Enter);
    press(&mut h, Key::Escape);
    ctrl(&mut h, Key::Q);
    assert_eq!(h.state().pending_question(), Some(&Pending::Quit));
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert_eq!(h.state().pending_question(), None);
    assert!(h.state().is_dirty(), "the work is still there");
}

#[test]
fn the_dark_theme_is_a_setting_not_part_of_the_model() {
    let original = sample("kubernetes-agent-2020-05.json");
    let mut h = harness(ThreatboardApp::with_document(original.clone(), None));
    h.get_by_label("View").click();
    h.run_steps(1);
    h.get_by_label("Dark").click();
    h.run_steps(2);
    assert!(h.state().settings().dark);
    assert_eq!(h.ctx.theme(), egui::Theme::Dark);
    assert_eq!(doc(&h), original);
    assert!(!h.state().is_dirty());
}

#[test]
fn on_a_hidpi_screen_clicks_and_zoom_to_fit_work_in_points() {
    let app = ThreatboardApp::with_document(sample("kubernetes-agent-2021-02.json"), None);
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_pixels_per_point(2.0)
        .build_ui_state(|ui, app: &mut ThreatboardApp| app.ui_frame(ui), app);
    h.run_steps(3);
    ctrl(&mut h, Key::Num0);
    let (area, _) = h.state().canvas_view();
    assert!(area.width() > 600.0, "the canvas is laid out in points: {area:?}");
    for e in &doc(&h).elements {
        assert!(area.contains(h.state().canvas_to_screen(e.at.x, e.at.y)), "{} is outside the fitted view", e.id);
    }
    let kas = element_centre(&h, "kas");
    support::click(&mut h, kas, Modifiers::NONE);
    assert_eq!(h.state().selection(), [id("kas")]);
}

#[test]
fn an_empty_boundary_is_listed_to_be_selected_and_deleted() {
    let original = drawn(&["a -> b", "Cloud: boundary"]);
    let mut h = harness(ThreatboardApp::with_document(original, None));
    h.get_by_label("Cloud").click();
    h.run_steps(2);
    assert_eq!(h.state().selection(), [id("cloud")]);
    assert!(h.query_by_label("Trust boundary cloud").is_some(), "the inspector shows it");
    press(&mut h, Key::Delete);
    assert!(doc(&h).boundaries.is_empty());
    assert!(h.query_by_label("Cloud").is_none(), "nothing left to list");
}
