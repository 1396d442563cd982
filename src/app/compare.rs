//! Comparing the open document with another version (a file, or a git revision of the open file): the
//! comparison's state, kept in step with the document, and what the canvas paints for it.
//!
//! Editing stays possible while comparing: the diff is recomputed whenever the document's revision moves
//! (it is cached by revision, so an idle frame costs nothing), and the overlay follows the edit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use egui::Color32;

use super::app::ThreatboardApp;
use super::scene::Scene;
use super::theme::Palette;
use crate::diff::overlay::{Mark, mark_of_change, relabel};
use crate::diff::{self, ChangeStatus, Diff, Section};
use crate::formats::json;
use crate::model::{Document, Id};

/// The version being compared with, and the comparison with the open document.
#[derive(Debug)]
pub struct Comparison {
    /// What the user asked to compare with (a path, `REV:PATH`, or a revision of the open file).
    pub source: String,
    /// The other, older version.
    pub old: Document,
    /// The differences from `old` to the open document.
    pub diff: Diff,
    /// The document revision `diff` was computed for.
    revision: Option<u64>,
    /// Draw unchanged items faintly.
    pub dim_unchanged: bool,
    /// The old version's drawing, for the ghosts of removed items.
    old_scene: Scene,
    /// The removed items of the old drawing.
    ghosts: Scene,
    marks: HashMap<Id, Mark>,
    labels: HashMap<Id, String>,
}

impl Comparison {
    fn new(source: String, old: Document) -> Self {
        let old_scene = Scene::new(&old);
        Self {
            source,
            old,
            diff: Diff::default(),
            revision: None,
            dim_unchanged: false,
            old_scene,
            ghosts: Scene::default(),
            marks: HashMap::new(),
            labels: HashMap::new(),
        }
    }

    /// Recomputes the diff against `doc` if `revision` is not the one it was computed for.
    fn sync(&mut self, doc: &Document, revision: u64) {
        if self.revision == Some(revision) {
            return;
        }
        self.revision = Some(revision);
        self.diff = diff::compare(&self.old, doc);
        self.marks.clear();
        self.labels.clear();
        for section in [Section::Boundary, Section::Element, Section::Flow] {
            for c in self.diff.section(section) {
                let Some(id) = &c.new_id else { continue };
                let mark = mark_of_change(section, c);
                if mark != Mark::Unchanged {
                    self.marks.insert(id.clone(), mark);
                }
                if section != Section::Flow
                    && let Some((old, new)) = relabel(c)
                {
                    self.labels.insert(id.clone(), format!("{old} → {new}"));
                }
            }
        }
        let removed = |id: &Id| self.diff.change_of_old(id.as_str()).is_some_and(|c| c.status == ChangeStatus::Removed);
        let mut ghosts = self.old_scene.clone();
        ghosts.boundaries.retain(|b| removed(&b.id));
        ghosts.elements.retain(|e| removed(&e.id));
        ghosts.flows.retain(|f| removed(&f.id));
        ghosts.legend.clear();
        for e in &mut ghosts.elements {
            // Ghosts are drawn with the out-of-scope dots, in the removed colour.
            e.out_of_scope = true;
            e.badge = None;
        }
        for f in &mut ghosts.flows {
            f.out_of_scope = true;
            f.badge = None;
        }
        self.ghosts = ghosts;
    }

    /// What the canvas shows for the item the open document calls `id`.
    pub fn mark(&self, id: &Id) -> Mark {
        self.marks.get(id).copied().unwrap_or(Mark::Unchanged)
    }

    /// The overlay the canvas paints this frame.
    pub fn overlay(&self) -> Overlay<'_> {
        Overlay { comparison: self }
    }
}

/// What [`super::paint::paint_scene`] needs to draw a comparison: marks, dimming and ghosts.
#[derive(Debug, Clone, Copy)]
pub struct Overlay<'a> {
    comparison: &'a Comparison,
}

impl<'a> Overlay<'a> {
    /// The colour of the band behind the item `id`, when it is added or changed.
    pub fn tint(self, id: &Id, dark: bool) -> Option<Color32> {
        let (added, _, changed) = colours(dark);
        match self.comparison.mark(id) {
            Mark::Added => Some(added),
            Mark::Changed => Some(changed),
            Mark::Removed | Mark::Unchanged => None,
        }
    }

    /// Whether the item `id` is drawn faintly.
    pub fn dimmed(self, id: &Id) -> bool {
        self.comparison.dim_unchanged && self.comparison.mark(id) == Mark::Unchanged
    }

    /// The removed items, where the old version had them.
    pub fn ghosts(self) -> &'a Scene {
        &self.comparison.ghosts
    }

    /// The palette ghosts are painted with: everything in the removed colour, faint.
    pub fn ghost_palette(palette: &Palette, dark: bool) -> Palette {
        let (_, removed, _) = colours(dark);
        let line = removed.gamma_multiply(0.75);
        let fill = removed.gamma_multiply(0.12);
        Palette {
            background: Color32::TRANSPARENT,
            ink: line,
            external_fill: fill,
            process_fill: fill,
            store_fill: fill,
            muted: line,
            boundary: line,
            encrypted: line,
            plain: line,
            unknown: line,
            ..*palette
        }
    }
}

/// A palette faded towards transparency, for unchanged items when they are dimmed.
pub fn dimmed_palette(palette: &Palette) -> Palette {
    let f = |c: Color32| c.gamma_multiply(0.3);
    Palette {
        ink: f(palette.ink),
        external_fill: f(palette.external_fill),
        process_fill: f(palette.process_fill),
        store_fill: f(palette.store_fill),
        muted: f(palette.muted),
        boundary: f(palette.boundary),
        encrypted: f(palette.encrypted),
        plain: f(palette.plain),
        unknown: f(palette.unknown),
        ..*palette
    }
}

/// Added, removed and changed colours, as the SVG overlay uses them.
pub fn colours(dark: bool) -> (Color32, Color32, Color32) {
    let theme = if dark { crate::render::Theme::Dark } else { crate::render::Theme::Light };
    let c = crate::diff::overlay::OverlayColors::of(theme);
    let rgb = |c: crate::render::Color| Color32::from_rgb(c.r, c.g, c.b);
    (rgb(c.added), rgb(c.removed), rgb(c.changed))
}

/// Where the other version comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A model file.
    File(PathBuf),
    /// `REV:PATH`, read with `git show` in the current folder.
    RevPath(String),
    /// A revision of the open file (`HEAD~1`), read with `git show` in the file's folder.
    Revision(String),
}

impl Source {
    /// What a typed text means: an existing file, `REV:PATH`, or else a revision of the open file.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if Path::new(text).exists() {
            Self::File(PathBuf::from(text))
        } else if text.contains(':') {
            Self::RevPath(text.to_owned())
        } else {
            Self::Revision(text.to_owned())
        }
    }
}

impl ThreatboardApp {
    /// Starts comparing the open document with another version: a file, `REV:PATH` or a git revision of
    /// the open file (`HEAD~1`). On failure nothing changes and the reason is shown in the window.
    pub fn compare_with(&mut self, text: &str) -> bool {
        let loaded = match Source::parse(text) {
            Source::File(path) => json::load_file(&path).map_err(|e| format!("{e:#}")),
            Source::RevPath(spec) => diff::git::load(None, &spec).map_err(|e| e.to_string()),
            Source::Revision(rev) => match self.path.clone() {
                Some(path) => diff::git::load_revision_of(&path, &rev).map_err(|e| e.to_string()),
                None => Err(format!(
                    "{rev:?} is not a file; a git revision needs the open model to be saved in a repository"
                )),
            },
        };
        match loaded {
            Ok(old) => {
                self.compare = Some(Comparison::new(text.trim().to_owned(), old));
                self.refresh_scene();
                self.notify(format!("Comparing with {}", text.trim()), false);
                true
            }
            Err(e) => {
                self.notify(format!("Cannot compare: {e}"), true);
                false
            }
        }
    }

    /// The comparison shown, if any.
    pub fn comparison(&self) -> Option<&Comparison> {
        self.compare.as_ref()
    }

    /// Returns to normal editing.
    pub fn leave_comparison(&mut self) {
        if self.compare.take().is_some() {
            self.refresh_scene();
            self.notify("Comparison closed", false);
        }
    }
}

/// Keeps the comparison in step with the document, and writes `old → new` labels into the freshly
/// built scene. Called each time the scene is rebuilt.
pub fn decorate_scene(app: &mut ThreatboardApp) {
    let Some(c) = app.compare.as_mut() else { return };
    c.sync(&app.session.doc, app.session.revision());
    for e in &mut app.scene.elements {
        if let Some(l) = c.labels.get(&e.id) {
            e.label.clone_from(l);
        }
    }
    for b in &mut app.scene.boundaries {
        if let Some(l) = c.labels.get(&b.id) {
            b.label.clone_from(l);
        }
    }
}
