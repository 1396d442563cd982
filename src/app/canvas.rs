//! The canvas: pointer interaction (select, move, connect, rubber band, pan, zoom, rename in place)
//! turned into edits, and the painting of the scene.

use egui::{Key, PointerButton, Pos2, Rect, Sense, Stroke, Vec2};

use super::actions;
use super::app::ThreatboardApp;
use super::paint::{Marks, connect_handle, paint_scene};
use super::scene::BOUNDARY_LABEL_INSET;
use super::theme::Palette;
use super::view::View;
use crate::model::geometry::boundary_rects;
use crate::model::{Edit, Id, Index};

/// Grid step in canvas units, for drawing and snapping.
pub const GRID: f32 = 20.0;
/// Pointer slop for hitting a flow, in screen points.
const HIT_SLOP: f32 = 6.0;
/// Distance from the connect handle that starts a flow drag, in screen points.
const HANDLE_SLOP: f32 = 9.0;

/// What a drag on the canvas is doing.
#[derive(Debug, Default, Clone)]
pub enum Drag {
    /// Nothing.
    #[default]
    None,
    /// Moving elements and boundaries; one undo step.
    Move {
        /// What moves.
        ids: Vec<Id>,
        /// The element whose position snaps.
        anchor: Option<(Id, Pos2)>,
        /// Pointer travel so far, canvas units.
        total: Vec2,
        /// History key merging the drag into one step.
        key: u64,
        /// Boxes to drop into, innermost first, computed without the moved elements.
        drop_rects: Vec<(Id, Rect)>,
        /// The box the anchor would drop into now.
        drop: Option<Id>,
    },
    /// Drawing a new flow from an element.
    Connect {
        /// The source element.
        from: Id,
    },
    /// Selecting with a rectangle (canvas units).
    Band {
        /// Where it started.
        start: Pos2,
        /// Add to the selection instead of replacing it.
        add: bool,
    },
    /// Moving the view.
    Pan,
}

/// Renaming an item in place, over the canvas.
#[derive(Debug, Clone)]
pub struct InPlaceRename {
    /// What is being renamed.
    pub id: Id,
    /// The text typed so far.
    pub text: String,
    /// Focus has been given to the field.
    pub focused: bool,
}

/// The canvas area: input first, then painting.
pub fn canvas_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    app.canvas_rect = rect;
    let refit = app.fitted.is_some_and(|(area, view)| area != rect && view == app.view);
    if (app.fit_pending || refit) && rect.width() > 50.0 && rect.height() > 50.0 {
        zoom_to_fit(app);
        app.fit_pending = false;
    }
    if app.fitted.is_some_and(|(_, view)| view != app.view) {
        app.fitted = None;
    }
    if std::mem::take(&mut app.fit_check)
        && let Some(b) = app.scene.bounds
        && !rect.contains_rect(app.view.rect_to_screen(rect.min, b))
    {
        zoom_to_fit(app);
    }
    let origin = rect.min;
    zoom_and_scroll(app, ui, &response, origin);

    let hover_pos = response.hover_pos();
    let slop = HIT_SLOP / app.view.zoom;
    app.hover = if matches!(app.drag, Drag::None | Drag::Connect { .. }) {
        hover_pos.and_then(|p| app.scene.hit(app.view.to_canvas(origin, p), slop).cloned())
    } else {
        app.hover.clone()
    };

    drag_input(app, ui, &response, origin);
    click_input(app, ui, &response, origin);
    response.context_menu(|ui| super::menus::context_menu_ui(app, ui));

    let palette = Palette::new(ui.visuals().dark_mode);
    let painter = ui.painter_at(rect);
    let drop = match &app.drag {
        Drag::Move { drop, .. } => drop.clone(),
        _ => None,
    };
    let hover_is_element = app.hover.as_ref().is_some_and(|h| app.scene.element(h).is_some());
    let marks = Marks {
        selection: &app.selection,
        hover: app.hover.as_ref(),
        drop_target: drop.as_ref(),
        handle: hover_is_element && matches!(app.drag, Drag::None),
        compare: app.comparison().map(super::compare::Comparison::overlay),
    };
    paint_scene(&painter, rect, &app.view, &app.scene, &palette, marks, app.settings.grid);
    overlay(app, ui, &painter, origin, &palette);
    rename_ui(app, ui, origin);
    if app.session.doc.elements.is_empty() && app.rename.is_none() {
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "Type a line below, e.g.  agentk -grpcs-> nginx\nor press E, P or S to add an external entity, process or data store",
            egui::FontId::proportional(15.0),
            palette.muted,
        );
    }
}

fn zoom_and_scroll(app: &mut ThreatboardApp, ui: &egui::Ui, response: &egui::Response, origin: Pos2) {
    if !response.hovered() {
        return;
    }
    let (scroll, zoom_delta, pointer) = ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta(), i.pointer.hover_pos()));
    let Some(p) = pointer else { return };
    let factor = zoom_delta * (scroll.y * 0.002).exp();
    if (factor - 1.0).abs() > 1e-4 {
        app.view.zoom_around(origin, p, factor);
    }
    app.view.pan.x += scroll.x;
}

/// Zooms and pans so the whole diagram fits the canvas.
pub fn zoom_to_fit(app: &mut ThreatboardApp) {
    // Leave the bottom strip to the legend so it covers nothing.
    let legend = super::paint::legend_height(&app.scene);
    let mut area = app.canvas_rect;
    area.max.y -= legend;
    app.view = match app.scene.bounds {
        Some(b) if area.is_positive() => View::fit(b, area),
        _ => View::default(),
    };
    app.fitted = Some((app.canvas_rect, app.view));
}

fn snap(p: Pos2) -> Pos2 {
    Pos2::new((p.x / GRID).round() * GRID, (p.y / GRID).round() * GRID)
}

fn drag_input(app: &mut ThreatboardApp, ui: &egui::Ui, response: &egui::Response, origin: Pos2) {
    let (press, modifiers, pointer) = ui.input(|i| (i.pointer.press_origin(), i.modifiers, i.pointer.interact_pos()));
    if response.drag_started_by(PointerButton::Middle) || response.drag_started_by(PointerButton::Secondary) {
        app.drag = if response.drag_started_by(PointerButton::Secondary) {
            Drag::Band { start: app.view.to_canvas(origin, press.unwrap_or(origin)), add: modifiers.shift }
        } else {
            Drag::Pan
        };
    } else if response.drag_started_by(PointerButton::Primary) {
        let at = press.unwrap_or(origin);
        app.drag = start_drag(app, at, origin, modifiers);
    }

    let mut drag = std::mem::take(&mut app.drag);
    match &mut drag {
        Drag::None | Drag::Connect { .. } | Drag::Band { .. } => {}
        Drag::Pan => app.view.pan += response.drag_delta(),
        Drag::Move { ids, anchor, total, key, drop_rects, drop } => {
            *total += response.drag_delta() / app.view.zoom;
            if let Some((anchor_id, start)) = anchor {
                let mut target = *start + *total;
                if app.settings.snap {
                    target = snap(target);
                }
                let current = Index::new(&app.session.doc)
                    .element(anchor_id.as_str())
                    .map(|e| Pos2::new(e.at.x as f32, e.at.y as f32));
                if let Some(current) = current {
                    let d = target - current;
                    if d.length() > 0.01 {
                        app.apply_keyed(
                            Edit::Move { ids: ids.clone(), dx: f64::from(d.x), dy: f64::from(d.y) },
                            Some(*key),
                        );
                    }
                    *drop = drop_rects.iter().find(|(_, r)| r.contains(target)).map(|(id, _)| id.clone());
                }
            }
        }
    }
    if response.drag_stopped() {
        finish_drag(app, &drag, pointer, origin);
        drag = Drag::None;
        app.session.history.seal();
    }
    app.drag = drag;
}

fn start_drag(app: &mut ThreatboardApp, at: Pos2, origin: Pos2, modifiers: egui::Modifiers) -> Drag {
    let at_canvas = app.view.to_canvas(origin, at);
    let hit = app.scene.hit(at_canvas, HIT_SLOP / app.view.zoom).cloned();
    let Some(id) = hit else {
        return if modifiers.shift || modifiers.command {
            Drag::Band { start: at_canvas, add: modifiers.shift }
        } else {
            Drag::Pan
        };
    };
    if let Some(e) = app.scene.element(&id) {
        let r = app.view.rect_to_screen(origin, e.rect);
        if modifiers.alt || modifiers.command || (connect_handle(r) - at).length() <= HANDLE_SLOP {
            return Drag::Connect { from: id };
        }
    }
    let ix = Index::new(&app.session.doc);
    if ix.flow(id.as_str()).is_some() {
        app.selection = vec![id];
        return Drag::Pan;
    }
    if !app.selection.contains(&id) {
        if modifiers.shift {
            app.selection.push(id.clone());
        } else {
            app.selection = vec![id.clone()];
        }
    }
    let ids: Vec<Id> = app.selection.iter().filter(|s| ix.flow(s.as_str()).is_none()).cloned().collect();
    let anchor = ix
        .element(id.as_str())
        .or_else(|| app.session.doc.elements.iter().find(|e| ix.boundary_chain(e).iter().any(|b| b.id == id)))
        .map(|e| (e.id.clone(), Pos2::new(e.at.x as f32, e.at.y as f32)));
    let only_elements = ids.iter().all(|i| ix.element(i.as_str()).is_some());
    let drop_rects = if only_elements { drop_rects(app, &ids) } else { Vec::new() };
    app.drag_serial += 1;
    Drag::Move { ids, anchor, total: Vec2::ZERO, key: (1 << 63) | app.drag_serial, drop_rects, drop: None }
}

/// Boundary boxes as they would be without the moved elements (or as they are, for a box that would
/// be empty), smallest first so the innermost containing box wins.
fn drop_rects(app: &ThreatboardApp, moved: &[Id]) -> Vec<(Id, Rect)> {
    let mut without = app.session.doc.clone();
    without.elements.retain(|e| !moved.contains(&e.id));
    let after = boundary_rects(&without);
    let before = boundary_rects(&app.session.doc);
    let mut out: Vec<(Id, Rect)> =
        before.iter().map(|(id, r)| (id.clone(), super::scene::to_rect(after.get(id).unwrap_or(r)))).collect();
    out.sort_by(|a, b| (a.1.area()).total_cmp(&b.1.area()));
    out
}

fn finish_drag(app: &mut ThreatboardApp, drag: &Drag, pointer: Option<Pos2>, origin: Pos2) {
    match drag {
        Drag::Move { ids, key, drop_rects, anchor: Some(_), .. } if !drop_rects.is_empty() => {
            let doc = &app.session.doc;
            let mut changes: Vec<(Option<Id>, Vec<Id>)> = Vec::new();
            for e in doc.elements.iter().filter(|e| ids.contains(&e.id)) {
                let p = Pos2::new(e.at.x as f32, e.at.y as f32);
                let target = drop_rects.iter().find(|(_, r)| r.contains(p)).map(|(id, _)| id.clone());
                if target != e.boundary {
                    match changes.iter_mut().find(|(t, _)| *t == target) {
                        Some((_, list)) => list.push(e.id.clone()),
                        None => changes.push((target, vec![e.id.clone()])),
                    }
                }
            }
            for (boundary, ids) in changes {
                app.apply_keyed(Edit::SetBoundary { ids, boundary }, Some(*key));
            }
        }
        Drag::Connect { from } => {
            let target = pointer
                .and_then(|p| app.scene.hit(app.view.to_canvas(origin, p), 1.0).cloned())
                .filter(|t| t != from && app.scene.element(t).is_some());
            if let Some(to) = target {
                actions::connect(app, from, &to);
            }
        }
        Drag::Band { start, add } => {
            if let Some(p) = pointer {
                let r = Rect::from_two_pos(*start, app.view.to_canvas(origin, p));
                let ids = app.scene.elements_in(r);
                if *add {
                    for id in ids {
                        if !app.selection.contains(&id) {
                            app.selection.push(id);
                        }
                    }
                } else {
                    app.selection = ids;
                }
            }
        }
        _ => {}
    }
}

fn click_input(app: &mut ThreatboardApp, ui: &egui::Ui, response: &egui::Response, origin: Pos2) {
    let Some(p) = response.interact_pointer_pos() else { return };
    let hit = app.scene.hit(app.view.to_canvas(origin, p), HIT_SLOP / app.view.zoom).cloned();
    let shift = ui.input(|i| i.modifiers.shift);
    if response.double_clicked() {
        if let Some(id) = hit {
            app.selection = vec![id.clone()];
            start_rename(app, &id);
        }
    } else if response.clicked() {
        match hit {
            Some(id) if shift => {
                if let Some(i) = app.selection.iter().position(|s| *s == id) {
                    app.selection.remove(i);
                } else {
                    app.selection.push(id);
                }
            }
            Some(id) => app.selection = vec![id],
            None if !shift => app.selection.clear(),
            None => {}
        }
        app.id_buffer = None;
    } else if response.secondary_clicked()
        && let Some(id) = hit
        && !app.selection.contains(&id)
    {
        app.selection = vec![id];
    }
}

/// Starts renaming `id` in place.
pub fn start_rename(app: &mut ThreatboardApp, id: &Id) {
    let ix = Index::new(&app.session.doc);
    let text = match ix.item(id.as_str()) {
        Some(crate::model::Item::Element(e)) => e.label.clone(),
        Some(crate::model::Item::Flow(f)) => f.label.clone(),
        Some(crate::model::Item::Boundary(b)) => b.label.clone(),
        None => return,
    };
    app.rename = Some(InPlaceRename { id: id.clone(), text, focused: false });
}

fn rename_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, origin: Pos2) {
    let Some(mut rename) = app.rename.take() else { return };
    let canvas_rect = if let Some(e) = app.scene.element(&rename.id) {
        Some(e.rect)
    } else if let Some(b) = app.scene.boundaries.iter().find(|b| b.id == rename.id) {
        // Over the label, where it starts.
        let left = b.rect.min + Vec2::new(b.label_dx - BOUNDARY_LABEL_INSET, 0.0);
        Some(Rect::from_min_size(left, Vec2::new((b.rect.max.x - left.x).min(220.0), 24.0)))
    } else {
        app.scene
            .flows
            .iter()
            .find(|f| f.id == rename.id)
            .map(|f| Rect::from_center_size(f.label_at(), Vec2::new(180.0, 22.0)))
    };
    let Some(canvas_rect) = canvas_rect else { return };
    let mut r = app.view.rect_to_screen(origin, canvas_rect);
    r = Rect::from_center_size(r.center(), Vec2::new(r.width().max(160.0), 26.0));
    let edit =
        egui::TextEdit::singleline(&mut rename.text).horizontal_align(egui::Align::Center).id_salt("rename_in_place");
    let resp = ui.put(r, edit);
    if !rename.focused {
        resp.request_focus();
        if let Some(mut state) = egui::TextEdit::load_state(ui.ctx(), resp.id) {
            let all = egui::text::CCursorRange::two(
                egui::text::CCursor::new(0),
                egui::text::CCursor::new(rename.text.chars().count()),
            );
            state.cursor.set_char_range(Some(all));
            state.store(ui.ctx(), resp.id);
        }
        rename.focused = true;
        app.rename = Some(rename);
        return;
    }
    if resp.lost_focus() {
        if !ui.input(|i| i.key_pressed(Key::Escape)) {
            actions::rename(app, &rename.id, rename.text.trim());
        }
    } else {
        app.rename = Some(rename);
    }
}

fn overlay(app: &ThreatboardApp, ui: &egui::Ui, painter: &egui::Painter, origin: Pos2, palette: &Palette) {
    let pointer_pos = ui.input(|i| i.pointer.interact_pos());
    match &app.drag {
        Drag::Connect { from } => {
            if let (Some(e), Some(p)) = (app.scene.element(from), pointer_pos) {
                let a = app.view.to_screen(origin, e.rect.center());
                painter.extend(egui::Shape::dashed_line(&[a, p], Stroke::new(2.0, palette.selection), 6.0, 4.0));
                painter.circle_filled(p, 4.0, palette.selection);
            }
        }
        Drag::Band { start, .. } => {
            if let Some(p) = pointer_pos {
                let r = Rect::from_two_pos(app.view.to_screen(origin, *start), p);
                painter.rect_filled(r, 0.0, palette.selection.gamma_multiply(0.12));
                painter.rect_stroke(r, 0.0, Stroke::new(1.0, palette.selection), egui::StrokeKind::Inside);
            }
        }
        _ => {}
    }
}
