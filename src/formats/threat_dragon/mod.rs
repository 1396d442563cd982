//! OWASP Threat Dragon models: import (v1 and v2) and export (v2).
//!
//! Import reads the JSON into a small intermediate form ([`cells`]), one reader per Threat Dragon
//! generation ([`v1`] for `JointJS` `diagramJson.cells`, [`v2`] for X6 `cells`), then [`mapping`] turns one
//! diagram into a Threatboard [`Document`]. Export ([`write`]) produces a Threat Dragon v2 model that
//! validates against Threat Dragon's own v2 JSON schema.
//!
//! What Threatboard cannot hold is reported, never silently dropped: every import returns warnings that
//! name the diagram, the cell (its Threat Dragon id and name) and the field.

mod cells;
mod mapping;
mod sides;
mod v1;
mod v2;
mod write;

use std::fmt;

use serde_json::Value;

use crate::formats::json::locate;
use crate::model::{Document, FieldPath, Segment};

pub use write::export;

/// Which diagrams of a Threat Dragon model to import: each diagram becomes one document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DiagramChoice {
    /// The model's only diagram; a model with several diagrams is an error that lists them.
    #[default]
    Only,
    /// Every diagram, in file order.
    All,
    /// The diagram at this 0-based position in `detail.diagrams`.
    Index(usize),
    /// The diagram with this title (exact match first, then ignoring case).
    Title(String),
}

impl DiagramChoice {
    /// Parses a command-line value: a number is a position, anything else a title.
    pub fn parse(s: &str) -> Self {
        match s.trim().parse::<usize>() {
            Ok(n) => Self::Index(n),
            Err(_) => Self::Title(s.to_owned()),
        }
    }
}

/// One imported diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The diagram's position in `detail.diagrams`.
    pub diagram: usize,
    /// The diagram's title in Threat Dragon.
    pub diagram_title: String,
    /// The Threatboard document made from it.
    pub document: Document,
    /// What could not be imported as it was, and what was guessed.
    pub warnings: Vec<Warning>,
}

/// Something in the input that was imported approximately, or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line of the cell or field concerned, when known.
    pub line: Option<usize>,
    /// Where: the diagram and the cell (`diagram 0 "Main", flow "Web Request" (cell 2d84…)`).
    pub context: String,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "{line}: ")?;
        }
        if self.context.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.context, self.message)
        }
    }
}

/// Why a text could not be imported as a Threat Dragon model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TdError {
    /// The text is not JSON.
    #[error("{line}:{column}: not valid JSON: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// The JSON is another format, recognised by its keys.
    #[error("this is {format}, not a Threat Dragon model{hint}")]
    OtherFormat {
        /// The format recognised (`an Open Threat Model (OTM) file`).
        format: &'static str,
        /// Advice, starting with `; ` when present.
        hint: &'static str,
    },
    /// The JSON lacks what every Threat Dragon model has.
    #[error("{line}:{column}: {path}: {message}")]
    Invalid {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The field at fault (`detail.diagrams`).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The model has several diagrams and none was chosen.
    #[error("the model has {} diagrams; choose one with --diagram N or TITLE, or import all with --all: {}", .available.len(), .available.join(", "))]
    SeveralDiagrams {
        /// `0 "Title"` for each diagram.
        available: Vec<String>,
    },
    /// The chosen diagram does not exist.
    #[error("no diagram {wanted}; the model has: {}", if .available.is_empty() { "no diagrams".to_owned() } else { .available.join(", ") })]
    NoSuchDiagram {
        /// What was asked for.
        wanted: String,
        /// `0 "Title"` for each diagram.
        available: Vec<String>,
    },
}

/// Imports a Threat Dragon model (v1 or v2), one document per chosen diagram.
///
/// A model without diagrams gives one empty document carrying its title and description.
pub fn import(text: &str, choice: &DiagramChoice) -> Result<Vec<Imported>, TdError> {
    let root: Value = serde_json::from_str(text).map_err(|e| TdError::Json {
        line: e.line().max(1),
        column: e.column().max(1),
        message: strip_position(&e.to_string()),
    })?;
    let model = cells::read_model(text, &root)?;
    let picked = pick(&model, choice)?;
    let mut out = Vec::new();
    for index in picked {
        let mut warnings = model.warnings.clone();
        let diagram = model.diagrams.get(index);
        let document = mapping::to_document(&model, diagram, &mut warnings);
        out.push(Imported {
            diagram: index,
            diagram_title: diagram.map(|d| d.title.clone()).unwrap_or_default(),
            document,
            warnings,
        });
    }
    Ok(out)
}

/// The positions of the diagrams to import. A model without diagrams yields position 0, which
/// [`mapping::to_document`] turns into an empty document.
fn pick(model: &cells::Model, choice: &DiagramChoice) -> Result<Vec<usize>, TdError> {
    let available: Vec<String> = model.diagrams.iter().map(|d| format!("{} {:?}", d.index, d.title)).collect();
    let n = model.diagrams.len();
    match choice {
        _ if n == 0 => match choice {
            DiagramChoice::Index(i) if *i > 0 => Err(TdError::NoSuchDiagram { wanted: i.to_string(), available }),
            DiagramChoice::Title(t) => Err(TdError::NoSuchDiagram { wanted: format!("{t:?}"), available }),
            _ => Ok(vec![0]),
        },
        DiagramChoice::Only if n == 1 => Ok(vec![0]),
        DiagramChoice::Only => Err(TdError::SeveralDiagrams { available }),
        DiagramChoice::All => Ok((0..n).collect()),
        DiagramChoice::Index(i) if *i < n => Ok(vec![*i]),
        DiagramChoice::Index(i) => Err(TdError::NoSuchDiagram { wanted: i.to_string(), available }),
        DiagramChoice::Title(t) => {
            let exact: Vec<usize> = (0..n).filter(|&i| model.diagrams[i].title == *t).collect();
            let found = if exact.is_empty() {
                (0..n).filter(|&i| model.diagrams[i].title.trim().eq_ignore_ascii_case(t.trim())).collect()
            } else {
                exact
            };
            match found.as_slice() {
                [one] => Ok(vec![*one]),
                [] => Err(TdError::NoSuchDiagram { wanted: format!("{t:?}"), available }),
                _ => Err(TdError::SeveralDiagrams { available: found.iter().map(|&i| available[i].clone()).collect() }),
            }
        }
    }
}

/// A path of steps as the model's validation spells it.
fn field_path(path: &[PathStep<'_>]) -> FieldPath {
    FieldPath(
        path.iter()
            .map(|s| match s {
                PathStep::Key(k) => Segment::Key((*k).to_owned()),
                PathStep::Index(i) => Segment::Index(*i),
            })
            .collect(),
    )
}

/// The line and column of the value at a path such as `["detail", 3]`, or 1:1.
pub(crate) fn position(text: &str, path: &[PathStep<'_>]) -> (usize, usize) {
    let path = field_path(path);
    locate(text, &path).unwrap_or((1, 1))
}

/// The 1-based line on which each element of the JSON array at `path` starts, found in one pass
/// (locating each cell separately would read a large file once per cell).
pub(crate) fn element_lines(text: &str, path: &[PathStep<'_>]) -> Vec<usize> {
    let path = field_path(path);
    let Some((line, column)) = locate(text, &path) else { return Vec::new() };
    let start = text.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>();
    let start = start + text[start..].chars().take(column - 1).map(char::len_utf8).sum::<usize>();
    let mut lines = Vec::new();
    let (mut line, mut depth, mut in_string, mut escaped, mut expect) = (line, 0usize, false, false, false);
    for b in text[start..].bytes() {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if expect && depth == 1 && !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b']') {
            lines.push(line);
            expect = false;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                expect = depth == 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            b',' if depth == 1 => expect = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_lines_are_found_in_one_pass() {
        let text = "{\"a\": {\"cells\": [\n  {\"x\": \"[,]\"},\n  7, \"s\",\n  [1, 2]\n]}}";
        let lines = element_lines(text, &[PathStep::Key("a"), PathStep::Key("cells")]);
        assert_eq!(lines, vec![2, 3, 3, 4]);
        assert!(element_lines(text, &[PathStep::Key("b")]).is_empty());
    }
}

/// One step of a path into the Threat Dragon JSON.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PathStep<'a> {
    /// An object key.
    Key(&'a str),
    /// An array position.
    Index(usize),
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
