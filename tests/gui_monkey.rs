//! Random input on the editor: pointer moves, clicks, drags, wheel turns, shortcuts, typing and
//! pasting, thousands of them. Whatever a user does, the editor must not panic, the document must stay
//! valid after every frame, and undoing every step must give back the document that was opened, with
//! all its threats.
//!
//! `MONKEY_EVENTS=N` and `MONKEY_SEED=S` run longer or other sequences.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)] // a failed unwrap is a failed test

use egui::{Event, Key, Modifiers, MouseWheelUnit, PointerButton, Pos2, Vec2};
use egui_kittest::Harness;
use threatboard::app::ThreatboardApp;
use threatboard::model::Document;
use threatboard::model::synth::Rng;

mod support;

use support::{harness, sample};

/// Keys a user presses, with the modifiers that make them shortcuts. File shortcuts (new, open, save,
/// quit) are left out: they open dialogs or write files, and the file tests cover them.
const KEYS: &[(Key, Modifiers)] = &[
    (Key::E, Modifiers::NONE),
    (Key::P, Modifiers::NONE),
    (Key::S, Modifiers::NONE),
    (Key::B, Modifiers::NONE),
    (Key::C, Modifiers::NONE),
    (Key::G, Modifiers::NONE),
    (Key::F2, Modifiers::NONE),
    (Key::Delete, Modifiers::NONE),
    (Key::Backspace, Modifiers::NONE),
    (Key::Escape, Modifiers::NONE),
    (Key::Enter, Modifiers::NONE),
    (Key::Tab, Modifiers::NONE),
    (Key::ArrowLeft, Modifiers::NONE),
    (Key::ArrowDown, Modifiers::SHIFT),
    (Key::Z, Modifiers::COMMAND),
    (Key::Z, Modifiers { shift: true, ..Modifiers::COMMAND }),
    (Key::Y, Modifiers::COMMAND),
    (Key::D, Modifiers::COMMAND),
    (Key::A, Modifiers::COMMAND),
    (Key::C, Modifiers::COMMAND),
    (Key::X, Modifiers::COMMAND),
    (Key::V, Modifiers::COMMAND),
    (Key::L, Modifiers::COMMAND),
    (Key::T, Modifiers::COMMAND),
    (Key::Num0, Modifiers::COMMAND),
    (Key::Plus, Modifiers::COMMAND),
    (Key::Minus, Modifiers::COMMAND),
];

/// Text a user types or pastes: names, quick-entry lines, and text that has broken editors before.
const TEXTS: &[&str] = &[
    "kas",
    "Gitaly",
    "agentk -grpcs-> nginx",
    "nginx -\"proxy pass port 5005\"-> kas",
    "kas: process in GitLab",
    "Prometheus -.http.-> kas",
    "a -> b -> c; c <-wss-> a",
    "GitLab: boundary in Cloud",
    "<script>alert(1)</script>",
    "日本語 → ✓",
    "\u{202e}reversed",
    "   ",
    "x -> ",
    ": process in",
];

fn modifiers(rng: &mut Rng) -> Modifiers {
    match rng.below(8) {
        0 => Modifiers::SHIFT,
        1 => Modifiers::COMMAND,
        2 => Modifiers::ALT,
        _ => Modifiers::NONE,
    }
}

/// A point anywhere in the window below the menu bar (whose File menu opens dialogs).
fn point(rng: &mut Rng) -> Pos2 {
    Pos2::new(rng.below(1280) as f32, 24.0 + rng.below(776) as f32)
}

/// Sends one random thing a user does, with the frames it takes.
fn act(h: &mut Harness<'_, ThreatboardApp>, rng: &mut Rng, at: &mut Pos2) {
    match rng.below(20) {
        0..=4 => {
            *at = point(rng);
            h.event(Event::PointerMoved(*at));
        }
        5..=7 => {
            let (button, m) = match rng.below(6) {
                0 => (PointerButton::Secondary, Modifiers::NONE),
                1 => (PointerButton::Middle, Modifiers::NONE),
                _ => (PointerButton::Primary, modifiers(rng)),
            };
            h.event(Event::ModifiersChanged(m));
            h.event(Event::PointerButton { pos: *at, button, pressed: true, modifiers: m });
            h.run_steps(1);
            // A click, or a drag over a few frames.
            for _ in 0..rng.below(4) {
                *at += Vec2::new(rng.below(161) as f32 - 80.0, rng.below(161) as f32 - 80.0);
                *at = at.clamp(Pos2::new(0.0, 24.0), Pos2::new(1279.0, 799.0));
                h.event(Event::PointerMoved(*at));
                h.run_steps(1);
            }
            h.event(Event::PointerButton { pos: *at, button, pressed: false, modifiers: m });
            h.event(Event::ModifiersChanged(Modifiers::NONE));
        }
        8 => {
            let delta = Vec2::new(0.0, rng.below(7) as f32 - 3.0);
            h.event(Event::MouseWheel {
                unit: MouseWheelUnit::Line,
                delta,
                modifiers: modifiers(rng),
                phase: egui::TouchPhase::Move,
            });
        }
        9..=14 => {
            let (key, m) = KEYS[rng.below(KEYS.len())];
            h.event(Event::Key { key, physical_key: None, pressed: true, repeat: false, modifiers: m });
            h.event(Event::Key { key, physical_key: None, pressed: false, repeat: false, modifiers: m });
        }
        15..=17 => h.event(Event::Text(TEXTS[rng.below(TEXTS.len())].to_owned())),
        _ => h.event(Event::Paste(TEXTS[rng.below(TEXTS.len())].to_owned())),
    }
    h.run_steps(1);
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Closes whatever is open (an in-place rename, a popup), so that the next shortcuts reach the editor.
fn close_everything(h: &mut Harness<'_, ThreatboardApp>) {
    for _ in 0..3 {
        h.key_press(Key::Escape);
        h.run_steps(1);
    }
}

/// Presses `key` with `modifiers` until `left` says nothing is left to do; at most `most` times.
fn press_until_done(
    h: &mut Harness<'_, ThreatboardApp>,
    modifiers: Modifiers,
    key: Key,
    most: usize,
    left: impl Fn(&ThreatboardApp) -> usize,
) {
    for _ in 0..most {
        if left(h.state()) == 0 {
            return;
        }
        h.key_press_modifiers(modifiers, key);
        h.run_steps(1);
    }
}

/// Rounds of random input, each until the history nearly fills up (older steps would fall off it):
/// then every step is undone, which must give back the opened document, and redone, which must give
/// back the edited one.
fn monkey(start: &Document, seed: u64, events: u64) {
    let mut h = harness(ThreatboardApp::with_document(start.clone(), None));
    let mut rng = Rng::new(seed);
    let mut at = Pos2::new(400.0, 300.0);
    let mut n = 0;
    while n < events {
        while n < events && h.state().session().history.undo_len() < threatboard::model::DEFAULT_DEPTH - 10 {
            act(&mut h, &mut rng, &mut at);
            n += 1;
            let problems = h.state().session().doc.validate();
            assert!(problems.is_empty(), "seed {seed}, event {n}: the document became invalid: {:?}", problems.first());
        }
        close_everything(&mut h);
        let edited = h.state().session().doc.clone();
        let steps = h.state().session().history.undo_len();
        press_until_done(&mut h, Modifiers::COMMAND, Key::Z, steps + 5, |app| app.session().history.undo_len());
        let back = &h.state().session().doc;
        assert_eq!(back.threats, start.threats, "seed {seed}, event {n}: undoing every step lost or changed threats");
        assert_eq!(back, start, "seed {seed}, event {n}: undoing every step did not give back the opened document");
        let redo = Modifiers { shift: true, ..Modifiers::COMMAND };
        press_until_done(&mut h, redo, Key::Z, steps + 5, |app| app.session().history.redo_len());
        assert_eq!(
            h.state().session().doc,
            edited,
            "seed {seed}, event {n}: redoing every step did not give back the edits"
        );
        // The next round starts from the opened document again.
        press_until_done(&mut h, Modifiers::COMMAND, Key::Z, steps + 5, |app| app.session().history.undo_len());
    }
}

#[test]
fn random_input_on_a_sample_keeps_the_document_valid_and_undoable() {
    let seed = env_number("MONKEY_SEED", 7);
    monkey(&sample("kubernetes-agent-2021-02.json"), seed, env_number("MONKEY_EVENTS", 1500));
}

#[test]
fn random_input_on_an_empty_model_keeps_the_document_valid_and_undoable() {
    let seed = env_number("MONKEY_SEED", 11);
    monkey(&Document::default(), seed, env_number("MONKEY_EVENTS", 1500));
}
