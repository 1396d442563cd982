//! Threat Dragon export and import of synthetic models, and import of the largest demo model.

use criterion::{Criterion, criterion_group, criterion_main};
use threatboard::formats::threat_dragon::{DiagramChoice, export, import};
use threatboard::model::synth;

fn bench(c: &mut Criterion) {
    for n in [100, 1000] {
        let doc = synth::document(n, 7);
        let text = export(&doc);
        c.bench_function(&format!("td_export_{n}"), |b| b.iter(|| export(&doc)));
        c.bench_function(&format!("td_import_{n}"), |b| b.iter(|| import(&text, &DiagramChoice::Only)));
    }
    let demo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/threat-dragon/cryptocurrency-wallet.json");
    if let Ok(text) = std::fs::read_to_string(demo) {
        c.bench_function("td_import_cryptocurrency_wallet", |b| b.iter(|| import(&text, &DiagramChoice::Only)));
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
