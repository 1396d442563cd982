//! The `threatboard` file format: canonical output, the schema, and located errors for every kind
//! of invalid file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use threatboard::formats::json::{self, Diagnostic};
use threatboard::model::{Document, FieldPath, Segment, synth};

const SAMPLES: [&str; 3] =
    ["kubernetes-agent-2020-05.json", "kubernetes-agent-2020-10.json", "kubernetes-agent-2021-02.json"];

fn sample_text(name: &str) -> String {
    std::fs::read_to_string(format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn errors(text: &str) -> Vec<Diagnostic> {
    json::from_str(text).expect_err("the text should be rejected").diagnostics
}

/// A small valid file to break in one place at a time.
const BASE: &str = r#"{
  "threatboard": 1,
  "title": "t",
  "boundaries": [
    { "id": "gitlab", "label": "GitLab" }
  ],
  "elements": [
    { "id": "kas", "kind": "process", "boundary": "gitlab", "at": { "x": 0, "y": 0 } },
    { "id": "agentk", "kind": "process", "at": { "x": 0, "y": 100 } }
  ],
  "flows": [
    { "id": "agentk-to-kas", "from": "agentk", "to": "kas", "protocol": "grpcs" }
  ],
  "threats": [
    { "id": "T1", "target": "agentk-to-kas", "category": "spoofing", "title": "x" }
  ]
}
"#;

#[test]
fn base_is_valid() {
    let doc = json::from_str(BASE).unwrap();
    assert_eq!(doc.elements.len(), 2);
}

#[test]
fn samples_round_trip_byte_for_byte() {
    for name in SAMPLES {
        let text = sample_text(name);
        let doc = json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(json::to_string(&doc), text, "{name} is not canonical");
    }
}

#[test]
fn generated_documents_round_trip() {
    for n in [0, 10, 500] {
        let doc = synth::document(n, 11);
        let text = json::to_string(&doc);
        let back = json::from_str(&text).unwrap();
        assert_eq!(back, doc);
        assert_eq!(json::to_string(&back), text);
    }
}

#[test]
fn positions_are_rounded_to_a_tenth() {
    let text = BASE.replace(r#""x": 0, "y": 100"#, r#""x": 12.345, "y": -0.01"#);
    let doc = json::from_str(&text).unwrap();
    let out = json::to_string(&doc);
    assert!(out.contains("\"x\": 12.3,"), "{out}");
    assert!(out.contains("\"y\": 0.0\n"), "{out}");
    assert!(out.ends_with("}\n"));
}

#[test]
fn schema_asset_matches_the_types() {
    let path = format!("{}/assets/threatboard.schema.json", env!("CARGO_MANIFEST_DIR"));
    let shipped = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        shipped,
        threatboard::cli::schema_text(),
        "assets/threatboard.schema.json is stale: run `cargo run -- schema > assets/threatboard.schema.json`"
    );
}

#[test]
fn malformed_json_names_line_and_column() {
    let text = BASE.replace(r#""title": "t","#, r#""title": "t""#);
    let e = errors(&text);
    assert_eq!((e[0].line, e[0].column), (4, 3), "{e:?}");
    assert!(e[0].message.contains("expected"), "{}", e[0].message);
}

#[test]
fn unknown_field_names_its_path() {
    let text = BASE.replace(r#""protocol": "grpcs""#, r#""protocol": "grpcs", "colour": "red""#);
    let e = errors(&text);
    assert_eq!(e[0].path.as_deref(), Some("flows[0].colour"), "{e:?}");
    assert!(e[0].message.contains("unknown field `colour`"), "{}", e[0].message);
    assert_eq!(e[0].line, 12);
}

#[test]
fn wrong_type_names_its_path() {
    let text = BASE.replace(r#""kind": "process", "boundary""#, r#""kind": 7, "boundary""#);
    let e = errors(&text);
    assert_eq!(e[0].path.as_deref(), Some("elements[0].kind"), "{e:?}");
    assert_eq!(e[0].line, 8);
    let text = BASE.replace(r#""kind": "process", "boundary""#, r#""kind": "database server", "boundary""#);
    let e = errors(&text);
    assert!(e[0].message.contains("unknown variant"), "{}", e[0].message);
}

#[test]
fn bad_id_is_rejected_where_it_stands() {
    let text = BASE.replace(r#""id": "agentk", "kind""#, r#""id": "agent k", "kind""#);
    let e = errors(&text);
    assert_eq!(e[0].path.as_deref(), Some("elements[1].id"), "{e:?}");
    assert!(e[0].message.contains("contains ' '"), "{}", e[0].message);
}

#[test]
fn duplicate_ids_point_at_the_second_one() {
    let text = BASE.replace(r#""id": "agentk", "kind""#, r#""id": "gitlab", "kind""#);
    let e = errors(&text);
    let d = e.iter().find(|d| d.message.contains("duplicate id")).unwrap();
    assert_eq!(d.path.as_deref(), Some("elements[1].id"));
    assert_eq!((d.line, d.column), (9, 13), "{d:?}");
    assert!(d.message.contains("boundaries[0]"), "{}", d.message);
}

#[test]
fn dangling_references_are_each_reported() {
    let text = BASE
        .replace(r#""boundary": "gitlab""#, r#""boundary": "gitlabb""#)
        .replace(r#""to": "kas""#, r#""to": "kgb""#)
        .replace(r#""target": "agentk-to-kas""#, r#""target": "nowhere""#);
    let e = errors(&text);
    let at = |path: &str| e.iter().find(|d| d.path.as_deref() == Some(path)).unwrap_or_else(|| panic!("{path}: {e:?}"));
    let b = at("elements[0].boundary");
    assert_eq!((b.line, b.column), (8, 51));
    assert!(b.message.contains("\"gitlabb\" does not exist (expected a boundary)"));
    let f = at("flows[0].to");
    assert_eq!(f.line, 12);
    assert!(f.message.contains("\"kgb\""));
    let t = at("threats[0].target");
    assert_eq!(t.line, 15);
}

#[test]
fn reference_to_the_wrong_kind_says_so() {
    let text = BASE.replace(r#""from": "agentk""#, r#""from": "gitlab""#);
    let e = errors(&text);
    assert_eq!(e[0].path.as_deref(), Some("flows[0].from"));
    assert!(e[0].message.contains("is a boundary, not an element"), "{}", e[0].message);
}

#[test]
fn boundary_parent_cycle_is_reported_with_its_chain() {
    let text = BASE.replace(
        r#"{ "id": "gitlab", "label": "GitLab" }"#,
        "{ \"id\": \"gitlab\", \"parent\": \"dc\" },\n    { \"id\": \"dc\", \"parent\": \"gitlab\" }",
    );
    let e = errors(&text);
    let d = e.iter().find(|d| d.message.contains("cycle")).unwrap_or_else(|| panic!("{e:?}"));
    assert_eq!(d.path.as_deref(), Some("boundaries[0].parent"));
    assert_eq!(d.line, 5);
    assert!(d.message.contains("gitlab → dc → gitlab"), "{}", d.message);
    let own = BASE.replace(r#""label": "GitLab""#, r#""label": "GitLab", "parent": "gitlab""#);
    assert!(errors(&own)[0].message.contains("its own parent"));
}

#[test]
fn newer_version_is_refused_with_a_clear_message() {
    let text = BASE.replace(r#""threatboard": 1,"#, r#""threatboard": 2, "layers": [],"#);
    let e = errors(&text);
    assert!(e[0].message.contains("format version 2, which is newer"), "{}", e[0].message);
    assert_eq!(e[0].line, 2);
    let missing = BASE.replace("  \"threatboard\": 1,\n", "");
    assert!(errors(&missing)[0].message.contains("missing field `threatboard`"));
}

#[test]
fn non_finite_or_huge_positions_are_refused() {
    let text = BASE.replace(r#""x": 0, "y": 100"#, r#""x": 1e300, "y": 100"#);
    let e = errors(&text);
    assert_eq!(e[0].path.as_deref(), Some("elements[1].at.x"), "{e:?}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{{\"threatboard\": 1, \"title\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(!errors(&deep).is_empty());
}

#[test]
fn columns_count_characters_not_bytes() {
    let text = BASE.replace(r#""title": "t","#, r#""title": "äöü", "x": 1,"#);
    let e = errors(&text);
    // Byte counting would say 24: the three umlauts take two bytes each.
    assert_eq!((e[0].line, e[0].column), (3, 21), "{e:?}");
}

#[test]
fn locate_finds_nested_values() {
    let path = FieldPath(vec![Segment::Key("elements".into()), Segment::Index(1), Segment::Key("at".into())]);
    assert_eq!(json::locate(BASE, &path), Some((9, 48)));
    assert_eq!(json::locate(BASE, &FieldPath::keys(&["nothing"])), None);
}

#[test]
fn empty_document_is_valid_and_small() {
    let text = json::to_string(&Document::default());
    assert_eq!(text, "{\n  \"threatboard\": 1,\n  \"direction\": \"TB\"\n}\n");
    assert_eq!(json::from_str(&text).unwrap(), Document::default());
}

#[test]
fn save_is_atomic_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let doc = synth::document(20, 2);
    json::save_file(&path, &doc).unwrap();
    json::save_file(&path, &doc).unwrap();
    assert_eq!(json::load_file(&path).unwrap(), doc);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("model.json")]);
}

#[cfg(unix)]
#[test]
fn saving_keeps_the_permissions_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    json::save_file(&path, &Document::default()).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o644, "a new file is world-readable");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    json::save_file(&path, &Document::default()).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "a private file stays private");
}

#[test]
fn oversized_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(json::MAX_FILE_BYTES + 1).unwrap();
    let e = json::load_file(&path).unwrap_err();
    assert!(e.to_string().contains("refused"), "{e}");
}
