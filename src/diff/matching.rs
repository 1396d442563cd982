//! Pairing the items of two versions: by id first, then renames by similarity, then flows by their
//! endpoints and re-pointed flows, then threats. See ARCHITECTURE.md, "Comparing versions".

use std::collections::{HashMap, HashSet};

use super::MatchedBy;
use super::similarity::{self, Label, Neighbourhood};
use super::{LABEL_SIMILARITY, NEIGHBOURHOOD_SIMILARITY};
use crate::model::{Document, Element, Id, Index};

/// Above this many old × new candidates, renames are only looked for among pairs that share a
/// neighbour or a normalised label, instead of among all pairs.
const PAIR_LIMIT: usize = 250_000;
/// Rename detection repeats while it finds something, since each rename can reveal neighbours.
const RENAME_ROUNDS: usize = 4;

/// Which old item each new item is, for one kind of item (by position in the document's list).
#[derive(Debug, Clone)]
pub(super) struct Pairing {
    /// For each old item, its new counterpart.
    pub old_to_new: Vec<Option<usize>>,
    /// For each new item, its old counterpart.
    pub new_to_old: Vec<Option<usize>>,
    /// For each new item with a counterpart, how they were paired.
    pub how: Vec<MatchedBy>,
}

impl Pairing {
    fn new(old: usize, new: usize) -> Self {
        Self { old_to_new: vec![None; old], new_to_old: vec![None; new], how: vec![MatchedBy::Id; new] }
    }

    fn pair(&mut self, o: usize, n: usize, how: MatchedBy) {
        self.old_to_new[o] = Some(n);
        self.new_to_old[n] = Some(o);
        self.how[n] = how;
    }

    fn is_free(&self, o: usize, n: usize) -> bool {
        self.old_to_new[o].is_none() && self.new_to_old[n].is_none()
    }

    fn unmatched_old(&self) -> Vec<usize> {
        (0..self.old_to_new.len()).filter(|&i| self.old_to_new[i].is_none()).collect()
    }

    fn unmatched_new(&self) -> Vec<usize> {
        (0..self.new_to_old.len()).filter(|&i| self.new_to_old[i].is_none()).collect()
    }

    /// Pairs candidates best first (ties by position, for a stable result), skipping taken ones.
    fn assign(&mut self, mut candidates: Vec<Candidate>) -> bool {
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.old.cmp(&b.old)).then(a.new.cmp(&b.new)));
        let mut any = false;
        for c in candidates {
            if self.is_free(c.old, c.new) {
                self.pair(c.old, c.new, c.how);
                any = true;
            }
        }
        any
    }
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    old: usize,
    new: usize,
    score: f64,
    how: MatchedBy,
}

/// Positions by id in one list, the first occurrence winning (loading rejects duplicates anyway).
fn positions<'a, T>(items: &'a [T], id: impl Fn(&'a T) -> &'a Id) -> HashMap<&'a str, usize> {
    let mut m = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        m.entry(id(item).as_str()).or_insert(i);
    }
    m
}

/// The pairing of two versions, with lookups by id in both.
///
/// References between items (a flow's ends, an element's boundary, a boundary's parent) are resolved
/// to positions once, here, so that comparing the paired items later needs no id lookups at all.
#[derive(Debug)]
pub(super) struct Matching<'a> {
    pub old: &'a Document,
    pub new: &'a Document,
    pub old_ix: Index<'a>,
    pub new_ix: Index<'a>,
    pub boundaries: Pairing,
    pub elements: Pairing,
    pub flows: Pairing,
    pub threats: Pairing,
    pub old_boundary_pos: HashMap<&'a str, usize>,
    pub new_boundary_pos: HashMap<&'a str, usize>,
    old_flow_pos: HashMap<&'a str, usize>,
    new_flow_pos: HashMap<&'a str, usize>,
    /// Each old flow's (source, target) element positions.
    pub old_ends: Vec<(Option<usize>, Option<usize>)>,
    /// Each new flow's (source, target) element positions.
    pub new_ends: Vec<(Option<usize>, Option<usize>)>,
    /// The position of the boundary each old element sits in.
    pub old_container: Vec<Option<usize>>,
    /// The position of the boundary each new element sits in.
    pub new_container: Vec<Option<usize>>,
    old_parent: Vec<Option<usize>>,
    new_parent: Vec<Option<usize>>,
}

fn ends<'a>(doc: &'a Document, ix: &Index<'a>) -> Vec<(Option<usize>, Option<usize>)> {
    doc.flows.iter().map(|f| (ix.element_position(f.from.as_str()), ix.element_position(f.to.as_str()))).collect()
}

fn resolve<'a, T>(
    items: &'a [T],
    pos: &HashMap<&str, usize>,
    r: impl Fn(&'a T) -> Option<&'a Id>,
) -> Vec<Option<usize>> {
    items.iter().map(|item| r(item).and_then(|id| pos.get(id.as_str()).copied())).collect()
}

impl<'a> Matching<'a> {
    pub fn new(old: &'a Document, new: &'a Document) -> Self {
        let (old_ix, new_ix) = (Index::new(old), Index::new(new));
        let old_boundary_pos = positions(&old.boundaries, |b| &b.id);
        let new_boundary_pos = positions(&new.boundaries, |b| &b.id);
        let mut m = Self {
            old,
            new,
            boundaries: Pairing::new(old.boundaries.len(), new.boundaries.len()),
            elements: Pairing::new(old.elements.len(), new.elements.len()),
            flows: Pairing::new(old.flows.len(), new.flows.len()),
            threats: Pairing::new(old.threats.len(), new.threats.len()),
            old_flow_pos: positions(&old.flows, |f| &f.id),
            new_flow_pos: positions(&new.flows, |f| &f.id),
            old_ends: ends(old, &old_ix),
            new_ends: ends(new, &new_ix),
            old_container: resolve(&old.elements, &old_boundary_pos, |e| e.boundary.as_ref()),
            new_container: resolve(&new.elements, &new_boundary_pos, |e| e.boundary.as_ref()),
            old_parent: resolve(&old.boundaries, &old_boundary_pos, |b| b.parent.as_ref()),
            new_parent: resolve(&new.boundaries, &new_boundary_pos, |b| b.parent.as_ref()),
            old_ix,
            new_ix,
            old_boundary_pos,
            new_boundary_pos,
        };
        by_id(&mut m.boundaries, &old.boundaries, &m.new_boundary_pos, |b| &b.id);
        by_id_with(&mut m.elements, &old.elements, |id| m.new_ix.element_position(id), |e| &e.id);
        by_id(&mut m.flows, &old.flows, &m.new_flow_pos, |f| &f.id);
        let new_threat_pos = positions(&new.threats, |t| &t.id);
        by_id(&mut m.threats, &old.threats, &new_threat_pos, |t| &t.id);
        for _ in 0..RENAME_ROUNDS {
            if !m.rename_elements() {
                break;
            }
        }
        for _ in 0..RENAME_ROUNDS {
            if !m.rename_boundaries() {
                break;
            }
        }
        m.flows_by_endpoints();
        m.repointed_flows();
        m.rename_threats();
        m
    }

    /// The new id of the boundary, element or flow the old version calls `old_id`.
    pub fn map(&self, old_id: &Id) -> Option<&'a Id> {
        let new = self.new;
        if let Some(o) = self.old_ix.element_position(old_id.as_str()) {
            return self.elements.old_to_new[o].map(|n| &new.elements[n].id);
        }
        if let Some(&o) = self.old_flow_pos.get(old_id.as_str()) {
            return self.flows.old_to_new[o].map(|n| &new.flows[n].id);
        }
        if let Some(&o) = self.old_boundary_pos.get(old_id.as_str()) {
            return self.boundaries.old_to_new[o].map(|n| &new.boundaries[n].id);
        }
        None
    }

    /// True when the old reference and the new one name the same item. References to nothing (which
    /// loading rejects) are compared as text.
    pub fn same(&self, old_id: &Id, new_id: &Id) -> bool {
        match self.map(old_id) {
            Some(mapped) => mapped == new_id,
            None => {
                old_id == new_id && !self.new_ix.is_taken(new_id.as_str()) && !self.old_ix.is_taken(old_id.as_str())
            }
        }
    }

    /// True when two resolved element references (old and new position) name the same element;
    /// unresolved ones (dangling ids) are compared as text.
    pub fn same_element(&self, old: (Option<usize>, &Id), new: (Option<usize>, &Id)) -> bool {
        match (old.0, new.0) {
            (Some(o), Some(n)) => self.elements.old_to_new[o] == Some(n),
            (None, None) => old.1 == new.1,
            _ => false,
        }
    }

    /// True when two resolved, optional boundary references name the same boundary (or both none).
    pub fn same_boundary(&self, old: (Option<usize>, Option<&Id>), new: (Option<usize>, Option<&Id>)) -> bool {
        match (old, new) {
            ((_, None), (_, None)) => true,
            ((Some(o), _), (Some(n), _)) => self.boundaries.old_to_new[o] == Some(n),
            ((None, Some(a)), (None, Some(b))) => a == b,
            _ => false,
        }
    }

    /// True when the old element at `o` and the new one at `n` sit in the same boundary.
    pub fn same_container(&self, o: usize, n: usize) -> bool {
        self.same_boundary(
            (self.old_container[o], self.old.elements[o].boundary.as_ref()),
            (self.new_container[n], self.new.elements[n].boundary.as_ref()),
        )
    }

    /// True when the old boundary at `o` and the new one at `n` are nested in the same boundary.
    pub fn same_parent(&self, o: usize, n: usize) -> bool {
        self.same_boundary(
            (self.old_parent[o], self.old.boundaries[o].parent.as_ref()),
            (self.new_parent[n], self.new.boundaries[n].parent.as_ref()),
        )
    }

    /// True when the old flow at `o` and the new one at `n` have the same source, and the same target.
    pub fn same_ends(&self, o: usize, n: usize) -> (bool, bool) {
        let (fo, fnew) = (&self.old.flows[o], &self.new.flows[n]);
        let (oe, ne) = (self.old_ends[o], self.new_ends[n]);
        (self.same_element((oe.0, &fo.from), (ne.0, &fnew.from)), self.same_element((oe.1, &fo.to), (ne.1, &fnew.to)))
    }

    /// The new position of the old element at `old`, if it is paired.
    fn counterpart(&self, old: Option<usize>) -> Option<usize> {
        old.and_then(|o| self.elements.old_to_new[o])
    }

    /// Pairs unmatched elements of the same kind with the same neighbours or a similar label.
    fn rename_elements(&mut self) -> bool {
        let (uo, un) = (self.elements.unmatched_old(), self.elements.unmatched_new());
        if uo.is_empty() || un.is_empty() {
            return false;
        }
        let (old_nb, new_nb) = self.element_neighbourhoods(&uo, &un);
        let (old, new) = (self.old, self.new);
        let old_labels: HashMap<usize, Label> = uo.iter().map(|&o| (o, Label::new(name(&old.elements[o])))).collect();
        let new_labels: HashMap<usize, Label> = un.iter().map(|&n| (n, Label::new(name(&new.elements[n])))).collect();
        let pairs = candidate_pairs(&uo, &un, &old_nb, &new_nb, &old_labels, &new_labels);
        let mut candidates = Vec::new();
        for (o, n) in pairs {
            let (eo, en) = (&old.elements[o], &new.elements[n]);
            if eo.kind != en.kind {
                continue;
            }
            let bonus = if self.same_container(o, n) { 0.05 } else { 0.0 };
            if let Some(c) = score(o, n, &old_nb[&o], &new_nb[&n], &old_labels[&o], &new_labels[&n], bonus) {
                candidates.push(c);
            }
        }
        self.elements.assign(candidates)
    }

    /// Neighbourhood of each unmatched element: the elements its flows connect it to, with direction.
    fn element_neighbourhoods(
        &self,
        uo: &[usize],
        un: &[usize],
    ) -> (HashMap<usize, Neighbourhood>, HashMap<usize, Neighbourhood>) {
        let token = |neighbour: usize, incoming: bool| ((neighbour as u64) << 1) | u64::from(incoming);
        let mut old_nb: HashMap<usize, Neighbourhood> = uo.iter().map(|&o| (o, Neighbourhood::default())).collect();
        let mut old_unknown: HashMap<usize, HashSet<u64>> = HashMap::new();
        for &(a, b) in &self.old_ends {
            let (Some(a), Some(b)) = (a, b) else { continue };
            for (me, other, incoming) in [(a, b, false), (b, a, true)] {
                if let Some(nb) = old_nb.get_mut(&me) {
                    match self.elements.old_to_new[other] {
                        Some(n) => nb.known.push(token(n, incoming)),
                        None => {
                            old_unknown.entry(me).or_default().insert(token(other, incoming));
                        }
                    }
                }
            }
        }
        let mut new_nb: HashMap<usize, Neighbourhood> = un.iter().map(|&n| (n, Neighbourhood::default())).collect();
        let mut new_unknown: HashMap<usize, HashSet<u64>> = HashMap::new();
        for &(a, b) in &self.new_ends {
            let (Some(a), Some(b)) = (a, b) else { continue };
            for (me, other, incoming) in [(a, b, false), (b, a, true)] {
                if let Some(nb) = new_nb.get_mut(&me) {
                    if self.elements.new_to_old[other].is_some() {
                        nb.known.push(token(other, incoming));
                    } else {
                        new_unknown.entry(me).or_default().insert(token(other, incoming));
                    }
                }
            }
        }
        for (me, nb) in &mut old_nb {
            nb.unknown = old_unknown.get(me).map_or(0, HashSet::len);
            nb.finish();
        }
        for (me, nb) in &mut new_nb {
            nb.unknown = new_unknown.get(me).map_or(0, HashSet::len);
            nb.finish();
        }
        (old_nb, new_nb)
    }

    /// Pairs unmatched boundaries with the same members or a similar label.
    fn rename_boundaries(&mut self) -> bool {
        let (uo, un) = (self.boundaries.unmatched_old(), self.boundaries.unmatched_new());
        if uo.is_empty() || un.is_empty() {
            return false;
        }
        // Members: elements as even tokens, nested boundaries as odd ones, in the new numbering.
        let mut old_nb: HashMap<usize, Neighbourhood> = uo.iter().map(|&o| (o, Neighbourhood::default())).collect();
        let mut new_nb: HashMap<usize, Neighbourhood> = un.iter().map(|&n| (n, Neighbourhood::default())).collect();
        let add = |nb: &mut HashMap<usize, Neighbourhood>, container: Option<usize>, token: Option<u64>| {
            if let Some(entry) = container.and_then(|c| nb.get_mut(&c)) {
                match token {
                    Some(t) => entry.known.push(t),
                    None => entry.unknown += 1,
                }
            }
        };
        for (o, &container) in self.old_container.iter().enumerate() {
            add(&mut old_nb, container, self.elements.old_to_new[o].map(|n| (n as u64) << 1));
        }
        for (o, &container) in self.old_parent.iter().enumerate() {
            add(&mut old_nb, container, self.boundaries.old_to_new[o].map(|n| ((n as u64) << 1) | 1));
        }
        for (n, &container) in self.new_container.iter().enumerate() {
            add(&mut new_nb, container, self.elements.new_to_old[n].map(|_| (n as u64) << 1));
        }
        for (n, &container) in self.new_parent.iter().enumerate() {
            add(&mut new_nb, container, self.boundaries.new_to_old[n].map(|_| ((n as u64) << 1) | 1));
        }
        old_nb.values_mut().for_each(Neighbourhood::finish);
        new_nb.values_mut().for_each(Neighbourhood::finish);
        let (old, new) = (self.old, self.new);
        let label = |b: &crate::model::Boundary| Label::new(if b.label.is_empty() { b.id.as_str() } else { &b.label });
        let old_labels: HashMap<usize, Label> = uo.iter().map(|&o| (o, label(&old.boundaries[o]))).collect();
        let new_labels: HashMap<usize, Label> = un.iter().map(|&n| (n, label(&new.boundaries[n]))).collect();
        let pairs = candidate_pairs(&uo, &un, &old_nb, &new_nb, &old_labels, &new_labels);
        let mut candidates = Vec::new();
        for (o, n) in pairs {
            let same_parent = self.same_parent(o, n);
            let bonus = if same_parent { 0.05 } else { 0.0 };
            if let Some(c) = score(o, n, &old_nb[&o], &new_nb[&n], &old_labels[&o], &new_labels[&n], bonus) {
                candidates.push(c);
            }
        }
        self.boundaries.assign(candidates)
    }

    /// Pairs unmatched flows between the same two (paired) elements.
    fn flows_by_endpoints(&mut self) {
        let mut by_ends: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        for n in self.flows.unmatched_new() {
            if let (Some(a), Some(b)) = self.new_ends[n] {
                by_ends.entry((a, b)).or_default().push(n);
            }
        }
        if by_ends.is_empty() {
            return;
        }
        let mut candidates = Vec::new();
        for o in self.flows.unmatched_old() {
            let fo = &self.old.flows[o];
            let (a, b) = self.old_ends[o];
            let (Some(a), Some(b)) = (self.counterpart(a), self.counterpart(b)) else { continue };
            for &n in by_ends.get(&(a, b)).into_iter().flatten() {
                let fnew = &self.new.flows[n];
                let mut score = 1.0;
                if similarity::normalise(&fo.protocol) == similarity::normalise(&fnew.protocol) {
                    score += 0.4;
                }
                if fo.label == fnew.label {
                    score += 0.4;
                }
                score += 0.1 * similarity::label(&fo.label, &fnew.label);
                if fo.bidirectional == fnew.bidirectional {
                    score += 0.05;
                }
                candidates.push(Candidate { old: o, new: n, score, how: MatchedBy::Endpoints });
            }
        }
        self.flows.assign(candidates);
    }

    /// Pairs unmatched flows that kept one end, their label and their protocol.
    fn repointed_flows(&mut self) {
        type Key = (usize, String, String);
        let mut by_from: HashMap<Key, Vec<usize>> = HashMap::new();
        let mut by_to: HashMap<Key, Vec<usize>> = HashMap::new();
        for n in self.flows.unmatched_new() {
            let f = &self.new.flows[n];
            if f.label.trim().is_empty() && f.protocol.trim().is_empty() {
                continue;
            }
            let (label, protocol) = (similarity::normalise(&f.label), similarity::normalise(&f.protocol));
            let (a, b) = self.new_ends[n];
            if let Some(a) = a {
                by_from.entry((a, label.clone(), protocol.clone())).or_default().push(n);
            }
            if let Some(b) = b {
                by_to.entry((b, label, protocol)).or_default().push(n);
            }
        }
        if by_from.is_empty() {
            return;
        }
        let mut candidates = Vec::new();
        for o in self.flows.unmatched_old() {
            let f = &self.old.flows[o];
            let (label, protocol) = (similarity::normalise(&f.label), similarity::normalise(&f.protocol));
            let (a, b) = self.old_ends[o];
            if let Some(a) = self.counterpart(a) {
                for &n in by_from.get(&(a, label.clone(), protocol.clone())).into_iter().flatten() {
                    candidates.push(Candidate { old: o, new: n, score: 1.0, how: MatchedBy::Repointed });
                }
            }
            if let Some(b) = self.counterpart(b) {
                for &n in by_to.get(&(b, label, protocol)).into_iter().flatten() {
                    candidates.push(Candidate { old: o, new: n, score: 0.9, how: MatchedBy::Repointed });
                }
            }
        }
        self.flows.assign(candidates);
    }

    /// Pairs unmatched threats with the same target and category and a similar title, or the same title.
    fn rename_threats(&mut self) {
        let (uo, un) = (self.threats.unmatched_old(), self.threats.unmatched_new());
        if uo.is_empty() || un.is_empty() {
            return;
        }
        let (old, new) = (self.old, self.new);
        let old_titles: HashMap<usize, Label> = uo.iter().map(|&o| (o, Label::new(&old.threats[o].title))).collect();
        let new_titles: HashMap<usize, Label> = un.iter().map(|&n| (n, Label::new(&new.threats[n].title))).collect();
        let pairs: Vec<(usize, usize)> = if uo.len() * un.len() <= PAIR_LIMIT {
            uo.iter().flat_map(|&o| un.iter().map(move |&n| (o, n))).collect()
        } else {
            let mut by_title: HashMap<&str, Vec<usize>> = HashMap::new();
            for &n in &un {
                by_title.entry(new_titles[&n].key()).or_default().push(n);
            }
            uo.iter()
                .flat_map(|&o| by_title.get(old_titles[&o].key()).into_iter().flatten().map(move |&n| (o, n)))
                .collect()
        };
        let mut candidates = Vec::new();
        for (o, n) in pairs {
            let (to, tn) = (&old.threats[o], &new.threats[n]);
            let s = old_titles[&o].similarity(&new_titles[&n]);
            let same_target = self.same(&to.target, &tn.target);
            let same_category = to.category == tn.category;
            if (same_target && same_category && s >= LABEL_SIMILARITY) || s >= 1.0 {
                let score = s + if same_target { 0.2 } else { 0.0 } + if same_category { 0.1 } else { 0.0 };
                candidates.push(Candidate { old: o, new: n, score, how: MatchedBy::Label });
            }
        }
        self.threats.assign(candidates);
    }
}

/// Pairs items with the same id, given the new version's positions by id.
fn by_id<T>(pairing: &mut Pairing, old: &[T], new_pos: &HashMap<&str, usize>, id: impl Fn(&T) -> &Id) {
    by_id_with(pairing, old, |i| new_pos.get(i).copied(), id);
}

fn by_id_with<T>(pairing: &mut Pairing, old: &[T], new_pos: impl Fn(&str) -> Option<usize>, id: impl Fn(&T) -> &Id) {
    for (o, item) in old.iter().enumerate() {
        if let Some(n) = new_pos(id(item).as_str())
            && pairing.is_free(o, n)
        {
            pairing.pair(o, n, MatchedBy::Id);
        }
    }
}

fn name(e: &Element) -> &str {
    if e.label.is_empty() { e.id.as_str() } else { &e.label }
}

/// Pairs worth scoring: all of them when there are few, else those sharing a neighbour or a label.
fn candidate_pairs(
    uo: &[usize],
    un: &[usize],
    old_nb: &HashMap<usize, Neighbourhood>,
    new_nb: &HashMap<usize, Neighbourhood>,
    old_labels: &HashMap<usize, Label>,
    new_labels: &HashMap<usize, Label>,
) -> Vec<(usize, usize)> {
    if uo.len() * un.len() <= PAIR_LIMIT {
        return uo.iter().flat_map(|&o| un.iter().map(move |&n| (o, n))).collect();
    }
    let mut by_token: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut by_label: HashMap<&str, Vec<usize>> = HashMap::new();
    for &n in un {
        for &t in &new_nb[&n].known {
            by_token.entry(t).or_default().push(n);
        }
        by_label.entry(new_labels[&n].key()).or_default().push(n);
    }
    let mut pairs = HashSet::new();
    for &o in uo {
        for t in &old_nb[&o].known {
            pairs.extend(by_token.get(t).into_iter().flatten().map(|&n| (o, n)));
        }
        pairs.extend(by_label.get(old_labels[&o].key()).into_iter().flatten().map(|&n| (o, n)));
    }
    let mut pairs: Vec<(usize, usize)> = pairs.into_iter().collect();
    pairs.sort_unstable();
    pairs
}

/// A rename candidate when the neighbourhoods or the labels are similar enough.
fn score(
    o: usize,
    n: usize,
    old_nb: &Neighbourhood,
    new_nb: &Neighbourhood,
    old_label: &Label,
    new_label: &Label,
    bonus: f64,
) -> Option<Candidate> {
    let j = similarity::neighbourhood(old_nb, new_nb).unwrap_or(0.0);
    let s = old_label.similarity(new_label);
    if j < NEIGHBOURHOOD_SIMILARITY && s < LABEL_SIMILARITY {
        return None;
    }
    let how = if j >= NEIGHBOURHOOD_SIMILARITY && j >= s { MatchedBy::Neighbourhood } else { MatchedBy::Label };
    Some(Candidate { old: o, new: n, score: j.max(s) + 0.1 * j.min(s) + bonus, how })
}
