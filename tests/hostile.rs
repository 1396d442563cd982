//! Hostile labels through every exporter: nothing a user types may break a file, escape its place,
//! or smuggle markup into a drawing or a report.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use threatboard::formats::{json, mermaid, threat_dragon};
use threatboard::model::{Boundary, Category, Decomposition, Document, Element, ElementKind, Flow, Id, Point, Threat};
use threatboard::render::report::{self, ReportOptions};
use threatboard::render::{RenderOptions, Scene, png, svg};

/// Everything that has broken diagram and report tools before.
fn hostile_labels() -> Vec<String> {
    let mut labels: Vec<String> = [
        "</text><script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\"double\" and 'single' quotes",
        "Tom & Jerry &amp; &#x3C; &lt;",
        "a < b > c",
        "]]> <![CDATA[ x ]]>",
        "a --> b -.-> c ==> d",
        "pipe | in | label",
        "[brackets] (parens) {braces} ((circle))",
        "end",
        "%% not a comment %%{init: {}}%%",
        "| md | table | row |",
        "`backticks` and ```fences```",
        "<b>bold</b> <!-- comment -->",
        "line one\nline two\r\nline three",
        "nul \u{0} byte",
        "bidi \u{202E}override\u{202C} and \u{2066}isolate\u{2069}",
        "zero\u{200B}width\u{200D}joiner\u{FEFF}",
        "#hash; semi; colon: classDef x fill:#f00",
        "subgraph x",
        "日本語のラベル → ✓",
        "   leading and trailing spaces   ",
        "\\backslash\\ and \\n escaped",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    labels.push("x".repeat(10_000));
    labels
}

fn id(s: &str) -> Id {
    Id::new(s).unwrap()
}

/// One boundary, element, flow and threat per hostile label, every free-text field filled with it.
fn hostile_document() -> Document {
    let labels = hostile_labels();
    let mut doc = Document {
        title: labels[0].clone(),
        description: labels[13].clone(),
        decomposition: Decomposition {
            use_case: labels[2].clone(),
            entry_points: labels.clone(),
            trust_levels: vec![labels[11].clone()],
            previous_issues: vec![labels[12].clone()],
            references: vec![labels[1].clone()],
        },
        ..Document::default()
    };
    for (i, label) in labels.iter().enumerate() {
        let b = id(&format!("b{i}"));
        doc.boundaries.push(Boundary { id: b.clone(), label: label.clone(), parent: None, notes: label.clone() });
        for side in 0..2 {
            doc.elements.push(Element {
                id: id(&format!("e{i}-{side}")),
                kind: ElementKind::ALL[(i + side) % 3],
                label: label.clone(),
                boundary: (side == 0).then(|| b.clone()),
                at: Point::new(300.0 * i as f64, 250.0 * side as f64),
                out_of_scope: i % 4 == 0,
                out_of_scope_reason: if i % 4 == 0 { label.clone() } else { String::new() },
                notes: label.clone(),
            });
        }
        doc.flows.push(Flow {
            id: id(&format!("f{i}")),
            from: id(&format!("e{i}-0")),
            to: id(&format!("e{i}-1")),
            label: label.clone(),
            protocol: if i % 2 == 0 { label.clone() } else { "grpcs".into() },
            encrypted: None,
            bidirectional: i % 3 == 0,
            out_of_scope: i % 5 == 0,
            out_of_scope_reason: String::new(),
            notes: label.clone(),
        });
        doc.threats.push(Threat {
            id: id(&format!("T{i}")),
            target: id(&format!("f{i}")),
            category: Category::STRIDE[i % 6],
            classification: String::new(),
            title: format!("t {label}"),
            description: label.clone(),
            severity: threatboard::model::Severity::High,
            cvss: String::new(),
            status: threatboard::model::Status::ALL[i % 5],
            mitigation: label.clone(),
            references: vec![label.clone()],
            rule: String::new(),
        });
    }
    assert!(doc.validate().is_empty());
    doc
}

#[test]
fn json_keeps_every_label_exactly() {
    let doc = hostile_document();
    assert_eq!(json::from_str(&json::to_string(&doc)).unwrap(), doc);
}

#[test]
fn mermaid_reimports_to_the_same_labels() {
    let doc = hostile_document();
    let text = mermaid::export(&doc);
    // Node and edge text is rendered as HTML by Mermaid: markup in labels must be entity-coded there.
    // (The `%%` metadata and the YAML title are never rendered as HTML.)
    let mut front_matter = false;
    for line in text.lines() {
        if line == "---" {
            front_matter = !front_matter;
        }
        if !front_matter && !line.trim_start().starts_with("%%") {
            assert!(!line.contains("<script") && !line.contains("<img"), "raw markup in Mermaid: {}", short(line));
        }
    }
    let back = mermaid::import(&text).unwrap_or_else(|e| panic!("{e}\n{text}")).document;
    assert_eq!(back, doc);
}

#[test]
fn svg_stays_well_formed_and_scriptless() {
    let doc = hostile_document();
    let drawing = svg::to_svg(&Scene::build(&doc, &RenderOptions::default()));
    let lower = drawing.to_lowercase();
    for bad in ["<script", "<img", "<b>", "<!-- comment", "javascript:", "<![cdata["] {
        assert!(!lower.contains(bad), "{bad} came through into the SVG");
    }
    // No label may become an attribute: no event handlers, no links anywhere in the markup.
    for tag in lower.split('<').skip(1).map(|t| t.split('>').next().unwrap_or_default()) {
        for attr in tag.split_whitespace().skip(1) {
            assert!(
                !attr.starts_with("on") && !attr.starts_with("href") && !attr.contains(":href"),
                "attribute {attr} in <{}>",
                short(tag)
            );
        }
    }
    assert!(!drawing.contains('\u{0}'));
    // usvg is a strict XML parser: it rejects anything that is not well-formed.
    let tree = resvg::usvg::Tree::from_str(&drawing, png::options()).unwrap();
    assert!(tree.size().width() > 0.0);
}

#[test]
fn png_renders() {
    let doc = hostile_document();
    let drawing = svg::to_svg(&Scene::build(&doc, &RenderOptions::default()));
    let bytes = png::to_png(&drawing, 0.25).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
}

#[test]
fn markdown_tables_keep_their_columns_and_no_label_html_survives() {
    let doc = hostile_document();
    let md = report::to_markdown(&doc, &ReportOptions::default());
    let lower = md.to_lowercase();
    for bad in ["<script", "<img", "<b>", "<!-- comment"] {
        let at = lower.find(bad).map(|i| short(&md[i.saturating_sub(40)..]));
        assert!(at.is_none(), "{bad} came through into the report: {at:?}");
    }
    assert!(!md.contains('\u{0}'));
    let mut in_code = false;
    let mut columns: Option<usize> = None;
    for line in md.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if line.starts_with('|') {
            let cells = split_cells(line);
            match columns {
                None => columns = Some(cells),
                Some(n) => assert_eq!(cells, n, "a table row changed its column count: {line}"),
            }
        } else {
            columns = None;
        }
    }
}

/// The first characters of a long text, for readable failure messages.
fn short(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Counts Markdown table cells, honouring `\|` escapes and code spans.
fn split_cells(line: &str) -> usize {
    let mut cells = 0usize;
    let mut escaped = false;
    let mut code = false;
    for ch in line.trim().chars() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '`' => code = !code,
            '|' if !code => cells += 1,
            _ => {}
        }
    }
    cells.saturating_sub(1)
}

#[test]
fn threat_dragon_export_is_json_and_keeps_the_labels() {
    let doc = hostile_document();
    let text = threat_dragon::export(&doc);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(value.is_object());
    let back = threat_dragon::import(&text, &threat_dragon::DiagramChoice::Only).unwrap();
    let back = &back[0].document;
    // Threat Dragon import trims names, as Threat Dragon's own editor does.
    let mut want: Vec<&str> = doc.elements.iter().map(|e| e.label.trim()).collect();
    let mut got: Vec<&str> = back.elements.iter().map(|e| e.label.as_str()).collect();
    want.sort_unstable();
    got.sort_unstable();
    assert!(
        got == want,
        "labels changed: {:?}",
        got.iter().zip(&want).find(|(g, w)| g != w).map(|(g, w)| (short(g), short(w)))
    );
}
