//! Mermaid export and import of a 10 000-element document (target: 30 ms each).
use criterion::{Criterion, criterion_group, criterion_main};
use threatboard::formats::mermaid;
use threatboard::model::synth;

/// The allocator the `threatboard` binary runs with (see `src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let doc = synth::document(10_000, 1);
    let text = mermaid::export(&doc);
    c.bench_function("mermaid export 10k elements", |b| b.iter(|| mermaid::export(std::hint::black_box(&doc))));
    c.bench_function("mermaid import 10k elements", |b| {
        b.iter(|| mermaid::import(std::hint::black_box(&text)).map(|i| i.document.elements.len()));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
