//! Layout quality on real diagrams: imported corpus flowcharts are laid out with members inside
//! their boxes, no overlapping elements or sibling boxes, flows mostly along the direction, and
//! flow labels mostly apart.
#![allow(clippy::unwrap_used)] // a failed lookup is a failed test

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use threatboard::formats::mermaid;
use threatboard::layout::{LayoutOptions, layout};
use threatboard::model::geometry::{CHAR_WIDTH, LINE_HEIGHT, Rect, Size, boundary_rects, element_size};
use threatboard::model::{Direction, Document, Id, Point, synth};

/// The third-party corpus, copied into the repository (`tests/corpus`, provenance in its README).
fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

#[derive(Debug, Default)]
struct Quality {
    element_overlaps: usize,
    foreign_members: usize,
    box_overlaps: usize,
    forward: usize,
    flows: usize,
    label_overlaps: usize,
    labels: usize,
}

fn ancestors(doc: &Document, boundary: Option<&Id>) -> Vec<Id> {
    let parents: HashMap<&Id, Option<&Id>> = doc.boundaries.iter().map(|b| (&b.id, b.parent.as_ref())).collect();
    let mut out = Vec::new();
    let mut at = boundary;
    while let Some(b) = at {
        if out.contains(b) {
            break;
        }
        out.push(b.clone());
        at = parents.get(b).copied().flatten();
    }
    out
}

#[allow(clippy::many_single_char_names)] // a, b: the ends of a flow; w, h: a label's size; q: the tally
fn quality(doc: &Document) -> Quality {
    let mut q = Quality::default();
    let rects: Vec<Rect> = doc.elements.iter().map(|e| Rect::centred(e.at, element_size(e.kind, &e.label))).collect();
    for i in 0..rects.len() {
        for j in i + 1..rects.len() {
            q.element_overlaps += usize::from(rects[i].intersects(&rects[j]));
        }
    }
    let boxes: BTreeMap<Id, Rect> = boundary_rects(doc);
    for (e, r) in doc.elements.iter().zip(&rects) {
        let chain = ancestors(doc, e.boundary.as_ref());
        for (b, rect) in &boxes {
            let inside = rect.contains_rect(r);
            let touches = rect.intersects(r);
            if chain.contains(b) != inside || (!chain.contains(b) && touches) {
                q.foreign_members += 1;
            }
        }
    }
    for a in &doc.boundaries {
        for b in &doc.boundaries {
            if a.id < b.id
                && let (Some(ra), Some(rb)) = (boxes.get(&a.id), boxes.get(&b.id))
            {
                let nested = ancestors(doc, Some(&a.id)).contains(&b.id) || ancestors(doc, Some(&b.id)).contains(&a.id);
                q.box_overlaps += usize::from(!nested && ra.intersects(rb));
            }
        }
    }
    let at: HashMap<&Id, Point> = doc.elements.iter().map(|e| (&e.id, e.at)).collect();
    let mut labels = Vec::new();
    for f in &doc.flows {
        let (a, b) = (at[&f.from], at[&f.to]);
        if f.from == f.to {
            continue;
        }
        q.flows += 1;
        let forward = match doc.direction {
            Direction::TB => b.y > a.y,
            Direction::BT => b.y < a.y,
            Direction::LR => b.x > a.x,
            Direction::RL => b.x < a.x,
        };
        q.forward += usize::from(forward);
        let text = mermaid::flow_label(f);
        if !text.is_empty() {
            let w = text.lines().map(|l| l.chars().count()).max().unwrap_or(0).min(32) as f64 * CHAR_WIDTH;
            let h = text.lines().count().clamp(1, 4) as f64 * LINE_HEIGHT;
            let pair = if f.from < f.to { (&f.from, &f.to) } else { (&f.to, &f.from) };
            let centre = Point::new(f64::midpoint(a.x, b.x), f64::midpoint(a.y, b.y));
            labels.push((pair, Rect::centred(centre, Size { w, h })));
        }
    }
    q.labels = labels.len();
    for i in 0..labels.len() {
        for j in i + 1..labels.len() {
            // Flows between the same two elements share a midpoint whatever the layout; drawings
            // separate them, so only labels of different pairs count.
            q.label_overlaps += usize::from(labels[i].0 != labels[j].0 && labels[i].1.intersects(&labels[j].1));
        }
    }
    q
}

#[test]
fn corpus_layouts_keep_members_inside_and_apart() {
    let (mut forward, mut flows, mut label_overlaps, mut labels) = (0, 0, 0, 0);
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(corpus().join("mermaid")).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        let doc = mermaid::import(&std::fs::read_to_string(&path).unwrap()).unwrap().document;
        let q = quality(&doc);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        eprintln!("{name}: {q:?}");
        assert_eq!(q.element_overlaps, 0, "{name}: overlapping elements");
        assert_eq!(q.foreign_members, 0, "{name}: an element outside its box or inside another");
        assert_eq!(q.box_overlaps, 0, "{name}: overlapping boxes");
        forward += q.forward;
        flows += q.flows;
        label_overlaps += q.label_overlaps;
        labels += q.labels;
    }
    eprintln!("forward {forward}/{flows}, label overlaps {label_overlaps} among {labels} labels");
    assert!(forward * 100 >= flows * 85, "only {forward} of {flows} flows follow the direction");
    assert!(label_overlaps * 20 <= labels, "{label_overlaps} overlapping label pairs among {labels} labels");
}

#[test]
fn generated_models_lay_out_cleanly_in_every_direction() {
    for dir in [Direction::TB, Direction::LR, Direction::BT, Direction::RL] {
        let mut doc = synth::document(400, 9);
        doc.direction = dir;
        layout(&mut doc, &LayoutOptions::default());
        let q = quality(&doc);
        assert_eq!((q.element_overlaps, q.foreign_members, q.box_overlaps), (0, 0, 0), "{dir:?}: {q:?}");
    }
}

#[test]
fn tidy_up_keeps_pinned_elements_where_the_user_put_them() {
    let mut doc = synth::document(60, 4);
    let pinned: Vec<(Id, Point)> = doc.elements.iter().step_by(10).map(|e| (e.id.clone(), e.at)).collect();
    let options =
        LayoutOptions { pinned: pinned.iter().map(|(id, _)| id.clone()).collect(), ..LayoutOptions::default() };
    layout(&mut doc, &options);
    for (id, at) in pinned {
        assert_eq!(doc.elements.iter().find(|e| e.id == id).unwrap().at, at, "{id} moved");
    }
}

#[test]
fn layout_is_deterministic() {
    let mut a = synth::document(200, 3);
    let mut b = a.clone();
    layout(&mut a, &LayoutOptions::default());
    layout(&mut b, &LayoutOptions::default());
    assert_eq!(a, b);
}
