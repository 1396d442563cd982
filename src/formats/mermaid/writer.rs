//! Writes a document as a Mermaid flowchart: subgraphs for boundaries, one shape per element kind,
//! dotted links for out-of-scope flows, styles for plain and encrypted flows, and `%% threatboard:1`
//! metadata lines for everything Mermaid cannot say.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::lexer::yaml_quote;
use super::mapping::OUT_OF_SCOPE_CLASS;
use super::meta::{self, BoundaryMeta, DocMeta, ElementMeta, FlowMeta, PREFIX};
use super::parser::keyword_prefix;
use super::text::{escape, flow_text, mentions_style};
use super::{META_VERSION, shapes};
use crate::model::{Document, ElementKind, Encryption, Id, encryption};

/// Styles, chosen to follow Threatboard's visual language in Mermaid's renderer.
const STYLE_OUT_OF_SCOPE: &str = "fill:#f5f5f5,stroke:#9e9e9e,color:#757575,stroke-dasharray:4 3";
const STYLE_BOUNDARY: &str = "fill:none,stroke:#c62828,stroke-width:1.5px,stroke-dasharray:8 4";
const LINK_ENCRYPTED: &str = "stroke:#2e7d32,stroke-width:2px";
const LINK_PLAIN: &str = "stroke:#c62828,stroke-width:1.5px";
const LINK_OUT_OF_SCOPE: &str = "stroke:#9e9e9e,color:#9e9e9e";
/// Ids per `class` or `linkStyle` line, to keep lines readable.
const PER_LINE: usize = 40;

/// True when Mermaid reads `id` as a plain node id wherever Threatboard writes one.
fn is_safe(id: &str) -> bool {
    keyword_prefix(id).is_none()
        && !matches!(id, "click" | "call" | "href")
        && !id.contains("--")
        && !id.ends_with('-')
        && !id.to_ascii_lowercase().contains("direction")
}

/// The Mermaid id of every boundary and element: the Threatboard id when it is safe, otherwise a
/// mangled `n_…` one (the real id then travels in the metadata).
fn mermaid_ids(doc: &Document) -> HashMap<&str, String> {
    let all = doc.boundaries.iter().map(|b| &b.id).chain(doc.elements.iter().map(|e| &e.id));
    let mut used: HashSet<String> = all.clone().filter(|id| is_safe(id.as_str())).map(|id| id.to_string()).collect();
    let mut out = HashMap::new();
    for id in all {
        let id = id.as_str();
        if is_safe(id) {
            out.insert(id, id.to_owned());
            continue;
        }
        let mut base = format!("n_{}", id.replace('-', "_"));
        while let Some(at) = base.to_ascii_lowercase().find("direction") {
            base.insert(at + 1, '_');
        }
        let mut candidate = base.clone();
        let mut n = 2;
        while used.contains(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        used.insert(candidate.clone());
        out.insert(id, candidate);
    }
    out
}

fn shape(kind: ElementKind) -> (&'static str, &'static str) {
    match kind {
        ElementKind::External => ("[", "]"),
        ElementKind::Process => ("([", "])"),
        ElementKind::Store => ("[(", ")]"),
    }
}

fn kind_of_shape(kind: ElementKind) -> ElementKind {
    use super::ast::Shape;
    shapes::kind(Some(match kind {
        ElementKind::External => Shape::Rect,
        ElementKind::Process => Shape::Stadium,
        ElementKind::Store => Shape::Cylinder,
    }))
}

fn meta_line(out: &mut String, indent: &str, what: &str, json: &str) {
    let _ = writeln!(out, "{indent}%% {PREFIX}{META_VERSION} {what} {json}");
}

/// The diagram text for `doc`.
#[allow(clippy::too_many_lines)] // header, structure, flows, styles, threats: one pass each
pub fn write(doc: &Document) -> String {
    let mids = mermaid_ids(doc);
    let mid = |id: &Id| mids.get(id.as_str()).cloned().unwrap_or_else(|| id.to_string());
    let mut out = String::with_capacity(128 * (doc.elements.len() + doc.flows.len() + 4));
    if !doc.title.is_empty() {
        let _ = writeln!(out, "---\ntitle: {}\n---", yaml_quote(&doc.title));
    }
    let _ = writeln!(out, "flowchart {}", doc.direction.as_str());

    // The boundary tree; boundaries on a parent cycle or under a missing parent count as roots.
    let known: HashSet<&str> = doc.boundaries.iter().map(|b| b.id.as_str()).collect();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, b) in doc.boundaries.iter().enumerate() {
        match &b.parent {
            Some(p) if known.contains(p.as_str()) && p != &b.id => children.entry(p.as_str()).or_default().push(i),
            _ => roots.push(i),
        }
    }
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut loose = Vec::new();
    for (i, e) in doc.elements.iter().enumerate() {
        match &e.boundary {
            Some(b) if known.contains(b.as_str()) => members.entry(b.as_str()).or_default().push(i),
            _ => loose.push(i),
        }
    }

    let mut body = String::new();
    let mut element_order: Vec<usize> = Vec::with_capacity(doc.elements.len());
    let mut boundary_order: Vec<usize> = Vec::with_capacity(doc.boundaries.len());
    let mut write_element = |body: &mut String, order: &mut Vec<usize>, i: usize, depth: usize| {
        let e = &doc.elements[i];
        let indent = "  ".repeat(depth);
        let m = mid(&e.id);
        let em = ElementMeta {
            id: (m != e.id.as_str()).then(|| e.id.clone()),
            kind: (kind_of_shape(e.kind) != e.kind).then_some(e.kind),
            at: Some([e.at.x, e.at.y]),
            out_of_scope_reason: e.out_of_scope_reason.clone(),
            notes: e.notes.clone(),
        };
        meta_line(body, &indent, &format!("element {m}"), &meta::json(&em));
        let (open, close) = shape(e.kind);
        let colons = mentions_style(&m) || mentions_style(&e.label);
        let _ = writeln!(body, "{indent}{m}{open}\"{}\"{close}", escape(&e.label, colons));
        order.push(i);
    };
    for &i in &loose {
        write_element(&mut body, &mut element_order, i, 1);
    }
    let mut visited = vec![false; doc.boundaries.len()];
    let mut pending: Vec<usize> = roots.clone();
    pending.extend(0..doc.boundaries.len());
    for start in pending {
        if visited[start] {
            continue;
        }
        // Depth-first without recursion: (boundary, depth, opening?)
        let mut stack = vec![(start, 1usize, true)];
        while let Some((b, depth, opening)) = stack.pop() {
            let indent = "  ".repeat(depth);
            if !opening {
                let _ = writeln!(body, "{indent}end");
                continue;
            }
            if visited[b] {
                continue;
            }
            visited[b] = true;
            boundary_order.push(b);
            let boundary = &doc.boundaries[b];
            let m = mid(&boundary.id);
            if m != boundary.id.as_str() || !boundary.notes.is_empty() {
                let bm = BoundaryMeta {
                    id: (m != boundary.id.as_str()).then(|| boundary.id.clone()),
                    notes: boundary.notes.clone(),
                };
                meta_line(&mut body, &indent, &format!("boundary {m}"), &meta::json(&bm));
            }
            let colons = mentions_style(&m) || mentions_style(&boundary.label);
            let _ = writeln!(body, "{indent}subgraph {m}[\"{}\"]", escape(&boundary.label, colons));
            for &i in members.get(boundary.id.as_str()).map(Vec::as_slice).unwrap_or_default() {
                write_element(&mut body, &mut element_order, i, depth + 1);
            }
            stack.push((b, depth, false));
            let kids = children.get(boundary.id.as_str()).map(Vec::as_slice).unwrap_or_default();
            for &k in kids.iter().rev() {
                if !visited[k] {
                    stack.push((k, depth + 1, true));
                }
            }
        }
    }

    let in_order = |order: &[usize], len: usize| order.len() == len && order.iter().enumerate().all(|(k, &i)| k == i);
    let dm = DocMeta {
        title: doc.title.clone(),
        description: doc.description.clone(),
        decomposition: doc.decomposition.clone(),
        dismissed: doc.dismissed.clone(),
        boundary_order: if in_order(&boundary_order, doc.boundaries.len()) {
            Vec::new()
        } else {
            doc.boundaries.iter().map(|b| b.id.clone()).collect()
        },
        element_order: if in_order(&element_order, doc.elements.len()) {
            Vec::new()
        } else {
            doc.elements.iter().map(|e| e.id.clone()).collect()
        },
    };
    meta_line(&mut out, "  ", "document", &meta::json(&dm));
    out.push_str(&body);

    let elements: HashSet<&str> = doc.elements.iter().map(|e| e.id.as_str()).collect();
    let (mut encrypted, mut plain, mut out_of_scope) = (Vec::new(), Vec::new(), Vec::new());
    let mut link = 0usize;
    for f in &doc.flows {
        if !elements.contains(f.from.as_str()) || !elements.contains(f.to.as_str()) {
            continue;
        }
        let (from, to) = (mid(&f.from), mid(&f.to));
        let fm = FlowMeta {
            id: Some(f.id.clone()),
            protocol: f.protocol.clone(),
            encrypted: f.encrypted,
            out_of_scope_reason: f.out_of_scope_reason.clone(),
            notes: f.notes.clone(),
        };
        meta_line(&mut out, "  ", &format!("flow {from} {to}"), &meta::json(&fm));
        let arrow = match (f.out_of_scope, f.bidirectional) {
            (false, false) => "-->",
            (false, true) => "<-->",
            (true, false) => "-.->",
            (true, true) => "<-.->",
        };
        let shown = flow_text(&f.label, &f.protocol);
        if shown.is_empty() {
            let _ = writeln!(out, "  {from} {arrow} {to}");
        } else {
            let colons = mentions_style(&from) || mentions_style(&to) || mentions_style(&shown);
            let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", escape(&shown, colons));
        }
        if f.out_of_scope {
            out_of_scope.push(link);
        } else {
            match encryption(f) {
                Encryption::Encrypted => encrypted.push(link),
                Encryption::Plain => plain.push(link),
                Encryption::Unknown => {}
            }
        }
        link += 1;
    }

    let oos: Vec<String> = doc.elements.iter().filter(|e| e.out_of_scope).map(|e| mid(&e.id)).collect();
    if !oos.is_empty() {
        let _ = writeln!(out, "  classDef {OUT_OF_SCOPE_CLASS} {STYLE_OUT_OF_SCOPE}");
        for chunk in oos.chunks(PER_LINE) {
            let _ = writeln!(out, "  class {} {OUT_OF_SCOPE_CLASS}", chunk.join(","));
        }
    }
    if !doc.boundaries.is_empty() {
        let _ = writeln!(out, "  classDef tbBoundary {STYLE_BOUNDARY}");
        let all: Vec<String> = doc.boundaries.iter().map(|b| mid(&b.id)).collect();
        for chunk in all.chunks(PER_LINE) {
            let _ = writeln!(out, "  class {} tbBoundary", chunk.join(","));
        }
    }
    for (links, style) in [(&encrypted, LINK_ENCRYPTED), (&plain, LINK_PLAIN), (&out_of_scope, LINK_OUT_OF_SCOPE)] {
        for chunk in links.chunks(PER_LINE) {
            let list: Vec<String> = chunk.iter().map(usize::to_string).collect();
            let _ = writeln!(out, "  linkStyle {} {style}", list.join(","));
        }
    }
    for t in &doc.threats {
        meta_line(&mut out, "  ", "threat", &meta::json(t));
    }
    out
}
