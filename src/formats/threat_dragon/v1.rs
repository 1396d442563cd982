//! The Threat Dragon 1.x reader: `JointJS` cells in `diagramJson.cells`, with `tm.*` types and the
//! semantic properties on the cell itself.

use serde_json::{Map, Value};

use super::cells::{Cell, Diagram, End, Line, Shape, extra_flags, flag, point, rect, text_of, threats};
use super::v2::first_text;
use super::{PathStep, position};
use crate::model::ElementKind;

/// Reads `diagramJson.cells` into the diagram, warning about what is not understood.
pub(crate) fn read_cells(text: &str, at: &[PathStep<'_>], cells: &[Value], diagram: &mut Diagram) {
    for (i, value) in cells.iter().enumerate() {
        let mut path = at.to_vec();
        path.push(PathStep::Index(i));
        let (line, _) = position(text, &path);
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
    let line_of = || Line {
        source: end(c.get("source")),
        target: end(c.get("target")),
        vertices: c
            .get("vertices")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(point).collect())
            .unwrap_or_default(),
        protocol: text_of(c.get("protocol")),
        encrypted: flag(c.get("isEncrypted")),
        bidirectional: flag(c.get("isBidirectional")).unwrap_or(false),
    };
    let shape = match kind.as_str() {
        "tm.Actor" => Shape::Element { kind: ElementKind::External, rect },
        "tm.Process" => Shape::Element { kind: ElementKind::Process, rect },
        "tm.Store" => Shape::Element { kind: ElementKind::Store, rect },
        "tm.Flow" => Shape::Flow(line_of()),
        "tm.Boundary" => Shape::Curve(line_of()),
        "tm.BoundaryBox" => Shape::Box { rect },
        "tm.Text" => Shape::Text { rect },
        other => {
            diagram.warn(Some(line), format!("cell {td_id} has the unknown type {other:?}; skipped"));
            return None;
        }
    };
    let name =
        first_text(&[c.get("name"), value.pointer("/attrs/text/text"), value.pointer("/labels/0/attrs/text/text")]);
    Some(Cell {
        td_id,
        tb_id: None,
        line,
        name,
        description: text_of(c.get("description")),
        shape,
        out_of_scope: flag(c.get("outOfScope")).unwrap_or(false),
        reason_out_of_scope: text_of(c.get("reasonOutOfScope")),
        flags: extra_flags(c),
        threats: threats(c.get("threats")),
    })
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
