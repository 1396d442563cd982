//! Loading and saving model files of 1 000 and 10 000 elements (target: 10 000 in ≤ 30 ms each way).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use threatboard::formats::json;
use threatboard::model::synth;

fn load_and_save(c: &mut Criterion) {
    let mut group = c.benchmark_group("json");
    group.sample_size(20);
    for n in [1_000, 10_000] {
        let doc = synth::document(n, 1);
        let text = json::to_string(&doc);
        group.bench_with_input(BenchmarkId::new("load", n), &text, |b, text| {
            b.iter(|| json::from_str(black_box(text)));
        });
        group.bench_with_input(BenchmarkId::new("save", n), &doc, |b, doc| b.iter(|| json::to_string(black_box(doc))));
    }
    group.finish();
}

criterion_group!(benches, load_and_save);
criterion_main!(benches);
