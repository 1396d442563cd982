//! Drawn-export benchmarks. Budgets (issue 6): the SVG of a 10 000-element model in at most 50 ms; the
//! PNG of the February 2021 sample at 2× in at most 200 ms.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use threatboard::formats::json;
use threatboard::model::synth;
use threatboard::render::svg::to_svg;
use threatboard::render::{RenderOptions, Scene, png};

/// The allocator the `threatboard` binary runs with (see `src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn svg_10k(c: &mut Criterion) {
    let doc = synth::document(10_000, 1);
    let options = RenderOptions::default();
    let mut group = c.benchmark_group("svg");
    group.sample_size(20);
    group.bench_function("scene 10k elements", |b| b.iter(|| Scene::build(black_box(&doc), &options)));
    let scene = Scene::build(&doc, &options);
    group.bench_function("write 10k elements", |b| b.iter(|| to_svg(black_box(&scene))));
    group.bench_function("scene + write 10k elements", |b| b.iter(|| to_svg(&Scene::build(black_box(&doc), &options))));
    group.finish();
}

fn png_feb_2x(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/kubernetes-agent-2021-02.json");
    let Ok(doc) = json::load_file(&path) else {
        panic!("cannot load {}", path.display());
    };
    let svg = to_svg(&Scene::build(&doc, &RenderOptions::default()));
    // Loads the fonts once, as a long-running process (the editor) would.
    let _ = png::to_png(&svg, 1.0);
    let mut group = c.benchmark_group("png");
    group.sample_size(20);
    group.bench_function("2021-02 sample at 2x", |b| b.iter(|| png::to_png(black_box(&svg), 2.0)));
    group.bench_function("2021-02 sample at 2x, from the document", |b| {
        b.iter(|| png::to_png(&to_svg(&Scene::build(black_box(&doc), &RenderOptions::default())), 2.0));
    });
    group.finish();
}

criterion_group!(benches, svg_10k, png_feb_2x);
criterion_main!(benches);
