//! Label text: escaping for Mermaid's quoted strings, and decoding what people write in labels
//! (entity codes, HTML entities, `<br>` line breaks, multi-line text).

use std::borrow::Cow;
use std::fmt::Write;

/// Escapes a label for use inside `"…"` in Mermaid, so that nothing in it can end the string,
/// start a directive, look like an entity, or trip Mermaid's whole-line regular expressions.
///
/// `colons` escapes `:` too: Mermaid rewrites lines matching `style.*:\S*#.*;` before parsing,
/// so a line that mentions `style` or `classDef` must not hold a literal colon.
#[cfg(test)]
pub fn escape(label: &str, colons: bool) -> String {
    let mut out = String::with_capacity(label.len() + 8);
    escape_into(&mut out, label, colons);
    out
}

/// Appends `label` to `out`, escaped as [`escape`] describes.
pub fn escape_into(out: &mut String, label: &str, colons: bool) {
    if label.is_empty() {
        // Mermaid rejects `""`; a lone space reads back as the empty label.
        out.push(' ');
        return;
    }
    // Leading and trailing whitespace is written as codes, which Mermaid does not trim.
    let lead = label.len() - label.trim_start().len();
    let trail = if lead == label.len() { label.len() } else { label.trim_end().len() };
    for (at, c) in label.char_indices() {
        if at < lead || at >= trail {
            let _ = write!(out, "#{};", c as u32);
            continue;
        }
        // `direction` followed by a space and a direction would turn the whole line into a statement.
        if c == 'n'
            && label.as_bytes()[..at].ends_with(b"directio")
            && label[at + 1..].chars().next().is_some_and(char::is_whitespace)
        {
            out.push_str("#110;");
            continue;
        }
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '%' => out.push_str("#37;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            ':' if colons => out.push_str("#58;"),
            '\n' => out.push_str("<br>"),
            '\t' => out.push('\t'),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(out, "#{};", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// True when a line holding `s` must escape colons (see [`escape`]).
pub fn mentions_style(s: &str) -> bool {
    s.contains("style") || s.contains("classDef")
}

/// Turns label text as written in a diagram into the label: trims it, turns `<br>` and line breaks
/// (with the indentation around them) into `\n`, and decodes `#name;`, `#123;` and HTML entities.
pub fn decode(raw: &str) -> Cow<'_, str> {
    let raw = raw.trim();
    // Only these characters start something to decode; most labels have none of them.
    if !raw.contains(['<', '#', '&', '\r', '\n']) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                if let Some(n) = br_tag(rest) {
                    out.push('\n');
                    rest = &rest[n..];
                    continue;
                }
            }
            '#' => {
                if let Some((ch, n)) = mermaid_entity(rest) {
                    out.push_str(&ch);
                    rest = &rest[n..];
                    continue;
                }
            }
            '&' => {
                if let Some((ch, n)) = html_entity(rest) {
                    out.push(ch);
                    rest = &rest[n..];
                    continue;
                }
            }
            '\r' | '\n' => {
                while out.ends_with([' ', '\t']) {
                    out.pop();
                }
                out.push('\n');
                rest = rest.trim_start_matches(['\r', '\n', ' ', '\t']);
                continue;
            }
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// Length of a `<br>`, `<br/>`, `<br />` or `</br>` tag at the start of `s`.
fn br_tag(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    if b.get(i) == Some(&b'/') {
        i += 1;
    }
    if !(b.get(i).is_some_and(|c| c.eq_ignore_ascii_case(&b'b'))
        && b.get(i + 1).is_some_and(|c| c.eq_ignore_ascii_case(&b'r')))
    {
        return None;
    }
    i += 2;
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    if b.get(i) == Some(&b'/') {
        i += 1;
    }
    (b.get(i) == Some(&b'>')).then_some(i + 1)
}

fn named(name: &str) -> Option<char> {
    Some(match name {
        "quot" => '"',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "num" => '#',
        "semi" => ';',
        "colon" => ':',
        "vert" | "verbar" => '|',
        "lpar" => '(',
        "rpar" => ')',
        "lsqb" | "lbrack" => '[',
        "rsqb" | "rbrack" => ']',
        "lcub" | "lbrace" => '{',
        "rcub" | "rbrace" => '}',
        "percnt" => '%',
        "grave" => '`',
        "copy" => '©',
        "reg" => '®',
        "hearts" => '♥',
        "rarr" => '→',
        "larr" => '←',
        "harr" => '↔',
        "middot" => '·',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        _ => return None,
    })
}

/// Mermaid's own entity codes: `#quot;`, `#35;`, `#9829;`.
fn mermaid_entity(s: &str) -> Option<(String, usize)> {
    let body = &s[1..];
    let end = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    if end == 0 || body.as_bytes()[end] != b';' {
        return None;
    }
    let name = &body[..end];
    let ch = if name.bytes().all(|b| b.is_ascii_digit()) {
        char::from_u32(name.parse::<u32>().ok()?)?
    } else {
        named(name)?
    };
    Some((ch.to_string(), end + 2))
}

/// HTML entities: `&amp;`, `&#40;`, `&#x28;`, and numeric ones without their `;` as browsers accept.
fn html_entity(s: &str) -> Option<(char, usize)> {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 2),
            None => (num, 10, 1),
        };
        let len = digits.find(|c: char| !c.is_digit(radix)).unwrap_or(digits.len());
        if len == 0 || len > 8 {
            return None;
        }
        let ch = char::from_u32(u32::from_str_radix(&digits[..len], radix).ok()?)?;
        let semi = usize::from(digits[len..].starts_with(';'));
        return Some((ch, 1 + skip + len + semi));
    }
    let end = body.find(|c: char| !c.is_ascii_alphanumeric())?;
    if end == 0 || body.as_bytes()[end] != b';' {
        return None;
    }
    Some((named(&body[..end])?, end + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips_hostile_labels() {
        for s in [
            "",
            " ",
            "plain",
            " lead and trail ",
            "quote \" pipe | brackets [](){}",
            "arrow --> end ; # %% %%{init}%% `md`",
            "two\nlines",
            "\nedge newline\n",
            "entity #quot; and &amp; literally",
            "unicode åäö 日本 ♥",
            "go direction TB now",
            "style x:#fff;",
            "tab\tinside",
            "<br> literal",
            "\u{2028}sep",
            "ctrl \u{1} \u{7f}",
        ] {
            for colons in [false, true] {
                let e = escape(s, colons);
                assert!(!e.contains('"') && !e.contains('\n') && !e.contains('%'), "{e}");
                assert!(!e.contains("direction ") && !e.contains("direction\t"), "{e}");
                assert_eq!(decode(&e), s, "{s:?} → {e:?}");
            }
        }
    }

    #[test]
    fn decodes_what_people_write() {
        assert_eq!(decode("Cache<br/>&#40ValKey&#41"), "Cache\n(ValKey)");
        assert_eq!(decode("OTEL\n             SDK"), "OTEL\nSDK");
        assert_eq!(decode("a #9829; b"), "a ♥ b");
        assert_eq!(decode("x</br>y"), "x\ny");
        assert_eq!(decode("#unknown; stays"), "#unknown; stays");
        assert_eq!(decode("  spaced  "), "spaced");
    }
}

/// The text shown on a flow: its label and protocol, `label · protocol`, or just one of them when
/// the other is empty or the label already names the protocol (`gRPC` for grpc).
/// [`split_flow_text`] undoes it exactly when the protocol is known.
pub fn flow_text(label: &str, protocol: &str) -> String {
    let mut out = String::with_capacity(label.len() + protocol.len() + 4);
    push_flow_text(&mut out, label, protocol);
    out
}

/// Appends what [`flow_text`] returns to `out`.
pub fn push_flow_text(out: &mut String, label: &str, protocol: &str) {
    if protocol.is_empty() {
        out.push_str(label);
        return;
    }
    if label.is_empty() {
        out.push_str(protocol);
        return;
    }
    let has_suffix = label.strip_suffix(protocol).is_some_and(|rest| rest.ends_with(" · "));
    let names_it = label != protocol
        && !has_suffix
        && crate::model::protocol::recognise(label).is_some_and(|p| p.name == protocol);
    out.push_str(label);
    if !names_it {
        out.push_str(" · ");
        out.push_str(protocol);
    }
}

/// The label back from the text [`flow_text`] made for `protocol`.
pub fn split_flow_text(text: &str, protocol: &str) -> String {
    if protocol.is_empty() {
        return text.to_owned();
    }
    if text == protocol {
        return String::new();
    }
    text.strip_suffix(protocol).and_then(|rest| rest.strip_suffix(" · ")).unwrap_or(text).to_owned()
}

#[cfg(test)]
mod flow_text_tests {
    use super::*;

    #[test]
    fn flow_text_is_undone_exactly() {
        for (label, protocol) in [
            ("", ""),
            ("", "grpc"),
            ("grpc", "grpc"),
            ("gRPC", "grpc"),
            ("REST API", "http"),
            ("bidirectional streaming", "grpc"),
            ("x · grpc", "grpc"),
            ("x · grpc", ""),
            ("gRPC", "grpcs"),
            ("proxy pass port 5005", ""),
            ("a", "carrier pigeon"),
        ] {
            let text = flow_text(label, protocol);
            assert_eq!(split_flow_text(&text, protocol), label, "{label:?} {protocol:?} → {text:?}");
        }
        assert_eq!(flow_text("gRPC", "grpc"), "gRPC");
        assert_eq!(flow_text("read", "grpcs"), "read · grpcs");
    }
}
