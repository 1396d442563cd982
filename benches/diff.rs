//! Comparison benchmark: two versions of a 10 000-element model with 1% of the elements changed.
//! Target: `compare` in at most 50 ms.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use threatboard::diff;
use threatboard::model::synth::{self, Rng};
use threatboard::model::{Document, Edit, Id};

const ELEMENTS: usize = 10_000;

/// `old` with one element in a hundred changed: relabelled, moved, renamed (new id), removed (with its
/// flows), re-protocolled, or a new element added next to it, in turn.
fn changed(old: &Document) -> Document {
    let mut doc = old.clone();
    let mut rng = Rng::new(99);
    let protocols = ["grpcs", "https", "wss", "http"];
    for k in 0..ELEMENTS / 100 {
        let i = k * 100 + rng.below(100);
        let Some(e) = doc.elements.iter().find(|e| e.id.as_str() == format!("e{i}")).cloned() else { continue };
        let edit = match k % 6 {
            0 => Edit::UpdateElement(threatboard::model::Element { label: format!("relabelled {i}"), ..e }),
            1 => Edit::Move { ids: vec![e.id], dx: 120.0, dy: -80.0 },
            2 => {
                Edit::Rename { from: e.id, to: Id::new(format!("renamed-{i}")).unwrap_or_else(|_| Id::slug("x", "x")) }
            }
            3 => Edit::Remove { ids: vec![e.id] },
            4 => match doc.flows.iter().find(|f| f.from == e.id).cloned() {
                Some(f) => Edit::UpdateFlow(threatboard::model::Flow { protocol: protocols[rng.below(4)].into(), ..f }),
                None => continue,
            },
            _ => Edit::AddElement(threatboard::model::Element {
                id: Id::new(format!("added-{i}")).unwrap_or_else(|_| Id::slug("x", "x")),
                label: format!("fresh node {i}"),
                ..e
            }),
        };
        let _ = doc.apply(edit);
    }
    doc
}

fn bench(c: &mut Criterion) {
    let old = synth::document(ELEMENTS, 42);
    let new = changed(&old);
    let d = diff::compare(&old, &new);
    assert!(!d.is_empty());
    eprintln!(
        "{} elements, {} flows; {} element changes, {} flow changes, {} threat changes",
        old.elements.len(),
        old.flows.len(),
        d.elements.len(),
        d.flows.len(),
        d.threats.len()
    );
    let mut group = c.benchmark_group("diff");
    group.sample_size(30);
    group.bench_function("compare 10k elements, 1% changed", |b| {
        b.iter(|| diff::compare(black_box(&old), black_box(&new)));
    });
    group.bench_function("compare 10k elements, equal", |b| b.iter(|| diff::compare(black_box(&old), black_box(&old))));
    group.bench_function("render text, 1% changed", |b| b.iter(|| diff::render_text(black_box(&d))));
    group.bench_function("textconv 10k elements", |b| b.iter(|| diff::textconv(black_box(&old))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
