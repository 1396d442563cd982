//! One Threat Dragon diagram → one Threatboard document.
//!
//! - actor → external entity, process → process, store → store; positions are kept (Threat Dragon
//!   stores a top-left corner and a size, Threatboard the centre); `description` and the Threat Dragon
//!   flags Threatboard has no field for (`storesCredentials`, `isALog`, …) go to the notes, the flags
//!   on a last line `Threat Dragon: storesCredentials, isALog` that the exporter reads back.
//! - flow → flow with name → label, protocol, `isEncrypted` → the encrypted override (only when the
//!   protocol does not already say so), `isBidirectional`, out of scope and its reason. A flow end that
//!   is a free point is attached to the element within [`SNAP_DISTANCE`] of it; a flow with an end
//!   that cannot be attached is dropped with a warning (with its threats), because a Threatboard flow
//!   always joins two elements and a placeholder element would invent architecture.
//! - trust-boundary-box → boundary whose members are the elements whose centre lies inside it; boxes
//!   inside boxes nest. trust-boundary-curve → boundary whose members are the elements on its
//!   enclosed side (see [`super::sides`]), nested where that is consistent with the boxes; a curve
//!   that separates nothing, or cuts across boxes, is kept as an empty boundary with a warning.
//! - text blocks → the notes of the element (or box) they sit on, else the document's description.
//! - threats → threats on their element or flow. STRIDE types map to their category; types from other
//!   methodologies (LINDDUN, CIA, DIE, `PLOT4ai`, …) become category `other` with the original kept in
//!   `classification` as `LINDDUN: Linkability`. `score` → `cvss`, `number` → id `T<number>`.

use std::collections::{BTreeMap, BTreeSet};

use super::Warning;
use super::cells::{Cell, Diagram, End, Model, RawThreat, Shape};
use super::sides;
use crate::model::geometry::{Rect, element_size, round_position};
use crate::model::protocol::lookup;
use crate::model::{Boundary, Category, Document, Element, Flow, Id, Point, Severity, Status, Threat};

/// A free flow end this close to an element's outline (canvas units) is attached to it.
pub(crate) const SNAP_DISTANCE: f64 = 30.0;
/// Prefix of the notes line that keeps Threat Dragon's own flags.
pub(crate) const FLAGS_PREFIX: &str = "Threat Dragon: ";
/// Heading of the references block in an exported threat description.
pub(crate) const REFERENCES_HEADING: &str = "References:";

/// Builds the document for one diagram (or an empty one for a model without diagrams).
pub(crate) fn to_document(model: &Model, diagram: Option<&Diagram>, warnings: &mut Vec<Warning>) -> Document {
    let mut doc = Document { title: model.title.trim().to_owned(), ..Document::default() };
    let mut description = vec![model.description.trim().to_owned()];
    let Some(diagram) = diagram else {
        warnings.push(Warning {
            line: None,
            context: String::new(),
            message: "the model has no diagrams; imported as an empty document".into(),
        });
        description.push(model.people.clone());
        doc.description = join_paragraphs(&description);
        return doc;
    };
    warnings.extend(diagram.warnings.iter().cloned());
    let title = diagram.title.trim();
    if doc.title.is_empty() {
        title.clone_into(&mut doc.title);
    } else if !title.is_empty() && title != doc.title {
        doc.title = format!("{} — {title}", doc.title);
    }
    description.push(diagram.description.trim().to_owned());
    let mut b = Builder { diagram, warnings, taken: BTreeSet::new(), doc };
    let texts = b.build();
    description.extend(texts);
    description.push(model.people.clone());
    let mut doc = b.doc;
    doc.description = join_paragraphs(&description);
    doc
}

fn join_paragraphs(parts: &[String]) -> String {
    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n")
}

struct Builder<'a> {
    diagram: &'a Diagram,
    warnings: &'a mut Vec<Warning>,
    taken: BTreeSet<String>,
    doc: Document,
}

/// A boundary being built, before ids are final.
struct Zone {
    id: Id,
    parent: Option<usize>,
    rect: Option<Rect>,
}

impl Builder<'_> {
    fn warn(&mut self, cell: &Cell, message: impl Into<String>) {
        self.warnings.push(Warning {
            line: Some(cell.line),
            context: format!("{}, {}", self.diagram.describe(), cell.describe()),
            message: message.into(),
        });
    }

    fn id_for(&mut self, cell: &Cell, fallback: &str, base: Option<&str>) -> Id {
        if let Some(id) = cell.tb_id.as_deref().and_then(|s| Id::new(s).ok())
            && !self.taken.contains(id.as_str())
        {
            self.taken.insert(id.to_string());
            return id;
        }
        let base = Id::slug(base.unwrap_or(&cell.name), fallback);
        let id = Id::unique(&base, |s| self.taken.contains(s));
        self.taken.insert(id.to_string());
        id
    }

    /// Fills the document; returns the text blocks that belong to the document's description.
    #[allow(clippy::too_many_lines)] // the steps share the element and boundary tables they build
    fn build(&mut self) -> Vec<String> {
        let cells = &self.diagram.cells;
        // Elements, with their drawn rectangles (missing ones placed in a row below the drawing).
        let mut element_of: BTreeMap<&str, usize> = BTreeMap::new();
        let mut rects: Vec<Rect> = Vec::new();
        let mut missing = Vec::new();
        for cell in cells {
            let Shape::Element { kind, rect } = &cell.shape else { continue };
            let id = self.id_for(cell, kind.as_str(), None);
            // Rounded as Threatboard files store positions, so that a saved import reads back equal.
            let at = rect.map_or(Point::new(0.0, 0.0), |r| {
                let c = r.centre();
                Point::new(round_position(c.x), round_position(c.y))
            });
            if rect.is_none() {
                missing.push(self.doc.elements.len());
                self.warn(cell, "no usable position or size; placed below the drawing");
            }
            element_of.insert(cell.td_id.as_str(), self.doc.elements.len());
            rects.push(rect.unwrap_or_else(|| Rect::centred(at, element_size(*kind, &cell.name))));
            self.doc.elements.push(Element {
                id,
                kind: *kind,
                label: cell.name.trim().to_owned(),
                boundary: None,
                at,
                out_of_scope: cell.out_of_scope,
                out_of_scope_reason: cell.reason_out_of_scope.trim().to_owned(),
                notes: notes(&cell.description, &cell.flags),
            });
        }
        if !missing.is_empty() {
            let placed: Vec<Rect> =
                rects.iter().enumerate().filter(|(i, _)| !missing.contains(i)).map(|(_, r)| *r).collect();
            let x0 = placed.iter().map(|r| r.min_x).fold(0.0f64, f64::min);
            let y = placed.iter().map(|r| r.max_y).reduce(f64::max).map_or(0.0, |y| y + 120.0);
            for (n, &i) in missing.iter().enumerate() {
                let e = &mut self.doc.elements[i];
                e.at = Point::new(x0 + 90.0 + 200.0 * n as f64, y);
                rects[i] = Rect::centred(e.at, element_size(e.kind, &e.label));
            }
        }

        // Boxes, then curves.
        let mut zones: Vec<Zone> = Vec::new();
        let mut zone_cell: Vec<&Cell> = Vec::new();
        let mut member: Vec<Option<usize>> = vec![None; self.doc.elements.len()];
        for cell in cells {
            let Shape::Box { rect } = &cell.shape else { continue };
            let id = self.id_for(cell, "boundary", None);
            if rect.is_none() {
                self.warn(cell, "no usable position or size; kept as a boundary without members");
            }
            zones.push(Zone { id, parent: None, rect: *rect });
            zone_cell.push(cell);
        }
        let area = |r: &Rect| r.width() * r.height();
        let boxes: Vec<(usize, Rect)> = zones.iter().enumerate().filter_map(|(i, z)| z.rect.map(|r| (i, r))).collect();
        // The smallest box holding a point; ties go to the later box, drawn above.
        let innermost = |p: Point, bigger_than: Option<(f64, usize)>| -> Option<usize> {
            boxes
                .iter()
                .filter(|(i, r)| {
                    r.contains(p) && bigger_than.is_none_or(|(a, j)| area(r).total_cmp(&a).then(j.cmp(i)).is_gt())
                })
                .min_by(|(i, a), (j, b)| area(a).total_cmp(&area(b)).then(j.cmp(i)))
                .map(|(i, _)| *i)
        };
        for &(i, r) in &boxes {
            zones[i].parent = innermost(r.centre(), Some((area(&r), i)));
            if let Some(p) = zones[i].parent
                && let Some(pr) = zones[p].rect
                && !pr.contains_rect(&r)
            {
                let (outer, label) = (zones[p].id.clone(), zone_cell[i].describe());
                self.warn(zone_cell[i], format!("overlaps boundary {outer} only partly; {label} is nested in it"));
            }
        }
        for (e, element) in self.doc.elements.iter().enumerate() {
            member[e] = innermost(element.at, None);
        }
        let curve_cells: Vec<&Cell> = cells.iter().filter(|c| matches!(c.shape, Shape::Curve(_))).collect();
        if !curve_cells.is_empty() {
            self.curves(&curve_cells, &rects, &mut zones, &mut zone_cell, &mut member);
        }
        for (i, cell) in zone_cell.iter().enumerate() {
            let has_members = member.contains(&Some(i)) || zones.iter().any(|z| z.parent == Some(i));
            if !has_members && matches!(cell.shape, Shape::Box { .. }) && zones[i].rect.is_some() {
                self.warn(cell, "contains no elements; kept as an empty boundary");
            }
        }

        // Text blocks.
        let mut document_texts = Vec::new();
        let mut zone_notes: Vec<String> = zone_cell.iter().map(|c| notes(&c.description, &[])).collect();
        for cell in cells {
            let Shape::Text { rect } = &cell.shape else { continue };
            let text = cell.name.trim().to_owned();
            if text.is_empty() {
                continue;
            }
            let centre = rect.map(|r| r.centre());
            let on_element = centre.and_then(|c| rects.iter().position(|r| r.contains(c)));
            if let Some(e) = on_element {
                // Before the flags line, which stays last so that the exporter finds it.
                let (mut head, flags) = split_flags(&self.doc.elements[e].notes);
                append(&mut head, &text);
                self.doc.elements[e].notes = notes(&head, &flags);
            } else if let Some(z) = centre.and_then(|c| innermost(c, None)) {
                append(&mut zone_notes[z], &text);
            } else {
                document_texts.push(text);
            }
        }

        // Boundaries, each followed by those nested in it, in drawing order otherwise.
        let mut order: Vec<usize> = Vec::new();
        let mut stack: Vec<usize> = (0..zones.len()).filter(|&i| zones[i].parent.is_none()).rev().collect();
        while let Some(i) = stack.pop() {
            if order.contains(&i) {
                continue;
            }
            order.push(i);
            stack.extend((0..zones.len()).filter(|&k| zones[k].parent == Some(i)).rev());
        }
        // Anything left is on a parent cycle, which nesting by area cannot make; keep it flat.
        for (i, zone) in zones.iter_mut().enumerate() {
            if !order.contains(&i) {
                zone.parent = None;
                order.push(i);
            }
        }
        // Boxes nested deeper than a document may hold start again at the top level.
        let mut level = vec![0usize; zones.len()];
        for &i in &order {
            level[i] = zones[i].parent.map_or(1, |p| level[p] + 1);
            if level[i] > crate::model::MAX_BOUNDARY_DEPTH {
                zones[i].parent = None;
                level[i] = 1;
                let max = crate::model::MAX_BOUNDARY_DEPTH;
                self.warn(zone_cell[i], format!("nested more than {max} boundaries deep; kept at the top level"));
            }
        }
        for &i in &order {
            self.doc.boundaries.push(Boundary {
                id: zones[i].id.clone(),
                label: zone_cell[i].name.trim().to_owned(),
                parent: zones[i].parent.map(|p| zones[p].id.clone()),
                notes: zone_notes[i].clone(),
            });
        }
        for (e, m) in member.iter().enumerate() {
            self.doc.elements[e].boundary = m.map(|z| zones[z].id.clone());
        }
        for (i, cell) in zone_cell.iter().enumerate() {
            if !cell.threats.is_empty() {
                let (n, id) = (cell.threats.len(), zones[i].id.clone());
                self.warn(cell, format!("{n} threat(s) on a trust boundary dropped: Threatboard puts threats on elements and flows (boundary {id})"));
            }
        }

        let flow_of = self.flows(&element_of, &rects);
        self.threats(&element_of, &flow_of);
        document_texts
    }

    /// Turns curves into boundaries, nesting each where its members allow.
    fn curves<'c>(
        &mut self,
        curve_cells: &[&'c Cell],
        rects: &[Rect],
        zones: &mut Vec<Zone>,
        zone_cell: &mut Vec<&'c Cell>,
        member: &mut [Option<usize>],
    ) {
        let element_centre = |id: &str| -> Option<Point> {
            self.diagram.cells.iter().find(|c| c.td_id == id).and_then(|c| match &c.shape {
                Shape::Element { rect: Some(r), .. } | Shape::Box { rect: Some(r) } | Shape::Text { rect: Some(r) } => {
                    Some(r.centre())
                }
                _ => None,
            })
        };
        let polylines: Vec<Vec<Point>> = curve_cells
            .iter()
            .map(|c| {
                let Shape::Curve(line) = &c.shape else { return Vec::new() };
                let end = |e: &End| match e {
                    End::Point(p) => Some(*p),
                    End::Cell(id) => element_centre(id),
                    End::Missing => None,
                };
                end(&line.source).into_iter().chain(line.vertices.iter().copied()).chain(end(&line.target)).collect()
            })
            .collect();
        let mut extent: Option<Rect> = None;
        let mut grow = |r: Rect| extent = Some(extent.map_or(r, |e| e.union(&r)));
        for r in rects {
            grow(*r);
        }
        zones.iter().filter_map(|z| z.rect).for_each(&mut grow);
        for p in polylines.iter().flatten() {
            grow(Rect { min_x: p.x, min_y: p.y, max_x: p.x, max_y: p.y });
        }
        let Some(extent) = extent else { return };
        let centres: Vec<Point> = self.doc.elements.iter().map(|e| e.at).collect();
        let results = sides::separate(&polylines, &centres, extent);
        // Larger curves first, so that curves inside curves nest.
        let mut order: Vec<usize> = (0..curve_cells.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(results[i].as_ref().map_or(0, |s| s.inside.len())));
        for &i in &order {
            let cell = curve_cells[i];
            let id = self.id_for(cell, "boundary", None);
            let z = zones.len();
            zones.push(Zone { id, parent: None, rect: None });
            zone_cell.push(cell);
            match &results[i] {
                Err(why) => self.warn(cell, format!("kept as a boundary without members: {why}")),
                Ok(sep) => {
                    let placed = nest(z, &sep.inside, zones, member) || nest(z, &sep.outside, zones, member);
                    if !placed {
                        self.warn(
                            cell,
                            "kept as a boundary without members: the elements on either side of it belong to different boxes",
                        );
                    }
                }
            }
        }
    }

    /// Adds the flows; returns the position of each kept flow by its cell's Threat Dragon id.
    fn flows(&mut self, element_of: &BTreeMap<&str, usize>, rects: &[Rect]) -> BTreeMap<String, usize> {
        let mut flow_of = BTreeMap::new();
        for cell in &self.diagram.cells {
            let Shape::Flow(line) = &cell.shape else { continue };
            let mut ends = [None, None];
            let mut problem = None;
            for (k, (end, which)) in [(&line.source, "source"), (&line.target, "target")].into_iter().enumerate() {
                match end {
                    End::Cell(id) => {
                        if let Some(&e) = element_of.get(id.as_str()) {
                            ends[k] = Some(e);
                        } else {
                            let what = self
                                .diagram
                                .cells
                                .iter()
                                .find(|c| &c.td_id == id)
                                .map_or_else(|| "no cell in this diagram".to_owned(), Cell::describe);
                            problem = Some(format!("its {which} is cell {id}, which is {what}, not an element"));
                        }
                    }
                    End::Point(p) => match nearest(*p, rects) {
                        Some((e, d)) => {
                            ends[k] = Some(e);
                            let label = self.doc.elements[e].id.clone();
                            self.warn(
                                cell,
                                format!(
                                    "its {which} is a free point ({}, {}); attached to {label}, {d:.0} units away",
                                    p.x, p.y
                                ),
                            );
                        }
                        None => {
                            problem = Some(format!(
                                "its {which} is a free point ({}, {}) with no element within {SNAP_DISTANCE} units",
                                p.x, p.y
                            ));
                        }
                    },
                    End::Missing => problem = Some(format!("it has no {which}")),
                }
            }
            let (Some(from), Some(to), None) = (ends[0], ends[1], &problem) else {
                let lost = match cell.threats.len() {
                    0 => String::new(),
                    n => format!(", with its {n} threat(s)"),
                };
                let why = problem.unwrap_or_default();
                self.warn(cell, format!("dropped{lost}: {why}"));
                continue;
            };
            let (from_id, to_id) = (self.doc.elements[from].id.clone(), self.doc.elements[to].id.clone());
            let base = format!("{from_id}-to-{to_id}");
            let id = self.id_for(cell, "flow", Some(&base));
            let protocol = line.protocol.trim().to_owned();
            // The encrypted flag has its own field on flows.
            let flow_flags: Vec<String> = cell.flags.iter().filter(|f| *f != "isEncrypted").cloned().collect();
            let catalogue_encrypted = lookup(&protocol).map(|p| p.encrypted);
            let encrypted = match line.encrypted {
                Some(true) if catalogue_encrypted != Some(true) => Some(true),
                _ => None,
            };
            flow_of.entry(cell.td_id.clone()).or_insert(self.doc.flows.len());
            self.doc.flows.push(Flow {
                id,
                from: from_id,
                to: to_id,
                label: cell.name.trim().to_owned(),
                protocol,
                encrypted,
                bidirectional: line.bidirectional,
                out_of_scope: cell.out_of_scope,
                out_of_scope_reason: cell.reason_out_of_scope.trim().to_owned(),
                notes: notes(&cell.description, &flow_flags),
            });
        }
        flow_of
    }

    fn threats(&mut self, element_of: &BTreeMap<&str, usize>, flow_of: &BTreeMap<String, usize>) {
        // Ids: Threatboard's own when it wrote the file, then T<number>, then the next free T<n>.
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut pending = Vec::new();
        for cell in &self.diagram.cells {
            let target = match (&cell.shape, element_of.get(cell.td_id.as_str()), flow_of.get(cell.td_id.as_str())) {
                (Shape::Element { .. }, Some(&e), _) => self.doc.elements[e].id.clone(),
                (Shape::Flow(_), _, Some(&f)) => self.doc.flows[f].id.clone(),
                _ => continue,
            };
            for t in &cell.threats {
                pending.push((cell, target.clone(), t));
            }
        }
        // Threat Dragon groups threats by cell; its numbers give the order they were recorded in.
        if pending.iter().all(|(_, _, t)| t.number.is_some()) {
            pending.sort_by_key(|(_, _, t)| t.number);
        }
        let mut ids: Vec<Option<Id>> = vec![None; pending.len()];
        for (k, (_, _, t)) in pending.iter().enumerate() {
            if let Some(id) = t.tb_id.as_deref().and_then(|s| Id::new(s).ok())
                && taken.insert(id.to_string())
            {
                ids[k] = Some(id);
            }
        }
        for (k, (_, _, t)) in pending.iter().enumerate() {
            if ids[k].is_none()
                && let Some(n) = t.number.filter(|n| *n > 0)
                && let Ok(id) = Id::new(format!("T{n}"))
                && taken.insert(id.to_string())
            {
                ids[k] = Some(id);
            }
        }
        let mut next = 1u64;
        for (k, (cell, target, t)) in pending.into_iter().enumerate() {
            let id = match ids[k].take() {
                Some(id) => id,
                None => loop {
                    let candidate = format!("T{next}");
                    next += 1;
                    if taken.insert(candidate.clone())
                        && let Ok(id) = Id::new(candidate)
                    {
                        break id;
                    }
                },
            };
            let threat = self.threat(cell, id, target, t);
            self.doc.threats.push(threat);
        }
    }

    fn threat(&mut self, cell: &Cell, id: Id, target: Id, t: &RawThreat) -> Threat {
        let (category, classification) = category(t, &self.diagram.kind);
        if category == Category::Other && classification.is_empty() {
            self.warn(cell, format!("threat {:?} has no type; recorded as category other", t.title));
        }
        let severity = Severity::parse(&t.severity).unwrap_or_else(|| {
            self.warn(
                cell,
                format!(
                    "threat {:?} has severity {:?}, which Threatboard does not have; set to medium",
                    t.title, t.severity
                ),
            );
            Severity::Medium
        });
        let status = match t.status.trim().to_ascii_lowercase().as_str() {
            "avoided" | "eliminated" => {
                self.warn(cell, format!("threat {:?} has status {:?}; recorded as mitigated", t.title, t.status));
                Status::Mitigated
            }
            s => Status::parse(s).unwrap_or_else(|| {
                self.warn(
                    cell,
                    format!("threat {:?} has the unknown status {:?}; recorded as open", t.title, t.status),
                );
                Status::Open
            }),
        };
        let mut title = t.title.trim().to_owned();
        if title.is_empty() {
            title = if t.kind.trim().is_empty() { "Untitled threat".to_owned() } else { t.kind.trim().to_owned() };
            self.warn(cell, format!("a threat has no title; titled {title:?}"));
        }
        let (description, references) = split_references(&t.description);
        Threat {
            id,
            target,
            category,
            classification,
            title,
            description,
            severity,
            cvss: t.score.trim().to_owned(),
            status,
            mitigation: t.mitigation.trim().to_owned(),
            references,
            rule: String::new(),
        }
    }
}

/// Adds `members` to the new boundary `z` if they form whole subtrees under one parent: the
/// elements directly in that parent, plus every element of each child boundary it takes in.
fn nest(z: usize, members: &[usize], zones: &mut [Zone], member: &mut [Option<usize>]) -> bool {
    if members.is_empty() {
        return false;
    }
    let chain = |mut b: Option<usize>| {
        let mut out = Vec::new();
        while let Some(i) = b {
            if out.contains(&i) || out.len() > zones.len() {
                break;
            }
            out.push(i);
            b = zones[i].parent;
        }
        out.reverse();
        out
    };
    let chains: Vec<Vec<usize>> = members.iter().map(|&e| chain(member[e])).collect();
    let mut lca: Vec<usize> = chains[0].clone();
    for c in &chains[1..] {
        let common = lca.iter().zip(c).take_while(|(a, b)| a == b).count();
        lca.truncate(common);
    }
    let parent = lca.last().copied();
    let depth = lca.len();
    let mut children: BTreeSet<usize> = BTreeSet::new();
    let mut direct = Vec::new();
    for (k, c) in chains.iter().enumerate() {
        match c.get(depth) {
            Some(&child) => {
                children.insert(child);
            }
            None => direct.push(members[k]),
        }
    }
    let all: Vec<Vec<usize>> = (0..member.len()).map(|e| chain(member[e])).collect();
    for &child in &children {
        let whole = (0..member.len()).filter(|&e| all[e].contains(&child)).all(|e| members.contains(&e));
        if !whole {
            return false;
        }
    }
    zones[z].parent = parent;
    for e in direct {
        member[e] = Some(z);
    }
    for child in children {
        zones[child].parent = Some(z);
    }
    true
}

/// The element whose outline is nearest to `p`, if within [`SNAP_DISTANCE`].
fn nearest(p: Point, rects: &[Rect]) -> Option<(usize, f64)> {
    rects
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let dx = (r.min_x - p.x).max(0.0).max(p.x - r.max_x);
            let dy = (r.min_y - p.y).max(0.0).max(p.y - r.max_y);
            (i, dx.hypot(dy))
        })
        .filter(|(_, d)| *d <= SNAP_DISTANCE)
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
}

/// Notes from a description and the Threat Dragon flags.
fn notes(description: &str, flags: &[String]) -> String {
    let mut out = description.trim().to_owned();
    if !flags.is_empty() {
        append(&mut out, &format!("{FLAGS_PREFIX}{}", flags.join(", ")));
    }
    out
}

fn append(notes: &mut String, text: &str) {
    if !notes.is_empty() {
        notes.push_str("\n\n");
    }
    notes.push_str(text);
}

/// The STRIDE category of a threat, or `other` with the methodology's own type.
pub(crate) fn category(t: &RawThreat, diagram_kind: &str) -> (Category, String) {
    let model = if t.model_type.trim().is_empty() { diagram_kind.trim() } else { t.model_type.trim() };
    let kind = t.kind.trim();
    let stride_like = model.is_empty() || model.eq_ignore_ascii_case("STRIDE") || model.eq_ignore_ascii_case("Generic");
    if stride_like && let Some(c) = Category::parse(kind) {
        return (c, String::new());
    }
    if kind.is_empty() {
        return (Category::Other, String::new());
    }
    let model = if model.is_empty() { "STRIDE" } else { model };
    (Category::Other, format!("{model}: {kind}"))
}

/// Splits a trailing `References:` block of `- link` lines off a description.
pub(crate) fn split_references(description: &str) -> (String, Vec<String>) {
    let text = description.trim();
    if let Some(i) = text.rfind(REFERENCES_HEADING) {
        let (head, tail) = text.split_at(i);
        let lines: Vec<&str> =
            tail[REFERENCES_HEADING.len()..].lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let at_paragraph_start = head.is_empty() || head.ends_with("\n\n");
        if at_paragraph_start && !lines.is_empty() && lines.iter().all(|l| l.starts_with("- ")) {
            let refs = lines.iter().map(|l| l[2..].trim().to_owned()).collect();
            return (head.trim().to_owned(), refs);
        }
    }
    (text.to_owned(), Vec::new())
}

/// The Threat Dragon flags kept on a notes line, and the notes without it.
pub(crate) fn split_flags(notes: &str) -> (String, Vec<String>) {
    let text = notes.trim_end();
    let (head, last) = match text.rfind('\n') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => ("", text),
    };
    match last.strip_prefix(FLAGS_PREFIX) {
        Some(flags) => (
            head.trim_end().to_owned(),
            flags.split(", ").map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()).collect(),
        ),
        None => (text.to_owned(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stride_types_map_and_others_are_kept() {
        let t =
            |kind: &str, model: &str| RawThreat { kind: kind.into(), model_type: model.into(), ..RawThreat::default() };
        assert_eq!(
            category(&t("Information disclosure", "STRIDE"), ""),
            (Category::InformationDisclosure, String::new())
        );
        assert_eq!(category(&t("Spoofing", ""), "Generic"), (Category::Spoofing, String::new()));
        assert_eq!(category(&t("Linkability", "LINDDUN"), "LINDDUN"), (Category::Other, "LINDDUN: Linkability".into()));
        assert_eq!(category(&t("Integrity", "CIA"), "STRIDE"), (Category::Other, "CIA: Integrity".into()));
        assert_eq!(category(&t("Distributed", ""), "DIE"), (Category::Other, "DIE: Distributed".into()));
    }

    #[test]
    fn references_and_flags_round_trip_through_text() {
        let (d, r) = split_references("What happens.\n\nReferences:\n- https://a\n- https://b");
        assert_eq!((d.as_str(), r), ("What happens.", vec!["https://a".to_owned(), "https://b".to_owned()]));
        assert_eq!(split_references("See References: below").1, Vec::<String>::new());
        let n = notes("A store.", &["storesCredentials".into(), "isALog".into()]);
        assert_eq!(split_flags(&n), ("A store.".to_owned(), vec!["storesCredentials".to_owned(), "isALog".to_owned()]));
        assert_eq!(split_flags("plain"), ("plain".to_owned(), vec![]));
    }
}
