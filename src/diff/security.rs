//! The security summary: encryption, boundary crossings, boundary moves, scope and threats.

use std::collections::HashMap;

use super::matching::Matching;
use super::properties::{boundary_name, element_name, flow_name, item_name, item_ref};
use super::{
    BoundaryMove, CrossingChange, EncryptionChange, Field, Ref, Repoint, ScopeChange, Section, SecuritySummary,
    ThreatNote,
};
use crate::model::{Boundary, Flow, Id, Index, Status, Threat, encryption};

fn boundary_ref(b: &Boundary) -> Ref {
    Ref { id: b.id.clone(), name: boundary_name(b) }
}

fn flow_ref(ix: &Index<'_>, f: &Flow) -> Ref {
    Ref { id: f.id.clone(), name: flow_name(ix, f) }
}

fn crossing(ix: &Index<'_>, f: &Flow, boundaries: Vec<Ref>, whole_flow: bool) -> CrossingChange {
    CrossingChange {
        flow: flow_ref(ix, f),
        boundaries,
        whole_flow,
        protocol: f.protocol.clone(),
        encryption: encryption(f),
        out_of_scope: f.out_of_scope,
    }
}

fn threat_note(ix: &Index<'_>, t: &Threat) -> ThreatNote {
    ThreatNote {
        threat: Ref { id: t.id.clone(), name: super::properties::one_line(&t.title) },
        target: item_name(ix, &t.target),
        old_severity: None,
        new_severity: None,
        old_status: None,
        new_status: None,
    }
}

/// Sums up the security-relevant changes of a comparison.
pub(super) fn summary(m: &Matching<'_>) -> SecuritySummary {
    let mut s = SecuritySummary::default();
    flows(m, &mut s);
    moves_and_scope(m, &mut s);
    threats(m, &mut s);
    s
}

/// Each boundary's chain (itself and its ancestors) as sorted tokens in the new version's numbering;
/// an old boundary with no counterpart gets a token no new boundary has.
fn boundary_chains(boundaries: &[Boundary], pos: &HashMap<&str, usize>, token: impl Fn(usize) -> u64) -> Vec<Vec<u64>> {
    (0..boundaries.len())
        .map(|i| {
            let mut chain = Vec::new();
            let mut next = Some(i);
            while let Some(b) = next {
                let t = token(b);
                if chain.contains(&t) {
                    break; // a parent cycle (loading rejects them)
                }
                chain.push(t);
                next = boundaries[b].parent.as_ref().and_then(|p| pos.get(p.as_str()).copied());
            }
            chain.sort_unstable();
            chain
        })
        .collect()
}

/// The boundaries around exactly one of the two ends, as tokens: the same set `Index::crossings` gives.
fn crossing_key(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out: Vec<u64> =
        a.iter().filter(|t| !b.contains(t)).chain(b.iter().filter(|t| !a.contains(t))).copied().collect();
    out.sort_unstable();
    out
}

/// Quick comparison of crossings: which flows cross other boundaries than before. Computed from
/// per-boundary chains, so that unchanged flows cost two small set differences and no id lookups
/// beyond their two ends; only the flows found different go through `Index::crossings`.
struct Chains<'m, 'a> {
    m: &'m Matching<'a>,
    old: Vec<Vec<u64>>,
    new: Vec<Vec<u64>>,
}

impl<'m, 'a> Chains<'m, 'a> {
    fn new(m: &'m Matching<'a>) -> Self {
        let old = boundary_chains(&m.old.boundaries, &m.old_boundary_pos, |o| {
            m.boundaries.old_to_new[o].map_or((1 << 63) | o as u64, |n| n as u64)
        });
        let new = boundary_chains(&m.new.boundaries, &m.new_boundary_pos, |n| n as u64);
        Self { m, old, new }
    }

    fn old_key(&self, o: usize) -> Vec<u64> {
        let chain = |e: Option<usize>| chain_of(&self.old, e.and_then(|e| self.m.old_container[e]));
        let (a, b) = self.m.old_ends[o];
        crossing_key(chain(a), chain(b))
    }

    fn new_key(&self, n: usize) -> Vec<u64> {
        let chain = |e: Option<usize>| chain_of(&self.new, e.and_then(|e| self.m.new_container[e]));
        let (a, b) = self.m.new_ends[n];
        crossing_key(chain(a), chain(b))
    }
}

fn chain_of(chains: &[Vec<u64>], boundary: Option<usize>) -> &[u64] {
    boundary.map_or(&[], |b| chains[b].as_slice())
}

fn flows(m: &Matching<'_>, s: &mut SecuritySummary) {
    let (old_ix, new_ix) = (&m.old_ix, &m.new_ix);
    let chains = Chains::new(m);
    for (n, fnew) in m.new.flows.iter().enumerate() {
        let Some(o) = m.flows.new_to_old[n] else {
            let new_cross = new_ix.crossings(fnew);
            if !new_cross.is_empty() {
                s.crossings_added.push(crossing(new_ix, fnew, new_cross.into_iter().map(boundary_ref).collect(), true));
            }
            continue;
        };
        let fold = &m.old.flows[o];
        let (eo, en) = (encryption(fold), encryption(fnew));
        if eo != en {
            s.encryption.push(EncryptionChange {
                flow: flow_ref(new_ix, fnew),
                old: eo,
                new: en,
                old_protocol: fold.protocol.clone(),
                new_protocol: fnew.protocol.clone(),
            });
        }
        if fold.out_of_scope != fnew.out_of_scope {
            s.scope.push(ScopeChange {
                section: Section::Flow,
                item: flow_ref(new_ix, fnew),
                in_scope: !fnew.out_of_scope,
                reason: if fnew.out_of_scope { fnew.out_of_scope_reason.clone() } else { String::new() },
            });
        }
        let (same_from, same_to) = m.same_ends(o, n);
        if same_from && same_to && chains.old_key(o) == chains.new_key(n) {
            continue;
        }
        let new_cross = new_ix.crossings(fnew);
        let old_cross = old_ix.crossings(fold);
        let added: Vec<Ref> = new_cross
            .iter()
            .filter(|b| !old_cross.iter().any(|ob| m.same(&ob.id, &b.id)))
            .map(|b| boundary_ref(b))
            .collect();
        let removed: Vec<Ref> = old_cross
            .iter()
            .filter(|ob| !new_cross.iter().any(|b| m.same(&ob.id, &b.id)))
            .map(|b| boundary_ref(b))
            .collect();
        if !added.is_empty() {
            s.crossings_added.push(crossing(new_ix, fnew, added, false));
        }
        if !removed.is_empty() {
            s.crossings_removed.push(crossing(old_ix, fold, removed, false));
        }
        if !old_cross.is_empty() || !new_cross.is_empty() {
            let ends = [(Field::From, same_from, &fold.from, &fnew.from), (Field::To, same_to, &fold.to, &fnew.to)];
            for (end, same, old_end, new_end) in ends {
                if !same {
                    s.repointed.push(Repoint {
                        flow: flow_ref(new_ix, fnew),
                        end,
                        old: item_ref(old_ix, old_end),
                        new: item_ref(new_ix, new_end),
                        crosses: new_cross.iter().map(|b| boundary_ref(b)).collect(),
                    });
                }
            }
        }
    }
    for (o, fold) in m.old.flows.iter().enumerate() {
        if m.flows.old_to_new[o].is_none() {
            let cross = old_ix.crossings(fold);
            if !cross.is_empty() {
                s.crossings_removed.push(crossing(old_ix, fold, cross.into_iter().map(boundary_ref).collect(), true));
            }
        }
    }
}

fn container(ix: &Index<'_>, id: Option<&Id>) -> Option<Ref> {
    id.map(|b| ix.boundary(b.as_str()).map_or_else(|| Ref { id: b.clone(), name: b.to_string() }, boundary_ref))
}

fn moves_and_scope(m: &Matching<'_>, s: &mut SecuritySummary) {
    let mut element_scope = Vec::new();
    for (n, en) in m.new.elements.iter().enumerate() {
        let Some(o) = m.elements.new_to_old[n] else { continue };
        let eo = &m.old.elements[o];
        let item = Ref { id: en.id.clone(), name: element_name(en) };
        if !m.same_container(o, n) {
            s.boundary_moves.push(BoundaryMove {
                section: Section::Element,
                item: item.clone(),
                old: container(&m.old_ix, eo.boundary.as_ref()),
                new: container(&m.new_ix, en.boundary.as_ref()),
            });
        }
        if eo.out_of_scope != en.out_of_scope {
            element_scope.push(ScopeChange {
                section: Section::Element,
                item,
                in_scope: !en.out_of_scope,
                reason: if en.out_of_scope { en.out_of_scope_reason.clone() } else { String::new() },
            });
        }
    }
    for (n, bn) in m.new.boundaries.iter().enumerate() {
        let Some(o) = m.boundaries.new_to_old[n] else { continue };
        let bo = &m.old.boundaries[o];
        if !m.same_parent(o, n) {
            s.boundary_moves.push(BoundaryMove {
                section: Section::Boundary,
                item: boundary_ref(bn),
                old: container(&m.old_ix, bo.parent.as_ref()),
                new: container(&m.new_ix, bn.parent.as_ref()),
            });
        }
    }
    // Elements before flows.
    element_scope.append(&mut s.scope);
    s.scope = element_scope;
}

fn threats(m: &Matching<'_>, s: &mut SecuritySummary) {
    let open = |t: &Threat| t.status == Status::Open;
    for (n, tn) in m.new.threats.iter().enumerate() {
        let note = || threat_note(&m.new_ix, tn);
        match m.threats.new_to_old[n] {
            None if open(tn) => {
                s.threats_opened.push(ThreatNote {
                    new_severity: Some(tn.severity),
                    new_status: Some(tn.status),
                    ..note()
                });
            }
            None => {}
            Some(o) => {
                let to = &m.old.threats[o];
                let full = ThreatNote {
                    old_severity: Some(to.severity),
                    new_severity: Some(tn.severity),
                    old_status: Some(to.status),
                    new_status: Some(tn.status),
                    ..note()
                };
                if open(tn) && !open(to) {
                    s.threats_opened.push(full.clone());
                } else if open(to) && !open(tn) {
                    s.threats_closed.push(full.clone());
                }
                if to.severity != tn.severity {
                    s.severity.push(full);
                }
            }
        }
    }
    for (o, to) in m.old.threats.iter().enumerate() {
        if m.threats.old_to_new[o].is_none() && open(to) {
            s.threats_closed.push(ThreatNote {
                old_severity: Some(to.severity),
                old_status: Some(to.status),
                ..threat_note(&m.old_ix, to)
            });
        }
    }
}
