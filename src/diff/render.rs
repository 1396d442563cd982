//! The comparison as plain text (terminals, CI logs) and as Markdown (pull-request comments).

use std::fmt::Write as _;

use super::properties::one_line;
use super::{
    Change, ChangeStatus, CrossingChange, Diff, EncryptionChange, Field, PropertyChange, Ref, Section, ThreatNote,
    Value,
};
use crate::model::{Encryption, Id};

/// Text longer than this (or with a line break) is shown as "was:"/"now:" lines instead of `old → new`.
const INLINE_TEXT: usize = 60;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Text,
    Markdown,
}

impl Style {
    /// A name or other free text from the document.
    fn name(self, s: &str) -> String {
        match self {
            Self::Text => s.to_owned(),
            Self::Markdown => escape(&one_line(s)),
        }
    }

    /// An id, shown after a name.
    fn id(self, id: &str) -> String {
        match self {
            Self::Text => format!("[{id}]"),
            Self::Markdown => format!("(`{id}`)"),
        }
    }

    /// A reference with its id when the id reads differently from the name.
    fn reference(self, r: &Ref) -> String {
        self.named(&r.name, r.id.as_str())
    }

    fn named(self, name: &str, id: &str) -> String {
        if name == id { self.name(name) } else { format!("{} {}", self.name(name), self.id(id)) }
    }

    fn strong(self, s: &str) -> String {
        match self {
            Self::Text => s.to_owned(),
            Self::Markdown => format!("**{s}**"),
        }
    }
}

/// Escapes the characters Markdown would read as formatting.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The comparison as plain text: a headline with counts, the security summary, then each section.
/// Empty for equal documents.
pub fn render_text(diff: &Diff) -> String {
    render(diff, Style::Text)
}

/// The comparison as Markdown, for a pull-request comment or a review document. Empty for equal documents.
pub fn render_markdown(diff: &Diff) -> String {
    render(diff, Style::Markdown)
}

fn render(diff: &Diff, style: Style) -> String {
    if diff.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let title = headline(diff);
    let counts = counts_line(diff);
    match style {
        Style::Text => {
            let _ = writeln!(out, "{title}");
            let _ = writeln!(out, "{counts}");
        }
        Style::Markdown => {
            let _ = writeln!(out, "## {}\n", escape(&title));
            let _ = writeln!(out, "{counts}");
        }
    }
    section_heading(&mut out, style, "Security summary");
    let summary = summary_lines(diff, style);
    if summary.is_empty() {
        bullet(&mut out, style, "No security-relevant changes.");
    }
    for line in summary {
        bullet(&mut out, style, &line);
    }
    if !diff.document.is_empty() {
        section_heading(&mut out, style, "Document");
        for p in &diff.document {
            property(&mut out, style, p, 0);
        }
    }
    for section in Section::ALL {
        let changes = diff.section(section);
        if changes.is_empty() {
            continue;
        }
        section_heading(&mut out, style, section.title());
        for c in changes {
            change(&mut out, style, section, c);
        }
    }
    out
}

fn headline(diff: &Diff) -> String {
    let (old, new) = (one_line(&diff.old_title), one_line(&diff.new_title));
    match (old.is_empty(), new.is_empty()) {
        _ if old == new && !old.is_empty() => format!("Changes to {old}"),
        (true, true) => "Changes".to_owned(),
        _ => {
            let or_untitled = |s: String| if s.is_empty() { "(untitled)".to_owned() } else { s };
            format!("Changes from {} to {}", or_untitled(old), or_untitled(new))
        }
    }
}

fn counts_line(diff: &Diff) -> String {
    let mut parts = Vec::new();
    if !diff.document.is_empty() {
        let n = diff.document.len();
        parts.push(format!("document: {n} {} changed", if n == 1 { "property" } else { "properties" }));
    }
    for section in Section::ALL {
        let c = diff.counts(section);
        if c.total() == 0 {
            continue;
        }
        let words: Vec<String> =
            [(c.added, "added"), (c.removed, "removed"), (c.renamed, "renamed"), (c.changed, "changed")]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, w)| format!("{n} {w}"))
                .collect();
        parts.push(format!("{}: {}", section.noun(2), words.join(", ")));
    }
    let mut line = parts.join("; ");
    line.push('.');
    let mut chars = line.chars();
    chars.next().map(|f| f.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn section_heading(out: &mut String, style: Style, title: &str) {
    match style {
        Style::Text => {
            let _ = write!(out, "\n{title}\n");
        }
        Style::Markdown => {
            let _ = write!(out, "\n### {title}\n\n");
        }
    }
}

fn bullet(out: &mut String, style: Style, line: &str) {
    match style {
        Style::Text => {
            let _ = writeln!(out, "  {line}");
        }
        Style::Markdown => {
            let _ = writeln!(out, "- {line}");
        }
    }
}

/// A nested line under a bullet, `depth` levels in (1 = under a top-level item).
fn sub(out: &mut String, style: Style, depth: usize, line: &str) {
    match style {
        Style::Text => {
            let _ = writeln!(out, "{}{line}", "    ".repeat(depth + 1).get(2..).unwrap_or_default());
        }
        Style::Markdown => {
            let _ = writeln!(out, "{}- {line}", "  ".repeat(depth));
        }
    }
}

/// One line of the security summary, as the text report words it, with the item it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryEntry {
    /// The line, as in [`render_text`].
    pub text: String,
    /// The flow, element or boundary it is about, by its new id; `None` when only the old version has it.
    pub item: Option<Id>,
    /// The threat it is about (threat ids are their own namespace), in the version that has it.
    pub threat: Option<Id>,
}

/// The security summary line by line, in report order, each with the item it is about.
pub fn summary_entries(diff: &Diff) -> Vec<SummaryEntry> {
    let s = &diff.summary;
    let item = |r: &Ref| (Some(r.id.clone()), None);
    let threat = |t: &ThreatNote| (None, Some(t.threat.id.clone()));
    let targets: Vec<(Option<Id>, Option<Id>)> = s
        .encryption
        .iter()
        .map(|e| item(&e.flow))
        .chain(s.crossings_added.iter().map(|c| item(&c.flow)))
        .chain(s.crossings_removed.iter().map(|_| (None, None)))
        .chain(s.repointed.iter().map(|r| item(&r.flow)))
        .chain(s.boundary_moves.iter().map(|m| item(&m.item)))
        .chain(s.scope.iter().map(|c| item(&c.item)))
        .chain(s.threats_opened.iter().map(threat))
        .chain(s.threats_closed.iter().map(threat))
        .chain(s.severity.iter().map(threat))
        .collect();
    summary_lines(diff, Style::Text)
        .into_iter()
        .zip(targets)
        .map(|(text, (item, threat))| SummaryEntry { text, item, threat })
        .collect()
}

fn summary_lines(diff: &Diff, style: Style) -> Vec<String> {
    let s = &diff.summary;
    let mut lines = Vec::new();
    let label = |text: &str| style.strong(&format!("{text}:"));
    for e in &s.encryption {
        lines.push(format!("{} {}", label(encryption_word(e)), encryption_text(style, e)));
    }
    for c in &s.crossings_added {
        lines.push(format!("{} {}", label("New boundary crossing"), crossing_text(style, c, "crosses", "new flow")));
    }
    for c in &s.crossings_removed {
        lines.push(format!(
            "{} {}",
            label("Boundary crossing removed"),
            crossing_text(style, c, "no longer crosses", "flow removed")
        ));
    }
    for r in &s.repointed {
        let verb = if r.end == Field::From { "now comes from" } else { "now goes to" };
        let mut line = format!(
            "{} {} {verb} {}, was {}",
            label("Re-pointed across a boundary"),
            style.reference(&r.flow),
            style.name(&r.new.name),
            style.name(&r.old.name)
        );
        if !r.crosses.is_empty() {
            let _ = write!(line, " (crosses {})", names(style, &r.crosses));
        }
        lines.push(line);
    }
    for m in &s.boundary_moves {
        let place = |r: &Option<Ref>| r.as_ref().map_or_else(|| "(no boundary)".to_owned(), |r| style.name(&r.name));
        let what = if m.section == Section::Boundary { "Boundary nested elsewhere" } else { "Moved across a boundary" };
        lines.push(format!("{} {}: {} → {}", label(what), style.reference(&m.item), place(&m.old), place(&m.new)));
    }
    for c in &s.scope {
        let what = if c.in_scope { "Entered the scope" } else { "Left the scope" };
        let mut line = format!("{} {}", label(what), style.reference(&c.item));
        if !c.reason.is_empty() {
            let _ = write!(line, " ({})", style.name(&c.reason));
        }
        lines.push(line);
    }
    for t in &s.threats_opened {
        let how = if t.old_status.is_some() { "Threat reopened" } else { "Threat opened" };
        lines.push(format!("{} {}", label(how), threat_text(style, t)));
    }
    for t in &s.threats_closed {
        let to = t.new_status.map_or("removed", |s| s.as_str());
        let from = t.old_status.map_or("?", |s| s.as_str());
        lines.push(format!("{} {}: {from} → {to}", label("Threat closed"), threat_text(style, t)));
    }
    for t in &s.severity {
        let sev = |s: Option<crate::model::Severity>| s.map_or("?", |s| s.as_str());
        lines.push(format!(
            "{} {}: {} → {}",
            label("Severity changed"),
            threat_text(style, t),
            sev(t.old_severity),
            sev(t.new_severity)
        ));
    }
    lines
}

fn encryption_word(e: &EncryptionChange) -> &'static str {
    if e.gained() {
        "Encryption gained"
    } else if e.lost() {
        "Encryption lost"
    } else {
        "Encryption changed"
    }
}

fn encryption_text(style: Style, e: &EncryptionChange) -> String {
    let proto = |p: &str| if p.is_empty() { "(no protocol)".to_owned() } else { style.name(p) };
    format!(
        "{}: {} → {} ({} → {})",
        style.reference(&e.flow),
        proto(&e.old_protocol),
        proto(&e.new_protocol),
        e.old.as_str(),
        e.new.as_str()
    )
}

fn names(style: Style, refs: &[Ref]) -> String {
    refs.iter().map(|r| style.name(&r.name)).collect::<Vec<_>>().join(", ")
}

fn crossing_text(style: Style, c: &CrossingChange, verb: &str, whole: &str) -> String {
    let mut facts = Vec::new();
    if c.whole_flow {
        facts.push(whole.to_owned());
    }
    if !c.protocol.is_empty() {
        facts.push(style.name(&c.protocol));
    }
    facts.push(match c.encryption {
        Encryption::Plain => style.strong("plain"),
        other => other.as_str().to_owned(),
    });
    if c.out_of_scope {
        facts.push("out of scope".to_owned());
    }
    format!("{} {verb} {} ({})", style.reference(&c.flow), names(style, &c.boundaries), facts.join(", "))
}

fn threat_text(style: Style, t: &ThreatNote) -> String {
    let id = match style {
        Style::Text => t.threat.id.to_string(),
        Style::Markdown => format!("`{}`", t.threat.id),
    };
    let mut s = format!("{id} {}", style.name(&t.threat.name));
    let sev = t.new_severity.or(t.old_severity);
    match sev {
        Some(sev) => {
            let _ = write!(s, " ({}, on {})", sev.as_str(), style.name(&t.target));
        }
        None => {
            let _ = write!(s, " (on {})", style.name(&t.target));
        }
    }
    s
}

fn change(out: &mut String, style: Style, section: Section, c: &Change) {
    // A flow's name is made of its ends' names, and renamed ends are reported as elements already:
    // "a → b → a → c" would only confuse, so flows show their new name and the id change.
    let old_name = c.old_name.as_ref().filter(|_| c.status == ChangeStatus::Renamed && section != Section::Flow);
    let names = match old_name {
        Some(old) => format!("{} → {}", style.name(old), style.name(&c.name)),
        None => style.name(&c.name),
    };
    let (old_id, new_id) = (c.old_id.as_ref().map(Id::as_str), c.new_id.as_ref().map(Id::as_str));
    let id_text = match (old_id, new_id) {
        (Some(o), Some(n)) if o != n => format!("{o} → {n}"),
        (_, Some(i)) | (Some(i), None) => i.to_owned(),
        (None, None) => String::new(),
    };
    let plain_names = match old_name {
        Some(old) => format!("{old} → {}", c.name),
        None => c.name.clone(),
    };
    let mut head = match style {
        Style::Text => format!("{:<7} ", c.status.as_str()),
        Style::Markdown => format!("**{}** ", c.status.as_str()),
    };
    if section == Section::Threat {
        // Threats are known by their ids (T1, T2…), so the id comes first.
        let _ = write!(
            head,
            "{} {}",
            match style {
                Style::Text => id_text.clone(),
                Style::Markdown => format!("`{id_text}`"),
            },
            names
        );
    } else {
        head.push_str(&names);
        if id_text != plain_names && !id_text.is_empty() {
            let _ = write!(head, " {}", style.id(&id_text));
        }
    }
    let mut notes = Vec::new();
    if !c.context.is_empty() {
        notes.push(style.name(&c.context));
    }
    if let Some(how) = c.matched_by {
        notes.push(how.explain().to_owned());
    }
    if !notes.is_empty() {
        match style {
            Style::Text => {
                let _ = write!(head, " ({})", notes.join("; "));
            }
            Style::Markdown => {
                let _ = write!(head, " — {}", notes.join("; "));
            }
        }
    }
    bullet(out, style, &head);
    for p in &c.properties {
        property(out, style, p, 1);
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v:.1}") }
}

fn value(style: Style, field: Field, v: &Value) -> String {
    match v {
        Value::None if field == Field::Encrypted => "(from protocol)".to_owned(),
        Value::None => "(none)".to_owned(),
        Value::Text(s) => style.name(&one_line(s)),
        Value::Bool(b) => (if *b { "yes" } else { "no" }).to_owned(),
        Value::Ref(r) => style.name(&r.name),
        Value::Point { x, y } => format!("({}, {})", number(*x), number(*y)),
        Value::List(l) => l.iter().map(|s| style.name(s)).collect::<Vec<_>>().join(", "),
    }
}

fn is_long(v: &Value) -> bool {
    matches!(v, Value::Text(s) if s.chars().count() > INLINE_TEXT || s.contains('\n'))
}

/// One property change, at `depth` (0 for document properties, 1 under an item).
fn property(out: &mut String, style: Style, p: &PropertyChange, depth: usize) {
    let name = p.field.as_str();
    let line = |out: &mut String, text: &str| {
        if depth == 0 { bullet(out, style, text) } else { sub(out, style, depth, text) }
    };
    match (&p.old, &p.new) {
        (Value::List(old), Value::List(new)) => {
            line(out, &style.strong(&format!("{name}:")));
            for entry in old.iter().filter(|e| !new.contains(e)) {
                sub(out, style, depth + 1, &format!("removed: {}", style.name(entry)));
            }
            for entry in new.iter().filter(|e| !old.contains(e)) {
                sub(out, style, depth + 1, &format!("added: {}", style.name(entry)));
            }
        }
        (old, new) if is_long(old) || is_long(new) => {
            line(out, &style.strong(&format!("{name}:")));
            for (word, v) in [("was", old), ("now", new)] {
                let text = match (style, v) {
                    (Style::Text, Value::Text(s)) => indent_continuation(s, depth + 1),
                    _ => value(style, p.field, v),
                };
                sub(out, style, depth + 1, &format!("{word}: {text}"));
            }
        }
        (Value::Point { x: ox, y: oy }, Value::Point { x: nx, y: ny }) => {
            let distance = (nx - ox).hypot(ny - oy);
            line(
                out,
                &format!(
                    "{} {} → {} (moved {})",
                    style.strong("position:"),
                    value(style, p.field, &p.old),
                    value(style, p.field, &p.new),
                    number(distance.round())
                ),
            );
        }
        (old, new) => {
            line(
                out,
                &format!(
                    "{} {} → {}",
                    style.strong(&format!("{name}:")),
                    value(style, p.field, old),
                    value(style, p.field, new)
                ),
            );
        }
    }
}

/// Multi-line text for plain output: continuation lines lined up under the first, after "was: ".
fn indent_continuation(s: &str, depth: usize) -> String {
    let pad = " ".repeat(depth * 4 + 2 + "was: ".len());
    s.lines().collect::<Vec<_>>().join(&format!("\n{pad}"))
}
