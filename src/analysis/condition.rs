//! Conditions over a rule's target: structured predicates on an element or a flow, combined with
//! `all`, `any` and `not`. They are data read from a rule file, never code: each predicate is one
//! question the model can answer (its kind, protocol, encryption, boundaries, text, neighbours).
//!
//! In a rule file a condition is a TOML table. Every key in it must hold (an implicit `all`); an
//! empty table always holds. Text predicates (`*_matches`) are regular expressions, matched without
//! regard to case, with linear-time matching and a size limit so a user's rule cannot hang a check.

use std::ops::Range;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use serde::de::{self, Deserializer, IntoDeserializer, SeqAccess, Visitor};
use toml::Spanned;

use super::engine::Facts;
use crate::model::protocol::{self, Protocol};
use crate::model::{ElementKind, Encryption};

/// Largest compiled size of one regular expression in a rule file, in bytes.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A problem in a condition, with the byte range in the rule file it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpanError {
    /// Bytes of the rule file at fault.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
}

/// One value or a list of them: `kind = "store"` and `kind = ["store", "process"]` both read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OneOrMany<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(|t| OneOrMany(vec![t]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(t) = seq.next_element()? {
                    out.push(t);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Encryption as written in a rule file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum EncryptionName {
    Encrypted,
    Plain,
    Unknown,
}

impl From<EncryptionName> for Encryption {
    fn from(e: EncryptionName) -> Self {
        match e {
            EncryptionName::Encrypted => Encryption::Encrypted,
            EncryptionName::Plain => Encryption::Plain,
            EncryptionName::Unknown => Encryption::Unknown,
        }
    }
}

/// A condition over an element, as written in a rule file (`[rule.element]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ElementSpec {
    kind: Option<OneOrMany<ElementKind>>,
    out_of_scope: Option<bool>,
    in_boundary: Option<bool>,
    boundary_matches: Option<Spanned<String>>,
    label_matches: Option<Spanned<String>>,
    notes_matches: Option<Spanned<String>>,
    text_matches: Option<Spanned<String>>,
    incoming: Option<Box<FlowSpec>>,
    outgoing: Option<Box<FlowSpec>>,
    connected: Option<Box<FlowSpec>>,
    all: Option<Vec<ElementSpec>>,
    any: Option<Vec<ElementSpec>>,
    not: Option<Box<ElementSpec>>,
}

/// A condition over a flow with its two ends, as written in a rule file (`[rule.flow]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FlowSpec {
    protocol: Option<OneOrMany<String>>,
    encryption: Option<OneOrMany<EncryptionName>>,
    has_secure_twin: Option<bool>,
    out_of_scope: Option<bool>,
    crosses_boundary: Option<bool>,
    bidirectional: Option<bool>,
    crossing_matches: Option<Spanned<String>>,
    label_matches: Option<Spanned<String>>,
    notes_matches: Option<Spanned<String>>,
    text_matches: Option<Spanned<String>>,
    from: Option<Box<ElementSpec>>,
    to: Option<Box<ElementSpec>>,
    all: Option<Vec<FlowSpec>>,
    any: Option<Vec<FlowSpec>>,
    not: Option<Box<FlowSpec>>,
}

/// A compiled condition over an element.
#[derive(Debug, Clone)]
pub enum ElementCondition {
    /// Every part holds (true when empty).
    All(Vec<ElementCondition>),
    /// At least one part holds (false when empty).
    Any(Vec<ElementCondition>),
    /// The part does not hold.
    Not(Box<ElementCondition>),
    /// The element is of one of these kinds.
    Kind(Vec<ElementKind>),
    /// The element is (or is not) out of scope.
    OutOfScope(bool),
    /// The element sits (or does not sit) in some trust boundary.
    InBoundary(bool),
    /// The label or id of a boundary around the element (at any depth) matches.
    BoundaryMatches(Pattern),
    /// The label matches.
    LabelMatches(Pattern),
    /// The notes match.
    NotesMatches(Pattern),
    /// The label, notes or out-of-scope reason matches.
    TextMatches(Pattern),
    /// Some flow carrying data into the element (a bidirectional flow from it included) satisfies this.
    Incoming(Box<FlowCondition>),
    /// Some flow carrying data out of the element (a bidirectional flow into it included) satisfies this.
    Outgoing(Box<FlowCondition>),
    /// Some flow from or to the element satisfies this.
    Connected(Box<FlowCondition>),
}

/// The protocols a condition names, resolved when the rule file is read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Protocols {
    /// Catalogue entries, whatever spelling the rule and the flow use (`http` matches `REST`).
    pub known: Vec<&'static Protocol>,
    /// Any other text, compared after [`normalise`].
    pub other: Vec<String>,
}

impl Protocols {
    fn new(names: &[String]) -> Self {
        let mut out = Self::default();
        for n in names {
            match protocol::lookup(n) {
                Some(p) => out.known.push(p),
                None => out.other.push(normalise(n)),
            }
        }
        out
    }

    fn contains(&self, known: Option<&'static Protocol>, text: &str) -> bool {
        match known {
            Some(p) => self.known.iter().any(|k| std::ptr::eq(*k, p)),
            None => !self.other.is_empty() && self.other.contains(&normalise(text)),
        }
    }
}

/// Protocol text as compared: words separated by single spaces, lower case.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A compiled condition over a flow.
#[derive(Debug, Clone)]
pub enum FlowCondition {
    /// Every part holds (true when empty).
    All(Vec<FlowCondition>),
    /// At least one part holds (false when empty).
    Any(Vec<FlowCondition>),
    /// The part does not hold.
    Not(Box<FlowCondition>),
    /// The protocol is one of these: catalogue entries (`http` also matches `REST`), or other text
    /// compared ignoring case and spacing. The empty string matches a flow with no protocol.
    Protocol(Protocols),
    /// The flow's encryption is one of these.
    Encryption(Vec<Encryption>),
    /// The protocol is a plain one whose encrypted twin exists (`grpc` → `grpcs`).
    HasSecureTwin(bool),
    /// The flow itself is (or is not) out of scope.
    OutOfScope(bool),
    /// The flow crosses (or does not cross) a trust boundary.
    CrossesBoundary(bool),
    /// The flow is (or is not) bidirectional.
    Bidirectional(bool),
    /// The label or id of a boundary the flow crosses matches.
    CrossingMatches(Pattern),
    /// The label matches.
    LabelMatches(Pattern),
    /// The notes match.
    NotesMatches(Pattern),
    /// The label, notes or out-of-scope reason matches.
    TextMatches(Pattern),
    /// The source element satisfies this.
    From(Box<ElementCondition>),
    /// The target element satisfies this.
    To(Box<ElementCondition>),
}

/// A regular expression from a rule file, matched ignoring case.
#[derive(Debug, Clone)]
pub struct Pattern {
    regex: Regex,
    /// Most notes and reasons are empty: knowing the answer for "" saves running the regex.
    matches_empty: bool,
}

impl Pattern {
    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        if text.is_empty() { self.matches_empty } else { self.regex.is_match(text) }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        self.regex.as_str()
    }
}

fn regex(spec: &Spanned<String>) -> Result<Pattern, SpanError> {
    let regex = RegexBuilder::new(spec.get_ref())
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| SpanError { span: spec.span(), message: format!("invalid regular expression: {e}") })?;
    Ok(Pattern { matches_empty: regex.is_match(""), regex })
}

fn combine<C>(mut parts: Vec<C>, all: fn(Vec<C>) -> C) -> C {
    if parts.len() == 1 { parts.remove(0) } else { all(parts) }
}

/// A spec's `all`, `any` and `not` keys, compiled with `compile` and added to `parts`: the same for
/// element and flow conditions, which differ in their constructors.
type Logic<S> = (Option<Vec<S>>, Option<Vec<S>>, Option<Box<S>>);

fn logic<S, C>(
    parts: &mut Vec<C>,
    (all, any, not): Logic<S>,
    compile: fn(S) -> Result<C, SpanError>,
    [make_all, make_any]: [fn(Vec<C>) -> C; 2],
    make_not: fn(Box<C>) -> C,
) -> Result<(), SpanError> {
    for (specs, make) in [(all, make_all), (any, make_any)] {
        if let Some(specs) = specs {
            parts.push(make(specs.into_iter().map(compile).collect::<Result<_, _>>()?));
        }
    }
    if let Some(not) = not {
        parts.push(make_not(Box::new(compile(*not)?)));
    }
    Ok(())
}

impl ElementSpec {
    /// Checks the regular expressions and builds the condition.
    pub(crate) fn compile(self) -> Result<ElementCondition, SpanError> {
        use ElementCondition as C;
        let mut parts = Vec::new();
        if let Some(k) = self.kind {
            parts.push(C::Kind(k.0));
        }
        if let Some(b) = self.out_of_scope {
            parts.push(C::OutOfScope(b));
        }
        if let Some(b) = self.in_boundary {
            parts.push(C::InBoundary(b));
        }
        for (spec, make) in [
            (&self.boundary_matches, C::BoundaryMatches as fn(Pattern) -> C),
            (&self.label_matches, C::LabelMatches),
            (&self.notes_matches, C::NotesMatches),
            (&self.text_matches, C::TextMatches),
        ] {
            if let Some(s) = spec {
                parts.push(make(regex(s)?));
            }
        }
        for (spec, make) in [
            (self.incoming, C::Incoming as fn(Box<FlowCondition>) -> C),
            (self.outgoing, C::Outgoing),
            (self.connected, C::Connected),
        ] {
            if let Some(s) = spec {
                parts.push(make(Box::new(s.compile()?)));
            }
        }
        logic(&mut parts, (self.all, self.any, self.not), Self::compile, [C::All, C::Any], C::Not)?;
        Ok(combine(parts, C::All))
    }
}

impl FlowSpec {
    /// Checks the regular expressions and builds the condition.
    pub(crate) fn compile(self) -> Result<FlowCondition, SpanError> {
        use FlowCondition as C;
        let mut parts = Vec::new();
        if let Some(p) = self.protocol {
            parts.push(C::Protocol(Protocols::new(&p.0)));
        }
        if let Some(e) = self.encryption {
            parts.push(C::Encryption(e.0.into_iter().map(Encryption::from).collect()));
        }
        for (flag, make) in [
            (self.has_secure_twin, C::HasSecureTwin as fn(bool) -> C),
            (self.out_of_scope, C::OutOfScope),
            (self.crosses_boundary, C::CrossesBoundary),
            (self.bidirectional, C::Bidirectional),
        ] {
            if let Some(b) = flag {
                parts.push(make(b));
            }
        }
        for (spec, make) in [
            (&self.crossing_matches, C::CrossingMatches as fn(Pattern) -> C),
            (&self.label_matches, C::LabelMatches),
            (&self.notes_matches, C::NotesMatches),
            (&self.text_matches, C::TextMatches),
        ] {
            if let Some(s) = spec {
                parts.push(make(regex(s)?));
            }
        }
        for (spec, make) in [(self.from, C::From as fn(Box<ElementCondition>) -> C), (self.to, C::To)] {
            if let Some(s) = spec {
                parts.push(make(Box::new(s.compile()?)));
            }
        }
        logic(&mut parts, (self.all, self.any, self.not), Self::compile, [C::All, C::Any], C::Not)?;
        Ok(combine(parts, C::All))
    }
}

impl ElementCondition {
    /// Whether the element at position `e` of the document satisfies the condition.
    pub(crate) fn holds(&self, facts: &Facts<'_>, e: usize) -> bool {
        let el = &facts.doc.elements[e];
        match self {
            Self::All(parts) => parts.iter().all(|c| c.holds(facts, e)),
            Self::Any(parts) => parts.iter().any(|c| c.holds(facts, e)),
            Self::Not(c) => !c.holds(facts, e),
            Self::Kind(kinds) => kinds.contains(&el.kind),
            Self::OutOfScope(b) => el.out_of_scope == *b,
            Self::InBoundary(b) => el.boundary.is_some() == *b,
            Self::BoundaryMatches(re) => {
                facts.index.boundary_chain(el).iter().any(|b| re.is_match(&b.label) || re.is_match(b.id.as_str()))
            }
            Self::LabelMatches(re) => re.is_match(&el.label),
            Self::NotesMatches(re) => re.is_match(&el.notes),
            Self::TextMatches(re) => {
                re.is_match(&el.label) || re.is_match(&el.notes) || re.is_match(&el.out_of_scope_reason)
            }
            Self::Incoming(c) => facts.incoming.of(e).iter().any(|&f| c.holds(facts, f)),
            Self::Outgoing(c) => facts.outgoing.of(e).iter().any(|&f| c.holds(facts, f)),
            Self::Connected(c) => facts.connected(e).any(|f| c.holds(facts, f)),
        }
    }
}

impl FlowCondition {
    /// Whether the flow at position `f` of the document satisfies the condition.
    pub(crate) fn holds(&self, facts: &Facts<'_>, f: usize) -> bool {
        let flow = &facts.doc.flows[f];
        match self {
            Self::All(parts) => parts.iter().all(|c| c.holds(facts, f)),
            Self::Any(parts) => parts.iter().any(|c| c.holds(facts, f)),
            Self::Not(c) => !c.holds(facts, f),
            Self::Protocol(names) => names.contains(facts.flows[f].protocol, &flow.protocol),
            Self::Encryption(list) => list.contains(&facts.flows[f].encryption),
            Self::HasSecureTwin(b) => facts.flows[f].secure_twin.is_some() == *b,
            Self::OutOfScope(b) => flow.out_of_scope == *b,
            Self::CrossesBoundary(b) => facts.flows[f].crosses == *b,
            Self::Bidirectional(b) => flow.bidirectional == *b,
            Self::CrossingMatches(re) => {
                facts.flows[f].crosses
                    && facts.index.crossings(flow).iter().any(|b| re.is_match(&b.label) || re.is_match(b.id.as_str()))
            }
            Self::LabelMatches(re) => re.is_match(&flow.label),
            Self::NotesMatches(re) => re.is_match(&flow.notes),
            Self::TextMatches(re) => {
                re.is_match(&flow.label) || re.is_match(&flow.notes) || re.is_match(&flow.out_of_scope_reason)
            }
            Self::From(c) => facts.flows[f].from.is_some_and(|e| c.holds(facts, e)),
            Self::To(c) => facts.flows[f].to.is_some_and(|e| c.holds(facts, e)),
        }
    }
}
