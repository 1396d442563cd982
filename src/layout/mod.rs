//! Automatic, boundary-aware layout of documents.
//!
//! Each trust boundary is laid out as one block, innermost first: its elements and the blocks of
//! its nested boundaries are placed by a layered layout along the document's direction (see
//! [`layered`]), using the flows between them (a flow between two boxes pulls the boxes that
//! contain its ends). The block's size is then its content plus the padding
//! [`geometry::boundary_rects`] adds, so every box holds exactly its members and sibling boxes
//! never overlap. Pinned elements keep their positions and the rest of the layout is moved to
//! sit around them.

mod layered;

use std::collections::{BTreeSet, HashMap};

use crate::model::geometry::{self, BOUNDARY_LABEL_HEIGHT, BOUNDARY_PADDING, CHAR_WIDTH, LINE_HEIGHT, Rect};
use crate::model::{Document, Id, MAX_COORDINATE, Point};

/// What the layout may move, and how much room it leaves.
#[derive(Debug, Clone)]
pub struct LayoutOptions {
    /// Elements that keep their positions (the editor's pinned elements).
    pub pinned: BTreeSet<Id>,
    /// Least space between neighbouring items in a layer, in canvas units.
    pub node_gap: f64,
    /// Least space between layers, in canvas units.
    pub layer_gap: f64,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        Self { pinned: BTreeSet::new(), node_gap: 40.0, layer_gap: 60.0 }
    }
}

/// Margin left around the laid-out diagram.
const MARGIN: f64 = 40.0;
/// Longest label taken into account for spacing, in characters.
const LABEL_CHARS: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Item {
    Element(usize),
    /// A boundary's box, by its position in `doc.boundaries`.
    Boxed(usize),
}

/// A flow seen inside one box: between two of its items, with its label's size.
type LiftedLink = (Item, Item, (f64, f64));

/// The drawn size of a flow's label, roughly as exporters draw it.
fn label_size(text: &str) -> (f64, f64) {
    if text.is_empty() {
        return (0.0, 0.0);
    }
    let lines = text.lines().count().clamp(1, 4);
    let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0).min(LABEL_CHARS);
    (longest as f64 * CHAR_WIDTH + 12.0, lines as f64 * LINE_HEIGHT + 6.0)
}

/// Lays the document out: positions every element that is not pinned.
#[allow(clippy::too_many_lines)] // tree, lifted links, blocks bottom-up, positions top-down, pins: one pass each
pub fn layout(doc: &mut Document, options: &LayoutOptions) {
    let nb = doc.boundaries.len();
    let index: HashMap<&str, usize> = doc.boundaries.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
    // Parent of each boundary (None = top level), with parent cycles broken.
    let mut parent: Vec<Option<usize>> =
        doc.boundaries.iter().map(|b| b.parent.as_ref().and_then(|p| index.get(p.as_str()).copied())).collect();
    let mut state = vec![0u8; nb]; // 0 = unknown, 1 = on the current walk, 2 = reaches the top
    for start in 0..nb {
        let mut walk = Vec::new();
        let mut at = Some(start);
        while let Some(b) = at {
            match state[b] {
                2 => break,
                1 => {
                    parent[b] = None;
                    break;
                }
                _ => {
                    state[b] = 1;
                    walk.push(b);
                    at = parent[b];
                }
            }
        }
        for w in walk {
            state[w] = 2;
        }
    }
    let home: Vec<Option<usize>> =
        doc.elements.iter().map(|e| e.boundary.as_ref().and_then(|b| index.get(b.as_str()).copied())).collect();

    // Children of each box; slot `nb` is the top level.
    let mut children: Vec<Vec<Item>> = vec![Vec::new(); nb + 1];
    for (i, h) in home.iter().enumerate() {
        children[h.unwrap_or(nb)].push(Item::Element(i));
    }
    for (b, p) in parent.iter().enumerate() {
        children[p.unwrap_or(nb)].push(Item::Boxed(b));
    }
    let depth = {
        let mut d = vec![usize::MAX; nb];
        for b in 0..nb {
            let mut chain = Vec::new();
            let mut at = Some(b);
            while let Some(x) = at {
                if d[x] != usize::MAX {
                    break;
                }
                chain.push(x);
                at = parent[x];
            }
            let base = at.map_or(0, |x| d[x] + 1);
            for (k, &x) in chain.iter().rev().enumerate() {
                d[x] = base + k;
            }
        }
        d
    };

    // Each flow becomes a link inside the box that holds both ends, between the items there.
    let element_index: HashMap<&str, usize> =
        doc.elements.iter().enumerate().map(|(i, e)| (e.id.as_str(), i)).collect();
    let mut links: Vec<Vec<LiftedLink>> = vec![Vec::new(); nb + 1];
    for f in &doc.flows {
        let (Some(&a), Some(&b)) = (element_index.get(f.from.as_str()), element_index.get(f.to.as_str())) else {
            continue;
        };
        let (mut ia, mut ib) = (Item::Element(a), Item::Element(b));
        let (mut ca, mut cb) = (home[a], home[b]);
        let d = |c: Option<usize>| c.map_or(0, |x| depth[x] + 1);
        while ca != cb {
            if d(ca) >= d(cb) {
                let Some(x) = ca else { break };
                ia = Item::Boxed(x);
                ca = parent[x];
            } else {
                let Some(x) = cb else { break };
                ib = Item::Boxed(x);
                cb = parent[x];
            }
        }
        if ia != ib {
            let text = match (f.label.is_empty(), f.protocol.is_empty()) {
                (_, true) => f.label.clone(),
                (true, false) => f.protocol.clone(),
                (false, false) => format!("{} · {}", f.label, f.protocol),
            };
            links[ca.unwrap_or(nb)].push((ia, ib, label_size(&text)));
        }
    }

    // Innermost boxes first: children before parents.
    let mut order: Vec<usize> = (0..nb).collect();
    order.sort_by_key(|&b| std::cmp::Reverse(depth[b]));
    order.push(nb);
    let spacing = layered::Spacing { node_gap: options.node_gap, layer_gap: options.layer_gap };
    // For each box: its size, and where each child's centre sits relative to the box's top left.
    let mut size: Vec<Option<(f64, f64)>> = vec![None; nb + 1];
    let mut offsets: Vec<Vec<(Item, Point)>> = vec![Vec::new(); nb + 1];
    for &c in &order {
        let items: Vec<Item> = children[c]
            .iter()
            .copied()
            .filter(|it| match it {
                Item::Boxed(b) => size[*b].is_some(),
                Item::Element(_) => true,
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        let slot: HashMap<Item, usize> = items.iter().enumerate().map(|(i, it)| (*it, i)).collect();
        let sizes: Vec<(f64, f64)> = items
            .iter()
            .map(|it| match it {
                Item::Element(e) => {
                    let s = geometry::element_size(doc.elements[*e].kind, &doc.elements[*e].label);
                    (s.w, s.h)
                }
                Item::Boxed(b) => size[*b].unwrap_or_default(),
            })
            .collect();
        let local: Vec<layered::Link> = links[c]
            .iter()
            .filter_map(|(a, b, label)| Some(layered::Link { from: *slot.get(a)?, to: *slot.get(b)?, label: *label }))
            .collect();
        let centres = layered::place(&sizes, &local, doc.direction, spacing);
        let rects: Vec<Rect> = centres
            .iter()
            .zip(&sizes)
            .map(|(&(x, y), &(w, h))| Rect::centred(Point::new(x, y), geometry::Size { w, h }))
            .collect();
        let Some(bbox) = rects.iter().copied().reduce(|a, b| a.union(&b)) else { continue };
        let (left, top, extra_w, extra_h) = if c == nb {
            (0.0, 0.0, 0.0, 0.0)
        } else {
            let top = BOUNDARY_PADDING + BOUNDARY_LABEL_HEIGHT;
            (BOUNDARY_PADDING, top, 2.0 * BOUNDARY_PADDING, top + BOUNDARY_PADDING)
        };
        // Box title: the box is at least as wide as its label.
        let title_w =
            if c == nb { 0.0 } else { doc.boundaries[c].label.chars().count().min(60) as f64 * CHAR_WIDTH + 16.0 };
        let width = (bbox.width() + extra_w).max(title_w);
        let shift_x = (width - extra_w - bbox.width()) / 2.0;
        size[c] = Some((width, bbox.height() + extra_h));
        offsets[c] = items
            .iter()
            .zip(&centres)
            .map(|(it, &(x, y))| (*it, Point::new(x - bbox.min_x + left + shift_x, y - bbox.min_y + top)))
            .collect();
    }

    // Absolute positions, top down.
    let mut laid: Vec<Option<Point>> = vec![None; doc.elements.len()];
    let mut stack: Vec<(usize, Point)> = vec![(nb, Point::new(MARGIN, MARGIN))];
    while let Some((c, origin)) = stack.pop() {
        for (it, p) in &offsets[c] {
            let centre = Point::new(origin.x + p.x, origin.y + p.y);
            match it {
                Item::Element(e) => laid[*e] = Some(centre),
                Item::Boxed(b) => {
                    let (w, h) = size[*b].unwrap_or_default();
                    stack.push((*b, Point::new(centre.x - w / 2.0, centre.y - h / 2.0)));
                }
            }
        }
    }

    // Pinned elements stay; the layout moves as a whole to sit where they are on average.
    let pinned: Vec<usize> = (0..doc.elements.len())
        .filter(|&i| options.pinned.contains(&doc.elements[i].id) && laid[i].is_some())
        .collect();
    let (dx, dy) = if pinned.is_empty() {
        (0.0, 0.0)
    } else {
        let k = pinned.len() as f64;
        let sx: f64 = pinned.iter().filter_map(|&i| laid[i].map(|p| doc.elements[i].at.x - p.x)).sum();
        let sy: f64 = pinned.iter().filter_map(|&i| laid[i].map(|p| doc.elements[i].at.y - p.y)).sum();
        (sx / k, sy / k)
    };
    // Moved there, the layout must still hold coordinates a document may have: elements pinned near
    // the edge of that range pull it only as far as the edge.
    let moved: Vec<Point> = (0..doc.elements.len())
        .filter(|&i| !options.pinned.contains(&doc.elements[i].id))
        .filter_map(|i| laid[i])
        .collect();
    let within = |shift: f64, coordinate: fn(&Point) -> f64| {
        let lo = moved.iter().map(coordinate).fold(f64::INFINITY, f64::min);
        let hi = moved.iter().map(coordinate).fold(f64::NEG_INFINITY, f64::max);
        if lo <= hi && hi - lo <= 2.0 * MAX_COORDINATE {
            shift.clamp(-MAX_COORDINATE - lo, MAX_COORDINATE - hi)
        } else {
            shift
        }
    };
    let (dx, dy) = (within(dx, |p| p.x), within(dy, |p| p.y));
    let place = |v: f64| geometry::round_position(v.clamp(-MAX_COORDINATE, MAX_COORDINATE));
    for (i, e) in doc.elements.iter_mut().enumerate() {
        if options.pinned.contains(&e.id) {
            continue;
        }
        if let Some(p) = laid[i] {
            e.at = Point::new(place(p.x + dx), place(p.y + dy));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::geometry::{boundary_rects, element_size};
    use crate::model::synth;

    fn element_rects(doc: &Document) -> Vec<Rect> {
        doc.elements.iter().map(|e| Rect::centred(e.at, element_size(e.kind, &e.label))).collect()
    }

    #[test]
    fn nothing_overlaps_and_boxes_nest() {
        let mut doc = synth::document(300, 5);
        layout(&mut doc, &LayoutOptions::default());
        let rects = element_rects(&doc);
        for i in 0..rects.len() {
            for j in i + 1..rects.len() {
                assert!(!rects[i].intersects(&rects[j]), "{} and {}", doc.elements[i].id, doc.elements[j].id);
            }
        }
        let boxes = boundary_rects(&doc);
        for a in &doc.boundaries {
            for b in &doc.boundaries {
                if a.id < b.id && a.parent == b.parent {
                    assert!(!boxes[&a.id].intersects(&boxes[&b.id]), "{} and {}", a.id, b.id);
                }
            }
        }
        for e in &doc.elements {
            for b in &doc.boundaries {
                let inside = doc.elements.iter().any(|_| false) || e.boundary.as_ref() == Some(&b.id);
                if !inside && boxes[&b.id].contains(e.at) {
                    let mut up = e.boundary.clone();
                    let mut ancestor = false;
                    while let Some(u) = up {
                        if u == b.id {
                            ancestor = true;
                        }
                        up = doc.boundaries.iter().find(|x| x.id == u).and_then(|x| x.parent.clone());
                    }
                    assert!(ancestor, "{} sits in foreign box {}", e.id, b.id);
                }
            }
        }
    }

    #[test]
    fn elements_pinned_at_the_edge_of_the_canvas_keep_the_layout_inside_it() {
        let mut doc = crate::model::synth::document(30, 3);
        doc.elements[3].at = Point::new(MAX_COORDINATE, -MAX_COORDINATE);
        let options = LayoutOptions { pinned: [doc.elements[3].id.clone()].into(), ..LayoutOptions::default() };
        layout(&mut doc, &options);
        assert_eq!(doc.elements[3].at, Point::new(MAX_COORDINATE, -MAX_COORDINATE));
        assert_eq!(doc.validate(), [], "every position within range");
        let xs: Vec<f64> = doc.elements.iter().map(|e| e.at.x).collect();
        assert!(
            xs.iter().filter(|&&x| x == MAX_COORDINATE).count() <= 2,
            "the layout is not squashed against the edge"
        );
    }

    #[test]
    fn pinned_elements_keep_their_place() {
        let mut doc = synth::document(40, 2);
        let pinned_at = doc.elements[3].at;
        let options = LayoutOptions { pinned: [doc.elements[3].id.clone()].into(), ..LayoutOptions::default() };
        layout(&mut doc, &options);
        assert_eq!(doc.elements[3].at, pinned_at);
    }

    #[test]
    fn cycles_and_dangling_references_do_not_hang() {
        let mut doc = synth::document(20, 1);
        let (a, b) = (doc.boundaries[0].id.clone(), doc.boundaries[1].id.clone());
        doc.boundaries[0].parent = Some(b);
        doc.boundaries[1].parent = Some(a);
        doc.elements[0].boundary = Some(Id::new("missing").unwrap());
        layout(&mut doc, &LayoutOptions::default());
        assert!(doc.elements.iter().all(|e| e.at.x.is_finite() && e.at.y.is_finite()));
    }
}
