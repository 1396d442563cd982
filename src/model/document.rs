//! The document: everything a reviewer made, and nothing else (no selection, zoom or widget state).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::id::Id;

/// The version of the file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A whole threat model: one data-flow diagram with its boundaries, flows and threats.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// The file-format version, always [`FORMAT_VERSION`] in memory; stored as `"threatboard": 1`.
    #[serde(rename = "threatboard")]
    pub format: FormatVersion,
    /// Short name of the system under review.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// What the system does and what the review covers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The main direction flows are drawn in.
    #[serde(default)]
    pub direction: Direction,
    /// The application-decomposition section of the review.
    #[serde(default, skip_serializing_if = "Decomposition::is_empty")]
    pub decomposition: Decomposition,
    /// Trust boundaries, outer ones before the boundaries nested in them where possible.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boundaries: Vec<Boundary>,
    /// External entities, processes and data stores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<Element>,
    /// Data flows between elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    /// Threats recorded against flows and elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<Threat>,
    /// Rule suggestions a reviewer dismissed, kept so they are not suggested again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dismissed: Vec<Dismissal>,
}

/// The `"threatboard"` version key. Reading a file written by a newer Threatboard fails with a
/// message that says so, instead of a confusing complaint about fields this version does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FormatVersion;

impl Serialize for FormatVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(FORMAT_VERSION)
    }
}

impl<'de> Deserialize<'de> for FormatVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u64::deserialize(d)?;
        match v {
            v if v == u64::from(FORMAT_VERSION) => Ok(FormatVersion),
            v if v > u64::from(FORMAT_VERSION) => Err(serde::de::Error::custom(format_args!(
                "this file uses format version {v}, which is newer than this Threatboard supports (version {FORMAT_VERSION}); update Threatboard to open it"
            ))),
            v => Err(serde::de::Error::custom(format_args!(
                "unknown format version {v}; this Threatboard reads version {FORMAT_VERSION}"
            ))),
        }
    }
}

impl JsonSchema for FormatVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FormatVersion".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Version of the Threatboard file format.",
            "const": FORMAT_VERSION,
        })
    }
}

/// Layout direction, as in Mermaid's `flowchart TB` / `LR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum Direction {
    /// Top to bottom (Mermaid's `TB` and `TD`).
    #[default]
    #[serde(alias = "TD")]
    TB,
    /// Bottom to top.
    BT,
    /// Left to right.
    LR,
    /// Right to left.
    RL,
}

impl Direction {
    /// The Mermaid keyword for this direction.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TB => "TB",
            Self::BT => "BT",
            Self::LR => "LR",
            Self::RL => "RL",
        }
    }

    /// Parses `TB`, `TD`, `BT`, `LR`, `RL` (any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "TB" | "TD" => Some(Self::TB),
            "BT" => Some(Self::BT),
            "LR" => Some(Self::LR),
            "RL" => Some(Self::RL),
            _ => None,
        }
    }
}

/// The "application decomposition" section of a threat-model review.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decomposition {
    /// What the system is for and how it is used.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub use_case: String,
    /// Interfaces through which an attacker can reach the system.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entry_points: Vec<String>,
    /// Who interacts with the system and with what rights.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust_levels: Vec<String>,
    /// Security issues found before, in earlier reviews or reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_issues: Vec<String>,
    /// Known references and best practices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

impl Decomposition {
    /// True when nothing has been filled in.
    pub fn is_empty(&self) -> bool {
        self.use_case.is_empty()
            && self.entry_points.is_empty()
            && self.trust_levels.is_empty()
            && self.previous_issues.is_empty()
            && self.references.is_empty()
    }
}

/// A trust boundary: the members inside it share a level of trust. Its rectangle is computed, never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Boundary {
    /// Unique id (shared namespace with elements and flows).
    pub id: Id,
    /// Name shown on the box.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The boundary this one is nested in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Id>,
    /// Free notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// What an element is, in DFD terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ElementKind {
    /// Someone or something outside the system's control (a user, another service).
    External,
    /// Code that runs and transforms data.
    Process,
    /// Where data rests: a database, a file, a queue.
    Store,
}

impl ElementKind {
    /// All kinds, in display order.
    pub const ALL: [Self; 3] = [Self::External, Self::Process, Self::Store];

    /// The file-format name (`external`, `process`, `store`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::External => "external",
            Self::Process => "process",
            Self::Store => "store",
        }
    }

    /// A readable name ("external entity", "process", "data store").
    pub fn title(self) -> &'static str {
        match self {
            Self::External => "external entity",
            Self::Process => "process",
            Self::Store => "data store",
        }
    }

    /// Parses a kind from its file name or a common synonym (`entity`, `actor`, `datastore`, `db`…).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "external" | "entity" | "external-entity" | "external_entity" | "actor" | "ext" => Some(Self::External),
            "process" | "proc" | "service" | "svc" => Some(Self::Process),
            "store" | "datastore" | "data-store" | "data_store" | "db" | "database" => Some(Self::Store),
            _ => None,
        }
    }
}

/// A point in canvas units (y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// Horizontal position.
    #[serde(serialize_with = "super::geometry::serialize_rounded")]
    pub x: f64,
    /// Vertical position.
    #[serde(serialize_with = "super::geometry::serialize_rounded")]
    pub y: f64,
}

impl Point {
    /// A point at `(x, y)`.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
}

/// An external entity, process or data store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Element {
    /// Unique id (shared namespace with boundaries and flows).
    pub id: Id,
    /// What the element is.
    pub kind: ElementKind,
    /// Name shown in the diagram.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The innermost trust boundary the element sits in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<Id>,
    /// Centre, in canvas units.
    pub at: Point,
    /// Drawn for context, but not part of what is reviewed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub out_of_scope: bool,
    /// Why it is out of scope.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub out_of_scope_reason: String,
    /// Free notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// A data flow from one element to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Unique id (shared namespace with boundaries and elements).
    pub id: Id,
    /// Source element.
    pub from: Id,
    /// Target element.
    pub to: Id,
    /// What flows (`GetAgentInfo`, "proxy pass port 5005").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Protocol name; known ones come from the protocol catalogue, any other text is allowed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// Overrides what the catalogue says about encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// Data goes both ways (e.g. a bidirectional stream).
    #[serde(default, skip_serializing_if = "is_false")]
    pub bidirectional: bool,
    /// Drawn dotted, for context only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub out_of_scope: bool,
    /// Why it is out of scope.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub out_of_scope_reason: String,
    /// Free notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

impl Flow {
    /// A flow from `from` to `to` with nothing else said: no label or protocol, one way, in scope.
    pub fn new(id: Id, from: Id, to: Id) -> Self {
        Self {
            id,
            from,
            to,
            label: String::new(),
            protocol: String::new(),
            encrypted: None,
            bidirectional: false,
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: String::new(),
        }
    }

    /// The label a drawing shows beside the protocol: empty when the label only repeats the
    /// protocol's name (`gRPC` over grpc, as imported diagrams often say it), which the protocol
    /// line already shows.
    pub fn shown_label(&self) -> &str {
        if !self.protocol.is_empty() && self.label.trim().eq_ignore_ascii_case(&self.protocol) {
            ""
        } else {
            &self.label
        }
    }
}

/// A threat category. The six STRIDE categories, plus `other` for threats imported from another
/// framework (LINDDUN, CIA, …) whose own type is kept in [`Threat::classification`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Pretending to be someone or something else.
    Spoofing,
    /// Changing data or code.
    #[default]
    Tampering,
    /// Denying having done something.
    Repudiation,
    /// Exposing information to someone not allowed to see it.
    InformationDisclosure,
    /// Making a service unavailable.
    DenialOfService,
    /// Gaining rights one should not have.
    ElevationOfPrivilege,
    /// Not a STRIDE category; see the threat's `classification`.
    Other,
}

impl Category {
    /// The six STRIDE categories in STRIDE order.
    pub const STRIDE: [Self; 6] = [
        Self::Spoofing,
        Self::Tampering,
        Self::Repudiation,
        Self::InformationDisclosure,
        Self::DenialOfService,
        Self::ElevationOfPrivilege,
    ];

    /// The file-format name (`information-disclosure`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spoofing => "spoofing",
            Self::Tampering => "tampering",
            Self::Repudiation => "repudiation",
            Self::InformationDisclosure => "information-disclosure",
            Self::DenialOfService => "denial-of-service",
            Self::ElevationOfPrivilege => "elevation-of-privilege",
            Self::Other => "other",
        }
    }

    /// A readable name ("Information disclosure").
    pub fn title(self) -> &'static str {
        match self {
            Self::Spoofing => "Spoofing",
            Self::Tampering => "Tampering",
            Self::Repudiation => "Repudiation",
            Self::InformationDisclosure => "Information disclosure",
            Self::DenialOfService => "Denial of service",
            Self::ElevationOfPrivilege => "Elevation of privilege",
            Self::Other => "Other",
        }
    }

    /// The STRIDE letter (`S`, `T`, `R`, `I`, `D`, `E`), or `?` for `Other`.
    pub fn letter(self) -> char {
        match self {
            Self::Spoofing => 'S',
            Self::Tampering => 'T',
            Self::Repudiation => 'R',
            Self::InformationDisclosure => 'I',
            Self::DenialOfService => 'D',
            Self::ElevationOfPrivilege => 'E',
            Self::Other => '?',
        }
    }

    /// Parses a file name, a title or a STRIDE letter, ignoring case, spaces and dashes.
    pub fn parse(s: &str) -> Option<Self> {
        let key: String = s.chars().filter(char::is_ascii_alphabetic).collect::<String>().to_ascii_lowercase();
        match key.as_str() {
            "s" | "spoofing" => Some(Self::Spoofing),
            "t" | "tampering" => Some(Self::Tampering),
            "r" | "repudiation" => Some(Self::Repudiation),
            "i" | "informationdisclosure" | "disclosure" => Some(Self::InformationDisclosure),
            "d" | "denialofservice" | "dos" => Some(Self::DenialOfService),
            "e" | "elevationofprivilege" | "elevation" => Some(Self::ElevationOfPrivilege),
            "other" => Some(Self::Other),
            _ => None,
        }
    }
}

/// How bad a threat is if realised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Little impact.
    Low,
    /// Noticeable impact.
    #[default]
    Medium,
    /// Serious impact.
    High,
    /// Must be fixed before release.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Self; 4] = [Self::Low, Self::Medium, Self::High, Self::Critical];

    /// The file-format name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// Parses a severity name, ignoring case.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Self::Low),
            "medium" | "moderate" => Some(Self::Medium),
            "high" => Some(Self::High),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }
}

/// Where a threat stands in the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Not yet dealt with.
    #[default]
    Open,
    /// A control is in place.
    Mitigated,
    /// The risk is accepted as it is.
    Accepted,
    /// Someone else carries the risk (an insurer, a supplier, another team).
    Transferred,
    /// Does not apply to this system.
    NotApplicable,
}

impl Status {
    /// All statuses, open first.
    pub const ALL: [Self; 5] = [Self::Open, Self::Mitigated, Self::Accepted, Self::Transferred, Self::NotApplicable];

    /// The file-format name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Mitigated => "mitigated",
            Self::Accepted => "accepted",
            Self::Transferred => "transferred",
            Self::NotApplicable => "not-applicable",
        }
    }

    /// Parses a status name, ignoring case, spaces and dashes.
    pub fn parse(s: &str) -> Option<Self> {
        let key: String = s.chars().filter(char::is_ascii_alphabetic).collect::<String>().to_ascii_lowercase();
        match key.as_str() {
            "open" => Some(Self::Open),
            "mitigated" => Some(Self::Mitigated),
            "accepted" => Some(Self::Accepted),
            "transferred" => Some(Self::Transferred),
            "notapplicable" | "na" => Some(Self::NotApplicable),
            _ => None,
        }
    }
}

/// A threat recorded against a flow or an element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    /// Unique among threats (`T1`, `T2`, …).
    pub id: Id,
    /// The flow or element the threat concerns.
    pub target: Id,
    /// STRIDE category.
    pub category: Category,
    /// The source framework's own type when it is not STRIDE ("LINDDUN: Linkability").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub classification: String,
    /// One-line summary.
    pub title: String,
    /// What could happen and how.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// How bad it would be.
    #[serde(default)]
    pub severity: Severity,
    /// Optional CVSS vector or score, as text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cvss: String,
    /// Where it stands.
    #[serde(default)]
    pub status: Status,
    /// What is or should be done about it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mitigation: String,
    /// Links to issues, advisories and merge requests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The rule this threat was accepted from, if it came from a suggestion.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rule: String,
}

/// A rule suggestion a reviewer dismissed for one target, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dismissal {
    /// The rule's id.
    pub rule: String,
    /// The flow or element it was suggested for.
    pub target: Id,
    /// Why it does not apply.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(b: &bool) -> bool {
    !*b
}
