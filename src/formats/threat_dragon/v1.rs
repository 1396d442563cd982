//! The Threat Dragon 1.x reader: `JointJS` cells in `diagramJson.cells`, with `tm.*` types and the
//! semantic properties on the cell itself.

use serde_json::{Map, Value};

use super::cells::{Cell, Diagram, End, line_of, point, rect, shape_of, text_of};
use super::v2::first_text;
use super::{PathStep, element_lines};

/// Reads `diagramJson.cells` into the diagram, warning about what is not understood.
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
    let td_id = text_of(c.get("id"));
    let kind = text_of(c.get("type"));
    let rect = rect(c.get("position"), c.get("size"));
    let Some(shape) = shape_of(&kind, rect, || line_of(c, c, end)) else {
        diagram.warn(Some(line), format!("cell {td_id} has the unknown type {kind:?}; skipped"));
        return None;
    };
    let name =
        first_text(&[c.get("name"), value.pointer("/attrs/text/text"), value.pointer("/labels/0/attrs/text/text")]);
    Some(Cell::with_props(c, (td_id, None), line, name, shape))
}

/// `{id}` or `{x, y}`.
fn end(v: Option<&Value>) -> End {
    match v {
        Some(Value::Object(o)) => match o.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => End::Cell(id.to_owned()),
            _ => point(&Value::Object(o.clone())).map_or(End::Missing, End::Point),
        },
        _ => End::Missing,
    }
}
