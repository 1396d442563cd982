//! Node shapes: the names `@{ shape: … }` accepts, and which element kind each shape suggests.

use super::ast::Shape;
use crate::model::ElementKind;

/// Mermaid's named shapes (v11): the canonical name first, then its aliases.
const NAMED: &[&[&str]] = &[
    &["rect", "rectangle", "proc", "process", "square"],
    &["rounded", "event", "round"],
    &["stadium", "terminal", "pill"],
    &["fr-rect", "subproc", "subprocess", "subroutine", "framed-rectangle"],
    &["cyl", "db", "database", "cylinder"],
    &["circle", "circ"],
    &["diam", "decision", "diamond", "question"],
    &["hex", "hexagon", "prepare"],
    &["lean-r", "lean-right", "in-out"],
    &["lean-l", "lean-left", "out-in"],
    &["trap-b", "priority", "trapezoid", "trapezoid-bottom"],
    &["trap-t", "manual", "inv-trapezoid", "trapezoid-top"],
    &["dbl-circ", "double-circle", "doublecircle"],
    &["text"],
    &["notch-rect", "card", "notched-rectangle"],
    &["lin-rect", "lined-rectangle", "lin-proc", "lined-process", "shaded-process"],
    &["sm-circ", "start", "small-circle"],
    &["fr-circ", "stop", "framed-circle"],
    &["fork", "join"],
    &["hourglass", "collate"],
    &["brace", "comment", "brace-l"],
    &["brace-r"],
    &["braces"],
    &["bolt", "com-link", "lightning-bolt"],
    &["doc", "document"],
    &["delay", "half-rounded-rectangle"],
    &["h-cyl", "das", "horizontal-cylinder"],
    &["lin-cyl", "disk", "lined-cylinder"],
    &["curv-trap", "curved-trapezoid", "display"],
    &["div-rect", "div-proc", "divided-rectangle", "divided-process"],
    &["tri", "extract", "triangle"],
    &["win-pane", "internal-storage", "window-pane"],
    &["f-circ", "junction", "filled-circle"],
    &["lin-doc", "lined-document"],
    &["notch-pent", "loop-limit", "notched-pentagon"],
    &["flip-tri", "manual-file", "flipped-triangle"],
    &["sl-rect", "manual-input", "sloped-rectangle"],
    &["docs", "documents", "st-doc", "stacked-document"],
    &["procs", "processes", "st-rect", "stacked-rectangle"],
    &["flag", "paper-tape"],
    &["bow-rect", "stored-data", "bow-tie-rectangle"],
    &["cross-circ", "summary", "crossed-circle"],
    &["tag-doc", "tagged-document"],
    &["tag-rect", "tagged-rectangle", "tag-proc", "tagged-process"],
    &["odd"],
    &["ellipse"],
];

/// The canonical name of a shape `@{ shape: … }` may name, or `None` for an unknown one.
pub fn lookup(name: &str) -> Option<&'static str> {
    NAMED.iter().find(|names| names.contains(&name)).map(|names| names[0])
}

/// Shapes that hold data: cylinders, documents and stored data.
const STORES: &[&str] = &["cyl", "h-cyl", "lin-cyl", "bow-rect", "doc", "lin-doc", "docs", "tag-doc", "win-pane"];
/// Shapes that classic flowcharts use for input and output, where data enters or leaves the system.
const EXTERNALS: &[&str] = &["lean-r", "lean-l"];

/// The kind a shape suggests: data-store shapes are stores, the input/output parallelograms are
/// external entities, and every other shape (the plain rectangle included) is a process.
pub fn kind(shape: Option<Shape>) -> ElementKind {
    let name = match shape {
        None => return ElementKind::Process,
        Some(Shape::Cylinder) => "cyl",
        Some(Shape::LeanRight | Shape::LeanLeft) => "lean-r",
        Some(Shape::Named(n)) => n,
        Some(_) => "rect",
    };
    if STORES.contains(&name) {
        ElementKind::Store
    } else if EXTERNALS.contains(&name) {
        ElementKind::External
    } else {
        ElementKind::Process
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_kinds() {
        assert_eq!(lookup("database"), Some("cyl"));
        assert_eq!(lookup("this-shape-does-not-exist"), None);
        assert_eq!(lookup("rect_left_inv_arrow"), None);
        assert_eq!(kind(Some(Shape::Cylinder)), ElementKind::Store);
        assert_eq!(kind(Some(Shape::Named("docs"))), ElementKind::Store);
        assert_eq!(kind(Some(Shape::LeanLeft)), ElementKind::External);
        assert_eq!(kind(Some(Shape::Rect)), ElementKind::Process);
        assert_eq!(kind(None), ElementKind::Process);
    }
}
