//! The Threats tab: STRIDE threats on the selected flow or element, added, edited, given a status or deleted.

use egui::RichText;

use super::app::ThreatboardApp;
use super::inspector::{Changes, field_key, text_row};
use super::theme::severity_colour;
use crate::model::{Category, Edit, Id, Index, Severity, Status, Threat};

/// The threat id after the highest `T<n>` in use.
fn next_threat_id(app: &ThreatboardApp) -> Id {
    let n = app
        .session
        .doc
        .threats
        .iter()
        .filter_map(|t| t.id.as_str().strip_prefix('T')?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    let taken = |s: &str| app.session.doc.threats.iter().any(|t| t.id.as_str() == s);
    let base = Id::new(format!("T{}", n + 1)).unwrap_or_else(|_| Id::slug("threat", "threat"));
    Id::unique(&base, taken)
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
        id: next_threat_id(app),
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
    let doc = app.session.doc.clone();
    let ix = Index::new(&doc);
    let target = match app.selection.as_slice() {
        [one] if ix.element(one.as_str()).is_some() || ix.flow(one.as_str()).is_some() => one.clone(),
        _ => {
            ui.label("Select one flow or element to see and record its threats.");
            let open = doc.threats.iter().filter(|t| t.status == Status::Open).count();
            ui.label(RichText::new(format!("{} threats in the model, {open} open", doc.threats.len())).weak());
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
                    let refs = t.references.join("\n");
                    if let Some(s) = text_row(ui, "References", &refs, true, &mut ch) {
                        next.references =
                            s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
                    }
                });
                if ui.button("Delete threat").clicked() {
                    remove = Some(t.id.clone());
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
}
