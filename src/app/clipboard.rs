//! Copy and paste as text: a selection travels as a small Threatboard JSON document, so it also works
//! between two windows; pasted text that is not one is read as quick-entry lines.

use std::collections::HashMap;

use serde::Deserialize;

use crate::formats::json;
use crate::model::{Document, Edit, Id, Index, Point};

/// A copied selection as a document of its own, and which of its boundaries were copied as boxes.
#[derive(Debug, Clone, PartialEq)]
pub struct Fragment {
    /// The copied elements, boundaries, flows and threats.
    pub doc: Document,
    /// Boundaries that were selected, with the boundaries nested in them: pasted, they become new
    /// boxes. The fragment's other boundaries only say where the copied elements sat, and pasting
    /// into a document that has them puts the copies there.
    pub boxes: Vec<Id>,
}

/// The clipboard's text: the fragment as a Threatboard document, with the boxes beside it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClipText {
    /// Format version of this wrapper.
    threatboard_selection: u32,
    boxes: Vec<Id>,
    document: Box<serde_json::value::RawValue>,
}

impl Fragment {
    /// The text put on the clipboard.
    pub fn to_text(&self) -> String {
        // Ids are slugs (ASCII letters, digits, `-`, `_`), so they need no escaping inside quotes.
        let boxes: Vec<String> = self.boxes.iter().map(|b| format!("\"{b}\"")).collect();
        let document = json::to_string(&self.doc);
        format!(
            "{{\n\"threatboard_selection\": 1,\n\"boxes\": [{}],\n\"document\": {}}}\n",
            boxes.join(", "),
            document.trim_end()
        )
    }

    /// Reads clipboard text: a copied selection, or a whole Threatboard document (its boundaries are
    /// boxes of their own). `None` when it is neither; an error when it is a copied selection that
    /// does not hold a valid model (hand-edited, or from a newer version).
    pub fn from_text(text: &str) -> Option<Result<Self, String>> {
        if let Ok(clip) = serde_json::from_str::<ClipText>(text) {
            if clip.threatboard_selection != 1 {
                let v = clip.threatboard_selection;
                return Some(Err(format!("the copied selection has format {v}; this version reads 1")));
            }
            return Some(match json::from_str(clip.document.get()) {
                Ok(doc) => Ok(Fragment { doc, boxes: clip.boxes }),
                Err(e) => Err(format!("the copied selection does not hold a valid model: {e}")),
            });
        }
        let doc = json::from_str(text).ok()?;
        let boxes = doc.boundaries.iter().map(|b| b.id.clone()).collect();
        Some(Ok(Fragment { doc, boxes }))
    }

    /// Number of elements, boundaries and flows.
    pub fn len(&self) -> usize {
        self.doc.elements.len() + self.doc.boundaries.len() + self.doc.flows.len()
    }

    /// Whether nothing was copied.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The selection as a fragment. A selected boundary brings what is inside it (elements and nested
/// boundaries); flows come along when both their ends do, and threats with their targets.
pub fn fragment(doc: &Document, selection: &[Id]) -> Fragment {
    let ix = Index::new(doc);
    let picked = |id: &Id| selection.contains(id);
    let inside_box = |b: &Id| ix.boundary_ancestors(b.as_str()).iter().any(|a| picked(&a.id));
    let boxes: Vec<Id> = doc.boundaries.iter().filter(|b| inside_box(&b.id)).map(|b| b.id.clone()).collect();
    let elements: Vec<_> = doc
        .elements
        .iter()
        .filter(|e| picked(&e.id) || e.boundary.as_ref().is_some_and(|b| boxes.contains(b)))
        .cloned()
        .collect();
    let has = |id: &Id| elements.iter().any(|e| e.id == *id);
    let flows: Vec<_> = doc.flows.iter().filter(|f| has(&f.from) && has(&f.to)).cloned().collect();
    // The boundaries around what was copied travel too, so the fragment is a valid document.
    let mut wanted: Vec<&Id> = boxes.iter().collect();
    for e in &elements {
        wanted.extend(ix.boundary_chain(e).into_iter().map(|b| &b.id));
    }
    for b in &boxes {
        wanted.extend(ix.boundary_ancestors(b.as_str()).into_iter().map(|a| &a.id));
    }
    let boundaries: Vec<_> = doc.boundaries.iter().filter(|b| wanted.contains(&&b.id)).cloned().collect();
    let targets = |id: &Id| has(id) || flows.iter().any(|f| f.id == *id);
    let threats = doc.threats.iter().filter(|t| targets(&t.target)).cloned().collect();
    Fragment { doc: Document { boundaries, elements, flows, threats, ..Document::default() }, boxes }
}

/// The edit that pastes `text` into `doc`, moved by `offset`, and the ids of what it adds.
///
/// Ids that clash get fresh ones. A boundary that only surrounds the copied elements is the
/// document's own when the document has one with the same id and label; copied boxes are always new.
/// References to boundaries that exist neither in the fragment nor in the document are dropped.
pub fn paste(doc: &Document, text: &str, offset: f64) -> Result<(Edit, Vec<Id>), String> {
    let Some(read) = Fragment::from_text(text) else {
        let mut work = doc.clone();
        let mut edits = Vec::new();
        for line in text.lines() {
            if let Some(edit) = crate::quick::parse_line(&work, line).map_err(|e| e.to_string())? {
                work.apply(edit.clone()).map_err(|e| e.to_string())?;
                edits.push(edit);
            }
        }
        if edits.is_empty() {
            return Err("the clipboard holds neither a Threatboard selection nor quick-entry lines".into());
        }
        return Ok((Edit::Batch { label: "Paste quick-entry lines".into(), edits }, Vec::new()));
    };
    let Fragment { doc: mut frag, boxes } = read?;
    let ix = Index::new(doc);
    let mut taken: Vec<String> = Vec::new();
    let mut map: HashMap<Id, Id> = HashMap::new();
    let ids: Vec<Id> = frag
        .boundaries
        .iter()
        .map(|b| b.id.clone())
        .chain(frag.elements.iter().map(|e| e.id.clone()))
        .chain(frag.flows.iter().map(|f| f.id.clone()))
        .collect();
    for b in &frag.boundaries {
        if !boxes.contains(&b.id) && ix.boundary(b.id.as_str()).is_some_and(|o| o.label == b.label) {
            map.insert(b.id.clone(), b.id.clone());
        }
    }
    let reused: Vec<Id> = map.keys().cloned().collect();
    frag.boundaries.retain(|b| !reused.contains(&b.id));
    for id in ids.into_iter().filter(|i| !reused.contains(i)) {
        let fresh = Id::unique(&id, |s| ix.is_taken(s) || taken.iter().any(|t| t == s));
        taken.push(fresh.to_string());
        map.insert(id, fresh);
    }
    let re = |id: &Id| map.get(id).cloned().unwrap_or_else(|| id.clone());
    let keep_boundary = |b: &Option<Id>| -> Option<Id> {
        b.as_ref().and_then(|b| map.get(b).cloned().or_else(|| ix.boundary(b.as_str()).map(|x| x.id.clone())))
    };
    let mut edits = Vec::new();
    let mut added = Vec::new();
    for b in &mut frag.boundaries {
        b.parent = keep_boundary(&b.parent);
        b.id = re(&b.id);
    }
    // Parents first, so every AddBoundary finds its parent.
    let mut pending: Vec<_> = frag.boundaries.clone();
    let mut placed: Vec<Id> = Vec::new();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|b| {
            let ready = b.parent.as_ref().is_none_or(|p| ix.boundary(p.as_str()).is_some() || placed.contains(p));
            if ready {
                placed.push(b.id.clone());
                edits.push(Edit::AddBoundary(b.clone()));
                added.push(b.id.clone());
            }
            !ready
        });
        if pending.len() == before {
            break;
        }
    }
    for mut e in frag.elements {
        e.boundary = keep_boundary(&e.boundary);
        e.id = re(&e.id);
        e.at = Point::new(e.at.x + offset, e.at.y + offset);
        added.push(e.id.clone());
        edits.push(Edit::AddElement(e));
    }
    for mut f in frag.flows {
        f.id = re(&f.id);
        f.from = re(&f.from);
        f.to = re(&f.to);
        added.push(f.id.clone());
        edits.push(Edit::AddFlow(f));
    }
    let mut threat_ids: Vec<Id> = doc.threats.iter().map(|t| t.id.clone()).collect();
    for mut t in frag.threats {
        t.target = re(&t.target);
        t.id = Id::unique(&t.id, |s| threat_ids.iter().any(|x| x.as_str() == s));
        threat_ids.push(t.id.clone());
        edits.push(Edit::AddThreat(t));
    }
    if edits.is_empty() {
        return Err("the pasted selection is empty".into());
    }
    Ok((Edit::Batch { label: format!("Paste {} items", added.len()), edits }, added))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_then_paste_twice_gives_fresh_ids() {
        let mut doc = Document::default();
        let edit = crate::quick::parse_line(&doc, "a -grpcs-> b; a, b: process in Zone").unwrap().unwrap();
        doc.apply(edit).unwrap();
        let sel: Vec<Id> = doc.elements.iter().map(|e| e.id.clone()).collect();
        let text = fragment(&doc, &sel).to_text();
        for _ in 0..2 {
            let (edit, ids) = paste(&doc, &text, 40.0).unwrap();
            doc.apply(edit).unwrap();
            assert_eq!(ids.len(), 3);
        }
        assert_eq!(doc.elements.len(), 6);
        assert_eq!(doc.flows.len(), 3);
        assert!(doc.elements.iter().all(|e| e.boundary.is_some()));
    }

    #[test]
    fn a_copied_box_comes_back_as_a_box_and_its_surroundings_as_surroundings() {
        let mut doc = Document::default();
        let edit =
            crate::quick::parse_line(&doc, "a -> b; a: process in Inner; Inner: boundary in Outer").unwrap().unwrap();
        doc.apply(edit).unwrap();
        let clip = fragment(&doc, &[Id::new("inner").unwrap()]);
        assert_eq!(clip.boxes, [Id::new("inner").unwrap()]);
        assert_eq!(clip.doc.elements.len(), 1, "a, inside the box; b is outside it");
        assert_eq!(clip.doc.boundaries.len(), 2, "the box and the boundary around it");
        assert_eq!(Fragment::from_text(&clip.to_text()), Some(Ok(clip.clone())));

        let (edit, added) = paste(&doc, &clip.to_text(), 40.0).unwrap();
        doc.apply(edit).unwrap();
        assert_eq!(added.len(), 2, "a new box and a new element; Outer is reused");
        let new_box = doc.boundaries.iter().find(|b| b.id.as_str() == added[0].as_str()).unwrap();
        assert_eq!((new_box.label.as_str(), new_box.parent.as_ref().map(Id::as_str)), ("Inner", Some("outer")));
    }

    #[test]
    fn a_whole_model_pasted_adds_its_boundaries_as_new_boxes() {
        let mut doc = Document::default();
        let edit = crate::quick::parse_line(&doc, "a -> b; a, b: process in Zone").unwrap().unwrap();
        doc.apply(edit).unwrap();
        let (edit, _) = paste(&doc, &json::to_string(&doc), 40.0).unwrap();
        doc.apply(edit).unwrap();
        assert_eq!(doc.boundaries.len(), 2);
        assert_eq!(doc.elements.iter().filter(|e| e.boundary.as_ref().map(Id::as_str) == Some("zone")).count(), 2);
    }

    #[test]
    fn clipboard_text_that_is_not_a_selection_is_read_as_quick_entry_or_refused() {
        let doc = Document::default();
        assert!(paste(&doc, "{\"threatboard_selection\": 1, \"boxes\": [\"no such\"]}", 0.0).is_err());
        let broken =
            "{\"threatboard_selection\": 1, \"boxes\": [], \"document\": {\"threatboard\": 1, \"elements\": 3}}";
        let e = paste(&doc, broken, 0.0).unwrap_err();
        assert!(e.starts_with("the copied selection does not hold a valid model: "), "{e}");
        let newer = "{\"threatboard_selection\": 2, \"boxes\": [], \"document\": {}}";
        assert!(paste(&doc, newer, 0.0).unwrap_err().contains("format 2"));
        let (edit, _) = paste(&doc, "x -https-> y", 0.0).unwrap();
        let mut after = doc.clone();
        after.apply(edit).unwrap();
        assert_eq!(after.flows.len(), 1);
    }
}
