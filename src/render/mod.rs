//! One scene geometry for every drawn export: SVG, PNG and the report.
//!
//! [`Scene::build`] lays a document out once (boundary boxes, element shapes, routed flows, labels, badges,
//! legend); [`svg::to_svg`] paints that scene, [`png::to_png`] rasterises the SVG, and [`report`] writes
//! the Markdown review report around it. To export part of a model (the editor's selection), render the
//! document [`selection`] returns.

mod flows;
mod grid;
pub mod legend;
pub mod png;
pub mod report;
pub mod route;
pub mod scene;
pub mod style;
pub mod svg;
pub mod text;

use std::collections::HashSet;

pub use png::RenderError;
pub use scene::{RenderOptions, Scene};
pub use style::{Color, LineStyle, Palette, Style, Theme};

use crate::model::{Document, Index};

/// The part of `doc` that `ids` name, as a document of its own, for exporting a selection.
///
/// Keeps the named elements; the named flows with both their ends; every flow between two kept elements;
/// the elements of named boundaries (nested ones included); the boundaries around what is kept, so trust
/// zones still show; and the threats and dismissals on kept elements and flows. Title, description and
/// decomposition stay as they are. Ids that name nothing are ignored.
pub fn selection<'a>(doc: &Document, ids: impl IntoIterator<Item = &'a str>) -> Document {
    let index = Index::new(doc);
    let named: HashSet<&str> = ids.into_iter().collect();
    let in_named_boundary = |boundary: Option<&crate::model::Id>| {
        boundary.is_some_and(|b| index.boundary_ancestors(b.as_str()).iter().any(|a| named.contains(a.id.as_str())))
    };
    let mut elements: HashSet<&str> = doc
        .elements
        .iter()
        .filter(|e| named.contains(e.id.as_str()) || in_named_boundary(e.boundary.as_ref()))
        .map(|e| e.id.as_str())
        .collect();
    for f in doc.flows.iter().filter(|f| named.contains(f.id.as_str())) {
        elements.insert(f.from.as_str());
        elements.insert(f.to.as_str());
    }
    let flows: HashSet<&str> = doc
        .flows
        .iter()
        .filter(|f| elements.contains(f.from.as_str()) && elements.contains(f.to.as_str()))
        .map(|f| f.id.as_str())
        .collect();
    let boundaries: HashSet<&str> = doc
        .elements
        .iter()
        .filter(|e| elements.contains(e.id.as_str()))
        .flat_map(|e| index.boundary_chain(e))
        .map(|b| b.id.as_str())
        .collect();
    let kept = |id: &str| elements.contains(id) || flows.contains(id);
    Document {
        format: doc.format,
        title: doc.title.clone(),
        description: doc.description.clone(),
        direction: doc.direction,
        decomposition: doc.decomposition.clone(),
        boundaries: doc.boundaries.iter().filter(|b| boundaries.contains(b.id.as_str())).cloned().collect(),
        elements: doc.elements.iter().filter(|e| elements.contains(e.id.as_str())).cloned().collect(),
        flows: doc.flows.iter().filter(|f| flows.contains(f.id.as_str())).cloned().collect(),
        threats: doc.threats.iter().filter(|t| kept(t.target.as_str())).cloned().collect(),
        dismissed: doc.dismissed.iter().filter(|d| kept(d.target.as_str())).cloned().collect(),
    }
}

/// The line of each flow of `doc`, in document order (`None` where an end is missing), as the drawn
/// exports route it: from outline to outline, spread apart from other flows between the same two
/// elements, self-loops stacked, and, when `avoid` is set, bent around elements in the way (which costs
/// a grid of the elements' boxes). Arrowheads sit at the ends; the exports shorten the line under them.
pub fn flow_curves(doc: &Document, avoid: bool) -> Vec<Option<route::Curve>> {
    flows::curves(doc, avoid)
}

/// What a drawing or report calls an item: its label, or its id when the label is blank. (Unlike
/// `Item::display_name`, the result borrows from the document, not from a temporary `Item`.)
pub(crate) fn name_or_id<'a>(label: &'a str, id: &'a crate::model::Id) -> &'a str {
    if label.trim().is_empty() { id.as_str() } else { label }
}
