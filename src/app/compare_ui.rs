//! The comparison's widgets: File → Compare with… (a file or a git revision), the change list beside the
//! canvas (security summary first, then section by section; a click selects the item), and leaving.

use egui::{Context, Key, RichText};

use super::app::ThreatboardApp;
use super::compare::colours;
use crate::diff::overlay::{Mark, mark_of_change};
use crate::diff::{self, Change, ChangeStatus, Section};
use crate::model::{Id, Index};

/// The "Compare with…" question being asked.
#[derive(Debug, Clone, Default)]
pub struct ComparePrompt {
    /// The file path or revision typed so far.
    pub text: String,
}

/// File → Compare with… and, while comparing, File → Leave comparison.
pub fn compare_menu_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    if ui.button("Compare with…").on_hover_text("Compare with another file or a git revision of this one").clicked() {
        app.compare_prompt = Some(ComparePrompt::default());
    }
    if app.compare.is_some() && ui.add(egui::Button::new("Leave comparison").shortcut_text("Esc")).clicked() {
        app.leave_comparison();
    }
}

/// Escape leaves the comparison (before the other shortcuts, where it clears the selection).
pub fn handle_keys(app: &mut ThreatboardApp, ctx: &Context) {
    if app.compare.is_some()
        && app.compare_prompt.is_none()
        && app.confirm.is_none()
        && app.prompt.is_none()
        && app.rename.is_none()
        && !ctx.egui_wants_keyboard_input()
        && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Escape))
    {
        app.leave_comparison();
    }
}

/// The "Compare with…" window, when open.
pub fn prompt_ui(app: &mut ThreatboardApp, ctx: &Context) {
    let Some(mut prompt) = app.compare_prompt.take() else { return };
    let mut answer: Option<bool> = None;
    let mut browse = false;
    egui::Modal::new(egui::Id::new("compare_prompt")).show(ctx, |ui| {
        ui.set_width(480.0);
        ui.heading("Compare with another version");
        ui.label(
            "The other (older) version: a model file, a git revision of the open file (HEAD~1, a tag, a commit), \
             or REV:PATH.",
        );
        let l = ui.label("Version to compare with");
        let r = ui.add(
            egui::TextEdit::singleline(&mut prompt.text)
                .desired_width(f32::INFINITY)
                .hint_text("HEAD~1  or  /path/to/older.json"),
        );
        let r = r.labelled_by(l.id);
        if !r.has_focus() && prompt.text.is_empty() {
            r.request_focus();
        }
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        ui.horizontal(|ui| {
            if ui.button("Compare").clicked() || enter {
                answer = Some(true);
            }
            if !app.dialogs_unavailable && ui.button("Choose file…").clicked() {
                browse = true;
            }
            if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                answer = Some(false);
            }
        });
    });
    if browse {
        // The same native dialog as File → Open; when none answers at once, typing the path remains.
        let pick = || rfd::FileDialog::new().add_filter("Threatboard model", &["json"]).pick_file();
        if let super::file_ops::Answer::Picked(path) = super::file_ops::native(app, pick) {
            prompt.text = path.display().to_string();
        }
    }
    match answer {
        Some(true) if !prompt.text.trim().is_empty() => {
            if !app.compare_with(&prompt.text) {
                app.compare_prompt = Some(prompt);
            }
        }
        Some(_) => {}
        None => app.compare_prompt = Some(prompt),
    }
}

/// The change list: what is compared, the security summary, then each section's changes.
pub fn panel_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    let Some(c) = app.compare.as_ref() else { return };
    let dark = ui.visuals().dark_mode;
    let (added, removed, changed) = colours(dark);
    let weak = ui.visuals().weak_text_color();
    let colour = |mark: Mark| match mark {
        Mark::Added => added,
        Mark::Removed => removed,
        Mark::Changed => changed,
        Mark::Unchanged => weak,
    };
    let mut pick: Option<Pick> = None;
    let mut leave = false;
    let mut dim = c.dim_unchanged;

    ui.add_space(4.0);
    ui.heading("Comparison");
    ui.label(RichText::new(format!("Old: {}", c.source)).weak());
    ui.label(RichText::new("New: the open document").weak());
    ui.horizontal(|ui| {
        if ui.button("Leave comparison").on_hover_text("Back to normal editing (Esc)").clicked() {
            leave = true;
        }
        ui.checkbox(&mut dim, "Dim unchanged");
    });
    ui.horizontal_wrapped(|ui| {
        for (mark, words) in [(Mark::Added, "added"), (Mark::Removed, "removed (ghosted)"), (Mark::Changed, "changed")]
        {
            ui.label(RichText::new("■").color(colour(mark)));
            ui.label(words);
        }
    });
    ui.separator();
    let d = &c.diff;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        if d.is_empty() {
            ui.label("No differences.");
            return;
        }
        let summary = diff::summary_entries(d);
        if !summary.is_empty() {
            ui.label(RichText::new("Security summary").strong());
            for entry in summary {
                let r = ui.add(egui::Button::selectable(false, entry.text.clone()).wrap());
                if r.clicked() {
                    pick = Some(match (entry.item, entry.threat) {
                        (Some(id), _) => Pick::Item(id),
                        (None, Some(t)) => Pick::Threat(t),
                        (None, None) => Pick::Gone(entry.text),
                    });
                }
            }
            ui.add_space(6.0);
        }
        if !d.document.is_empty() {
            ui.label(RichText::new("Document").strong());
            let fields: Vec<&str> = d.document.iter().map(|p| p.field.as_str()).collect();
            ui.label(format!("changed: {}", fields.join(", ")));
            ui.add_space(6.0);
        }
        for section in Section::ALL {
            let listed = d.section(section);
            if listed.is_empty() {
                continue;
            }
            let n = d.counts(section);
            ui.label(RichText::new(format!("{} ({})", section.title(), n.total())).strong());
            for change in listed {
                let mark =
                    if section == Section::Threat { threat_mark(change) } else { mark_of_change(section, change) };
                ui.horizontal(|ui| {
                    ui.label(RichText::new(change.status.as_str()).color(colour(mark)).monospace());
                    let r = ui
                        .add(egui::Button::selectable(false, list_name(section, change)).wrap())
                        .on_hover_text(details(change));
                    if r.clicked() {
                        pick = Some(match (&change.new_id, section) {
                            (Some(id), Section::Threat) => Pick::Threat(id.clone()),
                            (Some(id), _) => Pick::Item(id.clone()),
                            (None, _) => Pick::Gone(change.name.clone()),
                        });
                    }
                });
            }
            ui.add_space(6.0);
        }
    });

    if let Some(c) = app.compare.as_mut() {
        c.dim_unchanged = dim;
    }
    if let Some(p) = pick {
        select(app, p);
    }
    if leave {
        app.leave_comparison();
    }
}

/// What a click in the change list asks for.
enum Pick {
    Item(Id),
    Threat(Id),
    Gone(String),
}

fn select(app: &mut ThreatboardApp, pick: Pick) {
    let ix = Index::new(&app.session.doc);
    let id = match pick {
        Pick::Item(id) => id,
        Pick::Threat(t) => {
            let Some(threat) = app.session.doc.threats.iter().find(|x| x.id == t) else {
                app.notify(format!("Threat {t} is only in the old version"), false);
                return;
            };
            threat.target.clone()
        }
        Pick::Gone(name) => {
            app.notify(format!("{name} is only in the old version (ghosted on the canvas)"), false);
            return;
        }
    };
    if ix.item(id.as_str()).is_none() {
        app.notify(format!("{id} is not in the open document"), false);
        return;
    }
    // Bring the item into view when it is off screen.
    let rect = app.scene.element(&id).map(|e| e.rect).or_else(|| {
        app.scene
            .boundaries
            .iter()
            .find(|b| b.id == id)
            .map(|b| b.rect)
            .or_else(|| app.scene.flows.iter().find(|f| f.id == id).map(super::scene::FlowShape::bounds))
    });
    if let Some(r) = rect
        && app.canvas_rect.is_positive()
        && !app.canvas_rect.contains(app.view.to_screen(app.canvas_rect.min, r.center()))
    {
        app.view.pan = app.canvas_rect.size() / 2.0 - r.center().to_vec2() * app.view.zoom;
    }
    app.select(vec![id]);
}

fn threat_mark(change: &Change) -> Mark {
    match change.status {
        ChangeStatus::Added => Mark::Added,
        ChangeStatus::Removed => Mark::Removed,
        ChangeStatus::Renamed | ChangeStatus::Changed => Mark::Changed,
    }
}

/// How the list names a change: `old → new` for renamed boundaries and elements, the name otherwise.
fn list_name(section: Section, c: &Change) -> String {
    match (&c.old_name, section) {
        (Some(old), Section::Boundary | Section::Element) if c.status == ChangeStatus::Renamed => {
            format!("{old} → {}", c.name)
        }
        (_, Section::Threat) => match &c.new_id.as_ref().or(c.old_id.as_ref()) {
            Some(id) => format!("{id} {}", c.name),
            None => c.name.clone(),
        },
        _ => c.name.clone(),
    }
}

/// The hover text of a change: its context and each property change.
fn details(c: &Change) -> String {
    let mut lines = Vec::new();
    if !c.context.is_empty() {
        lines.push(c.context.clone());
    }
    if let Some(m) = c.matched_by
        && c.status == ChangeStatus::Renamed
    {
        lines.push(format!("id {} → {} ({})", opt(c.old_id.as_ref()), opt(c.new_id.as_ref()), m.explain()));
    }
    for p in &c.properties {
        lines.push(format!("{}: {} → {}", p.field.as_str(), value(&p.old), value(&p.new)));
    }
    lines.join("\n")
}

fn opt(id: Option<&Id>) -> String {
    id.map_or_else(String::new, ToString::to_string)
}

fn value(v: &crate::diff::Value) -> String {
    use crate::diff::Value;
    match v {
        Value::None => "(none)".to_owned(),
        Value::Text(t) => {
            let one: String = t.chars().take(80).collect();
            if t.chars().count() > 80 { format!("{one}…") } else { one }
        }
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Ref(r) => r.name.clone(),
        Value::Point { x, y } => format!("({x:.0}, {y:.0})"),
        Value::List(items) => format!("{} entries", items.len()),
    }
}
