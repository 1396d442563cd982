//! Editing commands shared by the menus, the shortcuts and the context menu. Each builds edits and
//! hands them to the session; none touches the document directly.

use egui::Pos2;

use super::app::ThreatboardApp;
use super::canvas::{GRID, start_rename};
use super::clipboard;
use crate::model::{Boundary, Edit, Element, ElementKind, Flow, Id, Index, Item, Point};
use crate::quick::{free_spot, fresh_id};

/// The canvas point under the pointer, or the middle of the view.
fn insertion_point(app: &ThreatboardApp, ctx: &egui::Context) -> Pos2 {
    let r = app.canvas_rect;
    let p = ctx.input(|i| i.pointer.hover_pos()).filter(|p| r.contains(*p)).unwrap_or_else(|| r.center());
    app.view.to_canvas(r.min, p)
}

/// Adds an element of `kind` at the pointer, selects it and starts renaming it.
pub fn add_element(app: &mut ThreatboardApp, ctx: &egui::Context, kind: ElementKind) {
    let p = insertion_point(app, ctx);
    let label = match kind {
        ElementKind::External => "External entity",
        ElementKind::Process => "Process",
        ElementKind::Store => "Data store",
    };
    let doc = &app.session.doc;
    let mut e = Element {
        id: fresh_id(doc, label, "element"),
        kind,
        label: label.to_owned(),
        boundary: None,
        at: Point::new(f64::from((p.x / GRID).round() * GRID), f64::from((p.y / GRID).round() * GRID)),
        out_of_scope: false,
        out_of_scope_reason: String::new(),
        notes: String::new(),
    };
    // Inside a boundary's box, the new element belongs to the innermost one.
    let rects = crate::model::geometry::boundary_rects(doc);
    e.boundary = rects
        .iter()
        .filter(|(_, r)| r.contains(e.at))
        .min_by(|a, b| (a.1.width() * a.1.height()).total_cmp(&(b.1.width() * b.1.height())))
        .map(|(id, _)| id.clone());
    e.at = free_spot(doc, e.at, &e);
    let id = e.id.clone();
    if app.apply(Edit::AddElement(e)) {
        app.selection = vec![id.clone()];
        start_rename(app, &id);
    }
}

/// Adds a flow between two elements, selects it.
pub fn connect(app: &mut ThreatboardApp, from: &Id, to: &Id) {
    let ix = Index::new(&app.session.doc);
    let id = Id::unique(&Id::slug(&format!("{from}-to-{to}"), "flow"), |s| ix.is_taken(s));
    if app.apply(Edit::AddFlow(Flow::new(id.clone(), from.clone(), to.clone()))) {
        app.selection = vec![id];
    }
}

/// Connects the first selected element to the second.
pub fn connect_selected(app: &mut ThreatboardApp) {
    let ix = Index::new(&app.session.doc);
    let picked: Vec<Id> = app.selection.iter().filter(|s| ix.element(s.as_str()).is_some()).cloned().collect();
    if let [a, b] = picked.as_slice() {
        let (a, b) = (a.clone(), b.clone());
        connect(app, &a, &b);
    } else {
        app.notify("Select exactly two elements to connect (the first is the source)", true);
    }
}

/// Puts the selected elements and boundaries into a new boundary, then renames it.
pub fn boundary_around_selection(app: &mut ThreatboardApp) {
    let ix = Index::new(&app.session.doc);
    let members: Vec<Id> = app
        .selection
        .iter()
        .filter(|s| ix.element(s.as_str()).is_some() || ix.boundary(s.as_str()).is_some())
        .cloned()
        .collect();
    if members.is_empty() {
        app.notify("Select the elements the boundary should hold first", true);
        return;
    }
    // The new box nests in the container the members share, if they all share one.
    let container = |id: &Id| match ix.item(id.as_str()) {
        Some(Item::Element(e)) => e.boundary.clone(),
        Some(Item::Boundary(b)) => b.parent.clone(),
        _ => None,
    };
    let first = container(&members[0]);
    let parent = if members.iter().all(|m| container(m) == first) { first } else { None };
    let id = fresh_id(&app.session.doc, "Trust boundary", "boundary");
    let batch = Edit::Batch {
        label: "Add boundary around selection".into(),
        edits: vec![
            Edit::AddBoundary(Boundary {
                id: id.clone(),
                label: "Trust boundary".into(),
                parent,
                notes: String::new(),
            }),
            Edit::SetBoundary { ids: members, boundary: Some(id.clone()) },
        ],
    };
    if app.apply(batch) {
        app.selection = vec![id.clone()];
        start_rename(app, &id);
    }
}

/// Deletes the selection; flows and threats go with their elements (undo brings them back).
pub fn delete_selected(app: &mut ThreatboardApp) {
    if app.selection.is_empty() {
        return;
    }
    let ids = std::mem::take(&mut app.selection);
    app.apply(Edit::Remove { ids });
}

/// Selects every element, flow and boundary (empty boundaries too, which have no box to click).
pub fn select_all(app: &mut ThreatboardApp) {
    let doc = &app.session.doc;
    let boundaries = doc.boundaries.iter().map(|b| b.id.clone());
    let elements = doc.elements.iter().map(|e| e.id.clone());
    app.selection = boundaries.chain(elements).chain(doc.flows.iter().map(|f| f.id.clone())).collect();
}

/// Copies the selection to the system clipboard, as a Threatboard JSON fragment; false when the
/// selection holds nothing that can be copied.
pub fn copy(app: &mut ThreatboardApp, ctx: &egui::Context) -> bool {
    if app.selection.is_empty() {
        return false;
    }
    let fragment = clipboard::fragment(&app.session.doc, &app.selection);
    if fragment.is_empty() {
        app.notify("Nothing to copy: a flow is copied with both of its ends", false);
        return false;
    }
    ctx.copy_text(fragment.to_text());
    app.notify(format!("Copied {} items", fragment.len()), false);
    true
}

/// Copies the selection, then deletes it; nothing is deleted when nothing could be copied.
pub fn cut(app: &mut ThreatboardApp, ctx: &egui::Context) {
    if copy(app, ctx) {
        delete_selected(app);
    }
}

/// Pastes text: a Threatboard fragment, or quick-entry lines.
pub fn paste(app: &mut ThreatboardApp, text: &str) {
    match clipboard::paste(&app.session.doc, text, 40.0) {
        Ok((edit, ids)) => {
            if app.apply(edit) {
                app.selection = ids;
            }
        }
        Err(e) => app.notify(format!("Cannot paste: {e}"), true),
    }
}

/// Duplicates the selection next to itself.
pub fn duplicate(app: &mut ThreatboardApp) {
    if app.selection.is_empty() {
        return;
    }
    let fragment = clipboard::fragment(&app.session.doc, &app.selection);
    if fragment.is_empty() {
        app.notify("Nothing to duplicate: a flow is duplicated with both of its ends", false);
        return;
    }
    paste(app, &fragment.to_text());
}

/// True when `id` looks generated from `label` (`process`, `process-2`), so renaming may follow the label.
fn id_follows_label(id: &Id, label: &str) -> bool {
    let slug = Id::slug(label, "");
    let (id, slug) = (id.as_str(), slug.as_str());
    id == slug
        || id
            .strip_prefix(slug)
            .and_then(|r| r.strip_prefix('-'))
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
}

/// Sets the label of `id`; when its id was derived from the old label, the id follows the new one.
pub fn rename(app: &mut ThreatboardApp, id: &Id, label: &str) {
    let doc = &app.session.doc;
    let ix = Index::new(doc);
    let (old_label, edit) = match ix.item(id.as_str()) {
        Some(Item::Element(e)) => {
            (e.label.clone(), Edit::UpdateElement(Element { label: label.to_owned(), ..e.clone() }))
        }
        Some(Item::Boundary(b)) => {
            (b.label.clone(), Edit::UpdateBoundary(Boundary { label: label.to_owned(), ..b.clone() }))
        }
        Some(Item::Flow(f)) => (f.label.clone(), Edit::UpdateFlow(Flow { label: label.to_owned(), ..f.clone() })),
        None => return,
    };
    if old_label == label {
        return;
    }
    let mut edits = vec![edit];
    let is_flow = ix.flow(id.as_str()).is_some();
    let mut new_id = id.clone();
    if !is_flow && !label.is_empty() && id_follows_label(id, &old_label) {
        let base = Id::slug(label, id.as_str());
        let candidate = Id::unique(&base, |s| s != id.as_str() && ix.is_taken(s));
        if candidate != *id {
            edits.push(Edit::Rename { from: id.clone(), to: candidate.clone() });
            new_id = candidate;
        }
    }
    let shown = if old_label.is_empty() { id.to_string() } else { old_label };
    if app.apply(Edit::Batch { label: format!("Rename {shown} → {label}"), edits }) {
        for s in &mut app.selection {
            if s == id {
                s.clone_from(&new_id);
            }
        }
    }
}
