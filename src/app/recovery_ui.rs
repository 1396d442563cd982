//! Autosave of unsaved work to the recovery store, and the offer to restore work left by a session
//! that ended without saving.

use std::time::{Duration, Instant};

use egui::Context;

use super::app::ThreatboardApp;
use crate::recovery::{Recovered, RecoveryStore};

/// Least time between two autosaves.
const AUTOSAVE_EVERY: Duration = Duration::from_secs(3);

/// The recovery state of one window.
#[derive(Debug)]
pub struct Recovery {
    store: RecoveryStore,
    saved_revision: Option<u64>,
    /// The model file the last autosave was written for (its recovery file's name depends on it).
    saved_for: Option<std::path::PathBuf>,
    last: Option<Instant>,
    offered: Vec<Recovered>,
}

impl Recovery {
    /// Uses `store`, and looks for work left behind there.
    pub fn new(store: RecoveryStore) -> Self {
        let (offered, _unreadable) = store.pending();
        Self { store, saved_revision: None, saved_for: None, last: None, offered }
    }
}

/// Autosaves when the document changed since the last autosave and is not saved; at most every few
/// seconds, with one delayed repaint (not a continuous one) to catch the last change.
pub fn autosave(app: &mut ThreatboardApp, ctx: &Context) {
    let dirty = app.is_dirty();
    let revision = app.session.revision();
    let Some(r) = app.recovery.as_mut() else { return };
    if !dirty {
        if r.saved_revision.is_some() {
            r.store.discard(r.saved_for.as_deref());
            r.saved_revision = None;
        }
        return;
    }
    if r.saved_revision == Some(revision) {
        return;
    }
    let wait = r.last.map_or(Duration::ZERO, |t| AUTOSAVE_EVERY.saturating_sub(t.elapsed()));
    if !wait.is_zero() {
        ctx.request_repaint_after(wait);
        return;
    }
    if r.saved_revision.is_some() && r.saved_for != app.path {
        r.store.discard(r.saved_for.as_deref());
    }
    match r.store.autosave(app.path.as_deref(), &app.session.doc) {
        Ok(_) => {
            r.saved_for.clone_from(&app.path);
            r.saved_revision = Some(revision);
            r.last = Some(Instant::now());
        }
        Err(e) => {
            r.last = Some(Instant::now());
            app.notify(format!("Autosave failed: {e:#}"), true);
        }
    }
}

/// Forgets this window's autosave (clean exit: the user saved or chose to discard).
pub fn discard(app: &ThreatboardApp) {
    if let Some(r) = &app.recovery
        && r.saved_revision.is_some()
    {
        r.store.discard(r.saved_for.as_deref());
    }
}

/// Offers to restore work found at start-up, one recovery file at a time.
pub fn offer_ui(app: &mut ThreatboardApp, ctx: &Context) {
    let Some(found) = app.recovery.as_ref().and_then(|r| r.offered.first().cloned()) else { return };
    let name = found.source.as_ref().map_or_else(|| "an untitled model".to_owned(), |p| p.display().to_string());
    let mut answer = None;
    egui::Modal::new(egui::Id::new("recovery_offer")).show(ctx, |ui| {
        ui.set_width(420.0);
        ui.heading("Recover unsaved work?");
        ui.label(format!(
            "Threatboard ended without saving changes to {name} ({} elements, {} flows, {} threats).",
            found.document.elements.len(),
            found.document.flows.len(),
            found.document.threats.len()
        ));
        ui.horizontal(|ui| {
            if ui.button("Restore").clicked() {
                answer = Some(true);
            }
            if ui.button("Discard it").clicked() {
                answer = Some(false);
            }
        });
    });
    let Some(restore) = answer else { return };
    if let Some(r) = app.recovery.as_mut() {
        r.offered.remove(0);
        r.store.remove(&found);
    }
    if restore {
        app.session.replace(found.document);
        app.path = found.source;
        // Restored work is unsaved work.
        app.saved_revision = app.session.revision().wrapping_sub(1);
        app.selection.clear();
        app.fit_pending = true;
        app.notify(format!("Restored unsaved work on {name}; save it to keep it"), false);
    }
}
