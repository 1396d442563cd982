//! The open file changed by another program: the editor asks to reload or keep its version, and a save
//! over a version it has not seen asks before overwriting. Driven through `egui_kittest`.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)] // test helpers fail the test loudly on bad fixtures

use std::path::Path;
use std::time::Duration;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use threatboard::app::ThreatboardApp;
use threatboard::formats::json;
use threatboard::model::Document;

mod support;

use support::sample;

fn harness(doc: Document, file: &Path, poll: Duration) -> Harness<'static, ThreatboardApp> {
    let mut app = ThreatboardApp::with_document(doc, Some(file.to_path_buf()));
    app.set_disk_poll_interval(poll);
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut ThreatboardApp| app.ui_frame(ui), app);
    h.run_steps(3);
    h
}

/// A folder with the May 2020 model saved as `model.json`, and the October 2020 version to bring in later.
fn may_saved_october_next() -> (tempfile::TempDir, std::path::PathBuf, Document, Document) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("model.json");
    let (v1, v2) = (sample("kubernetes-agent-2020-05.json"), sample("kubernetes-agent-2020-10.json"));
    json::save_file(&file, &v1).unwrap();
    (dir, file, v1, v2)
}

fn asking(h: &Harness<'_, ThreatboardApp>) -> bool {
    h.query_by_label("Reload").is_some()
}

fn save(h: &mut Harness<'_, ThreatboardApp>) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(3);
}

#[test]
fn a_file_changed_on_disk_is_offered_for_reload_or_kept() {
    let (_dir, file, v1, v2) = may_saved_october_next();
    let mut h = harness(v1.clone(), &file, Duration::ZERO);
    assert!(!asking(&h), "nothing changed");
    save(&mut h);
    h.run_steps(3);
    assert!(!asking(&h), "the editor's own save is no change on disk");

    // A `git pull` brings the next version: reload it.
    json::save_file(&file, &v2).unwrap();
    h.run_steps(3);
    assert!(asking(&h) && h.query_by_label("Keep mine").is_some(), "the change is noticed");
    assert_eq!(h.state().session().doc, v1, "nothing changes before the user answers");
    h.get_by_label("Reload").click();
    h.run_steps(3);
    assert!(!asking(&h));
    assert_eq!(h.state().session().doc, v2);
    assert!(!h.state().is_dirty());

    // Another change: keep the editor's version, which is then unsaved work, and saving needs no question.
    json::save_file(&file, &v1).unwrap();
    h.run_steps(3);
    h.get_by_label("Keep mine").click();
    h.run_steps(3);
    assert!(!asking(&h), "a kept version is not asked about again");
    assert_eq!(h.state().session().doc, v2);
    assert!(h.state().is_dirty(), "the editor's version differs from the file now");
    save(&mut h);
    assert!(!asking(&h));
    assert_eq!(json::load_file(&file).unwrap(), v2);
    assert_eq!(json::load_file(&json::backup_path(&file)).unwrap(), v1, "the overwritten version is the backup");
}

#[test]
fn saving_over_a_version_not_seen_asks_first() {
    let (_dir, file, v1, v2) = may_saved_october_next();
    // Polls too rare to notice: only the save itself looks at the file.
    let mut h = harness(v1.clone(), &file, Duration::from_hours(1));
    json::save_file(&file, &v2).unwrap();
    save(&mut h);
    assert!(asking(&h) && h.query_by_label("Overwrite").is_some(), "the save asks");
    assert_eq!(json::load_file(&file).unwrap(), v2, "and has not overwritten anything");
    h.get_by_label("Overwrite").click();
    h.run_steps(3);
    assert!(!asking(&h));
    assert_eq!(json::load_file(&file).unwrap(), v1);
    assert_eq!(json::load_file(&json::backup_path(&file)).unwrap(), v2);

    json::save_file(&file, &v2).unwrap();
    save(&mut h);
    h.get_by_label("Reload").click();
    h.run_steps(3);
    assert_eq!(h.state().session().doc, v2, "reload takes the version on disk");
    assert_eq!(json::load_file(&file).unwrap(), v2);
}

#[test]
fn a_change_on_disk_wakes_an_idle_window_and_nothing_else_does() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("model.json");
    let v1 = sample("kubernetes-agent-2020-05.json");
    json::save_file(&file, &v1).unwrap();
    let mut h = harness(v1, &file, Duration::from_millis(30));
    h.run_steps(5);
    std::thread::sleep(Duration::from_millis(200));
    assert!(!h.ctx.has_requested_repaint(), "an idle window with an unchanged file asks for no frame");

    json::save_file(&file, &sample("kubernetes-agent-2020-10.json")).unwrap();
    let woke = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        h.ctx.has_requested_repaint()
    });
    assert!(woke, "the file's change asks for a frame without any input");
    h.run_steps(1);
    assert!(asking(&h), "and that frame asks about the change");
}

#[test]
fn cancelling_a_conflicting_save_changes_nothing_and_only_the_next_save_asks_again() {
    let (_dir, file, v1, v2) = may_saved_october_next();
    let mut h = harness(v1.clone(), &file, Duration::from_hours(1));
    json::save_file(&file, &v2).unwrap();
    save(&mut h);
    assert!(h.query_by_label("Overwrite").is_some(), "the save asks");
    h.get_by_label("Cancel").click();
    h.run_steps(3);
    assert!(!asking(&h));
    assert_eq!(json::load_file(&file).unwrap(), v2, "nothing was written");
    assert_eq!(h.state().session().doc, v1, "nothing was reloaded");

    // Polling again finds the same version on disk: the user already said "not now" about it.
    h.state_mut().set_disk_poll_interval(Duration::ZERO);
    std::thread::sleep(Duration::from_millis(50));
    h.run_steps(3);
    assert!(!asking(&h), "the version put off is not asked about again");

    save(&mut h);
    assert!(h.query_by_label("Overwrite").is_some(), "the next save asks again");
    assert_eq!(json::load_file(&file).unwrap(), v2);
}
