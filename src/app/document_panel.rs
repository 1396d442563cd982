//! The Document tab: the model's title, description and the application-decomposition section.

use super::app::ThreatboardApp;
use super::inspector::{Changes, field_key, list_row, text_row};
use crate::model::{Direction, Edit};

/// The Document tab.
pub fn document_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    let doc = app.snapshot();
    let mut ch = Changes::default();
    let (mut title, mut description, mut direction) = (doc.title.clone(), doc.description.clone(), doc.direction);
    egui::Grid::new("document_meta").num_columns(2).show(ui, |ui| {
        if let Some(t) = text_row(ui, "Title", &doc.title, false, &mut ch) {
            title = t;
        }
        if let Some(t) = text_row(ui, "Description", &doc.description, true, &mut ch) {
            description = t;
        }
        ui.label("Direction");
        egui::ComboBox::from_id_salt("direction").selected_text(direction.as_str()).show_ui(ui, |ui| {
            for d in [Direction::TB, Direction::LR, Direction::BT, Direction::RL] {
                ui.selectable_value(&mut direction, d, d.as_str());
            }
        });
        ui.end_row();
    });
    if title != doc.title || description != doc.description || direction != doc.direction {
        let key = (direction == doc.direction).then(|| field_key("", "meta"));
        ch.edits.push((Edit::SetMeta { title, description, direction }, key));
    }
    ui.separator();
    ui.strong("Application decomposition");
    ui.label(egui::RichText::new("Lists: one item per line.").weak());
    let d = &doc.decomposition;
    let mut next = d.clone();
    egui::Grid::new("decomposition").num_columns(2).show(ui, |ui| {
        if let Some(t) = text_row(ui, "Use case", &d.use_case, true, &mut ch) {
            next.use_case = t;
        }
        if let Some(items) = list_row(ui, "Entry points", "decomposition.entry_points", &d.entry_points, &mut ch) {
            next.entry_points = items;
        }
        if let Some(items) = list_row(ui, "Trust levels", "decomposition.trust_levels", &d.trust_levels, &mut ch) {
            next.trust_levels = items;
        }
        if let Some(items) =
            list_row(ui, "Previous issues", "decomposition.previous_issues", &d.previous_issues, &mut ch)
        {
            next.previous_issues = items;
        }
        if let Some(items) = list_row(ui, "References", "decomposition.references", &d.references, &mut ch) {
            next.references = items;
        }
    });
    if next != *d {
        ch.edits.push((Edit::SetDecomposition(next), Some(field_key("", "decomposition"))));
    }
    ch.apply(app);
}
