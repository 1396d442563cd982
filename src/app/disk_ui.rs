//! "The file changed on disk": the open file is looked at through [`DiskWatch`] from the frame loop;
//! when another program changed it the editor offers to reload it or keep its own version, and a save
//! over a version it has not seen asks first instead of overwriting.
//!
//! A small thread compares the file's [`Stamp`] once per poll interval and wakes the window only when
//! it moved, so an idle window draws no frames at all (a timed repaint per poll would draw two a second).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui::Context;

use super::app::ThreatboardApp;
use super::file_ops;
use crate::disk_watch::{DiskWatch, POLL_EVERY, Stamp, Status};
use crate::formats::json;

/// What the editor is asking about the file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Another program changed the file: reload it, or keep the editor's version?
    Changed,
    /// A save would overwrite a version the editor has not seen: overwrite, reload, or cancel?
    SaveConflict,
}

/// The disk-watching state of one window.
#[derive(Debug, Default)]
pub struct Disk {
    /// The watched file.
    pub(super) watch: DiskWatch,
    /// The question being asked, if any.
    pub(super) question: Option<Question>,
    /// The thread that wakes the window when the file's stamp moves; `None` until a file is open, or
    /// when no thread could be started (the frame loop then schedules its own looks).
    waker: Option<Arc<Waker>>,
    /// Starting the thread failed once; not tried again.
    no_thread: bool,
}

/// What the frame loop and the waker thread share.
#[derive(Debug)]
struct Waker {
    path: Mutex<Option<PathBuf>>,
    interval: Mutex<Duration>,
    woken: AtomicBool,
}

impl Waker {
    /// Starts the thread for `ctx`. It ends once the window drops its side.
    fn start(ctx: &Context, interval: Duration) -> std::io::Result<Arc<Self>> {
        let shared =
            Arc::new(Self { path: Mutex::new(None), interval: Mutex::new(interval), woken: AtomicBool::new(false) });
        let (ours, ctx) = (Arc::clone(&shared), ctx.clone());
        std::thread::Builder::new().name("threatboard-disk-watch".into()).spawn(move || {
            let mut last: Option<(PathBuf, Option<Stamp>)> = None;
            loop {
                let interval = ours.interval.lock().map_or(POLL_EVERY, |i| *i);
                std::thread::sleep(interval.max(Duration::from_millis(20)));
                if Arc::strong_count(&ours) == 1 {
                    return;
                }
                let path = ours.path.lock().ok().and_then(|p| p.clone());
                let Some(path) = path else {
                    last = None;
                    continue;
                };
                let stamp = Stamp::read(&path);
                if last.as_ref().is_some_and(|(p, s)| *p == path && *s != stamp) {
                    ours.woken.store(true, Ordering::Release);
                    ctx.request_repaint();
                }
                last = Some((path, stamp));
            }
        })?;
        Ok(shared)
    }
}

impl Disk {
    /// Keeps the waker thread watching `path` every `interval`; false when there is no thread.
    fn keep_waker(&mut self, ctx: &Context, path: Option<&std::path::Path>, interval: Duration) -> bool {
        if self.waker.is_none() && !self.no_thread && path.is_some() {
            match Waker::start(ctx, interval) {
                Ok(w) => self.waker = Some(w),
                Err(_) => self.no_thread = true,
            }
        }
        let Some(w) = &self.waker else { return false };
        if let Ok(mut p) = w.path.lock()
            && p.as_deref() != path
        {
            *p = path.map(std::path::Path::to_path_buf);
        }
        if let Ok(mut i) = w.interval.lock() {
            *i = interval;
        }
        true
    }

    /// True once after the thread saw the file's stamp move.
    fn woken(&self) -> bool {
        self.waker.as_ref().is_some_and(|w| w.woken.swap(false, Ordering::AcqRel))
    }
}

impl ThreatboardApp {
    /// How often the open file is checked for changes by other programs (for tests).
    pub fn set_disk_poll_interval(&mut self, interval: Duration) {
        self.disk.watch.set_interval(interval);
    }
}

/// Before saving to `path`: true when the save may go ahead; otherwise the save-conflict question is
/// now being asked.
pub fn may_save(app: &mut ThreatboardApp, path: &std::path::Path) -> bool {
    if app.disk.watch.save_conflict(path) {
        app.disk.question = Some(Question::SaveConflict);
        return false;
    }
    true
}

/// The editor has just read or written `path`: that is its version now.
pub fn track(app: &mut ThreatboardApp, path: &std::path::Path) {
    app.disk.watch.track(Some(path));
    if app.disk.question == Some(Question::Changed) {
        app.disk.question = None;
    }
}

/// Polls the open file when due, asks when it changed, and schedules the next poll.
pub fn update(app: &mut ThreatboardApp, ctx: &Context) {
    if app.disk.watch.path() != app.path.as_deref() {
        // A new model, an import or a restore: watch whatever file the document now belongs to.
        let path = app.path.clone();
        app.disk.watch.track(path.as_deref());
        app.disk.question = None;
    }
    let now = Instant::now();
    let interval = app.disk.watch.interval();
    let path = app.path.clone();
    let threaded = app.disk.keep_waker(ctx, path.as_deref(), interval);
    let status = if app.disk.woken() { app.disk.watch.look(now) } else { app.disk.watch.poll(now) };
    match status {
        Status::Changed if app.disk.question.is_none() => app.disk.question = Some(Question::Changed),
        Status::Removed => {
            app.disk.watch.keep_mine();
            let name = app.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            app.notify(format!("{name} was removed from disk; saving writes it again"), true);
        }
        Status::InSync if app.disk.question == Some(Question::Changed) => app.disk.question = None,
        _ => {}
    }
    if !threaded && let Some(wait) = app.disk.watch.due_in(now) {
        ctx.request_repaint_after(wait.max(Duration::from_millis(50)));
    }
    question_ui(app, ctx);
}

fn question_ui(app: &mut ThreatboardApp, ctx: &Context) {
    let Some(question) = app.disk.question else { return };
    let Some(path) = app.path.clone() else {
        app.disk.question = None;
        return;
    };
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut answer = None;
    egui::Modal::new(egui::Id::new("file_changed_on_disk")).show(ctx, |ui| {
        ui.set_width(420.0);
        ui.heading(format!("{name} changed on disk"));
        match question {
            Question::Changed => {
                ui.label(format!("Another program changed {name} since Threatboard opened or saved it."));
                if app.is_dirty() {
                    ui.label("Reloading discards your unsaved changes.");
                }
            }
            Question::SaveConflict => {
                let backup = json::backup_path(&path);
                let backup = backup.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                ui.label(format!(
                    "Another program changed {name} since Threatboard opened or saved it. Saving replaces that \
                     version (it is kept as {backup})."
                ));
            }
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| match question {
            Question::Changed => {
                if ui.button("Reload").clicked() {
                    answer = Some(Answer::Reload);
                }
                if ui.button("Keep mine").clicked() {
                    answer = Some(Answer::KeepMine);
                }
            }
            Question::SaveConflict => {
                if ui.button("Overwrite").clicked() {
                    answer = Some(Answer::Overwrite);
                }
                if ui.button("Reload").clicked() {
                    answer = Some(Answer::Reload);
                }
                if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    answer = Some(Answer::Cancel);
                }
            }
        });
    });
    let Some(answer) = answer else { return };
    app.disk.question = None;
    match answer {
        Answer::Reload => {
            app.after_save = None;
            file_ops::open_path(app, &path);
            if app.disk.watch.status() != Status::InSync {
                // The file on disk could not be read (half-merged, say): keep the editor's version.
                keep_mine(app);
            }
        }
        Answer::KeepMine => keep_mine(app),
        Answer::Overwrite => {
            app.disk.watch.keep_mine();
            if file_ops::save(app)
                && let Some(next) = app.after_save.take()
            {
                file_ops::perform(app, next);
            }
        }
        Answer::Cancel => {
            // Not now: the next save asks again, but the same version is not asked about meanwhile.
            app.after_save = None;
            app.disk.watch.postpone();
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Answer {
    Reload,
    KeepMine,
    Overwrite,
    Cancel,
}

/// The editor's version stays; it differs from the file now, so it is unsaved work.
fn keep_mine(app: &mut ThreatboardApp) {
    app.disk.watch.keep_mine();
    if !app.is_dirty() {
        app.saved_revision = app.session.revision().wrapping_sub(1);
    }
}
