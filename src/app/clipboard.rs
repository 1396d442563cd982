//! Copy and paste as text: a selection travels as a small Threatboard JSON document, so it also works
//! between two windows; pasted text that is not one is read as quick-entry lines.

use std::collections::HashMap;

use crate::formats::json;
use crate::model::{Document, Edit, Id, Index, Point};

/// The selected elements, boundaries and flows (plus flows between selected elements and the
/// threats on all of them) as a document of their own.
pub fn fragment(doc: &Document, selection: &[Id]) -> Document {
    let picked = |id: &Id| selection.contains(id);
    let elements: Vec<_> = doc.elements.iter().filter(|e| picked(&e.id)).cloned().collect();
    let has = |id: &Id| elements.iter().any(|e| e.id == *id);
    let flows: Vec<_> = doc.flows.iter().filter(|f| has(&f.from) && has(&f.to)).cloned().collect();
    // Boundaries the selection sits in travel too, so the fragment is a valid document; pasting
    // reuses a boundary that exists with the same id and label.
    let ix = Index::new(doc);
    let mut wanted: Vec<&Id> = selection.iter().collect();
    for e in &elements {
        wanted.extend(ix.boundary_chain(e).into_iter().map(|b| &b.id));
    }
    let boundaries: Vec<_> = doc
        .boundaries
        .iter()
        .filter(|b| {
            wanted.contains(&&b.id)
                || selection.iter().any(|s| ix.boundary_ancestors(s.as_str()).iter().skip(1).any(|a| a.id == b.id))
        })
        .cloned()
        .collect();
    let targets = |id: &Id| has(id) || flows.iter().any(|f| f.id == *id);
    let threats = doc.threats.iter().filter(|t| targets(&t.target)).cloned().collect();
    Document { boundaries, elements, flows, threats, ..Document::default() }
}

/// The edit that pastes `text` into `doc`, moved by `offset`, and the ids of what it adds.
///
/// Ids that clash get fresh ones; references to boundaries that exist neither in the fragment nor in
/// the document are dropped.
pub fn paste(doc: &Document, text: &str, offset: f64) -> Result<(Edit, Vec<Id>), String> {
    let Ok(mut frag) = json::from_str(text) else {
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
        if ix.boundary(b.id.as_str()).is_some_and(|o| o.label == b.label) {
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
        let text = json::to_string(&fragment(&doc, &sel));
        for _ in 0..2 {
            let (edit, ids) = paste(&doc, &text, 40.0).unwrap();
            doc.apply(edit).unwrap();
            assert_eq!(ids.len(), 3);
        }
        assert_eq!(doc.elements.len(), 6);
        assert_eq!(doc.flows.len(), 3);
        assert!(doc.elements.iter().all(|e| e.boundary.is_some()));
    }
}
