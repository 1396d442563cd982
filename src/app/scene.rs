//! The scene: the diagram's geometry in canvas units, derived from the document when it changes.
//!
//! Painting and hit-testing both read it, so neither walks the document or recomputes boundary boxes
//! each frame.

use std::collections::HashMap;

use egui::{Pos2, Rect, Vec2};

use crate::model::geometry::{self, boundary_rects, element_size};
use crate::model::{Document, ElementKind, Encryption, Id, Index, Severity, encryption};

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

/// One flow as drawn: a straight segment (or a loop for a flow to itself).
#[derive(Debug, Clone)]
pub struct FlowShape {
    /// Its id.
    pub id: Id,
    /// Start, on the source's outline.
    pub a: Pos2,
    /// End, on the target's outline.
    pub b: Pos2,
    /// A flow from an element to itself.
    pub self_loop: bool,
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
    /// Where along the segment its label sits (0 at `a`, 1 at `b`).
    pub label_t: f32,
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
    /// Nesting depth, 0 for outermost.
    pub depth: usize,
}

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
    element_at: HashMap<Id, usize>,
}

/// A canvas-unit rectangle as an egui one.
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
        let mut boundaries: Vec<BoundaryShape> = doc
            .boundaries
            .iter()
            .filter_map(|b| {
                rects.get(&b.id).map(|r| BoundaryShape {
                    id: b.id.clone(),
                    rect: to_rect(r),
                    label: if b.label.is_empty() { b.id.to_string() } else { b.label.clone() },
                    depth: ix.boundary_ancestors(b.id.as_str()).len().saturating_sub(1),
                })
            })
            .collect();
        boundaries.sort_by_key(|b| b.depth);

        // Parallel flows between the same two elements are spread apart.
        let mut pairs: HashMap<(&str, &str), usize> = HashMap::new();
        for f in &doc.flows {
            *pairs.entry(pair_key(f.from.as_str(), f.to.as_str())).or_default() += 1;
        }
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        let mut legend: Vec<(Encryption, bool)> = Vec::new();
        let mut flows = Vec::with_capacity(doc.flows.len());
        for f in &doc.flows {
            let (Some(&fi), Some(&ti)) = (element_at.get(&f.from), element_at.get(&f.to)) else { continue };
            let key = pair_key(f.from.as_str(), f.to.as_str());
            let n = pairs.get(&key).copied().unwrap_or(1);
            let counter = seen.entry(key).or_default();
            let order = *counter;
            *counter += 1;
            let (ra, rb) = (elements[fi].rect, elements[ti].rect);
            let self_loop = fi == ti;
            let (a, b) = if self_loop {
                (Pos2::new(ra.right(), ra.center().y - 8.0), Pos2::new(ra.center().x + 8.0, ra.top()))
            } else {
                // Offsets are measured along the perpendicular of the pair's canonical direction.
                let forward = f.from.as_str() <= f.to.as_str();
                let (p, q) = if forward { (ra.center(), rb.center()) } else { (rb.center(), ra.center()) };
                let dir = (q - p).normalized();
                let offset = Vec2::new(-dir.y, dir.x) * ((order as f32) - (n as f32 - 1.0) / 2.0) * 16.0;
                let (ca, cb) = (ra.center() + offset, rb.center() + offset);
                (clip_to_rect(ca, cb, ra), clip_to_rect(cb, ca, rb))
            };
            let enc = encryption(f);
            if !legend.contains(&(enc, f.out_of_scope)) {
                legend.push((enc, f.out_of_scope));
            }
            let text = match (f.protocol.is_empty(), f.label.is_empty()) {
                (true, true) => String::new(),
                (false, true) => f.protocol.clone(),
                (true, false) => f.label.clone(),
                (false, false) => format!("{} · {}", f.protocol, f.label),
            };
            flows.push(FlowShape {
                id: f.id.clone(),
                a,
                b,
                self_loop,
                encryption: enc,
                out_of_scope: f.out_of_scope,
                bidirectional: f.bidirectional,
                text,
                badge: ix.open_threats(f.id.as_str()),
                // Spread along the pair's canonical direction, so opposite flows do not share a spot.
                label_t: if n > 1 {
                    let along = 0.3 + 0.4 * order as f32 / (n as f32 - 1.0);
                    if f.from.as_str() <= f.to.as_str() { along } else { 1.0 - along }
                } else {
                    0.5
                },
            });
        }
        if elements.len() <= LABEL_DODGE_LIMIT {
            dodge_labels(&mut flows, &elements);
        }
        legend.sort_by_key(|(e, o)| (*o, *e));
        let bounds = elements.iter().map(|e| e.rect).chain(boundaries.iter().map(|b| b.rect)).reduce(Rect::union);
        Self { boundaries, elements, flows, bounds, legend, element_at }
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
            .map(|f| (f, distance_to_segment(p, f.a, f.b)))
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

/// Above this many elements, labels stay at their default place (the check is quadratic).
const LABEL_DODGE_LIMIT: usize = 400;

/// Slides flow labels along their segment so they do not sit on top of an element box.
fn dodge_labels(flows: &mut [FlowShape], elements: &[ElementShape]) {
    for f in flows.iter_mut().filter(|f| !f.self_loop) {
        let at = |t: f32| f.a + (f.b - f.a) * t;
        // Roughly the label's box at the canvas font size.
        let half = Vec2::new(f.text.chars().count() as f32 * 3.3 + 10.0, 9.0);
        let free = |t: f32| {
            let r = Rect::from_center_size(at(t), half * 2.0);
            !elements.iter().any(|e| e.rect.intersects(r))
        };
        if free(f.label_t) {
            continue;
        }
        if let Some(t) = [0.5, 0.35, 0.65, 0.25, 0.75, 0.15, 0.85].into_iter().find(|&t| free(t)) {
            f.label_t = t;
        }
    }
}

fn pair_key<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Where the segment from `inside` (the centre of `r`) towards `outside` leaves `r`.
pub fn clip_to_rect(inside: Pos2, outside: Pos2, r: Rect) -> Pos2 {
    let d = outside - inside;
    let half = r.size() / 2.0;
    let c = r.center();
    let from_centre = inside - c;
    let tx = if d.x.abs() > 1e-6 { ((half.x * d.x.signum()) - from_centre.x) / d.x } else { f32::INFINITY };
    let ty = if d.y.abs() > 1e-6 { ((half.y * d.y.signum()) - from_centre.y) / d.y } else { f32::INFINITY };
    let t = tx.min(ty);
    if t.is_finite() && (0.0..=1.0).contains(&t) { inside + d * t } else { inside }
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

    #[test]
    fn clipping_lands_on_the_outline() {
        let r = Rect::from_center_size(Pos2::new(0.0, 0.0), Vec2::new(100.0, 50.0));
        let p = clip_to_rect(Pos2::ZERO, Pos2::new(500.0, 0.0), r);
        assert!((p.x - 50.0).abs() < 1e-3 && p.y.abs() < 1e-3);
        let p = clip_to_rect(Pos2::ZERO, Pos2::new(0.0, -500.0), r);
        assert!((p.y + 25.0).abs() < 1e-3);
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
}
