//! Rule-engine benchmarks: every built-in rule over a synthetic model of 10 000 elements
//! (about 15 000 flows), and `check` with its file positions over the same model.

#![allow(clippy::expect_used)] // with broken built-in rules there is nothing to measure

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use threatboard::analysis::{self, RuleSet};
use threatboard::formats::json;
use threatboard::model::{Severity, synth};

fn rules(c: &mut Criterion) {
    let rules = RuleSet::builtin().expect("the built-in rules load");
    let doc = synth::document(10_000, 1);
    let text = json::to_string(&doc);
    let mut group = c.benchmark_group("analysis");
    group.sample_size(20);
    group.bench_function("suggestions_10k_elements", |b| b.iter(|| analysis::suggestions(black_box(&doc), &rules)));
    group.bench_function("check_10k_elements", |b| {
        b.iter(|| analysis::check(black_box(&doc), &text, &rules, Severity::High));
    });
    group.bench_function("load_builtin_rules", |b| b.iter(RuleSet::builtin));
    group.finish();
}

criterion_group!(benches, rules);
criterion_main!(benches);
