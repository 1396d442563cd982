//! The Threats tab: STRIDE threats on the selected flow or element, added, edited, given a status,
//! moved or copied to another target, or deleted; below them the rule suggestions for the selection.
//! Also the Threats menu and the windows it opens (the threat table, the rule files).

use egui::{Context, RichText};

use super::app::ThreatboardApp;
use super::inspector::{Changes, field_key, list_row, text_row};
use super::theme::severity_colour;
use super::{rule_files, suggestions, threat_table};
use crate::analysis;
use crate::model::{Category, Document, Edit, Id, Index, Item, Severity, Status, Threat};

/// The editor's review state: the rules in use, the suggestions worked out from them, the table.
#[derive(Debug, Default)]
pub struct Review {
    /// Built-in and user rule files.
    pub rules: rule_files::RuleFiles,
    /// Pending suggestions, cached per document revision.
    pub suggestions: suggestions::SuggestionCache,
    /// The threat table's sort, filters and visibility.
    pub table: threat_table::TableState,
    /// The threat whose move/copy target is being picked, and the target picked so far.
    relocate: Option<(Id, Option<Id>)>,
}

/// The Threats menu.
pub fn menu_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    let open = app.review.table.open;
    if ui.add(egui::Button::selectable(open, "Threat table").shortcut_text("Ctrl+T")).clicked() {
        threat_table::toggle(app);
        ui.close();
    }
    if ui.add_enabled(app.selection.len() == 1, egui::Button::new("Threat on selection")).clicked() {
        add_threat(app);
        ui.close();
    }
    ui.separator();
    if ui.button("Rule files…").clicked() {
        app.review.rules.window = true;
        ui.close();
    }
}

/// The threat table and the rule-files window, when open.
pub fn windows_ui(app: &mut ThreatboardApp, ctx: &Context) {
    rule_files::ensure(app);
    threat_table::window_ui(app, ctx);
    rule_files::window_ui(app, ctx);
}

/// Adds a threat to the single selected flow or element, and shows it.
pub fn add_threat(app: &mut ThreatboardApp) {
    let Some(target) = app.selection.first().cloned() else { return };
    let ix = Index::new(&app.session.doc);
    if ix.element(target.as_str()).is_none() && ix.flow(target.as_str()).is_none() {
        app.notify("Threats go on flows and elements; select one", true);
        return;
    }
    let category =
        if ix.flow(target.as_str()).is_some() { Category::InformationDisclosure } else { Category::Spoofing };
    let threat = Threat {
        id: analysis::next_threat_id(&app.session.doc),
        target,
        category,
        classification: String::new(),
        title: "New threat".into(),
        description: String::new(),
        severity: Severity::Medium,
        cvss: String::new(),
        status: Status::Open,
        mitigation: String::new(),
        references: Vec::new(),
        rule: String::new(),
    };
    if app.apply(Edit::AddThreat(threat)) {
        app.tab = super::inspector::Tab::Threats;
    }
}

/// The Threats tab.
pub fn threats_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    let doc = app.snapshot();
    let ix = Index::new(&doc);
    let target = match app.selection.as_slice() {
        [one] if ix.element(one.as_str()).is_some() || ix.flow(one.as_str()).is_some() => one.clone(),
        many => {
            let many = many.to_owned();
            overview_ui(app, ui, &many);
            return;
        }
    };
    let name = ix.item(target.as_str()).map_or_else(|| target.to_string(), |i| i.display_name().to_owned());
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Threats on {name}")).strong());
        if ui.button("+ Add threat").clicked() {
            add_threat(app);
        }
    });
    let mut ch = Changes::default();
    let mut remove = None;
    for t in ix.threats_on(target.as_str()) {
        let header = RichText::new(format!("{} · {} · {}", t.id, t.category.letter(), t.title))
            .color(if t.status == Status::Open { severity_colour(t.severity) } else { ui.visuals().weak_text_color() });
        egui::CollapsingHeader::new(header)
            .id_salt(("threat", t.id.as_str()))
            .default_open(doc.threats.len() < 6)
            .show(ui, |ui| {
                let mut next = t.clone();
                egui::Grid::new(("threat_grid", t.id.as_str())).num_columns(2).show(ui, |ui| {
                    if let Some(s) = text_row(ui, "Title", &t.title, false, &mut ch) {
                        next.title = s;
                    }
                    ui.label("Category");
                    egui::ComboBox::from_id_salt(("cat", t.id.as_str())).selected_text(t.category.title()).show_ui(
                        ui,
                        |ui| {
                            for c in Category::STRIDE.into_iter().chain([Category::Other]) {
                                ui.selectable_value(&mut next.category, c, c.title());
                            }
                        },
                    );
                    ui.end_row();
                    ui.label("Severity");
                    egui::ComboBox::from_id_salt(("sev", t.id.as_str())).selected_text(t.severity.as_str()).show_ui(
                        ui,
                        |ui| {
                            for s in Severity::ALL {
                                ui.selectable_value(&mut next.severity, s, s.as_str());
                            }
                        },
                    );
                    ui.end_row();
                    ui.label("Status");
                    ui.horizontal_wrapped(|ui| {
                        for s in Status::ALL {
                            ui.selectable_value(&mut next.status, s, s.as_str());
                        }
                    });
                    ui.end_row();
                    if let Some(s) = text_row(ui, "Description", &t.description, true, &mut ch) {
                        next.description = s;
                    }
                    if let Some(s) = text_row(ui, "Mitigation", &t.mitigation, true, &mut ch) {
                        next.mitigation = s;
                    }
                    let salt = format!("threat.{}.references", t.id.as_str());
                    if let Some(items) = list_row(ui, "References", &salt, &t.references, &mut ch) {
                        next.references = items;
                    }
                });
                ui.horizontal(|ui| {
                    if ui.button("Delete threat").clicked() {
                        remove = Some(t.id.clone());
                    }
                    if ui.button("Move or copy…").clicked() {
                        app.review.relocate = Some((t.id.clone(), None));
                    }
                });
                if let Some(edit) = relocate_ui(app, ui, &doc, t) {
                    ch.edits.push((edit, None));
                }
                if next != *t {
                    let typed = next.category == t.category && next.severity == t.severity && next.status == t.status;
                    ch.edits.push((Edit::UpdateThreat(next), typed.then(|| field_key(t.id.as_str(), "threat"))));
                }
            });
    }
    if let Some(id) = remove {
        ch.edits.push((Edit::RemoveThreats { ids: vec![id] }, None));
    }
    ch.apply(app);
    suggestions::suggestions_ui(app, ui, std::slice::from_ref(&target));
}

/// Picking another flow or element for threat `t`; returns the move or copy once chosen.
fn relocate_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, doc: &Document, t: &Threat) -> Option<Edit> {
    let ix = Index::new(doc);
    let (id, to) = app.review.relocate.as_mut().filter(|(id, _)| *id == t.id)?;
    let mut out = None;
    let shown = to
        .as_ref()
        .and_then(|to| ix.item(to.as_str()))
        .map_or_else(|| "choose…".to_owned(), |i| i.display_name().to_owned());
    ui.horizontal(|ui| {
        ui.label("To");
        egui::ComboBox::from_id_salt(("relocate", id.as_str())).selected_text(shown).show_ui(ui, |ui| {
            let items = doc.elements.iter().map(|e| (&e.id, Item::Element(e)));
            for (target, item) in items.chain(doc.flows.iter().map(|f| (&f.id, Item::Flow(f)))) {
                if *target != t.target {
                    ui.selectable_value(to, Some(target.clone()), item.display_name());
                }
            }
        });
    });
    let mut done = false;
    ui.horizontal(|ui| {
        if let Some(to) = to.clone() {
            if ui.button("Move here").clicked() {
                // The rule matched the old target; there it is to be reviewed again.
                out = Some(Edit::UpdateThreat(Threat { target: to.clone(), rule: String::new(), ..t.clone() }));
            }
            if ui.button("Copy here").clicked() {
                let id = analysis::next_threat_id(doc);
                out = Some(Edit::AddThreat(Threat { id, target: to, rule: String::new(), ..t.clone() }));
            }
        }
        done = ui.button("Cancel").clicked();
    });
    if done || out.is_some() {
        app.review.relocate = None;
    }
    out
}

/// Without a single target: the model's threat count, and the suggestions for a multiple selection.
fn overview_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, selection: &[Id]) {
    ui.label("Select one flow or element to see and record its threats.");
    let doc = &app.session.doc;
    let open = doc.threats.iter().filter(|t| t.status == Status::Open).count();
    ui.label(RichText::new(format!("{} threats in the model, {open} open", doc.threats.len())).weak());
    let ix = Index::new(doc);
    let targets: Vec<Id> = selection
        .iter()
        .filter(|id| ix.element(id.as_str()).is_some() || ix.flow(id.as_str()).is_some())
        .cloned()
        .collect();
    if !targets.is_empty() {
        suggestions::suggestions_ui(app, ui, &targets);
    }
}
