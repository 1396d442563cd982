//! The application state and the frame loop that lays out the window's panels.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use egui::{Context, Rect};
use serde::{Deserialize, Serialize};

use super::canvas::{Drag, InPlaceRename};
use super::inspector::Tab;
use super::quick_bar::QuickBar;
use super::scene::Scene;
use super::view::View;
use super::{canvas, file_ops, inspector, menus, quick_bar, shortcuts, status_bar};
use crate::model::{Document, Edit, Id, Index, Session};

/// Where the settings live in eframe's storage.
pub const SETTINGS_KEY: &str = "threatboard.settings";
/// Most files remembered in File → Open Recent.
pub const MAX_RECENT: usize = 10;

/// What persists between runs (through eframe's storage, never in a document).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Settings {
    /// Recently opened or saved files, newest first.
    pub recent: Vec<PathBuf>,
    /// Dark theme.
    pub dark: bool,
    /// Draw the grid.
    pub grid: bool,
    /// Snap moved elements to the grid.
    pub snap: bool,
    /// The user's suggestion-rule files, used after the built-in rules (Threats → Rule files…).
    pub rule_files: Vec<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self { recent: Vec::new(), dark: false, grid: true, snap: true, rule_files: Vec::new() }
    }
}

/// An action waiting for the answer to "save the unsaved changes?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// Start a new model.
    New,
    /// Pick a file to open.
    Open,
    /// Open this file.
    OpenPath(PathBuf),
    /// Read a file of another format into a new model.
    Import(super::io::Format),
    /// Close the window.
    Quit,
}

/// A message shown in the window until dismissed or replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// An error (red) rather than information.
    pub error: bool,
}

/// The editor: one document being edited, and everything about how it is shown.
#[allow(clippy::struct_excessive_bools)] // independent UI flags, not a state machine in disguise
pub struct ThreatboardApp {
    pub(super) session: Session,
    pub(super) path: Option<PathBuf>,
    pub(super) saved_revision: u64,
    pub(super) view: View,
    pub(super) selection: Vec<Id>,
    pub(super) hover: Option<Id>,
    pub(super) drag: Drag,
    pub(super) scene: Scene,
    scene_revision: Option<u64>,
    /// The document shared with the panels, and the revision it was copied at.
    snapshot: Option<(u64, Arc<Document>)>,
    pub(super) fit_pending: bool,
    pub(super) canvas_rect: Rect,
    pub(super) settings: Settings,
    pub(super) quick: QuickBar,
    pub(super) rename: Option<InPlaceRename>,
    pub(super) confirm: Option<Pending>,
    pub(super) prompt: Option<file_ops::PathPrompt>,
    pub(super) notice: Option<Notice>,
    pub(super) tab: Tab,
    pub(super) id_buffer: Option<(Id, String)>,
    pub(super) allow_close: bool,
    pub(super) dialogs_unavailable: bool,
    pub(super) dialog_quick_returns: u8,
    pub(super) show_shortcuts: bool,
    pub(super) drag_serial: u64,
    pub(super) quit_requested: bool,
    pub(super) fit_check: bool,
    /// The canvas area and view of the last zoom to fit, while the user has not moved the view since:
    /// when the area changes (panels settling after the first frame, a resized window), it fits again.
    pub(super) fitted: Option<(Rect, super::view::View)>,
    pub(super) recovery: Option<super::recovery_ui::Recovery>,
    pub(super) after_save: Option<Pending>,
    /// File → Export and the copy commands take only the selection.
    pub(super) export_selection: bool,
    pub(super) review: super::threats::Review,
    pub(super) disk: super::disk_ui::Disk,
    pub(super) compare: Option<super::compare::Comparison>,
    pub(super) compare_prompt: Option<super::compare_ui::ComparePrompt>,
    last_title: String,
    frame_log: bool,
    frames: u64,
    started: Instant,
}

impl ThreatboardApp {
    /// A new, empty model with these settings.
    pub fn new(settings: Settings) -> Self {
        Self {
            session: Session::new(Document::default()),
            path: None,
            saved_revision: 0,
            view: View::default(),
            selection: Vec::new(),
            hover: None,
            drag: Drag::None,
            scene: Scene::default(),
            scene_revision: None,
            snapshot: None,
            fit_pending: true,
            canvas_rect: Rect::NOTHING,
            settings,
            quick: QuickBar::default(),
            rename: None,
            confirm: None,
            prompt: None,
            notice: None,
            tab: Tab::Selection,
            id_buffer: None,
            allow_close: false,
            dialogs_unavailable: std::env::var_os("THREATBOARD_NO_DIALOGS").is_some(),
            dialog_quick_returns: 0,
            show_shortcuts: false,
            drag_serial: 0,
            quit_requested: false,
            fit_check: false,
            fitted: None,
            recovery: None,
            after_save: None,
            export_selection: false,
            review: super::threats::Review::default(),
            disk: super::disk_ui::Disk::default(),
            compare: None,
            compare_prompt: None,
            last_title: String::new(),
            frame_log: std::env::var_os("THREATBOARD_FRAME_LOG").is_some(),
            frames: 0,
            started: Instant::now(),
        }
    }

    /// Editing `doc` (as if opened from `path`), with default settings.
    pub fn with_document(doc: Document, path: Option<PathBuf>) -> Self {
        let mut app = Self::new(Settings::default());
        app.session = Session::new(doc);
        app.path = path;
        app.saved_revision = app.session.revision();
        app
    }

    /// Opens `path` at start-up. A missing file starts a new model that will be saved there;
    /// a file that cannot be read leaves an empty model and says why.
    pub fn open_at_start(&mut self, path: &Path) {
        if path.exists() {
            file_ops::open_path(self, path);
        } else {
            self.path = Some(path.to_path_buf());
            self.notify(format!("{} does not exist yet; it will be created when you save", path.display()), false);
        }
    }

    /// Autosaves unsaved work to `store` and offers to restore what an earlier session left there.
    pub fn enable_recovery(&mut self, store: crate::recovery::RecoveryStore) {
        self.recovery = Some(super::recovery_ui::Recovery::new(store));
    }

    /// The document and its history.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The file being edited, if it has one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Selected ids, in the order they were picked.
    pub fn selection(&self) -> &[Id] {
        &self.selection
    }

    /// Replaces the selection.
    pub fn select(&mut self, ids: Vec<Id>) {
        self.selection = ids;
    }

    /// True when the document has changes not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.session.revision() != self.saved_revision
    }

    /// The action waiting for the unsaved-changes question, if it is being asked.
    pub fn pending_question(&self) -> Option<&Pending> {
        self.confirm.as_ref()
    }

    /// The message shown in the window, if any.
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    /// The canvas area of the last frame (screen points) and its zoom.
    pub fn canvas_view(&self) -> (Rect, f32) {
        (self.canvas_rect, self.view.zoom)
    }

    /// Where a canvas point appears on screen in the last frame.
    pub fn canvas_to_screen(&self, x: f64, y: f64) -> egui::Pos2 {
        self.view.to_screen(self.canvas_rect.min, egui::Pos2::new(x as f32, y as f32))
    }

    /// Sets the zoom factor, keeping the canvas origin in place (for tests and benchmarks).
    pub fn set_zoom(&mut self, zoom: f32) {
        self.view.zoom = zoom;
        self.fit_pending = false;
    }

    /// Asks for file paths in a typed prompt instead of native dialogs, as when none exists
    /// (`THREATBOARD_NO_DIALOGS=1` does the same from the environment).
    pub fn use_typed_paths(&mut self) {
        self.dialogs_unavailable = true;
    }

    /// The settings that persist between runs.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Applies the theme of the settings to `ctx`.
    pub fn apply_theme(&self, ctx: &Context) {
        ctx.set_theme(if self.settings.dark { egui::Theme::Dark } else { egui::Theme::Light });
    }

    /// After the next frame's scene is built, zoom to fit if the diagram no longer fits the view.
    pub(super) fn fit_if_outside(&mut self) {
        self.fit_check = true;
    }

    pub(super) fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some(Notice { text: text.into(), error });
    }

    /// Applies an edit as one undo step; a refused edit is reported in the window.
    pub(super) fn apply(&mut self, edit: Edit) -> bool {
        self.apply_keyed(edit, None)
    }

    /// Applies an edit, merging it with the last step when that had the same key.
    pub(super) fn apply_keyed(&mut self, edit: Edit, key: Option<u64>) -> bool {
        match self.session.apply_keyed(edit, key) {
            Ok(()) => true,
            Err(e) => {
                self.notify(format!("Not changed: {e}"), true);
                false
            }
        }
    }

    pub(super) fn undo(&mut self) {
        match self.session.undo() {
            Some(label) => self.notify(format!("Undid: {label}"), false),
            None => self.notify("Nothing to undo", false),
        }
        self.drag = Drag::None;
    }

    pub(super) fn redo(&mut self) {
        match self.session.redo() {
            Some(label) => self.notify(format!("Redid: {label}"), false),
            None => self.notify("Nothing to redo", false),
        }
        self.drag = Drag::None;
    }

    /// Rebuilds the scene when the document changed, and drops selected ids that no longer exist.
    fn sync_scene(&mut self) {
        if self.scene_revision == Some(self.session.revision()) {
            return;
        }
        self.scene = Scene::new(&self.session.doc);
        self.scene_revision = Some(self.session.revision());
        super::compare::decorate_scene(self);
        let ix = Index::new(&self.session.doc);
        self.selection.retain(|id| ix.item(id.as_str()).is_some());
        if self.hover.as_ref().is_some_and(|h| ix.item(h.as_str()).is_none()) {
            self.hover = None;
        }
    }

    /// The document as it is now, for panels that read it while they apply edits to the session.
    /// Copied once per revision, so an idle frame of a large model costs no copy.
    pub(super) fn snapshot(&mut self) -> Arc<Document> {
        let revision = self.session.revision();
        if let Some((r, doc)) = &self.snapshot
            && *r == revision
        {
            return Arc::clone(doc);
        }
        let doc = Arc::new(self.session.doc.clone());
        self.snapshot = Some((revision, Arc::clone(&doc)));
        doc
    }

    /// Rebuilds the scene on the next frame (a comparison started or ended).
    pub(super) fn refresh_scene(&mut self) {
        self.scene_revision = None;
    }

    /// The window title: file name, a modified mark, and the product.
    pub fn title(&self) -> String {
        let name = self
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(|| "Untitled".to_owned(), |n| n.to_string_lossy().into_owned());
        let mark = if self.is_dirty() { " •" } else { "" };
        format!("{name}{mark} — Threatboard")
    }

    /// One frame of the whole window.
    pub fn ui_frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.frame_log {
            self.frames += 1;
            eprintln!("frame {} at {:.3}s", self.frames, self.started.elapsed().as_secs_f64());
        }
        file_ops::handle_close_request(self, &ctx);
        self.sync_scene();
        super::compare_ui::handle_keys(self, &ctx);
        shortcuts::handle(self, &ctx);
        self.sync_scene();

        egui::Panel::top("menu_bar").show(ui, |ui| menus::menu_bar_ui(self, ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| status_bar::status_bar_ui(self, ui));
        egui::Panel::bottom("quick_entry").show(ui, |ui| quick_bar::quick_bar_ui(self, ui));
        if self.compare.is_some() {
            egui::Panel::left("comparison").default_size(320.0).min_size(240.0).resizable(true).show(ui, |ui| {
                super::compare_ui::panel_ui(self, ui);
            });
        }
        egui::Panel::right("inspector").default_size(300.0).min_size(240.0).resizable(true).show(ui, |ui| {
            inspector::inspector_ui(self, ui);
        });
        self.sync_scene();
        egui::CentralPanel::no_frame().show(ui, |ui| canvas::canvas_ui(self, ui));
        file_ops::dialogs_ui(self, &ctx);
        super::compare_ui::prompt_ui(self, &ctx);
        super::recovery_ui::offer_ui(self, &ctx);
        super::recovery_ui::autosave(self, &ctx);
        super::disk_ui::update(self, &ctx);
        menus::shortcuts_window_ui(self, &ctx);
        super::threats::windows_ui(self, &ctx);

        let title = self.title();
        if title != self.last_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.last_title = title;
        }
    }
}

impl eframe::App for ThreatboardApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_frame(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // Closing the window went through the unsaved-changes question, so nothing needs recovering.
        super::recovery_ui::discard(self);
    }
}
