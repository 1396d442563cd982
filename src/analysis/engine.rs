//! The rule engine: runs every rule over every element and flow of a document and turns each match
//! into a [`Suggestion`], which becomes a [`Threat`] only when a reviewer accepts it.
//!
//! Facts that many rules ask about (each flow's ends, protocol, encryption, whether it crosses a
//! boundary; each element's flows) are worked out once per document, so a rule costs one pass.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use super::condition::ElementCondition;
use super::rules::{Condition, Rule, RuleId, RuleSet, TargetKind, one_line};
use crate::model::protocol::{self, Protocol};
use crate::model::{
    Boundary, Category, Dismissal, Document, Edit, Encryption, Flow, Id, Index, Item, Severity, Status, Threat,
    encryption,
};

/// What a rule is evaluated on: a position in `doc.elements` or in `doc.flows`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `doc.elements[i]`.
    Element(usize),
    /// `doc.flows[i]`.
    Flow(usize),
}

/// What rules ask about one flow, worked out once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FlowFacts {
    /// Position of the source element.
    pub from: Option<usize>,
    /// Position of the target element.
    pub to: Option<usize>,
    /// The catalogue entry the protocol names.
    pub protocol: Option<&'static Protocol>,
    /// Its encrypted twin, when the protocol is a plain one that has one.
    pub secure_twin: Option<&'static Protocol>,
    /// Encrypted, plain or unknown.
    pub encryption: Encryption,
    /// Whether the ends sit in different boundaries.
    pub crosses: bool,
}

/// Flows per element, stored flat: one allocation instead of one per element.
#[derive(Debug, Default)]
pub(crate) struct Adjacency {
    /// Where each element's flows start in `flows`; one more entry than there are elements.
    start: Vec<usize>,
    flows: Vec<usize>,
}

impl Adjacency {
    /// From (element, flow) pairs, keeping the pairs' order within each element.
    fn new(elements: usize, pairs: &[(usize, usize)]) -> Self {
        let mut start = vec![0; elements + 1];
        for &(e, _) in pairs {
            start[e + 1] += 1;
        }
        for i in 0..elements {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut flows = vec![0; pairs.len()];
        for &(e, f) in pairs {
            flows[next[e]] = f;
            next[e] += 1;
        }
        Self { start, flows }
    }

    /// The flows of element `e`.
    pub(crate) fn of(&self, e: usize) -> &[usize] {
        &self.flows[self.start[e]..self.start[e + 1]]
    }
}

/// A document with the facts rules ask about.
#[derive(Debug)]
pub(crate) struct Facts<'a> {
    /// The document.
    pub doc: &'a Document,
    /// Its index.
    pub index: Index<'a>,
    /// Per flow, in document order.
    pub flows: Vec<FlowFacts>,
    /// Per element: the flows that carry data into it (bidirectional flows from it included).
    pub incoming: Adjacency,
    /// Per element: the flows that carry data out of it (bidirectional flows into it included).
    pub outgoing: Adjacency,
    /// Per element: its name on one line, for sentences.
    element_names: Vec<Cow<'a, str>>,
    /// Per element: the innermost boundary it sits in.
    pub element_boundary: Vec<Option<&'a Boundary>>,
    /// Per flow, once asked for: the labels of the boundaries it crosses, joined for a sentence.
    crossing_names: Vec<OnceCell<String>>,
}

impl<'a> Facts<'a> {
    pub(crate) fn new(doc: &'a Document) -> Self {
        let index = Index::new(doc);
        let mut protocols = ProtocolCache::default();
        let mut incoming = Vec::with_capacity(doc.flows.len());
        let mut outgoing = Vec::with_capacity(doc.flows.len());
        let mut flows = Vec::with_capacity(doc.flows.len());
        for (i, flow) in doc.flows.iter().enumerate() {
            let from = index.element_position(flow.from.as_str());
            let to = index.element_position(flow.to.as_str());
            if let Some(t) = to {
                incoming.push((t, i));
                if flow.bidirectional {
                    outgoing.push((t, i));
                }
            }
            if let Some(f) = from {
                outgoing.push((f, i));
                if flow.bidirectional {
                    incoming.push((f, i));
                }
            }
            // What `Index::crosses_boundary` answers, from the positions already looked up.
            let boundary = |e: Option<usize>| e.and_then(|e| doc.elements[e].boundary.as_ref());
            let (protocol, secure_twin, encryption) = protocols.get(flow);
            let crosses = boundary(from) != boundary(to);
            flows.push(FlowFacts { from, to, protocol, secure_twin, encryption, crosses });
        }
        let crossing_names = vec![OnceCell::new(); doc.flows.len()];
        let element_names =
            doc.elements.iter().map(|e| one_line(if e.label.is_empty() { e.id.as_str() } else { &e.label })).collect();
        let element_boundary = doc.elements.iter().map(|e| index.boundary(e.boundary.as_ref()?.as_str())).collect();
        let n = doc.elements.len();
        let (incoming, outgoing) = (Adjacency::new(n, &incoming), Adjacency::new(n, &outgoing));
        Self { doc, index, flows, incoming, outgoing, element_names, element_boundary, crossing_names }
    }

    /// Every flow from or to element `e`, each once.
    pub(crate) fn connected(&self, e: usize) -> impl Iterator<Item = usize> + '_ {
        // A bidirectional flow is in both lists; a one-way flow is in exactly one of them.
        let one_way_out = self.outgoing.of(e).iter().copied().filter(|&f| !self.doc.flows[f].bidirectional);
        self.incoming.of(e).iter().copied().chain(one_way_out)
    }

    /// The element's label (or its id when the label is empty), on one line.
    pub(crate) fn element_name(&self, e: usize) -> &str {
        &self.element_names[e]
    }

    /// The boundaries flow `f` crosses, as `A, B`, or `None` when it crosses none. Worked out once
    /// per flow, since a suggestion's title and description often both name them.
    pub(crate) fn crossing_names(&self, f: usize) -> Option<&str> {
        if !self.flows[f].crosses {
            return None;
        }
        let names = self.crossing_names[f].get_or_init(|| {
            let mut out = String::new();
            for (i, b) in self.index.crossings(&self.doc.flows[f]).iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&one_line(if b.label.is_empty() { b.id.as_str() } else { &b.label }));
            }
            out
        });
        Some(names)
    }
}

/// Documents use a handful of protocol spellings: each is looked up in the catalogue once.
#[derive(Default)]
struct ProtocolCache<'a> {
    seen: Vec<(&'a str, Option<bool>, ProtocolFacts)>,
}

impl<'a> ProtocolCache<'a> {
    /// Past this many spellings, a linear search costs more than a look-up.
    const MAX: usize = 32;

    fn get(&mut self, flow: &'a Flow) -> ProtocolFacts {
        let key = (flow.protocol.as_str(), flow.encrypted);
        if let Some(&(_, _, facts)) = self.seen.iter().find(|(t, o, _)| (*t, *o) == key) {
            return facts;
        }
        let protocol = protocol::lookup(&flow.protocol);
        let facts = (protocol, protocol.and_then(Protocol::secure_twin), encryption(flow));
        if self.seen.len() < Self::MAX {
            self.seen.push((key.0, key.1, facts));
        }
        facts
    }
}

/// A flow's catalogue entry, its secure twin, and its encryption.
type ProtocolFacts = (Option<&'static Protocol>, Option<&'static Protocol>, Encryption);

/// A threat a rule proposes for one element or flow. Not part of the document until accepted.
///
/// A large model gets tens of thousands of suggestions, so the rule's id and references are shared
/// with the rule, and the title, description and mitigation are kept in one buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The rule's id.
    pub rule: RuleId,
    /// The element or flow.
    pub target: Id,
    /// Whether the target is an element or a flow.
    pub target_kind: TargetKind,
    /// STRIDE category.
    pub category: Category,
    /// The rule's default severity.
    pub severity: Severity,
    /// Links to standards and guides.
    pub references: Arc<[String]>,
    /// Title, description and mitigation, one after the other.
    text: String,
    title_end: usize,
    description_end: usize,
}

impl Serialize for Suggestion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            rule: &'a str,
            target: &'a Id,
            target_kind: TargetKind,
            category: Category,
            severity: Severity,
            title: &'a str,
            description: &'a str,
            mitigation: &'a str,
            references: &'a [String],
        }
        View {
            rule: &self.rule,
            target: &self.target,
            target_kind: self.target_kind,
            category: self.category,
            severity: self.severity,
            title: self.title(),
            description: self.description(),
            mitigation: self.mitigation(),
            references: &self.references,
        }
        .serialize(s)
    }
}

impl Suggestion {
    /// One-line summary, filled in for the target.
    pub fn title(&self) -> &str {
        &self.text[..self.title_end]
    }

    /// What could happen and how.
    pub fn description(&self) -> &str {
        &self.text[self.title_end..self.description_end]
    }

    /// What to do about it.
    pub fn mitigation(&self) -> &str {
        &self.text[self.description_end..]
    }

    /// The open threat a reviewer gets by accepting the suggestion, remembering the rule it came from.
    pub fn to_threat(&self, id: Id) -> Threat {
        Threat {
            id,
            target: self.target.clone(),
            category: self.category,
            classification: String::new(),
            title: self.title().to_owned(),
            description: self.description().to_owned(),
            severity: self.severity,
            cvss: String::new(),
            status: Status::Open,
            mitigation: self.mitigation().to_owned(),
            references: self.references.to_vec(),
            rule: self.rule.to_string(),
        }
    }

    /// The record that keeps this suggestion from being made again (apply it with [`Edit::Dismiss`]).
    pub fn dismissal(&self, reason: impl Into<String>) -> Dismissal {
        Dismissal { rule: self.rule.to_string(), target: self.target.clone(), reason: reason.into() }
    }
}

/// Whether a reviewer has dealt with a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Review {
    /// Neither accepted nor dismissed.
    Pending,
    /// A threat on the target names the rule (whatever that threat's status).
    Accepted,
    /// The document holds a dismissal of the rule for the target.
    Dismissed,
}

/// The (rule, target) pairs a document has reviewed, for quick look-ups.
struct Reviewed<'a>(HashMap<(&'a str, &'a str), Review>);

impl<'a> Reviewed<'a> {
    fn new(doc: &'a Document) -> Self {
        let dismissed = doc.dismissed.iter().map(|d| ((d.rule.as_str(), d.target.as_str()), Review::Dismissed));
        // Accepted wins over dismissed: inserted last.
        let accepted = doc
            .threats
            .iter()
            .filter(|t| !t.rule.is_empty())
            .map(|t| ((t.rule.as_str(), t.target.as_str()), Review::Accepted));
        Self(dismissed.chain(accepted).collect())
    }

    fn review(&self, rule: &str, target: &str) -> Review {
        if self.0.is_empty() {
            return Review::Pending;
        }
        self.0.get(&(rule, target)).copied().unwrap_or(Review::Pending)
    }
}

/// Every rule's matches with their review state: elements first, then flows, each in document order,
/// and for one target the rules in load order.
pub fn review(doc: &Document, rules: &RuleSet) -> Vec<(Suggestion, Review)> {
    let mut out = Vec::new();
    for_each_match(&Facts::new(doc), rules, true, |s, review, _| out.push((s, review)));
    out
}

/// The suggestions a reviewer has yet to deal with: every match except those already accepted (a
/// threat on the same target whose `rule` names the rule) and those dismissed. Same order as [`review`].
pub fn suggestions(doc: &Document, rules: &RuleSet) -> Vec<Suggestion> {
    let mut out = Vec::new();
    for_each_match(&Facts::new(doc), rules, false, |s, _, _| out.push(s));
    out
}

/// The pending suggestions for one element or flow.
pub fn suggestions_for(doc: &Document, rules: &RuleSet, target: &str) -> Vec<Suggestion> {
    suggestions(doc, rules).into_iter().filter(|s| s.target == target).collect()
}

/// Hands every match (or only the pending ones) to `sink`, with its review state and where its
/// target is, in the order of [`review`].
pub(crate) fn for_each_match(
    facts: &Facts<'_>,
    rules: &RuleSet,
    keep_reviewed: bool,
    mut sink: impl FnMut(Suggestion, Review, Target),
) {
    let doc = facts.doc;
    let reviewed = Reviewed::new(doc);
    let element_rules: Vec<(&Rule, &ElementCondition)> = rules
        .rules()
        .iter()
        .filter_map(|r| match &r.condition {
            Condition::Element(c) => Some((r, c)),
            Condition::Flow(_) => None,
        })
        .collect();
    let flow_rules: Vec<_> = rules
        .rules()
        .iter()
        .filter_map(|r| match &r.condition {
            Condition::Flow(c) => Some((r, c)),
            Condition::Element(_) => None,
        })
        .collect();
    let mut emit = |rule: &Rule, target: Target, id: &Id| {
        let review = reviewed.review(&rule.id, id.as_str());
        if keep_reviewed || review == Review::Pending {
            sink(suggest(facts, rule, target, id), review, target);
        }
    };
    for (e, el) in doc.elements.iter().enumerate() {
        for (rule, cond) in &element_rules {
            if cond.holds(facts, e) {
                emit(rule, Target::Element(e), &el.id);
            }
        }
    }
    for (f, flow) in doc.flows.iter().enumerate() {
        for (rule, cond) in &flow_rules {
            if cond.holds(facts, f) {
                emit(rule, Target::Flow(f), &flow.id);
            }
        }
    }
}

fn suggest(facts: &Facts<'_>, rule: &Rule, target: Target, id: &Id) -> Suggestion {
    let mut text = String::with_capacity(
        rule.title.source().len() + rule.description.source().len() + rule.mitigation.source().len() + 192,
    );
    rule.title.render_into(&mut text, facts, target);
    let title_end = text.len();
    rule.description.render_into(&mut text, facts, target);
    let description_end = text.len();
    rule.mitigation.render_into(&mut text, facts, target);
    Suggestion {
        rule: rule.id.clone(),
        target: id.clone(),
        target_kind: rule.target(),
        category: rule.category,
        severity: rule.severity,
        references: rule.references.clone(),
        text,
        title_end,
        description_end,
    }
}

/// The next free threat id: `T` and one more than the highest `T<n>` in the document.
pub fn next_threat_id(doc: &Document) -> Id {
    threat_id(next_threat_number(doc))
}

/// One more than the highest `n` among threat ids `T<n>`. No `T<m>` with `m` at or above it is taken.
fn next_threat_number(doc: &Document) -> u64 {
    let highest = doc.threats.iter().filter_map(|t| t.id.as_str().strip_prefix('T')?.parse::<u64>().ok()).max();
    highest.unwrap_or(0).saturating_add(1)
}

fn threat_id(n: u64) -> Id {
    // `T` followed by digits is always a valid id.
    Id::new(format!("T{n}")).unwrap_or_else(|_| Id::slug("threat", "threat"))
}

/// One undo step that accepts suggestions ("accept all for the selection"): an open threat for
/// each, numbered on from [`next_threat_id`].
pub fn accept(doc: &Document, suggestions: &[Suggestion]) -> Edit {
    let first = next_threat_number(doc);
    let edits = suggestions.iter().zip(first..).map(|(s, n)| Edit::AddThreat(s.to_threat(threat_id(n)))).collect();
    let label = match suggestions {
        [one] => format!("Accept suggestion: {}", one.title()),
        _ => format!("Accept {} suggestions", suggestions.len()),
    };
    Edit::Batch { label, edits }
}

/// Whether an id names an element or a flow of the document.
pub fn target_kind(index: &Index<'_>, id: &str) -> Option<TargetKind> {
    match index.item(id)? {
        Item::Element(_) => Some(TargetKind::Element),
        Item::Flow(_) => Some(TargetKind::Flow),
        Item::Boundary(_) => None,
    }
}
