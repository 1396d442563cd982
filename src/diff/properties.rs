//! Per-item change records: which items were added, removed, renamed or changed, and each property
//! that differs between paired items.

use super::matching::{Matching, Pairing};
use super::{Change, ChangeStatus, Field, MOVE_THRESHOLD, MatchedBy, PropertyChange, Ref, Value};
use crate::model::{Boundary, Document, Element, Flow, Id, Index, Item, Threat, encryption};

/// Text on one line: runs of whitespace (line breaks included) become one space.
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn element_name(e: &Element) -> String {
    one_line(if e.label.is_empty() { e.id.as_str() } else { &e.label })
}

pub(super) fn boundary_name(b: &Boundary) -> String {
    one_line(if b.label.is_empty() { b.id.as_str() } else { &b.label })
}

/// `from → to`, then `: label` when the flow has one.
pub(super) fn flow_name(ix: &Index<'_>, f: &Flow) -> String {
    let end = |id: &Id| ix.element(id.as_str()).map_or_else(|| id.to_string(), element_name);
    let mut s = format!("{} → {}", end(&f.from), end(&f.to));
    if !f.label.trim().is_empty() {
        s.push_str(": ");
        s.push_str(&one_line(&f.label));
    }
    s
}

/// The display name of whatever `id` names in the indexed document (the id itself if nothing).
pub(super) fn item_name(ix: &Index<'_>, id: &Id) -> String {
    match ix.item(id.as_str()) {
        Some(Item::Element(e)) => element_name(e),
        Some(Item::Flow(f)) => flow_name(ix, f),
        Some(Item::Boundary(b)) => boundary_name(b),
        None => id.to_string(),
    }
}

pub(super) fn item_ref(ix: &Index<'_>, id: &Id) -> Ref {
    Ref { id: id.clone(), name: item_name(ix, id) }
}

fn ref_value(ix: &Index<'_>, id: Option<&Id>) -> Value {
    id.map_or(Value::None, |id| Value::Ref(item_ref(ix, id)))
}

/// Collects the changed properties of one item.
#[derive(Default)]
struct Props(Vec<PropertyChange>);

impl Props {
    fn text(&mut self, field: Field, old: &str, new: &str) {
        if old != new {
            self.0.push(PropertyChange { field, old: Value::text(old), new: Value::text(new) });
        }
    }

    fn flag(&mut self, field: Field, old: bool, new: bool) {
        if old != new {
            self.0.push(PropertyChange { field, old: Value::Bool(old), new: Value::Bool(new) });
        }
    }

    fn value(&mut self, field: Field, changed: bool, old: impl FnOnce() -> Value, new: impl FnOnce() -> Value) {
        if changed {
            self.0.push(PropertyChange { field, old: old(), new: new() });
        }
    }

    /// Lists compared as multisets: reordering entries is not a change.
    fn list(&mut self, field: Field, old: &[String], new: &[String]) {
        let sorted = |l: &[String]| {
            let mut v = l.to_vec();
            v.sort();
            v
        };
        if sorted(old) != sorted(new) {
            self.0.push(PropertyChange { field, old: Value::List(old.to_vec()), new: Value::List(new.to_vec()) });
        }
    }
}

/// Changes to the document itself.
pub(super) fn document(m: &Matching<'_>) -> Vec<PropertyChange> {
    let (old, new) = (m.old, m.new);
    let mut p = Props::default();
    p.text(Field::Title, &old.title, &new.title);
    p.text(Field::Description, &old.description, &new.description);
    p.text(Field::Direction, old.direction.as_str(), new.direction.as_str());
    let (od, nd) = (&old.decomposition, &new.decomposition);
    p.text(Field::UseCase, &od.use_case, &nd.use_case);
    p.list(Field::EntryPoints, &od.entry_points, &nd.entry_points);
    p.list(Field::TrustLevels, &od.trust_levels, &nd.trust_levels);
    p.list(Field::PreviousIssues, &od.previous_issues, &nd.previous_issues);
    p.list(Field::References, &od.references, &nd.references);
    let key = |rule: &str, target: String, reason: &str| format!("{rule}\u{0}{target}\u{0}{reason}");
    let mut old_keys: Vec<String> = old
        .dismissed
        .iter()
        .map(|d| key(&d.rule, m.map(&d.target).map_or_else(|| format!("\u{1}{}", d.target), Id::to_string), &d.reason))
        .collect();
    let mut new_keys: Vec<String> =
        new.dismissed.iter().map(|d| key(&d.rule, d.target.to_string(), &d.reason)).collect();
    old_keys.sort();
    new_keys.sort();
    if old_keys != new_keys {
        let show = |doc: &Document, ix: &Index<'_>| -> Vec<String> {
            doc.dismissed
                .iter()
                .map(|d| {
                    let mut s = format!("{} on {}", d.rule, item_name(ix, &d.target));
                    if !d.reason.is_empty() {
                        s.push_str(": ");
                        s.push_str(&one_line(&d.reason));
                    }
                    s
                })
                .collect()
        };
        p.0.push(PropertyChange {
            field: Field::Dismissed,
            old: Value::List(show(old, &m.old_ix)),
            new: Value::List(show(new, &m.new_ix)),
        });
    }
    p.0
}

/// Builds the change list of one section from its pairing: added, renamed and changed items in the new
/// version's order, then removed ones in the old version's order.
fn section<T>(
    pairing: &Pairing,
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> &Id,
    name: impl Fn(&T, bool) -> String,
    context: impl Fn(&T, bool) -> String,
    compare: impl Fn(usize, usize) -> Vec<PropertyChange>,
) -> Vec<Change> {
    let mut out = Vec::new();
    for (n, item) in new.iter().enumerate() {
        match pairing.new_to_old[n] {
            None => out.push(Change {
                status: ChangeStatus::Added,
                new_id: Some(id(item).clone()),
                old_id: None,
                name: name(item, true),
                old_name: None,
                context: context(item, true),
                matched_by: None,
                properties: Vec::new(),
            }),
            Some(o) => {
                let before = &old[o];
                let properties = compare(o, n);
                let renamed = id(before) != id(item);
                if !renamed && properties.is_empty() {
                    continue;
                }
                let (new_name, old_name) = (name(item, true), name(before, false));
                out.push(Change {
                    status: if renamed { ChangeStatus::Renamed } else { ChangeStatus::Changed },
                    new_id: Some(id(item).clone()),
                    old_id: Some(id(before).clone()),
                    old_name: (renamed && old_name != new_name).then_some(old_name),
                    name: new_name,
                    context: context(item, true),
                    matched_by: Some(pairing.how[n]).filter(|h| *h != MatchedBy::Id),
                    properties,
                });
            }
        }
    }
    for (o, item) in old.iter().enumerate() {
        if pairing.old_to_new[o].is_none() {
            out.push(Change {
                status: ChangeStatus::Removed,
                new_id: None,
                old_id: Some(id(item).clone()),
                name: name(item, false),
                old_name: None,
                context: context(item, false),
                matched_by: None,
                properties: Vec::new(),
            });
        }
    }
    out
}

pub(super) fn boundaries(m: &Matching<'_>) -> Vec<Change> {
    let ix = |is_new: bool| if is_new { &m.new_ix } else { &m.old_ix };
    section(
        &m.boundaries,
        &m.old.boundaries,
        &m.new.boundaries,
        |b| &b.id,
        |b, _| boundary_name(b),
        |b, is_new| {
            b.parent
                .as_ref()
                .map(|p| format!("in {}", ix(is_new).boundary(p.as_str()).map_or_else(|| p.to_string(), boundary_name)))
                .unwrap_or_default()
        },
        |oi, ni| {
            let (o, n) = (&m.old.boundaries[oi], &m.new.boundaries[ni]);
            if o == n && m.same_parent(oi, ni) {
                return Vec::new();
            }
            let mut p = Props::default();
            p.text(Field::Label, &o.label, &n.label);
            p.value(
                Field::Parent,
                !m.same_parent(oi, ni),
                || ref_value(&m.old_ix, o.parent.as_ref()),
                || ref_value(&m.new_ix, n.parent.as_ref()),
            );
            p.text(Field::Notes, &o.notes, &n.notes);
            p.0
        },
    )
}

fn element_context(ix: &Index<'_>, e: &Element) -> String {
    let mut s = e.kind.title().to_owned();
    if let Some(b) = &e.boundary {
        s.push_str(" in ");
        s.push_str(&ix.boundary(b.as_str()).map_or_else(|| b.to_string(), boundary_name));
    }
    if e.out_of_scope {
        s.push_str(", out of scope");
    }
    s
}

pub(super) fn elements(m: &Matching<'_>) -> Vec<Change> {
    let ix = |is_new: bool| if is_new { &m.new_ix } else { &m.old_ix };
    section(
        &m.elements,
        &m.old.elements,
        &m.new.elements,
        |e| &e.id,
        |e, _| element_name(e),
        |e, is_new| element_context(ix(is_new), e),
        |oi, ni| {
            let (o, n) = (&m.old.elements[oi], &m.new.elements[ni]);
            if o == n && m.same_container(oi, ni) {
                return Vec::new();
            }
            let mut p = Props::default();
            p.value(Field::Kind, o.kind != n.kind, || Value::text(o.kind.as_str()), || Value::text(n.kind.as_str()));
            p.text(Field::Label, &o.label, &n.label);
            p.value(
                Field::Boundary,
                !m.same_container(oi, ni),
                || ref_value(&m.old_ix, o.boundary.as_ref()),
                || ref_value(&m.new_ix, n.boundary.as_ref()),
            );
            let distance = (n.at.x - o.at.x).hypot(n.at.y - o.at.y);
            p.value(Field::Position, distance > MOVE_THRESHOLD, || Value::point(o.at), || Value::point(n.at));
            p.flag(Field::OutOfScope, o.out_of_scope, n.out_of_scope);
            p.text(Field::OutOfScopeReason, &o.out_of_scope_reason, &n.out_of_scope_reason);
            p.text(Field::Notes, &o.notes, &n.notes);
            p.0
        },
    )
}

fn flow_context(f: &Flow) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !f.protocol.is_empty() {
        parts.push(one_line(&f.protocol));
    }
    parts.push(encryption(f).as_str().to_owned());
    if f.bidirectional {
        parts.push("bidirectional".into());
    }
    if f.out_of_scope {
        parts.push("out of scope".into());
    }
    parts.join(", ")
}

fn encrypted_value(v: Option<bool>) -> Value {
    v.map_or(Value::None, Value::Bool)
}

pub(super) fn flows(m: &Matching<'_>) -> Vec<Change> {
    let ix = |is_new: bool| if is_new { &m.new_ix } else { &m.old_ix };
    section(
        &m.flows,
        &m.old.flows,
        &m.new.flows,
        |f| &f.id,
        |f, is_new| flow_name(ix(is_new), f),
        |f, _| flow_context(f),
        |oi, ni| {
            let (o, n) = (&m.old.flows[oi], &m.new.flows[ni]);
            let (same_from, same_to) = m.same_ends(oi, ni);
            if o == n && same_from && same_to {
                return Vec::new();
            }
            let mut p = Props::default();
            p.value(
                Field::From,
                !same_from,
                || ref_value(&m.old_ix, Some(&o.from)),
                || ref_value(&m.new_ix, Some(&n.from)),
            );
            p.value(Field::To, !same_to, || ref_value(&m.old_ix, Some(&o.to)), || ref_value(&m.new_ix, Some(&n.to)));
            p.text(Field::Label, &o.label, &n.label);
            p.text(Field::Protocol, &o.protocol, &n.protocol);
            p.value(
                Field::Encrypted,
                o.encrypted != n.encrypted,
                || encrypted_value(o.encrypted),
                || encrypted_value(n.encrypted),
            );
            p.flag(Field::Bidirectional, o.bidirectional, n.bidirectional);
            p.flag(Field::OutOfScope, o.out_of_scope, n.out_of_scope);
            p.text(Field::OutOfScopeReason, &o.out_of_scope_reason, &n.out_of_scope_reason);
            p.text(Field::Notes, &o.notes, &n.notes);
            p.0
        },
    )
}

fn threat_context(ix: &Index<'_>, t: &Threat) -> String {
    format!(
        "{}, {}, {}, on {}",
        t.status.as_str(),
        t.severity.as_str(),
        t.category.title().to_lowercase(),
        item_name(ix, &t.target)
    )
}

pub(super) fn threats(m: &Matching<'_>) -> Vec<Change> {
    let ix = |is_new: bool| if is_new { &m.new_ix } else { &m.old_ix };
    section(
        &m.threats,
        &m.old.threats,
        &m.new.threats,
        |t| &t.id,
        |t, _| one_line(&t.title),
        |t, is_new| threat_context(ix(is_new), t),
        |oi, ni| {
            let (o, n) = (&m.old.threats[oi], &m.new.threats[ni]);
            let mut p = Props::default();
            p.value(
                Field::Target,
                !m.same(&o.target, &n.target),
                || ref_value(&m.old_ix, Some(&o.target)),
                || ref_value(&m.new_ix, Some(&n.target)),
            );
            p.value(
                Field::Category,
                o.category != n.category,
                || Value::text(o.category.as_str()),
                || Value::text(n.category.as_str()),
            );
            p.text(Field::Classification, &o.classification, &n.classification);
            p.text(Field::Title, &o.title, &n.title);
            p.text(Field::Description, &o.description, &n.description);
            p.value(
                Field::Severity,
                o.severity != n.severity,
                || Value::text(o.severity.as_str()),
                || Value::text(n.severity.as_str()),
            );
            p.text(Field::Cvss, &o.cvss, &n.cvss);
            p.value(
                Field::Status,
                o.status != n.status,
                || Value::text(o.status.as_str()),
                || Value::text(n.status.as_str()),
            );
            p.text(Field::Mitigation, &o.mitigation, &n.mitigation);
            p.list(Field::References, &o.references, &n.references);
            p.text(Field::Rule, &o.rule, &n.rule);
            p.0
        },
    )
}
