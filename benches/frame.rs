//! Frame cost of the editor: one headless egui pass plus tessellation at 1280×800, for the 2021-02
//! sample and for 1 000 and 5 000 generated elements, beside `egui_graphs`' default drawing of the same graphs.
//!
//! Run with `cargo bench --bench frame`. Prints the median and the 90th percentile per frame.

use std::time::{Duration, Instant};

use egui::{Pos2, RawInput, Rect, Vec2};
use threatboard::app::ThreatboardApp;
use threatboard::formats::json;
use threatboard::model::{Document, synth};

/// The allocator the `threatboard` binary runs with (see `src/main.rs`), for both drawings compared.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZE: Vec2 = Vec2::new(1280.0, 800.0);

/// Runs `frames` passes of `ui` after a warm-up and returns the sorted per-frame times.
fn measure(frames: usize, mut ui: impl FnMut(&mut egui::Ui)) -> Vec<Duration> {
    let ctx = egui::Context::default();
    let mut times = Vec::with_capacity(frames);
    for i in 0..(frames + 5) {
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, SIZE)),
            time: Some(i as f64 / 60.0),
            ..RawInput::default()
        };
        let start = Instant::now();
        let out = ctx.run_ui(input, &mut ui);
        let primitives = ctx.tessellate(out.shapes, out.pixels_per_point);
        let took = start.elapsed();
        std::hint::black_box(primitives);
        if i >= 5 {
            times.push(took);
        }
    }
    times.sort_unstable();
    times
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(name: &str, times: &[Duration]) -> f64 {
    let median = times[times.len() / 2];
    let p90 = times[(times.len() * 9) / 10];
    println!("{name:<44} median {:>7.2} ms   p90 {:>7.2} ms", ms(median), ms(p90));
    ms(median)
}

fn threatboard(doc: &Document, zoom: Option<f32>) -> Vec<Duration> {
    let mut app = ThreatboardApp::with_document(doc.clone(), None);
    if let Some(z) = zoom {
        app.set_zoom(z);
    }
    measure(40, |ui| app.ui_frame(ui))
}

fn naive(doc: &Document) -> Vec<Duration> {
    let mut g: egui_graphs::Graph<(), ()> = egui_graphs::Graph::new();
    let mut at = std::collections::HashMap::new();
    for e in &doc.elements {
        let i = g.add_node_with_label_and_location((), e.label.clone(), Pos2::new(e.at.x as f32, e.at.y as f32));
        at.insert(e.id.clone(), i);
    }
    for f in &doc.flows {
        if let (Some(&a), Some(&b)) = (at.get(&f.from), at.get(&f.to)) {
            g.add_edge_with_label(a, b, (), f.protocol.clone());
        }
    }
    measure(40, |ui| {
        egui::CentralPanel::default().show(ui, |ui| {
            egui_graphs::DefaultGraphView::new().show(ui, &mut g);
        });
    })
}

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/kubernetes-agent-2021-02.json");
    let sample = match json::load_file(std::path::Path::new(path)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot load the sample: {e}");
            return;
        }
    };
    let cases = [
        ("2021-02 sample", sample),
        ("1 000 elements", synth::document(1000, 1)),
        ("5 000 elements", synth::document(5000, 1)),
    ];
    println!("Frame cost at 1280×800 (egui run + tessellate, whole window)");
    for (name, doc) in &cases {
        report(&format!("{name}: Threatboard, zoom to fit"), &threatboard(doc, None));
        report(&format!("{name}: Threatboard, 100% zoom"), &threatboard(doc, Some(1.0)));
        report(&format!("{name}: egui_graphs default drawing"), &naive(doc));
    }
}
