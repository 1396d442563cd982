//! Suggestion rules in the editor: the built-in rules plus the user's rule files, from `--rules` on
//! the command line and from the settings, loaded with the same [`RuleSet::load`] as `check`.
//!
//! A file that cannot be read or has an error is reported (`file:line:column: message`) in the
//! window and the suggestions fall back to the built-in rules, so a typo never stops the editor.

use std::path::PathBuf;

use egui::{Context, RichText};

use super::app::ThreatboardApp;
use crate::analysis::RuleSet;

/// The rules in use and where they came from.
#[derive(Debug, Default)]
pub struct RuleFiles {
    /// Files named with `--rules`, for this run only.
    pub(super) cli: Vec<PathBuf>,
    /// The loaded rules.
    pub(super) set: RuleSet,
    /// Why the user's files are not in use, when they are not.
    pub(super) error: Option<String>,
    /// Goes up by one each time the rules are loaded again; suggestions recompute when it moves.
    pub(super) generation: u64,
    /// The file list `set` was loaded from; `None` until loaded or when a reload is asked for.
    loaded_for: Option<Vec<PathBuf>>,
    /// The rule-files window is open.
    pub(super) window: bool,
    /// A path being typed in the window.
    typed: String,
}

impl RuleFiles {
    /// The files in use: the command line's, then the settings', each once.
    fn wanted(&self, settings: &[PathBuf]) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = Vec::new();
        for p in self.cli.iter().chain(settings) {
            if !out.contains(p) {
                out.push(p.clone());
            }
        }
        out
    }
}

/// Loads the rules again when the list of files changed (or a reload was asked for).
pub fn ensure(app: &mut ThreatboardApp) {
    let wanted = app.review.rules.wanted(&app.settings.rule_files);
    if app.review.rules.loaded_for.as_ref() == Some(&wanted) {
        return;
    }
    let rules = &mut app.review.rules;
    let message = match RuleSet::load(&wanted) {
        Ok(set) => {
            rules.set = set;
            rules.error = None;
            None
        }
        Err(e) => {
            // The built-in rules are tested; should they ever fail, suggest nothing rather than stop.
            rules.set = RuleSet::builtin().unwrap_or_default();
            let text = format!("Rule files not used, built-in rules only: {e}");
            rules.error = Some(text.clone());
            Some(text)
        }
    };
    rules.loaded_for = Some(wanted);
    rules.generation += 1;
    if let Some(text) = message {
        app.notify(text, true);
    }
}

impl ThreatboardApp {
    /// Uses these rule files (from `--rules`) besides the built-in rules and those in the settings.
    pub fn set_command_line_rules(&mut self, files: Vec<PathBuf>) {
        self.review.rules.cli = files;
        ensure(self);
    }

    /// Why the user's rule files are not in use (`file:line:column: message`), when they are not.
    pub fn rules_error(&self) -> Option<&str> {
        self.review.rules.error.as_deref()
    }

    /// How many rules the suggestions come from.
    pub fn rule_count(&mut self) -> usize {
        ensure(self);
        self.review.rules.set.len()
    }
}

/// Adds a rule file to the settings (remembered between runs) and loads it.
fn add(app: &mut ThreatboardApp, path: PathBuf) {
    if !app.settings.rule_files.contains(&path) {
        app.settings.rule_files.push(path);
    }
    ensure(app);
    if app.review.rules.error.is_none() {
        app.notify(format!("{} rules in use", app.review.rules.set.len()), false);
    }
}

/// The rule-files window, when open.
pub fn window_ui(app: &mut ThreatboardApp, ctx: &Context) {
    let mut open = app.review.rules.window;
    egui::Window::new("Rule files").open(&mut open).resizable(true).default_width(520.0).show(ctx, |ui| {
        ui.label(format!(
            "{} rules in use: the built-in STRIDE rules, then these files in order (a rule with the id \
             of an earlier one replaces it).",
            app.review.rules.set.len()
        ));
        if let Some(e) = &app.review.rules.error {
            ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
        }
        ui.separator();
        for p in app.review.rules.cli.clone() {
            ui.horizontal(|ui| {
                ui.label(p.display().to_string());
                ui.label(RichText::new("(--rules, this run only)").weak());
            });
        }
        let mut remove = None;
        for (i, p) in app.settings.rule_files.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(p.display().to_string());
                if ui.small_button("Remove").clicked() {
                    remove = Some(i);
                }
            });
        }
        if app.review.rules.cli.is_empty() && app.settings.rule_files.is_empty() {
            ui.label(RichText::new("No rule files of your own.").weak());
        }
        if let Some(i) = remove {
            app.settings.rule_files.remove(i);
            ensure(app);
        }
        ui.separator();
        let mut chosen = None;
        ui.horizontal(|ui| {
            let l = ui.label("Rule file");
            ui.add(
                egui::TextEdit::singleline(&mut app.review.rules.typed)
                    .hint_text("/path/to/rules.toml")
                    .desired_width(300.0),
            )
            .labelled_by(l.id);
            if ui.add_enabled(!app.review.rules.typed.trim().is_empty(), egui::Button::new("Add")).clicked() {
                chosen = Some(PathBuf::from(app.review.rules.typed.trim()));
                app.review.rules.typed.clear();
            }
            if !app.dialogs_unavailable && ui.button("Browse…").clicked() {
                let pick = || rfd::FileDialog::new().add_filter("Threatboard rules", &["toml"]).pick_file();
                if let super::file_ops::Answer::Picked(path) = super::file_ops::native(app, pick) {
                    chosen = Some(path);
                }
            }
        });
        if let Some(path) = chosen {
            add(app, path);
        }
        if ui.button("Reload the rule files").clicked() {
            app.review.rules.loaded_for = None;
            ensure(app);
        }
    });
    app.review.rules.window = open;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_files_come_first_and_once() {
        let r = RuleFiles { cli: vec!["a.toml".into(), "b.toml".into()], ..RuleFiles::default() };
        let got = r.wanted(&["b.toml".into(), "c.toml".into()]);
        assert_eq!(got, [PathBuf::from("a.toml"), "b.toml".into(), "c.toml".into()]);
    }

    #[test]
    fn a_broken_file_falls_back_to_the_builtin_rules() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "version = 1\n[[rule]]\nid = \n").unwrap();
        let mut app = ThreatboardApp::new(super::super::Settings::default());
        app.set_command_line_rules(vec![file]);
        let error = app.rules_error().unwrap().to_owned();
        assert!(error.contains("bad.toml:3:"), "{error}");
        assert_eq!(app.rule_count(), RuleSet::builtin().unwrap().len());
        assert!(app.notice().is_some_and(|n| n.error));
    }
}
