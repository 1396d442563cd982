//! File → Import and File → Export (also of the selection alone, and to the clipboard as Mermaid or
//! PNG), and Edit → Tidy up: other formats and the automatic layout, through the headless `formats`,
//! `render` and `layout` modules.

use std::borrow::Cow;
use std::path::Path;

use super::app::{Pending, ThreatboardApp};
use super::file_ops::{self, Purpose};
use crate::formats::{json, mermaid, threat_dragon};
use crate::model::{Document, Edit, Element, Id};
use crate::render::report::{self, ReportOptions};
use crate::render::{self, RenderOptions, Scene, Theme, png, svg};

/// A format the editor imports or exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Mermaid flowchart.
    Mermaid,
    /// Threatboard's canonical JSON (export only: a copy, the open file stays the same).
    Json,
    /// An OWASP Threat Dragon model.
    ThreatDragon,
    /// An SVG drawing (export only).
    Svg,
    /// A PNG image at twice the canvas resolution (export only).
    Png,
    /// The Markdown review report (export only).
    Markdown,
}

impl Format {
    /// The name in menus and dialogs.
    pub fn name(self) -> &'static str {
        match self {
            Format::Mermaid => "Mermaid flowchart",
            Format::Json => "Threatboard JSON",
            Format::ThreatDragon => "Threat Dragon model",
            Format::Svg => "SVG drawing",
            Format::Png => "PNG image",
            Format::Markdown => "Markdown report",
        }
    }

    /// File-name extensions, preferred first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Mermaid => &["mmd", "mermaid", "md"],
            Format::Json | Format::ThreatDragon => &["json"],
            Format::Svg => &["svg"],
            Format::Png => &["png"],
            Format::Markdown => &["md"],
        }
    }
}

/// The Import and Export submenus of File.
pub fn io_menus_ui(app: &mut ThreatboardApp, ui: &mut egui::Ui) {
    ui.menu_button("Import", |ui| {
        for format in [Format::Mermaid, Format::ThreatDragon] {
            if ui.button(format!("{}…", format.name())).clicked() {
                file_ops::request(app, Pending::Import(format));
            }
        }
    });
    ui.menu_button("Export", |ui| {
        let picked = app.selection.len();
        ui.add_enabled_ui(picked > 0, |ui| {
            let label = if picked > 0 { format!("Only the selection ({picked})") } else { "Only the selection".into() };
            ui.checkbox(&mut app.export_selection, label)
                .on_hover_text("Export and copy just the selected items, with the flows between them");
        });
        ui.separator();
        for format in [Format::Svg, Format::Png, Format::Markdown, Format::Mermaid, Format::ThreatDragon, Format::Json]
        {
            if ui.button(format!("{}…", format.name())).clicked()
                && let Some(path) = file_ops::pick(app, Purpose::Export(format))
            {
                export_path(app, format, &path);
            }
        }
        ui.separator();
        if ui.button("Copy as Mermaid").clicked() {
            let text = mermaid::export(&exported(app));
            ui.ctx().copy_text(text);
            app.notify("Copied the diagram as Mermaid", false);
        }
        if ui.button("Copy as PNG").clicked() {
            copy_png(app, ui.ctx());
        }
    });
}

/// What File → Export and the copy commands write: the model, or only the selection when asked.
fn exported(app: &ThreatboardApp) -> Cow<'_, Document> {
    let doc = &app.session.doc;
    if app.export_selection && !app.selection.is_empty() {
        Cow::Owned(render::selection(doc, app.selection.iter().map(Id::as_str)))
    } else {
        Cow::Borrowed(doc)
    }
}

fn drawing(app: &ThreatboardApp, doc: &Document) -> String {
    let theme = if app.settings.dark { Theme::Dark } else { Theme::Light };
    svg::to_svg(&Scene::build(doc, &RenderOptions { theme, ..RenderOptions::default() }))
}

/// Puts the diagram on the clipboard as an image, at 2× for crisp pasting into documents.
fn copy_png(app: &mut ThreatboardApp, ctx: &egui::Context) {
    let svg = drawing(app, &exported(app));
    match png::to_rgba(&svg, 2.0) {
        Ok(image) => {
            let size = [image.width as usize, image.height as usize];
            ctx.copy_image(egui::ColorImage::from_rgba_unmultiplied(size, &image.pixels));
            app.notify(format!("Copied the diagram as a {}×{} image", image.width, image.height), false);
        }
        Err(e) => app.notify(format!("Cannot draw the diagram: {e}"), true),
    }
}

/// Reads `path` as `format` into a new, unsaved model; import warnings are shown.
pub fn import_path(app: &mut ThreatboardApp, format: Format, path: &Path) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return app.notify(format!("Cannot read {}: {e}", path.display()), true),
    };
    let (doc, warnings) = match format {
        Format::Mermaid => match mermaid::import(&text) {
            Ok(imported) => (imported.document, imported.warnings.iter().map(ToString::to_string).collect::<Vec<_>>()),
            Err(e) => return app.notify(format!("Cannot import {}: {e}", path.display()), true),
        },
        Format::ThreatDragon => match threat_dragon::import(&text, &threat_dragon::DiagramChoice::All) {
            Ok(mut diagrams) if !diagrams.is_empty() => {
                let first = diagrams.remove(0);
                let mut warnings: Vec<String> = first.warnings.iter().map(ToString::to_string).collect();
                if !diagrams.is_empty() {
                    warnings.insert(
                        0,
                        format!(
                            "the model has {} diagrams; imported the first, \"{}\"",
                            diagrams.len() + 1,
                            first.diagram_title
                        ),
                    );
                }
                (first.document, warnings)
            }
            Ok(_) => return app.notify(format!("{} holds no diagram", path.display()), true),
            Err(e) => return app.notify(format!("Cannot import {}: {e}", path.display()), true),
        },
        _ => match json::from_str(&text) {
            Ok(doc) => (doc, Vec::new()),
            Err(e) => return app.notify(format!("Cannot import {}: {e}", path.display()), true),
        },
    };
    app.session.replace(doc);
    app.path = None;
    // An import is new, unsaved work.
    app.saved_revision = app.session.revision().wrapping_sub(1);
    app.selection.clear();
    app.fit_pending = true;
    let note = match warnings.as_slice() {
        [] => String::new(),
        [one] => format!("; warning: {one}"),
        [first, rest @ ..] => format!("; {} warnings, first: {first}", rest.len() + 1),
    };
    app.notify(format!("Imported {}{note}", path.display()), !warnings.is_empty());
}

/// Writes the model (or the selection, see [`exported`]) to `path` as `format`; the open file and the
/// saved state do not change.
pub fn export_path(app: &mut ThreatboardApp, format: Format, path: &Path) {
    let doc = exported(app);
    let bytes = match format {
        Format::Mermaid => mermaid::export(&doc).into_bytes(),
        Format::Json => json::to_string(&doc).into_bytes(),
        Format::ThreatDragon => threat_dragon::export(&doc).into_bytes(),
        Format::Svg => drawing(app, &doc).into_bytes(),
        Format::Markdown => report::to_markdown(&doc, &ReportOptions::default()).into_bytes(),
        Format::Png => match png::to_png(&drawing(app, &doc), 2.0) {
            Ok(b) => b,
            Err(e) => return app.notify(format!("Cannot draw the PNG: {e}"), true),
        },
    };
    drop(doc);
    match json::write_atomically(path, &bytes) {
        Ok(()) => app.notify(format!("Exported {}", path.display()), false),
        Err(e) => app.notify(format!("Cannot export {}: {e:#}", path.display()), true),
    }
}

/// Lays the diagram out again (selected elements keep their places), as one undo step.
pub fn tidy_up(app: &mut ThreatboardApp) {
    let mut laid = app.session.doc.clone();
    let options = crate::layout::LayoutOptions {
        pinned: app.selection.iter().cloned().collect(),
        ..crate::layout::LayoutOptions::default()
    };
    crate::layout::layout(&mut laid, &options);
    let edits: Vec<Edit> = laid
        .elements
        .iter()
        .zip(&app.session.doc.elements)
        .filter(|(new, old)| new.at != old.at)
        .map(|(new, _): (&Element, &Element)| Edit::UpdateElement(new.clone()))
        .collect();
    if edits.is_empty() {
        app.notify("The layout is already tidy", false);
        return;
    }
    if app.apply(Edit::Batch { label: "Tidy up".into(), edits }) {
        app.fit_pending = true;
    }
}
