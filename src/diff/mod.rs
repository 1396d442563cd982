//! Structural comparison of two versions of a document: what was added, removed, renamed or changed,
//! and what that means for security.
//!
//! [`compare`] matches the boundaries, elements, flows and threats of two documents (by id, then by
//! similarity, so that a renamed item is reported as renamed rather than removed and added), records
//! every property that changed, and sums up the security-relevant changes first. The result, a
//! [`Diff`], is keyed by id so that an overlay can colour each drawn item by [`Diff::status_of`];
//! [`render_text`], [`render_markdown`] and serde JSON present it, and [`textconv`] gives one
//! document a stable text form for `git diff`. ARCHITECTURE.md ("Comparing versions") explains the
//! matching rules.

pub mod git;
mod matching;
pub mod overlay;
mod properties;
mod render;
mod security;
mod similarity;
mod textconv;

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Document, Encryption, Id, Point, Severity, Status};

pub use render::{SummaryEntry, render_markdown, render_text, summary_entries};
pub use textconv::textconv;

/// Elements that moved less than this distance, in canvas units, are not reported as moved: that is
/// a nudge of the layout, not a change. It is about the height of the smallest element.
pub const MOVE_THRESHOLD: f64 = 50.0;
/// Two labels at least this similar (Dice coefficient of their character pairs) make a rename.
pub const LABEL_SIMILARITY: f64 = 0.75;
/// Two neighbourhoods at least this similar (Jaccard index of their matched neighbours) make a rename.
pub const NEIGHBOURHOOD_SIMILARITY: f64 = 0.5;

/// Compares two versions of a document. Never fails; equal documents give an empty [`Diff`].
pub fn compare(old: &Document, new: &Document) -> Diff {
    let m = matching::Matching::new(old, new);
    let mut diff = Diff {
        old_title: old.title.clone(),
        new_title: new.title.clone(),
        document: properties::document(&m),
        boundaries: properties::boundaries(&m),
        elements: properties::elements(&m),
        flows: properties::flows(&m),
        threats: properties::threats(&m),
        ..Diff::default()
    };
    diff.summary = security::summary(&m);
    diff.reindex();
    diff
}

/// What happened to one item between the two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, under another id (and possibly with changed properties too).
    Renamed,
    /// In both under the same id, with at least one property changed.
    Changed,
}

impl ChangeStatus {
    /// The word used in reports (`added`, `removed`, `renamed`, `changed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Renamed => "renamed",
            Self::Changed => "changed",
        }
    }
}

/// The four kinds of item a document holds, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Trust boundaries.
    Boundary,
    /// External entities, processes and data stores.
    Element,
    /// Data flows.
    Flow,
    /// Threats.
    Threat,
}

impl Section {
    /// Every section, in report order.
    pub const ALL: [Self; 4] = [Self::Boundary, Self::Element, Self::Flow, Self::Threat];

    /// The heading used in reports ("Boundaries").
    pub fn title(self) -> &'static str {
        match self {
            Self::Boundary => "Boundaries",
            Self::Element => "Elements",
            Self::Flow => "Flows",
            Self::Threat => "Threats",
        }
    }

    /// Singular and plural nouns for counts ("element", "elements").
    pub fn noun(self, n: usize) -> &'static str {
        match (self, n) {
            (Self::Boundary, 1) => "boundary",
            (Self::Boundary, _) => "boundaries",
            (Self::Element, 1) => "element",
            (Self::Element, _) => "elements",
            (Self::Flow, 1) => "flow",
            (Self::Flow, _) => "flows",
            (Self::Threat, 1) => "threat",
            (Self::Threat, _) => "threats",
        }
    }
}

/// How an item of the old version was paired with one of the new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The same id.
    Id,
    /// Same kind, and mostly the same neighbours (flows for elements, members for boundaries).
    Neighbourhood,
    /// Same kind and a similar label (a similar title, for threats).
    Label,
    /// A flow between the same two elements, once renamed elements are paired.
    Endpoints,
    /// A flow that kept one end, its label and its protocol, and now goes to or comes from another element.
    Repointed,
}

impl MatchedBy {
    /// Why the two were paired, for reports ("matched by its neighbours").
    pub fn explain(self) -> &'static str {
        match self {
            Self::Id => "same id",
            Self::Neighbourhood => "matched by its neighbours",
            Self::Label => "matched by its label",
            Self::Endpoints => "matched by its endpoints",
            Self::Repointed => "re-pointed",
        }
    }
}

/// A changed property of an item, or of the document itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The document's title.
    Title,
    /// A document's or threat's description.
    Description,
    /// The document's layout direction.
    Direction,
    /// Decomposition: the use case.
    UseCase,
    /// Decomposition: entry points.
    EntryPoints,
    /// Decomposition: trust levels.
    TrustLevels,
    /// Decomposition: previous issues.
    PreviousIssues,
    /// Decomposition's or a threat's references.
    References,
    /// Dismissed rule suggestions.
    Dismissed,
    /// A boundary's, element's or flow's label.
    Label,
    /// A boundary's parent boundary.
    Parent,
    /// Free notes.
    Notes,
    /// An element's kind (process, store, external entity).
    Kind,
    /// The boundary an element sits in.
    Boundary,
    /// An element's position, when it moved further than [`MOVE_THRESHOLD`].
    Position,
    /// Whether an element or flow is out of scope.
    OutOfScope,
    /// Why it is out of scope.
    OutOfScopeReason,
    /// A flow's source element.
    From,
    /// A flow's target element.
    To,
    /// A flow's protocol.
    Protocol,
    /// A flow's explicit encryption override.
    Encrypted,
    /// Whether a flow goes both ways.
    Bidirectional,
    /// The flow or element a threat is about.
    Target,
    /// A threat's STRIDE category.
    Category,
    /// A threat's classification in another framework.
    Classification,
    /// A threat's severity.
    Severity,
    /// A threat's CVSS vector or score.
    Cvss,
    /// A threat's status.
    Status,
    /// A threat's mitigation.
    Mitigation,
    /// The rule a threat came from.
    Rule,
}

impl Field {
    /// The name used in reports ("out of scope").
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Description => "description",
            Self::Direction => "direction",
            Self::UseCase => "use case",
            Self::EntryPoints => "entry points",
            Self::TrustLevels => "trust levels",
            Self::PreviousIssues => "previous issues",
            Self::References => "references",
            Self::Dismissed => "dismissed suggestions",
            Self::Label => "label",
            Self::Parent => "parent",
            Self::Notes => "notes",
            Self::Kind => "kind",
            Self::Boundary => "boundary",
            Self::Position => "position",
            Self::OutOfScope => "out of scope",
            Self::OutOfScopeReason => "out-of-scope reason",
            Self::From => "from",
            Self::To => "to",
            Self::Protocol => "protocol",
            Self::Encrypted => "encrypted",
            Self::Bidirectional => "bidirectional",
            Self::Target => "target",
            Self::Category => "category",
            Self::Classification => "classification",
            Self::Severity => "severity",
            Self::Cvss => "CVSS",
            Self::Status => "status",
            Self::Mitigation => "mitigation",
            Self::Rule => "rule",
        }
    }
}

/// A reference to an item by id, with its display name in that version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ref {
    /// The id, in the version the reference is about.
    pub id: Id,
    /// The label, or the id when there is none; flows read `from → to: label`.
    pub name: String,
}

/// The value of a property on one side of a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// Not set (no boundary, no override, empty text).
    None,
    /// Text (a label, a protocol, a severity).
    Text(String),
    /// A flag.
    Bool(bool),
    /// Another item (a boundary, a flow's end, a threat's target).
    Ref(Ref),
    /// A position.
    Point {
        /// Horizontal.
        x: f64,
        /// Vertical.
        y: f64,
    },
    /// A list of entries, compared without regard to order.
    List(Vec<String>),
}

impl Value {
    pub(crate) fn text(s: &str) -> Self {
        if s.is_empty() { Self::None } else { Self::Text(s.to_owned()) }
    }

    pub(crate) fn point(p: Point) -> Self {
        Self::Point { x: p.x, y: p.y }
    }
}

/// One property that differs between the two versions of an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyChange {
    /// Which property.
    pub field: Field,
    /// Its value in the old version.
    pub old: Value,
    /// Its value in the new version.
    pub new: Value,
}

/// What happened to one boundary, element, flow or threat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Added, removed, renamed or changed.
    pub status: ChangeStatus,
    /// Its id in the new version; absent when it was removed. Overlays of the new diagram look it up here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_id: Option<Id>,
    /// Its id in the old version; absent when it was added. Ghosts of removed items are drawn from here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_id: Option<Id>,
    /// Display name: the new version's, or the old one's when removed. Flows read `from → to`.
    pub name: String,
    /// The old display name, when the item was renamed and it reads differently (for `old → new` labels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_name: Option<String>,
    /// A short description for the change list: "process in GitLab", "grpcs, bidirectional".
    #[serde(skip_serializing_if = "String::is_empty")]
    pub context: String,
    /// How the two versions were paired; absent for added and removed items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<MatchedBy>,
    /// Every changed property, in a fixed order; empty for added and removed items.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<PropertyChange>,
}

impl Change {
    /// The change of `field`, if that property changed.
    pub fn property(&self, field: Field) -> Option<&PropertyChange> {
        self.properties.iter().find(|p| p.field == field)
    }
}

/// A flow whose effective encryption differs (see [`crate::model::encryption`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EncryptionChange {
    /// The flow, in the new version.
    pub flow: Ref,
    /// Encryption in the old version.
    #[serde(serialize_with = "serialize_encryption")]
    pub old: Encryption,
    /// Encryption in the new version.
    #[serde(serialize_with = "serialize_encryption")]
    pub new: Encryption,
    /// Protocol in the old version.
    pub old_protocol: String,
    /// Protocol in the new version.
    pub new_protocol: String,
}

impl EncryptionChange {
    /// True when the flow was encrypted and no longer is (or is no longer known to be).
    pub fn lost(&self) -> bool {
        self.old == Encryption::Encrypted
    }

    /// True when the flow was not known to be encrypted and now is.
    pub fn gained(&self) -> bool {
        self.new == Encryption::Encrypted
    }
}

/// Boundaries that one flow started or stopped crossing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossingChange {
    /// The flow: in the new version for new crossings, in the old one for removed crossings.
    pub flow: Ref,
    /// The boundaries newly crossed or no longer crossed, in that same version.
    pub boundaries: Vec<Ref>,
    /// The whole flow was added (for new crossings) or removed (for removed ones).
    pub whole_flow: bool,
    /// The flow's protocol.
    pub protocol: String,
    /// The flow's encryption.
    #[serde(serialize_with = "serialize_encryption")]
    pub encryption: Encryption,
    /// The flow is out of scope.
    pub out_of_scope: bool,
}

/// A boundary-crossing flow whose source or target changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repoint {
    /// The flow, in the new version.
    pub flow: Ref,
    /// Which end changed: [`Field::From`] or [`Field::To`].
    pub end: Field,
    /// The element it went to or came from (old version).
    pub old: Ref,
    /// The element it goes to or comes from now.
    pub new: Ref,
    /// The boundaries it crosses now, innermost at the source first.
    pub crosses: Vec<Ref>,
}

/// An element that moved into another boundary, or a boundary nested elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoundaryMove {
    /// Element or boundary.
    pub section: Section,
    /// The item, in the new version.
    pub item: Ref,
    /// The boundary it was in (old version); none when it was outside every boundary.
    pub old: Option<Ref>,
    /// The boundary it is in now.
    pub new: Option<Ref>,
}

/// An element or flow that entered or left the scope of the review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeChange {
    /// Element or flow.
    pub section: Section,
    /// The item, in the new version.
    pub item: Ref,
    /// True when it is now in scope, false when it left it.
    pub in_scope: bool,
    /// Why it is out of scope now, if it is and a reason is given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// A threat that was opened, closed, or changed severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreatNote {
    /// The threat (new version, or old when it was removed); its name is its title.
    pub threat: Ref,
    /// The display name of what the threat is about.
    pub target: String,
    /// Severity before; none when the threat was added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_severity: Option<Severity>,
    /// Severity now; none when the threat was removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_severity: Option<Severity>,
    /// Status before; none when the threat was added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_status: Option<Status>,
    /// Status now; none when the threat was removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_status: Option<Status>,
}

/// The security-relevant changes, reported before everything else.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SecuritySummary {
    /// Flows that lost or gained encryption (or whose encryption became unknown).
    pub encryption: Vec<EncryptionChange>,
    /// Boundaries crossed that were not crossed before: by new flows, re-pointed flows, or because a
    /// boundary was added or an element moved.
    pub crossings_added: Vec<CrossingChange>,
    /// Boundaries no longer crossed.
    pub crossings_removed: Vec<CrossingChange>,
    /// Boundary-crossing flows that now come from or go to another element.
    pub repointed: Vec<Repoint>,
    /// Elements moved into another boundary, boundaries nested elsewhere.
    pub boundary_moves: Vec<BoundaryMove>,
    /// Elements and flows that entered or left the review's scope.
    pub scope: Vec<ScopeChange>,
    /// Threats added as open, or reopened.
    pub threats_opened: Vec<ThreatNote>,
    /// Open threats that were mitigated, accepted, transferred, found not applicable, or removed.
    pub threats_closed: Vec<ThreatNote>,
    /// Threats whose severity changed.
    pub severity: Vec<ThreatNote>,
}

impl SecuritySummary {
    /// True when there is nothing security-relevant to report.
    pub fn is_empty(&self) -> bool {
        self.encryption.is_empty()
            && self.crossings_added.is_empty()
            && self.crossings_removed.is_empty()
            && self.repointed.is_empty()
            && self.boundary_moves.is_empty()
            && self.scope.is_empty()
            && self.threats_opened.is_empty()
            && self.threats_closed.is_empty()
            && self.severity.is_empty()
    }
}

/// How many items of one section were added, removed, renamed and changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Added.
    pub added: usize,
    /// Removed.
    pub removed: usize,
    /// Renamed.
    pub renamed: usize,
    /// Changed.
    pub changed: usize,
}

impl Counts {
    /// All changes together.
    pub fn total(&self) -> usize {
        self.added + self.removed + self.renamed + self.changed
    }
}

/// The differences between two versions of a document.
///
/// Each section lists changed items in the new version's order, then removed ones in the old
/// version's order. Unchanged items are not listed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    /// The old version's title.
    pub old_title: String,
    /// The new version's title.
    pub new_title: String,
    /// The security-relevant changes.
    pub summary: SecuritySummary,
    /// Changes to the document itself: title, description, direction, decomposition, dismissals.
    pub document: Vec<PropertyChange>,
    /// Boundary changes.
    pub boundaries: Vec<Change>,
    /// Element changes.
    pub elements: Vec<Change>,
    /// Flow changes.
    pub flows: Vec<Change>,
    /// Threat changes. Threat ids are their own namespace.
    pub threats: Vec<Change>,
    #[serde(skip)]
    by_new: HashMap<Id, (Section, usize)>,
    #[serde(skip)]
    by_old: HashMap<Id, (Section, usize)>,
    #[serde(skip)]
    threats_by_new: HashMap<Id, usize>,
    #[serde(skip)]
    threats_by_old: HashMap<Id, usize>,
}

impl PartialEq for Diff {
    fn eq(&self, other: &Self) -> bool {
        self.old_title == other.old_title
            && self.new_title == other.new_title
            && self.summary == other.summary
            && self.document == other.document
            && self.boundaries == other.boundaries
            && self.elements == other.elements
            && self.flows == other.flows
            && self.threats == other.threats
    }
}

impl Diff {
    /// True when the two versions are the same for review purposes: no item or document property
    /// differs. Order of items, and moves shorter than [`MOVE_THRESHOLD`], do not count.
    pub fn is_empty(&self) -> bool {
        self.document.is_empty()
            && self.boundaries.is_empty()
            && self.elements.is_empty()
            && self.flows.is_empty()
            && self.threats.is_empty()
            && self.summary.is_empty()
    }

    /// The changes of one section.
    pub fn section(&self, section: Section) -> &[Change] {
        match section {
            Section::Boundary => &self.boundaries,
            Section::Element => &self.elements,
            Section::Flow => &self.flows,
            Section::Threat => &self.threats,
        }
    }

    /// Every change, section by section.
    pub fn changes(&self) -> impl Iterator<Item = (Section, &Change)> {
        Section::ALL.into_iter().flat_map(move |s| self.section(s).iter().map(move |c| (s, c)))
    }

    /// How many items of a section changed, by status.
    pub fn counts(&self, section: Section) -> Counts {
        let mut c = Counts::default();
        for change in self.section(section) {
            match change.status {
                ChangeStatus::Added => c.added += 1,
                ChangeStatus::Removed => c.removed += 1,
                ChangeStatus::Renamed => c.renamed += 1,
                ChangeStatus::Changed => c.changed += 1,
            }
        }
        c
    }

    /// The status of the boundary, element or flow that the new version calls `id`; for an id only the
    /// old version has, [`ChangeStatus::Removed`] if it was removed. `None` means unchanged (or unknown).
    pub fn status_of(&self, id: &str) -> Option<ChangeStatus> {
        self.change_of(id).map(|c| c.status)
    }

    /// The change record of the boundary, element or flow that the new version calls `id`, or of a
    /// removed one that the old version called `id`.
    pub fn change_of(&self, id: &str) -> Option<&Change> {
        if let Some(&(s, i)) = self.by_new.get(id) {
            return Some(&self.section(s)[i]);
        }
        self.by_old.get(id).map(|&(s, i)| &self.section(s)[i]).filter(|c| c.status == ChangeStatus::Removed)
    }

    /// The change record of the boundary, element or flow that the old version calls `id`.
    pub fn change_of_old(&self, id: &str) -> Option<&Change> {
        self.by_old.get(id).map(|&(s, i)| &self.section(s)[i])
    }

    /// The status of the threat the new version calls `id` (or a removed one the old version called so).
    pub fn threat_status_of(&self, id: &str) -> Option<ChangeStatus> {
        self.threat_change_of(id).map(|c| c.status)
    }

    /// The change record of the threat the new version calls `id` (or a removed one the old version called so).
    pub fn threat_change_of(&self, id: &str) -> Option<&Change> {
        if let Some(&i) = self.threats_by_new.get(id) {
            return Some(&self.threats[i]);
        }
        self.threats_by_old.get(id).map(|&i| &self.threats[i]).filter(|c| c.status == ChangeStatus::Removed)
    }

    /// Removed boundaries, elements and flows, for drawing them ghosted where they were.
    pub fn removed(&self) -> impl Iterator<Item = (Section, &Change)> {
        self.changes().filter(|(s, c)| *s != Section::Threat && c.status == ChangeStatus::Removed)
    }

    fn reindex(&mut self) {
        let mut by_new = HashMap::new();
        let mut by_old = HashMap::new();
        for section in [Section::Boundary, Section::Element, Section::Flow] {
            for (i, c) in self.section(section).iter().enumerate() {
                if let Some(id) = &c.new_id {
                    by_new.insert(id.clone(), (section, i));
                }
                if let Some(id) = &c.old_id {
                    by_old.insert(id.clone(), (section, i));
                }
            }
        }
        let mut threats_by_new = HashMap::new();
        let mut threats_by_old = HashMap::new();
        for (i, c) in self.threats.iter().enumerate() {
            if let Some(id) = &c.new_id {
                threats_by_new.insert(id.clone(), i);
            }
            if let Some(id) = &c.old_id {
                threats_by_old.insert(id.clone(), i);
            }
        }
        self.by_new = by_new;
        self.by_old = by_old;
        self.threats_by_new = threats_by_new;
        self.threats_by_old = threats_by_old;
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's serialize_with passes a reference
fn serialize_encryption<S: serde::Serializer>(e: &Encryption, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(e.as_str())
}
