//! New, open, save and quit: native dialogs with a typed-path fallback, and the unsaved-changes question.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::Context;

use super::app::{MAX_RECENT, Pending, ThreatboardApp};
use crate::formats::json;
use crate::model::Document;

/// A dialog that could not be answered natively returns this fast: then no dialog backend exists.
const NO_BACKEND: Duration = Duration::from_millis(250);

/// What a typed path is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Open the file.
    Open,
    /// Save to the file.
    SaveAs,
    /// Read another format into a new model.
    Import(super::io::Format),
    /// Write the model in another format.
    Export(super::io::Format),
}

impl Purpose {
    fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Purpose::Open | Purpose::SaveAs => ("Threatboard model", &["json"]),
            Purpose::Import(f) | Purpose::Export(f) => (f.name(), f.extensions()),
        }
    }
}

/// The typed-path fallback, shown when no native dialog is available.
#[derive(Debug, Clone)]
pub struct PathPrompt {
    /// Open or save.
    pub purpose: Purpose,
    /// The path typed so far.
    pub text: String,
}

/// Asks for `pending`, first asking about unsaved changes when there are any.
pub fn request(app: &mut ThreatboardApp, pending: Pending) {
    if app.is_dirty() {
        app.confirm = Some(pending);
    } else {
        perform(app, pending);
    }
}

/// Does `pending` now, without asking about unsaved changes.
pub(super) fn perform(app: &mut ThreatboardApp, pending: Pending) {
    match pending {
        Pending::New => {
            app.session.replace(Document::default());
            app.path = None;
            app.saved_revision = app.session.revision();
            app.selection.clear();
            app.fit_pending = true;
            app.notify("New model", false);
        }
        Pending::Open => {
            if let Some(path) = pick(app, Purpose::Open) {
                open_path(app, &path);
            }
        }
        Pending::OpenPath(path) => open_path(app, &path),
        Pending::Import(format) => {
            if let Some(path) = pick(app, Purpose::Import(format)) {
                super::io::import_path(app, format, &path);
            }
        }
        Pending::Quit => {
            app.allow_close = true;
            app.quit_requested = true;
        }
    }
}

fn remember(app: &mut ThreatboardApp, path: &Path) {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    app.settings.recent.retain(|p| *p != path);
    app.settings.recent.insert(0, path);
    app.settings.recent.truncate(MAX_RECENT);
}

/// Opens `path`, replacing the document; on failure the current document stays and the error is shown.
pub fn open_path(app: &mut ThreatboardApp, path: &Path) {
    match json::load_file(path) {
        Ok(doc) => {
            app.session.replace(doc);
            app.path = Some(path.to_path_buf());
            app.saved_revision = app.session.revision();
            app.selection.clear();
            app.fit_pending = true;
            super::disk_ui::track(app, path);
            remember(app, path);
            app.notify(format!("Opened {}", path.display()), false);
        }
        Err(e) => app.notify(format!("Cannot open {}: {e:#}", path.display()), true),
    }
}

fn save_to(app: &mut ThreatboardApp, path: &Path) -> bool {
    if !super::disk_ui::may_save(app, path) {
        return false;
    }
    match json::save_file_with_backup(path, &app.session.doc) {
        Ok(_) => {
            app.path = Some(path.to_path_buf());
            app.saved_revision = app.session.revision();
            super::disk_ui::track(app, path);
            remember(app, path);
            app.notify(format!("Saved {}", path.display()), false);
            true
        }
        Err(e) => {
            app.notify(format!("Cannot save {}: {e:#}", path.display()), true);
            false
        }
    }
}

/// Saves to the current file, or asks for one.
pub fn save(app: &mut ThreatboardApp) -> bool {
    match app.path.clone() {
        Some(path) => save_to(app, &path),
        None => save_as(app),
    }
}

/// Asks for a file and saves to it. Returns false when nothing was saved (yet).
pub fn save_as(app: &mut ThreatboardApp) -> bool {
    match pick(app, Purpose::SaveAs) {
        Some(path) => save_to(app, &path),
        None => false,
    }
}

/// What a native file dialog gave.
#[derive(Debug)]
pub enum Answer {
    /// A file was chosen.
    Picked(PathBuf),
    /// The user closed the dialog.
    Cancelled,
    /// It returned at once without a file: most likely there is no dialog backend (rfd then returns
    /// `None` immediately), so the path is typed instead.
    NoBackend,
}

/// Shows a native dialog (`show`), unless dialogs are known to be missing.
///
/// A dialog that returns nothing within `NO_BACKEND` counts as missing for this request. After two
/// such returns in a row the editor stops trying for the session: a backend that is absent fails
/// every time, while a person who once cancels very fast should still get the dialog next time.
pub fn native(app: &mut ThreatboardApp, show: impl FnOnce() -> Option<PathBuf>) -> Answer {
    if app.dialogs_unavailable {
        return Answer::NoBackend;
    }
    let started = Instant::now();
    let picked = show();
    let quick = picked.is_none() && started.elapsed() < NO_BACKEND;
    app.dialog_quick_returns = if quick { app.dialog_quick_returns.saturating_add(1) } else { 0 };
    if app.dialog_quick_returns >= 2 {
        app.dialogs_unavailable = true;
    }
    match picked {
        Some(path) => Answer::Picked(path),
        None if quick => Answer::NoBackend,
        None => Answer::Cancelled,
    }
}

/// A native file dialog; when there is none, opens the typed-path prompt and returns `None`.
pub fn pick(app: &mut ThreatboardApp, purpose: Purpose) -> Option<PathBuf> {
    let (name, extensions) = purpose.filter();
    let stem = app
        .path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map_or_else(|| "model".to_owned(), |n| n.to_string_lossy().into_owned());
    let answer = native(app, || {
        let dialog = rfd::FileDialog::new().add_filter(name, extensions);
        match purpose {
            Purpose::Open | Purpose::Import(_) => dialog.pick_file(),
            Purpose::SaveAs | Purpose::Export(_) => {
                let ext = extensions.first().copied().unwrap_or("json");
                dialog.set_file_name(format!("{stem}.{ext}")).save_file()
            }
        }
    });
    match answer {
        Answer::Picked(path) => return Some(path),
        Answer::Cancelled => return None,
        Answer::NoBackend => {}
    }
    let text = app.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    app.prompt = Some(PathPrompt { purpose, text });
    None
}

/// Turns a window close into the unsaved-changes question, and closes after "Quit".
pub fn handle_close_request(app: &mut ThreatboardApp, ctx: &Context) {
    if app.quit_requested {
        app.quit_requested = false;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        return;
    }
    if ctx.input(|i| i.viewport().close_requested()) && app.is_dirty() && !app.allow_close {
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        app.confirm = Some(Pending::Quit);
    }
}

/// The unsaved-changes question and the typed-path prompt, when open.
pub fn dialogs_ui(app: &mut ThreatboardApp, ctx: &Context) {
    if let Some(pending) = app.confirm.clone() {
        confirm_ui(app, ctx, pending);
    }
    if app.prompt.is_some() {
        prompt_ui(app, ctx);
    }
}

fn confirm_ui(app: &mut ThreatboardApp, ctx: &Context, pending: Pending) {
    let what = match &pending {
        Pending::New => "starting a new model",
        Pending::Open | Pending::OpenPath(_) => "opening another file",
        Pending::Import(_) => "importing",
        Pending::Quit => "quitting",
    };
    let name = app
        .path
        .as_ref()
        .and_then(|p| p.file_name())
        .map_or_else(|| "Untitled".into(), |n| n.to_string_lossy().into_owned());
    let mut answer = None;
    egui::Modal::new(egui::Id::new("unsaved_changes")).show(ctx, |ui| {
        ui.set_width(360.0);
        ui.heading("Unsaved changes");
        ui.label(format!("{name} has changes that are not saved. Save them before {what}?"));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Save").clicked() {
                answer = Some(1);
            }
            if ui.button("Discard changes").clicked() {
                answer = Some(2);
            }
            if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                answer = Some(0);
            }
        });
    });
    match answer {
        Some(1) => {
            app.confirm = None;
            if save(app) {
                perform(app, pending);
            } else if app.prompt.is_some() || app.disk.question.is_some() {
                app.after_save = Some(pending);
            }
        }
        Some(2) => {
            app.confirm = None;
            perform(app, pending);
        }
        Some(_) => app.confirm = None,
        None => {}
    }
}

fn prompt_ui(app: &mut ThreatboardApp, ctx: &Context) {
    let Some(mut prompt) = app.prompt.take() else { return };
    let title = match prompt.purpose {
        Purpose::Open => "Open a model",
        Purpose::SaveAs => "Save the model as",
        Purpose::Import(_) => "Import",
        Purpose::Export(_) => "Export",
    };
    let mut answer = None;
    egui::Modal::new(egui::Id::new("path_prompt")).show(ctx, |ui| {
        ui.set_width(460.0);
        ui.heading(title);
        ui.label("No file dialog is available here; type the file's path.");
        let r = ui.add(
            egui::TextEdit::singleline(&mut prompt.text).desired_width(f32::INFINITY).hint_text("/path/to/model.json"),
        );
        // The field keeps the keyboard, except in the frame where Enter gave it up (asking for it
        // again then would swallow the Enter).
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if !r.has_focus() && !r.lost_focus() {
            r.request_focus();
        }
        ui.horizontal(|ui| {
            if ui.button("OK").clicked() || enter {
                answer = Some(true);
            }
            if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                answer = Some(false);
            }
        });
    });
    match answer {
        Some(true) if !prompt.text.trim().is_empty() => {
            let path = PathBuf::from(prompt.text.trim());
            match prompt.purpose {
                Purpose::Open => open_path(app, &path),
                Purpose::Import(format) => super::io::import_path(app, format, &path),
                Purpose::Export(format) => super::io::export_path(app, format, &path),
                Purpose::SaveAs => {
                    if save_to(app, &path)
                        && let Some(next) = app.after_save.take()
                    {
                        perform(app, next);
                    }
                }
            }
        }
        Some(_) => app.after_save = None,
        None => app.prompt = Some(prompt),
    }
}
