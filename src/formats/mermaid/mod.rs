//! Mermaid flowcharts: a parser for the flowchart grammar people use, the mapping of its diagrams
//! onto threat models, and a writer whose output re-imports without loss.
//!
//! `import` reads `graph`/`flowchart` text: subgraphs become trust boundaries, nodes elements, edges
//! flows. What Mermaid cannot say (kinds, protocols, positions, threats, notes…) travels in
//! `%% threatboard:1 …` comment lines, documented in ARCHITECTURE.md, which win over what the
//! diagram itself suggests. `export` writes such text for any document.

mod ast;
mod lexer;
mod mapping;
mod meta;
mod parser;
mod shapes;
mod text;
mod writer;

use std::fmt;

use crate::model::Document;

/// The version of the `%% threatboard:N` metadata this build reads and writes.
pub const META_VERSION: u32 = 1;

/// A Mermaid diagram read into a document, with what was ignored on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The threat model.
    pub document: Document,
    /// Constructs that were skipped or reinterpreted, in text order.
    pub warnings: Vec<Warning>,
}

/// Something the importer skipped or reinterpreted; the rest of the diagram was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What was ignored and why.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Why a text is not a flowchart Threatboard can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct MermaidError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads a Mermaid flowchart. Elements without stored positions get a boundary-aware layout.
pub fn import(text: &str) -> Result<Imported, MermaidError> {
    let lines = lexer::Lines::new(text);
    let pre = lexer::prepass(text, &lines)?;
    let meta_lines = parser::meta_lines(&pre);
    if meta_lines.len() < PARALLEL_META_LINES {
        let parsed = parser::parse(&pre, &lines)?;
        return Ok(mapping::to_document(parsed, meta::read_all(&meta_lines), &lines));
    }
    // A large file written by Threatboard: its metadata lines are read on a second thread while
    // the diagram is parsed. Both are pure functions of the text, so the result is the same.
    let (parsed, meta) = std::thread::scope(|scope| {
        let reader = std::thread::Builder::new().spawn_scoped(scope, || meta::read_all(&meta_lines));
        let parsed = parser::parse(&pre, &lines);
        let meta = reader.ok().and_then(|r| r.join().ok());
        (parsed, meta)
    });
    let parsed = parsed?;
    let meta = meta.unwrap_or_else(|| meta::read_all(&meta_lines));
    Ok(mapping::to_document(parsed, meta, &lines))
}

/// From this many metadata lines on, `import` reads them on a second thread: below it, starting
/// a thread costs more than it saves.
const PARALLEL_META_LINES: usize = 512;

/// Writes a document as a Mermaid flowchart that `import` turns back into the same document.
pub fn export(doc: &Document) -> String {
    writer::write(doc)
}

/// The text a flow shows on its link: label and protocol, `read · grpcs`, or one of them alone.
pub fn flow_label(flow: &crate::model::Flow) -> String {
    text::flow_text(&flow.label, &flow.protocol)
}
