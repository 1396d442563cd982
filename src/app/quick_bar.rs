//! The quick-entry bar: type a line such as `agentk -grpcs-> nginx`, press Enter, and it is drawn.

use egui::RichText;

use super::app::ThreatboardApp;
use crate::quick;

/// The bar's own state.
#[derive(Debug, Default, Clone)]
pub struct QuickBar {
    /// The line being typed.
    pub text: String,
    /// Why the last line was refused.
    pub error: Option<String>,
    /// Give the field the keyboard on the next frame.
    pub focus: bool,
    /// Lines entered, for Up/Down recall.
    pub lines: Vec<String>,
    /// Which of `lines` Up/Down has recalled; `None` while typing a new line.
    pub recalled: Option<usize>,
    /// The text field's id, once drawn (the shortcuts ask whether it has the keyboard).
    pub field: Option<egui::Id>,
}

/// The quick-entry bar.
pub fn quick_bar_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    ui.add_space(3.0);
    ui.horizontal(|ui| {
        let l = ui.label(RichText::new("Quick entry").strong());
        let edit = egui::TextEdit::singleline(&mut app.quick.text)
            .id_salt("quick_entry")
            .font(egui::TextStyle::Monospace)
            .hint_text("agentk -grpcs-> nginx   ·   kas: process in GitLab   ·   Prometheus -.http.-> kas")
            .desired_width((ui.available_width() - 40.0).max(100.0));
        let r = ui.add(edit).labelled_by(l.id);
        if std::mem::take(&mut app.quick.focus) {
            r.request_focus();
        }
        app.quick.field = Some(r.id);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if r.changed() {
            app.quick.recalled = None;
        }
        if r.has_focus() {
            let (up, down) = ui.input(|i| (i.key_pressed(egui::Key::ArrowUp), i.key_pressed(egui::Key::ArrowDown)));
            if up || down {
                recall(&mut app.quick, up);
            }
        }
        ui.button("?").on_hover_text(quick::SYNTAX_HELP).clicked().then(|| app.show_shortcuts = true);
        if enter {
            submit(app);
            r.request_focus();
        }
    });
    if let Some(e) = &app.quick.error {
        ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
    }
    ui.add_space(2.0);
}

/// Up steps back through the lines entered, Down forward again and, past the newest, to an empty line.
fn recall(bar: &mut QuickBar, up: bool) {
    let last = bar.lines.len().checked_sub(1);
    let next = match (bar.recalled, up) {
        (None, true) => last,
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) => (i + 1 < bar.lines.len()).then_some(i + 1),
        (None, false) => return,
    };
    bar.recalled = next;
    match next {
        Some(i) => bar.text.clone_from(&bar.lines[i]),
        None => bar.text.clear(),
    }
}

/// Applies the typed line as one undo step.
pub fn submit(app: &mut ThreatboardApp) {
    let line = app.quick.text.trim().to_owned();
    if line.is_empty() {
        return;
    }
    match quick::parse_line(&app.session.doc, &line) {
        Ok(Some(edit)) => {
            if app.apply(edit) {
                app.quick.error = None;
                app.quick.lines.push(line);
                app.quick.recalled = None;
                app.quick.text.clear();
                app.fit_if_outside();
            }
        }
        Ok(None) => app.quick.text.clear(),
        Err(e) => app.quick.error = Some(e.to_string()),
    }
}
