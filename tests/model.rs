//! The questions the product asks of a model, on the seed samples.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use threatboard::formats::json;
use threatboard::model::geometry::{boundary_rects, content_rect, element_size};
use threatboard::model::{Document, Encryption, Index, Rect, Severity, encryption, protocol};

fn sample(name: &str) -> Document {
    json::load_file(std::path::Path::new(&format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR")))).unwrap()
}

fn ids<'a>(bs: impl IntoIterator<Item = &'a threatboard::model::Boundary>) -> Vec<&'a str> {
    bs.into_iter().map(|b| b.id.as_str()).collect()
}

#[test]
fn boundary_chain_is_innermost_first() {
    let doc = sample("kubernetes-agent-2021-02.json");
    let ix = Index::new(&doc);
    assert_eq!(ids(ix.boundary_chain(ix.element("agentk").unwrap())), ["agentk-pod", "cluster"]);
    assert_eq!(ids(ix.boundary_chain(ix.element("kas").unwrap())), ["kas-host", "gitlab"]);
    assert!(ix.boundary_chain(ix.element("prometheus").unwrap()).is_empty());
}

#[test]
fn crossings_list_the_boundaries_between_the_ends() {
    let doc = sample("kubernetes-agent-2021-02.json");
    let ix = Index::new(&doc);
    let crossings = |id: &str| ids(ix.crossings(ix.flow(id).unwrap()));
    assert_eq!(crossings("agentk-to-nginx"), ["agentk-pod", "cluster", "gitlab"]);
    assert_eq!(crossings("nginx-to-kas"), ["kas-host"]);
    assert_eq!(crossings("prometheus-to-kas-listeners"), ["gitlab", "kas-host"]);
    assert_eq!(crossings("agentk-to-kube-api"), ["agentk-pod"]);
    assert_eq!(crossings("kas-to-gitaly"), ["kas-host"]);
    assert!(ix.crosses_boundary(ix.flow("kas-to-gitaly").unwrap()));
    assert!(
        !ix.crosses_boundary(ix.flow("gitlab-ror-to-kas").unwrap()) || crossings("gitlab-ror-to-kas") == ["kas-host"]
    );
}

#[test]
fn encryption_follows_the_catalogue_and_the_override() {
    let mut doc = sample("kubernetes-agent-2021-02.json");
    let of = |doc: &Document, id: &str| encryption(doc.flows.iter().find(|f| f.id == id).unwrap());
    assert_eq!(of(&doc, "agentk-to-nginx"), Encryption::Encrypted);
    assert_eq!(of(&doc, "agentk-to-nginx-wss"), Encryption::Encrypted);
    assert_eq!(of(&doc, "nginx-to-kas"), Encryption::Plain);
    let f = doc.flows.iter_mut().find(|f| f.id == "nginx-to-kas").unwrap();
    f.encrypted = Some(true);
    assert_eq!(of(&doc, "nginx-to-kas"), Encryption::Encrypted);
    let f = doc.flows.iter_mut().find(|f| f.id == "nginx-to-kas").unwrap();
    f.encrypted = None;
    f.protocol = "carrier pigeon".into();
    assert_eq!(of(&doc, "nginx-to-kas"), Encryption::Unknown);
}

#[test]
fn open_threats_count_and_worst_severity() {
    let doc = sample("kubernetes-agent-2021-02.json");
    let ix = Index::new(&doc);
    assert_eq!(ix.open_threats("agentk-to-nginx"), Some((1, Severity::Medium)));
    assert_eq!(ix.open_threats("kas-to-gitaly"), None, "both threats there are mitigated");
    assert_eq!(ix.threats_on("kas-to-gitaly").count(), 2);
}

#[test]
fn sample_boxes_nest_and_siblings_do_not_overlap() {
    let doc = sample("kubernetes-agent-2021-02.json");
    let rects = boundary_rects(&doc);
    let r = |id: &str| rects.iter().find(|(k, _)| k.as_str() == id).map(|(_, r)| *r).unwrap();
    assert!(r("cluster").contains_rect(&r("agentk-pod")));
    assert!(r("gitlab").contains_rect(&r("kas-host")));
    assert!(!r("cluster").intersects(&r("gitlab")));
    for e in &doc.elements {
        let own = Rect::centred(e.at, element_size(e.kind, &e.label));
        if let Some(b) = &e.boundary {
            assert!(r(b.as_str()).contains_rect(&own), "{} sticks out of {b}", e.id);
        }
        for (id, rect) in &rects {
            let ix = Index::new(&doc);
            let inside = ix.boundary_chain(e).iter().any(|c| c.id == *id);
            assert_eq!(rect.intersects(&own), inside, "{} and boundary {id}", e.id);
        }
    }
    assert!(content_rect(&doc).is_some());
}

#[test]
fn samples_use_only_catalogue_protocols() {
    for name in ["kubernetes-agent-2020-05.json", "kubernetes-agent-2020-10.json", "kubernetes-agent-2021-02.json"] {
        for f in &sample(name).flows {
            assert!(protocol::lookup(&f.protocol).is_some(), "{name}: {} has {:?}", f.id, f.protocol);
        }
    }
}

#[test]
fn ids_are_stable_across_the_three_reviews() {
    let may = sample("kubernetes-agent-2020-05.json");
    let oct = sample("kubernetes-agent-2020-10.json");
    let feb = sample("kubernetes-agent-2021-02.json");
    let has = |d: &Document, id: &str| d.elements.iter().any(|e| e.id == id);
    assert!(has(&may, "kgb") && !has(&oct, "kgb"));
    for id in ["agentk", "gitlab-ror", "gitaly"] {
        assert!(has(&may, id) && has(&oct, id) && has(&feb, id), "{id}");
    }
    for id in ["kas", "nginx"] {
        assert!(has(&oct, id) && has(&feb, id), "{id}");
    }
    assert!(feb.flows.iter().any(|f| f.out_of_scope));
    assert!(feb.threats.iter().any(|t| t.title.contains("Unencrypted")));
    assert!(!feb.decomposition.entry_points.is_empty() && !feb.decomposition.trust_levels.is_empty());
}
