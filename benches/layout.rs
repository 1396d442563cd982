//! Boundary-aware layout of a 1 000-element document (target: 200 ms).
use criterion::{Criterion, criterion_group, criterion_main};
use threatboard::layout::{LayoutOptions, layout};
use threatboard::model::synth;

fn bench(c: &mut Criterion) {
    let doc = synth::document(1_000, 1);
    let options = LayoutOptions::default();
    c.bench_function("layout 1k elements", |b| {
        b.iter_batched(|| doc.clone(), |mut d| layout(&mut d, &options), criterion::BatchSize::LargeInput)
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
