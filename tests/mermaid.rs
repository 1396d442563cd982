//! Mermaid import and export: the real-world corpus, Mermaid's own syntax cases, the seed diagrams,
//! and lossless round trips.
// Helpers outside `#[test]` functions (and the proptest strategy) unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use threatboard::formats::{json, mermaid};
use threatboard::model::Document;

/// The third-party corpus, copied into the repository (`tests/corpus`, provenance in its README).
fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
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

fn data(name: &str) -> String {
    read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name))
}

fn summary(doc: &Document) -> (usize, usize, usize) {
    (doc.elements.len(), doc.flows.len(), doc.boundaries.len())
}

#[test]
fn hand_counted_diagrams_have_their_nodes_edges_and_subgraphs() {
    // (file, elements, flows, boundaries), counted by hand from the text. Invisible `~~~` links are
    // not flows; a link to a subgraph adds one element standing for it.
    let cases = [
        ("mermaid/abaer123__gitlab-agent__gitops-1.mmd", 5, 6, 2),
        ("mermaid/abaer123__gitlab-agent__kas-request-routing.mmd", 10, 8, 4),
        ("mermaid/temporalio__temporal__worker-commands.mmd", 6, 7, 3),
        ("mermaid/vectordotdev__vector__vrl-vm.mmd", 13, 12, 0),
        ("mermaid/grafana__loki__docker-production.mmd", 9, 10, 3),
        ("mermaid/grafana__loki__ha-monolithic.mmd", 9, 10, 4),
        ("mermaid-syntax/subgraph__07.mmd", 4, 2, 2),
        ("mermaid-syntax/flow-vertice-chaining__03.mmd", 5, 6, 0),
    ];
    for (file, elements, flows, boundaries) in cases {
        let doc = import(&corpus().join(file)).document;
        assert_eq!(summary(&doc), (elements, flows, boundaries), "{file}");
    }
}

#[test]
fn nesting_follows_mermaid_membership() {
    let doc = import(&corpus().join("mermaid-syntax/subgraph__07.mmd")).document;
    let b = doc.boundaries.iter().find(|b| b.id == "B").unwrap();
    assert_eq!(b.parent.as_ref().map(threatboard::model::Id::as_str), Some("A"));
    let c = doc.elements.iter().find(|e| e.id == "c").unwrap();
    assert_eq!(c.boundary.as_ref().map(threatboard::model::Id::as_str), Some("B"));
}

fn flow<'a>(doc: &'a Document, from: &str, to: &str) -> &'a threatboard::model::Flow {
    doc.flows.iter().find(|f| f.from == from && f.to == to).unwrap_or_else(|| panic!("no flow {from} → {to}"))
}

fn members(doc: &Document, boundary_label: &str) -> Vec<String> {
    let b = doc.boundaries.iter().find(|b| b.label == boundary_label).unwrap();
    doc.elements.iter().filter(|e| e.boundary.as_ref() == Some(&b.id)).map(|e| e.id.to_string()).collect()
}

#[test]
fn seed_may_2020_imports_to_two_boundaries_with_grpc_and_rest() {
    let imported = mermaid::import(&data("kubernetes-agent-2020-05.mmd")).unwrap();
    let doc = &imported.document;
    assert_eq!(doc.boundaries.len(), 2);
    assert_eq!(members(doc, "GitLab"), ["kgb", "GitLabRoR", "Gitaly"]);
    assert_eq!(members(doc, "Kubernetes cluster"), ["agentk"]);
    assert_eq!(flow(doc, "agentk", "kgb").protocol, "grpc");
    assert_eq!(flow(doc, "agentk", "kgb").label, "gRPC bidirectional streaming");
    assert_eq!(flow(doc, "GitLabRoR", "kgb").protocol, "grpc");
    assert_eq!(flow(doc, "kgb", "Gitaly").protocol, "grpc");
    assert_eq!(flow(doc, "kgb", "GitLabRoR").protocol, "http");
    assert_eq!(doc.flows.len(), 4);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    insta::assert_snapshot!("seed_2020_05_json", json::to_string(doc));
    insta::assert_snapshot!("seed_2020_05_mermaid", mermaid::export(doc));
}

#[test]
fn seed_october_2020_imports_with_the_nginx_proxy_pass() {
    let doc = mermaid::import(&data("kubernetes-agent-2020-10.mmd")).unwrap().document;
    assert_eq!(doc.boundaries.len(), 2);
    assert_eq!(members(&doc, "GitLab"), ["nginx", "kas", "GitLabRoR", "Gitaly"]);
    assert_eq!(members(&doc, "Kubernetes cluster"), ["agentk"]);
    assert_eq!(flow(&doc, "agentk", "nginx").protocol, "grpc");
    let proxy = flow(&doc, "nginx", "kas");
    assert_eq!(proxy.label, "proxy pass port 5005");
    assert_eq!(proxy.protocol, "");
    assert_eq!(flow(&doc, "kas", "GitLabRoR").protocol, "http");
    assert_eq!(flow(&doc, "kas", "Gitaly").protocol, "grpc");
    assert_eq!(doc.flows.len(), 5);
    insta::assert_snapshot!("seed_2020_10_json", json::to_string(&doc));
    insta::assert_snapshot!("seed_2020_10_mermaid", mermaid::export(&doc));
}

fn round_trip(doc: &Document) -> mermaid::Imported {
    let text = mermaid::export(doc);
    mermaid::import(&text).unwrap_or_else(|e| panic!("export does not re-import: {e}\n{text}"))
}

#[test]
fn samples_survive_export_and_import() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let doc = json::load_file(&path).unwrap();
        let back = round_trip(&doc);
        assert_eq!(back.document, doc, "{}", path.display());
        assert!(back.warnings.is_empty(), "{}: {:?}", path.display(), back.warnings);
        n += 1;
    }
    assert!(n >= 3);
}

#[test]
fn corpus_exports_re_import_to_the_same_document() {
    for dir in ["mermaid", "mermaid-syntax"] {
        for path in mmd_files(&corpus().join(dir)) {
            let doc = import(&path).document;
            let back = round_trip(&doc);
            assert_eq!(back.document, doc, "{}", path.display());
            assert!(back.warnings.is_empty(), "{}: {:?}", path.display(), back.warnings);
        }
    }
}

#[test]
fn exports_without_metadata_still_keep_the_structure() {
    let doc =
        json::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/kubernetes-agent-2021-02.json")).unwrap();
    let text = mermaid::export(&doc);
    let plain: String = text.lines().filter(|l| !l.trim_start().starts_with("%%")).flat_map(|l| [l, "\n"]).collect();
    let back = mermaid::import(&plain).unwrap().document;
    assert_eq!(summary(&back), summary(&doc));
    let ids = |d: &Document| {
        d.elements.iter().map(|e| (e.id.to_string(), e.label.clone(), e.boundary.clone())).collect::<Vec<_>>()
    };
    let (mut a, mut b) = (ids(&back), ids(&doc));
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn mermaid_edge_label_with_pipe_and_end_id() {
    let text = "flowchart LR\n  end_[\"a | b\"] -->|\"x | y --> z\"| b\n";
    let doc = mermaid::import(text).unwrap().document;
    assert_eq!(doc.flows[0].label, "x | y --> z");
    assert_eq!(doc.elements[0].label, "a | b");
    assert!(mermaid::import("graph TD\n  a --> end\n").is_err());
}

#[test]
fn hand_edited_metadata_ids_stay_unique() {
    // `b` comes first and has no stored id, but a later line gives its id to `a`; `c` and `d`
    // both claim `x`; the flow between `b` and `c` has no stored id.
    let text = "flowchart LR\n  b --> c\n  %% threatboard:1 element a {\"id\":\"b\"}\n  a\n  \
                %% threatboard:1 element c {\"id\":\"x\"}\n  %% threatboard:1 element d {\"id\":\"x\"}\n  d\n";
    let imported = mermaid::import(text).unwrap();
    let ids: Vec<&str> = imported.document.elements.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["b-2", "x", "b", "d"]);
    assert_eq!(imported.document.flows[0].id.as_str(), "b-2-to-x");
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings, ["7:3: id `x` from the metadata is used twice; a new one is made"]);
}

#[test]
fn errors_name_line_and_column() {
    let e = mermaid::import("graph TD\n  A[unclosed\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 4), "{e}");
    let e = mermaid::import("sequenceDiagram\n  A->>B: hi\n").unwrap_err();
    assert_eq!((e.line, e.column), (1, 1), "{e}");
    let e = mermaid::import("graph TD\n  subgraph X\n  a --> b\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 3), "{e}");
}

#[test]
fn styling_is_ignored_with_warnings() {
    let imported = import(&corpus().join("mermaid/open-telemetry__opentelemetry.io__demo-service-diagram.mmd"));
    assert!(!imported.warnings.is_empty());
    assert!(imported.warnings.iter().all(|w| w.line >= 1 && w.column >= 1));
    assert!(imported.warnings.iter().any(|w| w.message.contains("classDef")));
}

mod generated {
    use proptest::prelude::*;
    use threatboard::formats::mermaid;
    use threatboard::model::{Direction, Document, ElementKind, Id, Point, synth};

    const FRAGMENTS: &[&str] = &[
        "\"",
        "|",
        "[",
        "]",
        "(",
        ")",
        "{",
        "}",
        "-->",
        "end",
        "#",
        ";",
        "%%",
        "%%{init: {}}%%",
        "\n",
        "é",
        "日本",
        "♥",
        " ",
        "direction TB",
        "style",
        ":",
        "#quot;",
        "&amp;",
        "<br>",
        "`",
        "\t",
        "\\",
        "~~~",
        ":::",
        "@{",
        "subgraph",
        "x",
        "-- a -->",
        "&#40",
        "\r\n",
        "·",
        " · grpc",
        "click",
        "classDef a fill:#fff;",
    ];
    const IDS: &[&str] = &[
        "end",
        "graph",
        "style",
        "class",
        "a--b",
        "x-",
        "direction",
        "subgraph",
        "click",
        "_self",
        "1",
        "default",
        "v",
        "o",
        "x",
        "end-2",
        "n_end",
        "flowchart",
        "classDef",
        "linkStyle",
        "Direction",
        "href",
        "call",
        "style-x",
        "graph-2",
    ];
    const PROTOCOLS: &[&str] =
        &["", "grpc", "grpcs", "https", "http", "wss", "carrier | pigeon", "x · y", "gRPC", "%%"];

    fn hostile() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..6).prop_map(|v| v.concat()),
            any::<String>(),
        ]
    }

    fn rename(doc: &mut Document, old: &Id, new: &Id) {
        let fix = |id: &mut Id| {
            if id == old {
                *id = new.clone();
            }
        };
        for b in &mut doc.boundaries {
            fix(&mut b.id);
            if let Some(p) = &mut b.parent {
                fix(p);
            }
        }
        for e in &mut doc.elements {
            fix(&mut e.id);
            if let Some(b) = &mut e.boundary {
                fix(b);
            }
        }
        for f in &mut doc.flows {
            fix(&mut f.id);
            fix(&mut f.from);
            fix(&mut f.to);
        }
        for t in &mut doc.threats {
            fix(&mut t.target);
        }
    }

    prop_compose! {
        fn document()(
            n in 0usize..24,
            seed in any::<u64>(),
            texts in proptest::collection::vec(hostile(), 64),
            picks in proptest::collection::vec(any::<u32>(), 64),
            coords in proptest::collection::vec(-1.0e6f64..1.0e6, 48),
        ) -> Document {
            let mut doc = synth::document(n, seed);
            let mut t = texts.iter().cycle();
            let mut p = picks.iter().cycle();
            let mut c = coords.iter().cycle();
            let mut next = || t.next().cloned().unwrap_or_default();
            doc.title = next();
            doc.description = next();
            doc.direction = [Direction::TB, Direction::BT, Direction::LR, Direction::RL][*p.next().unwrap() as usize % 4];
            for b in &mut doc.boundaries {
                b.label = next();
                b.notes = next();
            }
            for e in &mut doc.elements {
                e.label = next();
                e.notes = next();
                e.kind = ElementKind::ALL[*p.next().unwrap() as usize % 3];
                e.out_of_scope = p.next().unwrap() % 3 == 0;
                e.at = Point::new(*c.next().unwrap(), *c.next().unwrap());
            }
            for f in &mut doc.flows {
                f.label = next();
                PROTOCOLS[*p.next().unwrap() as usize % PROTOCOLS.len()].clone_into(&mut f.protocol);
                f.encrypted = [None, Some(true), Some(false)][*p.next().unwrap() as usize % 3];
                f.notes = next();
            }
            for th in &mut doc.threats {
                th.title = format!("t{}", next());
                th.mitigation = next();
            }
            // Ids Mermaid would misread, given to a few boundaries and elements.
            let mut k = *p.next().unwrap() as usize;
            let targets: Vec<Id> = doc.boundaries.iter().map(|b| b.id.clone()).chain(doc.elements.iter().map(|e| e.id.clone())).collect();
            for old in targets.iter().step_by(3) {
                let new = Id::new(IDS[k % IDS.len()]).unwrap();
                k += 7;
                let taken = doc.boundaries.iter().any(|b| b.id == new) || doc.elements.iter().any(|e| e.id == new) || doc.flows.iter().any(|f| f.id == new);
                if !taken {
                    rename(&mut doc, old, &new);
                }
            }
            doc
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn generated_documents_survive_export_and_import(doc in document()) {
            prop_assert!(doc.validate().is_empty(), "{:?}", doc.validate());
            let text = mermaid::export(&doc);
            let back = mermaid::import(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(&back.document, &doc, "{}", text);
            prop_assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        }
    }
}
