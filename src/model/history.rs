//! Undo and redo by whole-document snapshots, bounded, with named steps.

use std::collections::VecDeque;

use super::document::Document;
use super::edit::{Edit, EditError};

/// How many steps are kept by default.
pub const DEFAULT_DEPTH: usize = 200;

#[derive(Debug, Clone)]
struct Step {
    label: String,
    /// The document as it was on the other side of this step.
    snapshot: Document,
    /// Steps with the same key that follow each other merge into one (a drag, typing in one field).
    key: Option<u64>,
}

/// A bounded undo/redo history of document snapshots. A new step clears the redo side.
#[derive(Debug, Clone)]
pub struct History {
    undo: VecDeque<Step>,
    redo: Vec<Step>,
    depth: usize,
}

impl Default for History {
    fn default() -> Self {
        Self::new(DEFAULT_DEPTH)
    }
}

impl History {
    /// An empty history keeping at most `depth` undo steps (at least one).
    pub fn new(depth: usize) -> Self {
        Self { undo: VecDeque::new(), redo: Vec::new(), depth: depth.max(1) }
    }

    /// Records that `before` is what the document was before a step called `label`.
    ///
    /// With a `key`, a step directly after another with the same key is merged into it, so a whole
    /// drag or a run of keystrokes in one field undoes at once.
    pub fn record(&mut self, label: impl Into<String>, before: Document, key: Option<u64>) {
        self.redo.clear();
        if key.is_some() && self.undo.back().is_some_and(|s| s.key == key) {
            return;
        }
        self.undo.push_back(Step { label: label.into(), snapshot: before, key });
        while self.undo.len() > self.depth {
            self.undo.pop_front();
        }
    }

    /// Ends merging: the next step is recorded on its own even if its key matches (e.g. at drag end).
    pub fn seal(&mut self) {
        if let Some(last) = self.undo.back_mut() {
            last.key = None;
        }
    }

    /// Undoes the last step on `doc`; returns its label, or `None` when there is nothing to undo.
    pub fn undo(&mut self, doc: &mut Document) -> Option<String> {
        let step = self.undo.pop_back()?;
        let current = std::mem::replace(doc, step.snapshot);
        self.redo.push(Step { label: step.label.clone(), snapshot: current, key: None });
        Some(step.label)
    }

    /// Redoes the last undone step on `doc`; returns its label.
    pub fn redo(&mut self, doc: &mut Document) -> Option<String> {
        let step = self.redo.pop()?;
        let current = std::mem::replace(doc, step.snapshot);
        self.undo.push_back(Step { label: step.label.clone(), snapshot: current, key: None });
        Some(step.label)
    }

    /// The label of the step `undo` would undo.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.back().map(|s| s.label.as_str())
    }

    /// The label of the step `redo` would redo.
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|s| s.label.as_str())
    }

    /// Number of steps that can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// Number of steps that can be redone.
    pub fn redo_len(&self) -> usize {
        self.redo.len()
    }

    /// Forgets everything (after opening another file).
    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }
}

/// A document with its history and a revision counter: what the editor, the CLI and tests change
/// documents through. Every successful edit is one undo step (or merges into the last, with a key).
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// The document as it is now.
    pub doc: Document,
    /// Its undo history.
    pub history: History,
    revision: u64,
}

impl Session {
    /// Starts editing `doc` with an empty history.
    pub fn new(doc: Document) -> Self {
        Self { doc, history: History::default(), revision: 0 }
    }

    /// Goes up by one with every change (edit, undo, redo); views rebuild when it moves.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Applies `edit` as one undo step.
    pub fn apply(&mut self, edit: Edit) -> Result<(), EditError> {
        self.apply_keyed(edit, None)
    }

    /// Applies `edit`, merging it into the previous step when that had the same `key`.
    pub fn apply_keyed(&mut self, edit: Edit, key: Option<u64>) -> Result<(), EditError> {
        let label = edit.label(&self.doc);
        let before = self.doc.clone();
        self.doc.apply(edit)?;
        if self.doc != before {
            self.history.record(label, before, key);
            self.revision += 1;
        }
        Ok(())
    }

    /// Undoes the last step; returns its label.
    pub fn undo(&mut self) -> Option<String> {
        let label = self.history.undo(&mut self.doc)?;
        self.revision += 1;
        Some(label)
    }

    /// Redoes the last undone step; returns its label.
    pub fn redo(&mut self) -> Option<String> {
        let label = self.history.redo(&mut self.doc)?;
        self.revision += 1;
        Some(label)
    }

    /// Replaces the whole document (open, reload, import) and forgets the history.
    pub fn replace(&mut self, doc: Document) {
        self.doc = doc;
        self.history.clear();
        self.revision += 1;
    }
}
