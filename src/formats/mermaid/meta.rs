//! Threatboard's own metadata in `%%` comment lines: what Mermaid cannot express, keyed by the
//! Mermaid ids of the diagram, one JSON object per line (format described in ARCHITECTURE.md).

use std::io;

use foldhash::HashMap;
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
    pub elements: HashMap<&'a str, ElementMeta>,
    /// By (from, to) node ids, in the order the flows appear.
    pub flows: FlowFacts<'a>,
    /// Threats, in order.
    pub threats: Vec<(Pos, Threat)>,
}

/// Flow facts by (from, to) node ids. Several flows may join the same two nodes; their facts come
/// back in the order of their lines. All facts sit in one list, each linked to the next one with
/// the same ends, so that a diagram with many flows needs no list per pair.
#[derive(Debug, Default)]
pub struct FlowFacts<'a> {
    /// Every flow's facts in line order, with the index of the next one with the same ends;
    /// `None` once taken.
    facts: Vec<(Option<FlowMeta>, Option<usize>)>,
    /// For each (from, to): the first fact not yet taken, and the last one.
    ends: HashMap<(&'a str, &'a str), (Option<usize>, usize)>,
}

impl<'a> FlowFacts<'a> {
    fn push(&mut self, ends: (&'a str, &'a str), fact: FlowMeta) {
        let i = self.facts.len();
        self.facts.push((Some(fact), None));
        match self.ends.get_mut(&ends) {
            Some((first, last)) => {
                match first {
                    Some(_) => self.facts[*last].1 = Some(i),
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
        let (first, _) = self.ends.get_mut(&(from, to))?;
        let i = (*first)?;
        *first = self.facts[i].1;
        self.facts[i].0.take()
    }

    /// Every flow's facts not yet taken, in line order.
    pub fn remaining(&self) -> impl Iterator<Item = &FlowMeta> {
        self.facts.iter().filter_map(|(fact, _)| fact.as_ref())
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
                    meta.boundaries.insert(id, b);
                }
                Err(e) => warn(pos, bad(e)),
            },
            (Some("element"), Some(id), None, None) => match serde_json::from_str(body) {
                Ok(e) => {
                    meta.elements.insert(id, e);
                }
                Err(e) => warn(pos, bad(e)),
            },
            (Some("flow"), Some(from), Some(to), None) => match serde_json::from_str(body) {
                Ok(f) => meta.flows.push((from, to), f),
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
}
