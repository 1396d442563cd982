//! Quick entry builds the seed diagrams line by line, each line one undo step.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)] // test helpers fail the test loudly on bad fixtures

use threatboard::formats::json;
use threatboard::model::{Document, Session};
use threatboard::quick::parse_line;

/// The October 2020 review of the Kubernetes Agent, as a reviewer would type it.
pub const OCTOBER_2020: &[&str] = &[
    "agentk: process in Kubernetes cluster",
    "nginx, kas, GitLab RoR: process in GitLab",
    "Gitaly: store in GitLab",
    r#"agentk <-grpc "bidirectional streaming"-> nginx"#,
    r#"nginx -grpc "proxy pass port 5005"-> kas"#,
    "GitLab RoR -grpc-> kas",
    "kas -grpc-> Gitaly",
    r#"kas -http "REST API"-> GitLab RoR"#,
];

fn sample(name: &str) -> Document {
    let path = format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    json::load_file(std::path::Path::new(&path)).unwrap()
}

fn type_lines(lines: &[&str]) -> Session {
    let mut s = Session::new(Document::default());
    for line in lines {
        let edit = parse_line(&s.doc, line).unwrap().unwrap();
        s.apply(edit).unwrap();
    }
    s
}

/// Asserts that `built` has the elements, boundaries (by label), flows and protocols of `want`.
pub fn assert_same_diagram(built: &Document, want: &Document) {
    let boundary_label = |doc: &Document, id: Option<&threatboard::model::Id>| {
        id.and_then(|b| doc.boundaries.iter().find(|x| x.id == *b)).map(|b| b.label.clone())
    };
    assert_eq!(built.elements.len(), want.elements.len());
    for w in &want.elements {
        let b = built.elements.iter().find(|e| e.id == w.id).unwrap_or_else(|| panic!("missing element {}", w.id));
        assert_eq!((b.kind, &b.label), (w.kind, &w.label), "element {}", w.id);
        assert_eq!(
            boundary_label(built, b.boundary.as_ref()),
            boundary_label(want, w.boundary.as_ref()),
            "boundary of {}",
            w.id
        );
    }
    let mut labels: Vec<&str> = built.boundaries.iter().map(|b| b.label.as_str()).collect();
    let mut wanted: Vec<&str> = want.boundaries.iter().map(|b| b.label.as_str()).collect();
    labels.sort_unstable();
    wanted.sort_unstable();
    assert_eq!(labels, wanted);
    assert_eq!(built.flows.len(), want.flows.len());
    for w in &want.flows {
        let f = built
            .flows
            .iter()
            .find(|f| f.from == w.from && f.to == w.to)
            .unwrap_or_else(|| panic!("missing flow {} → {}", w.from, w.to));
        assert_eq!(
            (&f.protocol, &f.label, f.bidirectional, f.out_of_scope),
            (&w.protocol, &w.label, w.bidirectional, w.out_of_scope),
            "flow {}",
            w.id
        );
    }
}

#[test]
fn october_2020_in_eight_lines() {
    assert!(OCTOBER_2020.len() <= 12);
    let s = type_lines(OCTOBER_2020);
    assert_same_diagram(&s.doc, &sample("kubernetes-agent-2020-10.json"));
    assert_eq!(s.history.undo_len(), OCTOBER_2020.len(), "one undo step per line");
}

#[test]
fn dotted_arrow_is_out_of_scope_and_unknown_names_are_created() {
    let s = type_lines(&["kas: process in GitLab", "Prometheus -.http.-> kas"]);
    let flow = &s.doc.flows[0];
    assert!(flow.out_of_scope);
    assert_eq!(flow.protocol, "http");
    assert_eq!(flow.id.as_str(), "prometheus-to-kas");
    let prom = s.doc.elements.iter().find(|e| e.id.as_str() == "prometheus").unwrap();
    assert!(prom.boundary.is_none());
    // The new element does not sit inside GitLab's box.
    let rects = threatboard::model::geometry::boundary_rects(&s.doc);
    assert!(!rects.values().any(|r| r.contains(prom.at)));
}

#[test]
fn a_refused_line_changes_nothing() {
    let mut s = type_lines(&["a -grpcs-> b"]);
    let before = s.doc.clone();
    assert!(parse_line(&s.doc, "a: gizmo").is_err());
    assert!(parse_line(&s.doc, "-> b").is_err());
    let edit = parse_line(&s.doc, "a -grpcs-> b").unwrap().unwrap();
    s.apply(edit).unwrap();
    assert_eq!(s.doc.flows.len(), 2, "a second flow between the same two");
    assert_ne!(s.doc.flows[0].id, s.doc.flows[1].id);
    s.undo();
    assert_eq!(s.doc, before);
}
