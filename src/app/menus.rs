//! The menu bar, the toolbar under it, the canvas context menu and the help window.

use egui::{Context, RichText};

use super::app::{Pending, ThreatboardApp};
use super::canvas::{start_rename, zoom_to_fit};
use super::shortcuts::{SHORTCUTS, zoom_step};
use super::{actions, file_ops, threats};
use crate::model::ElementKind;

/// The menu bar and the toolbar.
pub fn menu_bar_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| file_menu_ui(app, ui));
        ui.menu_button("Edit", |ui| edit_menu_ui(app, ui, &ctx));
        ui.menu_button("Insert", |ui| insert_menu_ui(app, ui, &ctx));
        ui.menu_button("View", |ui| view_menu_ui(app, ui, &ctx));
        ui.menu_button("Threats", |ui| threats::menu_ui(app, ui));
        ui.menu_button("Help", |ui| {
            if ui.button("Shortcuts and quick entry (F1)").clicked() {
                app.show_shortcuts = true;
            }
        });
    });
    ui.horizontal(|ui| toolbar_ui(app, ui, &ctx));
}

fn file_menu_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    if ui.add(egui::Button::new("New").shortcut_text("Ctrl+N")).clicked() {
        file_ops::request(app, Pending::New);
    }
    if ui.add(egui::Button::new("Open…").shortcut_text("Ctrl+O")).clicked() {
        file_ops::request(app, Pending::Open);
    }
    ui.menu_button("Open Recent", |ui| {
        if app.settings.recent.is_empty() {
            ui.label(RichText::new("No recent files").weak());
        }
        for path in app.settings.recent.clone() {
            if ui.button(path.display().to_string()).clicked() {
                file_ops::request(app, Pending::OpenPath(path));
            }
        }
    });
    ui.separator();
    if ui.add(egui::Button::new("Save").shortcut_text("Ctrl+S")).clicked() {
        file_ops::save(app);
    }
    if ui.add(egui::Button::new("Save As…").shortcut_text("Ctrl+Shift+S")).clicked() {
        file_ops::save_as(app);
    }
    super::compare_ui::compare_menu_ui(app, ui);
    ui.separator();
    super::io::io_menus_ui(app, ui);
    ui.separator();
    if ui.add(egui::Button::new("Quit").shortcut_text("Ctrl+Q")).clicked() {
        file_ops::request(app, Pending::Quit);
    }
}

fn edit_menu_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, ctx: &Context) {
    let undo = app.session.history.undo_label().map(|l| format!("Undo {l}"));
    if ui
        .add_enabled(undo.is_some(), egui::Button::new(undo.unwrap_or_else(|| "Undo".into())).shortcut_text("Ctrl+Z"))
        .clicked()
    {
        app.undo();
    }
    let redo = app.session.history.redo_label().map(|l| format!("Redo {l}"));
    if ui
        .add_enabled(
            redo.is_some(),
            egui::Button::new(redo.unwrap_or_else(|| "Redo".into())).shortcut_text("Ctrl+Shift+Z"),
        )
        .clicked()
    {
        app.redo();
    }
    ui.separator();
    selection_actions_ui(app, ui, ctx);
    ui.separator();
    if ui.add(egui::Button::new("Select all").shortcut_text("Ctrl+A")).clicked() {
        actions::select_all(app);
    }
    if ui.button("Tidy up (selected elements stay)").clicked() {
        super::io::tidy_up(app);
    }
}

/// Actions on the selection, shared by the Edit menu and the context menu.
fn selection_actions_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, ctx: &Context) {
    let some = !app.selection.is_empty();
    if ui.add_enabled(some, egui::Button::new("Copy").shortcut_text("Ctrl+C")).clicked() {
        actions::copy(app, ctx);
    }
    if ui.add_enabled(some, egui::Button::new("Cut").shortcut_text("Ctrl+X")).clicked() {
        actions::cut(app, ctx);
    }
    paste_item_ui(ui, ctx);
    if ui.add_enabled(some, egui::Button::new("Duplicate").shortcut_text("Ctrl+D")).clicked() {
        actions::duplicate(app);
    }
    if ui.add_enabled(some, egui::Button::new("Rename").shortcut_text("F2")).clicked()
        && let Some(id) = app.selection.first().cloned()
    {
        start_rename(app, &id);
    }
    if ui.add_enabled(some, egui::Button::new("Delete").shortcut_text("Del")).clicked() {
        actions::delete_selected(app);
    }
}

fn insert_menu_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, ctx: &Context) {
    for (kind, key) in [(ElementKind::External, "E"), (ElementKind::Process, "P"), (ElementKind::Store, "S")] {
        let text = format!("{}{}", kind.title()[..1].to_uppercase(), &kind.title()[1..]);
        if ui.add(egui::Button::new(text).shortcut_text(key)).clicked() {
            actions::add_element(app, ctx, kind);
        }
    }
    if ui.add(egui::Button::new("Boundary around selection").shortcut_text("B")).clicked() {
        actions::boundary_around_selection(app);
    }
    if ui.add(egui::Button::new("Connect selected").shortcut_text("C")).clicked() {
        actions::connect_selected(app);
    }
    if ui.add_enabled(app.selection.len() == 1, egui::Button::new("Threat on selection")).clicked() {
        threats::add_threat(app);
    }
}

fn view_menu_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, ctx: &Context) {
    if ui.add(egui::Button::new("Zoom in").shortcut_text("Ctrl +")).clicked() {
        zoom_step(app, 1.25);
    }
    if ui.add(egui::Button::new("Zoom out").shortcut_text("Ctrl −")).clicked() {
        zoom_step(app, 0.8);
    }
    if ui.add(egui::Button::new("Zoom to fit").shortcut_text("Ctrl+0")).clicked() {
        zoom_to_fit(app);
    }
    ui.separator();
    ui.checkbox(&mut app.settings.grid, "Grid (G)");
    ui.checkbox(&mut app.settings.snap, "Snap to grid");
    ui.separator();
    let mut dark = app.settings.dark;
    ui.horizontal(|ui| {
        ui.selectable_value(&mut dark, false, "Light");
        ui.selectable_value(&mut dark, true, "Dark");
    });
    if dark != app.settings.dark {
        app.settings.dark = dark;
        app.apply_theme(ctx);
    }
}

fn toolbar_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui, ctx: &Context) {
    let tool = |ui: &mut egui::Ui, text: &str, tip: &str| ui.button(text).on_hover_text(tip).clicked();
    if tool(ui, "+ External", "Add an external entity at the pointer (E)") {
        actions::add_element(app, ctx, ElementKind::External);
    }
    if tool(ui, "+ Process", "Add a process (P)") {
        actions::add_element(app, ctx, ElementKind::Process);
    }
    if tool(ui, "+ Store", "Add a data store (S)") {
        actions::add_element(app, ctx, ElementKind::Store);
    }
    if tool(ui, "+ Boundary", "Put the selection in a trust boundary (B)") {
        actions::boundary_around_selection(app);
    }
    if tool(ui, "Connect", "Connect the two selected elements (C); or drag from an element's handle") {
        actions::connect_selected(app);
    }
    ui.separator();
    let undo_tip =
        app.session.history.undo_label().map_or_else(|| "Nothing to undo".to_owned(), |l| format!("Undo {l} (Ctrl+Z)"));
    if ui.add_enabled(app.session.history.undo_len() > 0, egui::Button::new("Undo")).on_hover_text(undo_tip).clicked() {
        app.undo();
    }
    let redo_tip = app
        .session
        .history
        .redo_label()
        .map_or_else(|| "Nothing to redo".to_owned(), |l| format!("Redo {l} (Ctrl+Shift+Z)"));
    if ui.add_enabled(app.session.history.redo_len() > 0, egui::Button::new("Redo")).on_hover_text(redo_tip).clicked() {
        app.redo();
    }
    ui.separator();
    if tool(ui, "Tidy up", "Lay the diagram out again; selected elements keep their places") {
        super::io::tidy_up(app);
    }
    if tool(ui, "Fit", "Zoom to fit (Ctrl+0)") {
        zoom_to_fit(app);
    }
}

/// Paste: asks the platform for the clipboard, which comes back as the paste event Ctrl+V gives.
fn paste_item_ui(ui: &mut egui::Ui, ctx: &Context) {
    if ui.add(egui::Button::new("Paste").shortcut_text("Ctrl+V")).clicked() {
        ctx.send_viewport_cmd(egui::ViewportCommand::RequestPaste);
    }
}

/// The canvas's right-click menu.
pub fn context_menu_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    if app.selection.is_empty() {
        for kind in ElementKind::ALL {
            if ui.button(format!("Add {}", kind.title())).clicked() {
                actions::add_element(app, &ctx, kind);
            }
        }
        paste_item_ui(ui, &ctx);
        if ui.button("Quick-entry help…").clicked() {
            app.show_shortcuts = true;
        }
        return;
    }
    selection_actions_ui(app, ui, &ctx);
    ui.separator();
    if ui.button("Boundary around selection").clicked() {
        actions::boundary_around_selection(app);
    }
    if app.selection.len() == 2 && ui.button("Connect first → second").clicked() {
        actions::connect_selected(app);
    }
    if app.selection.len() == 1 && ui.button("Add threat").clicked() {
        threats::add_threat(app);
    }
}

/// The help window: shortcuts and the quick-entry syntax.
pub fn shortcuts_window_ui(app: &mut ThreatboardApp, ctx: &Context) {
    let mut open = app.show_shortcuts;
    egui::Window::new("Shortcuts and quick entry").open(&mut open).resizable(true).default_width(560.0).show(
        ctx,
        |ui| {
            egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                for (keys, what) in SHORTCUTS {
                    ui.label(RichText::new(*keys).strong());
                    ui.label(*what);
                    ui.end_row();
                }
            });
            ui.separator();
            ui.label(RichText::new("Quick entry (one undo step per line)").strong());
            ui.label(RichText::new(crate::quick::SYNTAX_HELP).monospace());
        },
    );
    app.show_shortcuts = open;
}
