//! The comparison drawn over the new diagram: added items green, removed ones ghosted red where they were,
//! changed ones amber, renamed ones labelled `old → new`, unchanged ones as they are (or dimmed), and a
//! legend section for those colours.
//!
//! [`apply`] works on a [`Scene`] built from the new version, restyling its items through their ids and
//! adding ghosts taken from a scene of the old version; it moves no geometry, so the drawing is the new
//! diagram exactly as an export draws it. [`diff_scene`] builds both scenes and applies the overlay.
//! [`mark_of`] and [`relabel`] are the rules, shared with the editor's comparison view.

use super::{Change, ChangeStatus, Diff, Field, Section, Value};
use crate::model::Document;
use crate::model::geometry::{LINE_HEIGHT, Rect};
use crate::model::{ElementKind, Point};
use crate::render::legend::{LEGEND_FONT, Legend, LegendRow, Sample, Span};
use crate::render::route::Curve;
use crate::render::scene::{ELEMENT_FONT, TextBlock};
use crate::render::style::{Color, LineStyle, Palette, Style, Theme};
use crate::render::{RenderOptions, Scene, text};

/// How the overlay draws what did not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OverlayOptions {
    /// Draw unchanged items faintly, so the changes stand out.
    pub dim_unchanged: bool,
}

/// Opacity of unchanged items when they are dimmed.
pub const DIMMED: f64 = 0.3;
/// Opacity of the ghosts of removed items.
pub const GHOST: f64 = 0.6;

/// What the overlay shows for one drawn item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mark {
    /// Only in the new version: green.
    Added,
    /// Only in the old version: a red ghost where it was.
    Removed,
    /// In both, with a property changed or (for boundaries and elements) a new id: amber.
    Changed,
    /// As it was. Flows whose only change is their id (because an end was renamed) and elements that only
    /// moved count as unchanged.
    Unchanged,
}

impl Mark {
    /// The word the legend and the editor use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
            Self::Unchanged => "unchanged",
        }
    }
}

/// The mark of a change record.
pub fn mark_of_change(section: Section, change: &Change) -> Mark {
    match change.status {
        ChangeStatus::Added => Mark::Added,
        ChangeStatus::Removed => Mark::Removed,
        // A flow that only follows its renamed ends looks exactly as before.
        ChangeStatus::Renamed if section == Section::Flow && change.properties.is_empty() => Mark::Unchanged,
        // Moving an element is layout, not architecture: the change list reports it, the drawing does not.
        ChangeStatus::Changed if change.properties.iter().all(|p| p.field == Field::Position) => Mark::Unchanged,
        ChangeStatus::Renamed | ChangeStatus::Changed => Mark::Changed,
    }
}

/// The mark of the boundary, element or flow that the new version calls `id`.
pub fn mark_of(diff: &Diff, id: &str) -> Mark {
    let Some(change) = new_change(diff, id) else {
        return Mark::Unchanged;
    };
    let section = if diff.flows.iter().any(|c| std::ptr::eq(c, change)) { Section::Flow } else { Section::Element };
    mark_of_change(section, change)
}

/// The `(old, new)` names of a boundary or element whose drawn label changed (renamed, or relabelled).
/// Flows are not relabelled on the drawing (a longer label box would cover its neighbours); their label
/// change is in the tooltip and the change list.
pub fn relabel(change: &Change) -> Option<(String, String)> {
    let label = change.property(Field::Label);
    if let Some(p) = label {
        let old = match &p.old {
            Value::Text(t) => t.clone(),
            _ => change.old_id.as_ref().map(ToString::to_string).unwrap_or_default(),
        };
        let new = match &p.new {
            Value::Text(t) => t.clone(),
            _ => change.new_id.as_ref().map(ToString::to_string).unwrap_or_default(),
        };
        return Some((old, new));
    }
    // A flow's `old_name` reads `from → to: label`; only its label is drawn on it.
    if change.status == ChangeStatus::Renamed && !change.name.contains(" → ") {
        return change.old_name.clone().map(|old| (old, change.name.clone()));
    }
    None
}

/// The overlay's colours for one theme: a line colour and a light fill per mark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OverlayColors {
    /// Added: line.
    pub added: Color,
    /// Added: fill.
    pub added_fill: Color,
    /// Removed: line.
    pub removed: Color,
    /// Removed: fill.
    pub removed_fill: Color,
    /// Changed: line.
    pub changed: Color,
    /// Changed: fill.
    pub changed_fill: Color,
}

impl OverlayColors {
    /// The colours that go with `theme`.
    pub fn of(theme: Theme) -> Self {
        match theme {
            Theme::Light => Self {
                added: Color::hex(0x1A_7F_37),
                added_fill: Color::hex(0xD2_F5_DB),
                removed: Color::hex(0xCF_22_2E),
                removed_fill: Color::hex(0xFF_E4_E1),
                changed: Color::hex(0xB0_7A_00),
                changed_fill: Color::hex(0xFF_F1_B8),
            },
            Theme::Dark => Self {
                added: Color::hex(0x3F_B9_50),
                added_fill: Color::hex(0x12_33_1D),
                removed: Color::hex(0xF8_51_49),
                removed_fill: Color::hex(0x3A_17_19),
                changed: Color::hex(0xD2_99_22),
                changed_fill: Color::hex(0x3A_2E_10),
            },
        }
    }

    /// The colours that go with a scene's palette.
    pub fn for_palette(palette: &Palette) -> Self {
        if *palette == Palette::of(Theme::Dark) { Self::of(Theme::Dark) } else { Self::of(Theme::Light) }
    }

    /// Line and fill of a mark; `None` for unchanged items.
    pub fn of_mark(&self, mark: Mark) -> Option<(Color, Color)> {
        match mark {
            Mark::Added => Some((self.added, self.added_fill)),
            Mark::Removed => Some((self.removed, self.removed_fill)),
            Mark::Changed => Some((self.changed, self.changed_fill)),
            Mark::Unchanged => None,
        }
    }
}

/// How many drawn items (boundaries, elements, flows) have each mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarkCounts {
    /// Added.
    pub added: usize,
    /// Removed.
    pub removed: usize,
    /// Changed.
    pub changed: usize,
    /// Of the changed, those drawn `old → new`.
    pub relabelled: usize,
}

/// Builds the scene of `new` and draws the comparison with `old` over it.
pub fn diff_scene(
    old: &Document,
    new: &Document,
    diff: &Diff,
    render: &RenderOptions,
    options: &OverlayOptions,
) -> Scene {
    let mut scene = Scene::build(new, render);
    let old_scene = Scene::build(old, &RenderOptions { threats: false, legend: false, ..render.clone() });
    apply(&mut scene, &old_scene, diff, options);
    scene
}

/// Draws the comparison over `scene` (built from the new version): restyles its items by their marks,
/// adds ghosts of removed items from `old_scene` (built from the old version), grows the view box to
/// hold them, and adds a "Changes" section to the legend when the scene has a legend.
#[allow(clippy::too_many_lines)] // one pass per kind of scene item, each short
pub fn apply(scene: &mut Scene, old_scene: &Scene, diff: &Diff, options: &OverlayOptions) -> MarkCounts {
    let colors = OverlayColors::for_palette(&scene.palette);
    let mut counts = MarkCounts::default();
    let dim = |style: &mut Style| {
        if options.dim_unchanged {
            style.opacity = style.opacity.min(DIMMED);
        }
    };
    let mut count = |mark: Mark, relabelled: bool| match mark {
        Mark::Added => counts.added += 1,
        Mark::Removed => counts.removed += 1,
        Mark::Changed => {
            counts.changed += 1;
            counts.relabelled += usize::from(relabelled);
        }
        Mark::Unchanged => {}
    };

    for b in &mut scene.boundaries {
        let change = new_change(diff, b.id.as_str());
        let mark = change.map_or(Mark::Unchanged, |c| mark_of_change(Section::Boundary, c));
        let names = change.and_then(relabel);
        count(mark, names.is_some());
        match colors.of_mark(mark) {
            Some((line, _)) => {
                b.style.stroke = line;
                b.style.text = line;
                b.style.width = 2.5;
                if let Some((old, new)) = &names {
                    let room = b.rect.width() - 20.0;
                    b.label.lines = vec![text::fit(&text::clean_line(&format!("{old} → {new}")), room, b.label.size)];
                }
            }
            None => dim(&mut b.style),
        }
    }
    for e in &mut scene.elements {
        let change = new_change(diff, e.id.as_str());
        let mark = change.map_or(Mark::Unchanged, |c| mark_of_change(Section::Element, c));
        let names = change.and_then(relabel);
        count(mark, names.is_some());
        match colors.of_mark(mark) {
            Some((line, fill)) => {
                e.style.stroke = line;
                e.style.fill = Some(fill);
                e.style.width = 2.5;
                if let Some((old, new)) = &names {
                    relabel_element(&mut e.label, &e.rect, e.kind, old, new);
                }
                if let Some(c) = change {
                    push_tooltip(&mut e.tooltip, mark, c);
                }
            }
            None => dim(&mut e.style),
        }
    }
    let mut halos = Vec::new();
    for f in &mut scene.flows {
        let change = new_change(diff, f.id.as_str());
        let mark = change.map_or(Mark::Unchanged, |c| mark_of_change(Section::Flow, c));
        count(mark, false);
        match colors.of_mark(mark) {
            Some((line, fill)) => {
                // The flow keeps its protocol colour and line style; a wide band behind it shows the mark.
                let mut halo = f.clone();
                // Its own SVG id (`flow-ID--band`), so that ids in the drawing stay unique.
                if let Ok(band) = crate::model::Id::new(format!("{}--band", f.id)) {
                    halo.id = band;
                }
                halo.label = None;
                halo.arrowheads.clear();
                halo.tooltip.clear();
                halo.style = Style {
                    stroke: line,
                    fill: None,
                    text: line,
                    width: f.style.width + 8.0,
                    line: LineStyle::Solid,
                    opacity: 0.4,
                };
                halos.push(halo);
                f.style.fill = Some(fill);
                if let Some(c) = change {
                    push_tooltip(&mut f.tooltip, mark, c);
                }
            }
            None => dim(&mut f.style),
        }
    }
    // Halos go under every flow line.
    halos.append(&mut scene.flows);
    scene.flows = halos;
    for badge in &mut scene.badges {
        if mark_of(diff, badge.target.as_str()) == Mark::Unchanged {
            dim(&mut badge.style);
        }
    }

    let ghosts = add_ghosts(scene, old_scene, diff, &colors);
    counts.removed += ghosts.count;
    if let Some(g) = ghosts.bounds {
        let margin = 24.0;
        let grown = g.expand(margin, margin, margin, margin);
        if let Some(legend) = &mut scene.legend
            && grown.max_x > legend.rect.min_x - 12.0
            && grown.min_y < legend.rect.max_y
        {
            let dx = grown.max_x + 12.0 - legend.rect.min_x;
            shift_legend(legend, dx, 0.0);
        }
        scene.view_box = scene.view_box.union(&Rect {
            min_x: grown.min_x.floor(),
            min_y: grown.min_y.floor(),
            max_x: grown.max_x.ceil(),
            max_y: grown.max_y.ceil(),
        });
    }
    if let Some(legend) = &mut scene.legend {
        legend_section(legend, &scene.palette, &colors, counts, *options);
        let r = legend.rect.expand(24.0, 24.0, 24.0, 24.0);
        scene.view_box = scene.view_box.union(&Rect {
            min_x: r.min_x.floor(),
            min_y: r.min_y.floor(),
            max_x: r.max_x.ceil(),
            max_y: r.max_y.ceil(),
        });
    }
    counts
}

/// The change record of an item the new version has (not of a removed item that had the same id).
fn new_change<'d>(diff: &'d Diff, id: &str) -> Option<&'d Change> {
    diff.change_of(id).filter(|c| c.new_id.as_ref().is_some_and(|n| n.as_str() == id))
}

fn push_tooltip(tooltip: &mut String, mark: Mark, change: &Change) {
    tooltip.push_str("\n\n");
    match mark {
        Mark::Added => tooltip.push_str("Added in this version"),
        Mark::Removed => tooltip.push_str("Removed in this version"),
        Mark::Changed | Mark::Unchanged => {
            tooltip.push_str("Changed: ");
            let short = |v: &Value| match v {
                Value::Text(t) if t.chars().count() <= 60 && !t.contains('\n') => Some(t.clone()),
                Value::None => Some("(none)".to_owned()),
                Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
                Value::Ref(r) => Some(r.name.clone()),
                _ => None,
            };
            let mut fields: Vec<String> = change
                .properties
                .iter()
                .map(|p| match (short(&p.old), short(&p.new)) {
                    (Some(a), Some(b)) => format!("{}: {a} → {b}", p.field.as_str()),
                    _ => p.field.as_str().to_owned(),
                })
                .collect();
            if change.status == ChangeStatus::Renamed {
                let ids = (change.old_id.as_ref(), change.new_id.as_ref());
                if let (Some(a), Some(b)) = ids {
                    fields.insert(0, format!("id: {a} → {b}"));
                }
            }
            tooltip.push_str(&fields.join("; "));
        }
    }
}

/// An element's label as `old → new`: on one line when it fits the box, else `old →` over `new`.
fn relabel_element(label: &mut TextBlock, rect: &Rect, kind: ElementKind, old: &str, new: &str) {
    let room = rect.width() - if kind == ElementKind::Process { 24.0 } else { 14.0 };
    let (old, new) = (text::clean_line(old), text::clean_line(new));
    let one = format!("{old} → {new}");
    let lines = if text::width(&one, ELEMENT_FONT) <= room {
        vec![one]
    } else {
        vec![text::fit(&format!("{old} →"), room, ELEMENT_FONT), text::fit(&new, room, ELEMENT_FONT)]
    };
    let n = lines.len() as f64;
    label.lines = lines;
    label.y = rect.centre().y - (n - 1.0) * LINE_HEIGHT / 2.0 + ELEMENT_FONT * 0.35;
}

struct Ghosts {
    count: usize,
    bounds: Option<Rect>,
}

/// Adds the removed items of `old_scene`, ghosted, under the new scene's items.
fn add_ghosts(scene: &mut Scene, old_scene: &Scene, diff: &Diff, colors: &OverlayColors) -> Ghosts {
    let removed = |id: &str| diff.change_of_old(id).is_some_and(|c| c.status == ChangeStatus::Removed);
    let ghost = |style: &mut Style| {
        style.stroke = colors.removed;
        style.text = colors.removed;
        if style.fill.is_some() {
            style.fill = Some(colors.removed_fill);
        }
        style.line = LineStyle::Dashed;
        style.opacity = GHOST;
    };
    let mut count = 0;
    let mut bounds: Option<Rect> = None;
    let mut grow = |r: Rect| bounds = Some(bounds.map_or(r, |b| b.union(&r)));

    let mut boundaries: Vec<_> = old_scene.boundaries.iter().filter(|b| removed(b.id.as_str())).cloned().collect();
    for b in &mut boundaries {
        ghost(&mut b.style);
        grow(b.rect);
        count += 1;
    }
    let mut elements: Vec<_> = old_scene.elements.iter().filter(|e| removed(e.id.as_str())).cloned().collect();
    for e in &mut elements {
        ghost(&mut e.style);
        e.tooltip.push_str("\n\nRemoved in this version");
        grow(e.rect);
        count += 1;
    }
    let mut flows: Vec<_> = old_scene.flows.iter().filter(|f| removed(f.id.as_str())).cloned().collect();
    for f in &mut flows {
        ghost(&mut f.style);
        f.style.fill = Some(colors.removed_fill);
        f.style.line = LineStyle::Dashed;
        f.tooltip.push_str("\n\nRemoved in this version");
        grow(f.curve.bounds());
        if let Some(l) = &f.label {
            grow(l.rect);
        }
        count += 1;
    }
    boundaries.append(&mut scene.boundaries);
    scene.boundaries = boundaries;
    elements.append(&mut scene.elements);
    scene.elements = elements;
    flows.append(&mut scene.flows);
    scene.flows = flows;
    Ghosts { count, bounds }
}

const ROW: f64 = 20.0;
const PAD: f64 = 12.0;
const SAMPLE_W: f64 = 36.0;
const HEADING_FONT: f64 = 10.5;

/// Puts a "Changes" section at the top of the legend, moving its other rows down.
#[allow(clippy::too_many_lines)] // one straight run of legend rows, top to bottom
fn legend_section(
    legend: &mut Legend,
    palette: &Palette,
    colors: &OverlayColors,
    counts: MarkCounts,
    options: OverlayOptions,
) {
    let x = legend.rect.min_x + PAD;
    let mut y = legend.rect.min_y + PAD;
    let mut rows = Vec::new();
    let mut right = x;
    let mut span =
        |rows: &mut Vec<LegendRow>, sample: Option<Sample>, words: String, sx: f64, y: f64, size: f64, color: Color| {
            right = right.max(sx + text::width(&words, size));
            rows.push(LegendRow {
                sample,
                spans: vec![Span { text: words, x: sx, y: y + ROW / 2.0 + size * 0.35, size, color }],
            });
        };
    span(&mut rows, None, "Changes since the old version".to_owned(), x, y, HEADING_FONT, palette.muted);
    y += ROW;
    let element = |y: f64, line: Color, fill: Color, dashed: bool, opacity: f64| {
        // Legend samples are not drawn with opacity: the colours are faded into the background instead.
        let (line, fill) = (fade(line, palette.background, opacity), fade(fill, palette.background, opacity));
        let m = y + ROW / 2.0;
        Sample::Element {
            kind: ElementKind::Process,
            rect: Rect { min_x: x + 2.0, min_y: m - 7.5, max_x: x + SAMPLE_W - 2.0, max_y: m + 7.5 },
            radius: 7.5,
            style: Style {
                stroke: line,
                fill: Some(fill),
                text: palette.ink,
                width: 2.0,
                line: if dashed { LineStyle::Dashed } else { LineStyle::Solid },
                opacity: 1.0,
            },
        }
    };
    let tx = x + SAMPLE_W + 10.0;
    for (line, fill, dashed, opacity, words) in [
        (colors.added, colors.added_fill, false, 1.0, format!("Added ({})", counts.added)),
        (
            colors.removed,
            colors.removed_fill,
            true,
            GHOST,
            format!("Removed, ghosted where it was ({})", counts.removed),
        ),
        (
            colors.changed,
            colors.changed_fill,
            false,
            1.0,
            format!("Changed ({}; moves alone are not marked)", counts.changed),
        ),
    ] {
        span(&mut rows, Some(element(y, line, fill, dashed, opacity)), words, tx, y, LEGEND_FONT, palette.ink);
        y += ROW;
    }
    // A flow with a wide band behind it: how added and changed flows are marked.
    let m = y + ROW / 2.0;
    let curve = Curve::Line { from: Point::new(x, m), to: Point::new(x + SAMPLE_W, m) };
    let band = Style {
        stroke: colors.changed,
        fill: None,
        text: colors.changed,
        width: 9.5,
        line: LineStyle::Solid,
        opacity: 0.4,
    };
    rows.push(LegendRow {
        sample: Some(Sample::Flow { curve, arrowheads: Vec::new(), style: band }),
        spans: Vec::new(),
    });
    span(
        &mut rows,
        Some(Sample::Flow {
            curve,
            arrowheads: Vec::new(),
            style: Style {
                stroke: palette.ink,
                fill: None,
                text: palette.ink,
                width: 1.5,
                line: LineStyle::Solid,
                opacity: 1.0,
            },
        }),
        "Flow added or changed (band in its colour)".to_owned(),
        tx,
        y,
        LEGEND_FONT,
        palette.ink,
    );
    y += ROW;
    span(&mut rows, None, "old → new".to_owned(), x, y, LEGEND_FONT, colors.changed);
    let key_w = text::width("old → new", LEGEND_FONT).max(SAMPLE_W);
    span(
        &mut rows,
        None,
        format!("Renamed or relabelled ({})", counts.relabelled),
        x + key_w + 10.0,
        y,
        LEGEND_FONT,
        palette.ink,
    );
    y += ROW;
    if options.dim_unchanged {
        span(
            &mut rows,
            Some(element(y, palette.ink, palette.element_fill, false, DIMMED)),
            "Unchanged (dimmed)".to_owned(),
            tx,
            y,
            LEGEND_FONT,
            palette.ink,
        );
        y += ROW;
    }
    let height = y - legend.rect.min_y + 6.0 - PAD;
    for row in &mut legend.rows {
        shift_row(row, 0.0, height);
    }
    legend.rect.max_y += height;
    legend.rect.max_x = legend.rect.max_x.max(right + PAD);
    rows.append(&mut legend.rows);
    legend.rows = rows;
}

/// `c` at `opacity` over `background`.
fn fade(c: Color, background: Color, opacity: f64) -> Color {
    let mix = |a: u8, b: u8| (f64::from(a) * opacity + f64::from(b) * (1.0 - opacity)).round().clamp(0.0, 255.0) as u8;
    Color { r: mix(c.r, background.r), g: mix(c.g, background.g), b: mix(c.b, background.b) }
}

fn shift_point(p: &mut Point, dx: f64, dy: f64) {
    p.x += dx;
    p.y += dy;
}

fn shift_rect(r: &mut Rect, dx: f64, dy: f64) {
    *r = Rect { min_x: r.min_x + dx, min_y: r.min_y + dy, max_x: r.max_x + dx, max_y: r.max_y + dy };
}

fn shift_row(row: &mut LegendRow, dx: f64, dy: f64) {
    match &mut row.sample {
        Some(Sample::Flow { curve, arrowheads, .. }) => {
            match curve {
                Curve::Line { from, to } => {
                    shift_point(from, dx, dy);
                    shift_point(to, dx, dy);
                }
                Curve::Quad { from, ctrl, to } => {
                    for p in [from, ctrl, to] {
                        shift_point(p, dx, dy);
                    }
                }
                Curve::Cubic { from, c1, c2, to } => {
                    for p in [from, c1, c2, to] {
                        shift_point(p, dx, dy);
                    }
                }
            }
            for p in arrowheads.iter_mut().flatten() {
                shift_point(p, dx, dy);
            }
        }
        Some(Sample::Boundary { rect, .. } | Sample::Element { rect, .. } | Sample::Badge { rect, .. }) => {
            shift_rect(rect, dx, dy);
        }
        None => {}
    }
    for s in &mut row.spans {
        s.x += dx;
        s.y += dy;
    }
}

fn shift_legend(legend: &mut Legend, dx: f64, dy: f64) {
    shift_rect(&mut legend.rect, dx, dy);
    for row in &mut legend.rows {
        shift_row(row, dx, dy);
    }
}
