//! The Threat Dragon 2.x reader: `AntV` X6 cells with a `shape` and the semantic properties in `data`.

use serde_json::{Map, Value};

use super::cells::{Cell, Diagram, End, line_of, point, rect, shape_of, text_of};
use super::{PathStep, element_lines};

const SHAPES: [&str; 7] =
    ["actor", "process", "store", "flow", "trust-boundary-box", "trust-boundary-curve", "td-text-block"];

/// Reads `cells` into the diagram, warning about what is not understood.
pub(crate) fn read_cells(text: &str, at: &[PathStep<'_>], cells: &[Value], diagram: &mut Diagram) {
    let lines = element_lines(text, at);
    for (i, value) in cells.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(1);
        let Some(c) = value.as_object() else {
            diagram.warn(Some(line), format!("cell {i} is not an object; skipped"));
            continue;
        };
        if let Some(cell) = read_cell(value, c, line, diagram) {
            diagram.cells.push(cell);
        }
    }
}

fn read_cell(value: &Value, c: &Map<String, Value>, line: usize, diagram: &mut Diagram) -> Option<Cell> {
    let empty = Map::new();
    let data = c.get("data").and_then(Value::as_object).unwrap_or(&empty);
    let td_id = text_of(c.get("id"));
    let shape_name = text_of(c.get("shape"));
    let data_type = text_of(data.get("type"));
    let from_shape = match shape_name.as_str() {
        "actor" => Some("tm.Actor"),
        "process" => Some("tm.Process"),
        "store" => Some("tm.Store"),
        "flow" => Some("tm.Flow"),
        "trust-boundary-box" => Some("tm.BoundaryBox"),
        "trust-boundary-curve" | "trust-boundary" => Some("tm.Boundary"),
        "td-text-block" => Some("tm.Text"),
        _ => None,
    };
    let kind = match (from_shape, data_type.as_str()) {
        (Some(k), _) => k.to_owned(),
        (None, t) if t.starts_with("tm.") => {
            let hint = closest(&shape_name).map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default();
            diagram.warn(
                Some(line),
                format!("cell {td_id} has the unknown shape {shape_name:?}{hint}; read as {t} from its data.type"),
            );
            t.to_owned()
        }
        (None, t) => {
            diagram.warn(
                Some(line),
                format!("cell {td_id} has the unknown shape {shape_name:?} and data.type {t:?}; skipped"),
            );
            return None;
        }
    };
    let name = first_text(&[
        data.get("name"),
        value.pointer("/attrs/text/text"),
        value.pointer("/attrs/headerText/text"),
        value.pointer("/attrs/label/text"),
        value.pointer("/labels/0/attrs/labelText/text"),
        value.pointer("/labels/0/attrs/text/text"),
    ]);
    let rect = rect(c.get("position"), c.get("size"));
    let Some(shape) = shape_of(&kind, rect, || line_of(c, data, end)) else {
        diagram.warn(Some(line), format!("cell {td_id} has the unknown type {kind:?}; skipped"));
        return None;
    };
    Some(Cell::with_props(
        data,
        (td_id, data.get("threatboardId").and_then(Value::as_str).map(str::to_owned)),
        line,
        name,
        shape,
    ))
}

/// `{cell: id}` or `{x, y}`.
fn end(v: Option<&Value>) -> End {
    match v {
        Some(Value::Object(o)) => match o.get("cell").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => End::Cell(id.to_owned()),
            _ => point(&Value::Object(o.clone())).map_or(End::Missing, End::Point),
        },
        Some(Value::String(id)) if !id.is_empty() => End::Cell(id.clone()),
        _ => End::Missing,
    }
}

/// The first non-blank text among candidates.
pub(crate) fn first_text(candidates: &[Option<&Value>]) -> String {
    candidates.iter().map(|v| text_of(*v)).find(|s| !s.trim().is_empty()).unwrap_or_default()
}

/// The known shape closest to a misspelt one, if it is close.
fn closest(name: &str) -> Option<&'static str> {
    SHAPES.iter().map(|s| (edit_distance(name, s), *s)).filter(|(d, _)| *d <= 3).min().map(|(_, s)| s)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_shape_is_recognised() {
        assert_eq!(closest("trust-broundary-curve"), Some("trust-boundary-curve"));
        assert_eq!(closest("nonsense-shape-name"), None);
    }
}
