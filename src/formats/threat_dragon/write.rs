//! The Threat Dragon v2 writer: one diagram with boundaries as trust-boundary boxes (their
//! rectangles computed as Threatboard draws them), elements at Threatboard's positions, flows with
//! their data and threats on their cells. Cell ids are UUIDs derived from Threatboard ids, so that
//! exporting the same model twice gives the same file; the Threatboard id also rides along in
//! `data.threatboardId` so that re-importing keeps it.

use serde_json::{Value, json};

use super::mapping::{REFERENCES_HEADING, split_flags};
use crate::model::geometry::{Rect, boundary_rects, content_rect, element_size, round_position};
use crate::model::{Category, Document, ElementKind, Encryption, Id, Severity, Status, Threat, encryption};

/// The Threat Dragon version written into exported models.
pub const TD_VERSION: &str = "2.3.0";

/// Writes a document as a Threat Dragon v2 model (pretty-printed JSON with a final newline).
pub fn export(doc: &Document) -> String {
    let mut text = serde_json::to_string_pretty(&model(doc)).unwrap_or_default();
    text.push('\n');
    text
}

fn model(doc: &Document) -> Value {
    let numbers = threat_numbers(&doc.threats);
    let kind = diagram_type(&doc.threats);
    let mut cells = Vec::new();
    boxes(doc, &mut cells);
    for e in &doc.elements {
        cells.push(element(doc, e, &numbers, cells.len()));
    }
    for f in &doc.flows {
        cells.push(flow(doc, f, &numbers, cells.len()));
    }
    let title = if doc.title.trim().is_empty() { "Threat model".to_owned() } else { doc.title.clone() };
    json!({
        "version": TD_VERSION,
        "summary": {
            "title": title,
            "owner": "",
            "description": summary_description(doc),
            "id": 0,
        },
        "detail": {
            "contributors": [],
            "diagrams": [{
                "id": 0,
                "title": title,
                "description": "",
                "diagramType": kind,
                "placeholder": "",
                "thumbnail": thumbnail(kind),
                "version": TD_VERSION,
                "cells": cells,
            }],
            "diagramTop": 1,
            "reviewer": "",
            "threatTop": numbers.iter().copied().max().unwrap_or(0),
        },
    })
}

/// The description plus the decomposition, which Threat Dragon has no fields for.
fn summary_description(doc: &Document) -> String {
    let d = &doc.decomposition;
    let mut parts = vec![doc.description.trim().to_owned()];
    if !d.use_case.trim().is_empty() {
        parts.push(format!("Use case: {}", d.use_case.trim()));
    }
    for (heading, items) in [
        ("Entry points", &d.entry_points),
        ("Trust levels", &d.trust_levels),
        ("Previous issues", &d.previous_issues),
        ("References", &d.references),
    ] {
        if !items.is_empty() {
            let list: Vec<String> = items.iter().map(|i| format!("- {i}")).collect();
            parts.push(format!("{heading}:\n{}", list.join("\n")));
        }
    }
    parts.retain(|p| !p.is_empty());
    parts.join("\n\n")
}

/// Trust-boundary boxes, outer ones below nested ones; boundaries without members are drawn as small
/// boxes in a row under the drawing so that they survive a round trip.
fn boxes(doc: &Document, cells: &mut Vec<Value>) {
    let rects = boundary_rects(doc);
    let bottom = content_rect(doc).map_or((0.0, 0.0), |r| (r.min_x, r.max_y + 60.0));
    let depth = |b: &crate::model::Boundary| {
        let mut d = 0i64;
        let mut at = b.parent.as_ref();
        while let Some(p) = at {
            d += 1;
            if d > i64::try_from(doc.boundaries.len()).unwrap_or(i64::MAX) {
                break;
            }
            at = doc.boundaries.iter().find(|x| &x.id == p).and_then(|x| x.parent.as_ref());
        }
        d
    };
    let mut empty = 0.0;
    // Document order already puts outer boundaries first; Threat Dragon stacks by zIndex anyway.
    for b in &doc.boundaries {
        let rect = rects.get(&b.id).copied().unwrap_or_else(|| {
            let r = Rect {
                min_x: bottom.0 + empty * 200.0,
                min_y: bottom.1,
                max_x: bottom.0 + empty * 200.0 + 160.0,
                max_y: bottom.1 + 80.0,
            };
            empty += 1.0;
            r
        });
        let label = b.label.clone();
        cells.push(json!({
            "id": uuid("boundary", &b.id),
            "shape": "trust-boundary-box",
            "zIndex": -50 + depth(b),
            "visible": true,
            "position": { "x": round_position(rect.min_x), "y": round_position(rect.min_y) },
            "size": { "width": round_position(rect.width()), "height": round_position(rect.height()) },
            "attrs": { "headerText": { "text": label }, "label": { "text": label } },
            "data": {
                "type": "tm.BoundaryBox",
                "name": label,
                "description": b.notes,
                "isTrustBoundary": true,
                "hasOpenThreats": false,
                "threatboardId": b.id.as_str(),
            },
        }));
    }
}

fn has_open_threats(doc: &Document, id: &Id) -> bool {
    doc.threats.iter().any(|t| &t.target == id && t.status == Status::Open)
}

/// Stroke attributes as Threat Dragon sets them: red and thicker with open threats, dashed out of scope.
fn stroke(open: bool, out_of_scope: bool) -> Value {
    let mut s = json!({
        "stroke": if open { "red" } else { "#333333" },
        "strokeWidth": if open { 3.0 } else { 1.0 },
    });
    if out_of_scope && let Some(o) = s.as_object_mut() {
        o.insert("strokeDasharray".into(), json!("2 2"));
    }
    s
}

fn element(doc: &Document, e: &crate::model::Element, numbers: &[u64], z: usize) -> Value {
    let size = element_size(e.kind, &e.label);
    let (w, h) = match e.kind {
        // Threat Dragon draws processes as circles.
        ElementKind::Process => (size.w.max(size.h), size.w.max(size.h)),
        _ => (size.w, size.h),
    };
    let open = has_open_threats(doc, &e.id);
    let (description, flags) = split_flags(&e.notes);
    let has = |name: &str| flags.iter().any(|f| f == name);
    let privilege = flags.iter().find_map(|f| f.strip_prefix("privilegeLevel=")).unwrap_or_default();
    let (shape, kind) = match e.kind {
        ElementKind::External => ("actor", "tm.Actor"),
        ElementKind::Process => ("process", "tm.Process"),
        ElementKind::Store => ("store", "tm.Store"),
    };
    let mut body = stroke(open, e.out_of_scope);
    if let Some(b) = body.as_object_mut() {
        // Threat Dragon's schema requires a dash value on bodies; an empty one draws a solid line.
        b.entry("strokeDasharray").or_insert_with(|| json!(""));
    }
    let attrs = match e.kind {
        ElementKind::Store => json!({ "text": { "text": e.label }, "topLine": body, "bottomLine": body }),
        _ => json!({ "text": { "text": e.label }, "body": body }),
    };
    let mut data = json!({
        "type": kind,
        "name": e.label,
        "description": description,
        "outOfScope": e.out_of_scope,
        "reasonOutOfScope": e.out_of_scope_reason,
        "hasOpenThreats": open,
        "isTrustBoundary": false,
        "threats": threats_on(doc, &e.id, numbers),
        "threatboardId": e.id.as_str(),
    });
    if let Some(d) = data.as_object_mut() {
        let flag_names: &[&str] = match e.kind {
            ElementKind::External => &["providesAuthentication"],
            ElementKind::Process => &["handlesCardPayment", "handlesGoodsOrServices", "isWebApplication"],
            ElementKind::Store => &["isALog", "isEncrypted", "isSigned", "storesCredentials", "storesInventory"],
        };
        for name in flag_names {
            d.insert((*name).to_owned(), json!(has(name)));
        }
        if e.kind == ElementKind::Process {
            d.insert("privilegeLevel".into(), json!(privilege));
        }
    }
    json!({
        "id": uuid("element", &e.id),
        "shape": shape,
        "zIndex": z,
        "visible": true,
        "position": { "x": round_position(e.at.x - w / 2.0), "y": round_position(e.at.y - h / 2.0) },
        "size": { "width": round_position(w), "height": round_position(h) },
        "attrs": attrs,
        "data": data,
    })
}

fn flow(doc: &Document, f: &crate::model::Flow, numbers: &[u64], z: usize) -> Value {
    let open = has_open_threats(doc, &f.id);
    let (description, flags) = split_flags(&f.notes);
    let mut line = stroke(open, f.out_of_scope);
    if let Some(l) = line.as_object_mut() {
        l.insert("targetMarker".into(), json!({ "name": "block" }));
        l.insert("sourceMarker".into(), json!({ "name": if f.bidirectional { "block" } else { "" } }));
    }
    json!({
        "id": uuid("flow", &f.id),
        "shape": "flow",
        "zIndex": z,
        "width": 200,
        "height": 100,
        "connector": "smooth",
        "source": { "cell": uuid("element", &f.from) },
        "target": { "cell": uuid("element", &f.to) },
        "vertices": [],
        "attrs": { "line": line },
        "labels": [{
            "position": 0.5,
            "markup": [{ "tagName": "ellipse", "selector": "labelBody" }, { "tagName": "text", "selector": "labelText" }],
            "attrs": {
                "labelText": { "text": f.label, "textAnchor": "middle", "textVerticalAnchor": "middle" },
                "labelBody": { "ref": "labelText", "refRx": "50%", "refRy": "60%", "fill": "#fff", "strokeWidth": 0 },
            },
        }],
        "data": {
            "type": "tm.Flow",
            "name": f.label,
            "description": description,
            "outOfScope": f.out_of_scope,
            "reasonOutOfScope": f.out_of_scope_reason,
            "hasOpenThreats": open,
            "isBidirectional": f.bidirectional,
            "isEncrypted": encryption(f) == Encryption::Encrypted,
            "isPublicNetwork": flags.iter().any(|x| x == "isPublicNetwork"),
            "isTrustBoundary": false,
            "protocol": f.protocol,
            "threats": threats_on(doc, &f.id, numbers),
            "threatboardId": f.id.as_str(),
        },
    })
}

fn threats_on(doc: &Document, target: &Id, numbers: &[u64]) -> Vec<Value> {
    doc.threats
        .iter()
        .zip(numbers)
        .filter(|(t, _)| &t.target == target)
        .map(|(t, n)| {
            let (model_type, kind) = threat_type(t);
            let mut description = t.description.trim().to_owned();
            if !t.references.is_empty() {
                let list: Vec<String> = t.references.iter().map(|r| format!("- {r}")).collect();
                if !description.is_empty() {
                    description.push_str("\n\n");
                }
                description.push_str(REFERENCES_HEADING);
                description.push('\n');
                description.push_str(&list.join("\n"));
            }
            json!({
                "id": uuid("threat", &t.id),
                "number": n,
                "title": t.title,
                "type": kind,
                "modelType": model_type,
                "status": status(t.status),
                "severity": severity(t.severity),
                "score": t.cvss,
                "description": description,
                "mitigation": t.mitigation,
                "threatboardId": t.id.as_str(),
            })
        })
        .collect()
}

/// `(modelType, type)`: STRIDE categories by their Threat Dragon names, other methodologies from
/// the classification (`LINDDUN: Linkability`).
fn threat_type(t: &Threat) -> (String, String) {
    if t.category != Category::Other {
        return ("STRIDE".into(), t.category.title().into());
    }
    match t.classification.split_once(':') {
        Some((model, kind)) if !model.trim().is_empty() => (model.trim().to_owned(), kind.trim().to_owned()),
        _ if t.classification.trim().is_empty() => ("STRIDE".into(), Category::Other.title().into()),
        _ => ("Generic".into(), t.classification.trim().to_owned()),
    }
}

/// STRIDE, unless every threat comes from one other methodology.
fn diagram_type(threats: &[Threat]) -> &'static str {
    const KNOWN: [&str; 6] = ["STRIDE", "LINDDUN", "CIA", "DIE", "PLOT4ai", "Generic"];
    let models: Vec<String> = threats.iter().map(|t| threat_type(t).0).collect();
    match models.first() {
        Some(first) if models.iter().all(|m| m == first) => {
            KNOWN.iter().find(|k| k.eq_ignore_ascii_case(first)).copied().unwrap_or("STRIDE")
        }
        _ => "STRIDE",
    }
}

fn thumbnail(kind: &str) -> String {
    match kind {
        "Generic" => "./public/content/images/thumbnail.jpg".to_owned(),
        k => format!("./public/content/images/thumbnail.{}.jpg", k.to_ascii_lowercase()),
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Open => "Open",
        Status::Mitigated => "Mitigated",
        Status::Accepted => "Accepted",
        Status::Transferred => "Transferred",
        Status::NotApplicable => "NotApplicable",
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

/// Threat numbers: `T<n>` keeps `n` when it is unique, the others take the next free numbers.
fn threat_numbers(threats: &[Threat]) -> Vec<u64> {
    let wanted: Vec<Option<u64>> = threats
        .iter()
        .map(|t| t.id.as_str().strip_prefix('T').and_then(|n| n.parse::<u64>().ok()).filter(|n| *n > 0))
        .collect();
    let mut used = std::collections::BTreeSet::new();
    let mut out: Vec<u64> = wanted.iter().map(|w| w.filter(|n| used.insert(*n)).unwrap_or(0)).collect();
    let mut next = 1;
    for n in &mut out {
        if *n == 0 {
            while used.contains(&next) {
                next += 1;
            }
            *n = next;
            used.insert(next);
        }
    }
    out
}

/// A UUID-shaped id, stable for a given Threatboard id (two FNV-1a hashes, version 4 layout).
fn uuid(namespace: &str, id: &Id) -> String {
    let hash = |seed: u64| {
        let mut h = seed;
        for b in namespace.bytes().chain([0]).chain(id.as_str().bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    };
    let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_distinct() {
        let a = Id::new("kas").unwrap_or_else(|_| unreachable!());
        let b = Id::new("kgb").unwrap_or_else(|_| unreachable!());
        assert_eq!(uuid("element", &a), uuid("element", &a));
        assert_ne!(uuid("element", &a), uuid("element", &b));
        assert_ne!(uuid("element", &a), uuid("flow", &a));
        assert_eq!(uuid("element", &a).len(), 36);
    }
}
