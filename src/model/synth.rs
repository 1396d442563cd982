//! Synthetic documents of any size, for benchmarks and property tests: realistic shapes (nested
//! boundaries, mostly local flows, a mix of protocols, some threats), deterministic for a seed.

use super::document::{Boundary, Category, Document, Element, ElementKind, Flow, Point, Severity, Status, Threat};
use super::id::Id;

/// Elements per innermost boundary.
const PER_LEAF: usize = 8;
const COL_GAP: f64 = 170.0;
const ROW_GAP: f64 = 110.0;
const LEAF_W: f64 = 4.0 * COL_GAP + 80.0;
const LEAF_H: f64 = 2.0 * ROW_GAP + 110.0;

/// A small, fast, deterministic pseudo-random generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value, zero included).
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

fn id(s: String) -> Id {
    Id::new(s).unwrap_or_else(|_| Id::slug("generated", "generated"))
}

/// A document with `elements` elements in three levels of nested boundaries (8 elements per innermost
/// boundary, 4 of those per middle one, 4 middles per outer one), about 1.5 flows per element, mostly
/// between neighbours, and one threat for every ten flows. Boxes never overlap.
#[allow(clippy::too_many_lines)] // one straight-line recipe: boundaries, elements, flows, threats
pub fn document(elements: usize, seed: u64) -> Document {
    let mut rng = Rng::new(seed);
    let leaves = elements.div_ceil(PER_LEAF);
    let mids = leaves.div_ceil(4);
    let tops = mids.div_ceil(4);
    let top_cols = (tops as f64).sqrt().ceil().max(1.0) as usize;
    let mut doc = Document {
        title: format!("Synthetic model with {elements} elements"),
        description: "Generated for benchmarks.".into(),
        ..Document::default()
    };
    for t in 0..tops {
        doc.boundaries.push(Boundary {
            id: id(format!("zone-{t}")),
            label: format!("Zone {t}"),
            parent: None,
            notes: String::new(),
        });
    }
    for m in 0..mids {
        doc.boundaries.push(Boundary {
            id: id(format!("net-{m}")),
            label: format!("Network {m}"),
            parent: Some(id(format!("zone-{}", m / 4))),
            notes: String::new(),
        });
    }
    for l in 0..leaves {
        doc.boundaries.push(Boundary {
            id: id(format!("host-{l}")),
            label: format!("Host {l}"),
            parent: Some(id(format!("net-{}", l / 4))),
            notes: String::new(),
        });
    }
    let mid_w = 2.0 * LEAF_W + 80.0;
    let mid_h = 2.0 * LEAF_H + 100.0;
    let top_w = 2.0 * mid_w + 80.0;
    let top_h = 2.0 * mid_h + 100.0;
    for i in 0..elements {
        let leaf = i / PER_LEAF;
        let (mid, top) = (leaf / 4, leaf / 16);
        let (tx, ty) = ((top % top_cols) as f64 * top_w, (top / top_cols) as f64 * top_h);
        let (mx, my) = (((mid % 4) % 2) as f64 * mid_w, ((mid % 4) / 2) as f64 * mid_h);
        let (lx, ly) = (((leaf % 4) % 2) as f64 * LEAF_W, ((leaf % 4) / 2) as f64 * LEAF_H);
        let slot = i % PER_LEAF;
        let (ex, ey) = ((slot % 4) as f64 * COL_GAP, (slot / 4) as f64 * ROW_GAP);
        let kind = match rng.below(20) {
            0..=2 => ElementKind::External,
            3..=7 => ElementKind::Store,
            _ => ElementKind::Process,
        };
        let out_of_scope = rng.chance(5);
        doc.elements.push(Element {
            id: id(format!("e{i}")),
            kind,
            label: format!("{} {i}", ["api", "worker", "cache", "db", "gateway", "queue"][rng.below(6)]),
            boundary: Some(id(format!("host-{leaf}"))),
            at: Point::new(tx + mx + lx + ex + 100.0, ty + my + ly + ey + 100.0),
            out_of_scope,
            out_of_scope_reason: if out_of_scope { "Operated by another team.".into() } else { String::new() },
            notes: String::new(),
        });
    }
    if elements < 2 {
        return doc;
    }
    let protocols = ["grpc", "grpcs", "https", "http", "wss", "postgres", "redis", "kafka", "tls", "amqps", ""];
    let flow_count = elements * 3 / 2;
    for f in 0..flow_count {
        let from = f % elements;
        let to = loop {
            let candidate = match rng.below(10) {
                0..=5 => (from / PER_LEAF) * PER_LEAF + rng.below(PER_LEAF),
                6..=8 => (from / (PER_LEAF * 16)) * PER_LEAF * 16 + rng.below(PER_LEAF * 16),
                _ => rng.below(elements),
            };
            let candidate = candidate.min(elements - 1);
            if candidate != from {
                break candidate;
            }
        };
        let out_of_scope = rng.chance(4);
        doc.flows.push(Flow {
            id: id(format!("f{f}")),
            from: id(format!("e{from}")),
            to: id(format!("e{to}")),
            label: ["read", "write", "events", "sync", "query", ""][rng.below(6)].into(),
            protocol: protocols[rng.below(protocols.len())].into(),
            encrypted: None,
            bidirectional: rng.chance(10),
            out_of_scope,
            out_of_scope_reason: String::new(),
            notes: String::new(),
        });
        if f % 10 == 0 {
            let n = doc.threats.len() + 1;
            doc.threats.push(Threat {
                id: id(format!("T{n}")),
                target: id(format!("f{f}")),
                category: Category::STRIDE[rng.below(6)],
                classification: String::new(),
                title: format!("Generated threat {n}"),
                description: "Generated for benchmarks.".into(),
                severity: Severity::ALL[rng.below(4)],
                cvss: String::new(),
                status: Status::ALL[rng.below(5)],
                mitigation: String::new(),
                references: Vec::new(),
                rule: String::new(),
            });
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::geometry::boundary_rects;

    #[test]
    fn generated_documents_are_valid_and_deterministic() {
        for n in [0, 1, 2, 9, 100, 1000] {
            let doc = document(n, 7);
            assert_eq!(doc.elements.len(), n);
            assert!(doc.validate().is_empty(), "{n}: {:?}", doc.validate().first());
            assert_eq!(doc, document(n, 7));
        }
        assert!(document(1000, 7).flows.len() >= 1400);
    }

    #[test]
    fn sibling_boxes_do_not_overlap() {
        let doc = document(600, 3);
        let rects = boundary_rects(&doc);
        for a in &doc.boundaries {
            for b in &doc.boundaries {
                if a.id < b.id && a.parent == b.parent {
                    assert!(!rects[&a.id].intersects(&rects[&b.id]), "{} and {} overlap", a.id, b.id);
                }
            }
        }
    }
}
