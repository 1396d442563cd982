//! The inspector panel: properties of the selected element, flow or boundary, and the tabs that lead
//! to its threats and to the document's own fields.

use std::hash::{DefaultHasher, Hash, Hasher};

use egui::RichText;

use super::app::ThreatboardApp;
use super::{actions, document_panel, threats};
use crate::model::{Boundary, Edit, Element, ElementKind, Flow, Id, Index, Item, encryption, protocol};

/// Which page the inspector shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The selection's properties.
    Selection,
    /// Threats on the selection.
    Threats,
    /// Title, description and decomposition.
    Document,
}

/// Edits gathered while drawing a panel, applied once it is drawn.
#[derive(Debug, Default)]
pub struct Changes {
    /// Edits with their merge keys.
    pub edits: Vec<(Edit, Option<u64>)>,
    /// A text field lost focus: the next keystroke starts a new undo step.
    pub seal: bool,
}

impl Changes {
    /// Applies what was gathered.
    pub fn apply(self, app: &mut ThreatboardApp) {
        for (edit, key) in self.edits {
            app.apply_keyed(edit, key);
        }
        if self.seal {
            app.session.history.seal();
        }
    }
}

/// A merge key for typing into one field of one item, so a run of keystrokes is one undo step.
pub fn field_key(id: &str, field: &str) -> u64 {
    let mut h = DefaultHasher::new();
    (id, field).hash(&mut h);
    h.finish() & !(1 << 63)
}

/// A labelled text field; returns the new text when it changed this frame.
pub fn text_row(ui: &mut egui::Ui, label: &str, value: &str, multiline: bool, changes: &mut Changes) -> Option<String> {
    let l = ui.label(label);
    let mut text = value.to_owned();
    let edit = if multiline {
        egui::TextEdit::multiline(&mut text).desired_rows(3).desired_width(f32::INFINITY)
    } else {
        egui::TextEdit::singleline(&mut text).desired_width(f32::INFINITY)
    };
    let r = ui.add(edit).labelled_by(l.id);
    ui.end_row();
    mark_live(ui, &r);
    if r.lost_focus() {
        changes.seal = true;
    }
    (r.changed() && text != value).then_some(text)
}

/// A labelled field for a list, one item per line; returns the new items when they changed this frame.
///
/// The items are stored trimmed and without blank lines, but while the field has the keyboard it keeps
/// the text as typed, so a space before the next word or a new line before the next item stays. The
/// typed text is dropped as soon as it no longer spells the stored items (an undo, another window).
pub fn list_row(
    ui: &mut egui::Ui,
    label: &str,
    salt: &str,
    items: &[String],
    changes: &mut Changes,
) -> Option<Vec<String>> {
    let l = ui.label(label);
    let buffer = egui::Id::new(("list_row", salt));
    let typed = ui.data(|d| d.get_temp::<String>(buffer)).filter(|t| list_items(t) == items);
    let mut text = typed.unwrap_or_else(|| items.join("\n"));
    let edit =
        egui::TextEdit::multiline(&mut text).id_salt(("list_row", salt)).desired_rows(3).desired_width(f32::INFINITY);
    let r = ui.add(edit).labelled_by(l.id);
    ui.end_row();
    mark_live(ui, &r);
    if r.has_focus() {
        ui.data_mut(|d| d.insert_temp(buffer, text.clone()));
    } else {
        ui.data_mut(|d| d.remove::<String>(buffer));
    }
    if r.lost_focus() {
        changes.seal = true;
    }
    let next = list_items(&text);
    (r.changed() && next != items).then_some(next)
}

/// The items of a list field's text: its lines, trimmed, without blank ones.
pub fn list_items(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// Where the frame loop notes which text field that edits the document as it is typed has the keyboard.
/// In such a field Ctrl+Z undoes the document's step (the typing), as everywhere else: see `shortcuts`.
pub fn live_field() -> egui::Id {
    egui::Id::new("threatboard_live_field")
}

fn mark_live(ui: &egui::Ui, r: &egui::Response) {
    if r.has_focus() {
        ui.data_mut(|d| d.insert_temp(live_field(), r.id));
    }
}

/// The whole inspector.
pub fn inspector_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    let threat_count =
        app.selection.first().map_or(0, |id| Index::new(&app.session.doc).threats_on(id.as_str()).count());
    ui.horizontal(|ui| {
        ui.selectable_value(&mut app.tab, Tab::Selection, "Selection");
        ui.selectable_value(&mut app.tab, Tab::Threats, format!("Threats ({threat_count})"));
        ui.selectable_value(&mut app.tab, Tab::Document, "Document");
    });
    ui.separator();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| match app.tab {
        Tab::Selection => selection_ui(app, ui),
        Tab::Threats => threats::threats_ui(app, ui),
        Tab::Document => document_panel::document_ui(app, ui),
    });
}

fn selection_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    let selection = app.selection.clone();
    match selection.as_slice() {
        [] => {
            ui.label(RichText::new("Nothing selected").strong());
            ui.label(
                "Click an element, flow or boundary to edit it here. Type lines in the quick-entry bar to draw fast:",
            );
            syntax_help_ui(ui);
            unboxed_boundaries_ui(app, ui);
        }
        [one] => {
            let doc = app.snapshot();
            let ix = Index::new(&doc);
            match ix.item(one.as_str()) {
                Some(Item::Element(e)) => element_ui(app, ui, &ix, e),
                Some(Item::Flow(f)) => flow_ui(app, ui, &ix, f),
                Some(Item::Boundary(b)) => boundary_ui(app, ui, &ix, b),
                None => {}
            }
        }
        many => {
            ui.label(RichText::new(format!("{} items selected", many.len())).strong());
            if ui.button("Put them in a new boundary (B)").clicked() {
                actions::boundary_around_selection(app);
            }
            if many.len() == 2 && ui.button("Connect first → second (C)").clicked() {
                actions::connect_selected(app);
            }
            if ui.button("Delete (Del)").clicked() {
                actions::delete_selected(app);
            }
        }
    }
}

/// The id field: typed into a buffer and applied as a rename on Enter or focus loss.
fn id_row(app: &mut ThreatboardApp, ui: &mut egui::Ui, id: &Id) {
    if app.id_buffer.as_ref().is_none_or(|(b, _)| b != id) {
        app.id_buffer = Some((id.clone(), id.to_string()));
    }
    let l = ui.label("Id");
    let mut commit = None;
    if let Some((_, text)) = &mut app.id_buffer {
        let r = ui.add(egui::TextEdit::singleline(text).desired_width(f32::INFINITY)).labelled_by(l.id);
        if r.lost_focus() && text.as_str() != id.as_str() {
            commit = Some(text.trim().to_owned());
        }
    }
    ui.end_row();
    if let Some(text) = commit {
        app.id_buffer = None;
        match Id::new(text) {
            Ok(to) => {
                if app.apply(Edit::Rename { from: id.clone(), to: to.clone() }) {
                    for s in &mut app.selection {
                        if s == id {
                            s.clone_from(&to);
                        }
                    }
                }
            }
            Err(e) => app.notify(format!("Not renamed: {e}"), true),
        }
    }
}

fn element_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, ix: &Index<'_>, e: &Element) {
    ui.label(RichText::new(format!("{} {}", capitalised(e.kind.title()), e.id)).strong());
    let mut ch = Changes::default();
    let mut next = e.clone();
    egui::Grid::new("element_props").num_columns(2).striped(false).show(ui, |ui| {
        if let Some(t) = text_row(ui, "Label", &e.label, false, &mut ch) {
            next.label = t;
        }
        id_row(app, ui, &e.id);
        ui.label("Kind");
        egui::ComboBox::from_id_salt("element_kind").selected_text(e.kind.title()).show_ui(ui, |ui| {
            for k in ElementKind::ALL {
                ui.selectable_value(&mut next.kind, k, k.title());
            }
        });
        ui.end_row();
        ui.label("Boundary");
        boundary_combo_ui(ui, "element_boundary", ix, &mut next.boundary, None);
        ui.end_row();
        ui.label("Scope");
        ui.checkbox(&mut next.out_of_scope, "out of scope");
        ui.end_row();
        if e.out_of_scope
            && let Some(t) = text_row(ui, "Why", &e.out_of_scope_reason, false, &mut ch)
        {
            next.out_of_scope_reason = t;
        }
        if let Some(t) = text_row(ui, "Notes", &e.notes, true, &mut ch) {
            next.notes = t;
        }
    });
    let flows_in = ix.doc().flows.iter().filter(|f| f.to == e.id).count();
    let flows_out = ix.doc().flows.iter().filter(|f| f.from == e.id).count();
    ui.label(RichText::new(format!("{flows_in} flows in, {flows_out} out")).weak());
    if next != *e {
        let key = if next.label != e.label || next.notes != e.notes || next.out_of_scope_reason != e.out_of_scope_reason
        {
            Some(field_key(e.id.as_str(), "text"))
        } else {
            None
        };
        ch.edits.push((Edit::UpdateElement(next), key));
    }
    ch.apply(app);
}

fn boundary_combo_ui(
    ui: &mut egui::Ui,
    salt: &str,
    ix: &Index<'_>,
    value: &mut Option<crate::model::Id>,
    exclude: Option<&Id>,
) {
    let shown = value
        .as_ref()
        .and_then(|b| ix.boundary(b.as_str()))
        .map_or("(none)", |b| if b.label.is_empty() { b.id.as_str() } else { b.label.as_str() });
    egui::ComboBox::from_id_salt(salt).selected_text(shown.to_owned()).show_ui(ui, |ui| {
        ui.selectable_value(value, None, "(none)");
        for b in &ix.doc().boundaries {
            // A boundary cannot nest in itself or in one of its own descendants.
            if let Some(x) = exclude
                && ix.boundary_ancestors(b.id.as_str()).iter().any(|a| a.id == *x)
            {
                continue;
            }
            let name = if b.label.is_empty() { b.id.to_string() } else { b.label.clone() };
            ui.selectable_value(value, Some(b.id.clone()), name);
        }
    });
}

fn flow_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, ix: &Index<'_>, f: &Flow) {
    let name = |id: &Id| ix.item(id.as_str()).map_or_else(|| id.to_string(), |i| i.display_name().to_owned());
    ui.label(RichText::new(format!("Flow {} → {}", name(&f.from), name(&f.to))).strong());
    let mut ch = Changes::default();
    let mut next = f.clone();
    egui::Grid::new("flow_props").num_columns(2).show(ui, |ui| {
        if let Some(t) = text_row(ui, "Label", &f.label, false, &mut ch) {
            next.label = t;
        }
        id_row(app, ui, &f.id);
        if let Some(t) = text_row(ui, "Protocol", &f.protocol, false, &mut ch) {
            next.protocol = t;
        }
        ui.label("");
        protocol_suggestions_ui(ui, &f.protocol, &mut next.protocol);
        ui.end_row();
        ui.label("Encrypted");
        let from_catalogue = match protocol::lookup(&f.protocol) {
            Some(p) if p.encrypted => "from protocol: yes",
            Some(_) => "from protocol: no",
            None => "from protocol: unknown",
        };
        let shown = match f.encrypted {
            None => from_catalogue,
            Some(true) => "yes (override)",
            Some(false) => "no (override)",
        };
        egui::ComboBox::from_id_salt("flow_encrypted").selected_text(shown).show_ui(ui, |ui| {
            ui.selectable_value(&mut next.encrypted, None, from_catalogue);
            ui.selectable_value(&mut next.encrypted, Some(true), "yes (override)");
            ui.selectable_value(&mut next.encrypted, Some(false), "no (override)");
        });
        ui.end_row();
        ui.label("Direction");
        ui.checkbox(&mut next.bidirectional, "bidirectional");
        ui.end_row();
        ui.label("Scope");
        ui.checkbox(&mut next.out_of_scope, "out of scope (dotted)");
        ui.end_row();
        if f.out_of_scope
            && let Some(t) = text_row(ui, "Why", &f.out_of_scope_reason, false, &mut ch)
        {
            next.out_of_scope_reason = t;
        }
        if let Some(t) = text_row(ui, "Notes", &f.notes, true, &mut ch) {
            next.notes = t;
        }
    });
    let crossings: Vec<String> =
        ix.crossings(f).iter().map(|b| if b.label.is_empty() { b.id.to_string() } else { b.label.clone() }).collect();
    let enc = encryption(f).as_str();
    if crossings.is_empty() {
        ui.label(RichText::new(format!("Traffic is {enc}; crosses no trust boundary")).weak());
    } else {
        ui.label(RichText::new(format!("Traffic is {enc}; crosses {}", crossings.join(", "))).weak());
    }
    if next != *f {
        let key = if next.label != f.label || next.protocol != f.protocol || next.notes != f.notes {
            Some(field_key(f.id.as_str(), "text"))
        } else {
            None
        };
        ch.edits.push((Edit::UpdateFlow(next), key));
    }
    ch.apply(app);
}

/// Boundaries with nothing inside have no box on the canvas (a box is drawn around its members), so
/// they are listed here to be selected, renamed or deleted. The scene finds them once per revision.
fn unboxed_boundaries_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    if app.scene.unboxed.is_empty() {
        return;
    }
    ui.add_space(8.0);
    ui.label(RichText::new("Empty boundaries (drawn once something is in them)").strong());
    let mut chosen = None;
    ui.horizontal_wrapped(|ui| {
        for (id, name) in &app.scene.unboxed {
            if ui.link(name).on_hover_text(format!("Select boundary {id}")).clicked() {
                chosen = Some(id.clone());
            }
        }
    });
    if let Some(id) = chosen {
        app.selection = vec![id];
    }
}

/// Catalogue entries matching what was typed; clicking one sets it.
fn protocol_suggestions_ui(ui: &mut egui::Ui, typed: &str, value: &mut String) {
    let q = typed.trim().to_lowercase();
    if protocol::lookup(&q).is_some_and(|p| p.name == q) {
        if let Some(p) = protocol::lookup(&q) {
            ui.label(RichText::new(p.meaning).weak());
        }
        return;
    }
    ui.horizontal_wrapped(|ui| {
        let matches = protocol::CATALOGUE
            .iter()
            .filter(|p| {
                q.is_empty()
                    || p.name.contains(&q)
                    || p.meaning.to_lowercase().contains(&q)
                    || p.aliases.iter().any(|a| a.contains(&q))
            })
            .take(12);
        for p in matches {
            let text = if p.encrypted { format!("🔒 {}", p.name) } else { p.name.to_owned() };
            if ui.small_button(text).on_hover_text(p.meaning).clicked() {
                p.name.clone_into(value);
            }
        }
    });
}

fn boundary_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, ix: &Index<'_>, b: &Boundary) {
    ui.label(RichText::new(format!("Trust boundary {}", b.id)).strong());
    let mut ch = Changes::default();
    let mut next = b.clone();
    egui::Grid::new("boundary_props").num_columns(2).show(ui, |ui| {
        if let Some(t) = text_row(ui, "Label", &b.label, false, &mut ch) {
            next.label = t;
        }
        id_row(app, ui, &b.id);
        ui.label("Inside");
        boundary_combo_ui(ui, "boundary_parent", ix, &mut next.parent, Some(&b.id));
        ui.end_row();
        if let Some(t) = text_row(ui, "Notes", &b.notes, true, &mut ch) {
            next.notes = t;
        }
    });
    let members = ix.doc().elements.iter().filter(|e| e.boundary.as_ref() == Some(&b.id)).count();
    ui.label(RichText::new(format!("{members} elements directly inside")).weak());
    if next != *b {
        let key = (next.parent == b.parent).then(|| field_key(b.id.as_str(), "text"));
        ch.edits.push((Edit::UpdateBoundary(next), key));
    }
    ch.apply(app);
}

/// "external entity" → "External entity".
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The quick-entry syntax as a two-column table that fits the panel.
pub fn syntax_help_ui(ui: &mut egui::Ui) {
    egui::Grid::new("syntax_help").num_columns(2).striped(true).show(ui, |ui| {
        for line in crate::quick::SYNTAX_HELP.lines() {
            let (code, what) = line.split_at(line.char_indices().nth(31).map_or(line.len(), |(i, _)| i));
            ui.add(egui::Label::new(RichText::new(code.trim_end()).monospace().size(11.0)).extend());
            ui.label(RichText::new(what.trim()).small());
            ui.end_row();
        }
    });
}
