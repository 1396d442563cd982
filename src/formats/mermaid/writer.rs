//! Writes a document as a Mermaid flowchart: subgraphs for boundaries, one shape per element kind,
//! dotted links for out-of-scope flows, styles for plain and encrypted flows, and `%% threatboard:1`
//! metadata lines for everything Mermaid cannot say.

use std::fmt::Write;

use foldhash::{HashMap, HashSet};
use serde::Serialize;

use super::lexer::yaml_quote;
use super::mapping::OUT_OF_SCOPE_CLASS;
use super::meta::{self, BoundaryMeta, DocMeta, ElementMeta, FlowMeta, PREFIX};
use super::parser::keyword_prefix;
use super::text::{escape_into, mentions_style, push_flow_text};
use super::{META_VERSION, shapes};
use crate::model::{Document, Element, ElementKind, Encryption, encryption};

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
        && !contains_ignoring_ascii_case(id, "direction")
}

/// True when `haystack` holds the ASCII text `needle`, in any ASCII case.
fn contains_ignoring_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The Mermaid id of every boundary and element: the Threatboard id when it is safe, otherwise a
/// mangled `n_…` one (the real id then travels in the metadata).
struct MermaidIds<'a> {
    /// The mangled ids, by Threatboard id; safe ids stand for themselves and are not stored.
    mangled: HashMap<&'a str, String>,
}

impl<'a> MermaidIds<'a> {
    fn new(doc: &'a Document) -> Self {
        let all = || doc.boundaries.iter().map(|b| b.id.as_str()).chain(doc.elements.iter().map(|e| e.id.as_str()));
        let safe: HashSet<&str> = all().filter(|id| is_safe(id)).collect();
        let mut minted: HashSet<String> = HashSet::default();
        let mut mangled = HashMap::default();
        for id in all().filter(|id| !is_safe(id)) {
            let mut base = format!("n_{}", id.replace('-', "_"));
            while let Some(at) = base.to_ascii_lowercase().find("direction") {
                base.insert(at + 1, '_');
            }
            let mut candidate = base.clone();
            let mut n = 2;
            while safe.contains(candidate.as_str()) || minted.contains(&candidate) {
                candidate = format!("{base}_{n}");
                n += 1;
            }
            minted.insert(candidate.clone());
            mangled.insert(id, candidate);
        }
        Self { mangled }
    }

    /// The Mermaid id for a Threatboard id.
    fn get<'s>(&'s self, id: &'s str) -> &'s str {
        self.mangled.get(id).map_or(id, String::as_str)
    }
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

/// Appends `depth` levels of indentation.
fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Writes the `%% threatboard:1 …` metadata lines, reusing one buffer for their JSON.
struct MetaLines {
    /// `%% threatboard:1`
    tag: String,
    json: Vec<u8>,
}

impl MetaLines {
    fn new() -> Self {
        Self { tag: format!("%% {PREFIX}{META_VERSION}"), json: Vec::new() }
    }

    /// Appends `%% threatboard:1 word… {json}` and a newline, indented by `depth`.
    fn line(&mut self, out: &mut String, depth: usize, words: &[&str], value: &impl Serialize) {
        indent(out, depth);
        out.push_str(&self.tag);
        for word in words {
            out.push(' ');
            out.push_str(word);
        }
        out.push(' ');
        meta::write_json(out, &mut self.json, value);
        out.push('\n');
    }
}

/// Appends an element: its metadata line and its node.
fn write_element(out: &mut String, lines: &mut MetaLines, ids: &MermaidIds<'_>, e: &Element, depth: usize) {
    let m = ids.get(e.id.as_str());
    let em = ElementMeta {
        id: (m != e.id.as_str()).then(|| e.id.clone()),
        kind: (kind_of_shape(e.kind) != e.kind).then_some(e.kind),
        at: Some([e.at.x, e.at.y]),
        out_of_scope_reason: e.out_of_scope_reason.clone(),
        notes: e.notes.clone(),
    };
    lines.line(out, depth, &["element", m], &em);
    let (open, close) = shape(e.kind);
    let colons = mentions_style(m) || mentions_style(&e.label);
    indent(out, depth);
    out.push_str(m);
    out.push_str(open);
    out.push('"');
    escape_into(out, &e.label, colons);
    out.push('"');
    out.push_str(close);
    out.push('\n');
}

/// Appends `items` separated by commas.
fn push_joined<T: AsRef<str>>(out: &mut String, items: &[T]) {
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str(item.as_ref());
    }
}

/// The diagram text for `doc`.
#[allow(clippy::too_many_lines)] // header, structure, flows, styles, threats: one pass each
pub fn write(doc: &Document) -> String {
    let ids = MermaidIds::new(doc);
    let mut lines = MetaLines::new();
    let mut out = String::with_capacity(128 * (doc.elements.len() + doc.flows.len() + 4));
    if !doc.title.is_empty() {
        let _ = writeln!(out, "---\ntitle: {}\n---", yaml_quote(&doc.title));
    }
    out.push_str("flowchart ");
    out.push_str(doc.direction.as_str());
    out.push('\n');

    // The boundary tree; boundaries on a parent cycle or under a missing parent count as roots.
    let known: HashSet<&str> = doc.boundaries.iter().map(|b| b.id.as_str()).collect();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::default();
    let mut roots = Vec::new();
    for (i, b) in doc.boundaries.iter().enumerate() {
        match &b.parent {
            Some(p) if known.contains(p.as_str()) && p != &b.id => children.entry(p.as_str()).or_default().push(i),
            _ => roots.push(i),
        }
    }
    let mut members: HashMap<&str, Vec<usize>> = HashMap::default();
    let mut loose = Vec::new();
    for (i, e) in doc.elements.iter().enumerate() {
        match &e.boundary {
            Some(b) if known.contains(b.as_str()) => members.entry(b.as_str()).or_default().push(i),
            _ => loose.push(i),
        }
    }

    // Written apart, because the document line before it says whether its order is the document's.
    let mut body = String::with_capacity(112 * doc.elements.len() + 64 * doc.boundaries.len());
    let mut element_order: Vec<usize> = Vec::with_capacity(doc.elements.len());
    let mut boundary_order: Vec<usize> = Vec::with_capacity(doc.boundaries.len());
    for &i in &loose {
        write_element(&mut body, &mut lines, &ids, &doc.elements[i], 1);
        element_order.push(i);
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
            if !opening {
                indent(&mut body, depth);
                body.push_str("end\n");
                continue;
            }
            if visited[b] {
                continue;
            }
            visited[b] = true;
            boundary_order.push(b);
            let boundary = &doc.boundaries[b];
            let m = ids.get(boundary.id.as_str());
            if m != boundary.id.as_str() || !boundary.notes.is_empty() {
                let bm = BoundaryMeta {
                    id: (m != boundary.id.as_str()).then(|| boundary.id.clone()),
                    notes: boundary.notes.clone(),
                };
                lines.line(&mut body, depth, &["boundary", m], &bm);
            }
            let colons = mentions_style(m) || mentions_style(&boundary.label);
            indent(&mut body, depth);
            body.push_str("subgraph ");
            body.push_str(m);
            body.push_str("[\"");
            escape_into(&mut body, &boundary.label, colons);
            body.push_str("\"]\n");
            for &i in members.get(boundary.id.as_str()).map(Vec::as_slice).unwrap_or_default() {
                write_element(&mut body, &mut lines, &ids, &doc.elements[i], depth + 1);
                element_order.push(i);
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
    lines.line(&mut out, 1, &["document"], &dm);
    out.push_str(&body);

    let elements: HashSet<&str> = doc.elements.iter().map(|e| e.id.as_str()).collect();
    let (mut encrypted, mut plain, mut out_of_scope) = (Vec::new(), Vec::new(), Vec::new());
    let mut link = 0usize;
    let mut shown = String::new();
    for f in &doc.flows {
        if !elements.contains(f.from.as_str()) || !elements.contains(f.to.as_str()) {
            continue;
        }
        let (from, to) = (ids.get(f.from.as_str()), ids.get(f.to.as_str()));
        let fm = FlowMeta {
            id: Some(f.id.clone()),
            protocol: f.protocol.clone(),
            encrypted: f.encrypted,
            out_of_scope_reason: f.out_of_scope_reason.clone(),
            notes: f.notes.clone(),
        };
        lines.line(&mut out, 1, &["flow", from, to], &fm);
        let arrow = match (f.out_of_scope, f.bidirectional) {
            (false, false) => "-->",
            (false, true) => "<-->",
            (true, false) => "-.->",
            (true, true) => "<-.->",
        };
        shown.clear();
        push_flow_text(&mut shown, &f.label, &f.protocol);
        out.push_str("  ");
        out.push_str(from);
        out.push(' ');
        out.push_str(arrow);
        if shown.is_empty() {
            out.push(' ');
        } else {
            let colons = mentions_style(from) || mentions_style(to) || mentions_style(&shown);
            out.push_str("|\"");
            escape_into(&mut out, &shown, colons);
            out.push_str("\"| ");
        }
        out.push_str(to);
        out.push('\n');
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

    let oos: Vec<&str> = doc.elements.iter().filter(|e| e.out_of_scope).map(|e| ids.get(e.id.as_str())).collect();
    if !oos.is_empty() {
        let _ = writeln!(out, "  classDef {OUT_OF_SCOPE_CLASS} {STYLE_OUT_OF_SCOPE}");
        for chunk in oos.chunks(PER_LINE) {
            out.push_str("  class ");
            push_joined(&mut out, chunk);
            out.push(' ');
            out.push_str(OUT_OF_SCOPE_CLASS);
            out.push('\n');
        }
    }
    if !doc.boundaries.is_empty() {
        let _ = writeln!(out, "  classDef tbBoundary {STYLE_BOUNDARY}");
        let all: Vec<&str> = doc.boundaries.iter().map(|b| ids.get(b.id.as_str())).collect();
        for chunk in all.chunks(PER_LINE) {
            out.push_str("  class ");
            push_joined(&mut out, chunk);
            out.push_str(" tbBoundary\n");
        }
    }
    for (links, style) in [(&encrypted, LINK_ENCRYPTED), (&plain, LINK_PLAIN), (&out_of_scope, LINK_OUT_OF_SCOPE)] {
        for chunk in links.chunks(PER_LINE) {
            out.push_str("  linkStyle ");
            for (k, n) in chunk.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{n}");
            }
            out.push(' ');
            out.push_str(style);
            out.push('\n');
        }
    }
    for t in &doc.threats {
        lines.line(&mut out, 1, &["threat"], t);
    }
    out
}
