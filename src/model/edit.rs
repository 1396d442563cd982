//! Edits: every change the editor, the command line or an importer makes to a document, and the one
//! function, [`Document::apply`], that checks and applies them.

use std::collections::HashSet;

use super::document::{Boundary, Decomposition, Direction, Dismissal, Document, Element, Flow, Point, Threat};
use super::geometry::round_position;
use super::id::Id;
use super::index::Index;
use super::validate::coordinate_in_range;

/// A change to a document. Applied with [`Document::apply`]; undone through [`super::History`].
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Adds a boundary.
    AddBoundary(Boundary),
    /// Adds an element.
    AddElement(Element),
    /// Adds a flow.
    AddFlow(Flow),
    /// Adds a threat.
    AddThreat(Threat),
    /// Replaces the boundary with the same id (label, parent, notes).
    UpdateBoundary(Boundary),
    /// Replaces the element with the same id (any property, position and boundary included).
    UpdateElement(Element),
    /// Replaces the flow with the same id (any property, its ends included).
    UpdateFlow(Flow),
    /// Replaces the threat with the same id (any property, its target included).
    UpdateThreat(Threat),
    /// Puts elements into a boundary, or nests boundaries in it; `None` takes them out of every boundary.
    SetBoundary {
        /// Elements and boundaries to move.
        ids: Vec<Id>,
        /// The new container.
        boundary: Option<Id>,
    },
    /// Moves elements by a delta; a boundary id moves every element inside it.
    Move {
        /// Elements and boundaries to move.
        ids: Vec<Id>,
        /// Horizontal change in canvas units.
        dx: f64,
        /// Vertical change in canvas units.
        dy: f64,
    },
    /// Changes a boundary's, element's or flow's id; every reference to it follows.
    Rename {
        /// The current id.
        from: Id,
        /// The new id.
        to: Id,
    },
    /// Changes a threat's id.
    RenameThreat {
        /// The current id.
        from: Id,
        /// The new id.
        to: Id,
    },
    /// Deletes boundaries, elements and flows. An element takes its flows and every threat on them
    /// with it; a boundary's members (elements and nested boundaries) move to its parent.
    Remove {
        /// What to delete.
        ids: Vec<Id>,
    },
    /// Deletes threats.
    RemoveThreats {
        /// Threat ids.
        ids: Vec<Id>,
    },
    /// Sets the title, description and direction.
    SetMeta {
        /// New title.
        title: String,
        /// New description.
        description: String,
        /// New direction.
        direction: Direction,
    },
    /// Replaces the decomposition section.
    SetDecomposition(Decomposition),
    /// Records a dismissed suggestion (replacing an earlier dismissal of the same rule and target).
    Dismiss(Dismissal),
    /// Forgets a dismissal, so the rule may suggest it again.
    Undismiss {
        /// The rule's id.
        rule: String,
        /// The target it was dismissed for.
        target: Id,
    },
    /// Several edits applied together, all or none; one undo step named `label`.
    Batch {
        /// Name of the step ("Quick entry: agentk -grpcs-> nginx").
        label: String,
        /// The edits, in order.
        edits: Vec<Edit>,
    },
}

/// Why an edit was refused. The document is unchanged when `apply` returns one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    /// No boundary, element or flow (or threat, for threat edits) has this id.
    #[error("nothing has the id \"{0}\"")]
    NotFound(Id),
    /// The id is already in use.
    #[error("the id \"{0}\" is already used")]
    DuplicateId(Id),
    /// The id names something of another kind than the edit needs.
    #[error("\"{id}\" is not {expected}")]
    WrongKind {
        /// The id given.
        id: Id,
        /// What it should have named ("a boundary", "an element").
        expected: &'static str,
    },
    /// Nesting a boundary here would put it inside itself.
    #[error("boundary \"{0}\" cannot be nested inside itself or one of its own boundaries")]
    Cycle(Id),
    /// A position is not a finite number within range.
    #[error("position ({x}, {y}) is out of range")]
    BadPosition {
        /// Horizontal coordinate.
        x: f64,
        /// Vertical coordinate.
        y: f64,
    },
    /// A threat needs a title.
    #[error("threat \"{0}\" needs a title")]
    EmptyTitle(Id),
}

fn check_point(p: Point) -> Result<Point, EditError> {
    if coordinate_in_range(p.x) && coordinate_in_range(p.y) {
        Ok(Point::new(round_position(p.x), round_position(p.y)))
    } else {
        Err(EditError::BadPosition { x: p.x, y: p.y })
    }
}

impl Document {
    /// Checks `edit` against the document and applies it, or changes nothing and says why.
    pub fn apply(&mut self, edit: Edit) -> Result<(), EditError> {
        match edit {
            Edit::Batch { edits, .. } => {
                let mut next = self.clone();
                for e in edits {
                    next.apply(e)?;
                }
                *self = next;
                Ok(())
            }
            other => self.apply_one(other),
        }
    }

    #[allow(clippy::too_many_lines)] // one arm per kind of edit, each with its own checks
    fn apply_one(&mut self, edit: Edit) -> Result<(), EditError> {
        let ix = Index::new(self);
        match edit {
            Edit::AddBoundary(b) => {
                if ix.is_taken(b.id.as_str()) {
                    return Err(EditError::DuplicateId(b.id));
                }
                if let Some(p) = &b.parent {
                    need_boundary(&ix, p)?;
                }
                self.boundaries.push(b);
            }
            Edit::AddElement(mut e) => {
                if ix.is_taken(e.id.as_str()) {
                    return Err(EditError::DuplicateId(e.id));
                }
                if let Some(b) = &e.boundary {
                    need_boundary(&ix, b)?;
                }
                e.at = check_point(e.at)?;
                self.elements.push(e);
            }
            Edit::AddFlow(f) => {
                if ix.is_taken(f.id.as_str()) {
                    return Err(EditError::DuplicateId(f.id));
                }
                need_element(&ix, &f.from)?;
                need_element(&ix, &f.to)?;
                self.flows.push(f);
            }
            Edit::AddThreat(t) => {
                if self.threats.iter().any(|o| o.id == t.id) {
                    return Err(EditError::DuplicateId(t.id));
                }
                need_target(&ix, &t.target)?;
                if t.title.trim().is_empty() {
                    return Err(EditError::EmptyTitle(t.id));
                }
                self.threats.push(t);
            }
            Edit::UpdateBoundary(b) => {
                ix.boundary(b.id.as_str()).ok_or_else(|| not_found_as(&ix, &b.id, "a boundary"))?;
                if let Some(p) = &b.parent {
                    need_boundary(&ix, p)?;
                    if ix.boundary_ancestors(p.as_str()).iter().any(|a| a.id == b.id) {
                        return Err(EditError::Cycle(b.id));
                    }
                }
                if let Some(slot) = self.boundaries.iter_mut().find(|o| o.id == b.id) {
                    *slot = b;
                }
            }
            Edit::UpdateElement(mut e) => {
                ix.element(e.id.as_str()).ok_or_else(|| not_found_as(&ix, &e.id, "an element"))?;
                if let Some(b) = &e.boundary {
                    need_boundary(&ix, b)?;
                }
                e.at = check_point(e.at)?;
                if let Some(slot) = self.elements.iter_mut().find(|o| o.id == e.id) {
                    *slot = e;
                }
            }
            Edit::UpdateFlow(f) => {
                ix.flow(f.id.as_str()).ok_or_else(|| not_found_as(&ix, &f.id, "a flow"))?;
                need_element(&ix, &f.from)?;
                need_element(&ix, &f.to)?;
                if let Some(slot) = self.flows.iter_mut().find(|o| o.id == f.id) {
                    *slot = f;
                }
            }
            Edit::UpdateThreat(t) => {
                need_target(&ix, &t.target)?;
                if t.title.trim().is_empty() {
                    return Err(EditError::EmptyTitle(t.id));
                }
                let slot =
                    self.threats.iter_mut().find(|o| o.id == t.id).ok_or_else(|| EditError::NotFound(t.id.clone()))?;
                *slot = t;
            }
            Edit::SetBoundary { ids, boundary } => {
                if let Some(b) = &boundary {
                    need_boundary(&ix, b)?;
                }
                for id in &ids {
                    if ix.element(id.as_str()).is_some() {
                        continue;
                    }
                    ix.boundary(id.as_str()).ok_or_else(|| not_found_as(&ix, id, "an element or boundary"))?;
                    if let Some(b) = &boundary
                        && ix.boundary_ancestors(b.as_str()).iter().any(|a| a.id == *id)
                    {
                        return Err(EditError::Cycle(id.clone()));
                    }
                }
                let ids: HashSet<&Id> = ids.iter().collect();
                for e in self.elements.iter_mut().filter(|e| ids.contains(&e.id)) {
                    e.boundary.clone_from(&boundary);
                }
                for b in self.boundaries.iter_mut().filter(|b| ids.contains(&b.id)) {
                    b.parent.clone_from(&boundary);
                }
            }
            Edit::Move { ids, dx, dy } => {
                let moved = self.elements_under(&ix, &ids)?;
                if !dx.is_finite() || !dy.is_finite() {
                    return Err(EditError::BadPosition { x: dx, y: dy });
                }
                for &i in &moved {
                    let at = self.elements[i].at;
                    check_point(Point::new(at.x + dx, at.y + dy))?;
                }
                for i in moved {
                    let e = &mut self.elements[i];
                    e.at = Point::new(round_position(e.at.x + dx), round_position(e.at.y + dy));
                }
            }
            Edit::Rename { from, to } => {
                if from == to {
                    return Ok(());
                }
                if ix.item(from.as_str()).is_none() {
                    return Err(EditError::NotFound(from));
                }
                if ix.is_taken(to.as_str()) {
                    return Err(EditError::DuplicateId(to));
                }
                self.rename(&from, &to);
            }
            Edit::RenameThreat { from, to } => {
                if from == to {
                    return Ok(());
                }
                if self.threats.iter().any(|t| t.id == to) {
                    return Err(EditError::DuplicateId(to));
                }
                let t = self.threats.iter_mut().find(|t| t.id == from).ok_or(EditError::NotFound(from))?;
                t.id = to;
            }
            Edit::Remove { ids } => {
                for id in &ids {
                    if ix.item(id.as_str()).is_none() {
                        return Err(EditError::NotFound(id.clone()));
                    }
                }
                self.remove(&ids);
            }
            Edit::RemoveThreats { ids } => {
                for id in &ids {
                    if !self.threats.iter().any(|t| t.id == *id) {
                        return Err(EditError::NotFound(id.clone()));
                    }
                }
                let ids: HashSet<&Id> = ids.iter().collect();
                self.threats.retain(|t| !ids.contains(&t.id));
            }
            Edit::SetMeta { title, description, direction } => {
                self.title = title;
                self.description = description;
                self.direction = direction;
            }
            Edit::SetDecomposition(d) => self.decomposition = d,
            Edit::Dismiss(d) => {
                need_target(&ix, &d.target)?;
                if let Some(slot) = self.dismissed.iter_mut().find(|o| o.rule == d.rule && o.target == d.target) {
                    *slot = d;
                } else {
                    self.dismissed.push(d);
                }
            }
            Edit::Undismiss { rule, target } => {
                let before = self.dismissed.len();
                self.dismissed.retain(|d| !(d.rule == rule && d.target == target));
                if self.dismissed.len() == before {
                    return Err(EditError::NotFound(target));
                }
            }
            Edit::Batch { .. } => return self.apply(edit),
        }
        Ok(())
    }

    /// Positions in `elements` of the listed elements and of every element inside the listed boundaries.
    fn elements_under(&self, ix: &Index<'_>, ids: &[Id]) -> Result<Vec<usize>, EditError> {
        let mut boundaries: HashSet<&str> = HashSet::new();
        let mut picked: HashSet<usize> = HashSet::new();
        for id in ids {
            if let Some(i) = ix.element_position(id.as_str()) {
                picked.insert(i);
            } else if ix.boundary(id.as_str()).is_some() {
                boundaries.insert(id.as_str());
            } else {
                return Err(not_found_as(ix, id, "an element or boundary"));
            }
        }
        if !boundaries.is_empty() {
            for (i, e) in self.elements.iter().enumerate() {
                if ix.boundary_chain(e).iter().any(|b| boundaries.contains(b.id.as_str())) {
                    picked.insert(i);
                }
            }
        }
        let mut out: Vec<usize> = picked.into_iter().collect();
        out.sort_unstable();
        Ok(out)
    }

    fn rename(&mut self, from: &Id, to: &Id) {
        let swap = |id: &mut Id| {
            if id == from {
                id.clone_from(to);
            }
        };
        for b in &mut self.boundaries {
            swap(&mut b.id);
            if let Some(p) = &mut b.parent {
                swap(p);
            }
        }
        for e in &mut self.elements {
            swap(&mut e.id);
            if let Some(b) = &mut e.boundary {
                swap(b);
            }
        }
        for f in &mut self.flows {
            swap(&mut f.id);
            swap(&mut f.from);
            swap(&mut f.to);
        }
        for t in &mut self.threats {
            swap(&mut t.target);
        }
        for d in &mut self.dismissed {
            swap(&mut d.target);
        }
    }

    fn remove(&mut self, ids: &[Id]) {
        let gone: HashSet<&Id> = ids.iter().collect();
        // A removed boundary hands its members to the nearest surviving ancestor.
        let parent_of = |b: &Id, doc: &Document| -> Option<Id> {
            let mut at = doc.boundaries.iter().find(|x| x.id == *b).and_then(|x| x.parent.clone());
            let mut steps = 0;
            while let Some(p) = &at {
                if !gone.contains(p) || steps > doc.boundaries.len() {
                    break;
                }
                at = doc.boundaries.iter().find(|x| x.id == *p).and_then(|x| x.parent.clone());
                steps += 1;
            }
            at
        };
        let new_parent: Vec<(Id, Option<Id>)> = self
            .boundaries
            .iter()
            .filter(|b| gone.contains(&b.id))
            .map(|b| (b.id.clone(), parent_of(&b.id, self)))
            .collect();
        let heir = |b: &Id| new_parent.iter().find(|(id, _)| id == b).map(|(_, p)| p.clone());
        for e in &mut self.elements {
            if let Some(b) = &e.boundary
                && let Some(p) = heir(b)
            {
                e.boundary = p;
            }
        }
        for b in &mut self.boundaries {
            if let Some(p) = &b.parent
                && let Some(np) = heir(p)
            {
                b.parent = np;
            }
        }
        self.boundaries.retain(|b| !gone.contains(&b.id));
        self.elements.retain(|e| !gone.contains(&e.id));
        let live: HashSet<Id> = self.elements.iter().map(|e| e.id.clone()).collect();
        self.flows.retain(|f| !gone.contains(&f.id) && live.contains(&f.from) && live.contains(&f.to));
        let targets: HashSet<Id> = live.iter().cloned().chain(self.flows.iter().map(|f| f.id.clone())).collect();
        self.threats.retain(|t| targets.contains(&t.target));
        self.dismissed.retain(|d| targets.contains(&d.target));
    }
}

fn not_found_as(ix: &Index<'_>, id: &Id, expected: &'static str) -> EditError {
    if ix.item(id.as_str()).is_some() {
        EditError::WrongKind { id: id.clone(), expected }
    } else {
        EditError::NotFound(id.clone())
    }
}

fn need_boundary(ix: &Index<'_>, id: &Id) -> Result<(), EditError> {
    ix.boundary(id.as_str()).map(|_| ()).ok_or_else(|| not_found_as(ix, id, "a boundary"))
}

fn need_element(ix: &Index<'_>, id: &Id) -> Result<(), EditError> {
    ix.element(id.as_str()).map(|_| ()).ok_or_else(|| not_found_as(ix, id, "an element"))
}

fn need_target(ix: &Index<'_>, id: &Id) -> Result<(), EditError> {
    if ix.element(id.as_str()).is_some() || ix.flow(id.as_str()).is_some() {
        Ok(())
    } else {
        Err(not_found_as(ix, id, "an element or flow"))
    }
}

impl Edit {
    /// A short name for the undo history ("Delete kas", "Move 3 items").
    pub fn label(&self, doc: &Document) -> String {
        let ix = Index::new(doc);
        let name = |id: &Id| ix.item(id.as_str()).map_or_else(|| id.to_string(), |i| i.display_name().to_owned());
        let names = |ids: &[Id]| -> String {
            match ids {
                [one] => name(one),
                many => format!("{} items", many.len()),
            }
        };
        match self {
            Edit::AddBoundary(b) => format!("Add boundary {}", or_id(&b.label, &b.id)),
            Edit::AddElement(e) => format!("Add {} {}", e.kind.title(), or_id(&e.label, &e.id)),
            Edit::AddFlow(f) => format!("Connect {} → {}", name(&f.from), name(&f.to)),
            Edit::AddThreat(t) => format!("Add threat {}", t.id),
            Edit::UpdateBoundary(b) => format!("Edit boundary {}", or_id(&b.label, &b.id)),
            Edit::UpdateElement(e) => format!("Edit {}", name(&e.id)),
            Edit::UpdateFlow(f) => format!("Edit flow {}", name(&f.id)),
            Edit::UpdateThreat(t) => format!("Edit threat {}", t.id),
            Edit::SetBoundary { ids, boundary: Some(b) } => format!("Move {} into {}", names(ids), name(b)),
            Edit::SetBoundary { ids, boundary: None } => format!("Take {} out of its boundary", names(ids)),
            Edit::Move { ids, .. } => format!("Move {}", names(ids)),
            Edit::Rename { from, to } | Edit::RenameThreat { from, to } => format!("Rename {from} → {to}"),
            Edit::Remove { ids } => format!("Delete {}", names(ids)),
            Edit::RemoveThreats { ids } => match ids.as_slice() {
                [one] => format!("Delete threat {one}"),
                many => format!("Delete {} threats", many.len()),
            },
            Edit::SetMeta { .. } => "Edit title and description".into(),
            Edit::SetDecomposition(_) => "Edit decomposition".into(),
            Edit::Dismiss(d) => format!("Dismiss {} on {}", d.rule, name(&d.target)),
            Edit::Undismiss { rule, target } => format!("Restore {rule} on {}", name(target)),
            Edit::Batch { label, .. } => label.clone(),
        }
    }
}

fn or_id(label: &str, id: &Id) -> String {
    if label.is_empty() { id.to_string() } else { label.to_owned() }
}
