//! Mermaid import and export: the real-world corpus, Mermaid's own syntax cases, the seed diagrams,
//! and lossless round trips.

use std::path::{Path, PathBuf};

use threatboard::formats::{json, mermaid};
use threatboard::model::Document;

/// The shared corpus next to the repository (`<repo>/../shared/corpus`, or one level further up
/// for a worktree kept in a folder of worktrees); its absence is an error, never a skipped test.
fn corpus() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [manifest.join("../shared/corpus"), manifest.join("../../shared/corpus")];
    let found = candidates.iter().find(|d| d.is_dir());
    found.cloned().unwrap_or_else(|| {
        panic!("the test corpus is missing: expected {} (a copy of shared/ next to the repository)", candidates[0].display())
    })
}

fn mmd_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "mmd"))
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn import(path: &Path) -> mermaid::Imported {
    mermaid::import(&read(path)).unwrap_or_else(|e| panic!("{}:{e}", path.display()))
}

#[test]
fn every_corpus_flowchart_imports() {
    let mut count = 0;
    let mut failures = Vec::new();
    for dir in ["mermaid", "mermaid-syntax"] {
        for path in mmd_files(&corpus().join(dir)) {
            count += 1;
            match mermaid::import(&read(&path)) {
                Ok(imported) => {
                    let problems = imported.document.validate();
                    if !problems.is_empty() {
                        failures.push(format!("{}: invalid document: {:?}", path.display(), problems));
                    }
                }
                Err(e) => failures.push(format!("{}:{e}", path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(count, 47 + 82);
}

#[test]
fn mermaid_rejects_what_mermaid_rejects() {
    let mut accepted = Vec::new();
    for path in mmd_files(&corpus().join("mermaid-syntax/invalid")) {
        match mermaid::import(&read(&path)) {
            Ok(_) => accepted.push(path.display().to_string()),
            Err(e) => {
                assert!(e.line >= 1 && e.column >= 1);
                eprintln!("{}:{e}", path.file_name().unwrap().to_string_lossy());
            }
        }
    }
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
}
