//! Fast lookups and the questions the product asks of a document: where an element sits, which
//! boundaries a flow crosses, whether it is encrypted, which threats are open on what.

use std::collections::HashMap;

use super::document::{Boundary, Document, Element, Flow, Severity, Status, Threat};
use super::id::Id;
use super::protocol::{self, Encryption};

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item<'a> {
    /// A trust boundary.
    Boundary(&'a Boundary),
    /// An element.
    Element(&'a Element),
    /// A flow.
    Flow(&'a Flow),
}

impl Item<'_> {
    /// The item's label, or its id when the label is empty.
    pub fn display_name(&self) -> &str {
        let (id, label) = match self {
            Item::Boundary(b) => (&b.id, &b.label),
            Item::Element(e) => (&e.id, &e.label),
            Item::Flow(f) => (&f.id, &f.label),
        };
        if label.is_empty() { id.as_str() } else { label }
    }
}

/// Id → position maps over one document, built once and used for many queries.
///
/// Building is O(n); each lookup is O(1). Rebuild after the document changes.
#[derive(Debug)]
pub struct Index<'a> {
    doc: &'a Document,
    boundaries: HashMap<&'a str, usize>,
    elements: HashMap<&'a str, usize>,
    flows: HashMap<&'a str, usize>,
    threats_by_target: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Index<'a> {
    /// Indexes `doc`. With duplicate ids (which loading rejects) the first occurrence wins.
    pub fn new(doc: &'a Document) -> Self {
        fn positions<'a, T>(items: &'a [T], id: impl Fn(&'a T) -> &'a Id) -> HashMap<&'a str, usize> {
            let mut m = HashMap::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                m.entry(id(item).as_str()).or_insert(i);
            }
            m
        }
        let mut threats_by_target: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, t) in doc.threats.iter().enumerate() {
            threats_by_target.entry(t.target.as_str()).or_default().push(i);
        }
        Self {
            doc,
            boundaries: positions(&doc.boundaries, |b| &b.id),
            elements: positions(&doc.elements, |e| &e.id),
            flows: positions(&doc.flows, |f| &f.id),
            threats_by_target,
        }
    }

    /// The indexed document.
    pub fn doc(&self) -> &'a Document {
        self.doc
    }

    /// The boundary with this id.
    pub fn boundary(&self, id: &str) -> Option<&'a Boundary> {
        self.boundaries.get(id).map(|&i| &self.doc.boundaries[i])
    }

    /// The element with this id.
    pub fn element(&self, id: &str) -> Option<&'a Element> {
        self.elements.get(id).map(|&i| &self.doc.elements[i])
    }

    /// The flow with this id.
    pub fn flow(&self, id: &str) -> Option<&'a Flow> {
        self.flows.get(id).map(|&i| &self.doc.flows[i])
    }

    /// Position of the element with this id in `doc.elements`.
    pub fn element_position(&self, id: &str) -> Option<usize> {
        self.elements.get(id).copied()
    }

    /// Whatever this id names among boundaries, elements and flows.
    pub fn item(&self, id: &str) -> Option<Item<'a>> {
        self.element(id)
            .map(Item::Element)
            .or_else(|| self.flow(id).map(Item::Flow))
            .or_else(|| self.boundary(id).map(Item::Boundary))
    }

    /// True when a boundary, element or flow already uses this id.
    pub fn is_taken(&self, id: &str) -> bool {
        self.elements.contains_key(id) || self.flows.contains_key(id) || self.boundaries.contains_key(id)
    }

    /// The boundaries around a boundary, innermost (itself) first. Stops at a parent cycle.
    pub fn boundary_ancestors(&self, id: &str) -> Vec<&'a Boundary> {
        let mut chain: Vec<&'a Boundary> = Vec::new();
        let mut next = self.boundary(id);
        while let Some(b) = next {
            if chain.iter().any(|c| c.id == b.id) {
                break;
            }
            chain.push(b);
            next = b.parent.as_ref().and_then(|p| self.boundary(p.as_str()));
        }
        chain
    }

    /// The chain of boundaries an element sits in, innermost first.
    pub fn boundary_chain(&self, element: &Element) -> Vec<&'a Boundary> {
        element.boundary.as_ref().map(|b| self.boundary_ancestors(b.as_str())).unwrap_or_default()
    }

    /// The trust boundaries a flow crosses: those around exactly one of its two ends,
    /// the source's (innermost first) before the target's (outermost first).
    pub fn crossings(&self, flow: &Flow) -> Vec<&'a Boundary> {
        let chain = |id: &Id| self.element(id.as_str()).map(|e| self.boundary_chain(e)).unwrap_or_default();
        let from = chain(&flow.from);
        let to = chain(&flow.to);
        let mut out: Vec<&'a Boundary> = from.iter().copied().filter(|b| !to.iter().any(|t| t.id == b.id)).collect();
        out.extend(to.iter().rev().copied().filter(|b| !from.iter().any(|f| f.id == b.id)));
        out
    }

    /// True when the flow crosses at least one trust boundary.
    pub fn crosses_boundary(&self, flow: &Flow) -> bool {
        let b = |id: &Id| self.element(id.as_str()).and_then(|e| e.boundary.as_ref());
        b(&flow.from) != b(&flow.to)
    }

    /// Threats whose target is this id, in document order.
    pub fn threats_on(&self, target: &str) -> impl Iterator<Item = &'a Threat> + '_ {
        self.threats_by_target.get(target).into_iter().flatten().map(|&i| &self.doc.threats[i])
    }

    /// The number of open threats on a target and the worst severity among them.
    pub fn open_threats(&self, target: &str) -> Option<(usize, Severity)> {
        let open: Vec<&Threat> = self.threats_on(target).filter(|t| t.status == Status::Open).collect();
        open.iter().map(|t| t.severity).max().map(|worst| (open.len(), worst))
    }
}

/// Whether a flow is encrypted: its explicit override, else what the catalogue says of its protocol.
pub fn encryption(flow: &Flow) -> Encryption {
    match flow.encrypted {
        Some(true) => Encryption::Encrypted,
        Some(false) => Encryption::Plain,
        None => match protocol::lookup(&flow.protocol) {
            Some(p) if p.encrypted => Encryption::Encrypted,
            Some(_) => Encryption::Plain,
            None => Encryption::Unknown,
        },
    }
}
