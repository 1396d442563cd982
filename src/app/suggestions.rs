//! Rule suggestions for the selection, in the Threats tab: accept one (it becomes an open threat),
//! accept all of them, or dismiss one with a reason the document keeps, so it is not suggested again.
//!
//! The suggestions are worked out for the whole document once per document revision (and rule
//! load), not once per frame.

use egui::RichText;

use super::app::ThreatboardApp;
use super::rule_files;
use super::theme::severity_colour;
use crate::analysis::{self, Suggestion};
use crate::model::{Edit, Id, Index};

/// The pending suggestions of the current document, and the dismissal being written.
#[derive(Debug, Default)]
pub struct SuggestionCache {
    /// (document revision, rules generation) the suggestions were worked out for.
    key: Option<(u64, u64)>,
    /// Pending suggestions for the whole document, in the engine's order.
    all: Vec<Suggestion>,
    /// How many times they were worked out.
    runs: u64,
    /// The (rule, target) whose dismissal reason is being typed, and the reason so far.
    dismissing: Option<(String, Id, String)>,
}

/// Works the suggestions out again when the document or the rules changed since the last time.
pub fn refresh(app: &mut ThreatboardApp) {
    rule_files::ensure(app);
    let key = (app.session.revision(), app.review.rules.generation);
    let cache = &mut app.review.suggestions;
    if cache.key != Some(key) {
        cache.all = analysis::suggestions(&app.session.doc, &app.review.rules.set);
        cache.key = Some(key);
        cache.runs += 1;
    }
}

impl ThreatboardApp {
    /// The suggestions no reviewer has accepted or dismissed yet, for the whole document.
    pub fn pending_suggestions(&mut self) -> &[Suggestion] {
        refresh(self);
        &self.review.suggestions.all
    }

    /// How many times the suggestions were worked out so far (once per document change, not per frame).
    pub fn suggestion_runs(&self) -> u64 {
        self.review.suggestions.runs
    }
}

/// What the reviewer did this frame.
enum Action {
    Accept(Vec<Suggestion>),
    StartDismiss(Suggestion),
    Dismiss(Suggestion, String),
    CancelDismiss,
    Restore(String, Id),
}

/// The suggestions (and the dismissals) for `targets`, with their buttons.
pub fn suggestions_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, targets: &[Id]) {
    refresh(app);
    let pending: Vec<Suggestion> =
        app.review.suggestions.all.iter().filter(|s| targets.contains(&s.target)).cloned().collect();
    let doc = &app.session.doc;
    let ix = Index::new(doc);
    let name = |id: &Id| ix.item(id.as_str()).map_or_else(|| id.to_string(), |i| i.display_name().to_owned());
    let mut action = None;
    ui.separator();
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Suggestions ({})", pending.len())).strong());
        if pending.len() > 1 && ui.button("Accept all for the selection").clicked() {
            action = Some(Action::Accept(pending.clone()));
        }
    });
    if pending.is_empty() {
        ui.label(
            RichText::new(format!("Nothing left to review from the {} rules.", app.review.rules.set.len())).weak(),
        );
    }
    if let Some(e) = &app.review.rules.error {
        ui.label(RichText::new(e).small().color(ui.visuals().error_fg_color));
    }
    for s in &pending {
        let on = if targets.len() > 1 { format!("{}: ", name(&s.target)) } else { String::new() };
        if let Some(a) = card_ui(&mut app.review.suggestions.dismissing, ui, s, &on) {
            action = Some(a);
        }
    }
    let dismissed: Vec<_> = doc.dismissed.iter().filter(|d| targets.contains(&d.target)).cloned().collect();
    if !dismissed.is_empty() {
        egui::CollapsingHeader::new(format!("Dismissed ({})", dismissed.len())).id_salt("dismissed").show(ui, |ui| {
            for d in &dismissed {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(&d.rule).monospace());
                    ui.label(&d.reason);
                    if ui.small_button("Restore").on_hover_text("Suggest it again").clicked() {
                        action = Some(Action::Restore(d.rule.clone(), d.target.clone()));
                    }
                });
            }
        });
    }
    match action {
        Some(Action::Accept(list)) => {
            let edit = analysis::accept(&app.session.doc, &list);
            app.apply(edit);
        }
        Some(Action::StartDismiss(s)) => {
            app.review.suggestions.dismissing = Some((s.rule.to_string(), s.target.clone(), String::new()));
        }
        Some(Action::Dismiss(s, reason)) => {
            app.review.suggestions.dismissing = None;
            app.apply(Edit::Dismiss(s.dismissal(reason)));
        }
        Some(Action::CancelDismiss) => app.review.suggestions.dismissing = None,
        Some(Action::Restore(rule, target)) => {
            app.apply(Edit::Undismiss { rule, target });
        }
        None => {}
    }
}

/// One suggestion with its buttons (or the reason being typed for its dismissal).
fn card_ui(
    dismissing: &mut Option<(String, Id, String)>,
    ui: &mut egui::Ui,
    s: &Suggestion,
    on: &str,
) -> Option<Action> {
    let mut action = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(
            RichText::new(format!("{on}{} · {}", s.category.letter(), s.title())).color(severity_colour(s.severity)),
        );
        ui.label(
            RichText::new(format!("{} · {} · rule {}", s.category.title(), s.severity.as_str(), s.rule)).small().weak(),
        );
        egui::CollapsingHeader::new("Details").id_salt(("suggestion", s.rule.as_str(), s.target.as_str())).show(
            ui,
            |ui| {
                ui.label(s.description());
                if !s.mitigation().is_empty() {
                    ui.label(RichText::new(format!("Mitigation: {}", s.mitigation())).italics());
                }
                for r in s.references.iter() {
                    ui.hyperlink(r);
                }
            },
        );
        let typing = dismissing.as_mut().filter(|(rule, target, _)| s.rule == rule.as_str() && s.target == *target);
        if let Some((_, _, reason)) = typing {
            let l = ui.label("Reason");
            let r = ui
                .add(egui::TextEdit::singleline(reason).hint_text("why it does not apply").desired_width(f32::INFINITY))
                .labelled_by(l.id);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let ready = !reason.trim().is_empty();
            ui.horizontal(|ui| {
                if ui.add_enabled(ready, egui::Button::new("Dismiss")).clicked() || (enter && ready) {
                    action = Some(Action::Dismiss(s.clone(), reason.trim().to_owned()));
                }
                if ui.button("Cancel").clicked() {
                    action = Some(Action::CancelDismiss);
                }
            });
        } else {
            ui.horizontal(|ui| {
                if ui.button("Accept").on_hover_text("Record it as an open threat").clicked() {
                    action = Some(Action::Accept(vec![s.clone()]));
                }
                if ui.button("Dismiss…").on_hover_text("Say why it does not apply; it is not suggested again").clicked()
                {
                    action = Some(Action::StartDismiss(s.clone()));
                }
            });
        }
    });
    action
}
