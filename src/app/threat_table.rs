//! The threat table: every threat of the model in one window, sorted by a column and filtered by
//! status, category, severity and target; clicking a row selects the threat's target on the canvas.

use std::cmp::Ordering;

use egui::{Context, RichText};

use super::app::ThreatboardApp;
use super::theme::severity_colour;
use crate::model::{Category, Document, Id, Index, Severity, Status, Threat};

/// A column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// `T1`, `T2`… (numerically).
    Id,
    /// The flow or element, by name.
    Target,
    /// STRIDE category.
    Category,
    /// Severity.
    Severity,
    /// Review status.
    Status,
    /// Title.
    Title,
}

impl Column {
    /// Every column, left to right.
    pub const ALL: [Self; 6] = [Self::Id, Self::Target, Self::Category, Self::Severity, Self::Status, Self::Title];

    fn heading(self) -> &'static str {
        match self {
            Self::Id => "Id",
            Self::Target => "Target",
            Self::Category => "Category",
            Self::Severity => "Severity",
            Self::Status => "Status",
            Self::Title => "Title",
        }
    }
}

/// How the table is sorted and filtered, and whether it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableState {
    /// The window is open.
    pub open: bool,
    /// The column rows are sorted by.
    pub sort: Column,
    /// Highest first.
    pub descending: bool,
    /// Only threats with this status.
    pub status: Option<Status>,
    /// Only threats in this category.
    pub category: Option<Category>,
    /// Only threats of this severity.
    pub severity: Option<Severity>,
    /// Only threats whose target's id or name contains this (case-insensitive).
    pub target: String,
}

impl Default for TableState {
    fn default() -> Self {
        Self {
            open: false,
            sort: Column::Id,
            descending: false,
            status: None,
            category: None,
            severity: None,
            target: String::new(),
        }
    }
}

/// The number in `T<n>`, so `T2` sorts before `T10`; other ids after, by text.
fn id_key(id: &Id) -> (u64, &str) {
    let n = id.as_str().strip_prefix('T').and_then(|d| d.parse::<u64>().ok());
    (n.unwrap_or(u64::MAX), id.as_str())
}

/// The threats the table shows, in its order.
pub fn rows<'a>(doc: &'a Document, state: &TableState) -> Vec<&'a Threat> {
    let ix = Index::new(doc);
    let name =
        |t: &Threat| ix.item(t.target.as_str()).map_or_else(|| t.target.to_string(), |i| i.display_name().to_owned());
    let needle = state.target.trim().to_lowercase();
    let mut out: Vec<(&Threat, String)> = doc
        .threats
        .iter()
        .filter(|t| state.status.is_none_or(|s| t.status == s))
        .filter(|t| state.category.is_none_or(|c| t.category == c))
        .filter(|t| state.severity.is_none_or(|s| t.severity == s))
        .map(|t| (t, name(t)))
        .filter(|(t, n)| {
            needle.is_empty()
                || t.target.as_str().to_lowercase().contains(&needle)
                || n.to_lowercase().contains(&needle)
        })
        .collect();
    out.sort_by(|(a, an), (b, bn)| {
        let by = match state.sort {
            Column::Id => Ordering::Equal,
            Column::Target => an.to_lowercase().cmp(&bn.to_lowercase()).then_with(|| a.target.cmp(&b.target)),
            Column::Category => a.category.cmp(&b.category),
            Column::Severity => a.severity.cmp(&b.severity),
            Column::Status => a.status.cmp(&b.status),
            Column::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
        };
        let by = by.then_with(|| id_key(&a.id).cmp(&id_key(&b.id)));
        if state.descending { by.reverse() } else { by }
    });
    out.into_iter().map(|(t, _)| t).collect()
}

impl ThreatboardApp {
    /// The ids of the threats the table shows now, top to bottom.
    pub fn threat_table_rows(&self) -> Vec<Id> {
        rows(&self.session.doc, &self.review.table).into_iter().map(|t| t.id.clone()).collect()
    }

    /// Whether the threat table is shown.
    pub fn threat_table_open(&self) -> bool {
        self.review.table.open
    }
}

/// Shows or hides the table.
pub fn toggle(app: &mut ThreatboardApp) {
    app.review.table.open = !app.review.table.open;
}

/// Selects `id` and, when it is off screen, moves the view to centre it.
fn select_target(app: &mut ThreatboardApp, id: &Id) {
    app.selection = vec![id.clone()];
    app.tab = super::inspector::Tab::Threats;
    let at = if let Some(e) = app.scene.element(id) {
        Some(e.rect.center())
    } else {
        app.scene.flows.iter().find(|f| f.id == *id).map(super::scene::FlowShape::label_at)
    };
    let area = app.canvas_rect;
    if let Some(at) = at
        && area.is_positive()
        && !area.shrink(40.0).contains(app.view.to_screen(area.min, at))
    {
        app.view.pan = area.size() / 2.0 - at.to_vec2() * app.view.zoom;
    }
}

fn filter_combo<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<T>,
    options: &[T],
    text: impl Fn(T) -> &'static str,
) {
    let l = ui.label(label);
    egui::ComboBox::from_id_salt(("threat_filter", label))
        .selected_text(value.map_or("any", &text))
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "any");
            for &o in options {
                ui.selectable_value(value, Some(o), text(o));
            }
        })
        .response
        .labelled_by(l.id);
}

/// The table's window, when open.
pub fn window_ui(app: &mut ThreatboardApp, ctx: &Context) {
    let mut open = app.review.table.open;
    let mut clicked = None;
    egui::Window::new("Threat table")
        .open(&mut open)
        .resizable(true)
        .default_size([760.0, 360.0])
        .default_pos(ctx.content_rect().left_bottom() + egui::vec2(16.0, -420.0))
        .show(ctx, |ui| {
            let state = &mut app.review.table;
            ui.horizontal_wrapped(|ui| {
                filter_combo(ui, "Status", &mut state.status, &Status::ALL, Status::as_str);
                let categories: Vec<Category> = Category::STRIDE.into_iter().chain([Category::Other]).collect();
                filter_combo(ui, "Category", &mut state.category, &categories, Category::title);
                filter_combo(ui, "Severity", &mut state.severity, &Severity::ALL, Severity::as_str);
                let l = ui.label("Target");
                ui.add(egui::TextEdit::singleline(&mut state.target).hint_text("id or name").desired_width(140.0))
                    .labelled_by(l.id);
                if ui.button("Clear filters").clicked() {
                    *state = TableState {
                        open: true,
                        sort: state.sort,
                        descending: state.descending,
                        ..TableState::default()
                    };
                }
            });
            let doc = &app.session.doc;
            let ix = Index::new(doc);
            let shown = rows(doc, &app.review.table);
            ui.label(RichText::new(format!("{} of {} threats", shown.len(), doc.threats.len())).weak());
            ui.separator();
            let selected = app.selection.first();
            egui::ScrollArea::both().auto_shrink([false, false]).show(ui, |ui| {
                egui::Grid::new("threat_table").striped(true).num_columns(Column::ALL.len()).show(ui, |ui| {
                    let state = &mut app.review.table;
                    for c in Column::ALL {
                        let arrow = match (state.sort == c, state.descending) {
                            (true, false) => " ▲",
                            (true, true) => " ▼",
                            (false, _) => "",
                        };
                        let r = ui
                            .add(
                                egui::Button::new(RichText::new(format!("{}{arrow}", c.heading())).strong())
                                    .frame(false),
                            )
                            .on_hover_text("Sort by this column; click again to reverse");
                        if r.clicked() {
                            if state.sort == c {
                                state.descending = !state.descending;
                            } else {
                                state.sort = c;
                                state.descending = false;
                            }
                        }
                    }
                    ui.end_row();
                    for t in &shown {
                        let here = selected == Some(&t.target);
                        if ui.selectable_label(here, t.id.as_str()).on_hover_text("Select its target").clicked() {
                            clicked = Some(t.target.clone());
                        }
                        let name = ix
                            .item(t.target.as_str())
                            .map_or_else(|| "(missing)".to_owned(), |i| i.display_name().to_owned());
                        if ui.selectable_label(here, name).clicked() {
                            clicked = Some(t.target.clone());
                        }
                        ui.label(t.category.title());
                        ui.label(RichText::new(t.severity.as_str()).color(severity_colour(t.severity)));
                        ui.label(t.status.as_str());
                        ui.label(&t.title);
                        ui.end_row();
                    }
                });
            });
        });
    app.review.table.open = open;
    if let Some(id) = clicked {
        select_target(app, &id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::json;

    fn sample() -> Document {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/kubernetes-agent-2021-02.json");
        json::load_file(std::path::Path::new(path)).unwrap()
    }

    fn ids(doc: &Document, state: &TableState) -> Vec<String> {
        rows(doc, state).iter().map(|t| t.id.to_string()).collect()
    }

    #[test]
    fn ids_sort_by_number_and_reverse() {
        let mut doc = sample();
        let mut extra = doc.threats[0].clone();
        extra.id = Id::new("T10").unwrap();
        doc.threats.push(extra);
        let mut state = TableState::default();
        let got = ids(&doc, &state);
        assert_eq!(got.last().map(String::as_str), Some("T10"), "{got:?}");
        state.descending = true;
        assert_eq!(ids(&doc, &state).first().map(String::as_str), Some("T10"));
    }

    #[test]
    fn filters_combine() {
        let doc = sample();
        let all = TableState::default();
        assert_eq!(rows(&doc, &all).len(), doc.threats.len());
        let open = TableState { status: Some(Status::Open), ..TableState::default() };
        assert!(rows(&doc, &open).iter().all(|t| t.status == Status::Open));
        let nothing = TableState { target: "no such target".into(), ..TableState::default() };
        assert!(rows(&doc, &nothing).is_empty());
        let first = &doc.threats[0];
        let by_target = TableState { target: first.target.as_str().to_uppercase(), ..TableState::default() };
        assert!(rows(&doc, &by_target).iter().any(|t| t.id == first.id));
    }

    #[test]
    fn severity_sort_puts_the_worst_first_when_descending() {
        let doc = sample();
        let state = TableState { sort: Column::Severity, descending: true, ..TableState::default() };
        let got = rows(&doc, &state);
        assert!(got.windows(2).all(|w| w[0].severity >= w[1].severity));
    }
}
