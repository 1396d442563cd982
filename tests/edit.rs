//! Edits and history: what each edit does, what it refuses, and that undo/redo restore documents exactly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_cmp)] // a failed unwrap is a failed test; positions are rounded, so exact

use proptest::prelude::*;
use threatboard::formats::json;
use threatboard::model::{
    Boundary, Category, Dismissal, Document, Edit, EditError, Element, ElementKind, Flow, Id, Point, Session, Severity,
    Status, Threat, synth,
};

fn id(s: &str) -> Id {
    Id::new(s).unwrap()
}

fn sample(name: &str) -> Document {
    json::load_file(std::path::Path::new(&format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR")))).unwrap()
}

fn element(name: &str, boundary: Option<&str>) -> Element {
    Element {
        id: id(name),
        kind: ElementKind::Process,
        label: name.into(),
        boundary: boundary.map(id),
        at: Point::new(0.0, 0.0),
        out_of_scope: false,
        out_of_scope_reason: String::new(),
        notes: String::new(),
    }
}

fn flow(name: &str, from: &str, to: &str) -> Flow {
    Flow { protocol: "grpc".into(), ..Flow::new(id(name), id(from), id(to)) }
}

fn threat(name: &str, target: &str) -> Threat {
    Threat {
        id: id(name),
        target: id(target),
        category: Category::Spoofing,
        classification: String::new(),
        title: "t".into(),
        description: String::new(),
        severity: Severity::High,
        cvss: String::new(),
        status: Status::Open,
        mitigation: String::new(),
        references: vec![],
        rule: String::new(),
    }
}

#[test]
fn deleting_an_element_takes_its_flows_and_threats_and_undo_brings_them_back() {
    let mut s = Session::new(sample("kubernetes-agent-2021-02.json"));
    let before = s.doc.clone();
    s.apply(Edit::Remove { ids: vec![id("kas")] }).unwrap();
    assert!(s.doc.elements.iter().all(|e| e.id != "kas"));
    assert!(s.doc.flows.iter().all(|f| f.from != "kas" && f.to != "kas"));
    assert!(s.doc.threats.iter().all(|t| t.target != "kas-to-gitaly"), "threats on kas's flows go too");
    assert!(s.doc.validate().is_empty());
    assert_eq!(s.history.undo_label(), Some("Delete kas"));
    assert_eq!(s.undo().as_deref(), Some("Delete kas"));
    assert_eq!(s.doc, before);
}

#[test]
fn deleting_a_boundary_keeps_its_members_in_the_parent() {
    let mut s = Session::new(sample("kubernetes-agent-2021-02.json"));
    s.apply(Edit::Remove { ids: vec![id("kas-host")] }).unwrap();
    let kas = s.doc.elements.iter().find(|e| e.id == "kas").unwrap();
    assert_eq!(kas.boundary, Some(id("gitlab")));
    let mut s = Session::new(sample("kubernetes-agent-2021-02.json"));
    s.apply(Edit::Remove { ids: vec![id("cluster")] }).unwrap();
    let pod = s.doc.boundaries.iter().find(|b| b.id == "agentk-pod").unwrap();
    assert_eq!(pod.parent, None);
    assert!(s.doc.elements.iter().any(|e| e.id == "kube-api" && e.boundary.is_none()));
}

#[test]
fn rename_follows_every_reference() {
    let mut doc = sample("kubernetes-agent-2020-05.json");
    doc.apply(Edit::Rename { from: id("kgb"), to: id("kas") }).unwrap();
    assert!(doc.validate().is_empty());
    assert!(doc.flows.iter().any(|f| f.from == "kas"));
    assert_eq!(
        doc.apply(Edit::Rename { from: id("kas"), to: id("agentk") }),
        Err(EditError::DuplicateId(id("agentk")))
    );
    doc.apply(Edit::Rename { from: id("gitlab"), to: id("gl") }).unwrap();
    assert!(doc.elements.iter().filter(|e| e.boundary == Some(id("gl"))).count() == 3);
}

#[test]
fn refused_edits_change_nothing() {
    let original = sample("kubernetes-agent-2020-10.json");
    let mut doc = original.clone();
    let refused = [
        Edit::AddElement(element("kas", None)),
        Edit::AddElement(element("new", Some("nowhere"))),
        Edit::AddFlow(flow("f", "agentk", "gitlab")),
        Edit::AddThreat(threat("T9", "gitlab")),
        Edit::Remove { ids: vec![id("ghost")] },
        Edit::Move { ids: vec![id("agentk")], dx: f64::NAN, dy: 0.0 },
        Edit::SetBoundary { ids: vec![id("gitlab")], boundary: Some(id("gitlab")) },
        Edit::Batch {
            label: "half".into(),
            edits: vec![Edit::AddElement(element("ok", None)), Edit::AddFlow(flow("bad", "ok", "missing"))],
        },
    ];
    for edit in refused {
        assert!(doc.apply(edit.clone()).is_err(), "{edit:?} should be refused");
        assert_eq!(doc, original, "{edit:?} left traces");
    }
}

#[test]
fn nesting_a_boundary_in_its_own_child_is_a_cycle() {
    let mut doc = sample("kubernetes-agent-2021-02.json");
    let err = doc.apply(Edit::SetBoundary { ids: vec![id("cluster")], boundary: Some(id("agentk-pod")) });
    assert_eq!(err, Err(EditError::Cycle(id("cluster"))));
    let mut gitlab = doc.boundaries.iter().find(|b| b.id == "gitlab").unwrap().clone();
    gitlab.parent = Some(id("kas-host"));
    assert_eq!(doc.apply(Edit::UpdateBoundary(gitlab)), Err(EditError::Cycle(id("gitlab"))));
}

#[test]
fn moving_a_boundary_moves_everything_inside_it() {
    let mut doc = sample("kubernetes-agent-2021-02.json");
    let before = doc.clone();
    doc.apply(Edit::Move { ids: vec![id("cluster")], dx: 10.0, dy: -5.0 }).unwrap();
    for (a, b) in before.elements.iter().zip(&doc.elements) {
        let inside = ["agentk", "agentk-listeners", "kube-api", "kubelet"].contains(&a.id.as_str());
        assert_eq!(b.at.x - a.at.x, if inside { 10.0 } else { 0.0 }, "{}", a.id);
    }
}

#[test]
fn a_drag_is_one_undo_step() {
    let mut s = Session::new(sample("kubernetes-agent-2020-05.json"));
    let before = s.doc.clone();
    for _ in 0..30 {
        s.apply_keyed(Edit::Move { ids: vec![id("kgb")], dx: 1.0, dy: 0.0 }, Some(42)).unwrap();
    }
    s.history.seal();
    s.apply_keyed(Edit::Move { ids: vec![id("kgb")], dx: 1.0, dy: 0.0 }, Some(42)).unwrap();
    assert_eq!(s.history.undo_len(), 2);
    s.undo();
    s.undo();
    assert_eq!(s.doc, before);
}

#[test]
fn a_new_edit_clears_redo_and_history_is_bounded() {
    let mut s = Session::new(Document::default());
    s.history = threatboard::model::History::new(5);
    for i in 0..8 {
        s.apply(Edit::AddElement(element(&format!("e{i}"), None))).unwrap();
    }
    assert_eq!(s.history.undo_len(), 5);
    s.undo();
    assert_eq!(s.history.redo_label(), Some("Add process e7"));
    s.apply(Edit::AddElement(element("x", None))).unwrap();
    assert_eq!(s.history.redo_len(), 0);
    assert!(s.redo().is_none());
}

#[test]
fn dismissals_are_kept_and_replaced() {
    let mut doc = sample("kubernetes-agent-2021-02.json");
    let d = Dismissal { rule: "plain-crossing".into(), target: id("nginx-to-kas"), reason: "internal".into() };
    doc.apply(Edit::Dismiss(d.clone())).unwrap();
    doc.apply(Edit::Dismiss(Dismissal { reason: "loopback only".into(), ..d })).unwrap();
    assert_eq!(doc.dismissed.len(), 1);
    assert_eq!(doc.dismissed[0].reason, "loopback only");
    doc.apply(Edit::Remove { ids: vec![id("nginx-to-kas")] }).unwrap();
    assert!(doc.dismissed.is_empty(), "a dismissal goes with its target");
}

/// One random step, resolved against the document it is applied to so that most steps are valid.
#[derive(Debug, Clone)]
enum Step {
    AddElement(u8, u16),
    AddFlow(u16, u16),
    AddBoundary(u16),
    AddThreat(u16),
    Relabel(u16, String),
    Move(u16, i16, i16),
    Reparent(u16, u16),
    Remove(u16),
    RemoveBoundary(u16),
    Rename(u16),
    SetProtocol(u16, u8),
    Undo,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (any::<u8>(), any::<u16>()).prop_map(|(k, b)| Step::AddElement(k, b)),
        (any::<u16>(), any::<u16>()).prop_map(|(a, b)| Step::AddFlow(a, b)),
        any::<u16>().prop_map(Step::AddBoundary),
        any::<u16>().prop_map(Step::AddThreat),
        (any::<u16>(), "[a-zA-Z <>|\"-]{0,12}").prop_map(|(i, s)| Step::Relabel(i, s)),
        (any::<u16>(), -500i16..500, -500i16..500).prop_map(|(i, x, y)| Step::Move(i, x, y)),
        (any::<u16>(), any::<u16>()).prop_map(|(a, b)| Step::Reparent(a, b)),
        any::<u16>().prop_map(Step::Remove),
        any::<u16>().prop_map(Step::RemoveBoundary),
        any::<u16>().prop_map(Step::Rename),
        (any::<u16>(), any::<u8>()).prop_map(|(i, p)| Step::SetProtocol(i, p)),
        Just(Step::Undo),
    ]
}

fn pick<T>(items: &[T], i: u16) -> Option<&T> {
    (!items.is_empty()).then(|| &items[usize::from(i) % items.len()])
}

fn resolve(doc: &Document, step: &Step, n: usize) -> Option<Edit> {
    let fresh = |prefix: &str| id(&format!("{prefix}{n}"));
    Some(match step {
        Step::AddElement(k, b) => Edit::AddElement(Element {
            kind: ElementKind::ALL[usize::from(*k) % 3],
            boundary: pick(&doc.boundaries, *b).filter(|_| b % 3 != 0).map(|b| b.id.clone()),
            at: Point::new(f64::from(*b % 900), f64::from(*k) * 3.3),
            ..element(fresh("e").as_str(), None)
        }),
        Step::AddFlow(a, b) => Edit::AddFlow(flow(
            fresh("f").as_str(),
            pick(&doc.elements, *a)?.id.as_str(),
            pick(&doc.elements, *b)?.id.as_str(),
        )),
        Step::AddBoundary(p) => Edit::AddBoundary(Boundary {
            id: fresh("b"),
            label: format!("B {n}"),
            parent: pick(&doc.boundaries, *p).filter(|_| p % 2 == 0).map(|b| b.id.clone()),
            notes: String::new(),
        }),
        Step::AddThreat(t) => {
            let target =
                pick(&doc.flows, *t).map(|f| f.id.clone()).or_else(|| pick(&doc.elements, *t).map(|e| e.id.clone()))?;
            Edit::AddThreat(threat(fresh("T").as_str(), target.as_str()))
        }
        Step::Relabel(i, label) => {
            let mut e = pick(&doc.elements, *i)?.clone();
            e.label.clone_from(label);
            Edit::UpdateElement(e)
        }
        Step::Move(i, x, y) => Edit::Move {
            ids: vec![pick(&doc.elements, *i)?.id.clone()],
            dx: f64::from(*x) / 10.0,
            dy: f64::from(*y) / 10.0,
        },
        Step::Reparent(e, b) => Edit::SetBoundary {
            ids: vec![pick(&doc.elements, *e)?.id.clone()],
            boundary: pick(&doc.boundaries, *b).filter(|_| b % 4 != 0).map(|b| b.id.clone()),
        },
        Step::Remove(i) => Edit::Remove { ids: vec![pick(&doc.elements, *i)?.id.clone()] },
        Step::RemoveBoundary(i) => Edit::Remove { ids: vec![pick(&doc.boundaries, *i)?.id.clone()] },
        Step::Rename(i) => Edit::Rename { from: pick(&doc.elements, *i)?.id.clone(), to: fresh("r") },
        Step::SetProtocol(i, p) => {
            let mut f = pick(&doc.flows, *i)?.clone();
            f.protocol = ["grpcs", "http", "", "carrier pigeon"][usize::from(*p) % 4].into();
            Edit::UpdateFlow(f)
        }
        Step::Undo => return None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn undo_all_restores_the_original_and_redo_all_the_final(
        size in 0usize..40,
        seed in any::<u64>(),
        steps in prop::collection::vec(step(), 1..40),
    ) {
        let original = synth::document(size, seed);
        let mut s = Session::new(original.clone());
        for (n, st) in steps.iter().enumerate() {
            if matches!(st, Step::Undo) {
                s.undo();
                continue;
            }
            if let Some(edit) = resolve(&s.doc, st, n) {
                let before = s.doc.clone();
                #[allow(clippy::single_match_else)] // both outcomes are asserted on
                match s.apply(edit) {
                    Ok(()) => prop_assert!(s.doc.validate().is_empty(), "edit left an invalid document"),
                    Err(_) => prop_assert_eq!(&s.doc, &before),
                }
            }
        }
        // Steps undone at the end of the sequence are still on the redo side: they belong to the final state.
        while s.redo().is_some() {}
        let last = s.doc.clone();
        while s.undo().is_some() {}
        prop_assert_eq!(&s.doc, &original);
        while s.redo().is_some() {}
        prop_assert_eq!(&s.doc, &last);
    }
}
