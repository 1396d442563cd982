//! Painting the scene: DFD shapes, culled to the visible area, with labels dropped when unreadably small
//! and dash counts bounded however far the view is zoomed.

use egui::{Align2, Color32, CornerRadius, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, Vec2};

use super::scene::{BoundaryShape, ElementShape, FlowShape, PlacedLabel, Scene};
use super::theme::{Palette, legend_text, severity_colour};
use super::view::View;
use crate::model::{ElementKind, Encryption, Id};

/// Label text smaller than this many screen points is not drawn.
const MIN_TEXT: f32 = 6.0;
/// Canvas font size of labels.
const LABEL_SIZE: f32 = 13.0;
/// Boundary dash and gap, in screen points (constant, so dash counts do not grow with zoom).
const BOUNDARY_DASH: (f32, f32) = (9.0, 5.0);
/// Elements drawn shorter than this many screen points are plain blocks, without outline or label.
const TINY_ELEMENT: f32 = 10.0;
/// Arrowheads smaller than this many screen points are left out (the view is an overview by then).
const MIN_ARROWHEAD: f32 = 3.5;
/// Most boundary dashes drawn in one frame: beyond it, dashes get longer rather than more numerous, so a
/// zoomed-out view of hundreds of boundaries costs no more than a close one.
const MAX_BOUNDARY_DASHES: f32 = 1000.0;
/// Out-of-scope dot and gap, in screen points.
const DOTTED: (f32, f32) = (2.0, 4.0);

/// What the canvas highlights this frame.
#[derive(Debug, Default, Clone, Copy)]
pub struct Marks<'a> {
    /// Selected ids.
    pub selection: &'a [Id],
    /// The item under the pointer.
    pub hover: Option<&'a Id>,
    /// The boundary a dragged element would drop into.
    pub drop_target: Option<&'a Id>,
    /// Show the connect handle on the hovered element.
    pub handle: bool,
    /// A comparison drawn over the diagram: bands behind added and changed items, ghosts of removed ones.
    pub compare: Option<super::compare::Overlay<'a>>,
}

/// Paints `scene` into `area` (screen) as seen through `view`.
pub fn paint_scene(
    painter: &Painter,
    area: Rect,
    view: &View,
    scene: &Scene,
    palette: &Palette,
    marks: Marks<'_>,
    grid: bool,
) {
    let mut shapes: Vec<Shape> = Vec::with_capacity(scene.elements.len() * 3 + scene.flows.len() * 3);
    shapes.push(Shape::rect_filled(area, 0.0, palette.background));
    if grid {
        grid_shapes(&mut shapes, area, view, palette);
    }
    if let Some(c) = marks.compare {
        // Removed items, where the old version had them, under everything else.
        let ghost_palette = super::compare::Overlay::ghost_palette(palette, painter.ctx().theme() == egui::Theme::Dark);
        items(painter, &mut shapes, area, view, c.ghosts(), &ghost_palette, Marks::default());
    }
    items(painter, &mut shapes, area, view, scene, palette, marks);
    painter.extend(shapes);
    legend(painter, area, scene, palette);
}

/// The diagram's items, in painting order.
fn items(
    painter: &Painter,
    shapes: &mut Vec<Shape>,
    area: Rect,
    view: &View,
    scene: &Scene,
    palette: &Palette,
    marks: Marks<'_>,
) {
    let clip = area.expand(16.0);
    let selected = |id: &Id| marks.selection.contains(id);
    let dark = painter.ctx().theme() == egui::Theme::Dark;
    let dimmed = marks.compare.map(|_| super::compare::dimmed_palette(palette));
    let palette_of = |id: &Id| match (&dimmed, marks.compare) {
        (Some(d), Some(c)) if c.dimmed(id) => d,
        _ => palette,
    };
    let tint = |id: &Id| marks.compare.and_then(|c| c.tint(id, dark));
    let dash = boundary_dash(scene, view, area, clip);
    for b in &scene.boundaries {
        let r = view.rect_to_screen(area.min, b.rect);
        if r.intersects(clip) {
            if let Some(t) = tint(&b.id) {
                shapes.push(Shape::rect_stroke(
                    r,
                    8.0 * view.zoom,
                    Stroke::new(5.0, t.gamma_multiply(0.5)),
                    StrokeKind::Middle,
                ));
            }
            boundary_shapes(
                painter,
                shapes,
                clip,
                r,
                b,
                palette_of(&b.id),
                view.zoom,
                selected(&b.id) || marks.drop_target == Some(&b.id),
                dash,
            );
        }
    }
    for f in &scene.flows {
        if !view.rect_to_screen(area.min, f.bounds()).expand(40.0).intersects(clip) {
            continue;
        }
        let pts: Vec<Pos2> = f.path.iter().map(|p| view.to_screen(area.min, *p)).collect();
        if let Some(t) = tint(&f.id) {
            shapes.push(Shape::line(
                pts.clone(),
                Stroke::new((10.0 * view.zoom.sqrt()).clamp(4.0, 14.0), t.gamma_multiply(0.4)),
            ));
        }
        let p = palette_of(&f.id);
        flow_shapes(shapes, clip, &pts, f, p, view.zoom, selected(&f.id), marks.hover == Some(&f.id));
    }
    for e in &scene.elements {
        let r = view.rect_to_screen(area.min, e.rect);
        if r.intersects(clip) {
            let hovered = marks.hover == Some(&e.id);
            if let Some(t) = tint(&e.id) {
                shapes.push(Shape::rect_filled(r.expand(6.0), 10.0, t.gamma_multiply(0.45)));
            }
            element_shapes(painter, shapes, r, e, palette_of(&e.id), view.zoom, selected(&e.id), hovered);
            if hovered && marks.handle && view.zoom > 0.3 {
                let h = connect_handle(r);
                shapes.push(Shape::circle_filled(h, 5.0, palette.selection));
                shapes.push(Shape::circle_stroke(h, 5.0, Stroke::new(1.5, palette.background)));
            }
        }
    }
    // Flow labels and badges go above the elements, so a box never hides them.
    for f in &scene.flows {
        if let Some(l) = &f.placed {
            placed_label_shapes(painter, shapes, clip, area.min, view, l, f, palette_of(&f.id));
        } else {
            let at = view.to_screen(area.min, f.label_at());
            flow_label_shapes(painter, shapes, clip, at, f, palette_of(&f.id), view.zoom);
        }
    }
}

/// Where the connect handle of an element drawn at `r` (screen) sits.
pub fn connect_handle(r: Rect) -> Pos2 {
    Pos2::new(r.right(), r.center().y)
}

fn font(size: f32, zoom: f32) -> Option<FontId> {
    let px = (size * zoom * 2.0).round() / 2.0;
    (px >= MIN_TEXT).then(|| FontId::proportional(px.min(64.0)))
}

fn grid_shapes(shapes: &mut Vec<Shape>, area: Rect, view: &View, palette: &Palette) {
    let step = [20.0_f32, 100.0, 500.0].into_iter().find(|s| s * view.zoom >= 12.0);
    let Some(step) = step else { return };
    let lo = view.to_canvas(area.min, area.min);
    let hi = view.to_canvas(area.min, area.max);
    let stroke = Stroke::new(1.0, palette.grid);
    let mut x = (lo.x / step).floor() * step;
    while x <= hi.x {
        let sx = view.to_screen(area.min, Pos2::new(x, 0.0)).x;
        shapes.push(Shape::line_segment([Pos2::new(sx, area.top()), Pos2::new(sx, area.bottom())], stroke));
        x += step;
    }
    let mut y = (lo.y / step).floor() * step;
    while y <= hi.y {
        let sy = view.to_screen(area.min, Pos2::new(0.0, y)).y;
        shapes.push(Shape::line_segment([Pos2::new(area.left(), sy), Pos2::new(area.right(), sy)], stroke));
        y += step;
    }
}

/// Clips the segment to `clip` (Liang–Barsky); returns the part inside and how far along it starts.
fn clip_segment(a: Pos2, b: Pos2, clip: Rect) -> Option<(Pos2, Pos2, f32)> {
    let d = b - a;
    let (mut t0, mut t1) = (0.0_f32, 1.0_f32);
    for (p, q) in
        [(-d.x, a.x - clip.left()), (d.x, clip.right() - a.x), (-d.y, a.y - clip.top()), (d.y, clip.bottom() - a.y)]
    {
        if p.abs() < 1e-9 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then(|| (a + d * t0, a + d * t1, d.length() * t0))
}

fn dashed(shapes: &mut Vec<Shape>, clip: Rect, a: Pos2, b: Pos2, stroke: Stroke, (dash, gap): (f32, f32)) {
    if let Some((ca, cb, along)) = clip_segment(a, b, clip) {
        Shape::dashed_line_many_with_offset(&[ca, cb], stroke, &[dash], &[gap], along % (dash + gap), shapes);
    }
}

/// The dash and gap for boundary outlines this frame: [`BOUNDARY_DASH`], stretched when the visible
/// outlines are long enough together to need more than [`MAX_BOUNDARY_DASHES`].
fn boundary_dash(scene: &Scene, view: &View, area: Rect, clip: Rect) -> (f32, f32) {
    let perimeter: f32 = scene
        .boundaries
        .iter()
        .map(|b| view.rect_to_screen(area.min, b.rect))
        .filter(|r| r.intersects(clip) && r.width() >= 48.0 && r.height() >= 48.0)
        .map(|r| {
            let r = r.intersect(clip);
            2.0 * (r.width() + r.height())
        })
        .sum();
    let (dash, gap) = BOUNDARY_DASH;
    let stretch = (perimeter / (dash + gap) / MAX_BOUNDARY_DASHES).max(1.0);
    (dash * stretch, gap * stretch)
}

#[allow(clippy::too_many_arguments, clippy::many_single_char_names)] // flat drawing state; l/t/r/b are edges
fn boundary_shapes(
    painter: &Painter,
    shapes: &mut Vec<Shape>,
    clip: Rect,
    r: Rect,
    b: &BoundaryShape,
    palette: &Palette,
    zoom: f32,
    highlighted: bool,
    dash: (f32, f32),
) {
    let width = if highlighted { 2.5 } else { 1.6 };
    let stroke = Stroke::new(width, palette.boundary);
    if highlighted {
        shapes.push(Shape::rect_filled(r, 8.0 * zoom, palette.boundary.gamma_multiply(0.08)));
    }
    if r.width() < 48.0 || r.height() < 48.0 {
        // Too small for dashes to read: a thin solid outline, one shape.
        shapes.push(Shape::rect_stroke(r, 2.0, Stroke::new(1.0, palette.boundary), StrokeKind::Middle));
    } else {
        let c = (10.0 * zoom).clamp(2.0, 16.0);
        let (l, t, rt, bt) = (r.left(), r.top(), r.right(), r.bottom());
        dashed(shapes, clip, Pos2::new(l + c, t), Pos2::new(rt - c, t), stroke, dash);
        dashed(shapes, clip, Pos2::new(rt, t + c), Pos2::new(rt, bt - c), stroke, dash);
        dashed(shapes, clip, Pos2::new(rt - c, bt), Pos2::new(l + c, bt), stroke, dash);
        dashed(shapes, clip, Pos2::new(l, bt - c), Pos2::new(l, t + c), stroke, dash);
        for (centre, start) in [
            (Pos2::new(l + c, t + c), 180.0_f32),
            (Pos2::new(rt - c, t + c), 270.0),
            (Pos2::new(rt - c, bt - c), 0.0),
            (Pos2::new(l + c, bt - c), 90.0),
        ] {
            if clip.contains(centre) {
                let pts: Vec<Pos2> = (0..=4)
                    .map(|i| {
                        let a = (start + 22.5 * i as f32).to_radians();
                        centre + Vec2::new(a.cos(), a.sin()) * c
                    })
                    .collect();
                shapes.push(Shape::line(pts, stroke));
            }
        }
    }
    if let Some(f) = font(LABEL_SIZE, zoom) {
        let pos = Pos2::new(r.left() + b.label_dx * zoom, r.top() + 6.0 * zoom);
        if clip.contains(pos) {
            let galley = painter.layout_no_wrap(
                b.label.clone(),
                FontId::new(f.size, egui::FontFamily::Proportional),
                palette.boundary,
            );
            shapes.push(Shape::galley(pos, galley, palette.boundary));
        }
    }
}

/// Dashes along the polyline `pts`, only where it crosses `clip`, the pattern running on unbroken from
/// one segment to the next.
fn dashed_path(shapes: &mut Vec<Shape>, clip: Rect, pts: &[Pos2], stroke: Stroke, (dash, gap): (f32, f32)) {
    let mut along = 0.0;
    for w in pts.windows(2) {
        if let Some((ca, cb, into)) = clip_segment(w[0], w[1], clip) {
            let offset = (along + into) % (dash + gap);
            Shape::dashed_line_many_with_offset(&[ca, cb], stroke, &[dash], &[gap], offset, shapes);
        }
        along += (w[1] - w[0]).length();
    }
}

#[allow(clippy::too_many_arguments)] // one shape's worth of drawing state, kept flat for speed
fn flow_shapes(
    shapes: &mut Vec<Shape>,
    clip: Rect,
    pts: &[Pos2],
    f: &FlowShape,
    palette: &Palette,
    zoom: f32,
    selected: bool,
    hovered: bool,
) {
    let [first, second, ..] = pts else { return };
    let [.., before_tip, tip] = pts else { return };
    let colour = palette.flow(f.encryption, f.out_of_scope);
    let base = match f.encryption {
        Encryption::Encrypted => 2.4,
        _ => 1.5,
    };
    let width = (base * zoom.sqrt()).clamp(0.6, 4.0);
    let stroke = Stroke::new(width, colour);
    if selected || hovered {
        let halo = if selected { palette.selection } else { palette.hover };
        shapes.push(Shape::line(pts.to_vec(), Stroke::new(width + 5.0, halo.gamma_multiply(0.45))));
    }
    if f.out_of_scope {
        dashed_path(shapes, clip, pts, Stroke::new(width.max(1.4), colour), DOTTED);
    } else if pts.len() == 2 {
        if let Some((ca, cb, _)) = clip_segment(*first, *tip, clip) {
            shapes.push(Shape::line_segment([ca, cb], stroke));
        }
    } else {
        shapes.push(Shape::line(pts.to_vec(), stroke));
    }
    let head = (9.0 * zoom.sqrt()).min(14.0);
    if head < MIN_ARROWHEAD {
        return;
    }
    if clip.contains(*tip) {
        shapes.push(arrow_head(*before_tip, *tip, head, colour));
    }
    if f.bidirectional && clip.contains(*first) {
        shapes.push(arrow_head(*second, *first, head, colour));
    }
}

/// A flow label laid out as the exports lay it out: its box, its lines, the protocol in the flow's colour
/// after a padlock when encrypted, and the threat badge at the box's top-right corner.
#[allow(clippy::too_many_arguments)] // one label's worth of drawing state, kept flat for speed
fn placed_label_shapes(
    painter: &Painter,
    shapes: &mut Vec<Shape>,
    clip: Rect,
    origin: Pos2,
    view: &View,
    l: &PlacedLabel,
    f: &FlowShape,
    palette: &Palette,
) {
    let r = view.rect_to_screen(origin, l.rect);
    if !r.intersects(clip) {
        return;
    }
    let colour = palette.flow(f.encryption, f.out_of_scope);
    if let Some(fid) = font(l.size, view.zoom) {
        shapes.push(Shape::rect_filled(r, 3.0 * view.zoom, palette.label_bg.gamma_multiply(0.92)));
        let text_colour = if f.out_of_scope { palette.muted } else { palette.ink };
        let mut line = |text: &str, at: Pos2, c: Color32| {
            let galley = painter.layout_no_wrap(text.to_owned(), fid.clone(), c);
            let pos = Align2::CENTER_CENTER.anchor_size(view.to_screen(origin, at), galley.size()).min;
            shapes.push(Shape::galley(pos, galley, c));
        };
        for (text, at) in &l.lines {
            line(text, *at, text_colour);
        }
        if let Some((text, at)) = &l.protocol {
            line(text, *at, colour);
        }
        if let Some(lock) = l.lock {
            padlock(shapes, view.rect_to_screen(origin, lock), colour, view.zoom);
        }
    }
    if let Some((n, worst)) = f.badge {
        badge(painter, shapes, r.right_top(), n, severity_colour(worst), view.zoom);
    }
}

/// A closed padlock in `r` (screen): a filled body under a round shackle, as the exports draw it.
fn padlock(shapes: &mut Vec<Shape>, r: Rect, colour: Color32, zoom: f32) {
    let body = Rect::from_min_max(Pos2::new(r.left(), r.top() + r.height() * 0.4), r.max);
    shapes.push(Shape::rect_filled(body, 1.0 * zoom, colour));
    let c = Pos2::new(r.center().x, r.top() + r.height() * 0.26);
    let radius = r.width() * 0.28;
    let pts: Vec<Pos2> = (0..=8)
        .map(|i| {
            let a = std::f32::consts::PI * (1.0 + i as f32 / 8.0);
            c + Vec2::new(a.cos(), a.sin()) * radius
        })
        .collect();
    let mut shackle = vec![Pos2::new(c.x - radius, body.top())];
    shackle.extend(pts);
    shackle.push(Pos2::new(c.x + radius, body.top()));
    shapes.push(Shape::line(shackle, Stroke::new((1.3 * zoom).max(0.8), colour)));
}

fn flow_label_shapes(
    painter: &Painter,
    shapes: &mut Vec<Shape>,
    clip: Rect,
    mid: Pos2,
    f: &FlowShape,
    palette: &Palette,
    zoom: f32,
) {
    if !clip.contains(mid) {
        return;
    }
    let mut badge_at = mid + Vec2::new(0.0, -14.0 * zoom.max(0.5));
    if !f.text.is_empty()
        && let Some(fid) = font(LABEL_SIZE - 1.5, zoom)
    {
        let lock = match (f.out_of_scope, f.encryption) {
            (false, Encryption::Encrypted) => "🔒 ",
            (false, Encryption::Plain) => "🔓 ",
            _ => "",
        };
        let text_colour = if f.out_of_scope { palette.muted } else { palette.ink };
        let galley = painter.layout_no_wrap(format!("{lock}{}", f.text), fid, text_colour);
        let rect = Align2::CENTER_CENTER.anchor_size(mid, galley.size());
        shapes.push(Shape::rect_filled(rect.expand(2.0), 3.0, palette.label_bg));
        shapes.push(Shape::galley(rect.min, galley, text_colour));
        badge_at = rect.right_center() + Vec2::new(10.0, 0.0);
    }
    if let Some((n, worst)) = f.badge {
        badge(painter, shapes, badge_at, n, severity_colour(worst), zoom);
    }
}

fn arrow_head(from: Pos2, tip: Pos2, size: f32, colour: Color32) -> Shape {
    let dir = (tip - from).normalized();
    let dir = if dir.is_finite() { dir } else { Vec2::X };
    let wing = Vec2::new(-dir.y, dir.x) * size * 0.5;
    let back = tip - dir * size;
    Shape::convex_polygon(vec![tip, back + wing, back - wing], colour, Stroke::NONE)
}

fn badge(painter: &Painter, shapes: &mut Vec<Shape>, at: Pos2, n: usize, colour: Color32, zoom: f32) {
    let radius = (8.0 * zoom.sqrt()).clamp(3.0, 11.0);
    shapes.push(Shape::circle_filled(at, radius, colour));
    if radius >= 6.0 {
        let galley = painter.layout_no_wrap(n.to_string(), FontId::proportional(radius * 1.3), Color32::WHITE);
        let rect = Align2::CENTER_CENTER.anchor_size(at, galley.size());
        shapes.push(Shape::galley(rect.min, galley, Color32::WHITE));
    }
}

#[allow(clippy::too_many_arguments)] // one shape's worth of drawing state, kept flat for speed
fn element_shapes(
    painter: &Painter,
    shapes: &mut Vec<Shape>,
    r: Rect,
    e: &ElementShape,
    palette: &Palette,
    zoom: f32,
    selected: bool,
    hovered: bool,
) {
    let fill = match e.kind {
        ElementKind::External => palette.external_fill,
        ElementKind::Process => palette.process_fill,
        ElementKind::Store => palette.store_fill,
    };
    let ink = if e.out_of_scope { palette.muted } else { palette.ink };
    let radius: CornerRadius = match e.kind {
        ElementKind::Process => CornerRadius::from((r.height() * 0.4).min(255.0)),
        ElementKind::External => CornerRadius::from(1.0),
        ElementKind::Store => CornerRadius::ZERO,
    };
    if selected || hovered {
        let halo = if selected { palette.selection } else { palette.hover };
        shapes.push(Shape::rect_stroke(r.expand(4.0), radius, Stroke::new(2.0, halo), StrokeKind::Outside));
    }
    if r.height() < TINY_ELEMENT {
        // Too small to tell shapes apart: one plain block, a tenth of the vertices of a rounded outline.
        shapes.push(Shape::rect_filled(r, 0.0, ink.gamma_multiply(0.6)));
        return;
    }
    let stroke = Stroke::new((1.5 * zoom.sqrt()).clamp(0.7, 3.0), ink);
    shapes.push(Shape::rect_filled(r, radius, fill));
    match (e.kind, e.out_of_scope) {
        (ElementKind::Store, _) => {
            let inset = 2.0 * zoom;
            for y in [r.top(), r.bottom()] {
                let (a, b) = (Pos2::new(r.left() - inset, y), Pos2::new(r.right() + inset, y));
                if e.out_of_scope {
                    Shape::dashed_line_many(&[a, b], stroke, DOTTED.0, DOTTED.1, shapes);
                } else {
                    shapes.push(Shape::line_segment([a, b], stroke));
                }
            }
        }
        (_, true) => {
            let pts = [r.left_top(), r.right_top(), r.right_bottom(), r.left_bottom(), r.left_top()];
            Shape::dashed_line_many(&pts, stroke, DOTTED.0, DOTTED.1, shapes);
        }
        (_, false) => shapes.push(Shape::rect_stroke(r, radius, stroke, StrokeKind::Inside)),
    }
    if let Some(f) = font(LABEL_SIZE, zoom) {
        let galley = painter.layout(e.label.clone(), f, ink, r.width().max(8.0));
        let pos = Align2::CENTER_CENTER.anchor_size(r.center(), galley.size()).min;
        shapes.push(Shape::galley(pos, galley, ink));
    }
    if let Some((n, worst)) = e.badge {
        badge(painter, shapes, r.right_top() + Vec2::new(-2.0, 2.0), n, severity_colour(worst), zoom);
    }
}

const LEGEND_ROW: f32 = 18.0;

/// Screen height the legend takes at the bottom of the canvas (0 without one).
pub fn legend_height(scene: &Scene) -> f32 {
    let rows = scene.legend.len() + usize::from(!scene.boundaries.is_empty());
    if rows == 0 { 0.0 } else { LEGEND_ROW * rows as f32 + 22.0 }
}

fn legend(painter: &Painter, area: Rect, scene: &Scene, palette: &Palette) {
    if scene.legend.is_empty() && scene.boundaries.is_empty() {
        return;
    }
    let row = LEGEND_ROW;
    let size = Vec2::new(230.0, legend_height(scene) - 10.0);
    let rect = Rect::from_min_size(Pos2::new(area.left() + 10.0, area.bottom() - size.y - 10.0), size);
    painter.rect_filled(rect, 6.0, palette.label_bg);
    painter.rect_stroke(rect, 6.0, Stroke::new(1.0, palette.grid), StrokeKind::Inside);
    let mut y = rect.top() + 6.0 + row / 2.0;
    let x0 = rect.left() + 10.0;
    let text = |y: f32, s: &str| {
        painter.text(Pos2::new(x0 + 44.0, y), Align2::LEFT_CENTER, s, FontId::proportional(12.0), palette.ink);
    };
    if !scene.boundaries.is_empty() {
        let mut shapes = Vec::new();
        Shape::dashed_line_many(
            &[Pos2::new(x0, y), Pos2::new(x0 + 34.0, y)],
            Stroke::new(1.6, palette.boundary),
            7.0,
            4.0,
            &mut shapes,
        );
        painter.extend(shapes);
        text(y, "trust boundary");
        y += row;
    }
    for &(enc, oos) in &scene.legend {
        let colour = palette.flow(enc, oos);
        let (a, b) = (Pos2::new(x0, y), Pos2::new(x0 + 34.0, y));
        if oos {
            let mut shapes = Vec::new();
            Shape::dashed_line_many(&[a, b], Stroke::new(1.5, colour), DOTTED.0, DOTTED.1, &mut shapes);
            painter.extend(shapes);
        } else {
            let w = if enc == Encryption::Encrypted { 2.4 } else { 1.5 };
            painter.line_segment([a, b], Stroke::new(w, colour));
        }
        painter.add(arrow_head(a, b, 8.0, colour));
        text(y, legend_text(enc, oos));
        y += row;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_only_the_visible_part() {
        let clip = Rect::from_min_max(Pos2::ZERO, Pos2::new(100.0, 100.0));
        let (a, b, along) = clip_segment(Pos2::new(-100.0, 50.0), Pos2::new(300.0, 50.0), clip).unwrap();
        assert!((a.x - 0.0).abs() < 1e-3 && (b.x - 100.0).abs() < 1e-3 && (along - 100.0).abs() < 1e-3);
        assert!(clip_segment(Pos2::new(-10.0, -10.0), Pos2::new(-5.0, 200.0), clip).is_none());
    }
}
