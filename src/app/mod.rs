//! The desktop editor (feature `gui`): an eframe window over a [`crate::model::Session`].
//!
//! The window reads the document and emits [`crate::model::Edit`]s; `Session::apply` is the only
//! place the document changes. The canvas is painted from a [`scene::Scene`] derived from the
//! document whenever its revision moves, so a frame in which nothing happened costs little and the
//! window asks for no repaint of its own when idle.

mod actions;
#[allow(clippy::module_inception)] // the app's state and frame loop; `app::app` reads fine inside the crate
mod app;
mod canvas;
mod clipboard;
mod compare;
mod compare_ui;
mod disk_ui;
mod document_panel;
mod file_ops;
mod inspector;
mod io;
mod menus;
mod paint;
mod quick_bar;
mod recovery_ui;
mod rule_files;
mod scene;
mod shortcuts;
mod status_bar;
mod suggestions;
mod theme;
mod threat_table;
mod threats;
mod view;

pub use app::{Pending, Settings, ThreatboardApp};
pub use compare::Comparison;

use std::path::Path;

/// Opens the editor window on `file` (or a new model) and runs it until the window closes; `rules`
/// are rule files (`--rules`) used besides the built-in rules and those in the settings. With
/// `compare`, the window opens comparing the file with that version (a file, a git revision, REV:PATH).
///
/// Fails when no window can be opened (no display, no GL).
pub fn run(file: Option<&Path>, rules: &[std::path::PathBuf], compare: Option<&str>) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Threatboard")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0]),
        ..Default::default()
    };
    let file = file.map(Path::to_path_buf);
    let rules = rules.to_vec();
    let compare = compare.map(str::to_owned);
    eframe::run_native(
        "Threatboard",
        options,
        Box::new(move |cc| {
            let settings =
                cc.storage.and_then(|s| eframe::get_value::<Settings>(s, app::SETTINGS_KEY)).unwrap_or_default();
            let mut app = ThreatboardApp::new(settings);
            app.enable_recovery(crate::recovery::RecoveryStore::default_location());
            app.apply_theme(&cc.egui_ctx);
            theme::install_fallback_font(&cc.egui_ctx);
            // Ctrl +/−/0 zoom the diagram (shortcuts.rs), never the whole interface: egui's own
            // keyboard zoom would otherwise take them whenever the shortcuts stand aside (a dialog).
            cc.egui_ctx.options_mut(|o| o.zoom_with_keyboard = false);
            app.set_command_line_rules(rules);
            if let Some(path) = &file {
                app.open_at_start(path);
            }
            if let Some(other) = &compare {
                app.compare_with(other);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}
