//! The document model: what a threat model is made of, how it may change, and the questions asked of it.
//!
//! Nothing here knows about windows, files or formats; everything above builds on it.

mod document;
mod edit;
pub mod geometry;
mod history;
mod id;
mod index;
pub mod protocol;
pub mod synth;
mod validate;

pub use document::{
    Boundary, Category, Decomposition, Direction, Dismissal, Document, Element, ElementKind, FORMAT_VERSION, Flow,
    FormatVersion, Point, Severity, Status, Threat,
};
pub use edit::{Edit, EditError};
pub use geometry::{Rect, Size};
pub use history::{DEFAULT_DEPTH, History, Session};
pub use id::{Id, IdError, MAX_ID_LEN};
pub use index::{Index, Item, encryption};
pub use protocol::Encryption;
pub use validate::{FieldPath, MAX_BOUNDARY_DEPTH, MAX_COORDINATE, MAX_ITEMS, Problem, Segment, coordinate_in_range};
