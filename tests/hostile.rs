//! Hostile labels through every exporter: nothing a user types may break a file, escape its place,
//! or smuggle markup into a drawing or a report.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use threatboard::analysis::{self, RuleSet, sarif};
use threatboard::formats::{json, mermaid, threat_dragon};
use threatboard::model::{
    Boundary, Category, Decomposition, Document, Element, ElementKind, Flow, Id, Index, Point, Severity, Threat,
    geometry,
};
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

#[test]
fn sarif_is_json_and_keeps_the_labels() {
    let doc = hostile_document();
    let rules = RuleSet::builtin().unwrap();
    let report = analysis::check(&doc, &json::to_string(&doc), &rules, Severity::Low);
    assert!(report.findings.iter().any(|f| f.kind == analysis::FindingKind::Suggestion), "rules fire on the labels");
    let file = "models/</text><script> & \"quotes\" \u{202E}.json";
    let text = sarif::to_string(&report, &rules, file);
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &log["runs"][0];
    let uri = run["artifacts"][0]["location"]["uri"].as_str().unwrap();
    assert!(uri.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)), "{uri}");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.len());
    let descriptors = run["tool"]["driver"]["rules"].as_array().unwrap();
    for (f, r) in report.findings.iter().zip(results) {
        let mut message = f.title.clone();
        if !f.description.trim().is_empty() {
            message = format!("{message}. {}", f.description.trim());
        }
        assert!(r["message"]["text"].as_str() == Some(message.as_str()), "message of {} changed", f.key());
        let location = &r["locations"][0]["logicalLocations"][0];
        assert_eq!(location["name"].as_str(), Some(f.target.as_str()));
        if f.kind == analysis::FindingKind::Threat {
            let rule = descriptors.iter().find(|d| d["id"] == r["ruleId"]).unwrap();
            assert!(
                rule["shortDescription"]["text"].as_str() == Some(f.title.as_str()),
                "title of {} changed",
                f.key()
            );
            assert!(
                rule["help"]["text"].as_str() == Some(f.mitigation.as_str()) || f.mitigation.trim().is_empty(),
                "mitigation of {} changed",
                f.key()
            );
        }
    }
    let threats = report.findings.iter().filter(|f| f.kind == analysis::FindingKind::Threat).count();
    assert_eq!(threats, doc.threats.iter().filter(|t| t.status == threatboard::model::Status::Open).count());
}

/// `depth` boundaries, each inside the one before, with an element in the innermost and one outside.
fn nested_document(depth: usize) -> Document {
    let mut doc = Document::default();
    for i in 0..depth {
        doc.boundaries.push(Boundary {
            id: id(&format!("b{i}")),
            label: format!("zone {i}"),
            parent: i.checked_sub(1).map(|p| id(&format!("b{p}"))),
            notes: String::new(),
        });
    }
    for (name, boundary) in [("inner", depth.checked_sub(1).map(|d| id(&format!("b{d}")))), ("outer", None)] {
        doc.elements.push(Element {
            id: id(name),
            kind: ElementKind::Process,
            label: name.into(),
            boundary,
            at: Point::new(0.0, if name == "inner" { 0.0 } else { 400.0 }),
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: String::new(),
        });
    }
    doc.flows.push(Flow {
        label: "reads".into(),
        protocol: "https".into(),
        ..Flow::new(id("inner-to-outer"), id("inner"), id("outer"))
    });
    doc
}

/// Runs `f` on a thread with the 2 MB stack of a test thread, failing if it takes longer than `limit`.
fn within<T: Send + 'static>(what: &str, limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let started = Instant::now();
    let out = std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().unwrap();
    assert!(started.elapsed() < limit, "{what} took {:?}", started.elapsed());
    out
}

#[test]
fn mermaid_subgraphs_ten_thousand_deep_are_an_error_not_a_crash() {
    let depth = 10_000;
    let mut text = String::from("flowchart TD\n");
    for i in 0..depth {
        let _ = writeln!(text, "subgraph s{i}");
    }
    text.push_str("a --> b\n");
    text.push_str(&"end\n".repeat(depth));
    let result = within("importing", Duration::from_secs(20), move || mermaid::import(&text).map(|i| i.document));
    let e = result.expect_err("nesting that deep is refused");
    assert!(e.message.contains("nested"), "{e}");
    // Unclosed, and closed too often: errors too.
    for text in
        [format!("flowchart TD\n{}", "subgraph x\n".repeat(depth)), format!("flowchart TD\n{}", "end\n".repeat(depth))]
    {
        let _ = within("importing", Duration::from_secs(20), move || mermaid::import(&text).map(|i| i.document));
    }
}

#[test]
fn mermaid_subgraphs_as_deep_as_accepted_go_through_every_export() {
    let mut text = String::from("flowchart TD\n");
    let depth = 100;
    for i in 0..depth {
        let _ = writeln!(text, "subgraph s{i}");
    }
    text.push_str("a --> b\n");
    text.push_str(&"end\n".repeat(depth));
    let doc = mermaid::import(&text).unwrap().document;
    assert_eq!(doc.boundaries.len(), depth);
    let back = within("exporting", Duration::from_mins(1), move || export_everything(&doc));
    assert_eq!(back.boundaries.len(), depth, "the Mermaid export re-imports");
}

#[test]
fn boundary_parents_ten_thousand_deep_are_refused_with_a_clear_message() {
    let text = json::to_string(&nested_document(10_000));
    let loaded = within("loading", Duration::from_secs(30), move || json::from_str(&text));
    let e = loaded.expect_err("nesting that deep is refused");
    assert!(e.to_string().contains("nested 101 deep"), "{e}");
    assert_eq!(e.diagnostics.len(), 1, "one problem, not one per boundary");
    assert_eq!(e.diagnostics[0].path.as_deref(), Some("boundaries[100].parent"));
}

#[test]
fn boundary_parents_as_deep_as_accepted_go_through_every_export() {
    let depth = threatboard::model::MAX_BOUNDARY_DEPTH;
    let text = json::to_string(&nested_document(depth));
    let doc = json::from_str(&text).unwrap();
    let back = within("exporting", Duration::from_mins(1), move || export_everything(&doc));
    assert_eq!(back.boundaries.len(), depth, "the Mermaid export re-imports");
}

#[test]
fn threat_dragon_boxes_nested_too_deep_import_as_valid_documents() {
    // The exporter draws whatever it is given; the importer must still make a valid document of it.
    let text = threat_dragon::export(&nested_document(150));
    let imported = within("importing", Duration::from_mins(1), move || {
        threat_dragon::import(&text, &threat_dragon::DiagramChoice::Only).unwrap()
    });
    let doc = &imported[0].document;
    assert_eq!(doc.boundaries.len(), 150);
    assert!(doc.validate().is_empty(), "{:?}", doc.validate().first());
    assert!(imported[0].warnings.iter().any(|w| w.message.contains("deep")), "the flattening is reported");
}

/// Every query and export a document goes through in the editor and the command line; returns the
/// document the Mermaid export re-imports to (or an empty one if that is refused).
fn export_everything(doc: &Document) -> Document {
    let ix = Index::new(doc);
    for f in &doc.flows {
        let _ = ix.crossings(f);
    }
    let _ = geometry::boundary_rects(doc);
    let mut laid = doc.clone();
    threatboard::layout::layout(&mut laid, &threatboard::layout::LayoutOptions::default());
    let drawing = svg::to_svg(&Scene::build(doc, &RenderOptions::default()));
    let _ = resvg::usvg::Tree::from_str(&drawing, png::options()).unwrap();
    let _ = report::to_markdown(doc, &ReportOptions::default());
    let td = threat_dragon::export(doc);
    let _ = threat_dragon::import(&td, &threat_dragon::DiagramChoice::Only).unwrap();
    let _ = threatboard::diff::compare(doc, &laid);
    let rules = RuleSet::builtin().unwrap();
    let _ = sarif::to_string(&analysis::check(doc, &json::to_string(doc), &rules, Severity::Low), &rules, "m.json");
    mermaid::import(&mermaid::export(doc)).map(|i| i.document).unwrap_or_default()
}

#[test]
fn mermaid_metadata_positions_out_of_range_are_laid_out_instead() {
    // Found by fuzzing: one element's stored position far outside the canvas, others without one;
    // the layout, moved to sit at the stored positions, carried every element out of range.
    let text = "flowchart LR\n  %% threatboard:1 element far {\"at\":[7.2e88,340.0]}\n  far --> a\n  \
                %% threatboard:1 element edge {\"at\":[10000000.0,-10000000.0]}\n  edge --> b\n  a --> b\n";
    let imported = mermaid::import(text).unwrap();
    let doc = &imported.document;
    assert_eq!(doc.validate(), [], "every position within range");
    let at = |id: &str| doc.elements.iter().find(|e| e.id.as_str() == id).unwrap().at;
    assert_eq!(at("edge"), Point::new(10_000_000.0, -10_000_000.0), "a position in range is kept");
    assert!(at("far").x.abs() < 10_000_000.0);
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    assert!(warnings.iter().any(|w| w.starts_with("3:3: position [") && w.contains("`far`")), "{warnings:?}");
}
