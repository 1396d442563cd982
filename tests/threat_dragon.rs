//! Threat Dragon import and export against the shared corpus: counts taken from the raw JSON,
//! malformed and foreign files, export validated with Threat Dragon's own v2 schema, round trips.
// Helpers outside `#[test]` functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use threatboard::formats::json;
use threatboard::formats::threat_dragon::{DiagramChoice, Imported, TdError, export, import};
use threatboard::model::{Category, Document, encryption};

/// The Threat Dragon part of the third-party corpus (`tests/corpus`, provenance in its README).
fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/threat-dragon")
}

fn read(rel: &str) -> String {
    let path = corpus().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every JSON file of the corpus except the schemas, relative to it, sorted.
fn corpus_files() -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "schema") {
                    walk(&path, root, out);
                }
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let root = corpus();
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort();
    out
}

/// Files that are other formats, with the name the error must give.
const FOREIGN: [(&str, &str); 6] = [
    ("huskyai.tmbom.json", "TMBOM"),
    ("mobile-cloud.otm.json", "Open Threat Model (OTM)"),
    ("ThreatDragonModels/test/example-open-threat-model.json", "Open Threat Model (OTM)"),
    ("ThreatDragonModels/tmbom-multi-example.cdx.json", "CycloneDX"),
    ("ThreatDragonModels/tmbom-otm-example.cdx.json", "CycloneDX"),
    ("ThreatDragonModels/tmbom-pytm-example.cdx.json", "CycloneDX"),
];
/// Malformed Threat Dragon files that cannot be imported, with the misspelt key the error must name.
const MALFORMED: [(&str, &str); 2] = [
    ("ThreatDragonModels/test/malformed-new-model.json", "diagramming"),
    ("ThreatDragonModels/test/v2-malformed-new-model.json", "details"),
];

/// Counts taken straight from the JSON, by the rules the importer documents: boxes and curves are
/// boundaries; a flow counts when both its ends are elements, or free points within 30 units of one.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    elements: usize,
    flows: usize,
    boundaries: usize,
    threats: usize,
}

fn raw_counts(diagram: &Value) -> Counts {
    let (cells, v1) = match (diagram.get("cells"), diagram.pointer("/diagramJson/cells")) {
        (Some(Value::Array(c)), _) => (c.clone(), false),
        (_, Some(Value::Array(c))) => (c.clone(), true),
        _ => return Counts::default(),
    };
    let kind = |c: &Value| -> String {
        let t = if v1 { c.get("type") } else { c.pointer("/data/type") };
        t.and_then(Value::as_str).unwrap_or_default().to_owned()
    };
    let threats_of = |c: &Value| -> usize {
        let t = if v1 { c.get("threats") } else { c.pointer("/data/threats") };
        t.and_then(Value::as_array).map_or(0, Vec::len)
    };
    let is_element = |k: &str| matches!(k, "tm.Actor" | "tm.Process" | "tm.Store");
    let mut counts = Counts::default();
    let elements: Vec<&Value> = cells.iter().filter(|c| is_element(&kind(c))).collect();
    let ids: Vec<&str> = elements.iter().filter_map(|c| c.get("id").and_then(Value::as_str)).collect();
    counts.elements = elements.len();
    counts.threats = elements.iter().map(|c| threats_of(c)).sum();
    counts.boundaries = cells.iter().filter(|c| matches!(kind(c).as_str(), "tm.Boundary" | "tm.BoundaryBox")).count();
    let near_element = |x: f64, y: f64| {
        elements.iter().any(|c| {
            let (px, py) =
                (c.pointer("/position/x").and_then(Value::as_f64), c.pointer("/position/y").and_then(Value::as_f64));
            let (w, h) =
                (c.pointer("/size/width").and_then(Value::as_f64), c.pointer("/size/height").and_then(Value::as_f64));
            let (Some(px), Some(py), Some(w), Some(h)) = (px, py, w, h) else { return false };
            let dx = (px - x).max(0.0).max(x - (px + w));
            let dy = (py - y).max(0.0).max(y - (py + h));
            dx.hypot(dy) <= 30.0
        })
    };
    let resolves = |end: Option<&Value>| -> bool {
        let Some(end) = end else { return false };
        let key = if v1 { "id" } else { "cell" };
        match end.get(key).and_then(Value::as_str) {
            Some(id) => ids.contains(&id),
            None => match (end.get("x").and_then(Value::as_f64), end.get("y").and_then(Value::as_f64)) {
                (Some(x), Some(y)) => near_element(x, y),
                _ => false,
            },
        }
    };
    for c in cells.iter().filter(|c| kind(c) == "tm.Flow") {
        if resolves(c.get("source")) && resolves(c.get("target")) {
            counts.flows += 1;
            counts.threats += threats_of(c);
        }
    }
    counts
}

fn counts_of(doc: &Document) -> Counts {
    Counts {
        elements: doc.elements.len(),
        flows: doc.flows.len(),
        boundaries: doc.boundaries.len(),
        threats: doc.threats.len(),
    }
}

fn import_all(rel: &str) -> Vec<Imported> {
    import(&read(rel), &DiagramChoice::All).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn td_models() -> Vec<String> {
    corpus_files()
        .into_iter()
        .filter(|f| !FOREIGN.iter().any(|(n, _)| n == f) && !MALFORMED.iter().any(|(n, _)| n == f))
        .collect()
}

#[test]
fn every_threat_dragon_model_imports_with_the_counts_of_its_json() {
    let models = td_models();
    assert!(models.len() >= 20, "expected the whole corpus, found {models:?}");
    let mut checked = 0;
    for rel in &models {
        let raw: Value = serde_json::from_str(&read(rel)).unwrap();
        let diagrams = raw.pointer("/detail/diagrams").and_then(Value::as_array).cloned().unwrap_or_default();
        let imported = import_all(rel);
        assert_eq!(imported.len(), diagrams.len().max(1), "{rel}: one document per diagram");
        for (one, diagram) in imported.iter().zip(&diagrams) {
            assert_eq!(counts_of(&one.document), raw_counts(diagram), "{rel} diagram {}", one.diagram);
            assert!(one.document.validate().is_empty(), "{rel}: {:?}", one.document.validate());
            // What the importer makes must also survive Threatboard's own file format.
            let text = json::to_string(&one.document);
            assert_eq!(json::from_str(&text).as_ref(), Ok(&one.document), "{rel}");
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} diagrams checked");
}

#[test]
fn foreign_formats_are_named_and_malformed_models_fail_where_they_are_wrong() {
    for (rel, name) in FOREIGN {
        let err = import(&read(rel), &DiagramChoice::All).unwrap_err();
        assert!(matches!(err, TdError::OtherFormat { .. }), "{rel}: {err}");
        assert!(err.to_string().contains(name), "{rel}: {err}");
    }
    for (rel, key) in MALFORMED {
        let err = import(&read(rel), &DiagramChoice::All).unwrap_err();
        let TdError::Invalid { line, column, .. } = &err else { panic!("{rel}: {err}") };
        assert!(*line >= 1 && *column >= 1);
        assert!(err.to_string().contains(key), "{rel}: {err}");
    }
    let err = import("{\"summary\": {\"title\": 1},\n \"detail\": [}", &DiagramChoice::All).unwrap_err();
    assert!(matches!(err, TdError::Json { line: 2, .. }), "{err}");
    assert!(import("[1, 2]", &DiagramChoice::All).is_err());
    let own = json::to_string(&Document::default());
    assert!(import(&own, &DiagramChoice::All).unwrap_err().to_string().contains("Threatboard"));
}

#[test]
fn malformed_cells_give_warnings_not_failures() {
    // A misspelt shape is read from its data.type.
    let reports = import_all("ThreatDragonModels/test/test-reports.json");
    let wide = &reports[1];
    assert!(
        wide.warnings.iter().any(|w| w.message.contains("trust-broundary-curve")
            && w.message.contains("did you mean \"trust-boundary-curve\"")),
        "{:?}",
        wide.warnings
    );
    // Diagrams without diagramJson import empty, with a warning each; $$hashKey is ignored.
    let step1 = import_all("ThreatDragonModels/enter-the-dragon/enter-the-dragon-1.json");
    assert_eq!(step1.len(), 2);
    for one in &step1 {
        assert!(one.document.elements.is_empty());
        assert!(one.warnings.iter().any(|w| w.message.contains("diagramJson")), "{:?}", one.warnings);
    }
    assert_eq!(step1[0].document.title, "Example threat model — Example");
    let step2 = import_all("ThreatDragonModels/enter-the-dragon/enter-the-dragon-2.json");
    assert_eq!(step2[0].document.elements.len(), 3);
    assert!(step2[0].warnings.is_empty(), "{:?}", step2[0].warnings);
}

#[test]
fn truncated_and_mangled_files_never_panic() {
    for rel in td_models() {
        let text = read(&rel);
        let cuts: Vec<usize> = (1..12).map(|k| text.len() * k / 12).filter(|&c| text.is_char_boundary(c)).collect();
        for cut in cuts {
            let _ = import(&text[..cut], &DiagramChoice::All);
        }
        for (from, to) in [
            ("\"cells\": [", "\"cells\": [1, null, \"x\", "),
            ("\"x\":", "\"x\": null, \"_x\":"),
            ("\"threats\": [", "\"threats\": [7, "),
        ] {
            let _ = import(&text.replacen(from, to, 3), &DiagramChoice::All);
        }
        for (from, to) in [("\"position\"", "\"_position\""), ("\"size\"", "\"_size\""), ("\"source\"", "\"_source\"")]
        {
            let mangled = text.replace(from, to);
            if let Ok(docs) = import(&mangled, &DiagramChoice::All) {
                for one in docs {
                    assert!(one.document.validate().is_empty(), "{rel} with {from} removed");
                }
            }
        }
    }
}

/// The v2 demo model, checked by numbers in place of a picture.
#[test]
fn v2_demo_model_keeps_positions_and_boundaries() {
    let imported = import(&read("v2-threat-model.json"), &DiagramChoice::Only).unwrap();
    let one = &imported[0];
    let doc = &one.document;
    let by_label: BTreeMap<String, &threatboard::model::Element> =
        doc.elements.iter().map(|e| (e.label.replace('\n', " "), e)).collect();
    // Centres: Threat Dragon's top-left corner plus half the size.
    let at = |label: &str| by_label[label].at;
    assert_eq!((at("Browser").x, at("Browser").y), (90.0, 70.0));
    assert_eq!((at("Web Application").x, at("Web Application").y), (270.0, 230.0));
    assert_eq!((at("Message Queue").x, at("Message Queue").y), (680.0, 53.0));
    assert_eq!((at("Worker Config").x, at("Worker Config").y), (765.0, 460.0));
    // The three curves each cut off one corner element: the browser, the queue and the database.
    let alone: Vec<(String, Vec<String>)> = doc
        .boundaries
        .iter()
        .map(|b| {
            let members =
                doc.elements.iter().filter(|e| e.boundary.as_ref() == Some(&b.id)).map(|e| e.label.clone()).collect();
            (b.id.to_string(), members)
        })
        .collect();
    let mut members: Vec<Vec<String>> = alone.iter().map(|(_, m)| m.clone()).collect();
    members.sort();
    assert_eq!(
        members,
        vec![vec!["Browser".to_owned()], vec!["Database".to_owned()], vec!["Message Queue".to_owned()]]
    );
    for e in ["Web Application", "Background Worker Process", "Worker Config", "Web Application Config"] {
        assert_eq!(by_label[e].boundary, None, "{e}");
    }
    // The web request starts at a free point 10 units right of the browser: attached to it.
    let request = doc.flows.iter().find(|f| f.label == "Web Request").unwrap();
    assert_eq!((request.from.as_str(), request.to.as_str()), ("browser", "web-application"));
    assert!(one.warnings.iter().any(|w| w.message.contains("free point (180, 70)")));
    assert_eq!(one.warnings.len(), 1, "{:?}", one.warnings);
    // The text block becomes part of the description; out of scope and protocols are kept.
    assert!(doc.description.contains("A Demo Threat Model\nshowing an example web application"));
    let config = doc.flows.iter().find(|f| f.label == "Read web app config").unwrap();
    assert!(config.out_of_scope && config.out_of_scope_reason.contains("file system"));
    assert_eq!(request.protocol, "HTTP/S");
    assert_eq!(by_label["Database"].notes, "Threat Dragon: isALog");
    insta::assert_snapshot!("v2_demo_model", json::to_string(doc));
}

#[test]
fn boxes_nest_and_other_methodologies_are_kept() {
    let game = &import_all("online-game.json")[0].document;
    assert_eq!(game.boundaries.len(), 3);
    assert!(game.boundaries.iter().all(|b| b.parent.is_none()));
    let in_box = |label: &str| game.elements.iter().find(|e| e.label == label).unwrap().boundary.clone();
    assert_eq!(in_box("Player").unwrap().as_str(), "player-s-local-machine");
    assert_eq!(in_box("Customer\nSupport").unwrap().as_str(), "corp-network");
    let wallet = &import_all("cryptocurrency-wallet.json")[0].document;
    let cia = &wallet.threats[0];
    assert_eq!((cia.category, cia.classification.as_str()), (Category::Other, "CIA: Integrity"));
    // The "Internet" curve encloses the exchange side; the wallet box stays where it is.
    let internet = wallet.elements.iter().filter(|e| e.boundary.as_ref().is_some_and(|b| b == "internet")).count();
    assert_eq!(internet, 8);
    let reports = import_all("ThreatDragonModels/test/test-reports.json");
    let die = reports.iter().flat_map(|r| &r.document.threats).find(|t| t.classification.starts_with("DIE")).unwrap();
    assert_eq!((die.category, die.classification.as_str()), (Category::Other, "DIE: Distributed"));
    let generic = &reports[5].document.threats;
    assert!(generic.iter().all(|t| t.category == Category::Spoofing && t.classification.is_empty()));
}

#[test]
fn a_diagram_is_chosen_by_position_or_title() {
    let text = read("ThreatDragonModels/test/test-reports.json");
    let err = import(&text, &DiagramChoice::Only).unwrap_err();
    assert!(matches!(&err, TdError::SeveralDiagrams { available } if available.len() == 7), "{err}");
    let by_index = import(&text, &DiagramChoice::parse("2")).unwrap();
    let by_title = import(&text, &DiagramChoice::parse("02 - narrow linddun diagram")).unwrap();
    assert_eq!(by_index, by_title);
    assert_eq!(by_index[0].diagram_title, "02 - narrow LINDDUN diagram");
    assert!(matches!(import(&text, &DiagramChoice::Index(7)), Err(TdError::NoSuchDiagram { .. })));
    assert!(matches!(import(&text, &DiagramChoice::parse("nope")), Err(TdError::NoSuchDiagram { .. })));
}

fn v2_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&read("schema/threat-dragon-v2.schema.json")).unwrap();
    // The schema names no draft; Threat Dragon validates it with Ajv, whose default is draft 7.
    jsonschema::draft7::new(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, what: &str, text: &str) {
    let value: Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

fn samples() -> Vec<(String, Document)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut out: Vec<(String, Document)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| (p.display().to_string(), json::load_file(&p).unwrap()))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty());
    out
}

#[test]
fn exports_validate_against_threat_dragons_schema() {
    let validator = v2_validator();
    for (name, doc) in samples() {
        assert_valid(&validator, &name, &export(&doc));
    }
    for rel in td_models() {
        for one in import_all(&rel) {
            assert_valid(&validator, &format!("{rel} diagram {}", one.diagram), &export(&one.document));
        }
    }
}

/// What a round trip must keep, with flows' encryption compared by effect.
fn essence(doc: &Document) -> Value {
    let mut v = serde_json::to_value(doc).unwrap();
    let o = v.as_object_mut().unwrap();
    for key in ["description", "decomposition", "dismissed", "direction"] {
        o.remove(key);
    }
    for (f, flow) in o.get_mut("flows").and_then(Value::as_array_mut).into_iter().flatten().zip(&doc.flows) {
        let f = f.as_object_mut().unwrap();
        f.remove("encrypted");
        f.insert("encryption".into(), encryption(flow).as_str().into());
    }
    v
}

#[test]
fn round_trip_keeps_the_model() {
    let check = |name: &str, doc: &Document| {
        let back = import(&export(doc), &DiagramChoice::Only).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back.len(), 1);
        let again = &back[0].document;
        let (a, b) = (essence(again), essence(doc));
        for key in ["title", "boundaries", "elements", "flows", "threats"] {
            assert_eq!(a.get(key), b.get(key), "{name}: {key}; warnings {:?}", back[0].warnings);
        }
        assert_eq!(a, b, "{name}");
        assert!(again.description.contains(doc.description.trim()), "{name}");
    };
    for (name, doc) in samples() {
        check(&name, &doc);
    }
    for rel in td_models() {
        for one in import_all(&rel) {
            check(&format!("{rel} diagram {}", one.diagram), &one.document);
        }
    }
}

#[test]
fn export_is_stable_and_reads_like_threat_dragon() {
    let (_, doc) = samples().into_iter().next().unwrap();
    let text = export(&doc);
    assert_eq!(text, export(&doc));
    let value: Value = serde_json::from_str(&text).unwrap();
    let cells = value.pointer("/detail/diagrams/0/cells").and_then(Value::as_array).unwrap();
    let shapes: Vec<&str> = cells.iter().filter_map(|c| c.get("shape").and_then(Value::as_str)).collect();
    assert_eq!(shapes.iter().filter(|s| **s == "trust-boundary-box").count(), doc.boundaries.len());
    assert_eq!(shapes.iter().filter(|s| **s == "flow").count(), doc.flows.len());
    insta::assert_snapshot!("kubernetes_agent_2020_05_td", text);
}

#[test]
fn cli_imports_one_or_all_diagrams_and_exports() {
    let bin = env!("CARGO_BIN_EXE_threatboard");
    let dir = tempfile::tempdir().unwrap();
    let input = corpus().join("ThreatDragonModels/test/test-reports.json");
    let out = std::process::Command::new(bin).arg("import").arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--diagram"));
    let all = dir.path().join("all");
    let out =
        std::process::Command::new(bin).arg("import").arg(&input).arg("--all").arg("-o").arg(&all).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut written: Vec<String> =
        std::fs::read_dir(&all).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    assert_eq!(written.len(), 7, "{written:?}");
    assert!(written.contains(&"03-test-stride-diagram.json".to_owned()), "{written:?}");
    let one = dir.path().join("one.json");
    let out = std::process::Command::new(bin)
        .args(["import", "--diagram", "New DIE diagram", "-o"])
        .arg(&one)
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning"));
    let td = dir.path().join("model.td.json");
    let out = std::process::Command::new(bin).arg("export").arg(&one).arg("-o").arg(&td).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_valid(&v2_validator(), "cli export", &std::fs::read_to_string(&td).unwrap());
}

/// A small hand-written v2 model with the cases the demo models lack.
const HAND_MADE: &str = r#"{
  "version": "2.3.0",
  "summary": { "title": "Hand made", "owner": "Alice", "description": "Edge cases." },
  "detail": { "contributors": [], "diagramTop": 1, "reviewer": "", "threatTop": 3, "diagrams": [{
    "id": 0, "title": "Hand made", "diagramType": "LINDDUN", "thumbnail": "", "version": "2.3.0",
    "cells": [
      { "id": "outer", "shape": "trust-boundary-box", "zIndex": -50, "position": { "x": 0, "y": 0 },
        "size": { "width": 600, "height": 400 }, "attrs": { "label": { "text": "Outer" } },
        "data": { "type": "tm.BoundaryBox", "hasOpenThreats": false,
          "threats": [{ "title": "On a box", "type": "Linkability", "status": "Open", "severity": "Low",
                        "description": "", "mitigation": "" }] } },
      { "id": "inner", "shape": "trust-boundary-box", "zIndex": -49, "position": { "x": 50, "y": 50 },
        "size": { "width": 250, "height": 200 },
        "data": { "type": "tm.BoundaryBox", "name": "Inner", "hasOpenThreats": false } },
      { "id": "p", "shape": "process", "zIndex": 1, "position": { "x": 100, "y": 100 },
        "size": { "width": 100, "height": 100 },
        "data": { "type": "tm.Process", "name": "Worker", "hasOpenThreats": true, "privilegeLevel": "root",
          "threats": [{ "title": "Linkable logs", "type": "Linkability", "modelType": "LINDDUN", "number": 2,
                        "status": "Open", "severity": "High", "score": "7.5", "description": "d", "mitigation": "m" }] } },
      { "id": "s", "shape": "store", "zIndex": 2, "position": { "x": 400, "y": 250 },
        "size": { "width": 120, "height": 60 },
        "data": { "type": "tm.Store", "name": "Keys", "hasOpenThreats": false, "storesCredentials": true,
                  "isEncrypted": true } },
      { "id": "a", "shape": "actor", "zIndex": 3, "position": { "x": 800, "y": 100 },
        "size": { "width": 120, "height": 60 }, "data": { "type": "tm.Actor", "name": "User", "hasOpenThreats": false } },
      { "id": "lost", "shape": "actor", "zIndex": 4, "data": { "type": "tm.Actor", "name": "Nowhere", "hasOpenThreats": false } },
      { "id": "t1", "shape": "td-text-block", "zIndex": 5, "position": { "x": 130, "y": 140 },
        "size": { "width": 40, "height": 20 }, "data": { "type": "tm.Text", "name": "runs as root", "hasOpenThreats": false } },
      { "id": "t2", "shape": "td-text-block", "zIndex": 6, "position": { "x": 350, "y": 20 },
        "size": { "width": 100, "height": 20 }, "data": { "type": "tm.Text", "name": "the data centre", "hasOpenThreats": false } },
      { "id": "f1", "shape": "flow", "zIndex": 7, "source": { "cell": "a" }, "target": { "cell": "p" },
        "data": { "type": "tm.Flow", "name": "jobs", "protocol": "https", "isEncrypted": true, "isPublicNetwork": true,
                  "hasOpenThreats": false } },
      { "id": "f2", "shape": "flow", "zIndex": 8, "source": { "cell": "p" }, "target": { "cell": "inner" },
        "data": { "type": "tm.Flow", "name": "to a box", "hasOpenThreats": false,
          "threats": [{ "title": "Gone", "type": "Spoofing", "status": "Open", "severity": "Low", "description": "", "mitigation": "" }] } },
      { "id": "f3", "shape": "flow", "zIndex": 9, "source": { "cell": "p" }, "target": { "cell": "s" },
        "data": { "type": "tm.Flow", "name": "keys", "protocol": "grpc", "isEncrypted": false, "isBidirectional": true,
                  "outOfScope": true, "reasonOutOfScope": "local", "hasOpenThreats": false } }
    ] }] }
}"#;

#[test]
fn hand_made_model_covers_nesting_texts_flags_and_drops() {
    let imported = import(HAND_MADE, &DiagramChoice::Only).unwrap();
    let one = &imported[0];
    let doc = &one.document;
    let warned = |needle: &str| one.warnings.iter().any(|w| w.to_string().contains(needle));
    let el = |label: &str| doc.elements.iter().find(|e| e.label == label).unwrap();
    // Nested boxes; membership by centre.
    let inner = doc.boundaries.iter().find(|b| b.label == "Inner").unwrap();
    assert_eq!(inner.parent.as_ref().map(threatboard::model::Id::as_str), Some("outer"));
    assert_eq!(el("Worker").boundary.as_ref().unwrap(), &inner.id);
    assert_eq!(el("Keys").boundary.as_ref().unwrap().as_str(), "outer");
    assert_eq!(el("User").boundary, None);
    // Texts: on the process → its notes; in the outer box → the box's notes.
    assert_eq!(el("Worker").notes, "runs as root\n\nThreat Dragon: privilegeLevel=root");
    assert_eq!(doc.boundaries.iter().find(|b| b.id == "outer").unwrap().notes, "the data centre");
    assert_eq!(el("Keys").notes, "Threat Dragon: storesCredentials, isEncrypted");
    // A missing position is placed below the drawing, with a warning.
    assert!(el("Nowhere").at.y > 400.0);
    assert!(warned("Nowhere") && warned("no usable position"));
    // Flows: https needs no override; the flow into a box is dropped with its threat.
    assert_eq!(doc.flows.len(), 2);
    let jobs = doc.flows.iter().find(|f| f.label == "jobs").unwrap();
    assert_eq!((jobs.encrypted, jobs.notes.as_str()), (None, "Threat Dragon: isPublicNetwork"));
    let keys = doc.flows.iter().find(|f| f.label == "keys").unwrap();
    assert!(keys.bidirectional && keys.out_of_scope && keys.encrypted.is_none());
    assert!(warned("to a box") && warned("with its 1 threat(s)") && warned("trust boundary box"));
    // Threats: the LINDDUN one is kept with its number and score; the one on a box is reported.
    assert_eq!(doc.threats.len(), 1);
    let t = &doc.threats[0];
    assert_eq!(
        (t.id.as_str(), t.category, t.classification.as_str(), t.cvss.as_str()),
        ("T2", Category::Other, "LINDDUN: Linkability", "7.5")
    );
    assert!(warned("threat(s) on a trust boundary dropped"));
    assert!(doc.description.contains("Owner: Alice."));
    // Export writes the flags and the methodology back.
    let td: Value = serde_json::from_str(&export(doc)).unwrap();
    let cells = td.pointer("/detail/diagrams/0/cells").and_then(Value::as_array).unwrap();
    let data = |name: &str| {
        cells
            .iter()
            .find_map(|c| (c.pointer("/data/name") == Some(&Value::from(name))).then(|| c["data"].clone()))
            .unwrap()
    };
    assert_eq!(data("Keys")["storesCredentials"], Value::Bool(true));
    assert_eq!(data("Keys")["isEncrypted"], Value::Bool(true));
    assert_eq!(data("Keys")["description"], Value::from(""));
    assert_eq!(data("Worker")["privilegeLevel"], Value::from("root"));
    assert_eq!(data("jobs")["isPublicNetwork"], Value::Bool(true));
    assert_eq!(data("Worker")["threats"][0]["modelType"], Value::from("LINDDUN"));
    assert_eq!(td.pointer("/detail/diagrams/0/diagramType"), Some(&Value::from("LINDDUN")));
    assert_valid(&v2_validator(), "hand made", &export(doc));
}
