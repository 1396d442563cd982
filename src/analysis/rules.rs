//! Rule files: the TOML format suggestion rules are written in, the loader that checks them and
//! reports `file:line:column: message`, and the rule set (built-in rules plus the user's files).
//!
//! ```toml
//! version = 1
//! disable = ["use-secure-twin"]   # built-in (or earlier) rules to switch off
//!
//! [[rule]]
//! id = "plain-crossing-disclosure"
//! category = "information-disclosure"   # or spoofing, tampering, repudiation, denial-of-service, …
//! severity = "high"                     # low, medium (the default), high, critical
//! summary = "Plain-text flow crosses a trust boundary"
//! title = "Plain {protocol} from {from} to {to} crosses {boundaries}"
//! description = "…"
//! mitigation = "Use {twin}."
//! references = ["https://cwe.mitre.org/data/definitions/319.html"]
//! [rule.flow]                           # or [rule.element]: what the rule is about, and when it fires
//! encryption = "plain"
//! crosses_boundary = true
//! ```
//!
//! A rule with the id of one loaded before replaces it, so a user's file can retune a built-in rule.

use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::condition::{ElementCondition, ElementSpec, FlowCondition, FlowSpec, SpanError};
use super::engine::{Facts, Target};
use crate::model::{Category, Encryption, Severity};

/// The built-in rules, shipped as `assets/rules/stride.toml`.
pub const BUILTIN_RULES: &str = include_str!("../../assets/rules/stride.toml");
/// The name errors in the built-in rules are reported under.
pub const BUILTIN_ORIGIN: &str = "assets/rules/stride.toml";
/// The rule-file format version this build reads.
pub const RULES_VERSION: u32 = 1;
/// Largest rule file accepted, in bytes.
pub const MAX_RULE_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Longest rule id accepted, in bytes.
pub const MAX_RULE_ID_LEN: usize = 128;

/// A rule file could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is over [`MAX_RULE_FILE_BYTES`].
    #[error("{}: the rule file is {size} bytes; rule files over {MAX_RULE_FILE_BYTES} bytes are refused", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// The text is not a valid rule file.
    #[error("{origin}:{line}:{column}: {message}")]
    Invalid {
        /// The file (or name) the text came from.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// A rule's id, shared by the rule and every suggestion it makes. Compares with `&str` and `String`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct RuleId(Arc<str>);

impl RuleId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for RuleId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for RuleId {
    fn from(s: &str) -> Self {
        Self(s.into())
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for RuleId {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<RuleId> for &str {
    fn eq(&self, other: &RuleId) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<RuleId> for String {
    fn eq(&self, other: &RuleId) -> bool {
        **self == *other.0
    }
}

impl From<&RuleId> for String {
    fn from(id: &RuleId) -> Self {
        id.0.to_string()
    }
}

/// What a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// An external entity, process or data store.
    Element,
    /// A data flow, with its source and target.
    Flow,
}

impl TargetKind {
    /// `element` or `flow`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Element => "element",
            Self::Flow => "flow",
        }
    }
}

/// When a rule fires.
#[derive(Debug, Clone)]
pub enum Condition {
    /// A condition over each element.
    Element(ElementCondition),
    /// A condition over each flow.
    Flow(FlowCondition),
}

/// One placeholder of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Name,
    Kind,
    Boundary,
    From,
    To,
    FromKind,
    ToKind,
    Protocol,
    Twin,
    Boundaries,
    Label,
    Encryption,
}

impl Field {
    const ELEMENT: &[(&str, Field)] =
        &[("id", Field::Id), ("name", Field::Name), ("kind", Field::Kind), ("boundary", Field::Boundary)];
    const FLOW: &[(&str, Field)] = &[
        ("id", Field::Id),
        ("name", Field::Name),
        ("kind", Field::Kind),
        ("from", Field::From),
        ("to", Field::To),
        ("from_kind", Field::FromKind),
        ("to_kind", Field::ToKind),
        ("protocol", Field::Protocol),
        ("twin", Field::Twin),
        ("boundaries", Field::Boundaries),
        ("label", Field::Label),
        ("encryption", Field::Encryption),
    ];

    fn table(target: TargetKind) -> &'static [(&'static str, Field)] {
        match target {
            TargetKind::Element => Self::ELEMENT,
            TargetKind::Flow => Self::FLOW,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(Field),
}

/// A title, description or mitigation with placeholders such as `{from}`, `{protocol}` or `{twin}`,
/// filled in for each target. `{{` and `}}` stand for literal braces.
///
/// Element rules know `{id}`, `{name}`, `{kind}` and `{boundary}`; flow rules know `{id}`, `{name}`,
/// `{kind}`, `{from}`, `{to}`, `{from_kind}`, `{to_kind}`, `{protocol}`, `{twin}` (the encrypted
/// counterpart of the protocol), `{boundaries}` (the boundaries crossed), `{label}` and `{encryption}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

impl Template {
    fn parse(text: &str, target: TargetKind) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().is_some_and(|&(_, n)| n == '{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().is_some_and(|&(_, n)| n == '}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let rest = &text[i + 1..];
                    let Some(end) = rest.find('}') else {
                        return Err(format!("unclosed placeholder at \"{}\"", &text[i..]));
                    };
                    let name = rest[..end].trim();
                    let table = Field::table(target);
                    let Some(&(_, field)) = table.iter().find(|(n, _)| *n == name) else {
                        let known: Vec<String> = table.iter().map(|(n, _)| format!("{{{n}}}")).collect();
                        let rule = match target {
                            TargetKind::Element => "an element rule",
                            TargetKind::Flow => "a flow rule",
                        };
                        return Err(format!("unknown placeholder {{{name}}} in {rule}; known: {}", known.join(", ")));
                    };
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Field(field));
                    for _ in 0..=end {
                        chars.next();
                    }
                }
                '}' => return Err("a lone '}' (write '}}' for a literal brace)".into()),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Self { source: text.to_owned(), parts })
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Appends the text for one target.
    pub(crate) fn render_into(&self, out: &mut String, facts: &Facts<'_>, target: Target) {
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Field(f) => write_field(out, facts, target, *f),
            }
        }
    }
}

/// A name on one line: labels may hold line breaks (drawn on two lines), and in a sentence they
/// read as spaces. Most labels are one line of ASCII already and come back as they are.
pub(crate) fn one_line(name: &str) -> Cow<'_, str> {
    let mut plain = true;
    let mut after_space = true;
    for &b in name.as_bytes() {
        if b == b' ' && !after_space {
            after_space = true;
        } else if b.is_ascii_graphic() {
            after_space = false;
        } else {
            plain = false;
            break;
        }
    }
    // A trailing space (or none at all, for an empty name) is the only other thing to rule out.
    if plain && (!after_space || name.is_empty()) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(name.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

fn push_name(out: &mut String, name: &str) {
    out.push_str(&one_line(name));
}

fn write_field(out: &mut String, facts: &Facts<'_>, target: Target, field: Field) {
    let doc = facts.doc;
    let element_name = |out: &mut String, e: Option<usize>, fallback: &str| match e {
        Some(e) => out.push_str(facts.element_name(e)),
        None => out.push_str(fallback),
    };
    match target {
        Target::Element(e) => {
            let el = &doc.elements[e];
            match field {
                Field::Id => out.push_str(el.id.as_str()),
                Field::Name => out.push_str(facts.element_name(e)),
                Field::Kind => out.push_str(el.kind.title()),
                Field::Boundary => match facts.element_boundary[e] {
                    Some(b) => push_name(out, if b.label.is_empty() { b.id.as_str() } else { &b.label }),
                    None => out.push_str("its trust zone"),
                },
                _ => {}
            }
        }
        Target::Flow(f) => {
            let flow = &doc.flows[f];
            let ends = &facts.flows[f];
            match field {
                Field::Id => out.push_str(flow.id.as_str()),
                Field::Name => {
                    if flow.label.trim().is_empty() {
                        element_name(out, ends.from, flow.from.as_str());
                        out.push_str(" → ");
                        element_name(out, ends.to, flow.to.as_str());
                    } else {
                        push_name(out, &flow.label);
                    }
                }
                Field::Kind => out.push_str("flow"),
                Field::From => element_name(out, ends.from, flow.from.as_str()),
                Field::To => element_name(out, ends.to, flow.to.as_str()),
                Field::FromKind => out.push_str(ends.from.map_or("element", |e| doc.elements[e].kind.title())),
                Field::ToKind => out.push_str(ends.to.map_or("element", |e| doc.elements[e].kind.title())),
                Field::Protocol => {
                    if flow.protocol.trim().is_empty() {
                        out.push_str("unspecified protocol");
                    } else {
                        push_name(out, &flow.protocol);
                    }
                }
                Field::Twin => match ends.secure_twin {
                    Some(t) => out.push_str(t.name),
                    None => out.push_str("an encrypted protocol"),
                },
                Field::Boundaries => out.push_str(facts.crossing_names(f).unwrap_or("no trust boundary")),
                Field::Label => push_name(out, &flow.label),
                Field::Encryption => out.push_str(match ends.encryption {
                    Encryption::Encrypted => "encrypted",
                    Encryption::Plain => "plain text",
                    Encryption::Unknown => "of unknown encryption",
                }),
                Field::Boundary => {}
            }
        }
    }
}

/// One suggestion rule, checked and compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique id, stored in threats accepted from the rule and in dismissals.
    pub id: RuleId,
    /// STRIDE category of the threats it suggests.
    pub category: Category,
    /// Default severity of the threats it suggests.
    pub severity: Severity,
    /// One line about what the rule looks for, without placeholders.
    pub summary: String,
    /// Title of a suggestion.
    pub title: Template,
    /// What could happen and how.
    pub description: Template,
    /// What to do about it.
    pub mitigation: Template,
    /// Links to standards, advisories and guides.
    pub references: Arc<[String]>,
    /// When the rule fires.
    pub condition: Condition,
    /// The file the rule came from (`assets/rules/stride.toml` for built-in rules).
    pub origin: String,
}

impl Rule {
    /// What the rule is about.
    pub fn target(&self) -> TargetKind {
        match self.condition {
            Condition::Element(_) => TargetKind::Element,
            Condition::Flow(_) => TargetKind::Flow,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    version: Option<Spanned<u32>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default, rename = "rule")]
    rules: Vec<Spanned<RuleSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: Spanned<String>,
    category: Category,
    #[serde(default)]
    severity: Severity,
    summary: Option<String>,
    title: Spanned<String>,
    description: Option<Spanned<String>>,
    mitigation: Option<Spanned<String>>,
    #[serde(default)]
    references: Vec<String>,
    element: Option<ElementSpec>,
    flow: Option<FlowSpec>,
}

/// Built-in rules and the user's, in load order.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// No rules at all.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The built-in rules.
    pub fn builtin() -> Result<Self, RuleError> {
        let mut set = Self::empty();
        set.add_text(BUILTIN_RULES, BUILTIN_ORIGIN)?;
        Ok(set)
    }

    /// The built-in rules, then each of `files` in order.
    pub fn load<P: AsRef<Path>>(files: &[P]) -> Result<Self, RuleError> {
        let mut set = Self::builtin()?;
        for f in files {
            set.add_file(f.as_ref())?;
        }
        Ok(set)
    }

    /// Reads a rule file and adds its rules (see [`RuleSet::add_text`]).
    pub fn add_file(&mut self, path: &Path) -> Result<(), RuleError> {
        let io = |source| RuleError::Io { path: path.to_owned(), source };
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > MAX_RULE_FILE_BYTES {
            return Err(RuleError::TooLarge { path: path.to_owned(), size });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        self.add_text(&text, &path.display().to_string())
    }

    /// Parses a rule file's text, applies its `disable` list, and adds its rules; a rule whose id is
    /// already loaded replaces that rule in place. Nothing changes when the text has an error.
    pub fn add_text(&mut self, text: &str, origin: &str) -> Result<(), RuleError> {
        let error = |span: Range<usize>, message: String| {
            let (line, column) = line_column(text, span.start);
            RuleError::Invalid { origin: origin.to_owned(), line, column, message }
        };
        let file: FileSpec = toml::from_str(text).map_err(|e| error(e.span().unwrap_or(0..0), e.message().into()))?;
        if let Some(v) = &file.version
            && *v.get_ref() != RULES_VERSION
        {
            return Err(error(
                v.span(),
                format!(
                    "rule-file version {} is not supported; this Threatboard reads version {RULES_VERSION}",
                    v.get_ref()
                ),
            ));
        }
        let mut next = self.rules.clone();
        for d in &file.disable {
            let before = next.len();
            next.retain(|r| r.id != *d.get_ref());
            if next.len() == before {
                return Err(error(d.span(), format!("`disable` names rule \"{}\", which is not loaded", d.get_ref())));
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for spec in &file.rules {
            let id = spec.get_ref().id.get_ref().as_str();
            if seen.contains(&id) {
                return Err(error(spec.get_ref().id.span(), format!("rule id \"{id}\" is used twice in this file")));
            }
            seen.push(id);
        }
        for spec in file.rules {
            let span = spec.span();
            let rule = compile(spec.into_inner(), origin, span).map_err(|e| error(e.span, e.message))?;
            match next.iter_mut().find(|r| r.id == rule.id) {
                Some(slot) => *slot = rule,
                None => next.push(rule),
            }
        }
        self.rules = next;
        Ok(())
    }

    /// The rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// How many rules are loaded.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when no rule is loaded.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn check_id(id: &Spanned<String>) -> Result<(), SpanError> {
    let s = id.get_ref();
    let bad = |message: String| Err(SpanError { span: id.span(), message });
    if s.is_empty() {
        return bad("a rule id cannot be empty".into());
    }
    if s.len() > MAX_RULE_ID_LEN {
        return bad(format!("rule id is {} bytes long; the limit is {MAX_RULE_ID_LEN}", s.len()));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))) {
        return bad(format!("rule id \"{s}\" contains {c:?}; rule ids use letters, digits, '-', '_', '.' and '/'"));
    }
    Ok(())
}

fn compile(spec: RuleSpec, origin: &str, span: Range<usize>) -> Result<Rule, SpanError> {
    check_id(&spec.id)?;
    let id = RuleId::from(spec.id.get_ref().as_str());
    let condition = match (spec.element, spec.flow) {
        (Some(e), None) => Condition::Element(e.compile()?),
        (None, Some(f)) => Condition::Flow(f.compile()?),
        (e, _) => {
            let message = if e.is_some() { "has both [rule.element] and [rule.flow]" } else { "has no condition" };
            return Err(SpanError {
                span,
                message: format!("rule \"{id}\" {message}; give exactly one of [rule.element] or [rule.flow]"),
            });
        }
    };
    let target = match condition {
        Condition::Element(_) => TargetKind::Element,
        Condition::Flow(_) => TargetKind::Flow,
    };
    let template = |t: &Spanned<String>| {
        Template::parse(t.get_ref(), target).map_err(|message| SpanError { span: t.span(), message })
    };
    if spec.title.get_ref().trim().is_empty() {
        return Err(SpanError { span: spec.title.span(), message: format!("rule \"{id}\" needs a title") });
    }
    let title = template(&spec.title)?;
    let description = spec.description.as_ref().map(template).transpose()?.unwrap_or_default();
    let mitigation = spec.mitigation.as_ref().map(template).transpose()?.unwrap_or_default();
    Ok(Rule {
        summary: spec.summary.unwrap_or_else(|| spec.title.get_ref().clone()),
        id,
        category: spec.category,
        severity: spec.severity,
        title,
        description,
        mitigation,
        references: spec.references.into(),
        condition,
        origin: origin.to_owned(),
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = (0..=offset.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let text = "ab\nçd = 1\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 6), (2, 3));
    }

    #[test]
    fn templates_check_their_placeholders() {
        assert!(Template::parse("Use {twin} instead of {protocol}", TargetKind::Flow).is_ok());
        assert!(Template::parse("{{literal}} braces", TargetKind::Flow).is_ok());
        let e = Template::parse("In {boundaries}", TargetKind::Element).unwrap_err();
        assert!(e.contains("unknown placeholder {boundaries} in an element rule"), "{e}");
        assert!(Template::parse("open {from", TargetKind::Flow).is_err());
        assert!(Template::parse("lone } brace", TargetKind::Flow).is_err());
    }
}
