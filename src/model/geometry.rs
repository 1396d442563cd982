//! Canvas geometry shared by the editor and every exporter: element sizes and boundary rectangles.
//!
//! A boundary's rectangle is never stored: it is the union of its members' rectangles (elements and
//! nested boundaries) plus padding and room for its label, so nested boxes always contain their children.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serializer;

use super::document::{Document, ElementKind, Point};
use super::id::Id;

/// Space between a boundary's edge and its members, in canvas units.
pub const BOUNDARY_PADDING: f64 = 20.0;
/// Extra room above a boundary's members for its label.
pub const BOUNDARY_LABEL_HEIGHT: f64 = 22.0;
/// Estimated width of one character of label text at the canvas font size.
pub const CHAR_WIDTH: f64 = 7.4;
/// Height of one line of label text.
pub const LINE_HEIGHT: f64 = 17.0;

/// Rounds to one decimal, the precision positions are stored with, and turns `-0.0` into `0.0`.
pub fn round_position(v: f64) -> f64 {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 { 0.0 } else { r }
}

/// Serialises a coordinate rounded to 0.1 so that saved files stay small and stable.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's serialize_with passes a reference
pub fn serialize_rounded<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round_position(*v))
}

/// A width and a height in canvas units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// An axis-aligned rectangle in canvas units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub min_x: f64,
    /// Top edge.
    pub min_y: f64,
    /// Right edge.
    pub max_x: f64,
    /// Bottom edge.
    pub max_y: f64,
}

impl Rect {
    /// The rectangle of `size` centred on `c`.
    pub fn centred(c: Point, size: Size) -> Self {
        Self {
            min_x: c.x - size.w / 2.0,
            min_y: c.y - size.h / 2.0,
            max_x: c.x + size.w / 2.0,
            max_y: c.y + size.h / 2.0,
        }
    }

    /// Width.
    pub fn width(&self) -> f64 {
        self.max_x - self.min_x
    }

    /// Height.
    pub fn height(&self) -> f64 {
        self.max_y - self.min_y
    }

    /// Centre point.
    pub fn centre(&self) -> Point {
        Point::new(f64::midpoint(self.min_x, self.max_x), f64::midpoint(self.min_y, self.max_y))
    }

    /// The smallest rectangle containing both.
    #[must_use]
    pub fn union(&self, o: &Rect) -> Rect {
        Rect {
            min_x: self.min_x.min(o.min_x),
            min_y: self.min_y.min(o.min_y),
            max_x: self.max_x.max(o.max_x),
            max_y: self.max_y.max(o.max_y),
        }
    }

    /// Grown by `left/top/right/bottom` on each side.
    #[must_use]
    pub fn expand(&self, left: f64, top: f64, right: f64, bottom: f64) -> Rect {
        Rect {
            min_x: self.min_x - left,
            min_y: self.min_y - top,
            max_x: self.max_x + right,
            max_y: self.max_y + bottom,
        }
    }

    /// True when `p` lies inside or on the edge.
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.min_x && p.x <= self.max_x && p.y >= self.min_y && p.y <= self.max_y
    }

    /// True when the two rectangles share any area.
    pub fn intersects(&self, o: &Rect) -> bool {
        self.min_x < o.max_x && o.min_x < self.max_x && self.min_y < o.max_y && o.min_y < self.max_y
    }

    /// True when `o` lies wholly inside.
    pub fn contains_rect(&self, o: &Rect) -> bool {
        o.min_x >= self.min_x && o.max_x <= self.max_x && o.min_y >= self.min_y && o.max_y <= self.max_y
    }
}

/// The drawn size of an element, from its kind and label (labels may have several lines).
pub fn element_size(kind: ElementKind, label: &str) -> Size {
    let lines: Vec<&str> = if label.is_empty() { vec![""] } else { label.lines().collect() };
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0).min(60) as f64;
    let text_w = longest * CHAR_WIDTH;
    let text_h = lines.len().clamp(1, 8) as f64 * LINE_HEIGHT;
    match kind {
        ElementKind::External => Size { w: (text_w + 28.0).max(96.0), h: (text_h + 24.0).max(44.0) },
        ElementKind::Process => Size { w: (text_w + 40.0).max(104.0), h: (text_h + 30.0).max(52.0) },
        ElementKind::Store => Size { w: (text_w + 28.0).max(96.0), h: (text_h + 22.0).max(42.0) },
    }
}

/// Every boundary's rectangle, by id. Boundaries with no members (directly or through nested
/// boundaries) have no rectangle and are left out. Parent cycles are ignored (loading rejects them).
pub fn boundary_rects(doc: &Document) -> BTreeMap<Id, Rect> {
    let mut own: HashMap<&str, Rect> = HashMap::new();
    for e in &doc.elements {
        if let Some(b) = &e.boundary {
            let r = Rect::centred(e.at, element_size(e.kind, &e.label));
            own.entry(b.as_str()).and_modify(|acc| *acc = acc.union(&r)).or_insert(r);
        }
    }
    let children: HashMap<&str, Vec<&str>> = doc.boundaries.iter().fold(HashMap::new(), |mut m, b| {
        if let Some(p) = &b.parent {
            m.entry(p.as_str()).or_default().push(b.id.as_str());
        }
        m
    });
    let mut done: HashMap<&str, Option<Rect>> = HashMap::new();
    let mut visiting: HashSet<&str> = HashSet::new();
    // Post-order over the boundary forest without recursion, so deep nesting cannot overflow the stack.
    for root in &doc.boundaries {
        let mut stack: Vec<(&str, bool)> = vec![(root.id.as_str(), false)];
        while let Some((id, expanded)) = stack.pop() {
            if done.contains_key(id) {
                continue;
            }
            let kids = children.get(id).map(Vec::as_slice).unwrap_or_default();
            if !expanded {
                // A boundary met again while its subtree is open is on a parent cycle: skip it.
                if !visiting.insert(id) {
                    continue;
                }
                stack.push((id, true));
                stack.extend(kids.iter().filter(|k| !done.contains_key(*k)).map(|k| (*k, false)));
                continue;
            }
            let mut rect = own.get(id).copied();
            for k in kids {
                if let Some(Some(r)) = done.get(k) {
                    rect = Some(rect.map_or(*r, |acc| acc.union(r)));
                }
            }
            let padded = rect.map(|r| {
                r.expand(BOUNDARY_PADDING, BOUNDARY_PADDING + BOUNDARY_LABEL_HEIGHT, BOUNDARY_PADDING, BOUNDARY_PADDING)
            });
            done.insert(id, padded);
        }
    }
    doc.boundaries
        .iter()
        .filter_map(|b| done.get(b.id.as_str()).copied().flatten().map(|r| (b.id.clone(), r)))
        .collect()
}

/// The rectangle holding every element and boundary, or `None` for an empty document.
pub fn content_rect(doc: &Document) -> Option<Rect> {
    let elements = doc.elements.iter().map(|e| Rect::centred(e.at, element_size(e.kind, &e.label)));
    let boundaries = boundary_rects(doc).into_values();
    elements.chain(boundaries).reduce(|a, b| a.union(&b))
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // rounded values are compared exactly on purpose
mod tests {
    use super::*;
    use crate::model::{Boundary, Element};

    fn id(s: &str) -> Id {
        Id::new(s).unwrap()
    }

    fn element(name: &str, b: Option<&str>, x: f64, y: f64) -> Element {
        Element {
            id: id(name),
            kind: ElementKind::Process,
            label: name.into(),
            boundary: b.map(id),
            at: Point::new(x, y),
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: String::new(),
        }
    }

    fn boundary(name: &str, parent: Option<&str>) -> Boundary {
        Boundary { id: id(name), label: name.into(), parent: parent.map(id), notes: String::new() }
    }

    #[test]
    fn rounding_is_stable_and_has_no_negative_zero() {
        assert_eq!(round_position(12.345), 12.3);
        assert_eq!(round_position(-0.04), 0.0);
        assert!(round_position(-0.04).is_sign_positive());
        assert_eq!(round_position(round_position(7.77)), round_position(7.77));
    }

    #[test]
    fn nested_boxes_contain_children_and_siblings_stay_apart() {
        let doc = Document {
            boundaries: vec![
                boundary("outer", None),
                boundary("left", Some("outer")),
                boundary("right", Some("outer")),
            ],
            elements: vec![element("a", Some("left"), 0.0, 0.0), element("b", Some("right"), 400.0, 0.0)],
            ..Document::default()
        };
        let rects = boundary_rects(&doc);
        let (outer, left, right) = (rects[&id("outer")], rects[&id("left")], rects[&id("right")]);
        assert!(outer.contains_rect(&left) && outer.contains_rect(&right));
        assert!(outer.min_x < left.min_x && outer.min_y < left.min_y, "padding around children");
        assert!(!left.intersects(&right));
        let a = Rect::centred(Point::new(0.0, 0.0), element_size(ElementKind::Process, "a"));
        assert!(left.contains_rect(&a));
    }

    #[test]
    fn empty_boundary_has_no_rect_and_cycles_terminate() {
        let doc = Document {
            boundaries: vec![boundary("x", Some("y")), boundary("y", Some("x")), boundary("e", None)],
            ..Document::default()
        };
        assert!(boundary_rects(&doc).is_empty());
    }

    #[test]
    fn labels_widen_elements() {
        let short = element_size(ElementKind::External, "a");
        let long = element_size(ElementKind::External, "a very long label for an element");
        assert!(long.w > short.w);
        let two = element_size(ElementKind::Store, "one\ntwo");
        assert!(two.h > element_size(ElementKind::Store, "one").h);
    }
}
