//! Checks that a document hangs together: unique ids, no dangling references, no boundary cycles,
//! finite positions, sane sizes. Every problem names the field it is about.

use std::collections::HashMap;
use std::fmt;

use super::document::Document;
use super::id::Id;

/// Most boundaries, elements, flows or threats a document may hold. Far above any real diagram,
/// low enough that a hostile file cannot make the editor unusable.
pub const MAX_ITEMS: usize = 200_000;
/// Most levels of trust boundaries inside each other (a boundary without a parent is level 1), as
/// many as a Mermaid import accepts. Far beyond any real diagram; low enough that every walk up a
/// boundary's parents (drawing, layout, exports) stays cheap, so a hostile file cannot hang the editor.
pub const MAX_BOUNDARY_DEPTH: usize = 100;
/// Largest coordinate accepted, in canvas units.
pub const MAX_COORDINATE: f64 = 1.0e7;

/// Whether `v` may be a coordinate of a document: finite and within ±[`MAX_COORDINATE`].
pub fn coordinate_in_range(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_COORDINATE
}

/// One step of a path into the document: a field name or an array index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// An object key.
    Key(String),
    /// An array position.
    Index(usize),
}

/// Where in a document a value sits, such as `elements[3].boundary`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// `array[index].field`.
    pub fn item(array: &str, index: usize, field: &str) -> Self {
        Self(vec![Segment::Key(array.into()), Segment::Index(index), Segment::Key(field.into())])
    }

    /// `array[index]`.
    pub fn entry(array: &str, index: usize) -> Self {
        Self(vec![Segment::Key(array.into()), Segment::Index(index)])
    }

    /// A path of keys only.
    pub fn keys(keys: &[&str]) -> Self {
        Self(keys.iter().map(|k| Segment::Key((*k).into())).collect())
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(document)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if i == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One thing wrong with a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field at fault.
    pub path: FieldPath,
    /// What is wrong, naming the offending value.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Namespace {
    Boundary,
    Element,
    Flow,
}

impl Namespace {
    fn array(self) -> &'static str {
        match self {
            Self::Boundary => "boundaries",
            Self::Element => "elements",
            Self::Flow => "flows",
        }
    }
}

impl Document {
    /// Every problem in the document, in file order. Empty means valid.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut push = |path: FieldPath, message: String| problems.push(Problem { path, message });

        for (array, len) in [
            ("boundaries", self.boundaries.len()),
            ("elements", self.elements.len()),
            ("flows", self.flows.len()),
            ("threats", self.threats.len()),
        ] {
            if len > MAX_ITEMS {
                push(FieldPath::keys(&[array]), format!("{len} entries; at most {MAX_ITEMS} are supported"));
            }
        }

        let mut ids: HashMap<&str, (Namespace, usize)> = HashMap::new();
        let all = (self.boundaries.iter().enumerate().map(|(i, b)| (&b.id, Namespace::Boundary, i)))
            .chain(self.elements.iter().enumerate().map(|(i, e)| (&e.id, Namespace::Element, i)))
            .chain(self.flows.iter().enumerate().map(|(i, f)| (&f.id, Namespace::Flow, i)));
        for (id, ns, i) in all {
            if let Some((first_ns, first_i)) = ids.get(id.as_str()) {
                push(
                    FieldPath::item(ns.array(), i, "id"),
                    format!("duplicate id \"{id}\" (already used by {}[{first_i}])", first_ns.array()),
                );
            } else {
                ids.insert(id.as_str(), (ns, i));
            }
        }
        let kind_of = |id: &Id| ids.get(id.as_str()).map(|(ns, _)| *ns);
        let expect = |id: &Id, want: &[Namespace], what: &str| -> Option<String> {
            match kind_of(id) {
                Some(ns) if want.contains(&ns) => None,
                Some(ns) => Some(format!("\"{id}\" is a {}, not {what}", singular(ns))),
                None => Some(format!("\"{id}\" does not exist (expected {what})")),
            }
        };

        for (i, b) in self.boundaries.iter().enumerate() {
            if let Some(p) = &b.parent {
                if p == &b.id {
                    push(
                        FieldPath::item("boundaries", i, "parent"),
                        format!("boundary \"{p}\" cannot be its own parent"),
                    );
                } else if let Some(msg) = expect(p, &[Namespace::Boundary], "a boundary") {
                    push(FieldPath::item("boundaries", i, "parent"), msg);
                }
            }
        }
        for p in self.nesting_problems() {
            push(p.path, p.message);
        }
        for (i, e) in self.elements.iter().enumerate() {
            if let Some(b) = &e.boundary
                && let Some(msg) = expect(b, &[Namespace::Boundary], "a boundary")
            {
                push(FieldPath::item("elements", i, "boundary"), msg);
            }
            for (axis, v) in [("x", e.at.x), ("y", e.at.y)] {
                if !coordinate_in_range(v) {
                    let path = FieldPath(vec![
                        Segment::Key("elements".into()),
                        Segment::Index(i),
                        Segment::Key("at".into()),
                        Segment::Key(axis.into()),
                    ]);
                    push(path, format!("coordinate {v} is outside ±{MAX_COORDINATE}"));
                }
            }
        }
        for (i, f) in self.flows.iter().enumerate() {
            for (field, end) in [("from", &f.from), ("to", &f.to)] {
                if let Some(msg) = expect(end, &[Namespace::Element], "an element") {
                    push(FieldPath::item("flows", i, field), msg);
                }
            }
        }
        let mut threat_ids: HashMap<&str, usize> = HashMap::new();
        for (i, t) in self.threats.iter().enumerate() {
            if let Some(first) = threat_ids.get(t.id.as_str()) {
                push(
                    FieldPath::item("threats", i, "id"),
                    format!("duplicate threat id \"{}\" (already used by threats[{first}])", t.id),
                );
            } else {
                threat_ids.insert(t.id.as_str(), i);
            }
            if let Some(msg) = expect(&t.target, &[Namespace::Element, Namespace::Flow], "an element or flow") {
                push(FieldPath::item("threats", i, "target"), msg);
            }
            if t.title.trim().is_empty() {
                push(FieldPath::item("threats", i, "title"), "a threat needs a title".into());
            }
        }
        for (i, d) in self.dismissed.iter().enumerate() {
            if let Some(msg) = expect(&d.target, &[Namespace::Element, Namespace::Flow], "an element or flow") {
                push(FieldPath::item("dismissed", i, "target"), msg);
            }
        }
        problems
    }

    /// Boundary parent cycles, or (when there are none) the first boundary nested too deep.
    fn nesting_problems(&self) -> Vec<Problem> {
        let at = |i| FieldPath::item("boundaries", i, "parent");
        let cycles = self.boundary_cycles();
        if !cycles.is_empty() {
            return cycles
                .into_iter()
                .map(|(i, chain)| Problem { path: at(i), message: format!("boundary parents form a cycle: {chain}") })
                .collect();
        }
        self.boundary_too_deep()
            .map(|(i, depth)| Problem {
                path: at(i),
                message: format!(
                    "boundary \"{}\" is nested {depth} deep; at most {MAX_BOUNDARY_DEPTH} levels of boundaries are supported",
                    self.boundaries[i].id
                ),
            })
            .into_iter()
            .collect()
    }

    /// The first boundary in file order nested deeper than [`MAX_BOUNDARY_DEPTH`], and its level.
    /// Call only when there are no parent cycles. Each boundary's level is computed once.
    fn boundary_too_deep(&self) -> Option<(usize, usize)> {
        let pos: HashMap<&str, usize> =
            self.boundaries.iter().enumerate().rev().map(|(i, b)| (b.id.as_str(), i)).collect();
        let n = self.boundaries.len();
        // 0 = not known yet.
        let mut level = vec![0usize; n];
        for start in 0..n {
            let mut walk: Vec<usize> = Vec::new();
            let mut at = Some(start);
            let mut base = 0;
            while let Some(i) = at {
                if level[i] > 0 {
                    base = level[i];
                    break;
                }
                if walk.len() > n {
                    return None;
                }
                walk.push(i);
                at = self.boundaries[i].parent.as_ref().and_then(|p| pos.get(p.as_str()).copied());
            }
            for (k, &w) in walk.iter().rev().enumerate() {
                level[w] = base + k + 1;
            }
            if level[start] > MAX_BOUNDARY_DEPTH {
                return Some((start, level[start]));
            }
        }
        None
    }

    /// Boundary parent cycles, each reported once at the position of its first member in the file,
    /// with the chain spelled out (`a → b → a`).
    fn boundary_cycles(&self) -> Vec<(usize, String)> {
        let pos: HashMap<&str, usize> =
            self.boundaries.iter().enumerate().rev().map(|(i, b)| (b.id.as_str(), i)).collect();
        // 0 = unvisited, 1 = on the current walk, 2 = finished.
        let mut state = vec![0u8; self.boundaries.len()];
        let mut cycles = Vec::new();
        for start in 0..self.boundaries.len() {
            let mut walk: Vec<usize> = Vec::new();
            let mut at = Some(start);
            while let Some(i) = at {
                match state[i] {
                    2 => break,
                    1 => {
                        if let Some(from) = walk.iter().position(|&w| w == i) {
                            let members = &walk[from..];
                            let first = members.iter().copied().min().unwrap_or(i);
                            let names: Vec<&str> = members.iter().map(|&m| self.boundaries[m].id.as_str()).collect();
                            let chain = format!("{} → {}", names.join(" → "), names[0]);
                            if self.boundaries[first].parent.as_ref().is_none_or(|p| p != &self.boundaries[first].id) {
                                cycles.push((first, chain));
                            }
                        }
                        break;
                    }
                    _ => {
                        state[i] = 1;
                        walk.push(i);
                        at = self.boundaries[i].parent.as_ref().and_then(|p| pos.get(p.as_str()).copied());
                    }
                }
            }
            for w in walk {
                state[w] = 2;
            }
        }
        cycles.sort();
        cycles
    }
}

fn singular(ns: Namespace) -> &'static str {
    match ns {
        Namespace::Boundary => "boundary",
        Namespace::Element => "element",
        Namespace::Flow => "flow",
    }
}
