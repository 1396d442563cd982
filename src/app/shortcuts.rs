//! Keyboard shortcuts, read once per frame before the widgets. Single-key shortcuts only act when no
//! text field has the keyboard.

use egui::{Context, Event, Key, KeyboardShortcut, Modifiers};

use super::app::{Pending, ThreatboardApp};
use super::canvas::{start_rename, zoom_to_fit};
use super::inspector::live_field;
use super::{actions, file_ops};
use crate::model::ElementKind;

/// Every shortcut with what it does, for the help window.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("E / P / S", "add an external entity, process or data store at the pointer"),
    ("B", "put the selection in a new trust boundary"),
    ("C", "connect the two selected elements (first → second)"),
    ("drag from an element's handle, or Ctrl/Alt+drag", "draw a flow to another element"),
    ("click, Shift+click", "select, add to the selection"),
    ("Shift+drag, Ctrl+drag or right-drag on empty canvas", "rubber-band selection"),
    ("drag on empty canvas, middle drag", "pan"),
    ("wheel, Ctrl + / Ctrl −", "zoom"),
    ("Ctrl+0", "zoom to fit"),
    ("F2, double-click", "rename in place"),
    ("Delete, Backspace", "delete (flows and threats go along; undo brings them back)"),
    ("Ctrl+D", "duplicate"),
    ("Ctrl+C / Ctrl+X / Ctrl+V", "copy, cut, paste (as text, between windows too)"),
    ("Ctrl+A", "select all (boundaries too)"),
    ("Ctrl+Z, Ctrl+Shift+Z / Ctrl+Y", "undo, redo (in panel fields and the empty quick-entry bar too)"),
    ("Ctrl+L", "go to the quick-entry bar"),
    ("Up / Down in the quick-entry bar", "recall the lines entered"),
    ("Ctrl+T", "show or hide the threat table"),
    ("G", "show or hide the grid"),
    ("Ctrl+N / Ctrl+O / Ctrl+S / Ctrl+Shift+S", "new, open, save, save as"),
    ("Ctrl+Q", "quit"),
    ("F1", "this help"),
    ("Escape", "clear the selection"),
];

fn shortcut(ctx: &Context, modifiers: Modifiers, key: Key) -> bool {
    ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(modifiers, key)))
}

/// Acts on this frame's shortcuts.
pub fn handle(app: &mut ThreatboardApp, ctx: &Context) {
    if app.confirm.is_some() || app.prompt.is_some() {
        return;
    }
    let cmd = Modifiers::COMMAND;
    let cmd_shift = Modifiers::COMMAND | Modifiers::SHIFT;
    if shortcut(ctx, cmd_shift, Key::S) {
        file_ops::save_as(app);
    } else if shortcut(ctx, cmd, Key::S) {
        file_ops::save(app);
    }
    if shortcut(ctx, cmd, Key::N) {
        file_ops::request(app, Pending::New);
    }
    if shortcut(ctx, cmd, Key::O) {
        file_ops::request(app, Pending::Open);
    }
    if shortcut(ctx, cmd, Key::Q) {
        file_ops::request(app, Pending::Quit);
    }
    if shortcut(ctx, cmd, Key::Num0) {
        zoom_to_fit(app);
    }
    if shortcut(ctx, cmd, Key::Plus) || shortcut(ctx, cmd, Key::Equals) {
        zoom_step(app, 1.25);
    }
    if shortcut(ctx, cmd, Key::Minus) {
        zoom_step(app, 0.8);
    }
    if shortcut(ctx, cmd, Key::L) {
        app.quick.focus = true;
    }
    if shortcut(ctx, cmd, Key::T) {
        super::threat_table::toggle(app);
    }
    if shortcut(ctx, Modifiers::NONE, Key::F1) {
        app.show_shortcuts = !app.show_shortcuts;
    }
    if history_keys_reach_the_document(app, ctx) {
        if shortcut(ctx, cmd_shift, Key::Z) || shortcut(ctx, cmd, Key::Y) {
            app.redo();
        } else if shortcut(ctx, cmd, Key::Z) {
            app.undo();
        }
    }
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    if shortcut(ctx, cmd, Key::D) {
        actions::duplicate(app);
    }
    if shortcut(ctx, cmd, Key::A) {
        actions::select_all(app);
    }
    let events: Vec<Event> = ctx.input(|i| i.events.clone());
    for event in events {
        match event {
            Event::Copy => {
                actions::copy(app, ctx);
            }
            Event::Cut => actions::cut(app, ctx),
            Event::Paste(text) => actions::paste(app, &text),
            _ => {}
        }
    }
    let none = Modifiers::NONE;
    let kinds = [(Key::E, ElementKind::External), (Key::P, ElementKind::Process), (Key::S, ElementKind::Store)];
    for (key, kind) in kinds {
        if shortcut(ctx, none, key) {
            actions::add_element(app, ctx, kind);
        }
    }
    if shortcut(ctx, none, Key::B) {
        actions::boundary_around_selection(app);
    }
    if shortcut(ctx, none, Key::C) {
        actions::connect_selected(app);
    }
    if shortcut(ctx, none, Key::G) {
        app.settings.grid = !app.settings.grid;
    }
    if shortcut(ctx, none, Key::Delete) || shortcut(ctx, none, Key::Backspace) {
        actions::delete_selected(app);
    }
    if shortcut(ctx, none, Key::F2)
        && let Some(id) = app.selection.first().cloned()
    {
        start_rename(app, &id);
    }
    if shortcut(ctx, none, Key::Escape) {
        app.selection.clear();
    }
}

/// Whether Ctrl+Z and redo go to the document's history this frame rather than to a text field.
///
/// They do outside text fields, in a field that edits the document as it is typed (the step undone is
/// that typing, and the field shows the result), and in an empty quick-entry bar, so a line can be
/// typed, entered and undone without leaving the bar. A field holding text not yet applied (the line
/// being typed, an id, a rename in place, a search) keeps them for its own text.
fn history_keys_reach_the_document(app: &ThreatboardApp, ctx: &Context) -> bool {
    if !ctx.egui_wants_keyboard_input() {
        return true;
    }
    let Some(focused) = ctx.memory(egui::Memory::focused) else { return true };
    let quick_bar = app.quick.field == Some(focused) && app.quick.text.is_empty();
    quick_bar || ctx.data(|d| d.get_temp::<egui::Id>(live_field())) == Some(focused)
}

/// Zooms around the middle of the canvas.
pub fn zoom_step(app: &mut ThreatboardApp, factor: f32) {
    let r = app.canvas_rect;
    if r.is_positive() {
        app.view.zoom_around(r.min, r.center(), factor);
    }
}
