//! The syntax tree of a flowchart, as written: nothing here is mapped onto the model yet.

use std::borrow::Cow;
use std::ops::Range;

use crate::model::Direction;

/// A byte offset in the source text.
pub type Pos = usize;

/// A parsed flowchart.
#[derive(Debug, Default)]
pub struct Diagram<'a> {
    /// The header's direction (`TB` when the header names none).
    pub direction: Direction,
    /// Statements at the top level, in order.
    pub statements: Vec<Stmt>,
    /// The nodes of every chain, in text order; chains refer to them through [`Diagram::groups`].
    pub nodes: Vec<Node<'a>>,
    /// Node groups (`a & b`): ranges of [`Diagram::nodes`].
    pub groups: Vec<Range<usize>>,
    /// The links of every chain, in text order.
    pub links: Vec<Link<'a>>,
    /// `title:` from the YAML front matter.
    pub title: Option<String>,
    /// `accTitle` and `accDescr`.
    pub acc_title: Option<String>,
    /// `accDescr`.
    pub acc_descr: Option<String>,
    /// Things the parser skipped: offset and message.
    pub skipped: Vec<(Pos, String)>,
}

/// One statement.
#[derive(Debug)]
pub enum Stmt {
    /// Nodes and the links between them: `a & b --> c -.-> d`.
    Chain(Chain),
    /// `subgraph … end`.
    Subgraph(Subgraph),
    /// `class a,b name`.
    Class {
        /// Where the statement starts.
        pos: Pos,
        /// The node ids.
        ids: Vec<String>,
        /// The class name.
        class: String,
    },
    /// A styling or interaction statement that carries no meaning for the model.
    Styling {
        /// Where the statement starts.
        pos: Pos,
        /// Its keyword (`style`, `classDef`, `linkStyle`, `click`, `direction`).
        keyword: &'static str,
        /// The class a `classDef` defines.
        name: String,
    },
}

/// A vertex statement: groups of nodes joined by links. Its parts live in the [`Diagram`], so
/// that a statement owns no allocations of its own.
#[derive(Debug)]
pub struct Chain {
    /// Its node groups (`a & b`), one more than links: a range of [`Diagram::groups`].
    pub groups: Range<usize>,
    /// The links between consecutive groups: a range of [`Diagram::links`].
    pub links: Range<usize>,
}

impl Diagram<'_> {
    /// A chain's links, in order.
    pub fn links_of(&self, chain: &Chain) -> &[Link<'_>] {
        &self.links[chain.links.clone()]
    }
}

/// How a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `[…]`
    Rect,
    /// `(…)`
    Round,
    /// `([…])`
    Stadium,
    /// `[[…]]`
    Subroutine,
    /// `[(…)]`
    Cylinder,
    /// `((…))`
    Circle,
    /// `(((…)))`
    DoubleCircle,
    /// `{…}`
    Diamond,
    /// `{{…}}`
    Hexagon,
    /// `>…]`
    Odd,
    /// `[/…/]`
    LeanRight,
    /// `[\…\]`
    LeanLeft,
    /// `[/…\]`
    Trapezoid,
    /// `[\…/]`
    InvTrapezoid,
    /// `(-…-)`
    Ellipse,
    /// `@{ shape: name }`, by its name.
    Named(&'static str),
}

/// Label text with where it starts.
#[derive(Debug, Clone)]
pub struct Label<'a> {
    /// Offset of the text (kept for diagnostics about labels).
    #[allow(dead_code)]
    pub pos: Pos,
    /// The decoded label (borrowed from the source when nothing needed decoding).
    pub text: Cow<'a, str>,
}

/// A node reference, maybe with a shape, a label and classes.
#[derive(Debug)]
pub struct Node<'a> {
    /// Offset of the id.
    pub pos: Pos,
    /// The id as written.
    pub id: &'a str,
    /// Shape, when given.
    pub shape: Option<Shape>,
    /// Label, when given.
    pub label: Option<Label<'a>>,
    /// `:::name` classes.
    pub classes: Vec<String>,
    /// `@{…}` keys the importer does not use.
    pub ignored_data: Vec<(Pos, String)>,
    /// True when the id was followed by `@{…}`.
    pub has_data: bool,
}

/// Line style of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stroke {
    /// `-->`
    Normal,
    /// `==>`
    Thick,
    /// `-.->`
    Dotted,
    /// `~~~`
    Invisible,
}

/// A link between two node groups.
#[derive(Debug)]
pub struct Link<'a> {
    /// Offset of the link.
    pub pos: Pos,
    /// `e1@` edge id.
    pub id: Option<String>,
    /// Line style.
    pub stroke: Stroke,
    /// Arrowhead (or cross or circle) at the start.
    pub head_at_start: bool,
    /// Arrowhead (or cross or circle) at the end.
    pub head_at_end: bool,
    /// Edge text.
    pub label: Option<Label<'a>>,
}

/// `subgraph id[title] … end`.
#[derive(Debug)]
pub struct Subgraph {
    /// Offset of `subgraph`.
    pub pos: Pos,
    /// The id, when one is given (a title with spaces and no brackets has none).
    pub id: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// Statements inside.
    pub body: Vec<Stmt>,
}
