//! The scene: one geometry pass over a document (boundary boxes, element shapes, routed flows with
//! arrowheads, placed labels, threat badges, the legend) that every drawn export paints as it is.
//!
//! Each item keeps the id of the model item it comes from and a [`Style`] of its own, so a diff overlay can
//! recolour added, removed and changed items with [`Scene::restyle`] and paint the same scene.

use super::flows;
use super::grid::GridBuilder;
use super::legend::{self, Legend};
use super::route::{self, Curve};
use super::style::{LineStyle, Palette, Style, Theme};
use super::{name_or_id, text};
use crate::model::geometry::{self, LINE_HEIGHT, Rect};
use crate::model::{Document, ElementKind, Encryption, Id, Index, Point, Severity};

/// What to draw and how.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    /// Light or dark colours.
    pub theme: Theme,
    /// Draw the open-threat badges.
    pub threats: bool,
    /// Draw the legend.
    pub legend: bool,
    /// Empty space around the content, in canvas units.
    pub margin: f64,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self { theme: Theme::Light, threats: true, legend: true, margin: 24.0 }
    }
}

/// Font size of element labels.
pub const ELEMENT_FONT: f64 = 13.0;
/// Font size of boundary labels.
pub const BOUNDARY_FONT: f64 = 12.0;
/// Where a boundary's label starts, from its box's left edge, unless a flow line runs through it
/// there; also the room it leaves at the right edge. The editor starts its labels there too.
pub const BOUNDARY_LABEL_INSET: f64 = 10.0;
/// Font size of flow labels.
pub const FLOW_FONT: f64 = 11.0;
/// Line height of flow labels.
pub const FLOW_LINE: f64 = 13.5;
/// Font size of badge counts.
pub const BADGE_FONT: f64 = 10.5;
/// Radius of a threat badge.
pub const BADGE_RADIUS: f64 = 9.0;
/// Most lines an element label shows (as [`geometry::element_size`] counts them).
const ELEMENT_MAX_LINES: usize = 8;

/// How lines of a text block line up with its `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// `x` is where the lines start.
    Start,
    /// `x` is the middle of each line.
    Middle,
}

/// Lines of text at a position. Text is cleaned of control and bidi-override characters, not escaped.
#[derive(Debug, Clone, PartialEq)]
pub struct TextBlock {
    /// The lines, top first.
    pub lines: Vec<String>,
    /// Horizontal anchor position.
    pub x: f64,
    /// Baseline of the first line.
    pub y: f64,
    /// Font size.
    pub size: f64,
    /// Distance between baselines.
    pub line_height: f64,
    /// How lines align on `x`.
    pub anchor: Anchor,
}

/// A trust boundary's box.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryShape {
    /// The boundary's id.
    pub id: Id,
    /// Its rectangle, from [`geometry::boundary_rects`].
    pub rect: Rect,
    /// Corner radius.
    pub radius: f64,
    /// Nesting depth: 0 for an outermost boundary.
    pub depth: usize,
    /// Its label, inside the top edge: at the left unless flow lines cross it there (see
    /// `flows::place_boundary_labels`).
    pub label: TextBlock,
    /// How it is painted.
    pub style: Style,
}

/// An element's shape and label.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementShape {
    /// The element's id.
    pub id: Id,
    /// Rectangle for an external entity, rounded box for a process, two lines for a data store.
    pub kind: ElementKind,
    /// Its rectangle, from [`geometry::element_size`].
    pub rect: Rect,
    /// Corner radius (processes only).
    pub radius: f64,
    /// Its label, centred.
    pub label: TextBlock,
    /// Drawn for context only (dotted, grey).
    pub out_of_scope: bool,
    /// Hover text: name, kind, out-of-scope reason, notes.
    pub tooltip: String,
    /// How it is painted.
    pub style: Style,
}

/// A flow's label box: what flows, and over which protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowLabel {
    /// The box, filled so the text reads over lines.
    pub rect: Rect,
    /// The flow's label lines (may be empty).
    pub text: TextBlock,
    /// The protocol line, drawn in the flow's line colour.
    pub protocol: Option<TextBlock>,
    /// Where a padlock is drawn before the protocol (encrypted flows): its bounding box.
    pub lock: Option<Rect>,
}

/// A routed flow: its line, its arrowheads and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowShape {
    /// The flow's id.
    pub id: Id,
    /// The line, already shortened where arrowheads sit.
    pub curve: Curve,
    /// The whole line from outline to outline, as [`crate::render::flow_curves`] gives it.
    pub route: Curve,
    /// The side the line bends to (a unit vector); labels go to that side first when they must move.
    pub bend: Point,
    /// Arrowhead triangles (tip first): one at the target, one more at the source when bidirectional.
    pub arrowheads: Vec<[Point; 3]>,
    /// Label and protocol, if the flow has either.
    pub label: Option<FlowLabel>,
    /// Whether its traffic is encrypted.
    pub encryption: Encryption,
    /// Data goes both ways (arrowheads at both ends).
    pub bidirectional: bool,
    /// Drawn for context only (dotted, grey).
    pub out_of_scope: bool,
    /// Hover text: ends, label, protocol, encryption, out-of-scope reason.
    pub tooltip: String,
    /// How it is painted.
    pub style: Style,
}

/// The count of open threats on a flow or element, coloured by the worst severity.
#[derive(Debug, Clone, PartialEq)]
pub struct Badge {
    /// The flow or element the threats target.
    pub target: Id,
    /// The badge's pill (a circle for one-digit counts).
    pub rect: Rect,
    /// Number of open threats.
    pub count: usize,
    /// Worst severity among them.
    pub severity: Severity,
    /// How it is painted (fill = severity colour).
    pub style: Style,
}

/// Everything a drawing shows, positioned, in canvas units.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// The visible area: the content plus the margin.
    pub view_box: Rect,
    /// The colours the scene was built with.
    pub palette: Palette,
    /// The document's title, for the drawing's accessible title.
    pub title: String,
    /// Boundary boxes, outer ones first (so nested ones are drawn on top).
    pub boundaries: Vec<BoundaryShape>,
    /// Elements in document order.
    pub elements: Vec<ElementShape>,
    /// Flows in document order.
    pub flows: Vec<FlowShape>,
    /// Threat badges, elements' first.
    pub badges: Vec<Badge>,
    /// The legend, listing only what the drawing uses.
    pub legend: Option<Legend>,
}

/// Grid owner of obstacles that belong to no flow.
pub(super) const NO_OWNER: u32 = u32::MAX;
/// How much a label may cover, per unit of area: nothing it must not hide (labels, elements, badges,
/// arrowheads) …
pub(super) const HARD: f64 = 3.0;
/// … other flows' lines a little …
pub(super) const SOFT: f64 = 0.6;
/// … boundary edges less …
const EDGE: f64 = 0.35;
/// … and its own line least (so labels sit on vertical lines and beside long horizontal ones).
pub(super) const OWN_LINE: f64 = 0.15;

impl Scene {
    /// Lays out `doc` for drawing. The same document and options always give the same scene.
    pub fn build(doc: &Document, options: &RenderOptions) -> Scene {
        let palette = Palette::of(options.theme);
        let index = Index::new(doc);
        // Labels keep clear of boundary labels, elements, badges, arrowheads, other labels and (less
        // strictly) other flows' lines.
        let elements = element_shapes(doc, &palette);
        // Lines and labels stay near the elements: boundaries pad them, labels and loops stand out a little.
        let area = elements.iter().map(|e| e.rect).reduce(|a, b| a.union(&b));
        let area = area.map(|a| a.expand(200.0, 200.0, 200.0, 200.0));
        let mut labels = area.map_or_else(GridBuilder::default, GridBuilder::covering);
        let mut boundaries = boundary_shapes(doc, &index, &palette, &mut labels);
        let obstacles = flows::obstacle_grid(elements.iter().map(|e| e.rect));
        for e in &elements {
            labels.insert_weighted(e.rect.expand(3.0, 3.0, 3.0, 3.0), NO_OWNER, HARD);
        }
        let mut badges = Vec::new();
        if options.threats {
            for e in &elements {
                if let Some(b) = badge(&index, &e.id, Point::new(e.rect.max_x - 6.0, e.rect.min_y), &palette) {
                    labels.insert_weighted(b.rect, NO_OWNER, HARD);
                    badges.push(b);
                }
            }
        }
        let has_badge = |id: &str| options.threats && index.open_threats(id).is_some();
        let flows = flows::flow_shapes(
            doc,
            &index,
            &elements,
            &palette,
            &obstacles,
            (area, labels, &mut boundaries),
            has_badge,
        );
        if options.threats {
            for f in &flows {
                let at =
                    f.label.as_ref().map_or_else(|| f.curve.point_at(0.5), |l| Point::new(l.rect.max_x, l.rect.min_y));
                badges.extend(badge(&index, &f.id, at, &palette));
            }
        }
        let content = content_bounds(&boundaries, &elements, &flows, &badges);
        let legend = if options.legend {
            let at = content.map_or(Point::new(0.0, 0.0), |c| Point::new(c.max_x + 36.0, c.min_y));
            legend::build(doc, &elements, &flows, &badges, &boundaries, &palette, at)
        } else {
            None
        };
        let all = match (content, &legend) {
            (Some(c), Some(l)) => c.union(&l.rect),
            (Some(c), None) => c,
            (None, Some(l)) => l.rect,
            (None, None) => Rect { min_x: 0.0, min_y: 0.0, max_x: 0.0, max_y: 0.0 },
        };
        let m = options.margin.max(0.0);
        let view_box = Rect {
            min_x: (all.min_x - m).floor(),
            min_y: (all.min_y - m).floor(),
            max_x: (all.max_x + m).ceil(),
            max_y: (all.max_y + m).ceil(),
        };
        Scene { view_box, palette, title: text::clean_line(&doc.title), boundaries, elements, flows, badges, legend }
    }

    /// Applies `f` to the style of every item that comes from the model item `id` (its boundary box,
    /// element or flow, and the badge of threats on it). Returns how many items were restyled.
    pub fn restyle(&mut self, id: &str, mut f: impl FnMut(&mut Style)) -> usize {
        let mut n = 0;
        let mut apply = |style: &mut Style| {
            f(style);
            n += 1;
        };
        self.boundaries.iter_mut().filter(|b| b.id.as_str() == id).for_each(|b| apply(&mut b.style));
        self.elements.iter_mut().filter(|e| e.id.as_str() == id).for_each(|e| apply(&mut e.style));
        self.flows.iter_mut().filter(|fl| fl.id.as_str() == id).for_each(|fl| apply(&mut fl.style));
        self.badges.iter_mut().filter(|b| b.target.as_str() == id).for_each(|b| apply(&mut b.style));
        n
    }
}

fn boundary_shapes(
    doc: &Document,
    index: &Index<'_>,
    palette: &Palette,
    labels: &mut GridBuilder,
) -> Vec<BoundaryShape> {
    let rects = geometry::boundary_rects(doc);
    let mut shapes: Vec<BoundaryShape> = doc
        .boundaries
        .iter()
        .filter_map(|b| {
            let rect = *rects.get(&b.id)?;
            let depth = index.boundary_ancestors(b.id.as_str()).len().saturating_sub(1);
            let name = text::clean_line(name_or_id(&b.label, &b.id));
            let line = text::fit(&name, rect.width() - 2.0 * BOUNDARY_LABEL_INSET, BOUNDARY_FONT);
            for edge in [
                Rect { max_y: rect.min_y + 2.0, ..rect },
                Rect { min_y: rect.max_y - 2.0, ..rect },
                Rect { max_x: rect.min_x + 2.0, ..rect },
                Rect { min_x: rect.max_x - 2.0, ..rect },
            ] {
                labels.insert_weighted(edge.expand(2.0, 2.0, 2.0, 2.0), NO_OWNER, EDGE);
            }
            Some(BoundaryShape {
                id: b.id.clone(),
                rect,
                radius: 10.0,
                depth,
                label: TextBlock {
                    lines: vec![line],
                    x: rect.min_x + BOUNDARY_LABEL_INSET,
                    y: rect.min_y + 16.0,
                    size: BOUNDARY_FONT,
                    line_height: LINE_HEIGHT,
                    anchor: Anchor::Start,
                },
                style: Style {
                    stroke: palette.boundary,
                    fill: None,
                    text: palette.boundary,
                    width: 1.5,
                    line: LineStyle::Dashed,
                    opacity: 1.0,
                },
            })
        })
        .collect();
    // Outer boxes first, so that nested ones are drawn over them; document order within a depth.
    shapes.sort_by_key(|s| s.depth);
    shapes
}

fn element_shapes(doc: &Document, palette: &Palette) -> Vec<ElementShape> {
    doc.elements
        .iter()
        .map(|e| {
            let size = geometry::element_size(e.kind, &e.label);
            let rect = Rect::centred(e.at, size);
            let room = rect.width() - if e.kind == ElementKind::Process { 24.0 } else { 14.0 };
            let name = text::clean(name_or_id(&e.label, &e.id));
            let lines: Vec<String> =
                name.split('\n').take(ELEMENT_MAX_LINES).map(|l| text::fit(l.trim(), room, ELEMENT_FONT)).collect();
            let n = lines.len() as f64;
            let c = rect.centre();
            let mut tooltip = format!("{} ({})", text::clean_line(name_or_id(&e.label, &e.id)), e.kind.title());
            if e.out_of_scope {
                tooltip.push_str("\nOut of scope");
                if !e.out_of_scope_reason.is_empty() {
                    tooltip.push_str(": ");
                    tooltip.push_str(&text::clean_line(&e.out_of_scope_reason));
                }
            }
            if !e.notes.is_empty() {
                tooltip.push('\n');
                tooltip.push_str(&text::clean(&e.notes));
            }
            let (stroke, text_color, line) = if e.out_of_scope {
                (palette.out_of_scope, palette.muted, LineStyle::Dotted)
            } else {
                (palette.ink, palette.ink, LineStyle::Solid)
            };
            ElementShape {
                id: e.id.clone(),
                kind: e.kind,
                rect,
                radius: route::corner_radius(e.kind, &rect),
                label: TextBlock {
                    lines,
                    x: c.x,
                    y: c.y - (n - 1.0) * LINE_HEIGHT / 2.0 + ELEMENT_FONT * 0.35,
                    size: ELEMENT_FONT,
                    line_height: LINE_HEIGHT,
                    anchor: Anchor::Middle,
                },
                out_of_scope: e.out_of_scope,
                tooltip,
                style: Style {
                    stroke,
                    fill: Some(palette.element_fill),
                    text: text_color,
                    width: 1.5,
                    line,
                    opacity: 1.0,
                },
            }
        })
        .collect()
}

fn badge(index: &Index<'_>, target: &Id, at: Point, palette: &Palette) -> Option<Badge> {
    let (count, severity) = index.open_threats(target.as_str())?;
    let w = (text::width(&count.to_string(), BADGE_FONT) + 8.0).max(2.0 * BADGE_RADIUS);
    let colour = palette.severity(severity);
    Some(Badge {
        target: target.clone(),
        rect: Rect {
            min_x: at.x - w / 2.0,
            min_y: at.y - BADGE_RADIUS,
            max_x: at.x + w / 2.0,
            max_y: at.y + BADGE_RADIUS,
        },
        count,
        severity,
        style: Style {
            stroke: palette.background,
            fill: Some(colour),
            text: palette.badge_text,
            width: 1.5,
            line: LineStyle::Solid,
            opacity: 1.0,
        },
    })
}

fn content_bounds(
    boundaries: &[BoundaryShape],
    elements: &[ElementShape],
    flows: &[FlowShape],
    badges: &[Badge],
) -> Option<Rect> {
    let rects = boundaries
        .iter()
        .map(|b| b.rect)
        .chain(elements.iter().map(|e| e.rect))
        .chain(flows.iter().flat_map(|f| {
            let curve = f.curve.bounds();
            let heads = f.arrowheads.iter().flatten().map(|p| Rect { min_x: p.x, min_y: p.y, max_x: p.x, max_y: p.y });
            std::iter::once(curve).chain(heads).chain(f.label.as_ref().map(|l| l.rect))
        }))
        .chain(badges.iter().map(|b| b.rect));
    rects.reduce(|a, b| a.union(&b))
}
