//! What the editor's test binaries share: loading a bundled sample and a kittest harness at the
//! editor's usual window size.
//!
//! Each test binary compiles its own copy and uses only part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::missing_panics_doc)]

use egui::{Event, Modifiers, PointerButton, Pos2};
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

/// Like `harness`, with frames 1/60 s apart instead of kittest's 1/4 s, so that two clicks in
/// consecutive frames are a double click (egui wants them within 0.3 s).
pub fn fast_harness(app: ThreatboardApp) -> Harness<'static, ThreatboardApp> {
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut ThreatboardApp| app.ui_frame(ui), app);
    h.run_steps(3);
    h
}

/// A valid id, for assertions.
pub fn id(s: &str) -> Id {
    Id::new(s).unwrap()
}

/// Clicks at `pos` with `modifiers`, then lets enough time pass that the next click is no double click.
pub fn click(h: &mut Harness<'_, ThreatboardApp>, pos: Pos2, modifiers: Modifiers) {
    h.event(Event::ModifiersChanged(modifiers));
    h.event(Event::PointerMoved(pos));
    h.run_steps(1);
    h.event(Event::PointerButton { pos, button: PointerButton::Primary, pressed: true, modifiers });
    h.run_steps(1);
    h.event(Event::PointerButton { pos, button: PointerButton::Primary, pressed: false, modifiers });
    h.run_steps(1);
    h.event(Event::ModifiersChanged(Modifiers::NONE));
    h.run_steps(30);
}

/// Where the centre of element `id` is on screen.
pub fn element_centre(h: &Harness<'_, ThreatboardApp>, id: &str) -> Pos2 {
    let app = h.state();
    let e = app.session().doc.elements.iter().find(|e| e.id.as_str() == id).unwrap();
    app.canvas_to_screen(e.at.x, e.at.y)
}

/// Drags with the primary button from `from` to `to` in ten steps.
pub fn drag(h: &mut Harness<'_, ThreatboardApp>, from: Pos2, to: Pos2) {
    drag_with(h, from, to, Modifiers::NONE);
}

/// Drags with the primary button and `modifiers` held from `from` to `to` in ten steps.
pub fn drag_with(h: &mut Harness<'_, ThreatboardApp>, from: Pos2, to: Pos2, modifiers: Modifiers) {
    h.event(Event::ModifiersChanged(modifiers));
    h.event(Event::PointerMoved(from));
    h.run_steps(1);
    h.event(Event::PointerButton { pos: from, button: PointerButton::Primary, pressed: true, modifiers });
    h.run_steps(1);
    for i in 1..=10 {
        h.event(Event::PointerMoved(from + (to - from) * (i as f32 / 10.0)));
        h.run_steps(1);
    }
    h.event(Event::PointerButton { pos: to, button: PointerButton::Primary, pressed: false, modifiers });
    h.event(Event::ModifiersChanged(Modifiers::NONE));
    h.run_steps(3);
}

/// Types `text` one character per frame, as a person does (a field that rebuilds its text from the
/// document each frame would lose what one whole-string event hides).
pub fn type_slowly(h: &mut Harness<'_, ThreatboardApp>, text: &str) {
    for c in text.chars() {
        h.event(Event::Text(c.to_string()));
        h.run_steps(1);
    }
}
