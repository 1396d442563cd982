//! Label text for drawings and reports: cleaning user text, estimating its width, wrapping and fitting it.
//!
//! Widths are estimated from the advance widths of `DejaVu Sans` (the font the PNG export ships), so that label
//! boxes fit the rasterised text exactly and leave room in browsers, whose fallback fonts are narrower.

/// Removes what must never reach an export: control characters (NUL, escape, C1 controls; a tab becomes a
/// space), bidirectional embeddings, overrides and isolates (which can make a label read backwards),
/// byte-order marks and the non-characters XML forbids. Line breaks (`\n`) are kept; `\r` is dropped.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// [`clean`], with line breaks turned into spaces and the ends trimmed: for one-line places.
pub fn clean_line(text: &str) -> String {
    // Most labels have nothing to clean: no line breaks, tabs or forbidden characters.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.trim().to_owned();
    }
    let cleaned = clean(text);
    cleaned.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// True for characters no export may contain.
pub(crate) fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200E}' | '\u{200F}' // left-to-right and right-to-left marks
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{FEFF}' // byte-order mark
            | '\u{FFFE}' | '\u{FFFF}')
}

/// `DejaVu Sans` advance widths of the printable ASCII characters, in 1/2048 em (its units per em).
const ASCII_ADVANCE: [u16; 95] = [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303,
    1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587,
    1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403,
    799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298,
    1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
];

/// Width of one character in em.
fn advance_em(c: char) -> f64 {
    let cp = c as u32;
    if (0x20..0x7F).contains(&cp) {
        return f64::from(ASCII_ADVANCE[(cp - 0x20) as usize]) / 2048.0;
    }
    match cp {
        // Combining marks and zero-width characters take no room of their own.
        0x0300..=0x036F | 0x200B..=0x200D => 0.0,
        // East Asian wide and full-width characters, Hangul, emoji: a full em.
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1FAFF
        | 0x20000..=0x3FFFD => 1.0,
        // Arrows and most symbols are as wide as DejaVu's `+`.
        0x2190..=0x21FF | 0x2200..=0x22FF | 0x2600..=0x27BF => 0.84,
        // Other letters (accented Latin, Greek, Cyrillic, Hebrew, Arabic): a little over the ASCII average.
        _ => 0.68,
    }
}

/// Estimated width of one line of text at `size` (font size in canvas units).
pub fn width(line: &str, size: f64) -> f64 {
    line.chars().map(advance_em).sum::<f64>() * size
}

/// `line`, shortened with an ellipsis so that it is at most `max_width` wide at `size`.
pub fn fit(line: &str, max_width: f64, size: f64) -> String {
    if width(line, size) <= max_width {
        return line.to_owned();
    }
    let budget = max_width - width("…", size);
    let mut used = 0.0;
    let mut out = String::new();
    for c in line.chars() {
        used += advance_em(c) * size;
        if used > budget {
            break;
        }
        out.push(c);
    }
    let mut out = out.trim_end().to_owned();
    out.push('…');
    out
}

/// Splits `text` into lines of at most `max_chars` characters at spaces (a longer word is cut), keeping
/// its own line breaks; at most `max_lines` lines, the last one ending in `…` when text was left out.
pub fn wrap(text: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
    let max_chars = max_chars.max(2);
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        let mut len = 0;
        for word in paragraph.split_whitespace() {
            let mut chars: Vec<char> = word.chars().collect();
            if len > 0 && len + 1 + chars.len() > max_chars {
                lines.push(std::mem::take(&mut current));
                len = 0;
            }
            while chars.len() > max_chars {
                // A word longer than a line: cut it.
                let rest = chars.split_off(max_chars);
                lines.push(chars.into_iter().collect());
                chars = rest;
            }
            if len > 0 {
                current.push(' ');
                len += 1;
            }
            len += chars.len();
            current.extend(chars);
        }
        if !current.is_empty() {
            lines.push(current);
        }
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            if last.chars().count() >= max_chars {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strips_controls_and_bidi_but_keeps_line_breaks() {
        assert_eq!(clean("a\0b\u{1b}[31mc\td\u{202E}e\u{2066}f\u{85}g\r\nh"), "ab[31mc de\u{0066}g\nh");
        assert_eq!(clean_line(" one \n two\n\n"), "one two");
        assert_eq!(clean_line("  plain label "), "plain label");
        assert_eq!(clean_line("   "), "");
        assert_eq!(clean_line("tab\there"), "tab here");
        assert_eq!(clean("agent ↔ kas"), "agent ↔ kas");
    }

    #[test]
    fn widths_follow_the_font() {
        assert!(width("iiii", 13.0) < width("mmmm", 13.0));
        assert!((width("a", 2048.0) - 1255.0).abs() < 1e-9);
        assert!(width("中文", 10.0) > width("ab", 10.0));
    }

    #[test]
    fn fit_shortens_with_an_ellipsis() {
        assert_eq!(fit("short", 100.0, 10.0), "short");
        let long = fit("a rather long label indeed", 60.0, 10.0);
        assert!(long.ends_with('…'));
        assert!(width(&long, 10.0) <= 60.0);
    }

    #[test]
    fn wrap_breaks_at_spaces_and_marks_what_it_left_out() {
        assert_eq!(wrap("GetAgentInfo (JWT + agent token)", 20, 3), vec!["GetAgentInfo (JWT +", "agent token)"]);
        assert_eq!(wrap("one two three four", 7, 2), vec!["one two", "three…"]);
        assert_eq!(wrap("abcdefghij", 4, 5), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("line one\nline two", 40, 5), vec!["line one", "line two"]);
        assert!(wrap("", 10, 3).is_empty());
    }
}
