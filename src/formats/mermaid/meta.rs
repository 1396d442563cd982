//! Threatboard's own metadata in `%%` comment lines: what Mermaid cannot express, keyed by the
//! Mermaid ids of the diagram, one JSON object per line (format described in ARCHITECTURE.md).

use std::io;

use std::hash::BuildHasher;

use foldhash::HashMap;
use hashbrown::HashTable;
use serde::{Deserialize, Serialize};

use super::META_VERSION;
use super::ast::Pos;
use crate::model::{Decomposition, Dismissal, ElementKind, Id, Threat};

/// The prefix of every metadata line, after `%%`.
pub const PREFIX: &str = "threatboard:";

/// Document-wide facts.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct DocMeta {
    /// The title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The application decomposition.
    #[serde(default, skip_serializing_if = "Decomposition::is_empty")]
    pub decomposition: Decomposition,
    /// Dismissed suggestions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dismissed: Vec<Dismissal>,
    /// Boundary order, when it differs from the order of the subgraphs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boundary_order: Vec<Id>,
    /// Element order, when it differs from the order nodes first appear in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub element_order: Vec<Id>,
}

/// A boundary's facts.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct BoundaryMeta {
    /// The Threatboard id, when the Mermaid id differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// An element's facts.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ElementMeta {
    /// The Threatboard id, when the Mermaid id differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// The kind, when the shape does not say it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ElementKind>,
    /// The centre, `[x, y]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<[f64; 2]>,
    /// Why it is out of scope.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub out_of_scope_reason: String,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// A flow's facts.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FlowMeta {
    /// The Threatboard id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// The protocol (empty when absent).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// The encryption override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// Why it is out of scope.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub out_of_scope_reason: String,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// Appends the JSON for one metadata line to `out`: compact, with `%`, `<`, `>` and `&` escaped
/// as `\u…`. `scratch` is working space, reused between calls.
///
/// `%` could end the comment early; `<`, `>` and `&` are escaped so that no label looks like HTML
/// where the Mermaid text is embedded (a Markdown report).
pub fn write_json<T: Serialize>(out: &mut String, scratch: &mut Vec<u8>, value: &T) {
    scratch.clear();
    let mut serializer = serde_json::Serializer::with_formatter(&mut *scratch, MetaFormatter);
    if value.serialize(&mut serializer).is_ok()
        && let Ok(text) = std::str::from_utf8(scratch)
    {
        out.push_str(text);
    }
}

/// `serde_json`'s compact output, with the four characters escaped. JSON only holds them inside
/// strings, and every string (keys too) is written through `write_string_fragment`.
struct MetaFormatter;

impl serde_json::ser::Formatter for MetaFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        write_escaped(writer, fragment)
    }

    fn write_raw_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        write_escaped(writer, fragment)
    }
}

fn write_escaped<W: ?Sized + io::Write>(writer: &mut W, text: &str) -> io::Result<()> {
    let mut rest = text;
    while let Some(at) = rest.find(['%', '<', '>', '&']) {
        writer.write_all(&rest.as_bytes()[..at])?;
        writer.write_all(match rest.as_bytes()[at] {
            b'%' => b"\\u0025",
            b'<' => b"\\u003c",
            b'>' => b"\\u003e",
            _ => b"\\u0026",
        })?;
        rest = &rest[at + 1..];
    }
    writer.write_all(rest.as_bytes())
}

/// All metadata of a diagram, keyed by Mermaid ids (borrowed from the diagram's text).
#[derive(Debug, Default)]
pub struct Meta<'a> {
    /// Document facts, when present (then the diagram was written by Threatboard).
    pub doc: Option<DocMeta>,
    /// By subgraph id.
    pub boundaries: HashMap<&'a str, BoundaryMeta>,
    /// By node id.
    pub elements: ElementFacts<'a>,
    /// By (from, to) node ids, in the order the flows appear.
    pub flows: FlowFacts<'a>,
    /// Threats, in order.
    pub threats: Vec<(Pos, Threat)>,
    /// Every Threatboard id the boundary, element and flow facts name, with how many name it
    /// (facts replaced by a later line for the same node or subgraph do not count).
    pub ids: IdTable<u32>,
}

impl Meta<'_> {
    fn name(&mut self, id: Option<&Id>) {
        if let Some(id) = id {
            match self.ids.get_mut(id.as_str()) {
                Some(count) => *count += 1,
                None => self.ids.insert_new(id.as_str(), 1),
            }
        }
    }

    fn unname(&mut self, id: Option<&Id>) {
        if let Some(count) = id.and_then(|id| self.ids.get_mut(id.as_str())) {
            *count -= 1;
        }
    }

    /// Whether a fact still names `id`.
    pub fn names(&self, id: &str) -> bool {
        self.ids.get(id).is_some_and(|&count| count > 0)
    }
}

/// A map from ids to small values whose ids' text sits in one buffer, the table holding ranges of
/// it, so that 25 000 ids cost two allocations rather than one string each.
#[derive(Debug, Default)]
pub struct IdTable<V> {
    text: String,
    table: HashTable<(usize, usize, V)>,
    hasher: foldhash::fast::RandomState,
}

impl<V> IdTable<V> {
    /// Room for `ids` ids.
    pub fn with_capacity(ids: usize) -> Self {
        Self {
            text: String::with_capacity(ids * 16),
            table: HashTable::with_capacity(ids),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// The value of `id`.
    pub fn get(&self, id: &str) -> Option<&V> {
        let text = &self.text;
        self.table.find(self.hasher.hash_one(id), |&(a, b, _)| &text[a..b] == id).map(|(_, _, v)| v)
    }

    /// The value of `id`, to change.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut V> {
        let text = &self.text;
        self.table.find_mut(self.hasher.hash_one(id), |&(a, b, _)| &text[a..b] == id).map(|(_, _, v)| v)
    }

    /// Enters `id`, which must not be in the table yet.
    pub fn insert_new(&mut self, id: &str, value: V) {
        let hash = self.hasher.hash_one(id);
        let start = self.text.len();
        self.text.push_str(id);
        let (text, hasher) = (&self.text, &self.hasher);
        self.table.insert_unique(hash, (start, text.len(), value), |&(a, b, _)| hasher.hash_one(&text[a..b]));
    }
}

/// Element facts by node id; when a node has several lines, the last one counts.
///
/// The facts are kept in line order beside the index, because the mapping asks for them in the
/// order the nodes appear, which is the order Threatboard writes them in: the next fact not yet
/// taken is then the one asked for, found without a hash lookup into a table too large for the cache.
#[derive(Debug, Default)]
pub struct ElementFacts<'a> {
    /// Every line's facts in line order; `None` once taken, or when a later line for the same
    /// node replaced them.
    facts: Vec<(&'a str, Option<ElementMeta>)>,
    /// Where each node's facts are in `facts`.
    index: HashMap<&'a str, usize>,
    /// No fact before this one is left.
    next: usize,
}

impl<'a> ElementFacts<'a> {
    /// Records the facts of `node`, and returns those of an earlier line they replace.
    fn insert(&mut self, node: &'a str, fact: ElementMeta) -> Option<ElementMeta> {
        let i = self.facts.len();
        self.facts.push((node, Some(fact)));
        self.index.insert(node, i).and_then(|earlier| self.facts[earlier].1.take())
    }

    /// Takes the facts of `node`, if any are left.
    pub fn take(&mut self, node: &str) -> Option<ElementMeta> {
        while self.facts.get(self.next).is_some_and(|(_, fact)| fact.is_none()) {
            self.next += 1;
        }
        // Every fact before `next` is taken, so a fact there for `node` is its only one left.
        if let Some((n, fact)) = self.facts.get_mut(self.next)
            && *n == node
        {
            self.next += 1;
            return fact.take();
        }
        let &i = self.index.get(node)?;
        self.facts[i].1.take()
    }
}

/// Flow facts by (from, to) node ids. Several flows may join the same two nodes; their facts come
/// back in the order of their lines. All facts sit in one list, each linked to the next one with
/// the same ends, so that a diagram with many flows needs no list per pair; as with elements, the
/// next fact not yet taken is tried first.
#[derive(Debug, Default)]
pub struct FlowFacts<'a> {
    /// Every flow's facts, in line order.
    facts: Vec<FlowFact<'a>>,
    /// For each (from, to): the first fact that may not be taken yet, and the last one.
    ends: HashMap<(&'a str, &'a str), (Option<usize>, usize)>,
    /// No fact before this one is left.
    next: usize,
}

/// One flow's facts, where they are kept.
#[derive(Debug)]
struct FlowFact<'a> {
    /// From and to, as node ids.
    ends: (&'a str, &'a str),
    /// `None` once taken.
    fact: Option<FlowMeta>,
    /// The next fact with the same ends.
    same_ends: Option<usize>,
}

impl<'a> FlowFacts<'a> {
    fn push(&mut self, ends: (&'a str, &'a str), fact: FlowMeta) {
        let i = self.facts.len();
        self.facts.push(FlowFact { ends, fact: Some(fact), same_ends: None });
        match self.ends.get_mut(&ends) {
            Some((first, last)) => {
                match first {
                    Some(_) => self.facts[*last].same_ends = Some(i),
                    None => *first = Some(i),
                }
                *last = i;
            }
            None => {
                self.ends.insert(ends, (Some(i), i));
            }
        }
    }

    /// The next facts for a flow from `from` to `to`, if any are left.
    pub fn pop(&mut self, from: &'a str, to: &'a str) -> Option<FlowMeta> {
        while self.facts.get(self.next).is_some_and(|f| f.fact.is_none()) {
            self.next += 1;
        }
        // Every fact before `next` is taken, so a fact there with these ends is their first left.
        if let Some(f) = self.facts.get_mut(self.next)
            && f.ends == (from, to)
        {
            self.next += 1;
            return f.fact.take();
        }
        let (first, _) = self.ends.get_mut(&(from, to))?;
        // Facts taken in order above are skipped here.
        while let Some(i) = *first {
            *first = self.facts[i].same_ends;
            if let Some(fact) = self.facts[i].fact.take() {
                return Some(fact);
            }
        }
        None
    }
}

/// Reads the metadata lines, with the warnings for malformed ones (skipped) in line order.
pub fn read_all<'a>(lines: &[(Pos, &'a str)]) -> (Meta<'a>, Vec<(Pos, String)>) {
    let mut warnings = Vec::new();
    let meta = read(lines, &mut |pos, message| warnings.push((pos, message)));
    (meta, warnings)
}

/// Reads the metadata lines; malformed lines are reported and skipped.
pub fn read<'a>(lines: &[(Pos, &'a str)], warn: &mut impl FnMut(Pos, String)) -> Meta<'a> {
    let mut meta = Meta::default();
    for &(pos, line) in lines {
        let Some(rest) = line.strip_prefix(PREFIX) else { continue };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let version: u32 = rest[..digits].parse().unwrap_or(0);
        if version != META_VERSION {
            warn(
                pos,
                format!(
                    "Threatboard metadata version {} is not supported here (this build reads {META_VERSION}); line ignored",
                    &rest[..digits]
                ),
            );
            continue;
        }
        let rest = &rest[digits..];
        let Some(brace) = rest.find('{') else {
            warn(pos, "Threatboard metadata line without a JSON object; ignored".into());
            continue;
        };
        let mut words = rest[..brace].split_whitespace();
        let body = &rest[brace..];
        let bad = |e: serde_json::Error| format!("Threatboard metadata could not be read ({e}); line ignored");
        match (words.next(), words.next(), words.next(), words.next()) {
            (Some("document"), None, None, None) => match serde_json::from_str(body) {
                Ok(d) => meta.doc = Some(d),
                Err(e) => warn(pos, bad(e)),
            },
            (Some("boundary"), Some(id), None, None) => match serde_json::from_str(body) {
                Ok(b) => {
                    let b: BoundaryMeta = b;
                    meta.name(b.id.as_ref());
                    if let Some(earlier) = meta.boundaries.insert(id, b) {
                        meta.unname(earlier.id.as_ref());
                    }
                }
                Err(e) => warn(pos, bad(e)),
            },
            (Some("element"), Some(id), None, None) => match serde_json::from_str(body) {
                Ok(e) => {
                    let e: ElementMeta = e;
                    meta.name(e.id.as_ref());
                    if let Some(earlier) = meta.elements.insert(id, e) {
                        meta.unname(earlier.id.as_ref());
                    }
                }
                Err(e) => warn(pos, bad(e)),
            },
            (Some("flow"), Some(from), Some(to), None) => match serde_json::from_str(body) {
                Ok(f) => {
                    let f: FlowMeta = f;
                    meta.name(f.id.as_ref());
                    meta.flows.push((from, to), f);
                }
                Err(e) => warn(pos, bad(e)),
            },
            (Some("threat"), None, None, None) => match serde_json::from_str(body) {
                Ok(t) => meta.threats.push((pos, t)),
                Err(e) => warn(pos, bad(e)),
            },
            _ => {
                let words: Vec<&str> = rest[..brace].split_whitespace().collect();
                warn(pos, format!("unknown Threatboard metadata `{}`; line ignored", words.join(" ")));
            }
        }
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON as first written: `serde_json`'s text with the four characters replaced afterwards.
    fn replaced(value: &impl Serialize) -> String {
        serde_json::to_string(value)
            .unwrap_or_default()
            .replace('%', "\\u0025")
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }

    #[test]
    fn escaping_while_writing_matches_replacing_afterwards() {
        let mut scratch = Vec::new();
        for text in ["", "plain", "100% <b>&amp;</b>", "%%{init}%%", "\"q\" \\ \n\t\u{1}", "日本 ♥ &&", "<<>>"] {
            let fm = FlowMeta {
                id: None,
                protocol: text.to_owned(),
                encrypted: Some(true),
                out_of_scope_reason: text.repeat(2),
                notes: format!("{text}%"),
            };
            let em = ElementMeta { at: Some([-0.1, 1.0e300]), notes: text.to_owned(), ..ElementMeta::default() };
            let mut out = String::from("x ");
            write_json(&mut out, &mut scratch, &fm);
            write_json(&mut out, &mut scratch, &em);
            assert_eq!(out, format!("x {}{}", replaced(&fm), replaced(&em)));
        }
    }

    fn read_lines<'a>(lines: &[&'a str]) -> Meta<'a> {
        let lines: Vec<(Pos, &str)> = lines.iter().enumerate().map(|(i, l)| (i, *l)).collect();
        let (meta, warnings) = read_all(&lines);
        assert_eq!(warnings, []);
        meta
    }

    fn id_of(fact: Option<ElementMeta>) -> Option<String> {
        fact.and_then(|f| f.id).map(|id| id.as_str().to_owned())
    }

    #[test]
    fn element_facts_come_in_any_order_and_a_later_line_replaces_an_earlier_one() {
        let mut meta = read_lines(&[
            r#"threatboard:1 element a {"id":"first-a"}"#,
            r#"threatboard:1 element b {"id":"b"}"#,
            r#"threatboard:1 element c {"id":"c"}"#,
            r#"threatboard:1 element a {"id":"second-a"}"#,
        ]);
        assert!(!meta.names("first-a"), "a replaced line names nothing");
        assert!(meta.names("second-a") && meta.names("b") && meta.names("c"));
        // Out of line order (c before b), then in order, then asked for twice or never written.
        assert_eq!(id_of(meta.elements.take("c")), Some("c".into()));
        assert_eq!(id_of(meta.elements.take("b")), Some("b".into()));
        assert_eq!(id_of(meta.elements.take("a")), Some("second-a".into()));
        assert_eq!(id_of(meta.elements.take("a")), None);
        assert_eq!(id_of(meta.elements.take("d")), None);
    }

    #[test]
    fn flow_facts_between_the_same_nodes_come_in_line_order_whatever_is_asked_first() {
        let mut meta = read_lines(&[
            r#"threatboard:1 flow x y {"id":"xy1"}"#,
            r#"threatboard:1 flow y z {"id":"yz"}"#,
            r#"threatboard:1 flow x y {"id":"xy2"}"#,
            r#"threatboard:1 flow x y {"id":"xy3"}"#,
        ]);
        let mut pop = |from, to| meta.flows.pop(from, to).and_then(|f| f.id).map(|id| id.as_str().to_owned());
        assert_eq!(pop("x", "y"), Some("xy1".into()));
        assert_eq!(pop("x", "y"), Some("xy2".into()), "skips y z, which is not asked for yet");
        assert_eq!(pop("y", "z"), Some("yz".into()));
        assert_eq!(pop("x", "y"), Some("xy3".into()));
        assert_eq!(pop("x", "y"), None);
        assert_eq!(pop("z", "y"), None);
    }
}
