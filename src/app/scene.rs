//! The scene: the diagram's geometry in canvas units, derived from the document when it changes.
//!
//! Painting and hit-testing both read it, so neither walks the document or recomputes boundary boxes
//! each frame.

use std::collections::HashMap;

use egui::{Pos2, Rect, Vec2};

use crate::model::geometry::{self, boundary_rects, element_size};
use crate::model::{Document, ElementKind, Encryption, Id, Index, Severity, encryption};
use crate::render::route::Curve;

/// One element as drawn.
#[derive(Debug, Clone)]
pub struct ElementShape {
    /// Its id.
    pub id: Id,
    /// External, process or store.
    pub kind: ElementKind,
    /// Its box in canvas units.
    pub rect: Rect,
    /// Its label (or id when unlabelled).
    pub label: String,
    /// Drawn greyed and dotted.
    pub out_of_scope: bool,
    /// Open threats: how many and the worst severity.
    pub badge: Option<(usize, Severity)>,
}

/// One flow as drawn: its routed line, from the source's outline to the target's.
#[derive(Debug, Clone)]
pub struct FlowShape {
    /// Its id.
    pub id: Id,
    /// The line in canvas units: two points when straight, more along a curve or a self-loop.
    pub path: Vec<Pos2>,
    /// The line's exact shape, for placing the label along it.
    curve: Curve,
    /// The bounding box of `path`.
    bounds: Rect,
    /// Encrypted, plain or unknown.
    pub encryption: Encryption,
    /// Drawn dotted and grey.
    pub out_of_scope: bool,
    /// Arrowheads at both ends.
    pub bidirectional: bool,
    /// "protocol · label".
    pub text: String,
    /// Open threats on the flow.
    pub badge: Option<(usize, Severity)>,
    /// Where along the line its label sits (0 at the source, 1 at the target), when not `placed`.
    label_t: f32,
    /// The label as the drawn exports place and lay it out (in models small enough to afford it).
    pub placed: Option<PlacedLabel>,
}

/// A flow label laid out as in the drawn exports: a box, the label's lines, then the protocol line,
/// each with the point where its text is centred (canvas units).
#[derive(Debug, Clone)]
pub struct PlacedLabel {
    /// The box behind the text.
    pub rect: Rect,
    /// The label's lines.
    pub lines: Vec<(String, Pos2)>,
    /// The protocol line, drawn in the flow's colour.
    pub protocol: Option<(String, Pos2)>,
    /// Where the padlock of an encrypted flow goes.
    pub lock: Option<Rect>,
    /// Font size, canvas units.
    pub size: f32,
}

impl PlacedLabel {
    fn of(l: &crate::render::scene::FlowLabel) -> Self {
        // The exports give baselines; egui places text by its box, so centre each line on the
        // baseline less a third of the font size, as the exports centre a line on its box.
        let centred = |t: &crate::render::scene::TextBlock| -> Vec<(String, Pos2)> {
            t.lines
                .iter()
                .enumerate()
                .map(|(i, line)| {
                    let y = t.y + i as f64 * t.line_height - t.size * 0.35;
                    (line.clone(), Pos2::new(t.x as f32, y as f32))
                })
                .collect()
        };
        Self {
            rect: to_rect(&l.rect),
            lines: centred(&l.text),
            protocol: l.protocol.as_ref().and_then(|p| centred(p).into_iter().next()),
            lock: l.lock.as_ref().map(to_rect),
            size: l.text.size as f32,
        }
    }
}

impl FlowShape {
    /// Where its label sits, in canvas units.
    pub fn label_at(&self) -> Pos2 {
        match &self.placed {
            Some(p) => p.rect.center(),
            None => to_pos(self.curve.point_at(f64::from(self.label_t))),
        }
    }

    /// The bounding box of its line.
    pub fn bounds(&self) -> Rect {
        self.bounds
    }

    /// Distance from `p` to its line.
    pub fn distance(&self, p: Pos2) -> f32 {
        self.path.windows(2).map(|w| distance_to_segment(p, w[0], w[1])).fold(f32::INFINITY, f32::min)
    }
}

/// One trust boundary as drawn.
#[derive(Debug, Clone)]
pub struct BoundaryShape {
    /// Its id.
    pub id: Id,
    /// Its box in canvas units.
    pub rect: Rect,
    /// Its label.
    pub label: String,
    /// Where its label starts, from the box's left edge: as the drawn exports place it (moved right
    /// where flow lines would cross it) in models small enough to afford that, else
    /// [`BOUNDARY_LABEL_INSET`].
    pub label_dx: f32,
    /// Nesting depth, 0 for outermost.
    pub depth: usize,
}

/// Where a boundary's label starts, from its box's left edge, unless the exports place it elsewhere:
/// where they start it.
pub const BOUNDARY_LABEL_INSET: f32 = crate::render::scene::BOUNDARY_LABEL_INSET as f32;

/// The whole diagram's geometry.
#[derive(Debug, Clone, Default)]
pub struct Scene {
    /// Boundaries, outermost first (painted first, behind the rest).
    pub boundaries: Vec<BoundaryShape>,
    /// Elements in document order.
    pub elements: Vec<ElementShape>,
    /// Flows in document order.
    pub flows: Vec<FlowShape>,
    /// Everything's bounding box.
    pub bounds: Option<Rect>,
    /// Protocols used, for the legend: (encryption, out of scope).
    pub legend: Vec<(Encryption, bool)>,
    /// Boundaries with nothing inside, so no box: their ids and shown names, in document order.
    pub unboxed: Vec<(Id, String)>,
    element_at: HashMap<Id, usize>,
}

/// A canvas-unit rectangle as an egui one.
fn to_pos(p: crate::model::Point) -> Pos2 {
    Pos2::new(p.x as f32, p.y as f32)
}

/// Points along `curve`, enough for it to look smooth at any zoom the editor offers.
fn path_of(curve: &Curve) -> Vec<Pos2> {
    let n = match curve {
        Curve::Line { .. } => 1,
        Curve::Quad { .. } => 16,
        Curve::Cubic { .. } => 20,
    };
    curve.sample(n).map(to_pos).collect()
}

pub fn to_rect(r: &geometry::Rect) -> Rect {
    Rect::from_min_max(Pos2::new(r.min_x as f32, r.min_y as f32), Pos2::new(r.max_x as f32, r.max_y as f32))
}

impl Scene {
    /// Derives the scene from `doc`.
    pub fn new(doc: &Document) -> Self {
        let ix = Index::new(doc);
        let elements: Vec<ElementShape> = doc
            .elements
            .iter()
            .map(|e| {
                let size = element_size(e.kind, &e.label);
                let c = Pos2::new(e.at.x as f32, e.at.y as f32);
                ElementShape {
                    id: e.id.clone(),
                    kind: e.kind,
                    rect: Rect::from_center_size(c, Vec2::new(size.w as f32, size.h as f32)),
                    label: if e.label.is_empty() { e.id.to_string() } else { e.label.clone() },
                    out_of_scope: e.out_of_scope,
                    badge: ix.open_threats(e.id.as_str()),
                }
            })
            .collect();
        let element_at: HashMap<Id, usize> = elements.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();

        let rects = boundary_rects(doc);
        let shown = |b: &crate::model::Boundary| if b.label.is_empty() { b.id.to_string() } else { b.label.clone() };
        let mut boundaries: Vec<BoundaryShape> = doc
            .boundaries
            .iter()
            .filter_map(|b| {
                rects.get(&b.id).map(|r| BoundaryShape {
                    id: b.id.clone(),
                    rect: to_rect(r),
                    label: shown(b),
                    label_dx: BOUNDARY_LABEL_INSET,
                    depth: ix.boundary_ancestors(b.id.as_str()).len().saturating_sub(1),
                })
            })
            .collect();
        let unboxed =
            doc.boundaries.iter().filter(|b| !rects.contains_key(&b.id)).map(|b| (b.id.clone(), shown(b))).collect();
        boundaries.sort_by_key(|b| b.depth);

        // Labels placed as the exports place them, clear of each other and of the boxes; the export
        // scene's routes then serve the canvas too. In larger models, flows follow the exports' routes
        // (parallel ones spread apart and, while routing stays cheap enough to redo on every edit, bent
        // around elements in the way) with their labels on the line.
        let export_scene = (doc.elements.len() <= PLACED_LABEL_LIMIT).then(|| {
            let options = crate::render::RenderOptions { legend: false, ..crate::render::RenderOptions::default() };
            crate::render::Scene::build(doc, &options)
        });
        let exported: HashMap<&str, &crate::render::scene::FlowShape> =
            export_scene.iter().flat_map(|s| &s.flows).map(|f| (f.id.as_str(), f)).collect();
        if let Some(export) = &export_scene {
            start_labels_as_exported(&mut boundaries, export);
        }
        let curves = if export_scene.is_none() {
            crate::render::flow_curves(doc, doc.elements.len() <= ROUTE_AROUND_LIMIT)
        } else {
            doc.flows.iter().map(|f| exported.get(f.id.as_str()).map(|e| e.route)).collect()
        };
        let mut pairs: HashMap<(&str, &str), usize> = HashMap::new();
        for f in &doc.flows {
            *pairs.entry(pair_key(f.from.as_str(), f.to.as_str())).or_default() += 1;
        }
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        let mut legend: Vec<(Encryption, bool)> = Vec::new();
        let mut flows = Vec::with_capacity(doc.flows.len());
        for (f, curve) in doc.flows.iter().zip(curves) {
            let Some(curve) = curve else { continue };
            let key = pair_key(f.from.as_str(), f.to.as_str());
            let n = pairs.get(&key).copied().unwrap_or(1);
            let counter = seen.entry(key).or_default();
            let order = *counter;
            *counter += 1;
            let enc = encryption(f);
            // Out of scope is one line style whatever the protocol: one legend row.
            let row = if f.out_of_scope { (Encryption::Unknown, true) } else { (enc, false) };
            if !legend.contains(&row) {
                legend.push(row);
            }
            let label = f.shown_label();
            let text = match (f.protocol.is_empty(), label.is_empty()) {
                (true, true) => String::new(),
                (false, true) => f.protocol.clone(),
                (true, false) => label.to_owned(),
                (false, false) => format!("{} · {label}", f.protocol),
            };
            let path = path_of(&curve);
            flows.push(FlowShape {
                id: f.id.clone(),
                bounds: Rect::from_points(&path),
                path,
                curve,
                encryption: enc,
                out_of_scope: f.out_of_scope,
                bidirectional: f.bidirectional,
                text,
                badge: ix.open_threats(f.id.as_str()),
                // Parallel lines are apart in the middle; their labels are staggered along them too, in
                // the pair's canonical direction, so opposite flows do not share a spot.
                label_t: if n > 1 && f.from != f.to {
                    let along = 0.3 + 0.4 * order as f32 / (n as f32 - 1.0);
                    if f.from.as_str() <= f.to.as_str() { along } else { 1.0 - along }
                } else {
                    0.5
                },
                placed: exported.get(f.id.as_str()).and_then(|e| e.label.as_ref()).map(PlacedLabel::of),
            });
        }
        legend.sort_by_key(|(e, o)| (*o, *e));
        let bounds = elements.iter().map(|e| e.rect).chain(boundaries.iter().map(|b| b.rect)).reduce(Rect::union);
        Self { boundaries, elements, flows, bounds, legend, unboxed, element_at }
    }

    /// The element shape with this id.
    pub fn element(&self, id: &Id) -> Option<&ElementShape> {
        self.element_at.get(id).map(|&i| &self.elements[i])
    }

    /// What lies under a canvas point: elements first (topmost), then flows within `slop`, then boundary labels and edges.
    pub fn hit(&self, p: Pos2, slop: f32) -> Option<&Id> {
        if let Some(e) = self.elements.iter().rev().find(|e| e.rect.expand(2.0).contains(p)) {
            return Some(&e.id);
        }
        let best = self
            .flows
            .iter()
            .map(|f| (f, f.distance(p)))
            .filter(|(_, d)| *d <= slop)
            .min_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((f, _)) = best {
            return Some(&f.id);
        }
        // Innermost boundary whose label strip or edge is under the point.
        self.boundaries
            .iter()
            .rev()
            .find(|b| {
                let strip = Rect::from_min_max(b.rect.min, Pos2::new(b.rect.max.x, b.rect.min.y + 24.0));
                let near_edge = b.rect.expand(slop).contains(p) && !b.rect.shrink(slop).contains(p);
                strip.contains(p) || near_edge
            })
            .map(|b| &b.id)
    }

    /// The ids of elements whose boxes meet the canvas rectangle `r`.
    pub fn elements_in(&self, r: Rect) -> Vec<Id> {
        self.elements.iter().filter(|e| e.rect.intersects(r)).map(|e| e.id.clone()).collect()
    }
}

/// Starts each boundary's label where the `export` scene put it.
fn start_labels_as_exported(boundaries: &mut [BoundaryShape], export: &crate::render::Scene) {
    let label_dx: HashMap<&str, f32> =
        export.boundaries.iter().map(|b| (b.id.as_str(), (b.label.x - b.rect.min_x) as f32)).collect();
    for b in boundaries {
        if let Some(dx) = label_dx.get(b.id.as_str()) {
            b.label_dx = *dx;
        }
    }
}

/// Above this many elements, flows are not bent around elements in their way: a drag re-routes on every
/// frame, and routing 1 000 elements around obstacles takes about 4 ms.
const ROUTE_AROUND_LIMIT: usize = 1000;

/// Above this many elements, flow labels are not placed as the exports place them: a drag edits on every
/// frame, and the export scene of 400 elements takes about 5 ms.
const PLACED_LABEL_LIMIT: usize = 400;

fn pair_key<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Distance from `p` to the segment `a`–`b`.
pub fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let len2 = ab.length_sq();
    if len2 < 1e-6 {
        return (p - a).length();
    }
    let t = ((p - a).dot(ab) / len2).clamp(0.0, 1.0);
    (p - (a + ab * t)).length()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(id: &str, x: f64) -> crate::model::Element {
        crate::model::Element {
            id: Id::new(id).unwrap(),
            kind: ElementKind::External,
            label: id.to_owned(),
            boundary: None,
            at: crate::model::Point::new(x, 0.0),
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: String::new(),
        }
    }

    #[test]
    fn flows_start_on_outlines_and_bend_around_a_box_in_the_way() {
        let mut doc = Document {
            elements: vec![element("a", 0.0), element("middle", 250.0), element("b", 500.0)],
            ..Document::default()
        };
        let id = |s: &str| Id::new(s).unwrap();
        doc.flows.push(crate::model::Flow {
            protocol: "https".into(),
            ..crate::model::Flow::new(id("a-b"), id("a"), id("b"))
        });
        let scene = Scene::new(&doc);
        let flow = &scene.flows[0];
        let (a, middle, b) = (scene.elements[0].rect, scene.elements[1].rect, scene.elements[2].rect);
        let (start, end) = (flow.path[0], flow.path[flow.path.len() - 1]);
        assert!(a.expand(1.0).contains(start) && !a.shrink(1.0).contains(start), "starts on a's outline: {start:?}");
        assert!(b.expand(1.0).contains(end) && !b.shrink(1.0).contains(end), "ends on b's outline: {end:?}");
        assert!(flow.path.len() > 2, "the straight line would cross the middle box");
        assert!(flow.path.iter().all(|p| !middle.contains(*p)), "the line keeps out of the middle box");
        assert!(!middle.contains(flow.label_at()));
        assert!(flow.distance(flow.label_at()) < 1.0);
    }

    #[test]
    fn out_of_scope_flows_of_every_protocol_share_one_legend_row() {
        let doc = crate::model::synth::document(1000, 1);
        let kinds: std::collections::HashSet<_> = doc.flows.iter().filter(|f| f.out_of_scope).map(encryption).collect();
        assert!(kinds.len() > 1, "the model has out-of-scope flows of several kinds");
        let scene = Scene::new(&doc);
        assert_eq!(scene.legend.iter().filter(|(_, out_of_scope)| *out_of_scope).count(), 1);
    }

    #[test]
    fn sample_scene_has_every_flow() {
        let doc = crate::model::synth::document(50, 3);
        let scene = Scene::new(&doc);
        assert_eq!(scene.flows.len(), doc.flows.len());
        assert_eq!(scene.elements.len(), 50);
        let first = &scene.elements[0];
        assert_eq!(scene.hit(first.rect.center(), 4.0), Some(&first.id));
    }

    #[test]
    fn boundary_labels_start_where_the_exports_put_them() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/kubernetes-agent-2021-02.json");
        let doc = crate::formats::json::load_file(&path).unwrap();
        let scene = Scene::new(&doc);
        let export = crate::render::Scene::build(&doc, &crate::render::RenderOptions::default());
        for b in &export.boundaries {
            let shown = scene.boundaries.iter().find(|s| s.id == b.id).unwrap();
            assert!((f64::from(shown.label_dx) - (b.label.x - b.rect.min_x)).abs() < 1e-3, "{}", b.id);
        }
        // The proxy's line into kas runs through that box's top-left corner: its label moves aside.
        let kas_host = scene.boundaries.iter().find(|b| b.id.as_str() == "kas-host").unwrap();
        assert!(kas_host.label_dx > BOUNDARY_LABEL_INSET);
        // Beyond the limit the exports' placement is not computed: labels start at the corner.
        let big = crate::model::synth::document(PLACED_LABEL_LIMIT + 1, 2);
        assert!(Scene::new(&big).boundaries.iter().all(|b| (b.label_dx - BOUNDARY_LABEL_INSET).abs() < 1e-6));
    }

    #[test]
    fn canvas_lines_and_labels_follow_the_exports_as_far_as_the_limits() {
        for (n, placed, around) in [(PLACED_LABEL_LIMIT, true, true), (PLACED_LABEL_LIMIT + 1, false, true)] {
            let doc = crate::model::synth::document(n, 2);
            let scene = Scene::new(&doc);
            let routed = crate::render::flow_curves(&doc, around);
            let lines: Vec<Curve> = scene.flows.iter().map(|f| f.curve).collect();
            assert_eq!(lines, routed.into_iter().flatten().collect::<Vec<_>>(), "{n} elements");
            let with_label = scene.flows.iter().filter(|f| f.placed.is_some()).count();
            assert_eq!(with_label > 0, placed, "{n} elements: {with_label} placed labels");
        }
        let big = crate::model::synth::document(ROUTE_AROUND_LIMIT + 1, 2);
        let lines: Vec<Curve> = Scene::new(&big).flows.iter().map(|f| f.curve).collect();
        assert_eq!(lines, crate::render::flow_curves(&big, false).into_iter().flatten().collect::<Vec<_>>());
    }
}
