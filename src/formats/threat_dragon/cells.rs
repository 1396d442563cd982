//! The intermediate form both Threat Dragon readers produce: the model's summary and, per diagram,
//! its nodes, lines and texts with their semantic properties, independent of `JointJS` or X6 layout.

use serde_json::{Map, Value};

use super::{PathStep, TdError, Warning, position, v1, v2};
use crate::model::ElementKind;
use crate::model::Point;
use crate::model::geometry::Rect;

/// A whole Threat Dragon file, read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    /// `summary.title`.
    pub title: String,
    /// `summary.description`.
    pub description: String,
    /// `summary.owner`, `detail.reviewer` and `detail.contributors`, as a sentence.
    pub people: String,
    /// Every diagram, in file order.
    pub diagrams: Vec<Diagram>,
    /// Model-level warnings, repeated on every imported diagram.
    pub warnings: Vec<Warning>,
}

/// One diagram.
#[derive(Debug, Clone, Default)]
pub(crate) struct Diagram {
    /// Position in `detail.diagrams`.
    pub index: usize,
    /// `title`.
    pub title: String,
    /// `description` (v2 only).
    pub description: String,
    /// `diagramType`: STRIDE, LINDDUN, CIA, …
    pub kind: String,
    /// Everything drawn.
    pub cells: Vec<Cell>,
    /// Problems met while reading the cells.
    pub warnings: Vec<Warning>,
}

/// A drawn thing.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// The Threat Dragon id (a UUID).
    pub td_id: String,
    /// The Threatboard id this cell had when Threatboard exported it (`data.threatboardId`).
    pub tb_id: Option<String>,
    /// 1-based line where the cell starts.
    pub line: usize,
    /// Name (label).
    pub name: String,
    /// Free description.
    pub description: String,
    /// What it is, with its shape-specific data.
    pub shape: Shape,
    /// Out of scope and why.
    pub out_of_scope: bool,
    /// Why it is out of scope.
    pub reason_out_of_scope: String,
    /// Threat Dragon's own flags that Threatboard has no field for (`storesCredentials`), kept in notes.
    pub flags: Vec<String>,
    /// Threats on the cell.
    pub threats: Vec<RawThreat>,
}

/// The kinds of cells, with their geometry.
#[derive(Debug, Clone)]
pub(crate) enum Shape {
    /// An actor, process or store; `rect` is `None` when the position or size is missing.
    Element { kind: ElementKind, rect: Option<Rect> },
    /// A trust-boundary box.
    Box { rect: Option<Rect> },
    /// A free text.
    Text { rect: Option<Rect> },
    /// A data flow.
    Flow(Line),
    /// A trust-boundary curve (an open line).
    Curve(Line),
}

/// A flow or a boundary curve.
#[derive(Debug, Clone, Default)]
pub(crate) struct Line {
    /// Where it starts.
    pub source: End,
    /// Where it ends.
    pub target: End,
    /// Bend points in between.
    pub vertices: Vec<Point>,
    /// Protocol text.
    pub protocol: String,
    /// `isEncrypted`, when present.
    pub encrypted: Option<bool>,
    /// `isBidirectional`.
    pub bidirectional: bool,
}

/// One end of a line.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum End {
    /// Attached to the cell with this Threat Dragon id.
    Cell(String),
    /// A free point on the canvas.
    Point(Point),
    /// Neither.
    #[default]
    Missing,
}

/// A threat as Threat Dragon stores it.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawThreat {
    /// `title`.
    pub title: String,
    /// `type`: the category in the diagram's methodology.
    pub kind: String,
    /// `modelType`: STRIDE, LINDDUN, CIA, … (absent in v1).
    pub model_type: String,
    /// `status`.
    pub status: String,
    /// `severity`.
    pub severity: String,
    /// `score`.
    pub score: String,
    /// `description`.
    pub description: String,
    /// `mitigation`.
    pub mitigation: String,
    /// `number`.
    pub number: Option<u64>,
    /// `threatboardId`, when Threatboard wrote the file.
    pub tb_id: Option<String>,
}

impl Cell {
    /// `flow "Web Request" (cell 2d84bfae…)`, for warnings.
    pub fn describe(&self) -> String {
        let what = match &self.shape {
            Shape::Element { kind, .. } => kind.title(),
            Shape::Box { .. } => "trust boundary box",
            Shape::Text { .. } => "text",
            Shape::Flow(_) => "flow",
            Shape::Curve(_) => "trust boundary curve",
        };
        let name = self.name.replace('\n', " ");
        if name.trim().is_empty() {
            format!("unnamed {what} (cell {})", self.td_id)
        } else {
            format!("{what} {:?} (cell {})", name.trim(), self.td_id)
        }
    }
}

impl Diagram {
    /// `diagram 0 "Main Request Data Flow"`, for warnings.
    pub fn describe(&self) -> String {
        format!("diagram {} {:?}", self.index, self.title)
    }

    /// Records a warning about the diagram itself.
    pub fn warn(&mut self, line: Option<usize>, message: impl Into<String>) {
        let context = self.describe();
        self.warnings.push(Warning { line, context, message: message.into() });
    }
}

/// Reads a parsed file: recognises other formats, checks the skeleton, then reads each diagram.
#[allow(clippy::too_many_lines)] // one straight walk down the model's skeleton, each step with its own message
pub(crate) fn read_model(text: &str, root: &Value) -> Result<Model, TdError> {
    let Some(obj) = root.as_object() else {
        return Err(invalid(text, &[], "a Threat Dragon model is a JSON object; this file holds something else"));
    };
    recognise_other_format(obj)?;
    let mut model = Model::default();
    let detail = match obj.get("detail") {
        Some(Value::Object(d)) => d,
        Some(_) => return Err(invalid(text, &[PathStep::Key("detail")], "`detail` should be an object")),
        None => {
            let hint =
                similar_key(obj, "detail").map(|k| format!(" (found `{k}`: a misspelling?)")).unwrap_or_default();
            return Err(invalid(text, &[], &format!("not a Threat Dragon model: no `detail` object{hint}")));
        }
    };
    let diagrams = match detail.get("diagrams") {
        Some(Value::Array(d)) => d,
        Some(_) => {
            return Err(invalid(
                text,
                &[PathStep::Key("detail"), PathStep::Key("diagrams")],
                "`diagrams` should be an array",
            ));
        }
        None => {
            let hint =
                similar_key(detail, "diagrams").map(|k| format!(" (found `{k}`: a misspelling?)")).unwrap_or_default();
            return Err(invalid(
                text,
                &[PathStep::Key("detail")],
                &format!("not a Threat Dragon model: `detail` has no `diagrams` array{hint}"),
            ));
        }
    };
    if let Some(Value::Object(s)) = obj.get("summary") {
        {
            model.title = string_field(s, "title", text, &[PathStep::Key("summary")], &mut model.warnings);
            model.description = string_field(s, "description", text, &[PathStep::Key("summary")], &mut model.warnings);
            let owner = string_field(s, "owner", text, &[PathStep::Key("summary")], &mut model.warnings);
            let reviewer = detail.get("reviewer").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
            let contributors: Vec<String> = detail
                .get("contributors")
                .and_then(Value::as_array)
                .map(|c| {
                    c.iter()
                        .filter_map(|p| p.get("name").and_then(Value::as_str))
                        .map(|n| n.trim().to_owned())
                        .filter(|n| !n.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let mut people = Vec::new();
            if !owner.trim().is_empty() {
                people.push(format!("Owner: {}.", owner.trim()));
            }
            if !reviewer.is_empty() {
                people.push(format!("Reviewer: {reviewer}."));
            }
            if !contributors.is_empty() {
                people.push(format!("Contributors: {}.", contributors.join(", ")));
            }
            model.people = people.join(" ");
        }
    } else {
        {
            let hint =
                similar_key(obj, "summary").map(|k| format!(" (found `{k}`: a misspelling?)")).unwrap_or_default();
            let (line, _) = position(text, &[]);
            model.warnings.push(Warning {
                line: Some(line),
                context: String::new(),
                message: format!("no `summary` object{hint}; the model's title and description are unknown"),
            });
        }
    }
    for (index, value) in diagrams.iter().enumerate() {
        let at = [PathStep::Key("detail"), PathStep::Key("diagrams"), PathStep::Index(index)];
        let (line, _) = position(text, &at);
        let Some(d) = value.as_object() else {
            model.warnings.push(Warning {
                line: Some(line),
                context: format!("diagram {index}"),
                message: "not an object; skipped".into(),
            });
            model.diagrams.push(Diagram { index, title: format!("diagram {index}"), ..Diagram::default() });
            continue;
        };
        let mut diagram = Diagram {
            index,
            title: d.get("title").and_then(Value::as_str).unwrap_or_default().to_owned(),
            description: d.get("description").and_then(Value::as_str).unwrap_or_default().to_owned(),
            kind: d.get("diagramType").and_then(Value::as_str).unwrap_or("STRIDE").to_owned(),
            ..Diagram::default()
        };
        if let Some(Value::Array(cells)) = d.get("cells") {
            let mut path = at.to_vec();
            path.push(PathStep::Key("cells"));
            v2::read_cells(text, &path, cells, &mut diagram);
        } else if let Some(json) = d.get("diagramJson") {
            let mut path = at.to_vec();
            path.push(PathStep::Key("diagramJson"));
            match json.get("cells") {
                Some(Value::Array(cells)) => {
                    path.push(PathStep::Key("cells"));
                    v1::read_cells(text, &path, cells, &mut diagram);
                }
                _ => diagram.warn(Some(line), "`diagramJson` has no `cells` array; imported as an empty diagram"),
            }
        } else {
            diagram.warn(
                Some(line),
                "the diagram has neither `cells` (v2) nor `diagramJson` (v1); imported as an empty diagram",
            );
        }
        model.diagrams.push(diagram);
    }
    Ok(model)
}

fn invalid(text: &str, path: &[PathStep<'_>], message: &str) -> TdError {
    let (line, column) = position(text, path);
    let path = path
        .iter()
        .map(|s| match s {
            PathStep::Key(k) => (*k).to_owned(),
            PathStep::Index(i) => format!("[{i}]"),
        })
        .collect::<Vec<_>>()
        .join(".")
        .replace(".[", "[");
    TdError::Invalid {
        line,
        column,
        path: if path.is_empty() { "(model)".into() } else { path },
        message: message.into(),
    }
}

/// Names the formats Threat Dragon can import but which are not Threat Dragon models.
fn recognise_other_format(obj: &Map<String, Value>) -> Result<(), TdError> {
    let other = |format, hint| Err(TdError::OtherFormat { format, hint });
    if obj.contains_key("threatboard") {
        return other("already a Threatboard model", "; open it directly");
    }
    if obj.contains_key("otmVersion") {
        return other(
            "an Open Threat Model (OTM) file",
            "; open it in Threat Dragon, save it as a Threat Dragon model, and import that",
        );
    }
    if obj.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        return other(
            "a CycloneDX BOM (a threat-model bill of materials)",
            "; open it in Threat Dragon, save it as a Threat Dragon model, and import that",
        );
    }
    let tmbom_keys = ["trust_zones", "data_flows", "data_stores", "threat_personas"];
    let schema_says = obj.get("$schema").and_then(Value::as_str).is_some_and(|s| s.contains("threat-model-library"));
    if schema_says || tmbom_keys.iter().filter(|k| obj.contains_key(**k)).count() >= 2 {
        return other(
            "a TMBOM (threat model bill of materials) file",
            "; open it in Threat Dragon, save it as a Threat Dragon model, and import that",
        );
    }
    Ok(())
}

/// A key of `obj` that looks like a misspelling of `wanted` (`details`, `diagramming`, `summarize`).
fn similar_key<'a>(obj: &'a Map<String, Value>, wanted: &str) -> Option<&'a str> {
    let stem = &wanted[..wanted.len().min(5)];
    obj.keys().map(String::as_str).find(|k| k != &wanted && k.to_ascii_lowercase().starts_with(stem))
}

/// A string field, warning when it has another type.
fn string_field(
    obj: &Map<String, Value>,
    key: &str,
    text: &str,
    at: &[PathStep<'_>],
    warnings: &mut Vec<Warning>,
) -> String {
    match obj.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            let mut path = at.to_vec();
            path.push(PathStep::Key(key));
            let (line, _) = position(text, &path);
            warnings.push(Warning {
                line: Some(line),
                context: String::new(),
                message: format!("`{key}` should be text, found {other}; ignored"),
            });
            String::new()
        }
    }
}

/// Text from a JSON value that should be a string; numbers are written out, anything else is empty.
pub(crate) fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A boolean that may also be written as a string.
pub(crate) fn flag(v: Option<&Value>) -> Option<bool> {
    match v {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A finite coordinate.
pub(crate) fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|&x| crate::model::coordinate_in_range(x))
}

/// `{x, y}` as a point.
pub(crate) fn point(v: &Value) -> Option<Point> {
    Some(Point::new(number(v.get("x"))?, number(v.get("y"))?))
}

/// A rectangle from a top-left `position` and a `size`.
pub(crate) fn rect(position: Option<&Value>, size: Option<&Value>) -> Option<Rect> {
    let p = point(position?)?;
    let s = size?;
    let w = number(s.get("width"))?.max(0.0);
    let h = number(s.get("height"))?.max(0.0);
    Some(Rect { min_x: p.x, min_y: p.y, max_x: p.x + w, max_y: p.y + h })
}

impl Cell {
    /// A cell whose description, scope, flags and threats are read from `props` (the cell itself in 1.x,
    /// its `data` in 2.x).
    pub(crate) fn with_props(
        props: &Map<String, Value>,
        ids: (String, Option<String>),
        line: usize,
        name: String,
        shape: Shape,
    ) -> Self {
        Self {
            td_id: ids.0,
            tb_id: ids.1,
            line,
            name,
            description: text_of(props.get("description")),
            shape,
            out_of_scope: flag(props.get("outOfScope")).unwrap_or(false),
            reason_out_of_scope: text_of(props.get("reasonOutOfScope")),
            flags: extra_flags(props),
            threats: threats(props.get("threats")),
        }
    }
}

/// The shape of a cell of the Threat Dragon type `kind` (`tm.Actor`, `tm.Flow`, …) at `rect`, its line
/// read by `line` for flows and boundary curves; `None` for a type Threatboard does not know.
pub(crate) fn shape_of(kind: &str, rect: Option<Rect>, line: impl FnOnce() -> Line) -> Option<Shape> {
    Some(match kind {
        "tm.Actor" => Shape::Element { kind: ElementKind::External, rect },
        "tm.Process" => Shape::Element { kind: ElementKind::Process, rect },
        "tm.Store" => Shape::Element { kind: ElementKind::Store, rect },
        "tm.BoundaryBox" => Shape::Box { rect },
        "tm.Text" => Shape::Text { rect },
        "tm.Flow" => Shape::Flow(line()),
        "tm.Boundary" => Shape::Curve(line()),
        _ => return None,
    })
}

/// The line of a flow or boundary-curve `cell`: its ends (read by `end`, as the two versions spell them
/// differently) and bend points from the cell itself, protocol and flags from `props` (the cell in 1.x,
/// its `data` in 2.x).
pub(crate) fn line_of(cell: &Map<String, Value>, props: &Map<String, Value>, end: fn(Option<&Value>) -> End) -> Line {
    Line {
        source: end(cell.get("source")),
        target: end(cell.get("target")),
        vertices: cell
            .get("vertices")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(point).collect())
            .unwrap_or_default(),
        protocol: text_of(props.get("protocol")),
        encrypted: flag(props.get("isEncrypted")),
        bidirectional: flag(props.get("isBidirectional")).unwrap_or(false),
    }
}

/// The TD flags Threatboard has no field for, as `name` or `name=value`, in a fixed order.
fn extra_flags(props: &Map<String, Value>) -> Vec<String> {
    const BOOLS: [&str; 10] = [
        "handlesCardPayment",
        "handlesGoodsOrServices",
        "isWebApplication",
        "isALog",
        "storesCredentials",
        "storesInventory",
        "isEncrypted",
        "isSigned",
        "providesAuthentication",
        "isPublicNetwork",
    ];
    let mut out: Vec<String> =
        BOOLS.iter().filter(|k| flag(props.get(**k)) == Some(true)).map(|k| (*k).to_owned()).collect();
    let privilege = text_of(props.get("privilegeLevel"));
    if !privilege.trim().is_empty() {
        out.push(format!("privilegeLevel={}", privilege.trim()));
    }
    out
}

/// Threats from a `threats` array.
fn threats(v: Option<&Value>) -> Vec<RawThreat> {
    let Some(Value::Array(list)) = v else { return Vec::new() };
    list.iter()
        .filter_map(Value::as_object)
        .map(|t| RawThreat {
            title: text_of(t.get("title")),
            kind: text_of(t.get("type")),
            model_type: text_of(t.get("modelType")),
            status: text_of(t.get("status")),
            severity: text_of(t.get("severity")),
            score: text_of(t.get("score")),
            description: text_of(t.get("description")),
            mitigation: text_of(t.get("mitigation")),
            number: t.get("number").and_then(Value::as_u64),
            tb_id: t.get("threatboardId").and_then(Value::as_str).map(str::to_owned),
        })
        .collect()
}
