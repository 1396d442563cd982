//! The status bar: counts, the hovered item, the zoom, and the latest message.

use egui::RichText;

use super::app::ThreatboardApp;
use crate::model::{Document, Item, Status};

/// The status bar.
pub fn status_bar_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    let doc = &app.session.doc;
    ui.horizontal(|ui| {
        let open = doc.threats.iter().filter(|t| t.status == Status::Open).count();
        ui.label(format!(
            "{} elements · {} flows · {} boundaries · {} threats ({open} open)",
            doc.elements.len(),
            doc.flows.len(),
            doc.boundaries.len(),
            doc.threats.len()
        ));
        ui.separator();
        // Looked up without an `Index`: building one each frame costs a large model a millisecond.
        if let Some(item) = app.hover.as_ref().and_then(|h| find_item(doc, h.as_str())) {
            let text = match item {
                Item::Element(e) => {
                    let inside = e
                        .boundary
                        .as_ref()
                        .and_then(|b| doc.boundaries.iter().find(|x| x.id == *b))
                        .map(|b| format!(" in {}", if b.label.is_empty() { b.id.as_str() } else { &b.label }));
                    format!("{} — {}{}", item.display_name(), e.kind.title(), inside.unwrap_or_default())
                }
                Item::Flow(f) => {
                    format!("{} — flow {} → {} ({})", f.id, f.from, f.to, crate::model::encryption(f).as_str())
                }
                Item::Boundary(_) => format!("{} — trust boundary", item.display_name()),
            };
            ui.label(text);
            ui.separator();
        }
        ui.label(format!("{:.0}%", app.view.zoom * 100.0));
        if let Some(n) = app.notice.clone() {
            ui.separator();
            let colour = if n.error { ui.visuals().error_fg_color } else { ui.visuals().weak_text_color() };
            ui.label(RichText::new(&n.text).color(colour));
            if ui.small_button("x").on_hover_text("Dismiss").clicked() {
                app.notice = None;
            }
        }
    });
}

/// The item with this id, found by a scan (the hovered item changes too often for an index to pay).
fn find_item<'a>(doc: &'a Document, id: &str) -> Option<Item<'a>> {
    doc.elements
        .iter()
        .find(|e| e.id.as_str() == id)
        .map(Item::Element)
        .or_else(|| doc.flows.iter().find(|f| f.id.as_str() == id).map(Item::Flow))
        .or_else(|| doc.boundaries.iter().find(|b| b.id.as_str() == id).map(Item::Boundary))
}
