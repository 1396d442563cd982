//! The Markdown review report: title, description, the application-decomposition section, the diagram,
//! tables of boundaries, elements and flows, the threats grouped by status, and the rule suggestions
//! nobody has reviewed yet.
//!
//! Everything the user typed is escaped, so it reads in the report exactly as typed: no raw HTML, no
//! table broken by a `|`, no heading started by a `#`. Each section is one small function.

use std::fmt::Write as _;

use super::{name_or_id, text};
use crate::model::{Document, Flow, Index, Item, Status, Threat, encryption};

/// What goes into a report besides the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Link to an SVG drawing of the diagram written next to the report (`report.svg`), shown as an image.
    pub svg_link: Option<String>,
}

/// Writes the review report of `doc` as GitHub/GitLab-flavoured Markdown.
pub fn to_markdown(doc: &Document, options: &ReportOptions) -> String {
    let index = Index::new(doc);
    let mut out = String::new();
    title_section(&mut out, doc);
    decomposition_section(&mut out, doc);
    diagram_section(&mut out, doc, options);
    boundaries_section(&mut out, doc, &index);
    elements_section(&mut out, doc, &index);
    flows_section(&mut out, doc, &index);
    threats_section(&mut out, doc, &index);
    suggestions_section(&mut out, doc);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn title_section(out: &mut String, doc: &Document) {
    let title = text::clean_line(&doc.title);
    let title = if title.is_empty() { "Threat model".to_owned() } else { title };
    let _ = writeln!(out, "# {}\n", inline(&title));
    if !doc.description.trim().is_empty() {
        let _ = writeln!(out, "{}\n", prose(&doc.description));
    }
}

fn decomposition_section(out: &mut String, doc: &Document) {
    let d = &doc.decomposition;
    if d.is_empty() {
        return;
    }
    out.push_str("## Application decomposition\n\n");
    if !d.use_case.trim().is_empty() {
        let _ = writeln!(out, "### Use case\n\n{}\n", prose(&d.use_case));
    }
    for (heading, items) in [
        ("External entry points", &d.entry_points),
        ("Trust levels", &d.trust_levels),
        ("Previous security issues", &d.previous_issues),
        ("Known references and best practices", &d.references),
    ] {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {heading}\n");
        for item in items {
            let _ = writeln!(out, "- {}", reference(item));
        }
        out.push('\n');
    }
}

fn diagram_section(out: &mut String, doc: &Document, options: &ReportOptions) {
    out.push_str("## Data-flow diagram\n\n");
    out.push_str(&mermaid_block(doc));
    out.push('\n');
    if let Some(link) = &options.svg_link {
        let title = text::clean_line(&doc.title);
        let alt = if title.is_empty() { "Data-flow diagram".to_owned() } else { format!("Data-flow diagram: {title}") };
        let _ = writeln!(out, "![{}]({})\n", inline(&alt), destination(link));
    }
}

/// The diagram as a fenced ```` ```mermaid ```` block (GitHub and GitLab draw it), from the Mermaid writer,
/// so the report's diagram re-imports like any Mermaid export.
fn mermaid_block(doc: &Document) -> String {
    fenced("mermaid", &crate::formats::mermaid::export(doc))
}

/// The built-in rules' suggestions that no reviewer has accepted or dismissed yet, listed apart from
/// the threats: they are candidates, not findings.
fn suggestions_section(out: &mut String, doc: &Document) {
    let Ok(rules) = crate::analysis::RuleSet::builtin() else { return };
    let pending = crate::analysis::suggestions(doc, &rules);
    if pending.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Suggestions not yet reviewed\n\n{} threats the built-in STRIDE rules suggest that no reviewer has accepted or dismissed yet.\n",
        pending.len()
    );
    out.push_str("| Rule | Target | Category | Severity | Suggestion |\n|---|---|---|---|---|\n");
    for s in &pending {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            code(s.rule.as_str()),
            code(s.target.as_str()),
            s.category.title(),
            s.severity.as_str(),
            cell(s.title())
        );
    }
    out.push('\n');
}

fn boundaries_section(out: &mut String, doc: &Document, index: &Index<'_>) {
    if doc.boundaries.is_empty() {
        return;
    }
    out.push_str("## Trust boundaries\n\n| Id | Name | Inside |\n|---|---|---|\n");
    for b in &doc.boundaries {
        let parent = b.parent.as_ref().and_then(|p| index.boundary(p.as_str())).map(|p| name_or_id(&p.label, &p.id));
        let _ = writeln!(out, "| {} | {} | {} |", code(b.id.as_str()), cell(&b.label), cell(parent.unwrap_or("")));
    }
    out.push('\n');
}

fn elements_section(out: &mut String, doc: &Document, index: &Index<'_>) {
    if doc.elements.is_empty() {
        return;
    }
    out.push_str("## Elements\n\n| Id | Name | Kind | Trust boundary | Out of scope | Open threats |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for e in &doc.elements {
        let chain: Vec<&str> = index.boundary_chain(e).iter().rev().map(|b| name_or_id(&b.label, &b.id)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            code(e.id.as_str()),
            cell(&e.label),
            e.kind.title(),
            cell(&chain.join(" › ")),
            out_of_scope(e.out_of_scope, &e.out_of_scope_reason),
            open_threats(index, e.id.as_str()),
        );
    }
    out.push('\n');
}

fn flows_section(out: &mut String, doc: &Document, index: &Index<'_>) {
    if doc.flows.is_empty() {
        return;
    }
    out.push_str("## Data flows\n\n");
    out.push_str(
        "| Id | From | To | What | Protocol | Encrypted | Crosses a boundary | Out of scope | Open threats |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for f in &doc.flows {
        let crossings: Vec<&str> = index.crossings(f).iter().map(|b| name_or_id(&b.label, &b.id)).collect();
        let crosses = if crossings.is_empty() { "no".to_owned() } else { format!("yes: {}", crossings.join(", ")) };
        let direction = if f.bidirectional { " (both ways)" } else { "" };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {}{} | {} | {} | {} | {} | {} |",
            code(f.id.as_str()),
            cell(element_name(index, f.from.as_str())),
            cell(element_name(index, f.to.as_str())),
            cell(&f.label),
            direction,
            cell(&f.protocol),
            match encryption(f) {
                crate::model::Encryption::Encrypted => "yes",
                crate::model::Encryption::Plain => "no",
                crate::model::Encryption::Unknown => "unknown",
            },
            cell(&crosses),
            out_of_scope(f.out_of_scope, &f.out_of_scope_reason),
            open_threats(index, f.id.as_str()),
        );
    }
    out.push('\n');
}

fn threats_section(out: &mut String, doc: &Document, index: &Index<'_>) {
    out.push_str("## Threats\n\n");
    if doc.threats.is_empty() {
        out.push_str("No threats recorded.\n\n");
        return;
    }
    let counts: Vec<String> = Status::ALL
        .iter()
        .filter_map(|s| {
            let n = doc.threats.iter().filter(|t| t.status == *s).count();
            (n > 0).then(|| format!("{n} {}", status_title(*s).to_lowercase()))
        })
        .collect();
    let total = doc.threats.len();
    let _ = writeln!(out, "{total} threat{}: {}.\n", if total == 1 { "" } else { "s" }, counts.join(", "));
    for status in Status::ALL {
        let group: Vec<&Threat> = doc.threats.iter().filter(|t| t.status == status).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {} ({})\n", status_title(status), group.len());
        out.push_str("| Id | Target | Category | Severity | Status | Threat | Mitigation |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for t in group {
            let category = if t.classification.is_empty() {
                t.category.title().to_owned()
            } else {
                format!("{} ({})", t.category.title(), text::clean_line(&t.classification))
            };
            let mut threat = format!("**{}**", cell(&t.title));
            if !t.description.trim().is_empty() {
                threat.push_str("<br>");
                threat.push_str(&cell(&t.description));
            }
            if !t.cvss.is_empty() {
                let _ = write!(threat, "<br>CVSS: {}", cell(&t.cvss));
            }
            let refs: Vec<String> = t.references.iter().map(|r| reference(r)).collect();
            if !refs.is_empty() {
                let _ = write!(threat, "<br>References: {}", refs.join(", "));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                code(t.id.as_str()),
                target(index, t.target.as_str()),
                cell(&category),
                t.severity.as_str(),
                t.status.as_str(),
                threat,
                cell(&t.mitigation),
            );
        }
        out.push('\n');
    }
}

fn status_title(s: Status) -> &'static str {
    match s {
        Status::Open => "Open",
        Status::Mitigated => "Mitigated",
        Status::Accepted => "Accepted",
        Status::Transferred => "Transferred",
        Status::NotApplicable => "Not applicable",
    }
}

fn element_name<'a>(index: &Index<'a>, id: &'a str) -> &'a str {
    index.element(id).map_or(id, |e| name_or_id(&e.label, &e.id))
}

/// A threat's target: its name (a flow as `from → to`) and its id.
fn target(index: &Index<'_>, id: &str) -> String {
    let name = match index.item(id) {
        Some(Item::Flow(f)) => flow_name(index, f),
        Some(Item::Element(e)) => name_or_id(&e.label, &e.id).to_owned(),
        Some(Item::Boundary(b)) => name_or_id(&b.label, &b.id).to_owned(),
        None => return code(id),
    };
    format!("{} {}", cell(&name), code(id))
}

fn flow_name(index: &Index<'_>, f: &Flow) -> String {
    let arrow = if f.bidirectional { "↔" } else { "→" };
    format!("{} {arrow} {}", element_name(index, f.from.as_str()), element_name(index, f.to.as_str()))
}

fn out_of_scope(yes: bool, reason: &str) -> String {
    match (yes, reason.trim().is_empty()) {
        (false, _) => String::new(),
        (true, true) => "yes".to_owned(),
        (true, false) => format!("yes: {}", cell(reason)),
    }
}

fn open_threats(index: &Index<'_>, id: &str) -> String {
    index.open_threats(id).map(|(n, worst)| format!("{n} (worst: {})", worst.as_str())).unwrap_or_default()
}

/// An id in a code span. Ids are slugs (letters, digits, `_`, `-`), so they need no escaping.
fn code(id: &str) -> String {
    format!("`{}`", id.replace('`', ""))
}

/// Inline Markdown text that reads exactly as typed: HTML and Markdown punctuation escaped, control
/// and bidi-override characters removed.
pub fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in text::clean(s).chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

/// One table cell: [`inline`] text on one line, its line breaks written as `<br>`.
pub fn cell(s: &str) -> String {
    let cleaned = text::clean(s);
    let lines: Vec<String> = cleaned.split('\n').map(|l| inline(l.trim())).filter(|l| !l.is_empty()).collect();
    lines.join("<br>")
}

/// Paragraphs of free text: [`inline`] text, a single line break kept as a hard break, and anything
/// that would start a Markdown block (a list, a quote, a numbered line) escaped.
fn prose(s: &str) -> String {
    let cleaned = text::clean(s);
    let mut out = String::new();
    let mut blank = false;
    for line in cleaned.trim().lines() {
        let line = line.trim();
        if line.is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "<br>\n" });
        }
        blank = false;
        out.push_str(&block_safe(&inline(line)));
    }
    out
}

/// Escapes what would make an [`inline`]-escaped line start a Markdown block or turn the line before it
/// into a heading: `-`, `+`, `=`, or `1.` and `1)`. (`#`, `*` and `>` are already escaped.)
fn block_safe(line: &str) -> String {
    if line.starts_with(['-', '+', '=']) {
        return format!("\\{line}");
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with(['.', ')']) {
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    line.to_owned()
}

/// A list entry or reference: a bare `http(s)` URL becomes a link, anything else is escaped text.
fn reference(s: &str) -> String {
    let t = text::clean_line(s);
    let is_url = (t.starts_with("https://") || t.starts_with("http://"))
        && !t.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '`' | '|' | '"' | '\\'));
    if is_url { format!("<{t}>") } else { block_safe(&inline(&t)) }
}

/// A link destination: written as is when it is plain, else in angle brackets.
fn destination(link: &str) -> String {
    let link = text::clean_line(link);
    if link.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/')) {
        link
    } else {
        format!("<{}>", link.replace('<', "%3C").replace('>', "%3E"))
    }
}

/// A fenced code block whose fence is longer than any run of backticks inside it, so it cannot be closed early.
pub fn fenced(lang: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in body.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    let body = text::clean(body);
    let newline = if body.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{lang}\n{body}{newline}{fence}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_backticks_html_and_newlines() {
        assert_eq!(cell("a|b `c` <b>x</b>\nnext"), "a\\|b \\`c\\` &lt;b&gt;x&lt;/b&gt;<br>next");
        assert_eq!(cell("**bold** _i_ [l](u) ~s~"), "\\*\\*bold\\*\\* \\_i\\_ \\[l\\](u) \\~s\\~");
    }

    #[test]
    fn prose_cannot_start_blocks() {
        assert_eq!(
            prose("# not a heading\n- not a list\n1. not numbered\n\n> no quote"),
            "\\# not a heading<br>\n\\- not a list<br>\n1\\. not numbered\n\n&gt; no quote"
        );
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert_eq!(fenced("mermaid", "a\n"), "```mermaid\na\n```\n");
        assert!(fenced("mermaid", "x ```` y").starts_with("`````mermaid\n"));
    }

    #[test]
    fn references_link_urls_and_escape_the_rest() {
        assert_eq!(reference("https://gitlab.com/a_b"), "<https://gitlab.com/a_b>");
        assert_eq!(reference("see <script>"), "see &lt;script&gt;");
        assert_eq!(destination("report.svg"), "report.svg");
        assert_eq!(destination("my report (v2).svg"), "<my report (v2).svg>");
    }
}
