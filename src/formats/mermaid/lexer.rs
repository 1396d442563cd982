//! Low-level reading of flowchart text: a byte cursor over the source, line:column positions, and
//! the pre-pass Mermaid itself makes (front matter, `%%{…}%%` directives and `%%` comment lines).
//!
//! The pre-pass blanks what it removes with spaces, so every offset still points into the original text.

use std::cell::OnceCell;

use super::MermaidError;
use super::ast::Pos;

/// Maps byte offsets to 1-based line and character column.
#[derive(Debug)]
pub struct Lines<'a> {
    text: &'a str,
    /// Where each line starts; found when the first position is asked for, as most imports
    /// have no warning to place.
    starts: OnceCell<Vec<usize>>,
}

impl<'a> Lines<'a> {
    /// Prepares to locate offsets in `text`.
    pub fn new(text: &'a str) -> Self {
        Self { text, starts: OnceCell::new() }
    }

    fn starts(&self) -> &[usize] {
        self.starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.text.match_indices('\n').map(|(i, _)| i + 1));
            starts
        })
    }

    /// Line and column of a byte offset.
    pub fn locate(&self, pos: Pos) -> (usize, usize) {
        let pos = pos.min(self.text.len());
        let starts = self.starts();
        let line = starts.partition_point(|&s| s <= pos).max(1);
        let start = starts[line - 1];
        let mut end = pos;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        (line, self.text[start..end].chars().count() + 1)
    }

    /// An error at `pos`.
    pub fn error(&self, pos: Pos, message: impl Into<String>) -> MermaidError {
        let (line, column) = self.locate(pos);
        MermaidError { line, column, message: message.into() }
    }
}

/// What the pre-pass found.
#[derive(Debug, Default)]
pub struct Prepass<'a> {
    /// The text with front matter, directives and comments blanked out.
    pub code: String,
    /// `title:` from the front matter.
    pub title: Option<String>,
    /// Comment lines: offset of `%%` and the text after it.
    pub comments: Vec<(Pos, &'a str)>,
    /// Skipped constructs: offset and message.
    pub skipped: Vec<(Pos, String)>,
}

fn blank(code: &mut [u8], from: usize, to: usize) {
    for b in &mut code[from..to] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// Runs the pre-pass over `text`.
pub fn prepass<'a>(text: &'a str, lines: &Lines<'_>) -> Result<Prepass<'a>, MermaidError> {
    let mut code = text.as_bytes().to_vec();
    let mut out = Prepass::default();
    let mut i = 0;
    // YAML front matter: `---` on the first non-blank line, up to the next `---` line.
    let first = text.len() - text.trim_start().len();
    if text[first..].starts_with("---") && text[first + 3..].trim_start_matches([' ', '\t']).starts_with(['\n', '\r']) {
        let body_start = text[first..].find('\n').map_or(text.len(), |n| first + n + 1);
        let mut at = body_start;
        let mut end = None;
        while at < text.len() {
            let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            if text[at..line_end].trim_end() == "---" {
                end = Some((at, line_end));
                break;
            }
            at = line_end + 1;
        }
        let Some((close, close_end)) = end else {
            return Err(lines.error(first, "the front matter opened by `---` is never closed"));
        };
        front_matter(&text[body_start..close], body_start, &mut out);
        blank(&mut code, first, close_end);
        i = close_end;
    }
    while i < text.len() {
        let line_end = text[i..].find('\n').map_or(text.len(), |n| i + n);
        let line = &text[i..line_end];
        let indent = line.len() - line.trim_start().len();
        let at = i + indent;
        if line[indent..].starts_with("%%{") {
            // A directive may span lines; it ends at `}%%`.
            let close = text[at..].find("}%%").map(|n| at + n + 3);
            let Some(close) = close else {
                return Err(lines.error(at, "the directive opened by `%%{` is never closed with `}%%`"));
            };
            out.skipped.push((at, "directive ignored (Threatboard does not use Mermaid configuration)".into()));
            blank(&mut code, at, close);
            i = close;
            continue;
        }
        if line[indent..].starts_with("%%") {
            out.comments.push((at, line[indent + 2..].trim_end_matches('\r')));
            // A comment line holds no line break to keep.
            code[at..line_end].fill(b' ');
        }
        i = line_end + 1;
    }
    // Only whole ASCII bytes were replaced by spaces, so the text is still UTF-8.
    out.code = String::from_utf8(code).unwrap_or_default();
    Ok(out)
}

/// Reads `title:` from the front matter; other keys are configuration and are skipped.
fn front_matter(body: &str, offset: usize, out: &mut Prepass<'_>) {
    let mut at = offset;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if !trimmed.starts_with([' ', '\t', '#']) && !trimmed.is_empty() {
            if let Some(value) = trimmed.strip_prefix("title:") {
                out.title = Some(yaml_scalar(value.trim()));
            } else {
                let key = trimmed.split(':').next().unwrap_or(trimmed);
                out.skipped.push((at, format!("front matter `{key}` ignored (Mermaid configuration)")));
            }
        }
        at += line.len();
    }
}

/// A one-line YAML scalar: double-quoted (with escapes), single-quoted, or plain.
pub fn yaml_scalar(v: &str) -> String {
    if let Some(inner) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('0') => out.push('\0'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                }
                Some('U') => {
                    let hex: String = chars.by_ref().take(8).collect();
                    out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                }
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        }
        return out;
    }
    if let Some(inner) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return inner.replace("''", "'");
    }
    v.to_owned()
}

/// Writes a YAML double-quoted scalar that js-yaml reads back as `s`.
pub fn yaml_quote(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            // Markup characters are escaped too, so no label text looks like HTML in a report.
            '%' | '#' | '<' | '>' | '&' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}') => {
                if (c as u32) <= 0xffff {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_lines_and_characters() {
        let text = "ab\nåäö x\n";
        let lines = Lines::new(text);
        assert_eq!(lines.locate(0), (1, 1));
        assert_eq!(lines.locate(3), (2, 1));
        assert_eq!(lines.locate(text.find('x').unwrap()), (2, 5));
    }

    #[test]
    fn yaml_quoting_round_trips() {
        for s in ["plain", "a \"q\" \\ b", "tab\tnl\n", "%%{init}%% #x", "\u{7f}\u{85}\u{2028}", "日本"] {
            assert_eq!(yaml_scalar(&yaml_quote(s)), s);
        }
    }

    #[test]
    fn prepass_blanks_comments_and_keeps_offsets() {
        let text = "---\ntitle: T\nconfig:\n  x: 1\n---\ngraph TD\n%% hello\n%%{init: {}}%%\nA-->B\n";
        let lines = Lines::new(text);
        let p = prepass(text, &lines).unwrap();
        assert_eq!(p.code.len(), text.len());
        assert_eq!(p.title.as_deref(), Some("T"));
        assert_eq!(p.comments.len(), 1);
        assert!(p.code.contains("graph TD") && !p.code.contains("hello") && !p.code.contains("init"));
        assert_eq!(p.skipped.len(), 2);
    }
}
