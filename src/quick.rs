//! Quick entry: a one-line language for whiteboarding a diagram while it is being described.
//!
//! Each line becomes one [`Edit::Batch`], so it is one undo step. Statements (separate several on a
//! line with `;`):
//!
//! | line | meaning |
//! |---|---|
//! | `agentk -grpcs-> nginx` | a flow from agentk to nginx over grpcs |
//! | `nginx -grpc "proxy pass port 5005"-> kas` | a flow with a protocol and a label |
//! | `nginx -"proxy pass port 5005"-> kas` | a flow with a label only |
//! | `agentk <-grpc-> nginx` | a bidirectional flow |
//! | `Prometheus -.http.-> kas` | a dotted flow: out of scope |
//! | `a -> b -> c` | a chain of flows without protocol |
//! | `kas: process in GitLab` | declare (or change) kind and boundary |
//! | `nginx, kas: process in GitLab` | the same for several names |
//! | `Gitaly: store in GitLab` | kinds: `external`, `process`, `store` (and synonyms) |
//! | `Prometheus: external out of scope` | out of scope element |
//! | `GitLab: boundary in Cloud` | a boundary, optionally nested |
//!
//! Names are matched against existing ids and labels (ignoring case); unknown names create
//! elements (processes unless declared otherwise) placed next to what they connect to, and unknown
//! boundaries are created. Nothing here depends on egui.

use crate::model::geometry::{Rect, boundary_rects, content_rect, element_size};
use crate::model::{Boundary, Document, Edit, EditError, Element, ElementKind, Flow, Id, Index, Point, protocol};

/// Distance between neighbouring elements placed by quick entry, in canvas units.
const STEP_X: f64 = 200.0;
/// Vertical distance between an element and the one it flows into.
const STEP_Y: f64 = 140.0;
/// Positions are snapped to this grid.
const GRID: f64 = 20.0;

/// Why a quick-entry line was not understood or could not be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuickError {
    /// The line is not in the quick-entry syntax.
    #[error("{message} (in \"{statement}\")")]
    Syntax {
        /// The statement that failed.
        statement: String,
        /// What is wrong with it.
        message: String,
    },
    /// The line was understood but the document refused it.
    #[error(transparent)]
    Edit(#[from] EditError),
}

/// The syntax, in a few lines, for the app's help and the README.
pub const SYNTAX_HELP: &str = "\
a -grpcs-> b                   flow from a to b over grpcs
a -grpc \"proxy pass\"-> b       flow with protocol and label
a -\"proxy pass\"-> b            flow with a label only
a <-grpc-> b                   bidirectional flow
a -.http.-> b                  dotted: out of scope
a -> b -> c                    chain of flows
kas: process in GitLab         declare kind and boundary
nginx, kas: process in GitLab  several at once
Gitaly: store in GitLab        kinds: external, process, store
Prom: external out of scope    out-of-scope element
GitLab: boundary in Cloud      nested boundary
one; two                       several statements on a line";

/// Parses one line against `doc` and returns the edits it stands for, as one batch named after the line.
///
/// Returns `Ok(None)` for an empty line. The batch applies cleanly to `doc` as it is.
pub fn parse_line(doc: &Document, line: &str) -> Result<Option<Edit>, QuickError> {
    let mut work = Workspace { doc: doc.clone(), edits: Vec::new() };
    let mut any = false;
    for statement in split_statements(line) {
        let statement = statement.trim();
        if statement.is_empty() {
            continue;
        }
        any = true;
        work.statement(statement)?;
    }
    if !any || work.edits.is_empty() {
        return Ok(None);
    }
    Ok(Some(Edit::Batch { label: format!("Quick entry: {}", line.trim()), edits: work.edits }))
}

/// Splits on `;` outside double quotes.
fn split_statements(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, ch) in line.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&line[start..]);
    out
}

fn syntax(statement: &str, message: impl Into<String>) -> QuickError {
    QuickError::Syntax { statement: statement.to_owned(), message: message.into() }
}

/// One arrow between two names.
#[derive(Debug, Default)]
struct Arrow {
    protocol: String,
    label: String,
    bidirectional: bool,
    dotted: bool,
}

/// The document as the line has changed it so far, and the edits that did it.
struct Workspace {
    doc: Document,
    edits: Vec<Edit>,
}

impl Workspace {
    fn push(&mut self, edit: Edit) -> Result<(), QuickError> {
        self.doc.apply(edit.clone())?;
        self.edits.push(edit);
        Ok(())
    }

    fn statement(&mut self, s: &str) -> Result<(), QuickError> {
        if let Some((names, rest)) = split_declaration(s) {
            return self.declaration(s, names, rest);
        }
        let (names, arrows) = split_arrows(s)?;
        if arrows.is_empty() {
            // A bare name creates an element.
            let name = names.first().map(String::as_str).unwrap_or_default();
            if name.is_empty() {
                return Err(syntax(s, "expected a name, a flow such as `a -grpc-> b`, or `name: kind`"));
            }
            self.element(name, None)?;
            return Ok(());
        }
        let mut from = self.element(&names[0], None)?;
        for (arrow, to_name) in arrows.iter().zip(names.iter().skip(1)) {
            let to = self.element(to_name, Some(&from))?;
            self.flow(&from, &to, arrow)?;
            from = to;
        }
        Ok(())
    }

    fn declaration(&mut self, s: &str, names: &str, rest: &str) -> Result<(), QuickError> {
        let mut words = rest.trim();
        let mut out_of_scope = false;
        for suffix in ["out of scope", "out-of-scope", "oos"] {
            if let Some(stripped) = strip_suffix_ignore_case(words, suffix) {
                words = stripped.trim_end().trim_end_matches(',').trim_end();
                out_of_scope = true;
            }
        }
        let (kind_word, container) = match find_word_ignore_case(words, "in") {
            Some(at) => (words[..at].trim(), Some(unquote(words[at + 2..].trim()))),
            None => (words, None),
        };
        let kind_word = kind_word.trim().trim_end_matches(',').trim();
        let is_boundary = matches!(kind_word.to_ascii_lowercase().as_str(), "boundary" | "zone" | "trust boundary");
        let kind = if is_boundary || kind_word.is_empty() {
            None
        } else {
            Some(ElementKind::parse(kind_word).ok_or_else(|| {
                syntax(s, format!("unknown kind \"{kind_word}\"; use external, process, store or boundary"))
            })?)
        };
        if container.as_deref() == Some("") {
            return Err(syntax(s, "`in` needs a boundary name"));
        }
        let container = match container {
            Some(name) => Some(self.boundary(&name, None)?),
            None => None,
        };
        for name in names.split(',').map(|n| unquote(n.trim())).filter(|n| !n.is_empty()) {
            if is_boundary {
                self.boundary(&name, container.as_ref())?;
                continue;
            }
            let id = self.element(&name, None)?;
            self.declare(&id, kind, container.as_ref(), out_of_scope)?;
        }
        Ok(())
    }

    /// Changes an existing element's kind, boundary and scope as declared.
    fn declare(
        &mut self,
        id: &Id,
        kind: Option<ElementKind>,
        container: Option<&Id>,
        out_of_scope: bool,
    ) -> Result<(), QuickError> {
        let Some(mut e) = self.doc.elements.iter().find(|e| e.id == *id).cloned() else {
            return Err(EditError::NotFound(id.clone()).into());
        };
        let before = e.clone();
        if let Some(k) = kind {
            e.kind = k;
        }
        if out_of_scope {
            e.out_of_scope = true;
        }
        if let Some(b) = container
            && e.boundary.as_ref() != Some(b)
        {
            e.boundary = Some(b.clone());
            // Move it next to the boundary's other members, unless it already sits in its box.
            let rects = boundary_rects(&self.doc);
            let inside = rects.get(b).is_some_and(|r| r.contains(e.at));
            if !inside && let Some(r) = rects.get(b) {
                let mut probe = self.doc.clone();
                probe.elements.retain(|o| o.id != e.id);
                e.at = free_spot(&probe, Point::new(r.min_x + 20.0 + STEP_X / 2.0, r.max_y + STEP_Y / 2.0), &e);
            }
        }
        if e != before {
            self.push(Edit::UpdateElement(e))?;
        }
        Ok(())
    }

    /// Finds the boundary named `name`, creating it (nested in `parent`) when it does not exist.
    fn boundary(&mut self, name: &str, parent: Option<&Id>) -> Result<Id, QuickError> {
        if let Some(b) = find_boundary(&self.doc, name) {
            let b = b.clone();
            if parent.is_some() && b.parent.as_ref() != parent {
                let mut nb = b.clone();
                nb.parent = parent.cloned();
                self.push(Edit::UpdateBoundary(nb))?;
            }
            return Ok(b.id);
        }
        let id = fresh_id(&self.doc, name, "boundary");
        self.push(Edit::AddBoundary(Boundary {
            id: id.clone(),
            label: name.to_owned(),
            parent: parent.cloned(),
            notes: String::new(),
        }))?;
        Ok(id)
    }

    /// Finds the element named `name`, creating a process when none matches.
    /// A new element is placed below `near` when given, else to the right of the diagram.
    fn element(&mut self, name: &str, near: Option<&Id>) -> Result<Id, QuickError> {
        if let Some(e) = find_element(&self.doc, name) {
            return Ok(e.id.clone());
        }
        let id = fresh_id(&self.doc, name, "element");
        let mut e = Element {
            id: id.clone(),
            kind: ElementKind::Process,
            label: name.to_owned(),
            boundary: None,
            at: Point::default(),
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: String::new(),
        };
        let anchor = near.and_then(|n| self.doc.elements.iter().find(|o| o.id == *n));
        let wanted = match anchor {
            Some(a) => Point::new(a.at.x, a.at.y + STEP_Y),
            None => match content_rect(&self.doc) {
                Some(r) => Point::new(r.max_x + STEP_X / 2.0 + 40.0, r.min_y + 40.0),
                None => Point::new(200.0, 100.0),
            },
        };
        e.at = free_spot(&self.doc, wanted, &e);
        self.push(Edit::AddElement(e))?;
        Ok(id)
    }

    fn flow(&mut self, from: &Id, to: &Id, arrow: &Arrow) -> Result<(), QuickError> {
        let ix = Index::new(&self.doc);
        let base = Id::slug(&format!("{from}-to-{to}"), "flow");
        let id = Id::unique(&base, |s| ix.is_taken(s));
        let mut protocol = arrow.protocol.clone();
        if let Some(p) = protocol::lookup(&protocol) {
            p.name.clone_into(&mut protocol);
        }
        let flow = Flow {
            label: arrow.label.clone(),
            protocol,
            bidirectional: arrow.bidirectional,
            out_of_scope: arrow.dotted,
            ..Flow::new(id, from.clone(), to.clone())
        };
        self.push(Edit::AddFlow(flow))
    }
}

/// `names: rest` when the statement is a declaration (a `:` outside quotes and before any arrow).
fn split_declaration(s: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, ch) in s.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some((&s[..i], &s[i + 1..])),
            '-' | '<' if !quoted && s[i..].contains("->") => return None,
            _ => {}
        }
    }
    None
}

/// Splits `a -x-> b <-y-> c` into names and arrows.
fn split_arrows(s: &str) -> Result<(Vec<String>, Vec<Arrow>), QuickError> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut names = Vec::new();
    let mut arrows = Vec::new();
    let mut name_start = 0usize;
    let mut i = 0usize;
    while i < chars.len() {
        let (at, ch) = chars[i];
        let next = chars.get(i + 1).map(|c| c.1);
        let starts_arrow = match ch {
            '<' => next == Some('-'),
            '-' => next == Some('>') || at == 0 || s[..at].ends_with(char::is_whitespace),
            _ => false,
        } && s[at..].contains("->");
        if !starts_arrow {
            i += 1;
            continue;
        }
        let end = find_arrow_end(s, at).ok_or_else(|| syntax(s, "an arrow needs to end with `->`"))?;
        names.push(unquote(s[name_start..at].trim()));
        arrows.push(parse_arrow(s, &s[at..end])?);
        name_start = end;
        while i < chars.len() && chars[i].0 < end {
            i += 1;
        }
    }
    names.push(unquote(s[name_start..].trim()));
    if !arrows.is_empty() && names.iter().any(String::is_empty) {
        return Err(syntax(s, "every arrow needs a name on both sides"));
    }
    Ok((names, arrows))
}

/// The byte offset just past the `->` that closes the arrow starting at `start`, skipping quoted text.
fn find_arrow_end(s: &str, start: usize) -> Option<usize> {
    let mut quoted = false;
    let bytes = s.as_bytes();
    let mut i = start;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b'-' if !quoted && bytes[i + 1] == b'>' => return Some(i + 2),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Reads `-grpc "label"->`, `<-.http.->`, `-->`, `->`.
fn parse_arrow(statement: &str, text: &str) -> Result<Arrow, QuickError> {
    let mut arrow = Arrow::default();
    let mut inner = text;
    if let Some(rest) = inner.strip_prefix('<') {
        arrow.bidirectional = true;
        inner = rest;
    }
    inner = inner.strip_prefix('-').unwrap_or(inner);
    inner = inner.strip_suffix("->").unwrap_or(inner);
    let trimmed = inner.trim();
    if trimmed.len() >= 2 && trimmed.starts_with('.') && trimmed.ends_with('.') {
        arrow.dotted = true;
        inner = &trimmed[1..trimmed.len() - 1];
    } else if trimmed == "." || trimmed == ".." {
        arrow.dotted = true;
        inner = "";
    }
    let inner = inner.trim().trim_matches('-').trim();
    let mut words = String::new();
    let mut rest = inner;
    while let Some(open) = rest.find('"') {
        words.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('"').ok_or_else(|| syntax(statement, "a label's quote is not closed"))?;
        if !arrow.label.is_empty() {
            arrow.label.push(' ');
        }
        arrow.label.push_str(&after[..close]);
        rest = &after[close + 1..];
    }
    words.push_str(rest);
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.is_empty() {
        // A label that names a protocol ("REST API") also sets it.
        if let Some(p) = protocol::recognise(&arrow.label) {
            p.name.clone_into(&mut arrow.protocol);
        }
    } else if protocol::lookup(&words).is_some() || !words.contains(' ') || !arrow.label.is_empty() {
        // One word (or a known protocol) is the protocol; several unknown words with no quoted label are the label.
        arrow.protocol = words;
    } else {
        if let Some(p) = protocol::recognise(&words) {
            p.name.clone_into(&mut arrow.protocol);
        }
        arrow.label = words;
    }
    Ok(arrow)
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    s.strip_prefix('"').and_then(|r| r.strip_suffix('"')).unwrap_or(s).trim().to_owned()
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let n = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(n) && s[n..].eq_ignore_ascii_case(suffix)).then(|| &s[..n])
}

/// Byte offset of `word` standing alone (surrounded by spaces or the string's ends).
fn find_word_ignore_case(s: &str, word: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(word) {
        let at = from + pos;
        let before = at == 0 || lower[..at].ends_with(char::is_whitespace);
        let after_at = at + word.len();
        let after = after_at == lower.len() || lower[after_at..].starts_with(char::is_whitespace);
        if before && after {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

fn same_name(label: &str, id: &Id, name: &str) -> bool {
    label.trim().eq_ignore_ascii_case(name) || id.as_str().eq_ignore_ascii_case(name)
}

/// The element a typed name means: same id or label ignoring case, else the same slug.
pub fn find_element<'a>(doc: &'a Document, name: &str) -> Option<&'a Element> {
    let slug = Id::slug(name, "");
    doc.elements
        .iter()
        .find(|e| same_name(&e.label, &e.id, name))
        .or_else(|| doc.elements.iter().find(|e| !slug.as_str().is_empty() && e.id == slug))
}

fn find_boundary<'a>(doc: &'a Document, name: &str) -> Option<&'a Boundary> {
    let slug = Id::slug(name, "");
    doc.boundaries
        .iter()
        .find(|b| same_name(&b.label, &b.id, name))
        .or_else(|| doc.boundaries.iter().find(|b| !slug.as_str().is_empty() && b.id == slug))
}

/// A readable id for `name` not yet used in `doc`.
pub fn fresh_id(doc: &Document, name: &str, fallback: &str) -> Id {
    let ix = Index::new(doc);
    Id::unique(&Id::slug(name, fallback), |s| ix.is_taken(s))
}

/// The free grid position nearest to `wanted` (searching rightwards, then downwards) where `e` would not
/// overlap another element, nor the box of a boundary it is not in.
pub fn free_spot(doc: &Document, wanted: Point, e: &Element) -> Point {
    let size = element_size(e.kind, &e.label);
    let snap = |v: f64| (v / GRID).round() * GRID;
    let rects = boundary_rects(doc);
    let ix = Index::new(doc);
    let own: Vec<Id> = e
        .boundary
        .as_ref()
        .map(|b| ix.boundary_ancestors(b.as_str()).iter().map(|b| b.id.clone()).collect())
        .unwrap_or_default();
    let taken: Vec<Rect> = doc
        .elements
        .iter()
        .filter(|o| o.id != e.id)
        .map(|o| Rect::centred(o.at, element_size(o.kind, &o.label)).expand(40.0, 40.0, 40.0, 40.0))
        .chain(rects.iter().filter(|(id, _)| !own.contains(id)).map(|(_, r)| r.expand(10.0, 10.0, 10.0, 10.0)))
        .collect();
    for ring in 0..40 {
        for step in 0..=ring {
            for (dx, dy) in [(ring, step), (step, ring)] {
                let p = Point::new(snap(wanted.x + f64::from(dx) * STEP_X), snap(wanted.y + f64::from(dy) * STEP_Y));
                let r = Rect::centred(p, size);
                if !taken.iter().any(|t| t.intersects(&r)) {
                    return p;
                }
            }
        }
    }
    Point::new(snap(wanted.x), snap(wanted.y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(doc: &mut Document, line: &str) {
        if let Some(edit) = parse_line(doc, line).unwrap() {
            doc.apply(edit).unwrap();
        }
    }

    #[test]
    fn arrow_forms() {
        let a = parse_arrow("", "-grpcs->").unwrap();
        assert_eq!((a.protocol.as_str(), a.label.as_str(), a.bidirectional, a.dotted), ("grpcs", "", false, false));
        let a = parse_arrow("", "<-.http.->").unwrap();
        assert!(a.bidirectional && a.dotted);
        assert_eq!(a.protocol, "http");
        let a = parse_arrow("", "-\"proxy pass port 5005\"->").unwrap();
        assert_eq!((a.protocol.as_str(), a.label.as_str()), ("", "proxy pass port 5005"));
        let a = parse_arrow("", "-grpc \"GetAgentInfo\"->").unwrap();
        assert_eq!((a.protocol.as_str(), a.label.as_str()), ("grpc", "GetAgentInfo"));
        let a = parse_arrow("", "-->").unwrap();
        assert_eq!((a.protocol.as_str(), a.label.as_str()), ("", ""));
        let a = parse_arrow("", "-\"REST API\"->").unwrap();
        assert_eq!(a.protocol, "http");
    }

    #[test]
    fn chains_and_declarations() {
        let mut doc = Document::default();
        run(&mut doc, "a -> b -http-> c");
        assert_eq!(doc.elements.len(), 3);
        assert_eq!(doc.flows.len(), 2);
        run(&mut doc, "a, b: store in Data centre");
        assert_eq!(doc.boundaries[0].id.as_str(), "data-centre");
        assert!(doc.elements.iter().filter(|e| e.kind == ElementKind::Store).count() == 2);
        run(&mut doc, "Data centre: boundary in Cloud");
        assert_eq!(
            doc.boundaries.iter().find(|b| b.id.as_str() == "data-centre").unwrap().parent.as_ref().unwrap().as_str(),
            "cloud"
        );
        run(&mut doc, "x: external out of scope; y");
        assert!(doc.elements.iter().find(|e| e.id.as_str() == "x").unwrap().out_of_scope);
        assert!(doc.elements.iter().any(|e| e.id.as_str() == "y"));
    }

    #[test]
    fn errors_name_the_statement() {
        let doc = Document::default();
        let err = parse_line(&doc, "a: gadget").unwrap_err();
        assert!(err.to_string().contains("gadget"));
        assert!(parse_line(&doc, "a -\"open-> b").is_err());
        assert!(parse_line(&doc, "   ").unwrap().is_none());
    }

    #[test]
    fn new_elements_do_not_overlap() {
        let mut doc = Document::default();
        for line in ["hub -> a", "hub -> b", "hub -> c", "d", "e"] {
            run(&mut doc, line);
        }
        let rects: Vec<Rect> =
            doc.elements.iter().map(|e| Rect::centred(e.at, element_size(e.kind, &e.label))).collect();
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!a.intersects(b), "{a:?} overlaps {b:?}");
            }
        }
    }
}
