//! What the editor's test binaries share: loading a bundled sample and a kittest harness at the
//! editor's usual window size.
//!
//! Each test binary compiles its own copy and uses only part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::missing_panics_doc)]

use egui_kittest::Harness;
use threatboard::app::ThreatboardApp;
use threatboard::formats::json;
use threatboard::model::{Document, Id};

/// The bundled sample `samples/NAME`.
pub fn sample(name: &str) -> Document {
    let path = format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    json::load_file(std::path::Path::new(&path)).unwrap()
}

/// A harness showing `app` in a 1280×800 window, after the first frames have settled.
pub fn harness(app: ThreatboardApp) -> Harness<'static, ThreatboardApp> {
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut ThreatboardApp| app.ui_frame(ui), app);
    h.run_steps(3);
    h
}

/// A valid id, for assertions.
pub fn id(s: &str) -> Id {
    Id::new(s).unwrap()
}
