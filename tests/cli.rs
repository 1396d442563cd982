//! The command line as a user runs it: exit codes, messages and files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn threatboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatboard")).args(args).output().unwrap()
}

fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn samples_validate_and_are_canonical() {
    let files: Vec<String> = samples().iter().map(|p| p.display().to_string()).collect();
    assert_eq!(files.len(), 3);
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let o = threatboard(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    args[0] = "fmt";
    args.insert(1, "--check");
    let o = threatboard(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn validate_reports_file_line_column_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"threatboard\": 1,\n  \"elements\": [\n    { \"id\": \"a\", \"kind\": \"process\", \"boundary\": \"nope\", \"at\": {\"x\": 0, \"y\": 0} }\n  ]\n}\n").unwrap();
    let o = threatboard(&["validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with(&format!("{}:4:49: elements[0].boundary: ", bad.display())), "{err}");
}

#[test]
fn missing_file_is_an_io_error_with_exit_2() {
    let o = threatboard(&["validate", "/nonexistent/model.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/model.json"), "{}", stderr(&o));
}

#[test]
fn fmt_rewrites_and_check_detects_non_canonical_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    std::fs::write(&file, r#"{"threatboard":1,"elements":[{"at":{"y":1.234,"x":2},"kind":"store","id":"db"}]}"#)
        .unwrap();
    let path = file.to_str().unwrap();
    assert_eq!(threatboard(&["fmt", "--check", path]).status.code(), Some(1));
    assert!(threatboard(&["fmt", path]).status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"y\": 1.2") && text.ends_with("}\n"), "{text}");
    assert!(threatboard(&["fmt", "--check", path]).status.success());
}

#[test]
fn schema_prints_the_shipped_schema() {
    let o = threatboard(&["schema"]);
    assert!(o.status.success());
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/threatboard.schema.json")).unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap(), shipped);
}

#[test]
fn usage_errors_exit_2_and_help_works_everywhere() {
    assert_eq!(threatboard(&["validate"]).status.code(), Some(2));
    assert_eq!(threatboard(&["frobnicate", "x"]).status.code(), Some(2));
    for cmd in
        [&["--help"][..], &["validate", "--help"], &["fmt", "--help"], &["schema", "--help"], &["export", "--help"]]
    {
        let o = threatboard(cmd);
        assert!(o.status.success(), "{cmd:?}");
        assert!(String::from_utf8_lossy(&o.stdout).contains("Usage"), "{cmd:?}");
    }
}

#[test]
fn export_json_is_canonical() {
    let sample = &samples()[0];
    let o = threatboard(&["export", sample.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, std::fs::read(sample).unwrap());
}
