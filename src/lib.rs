//! Threatboard: draw, review and compare the data-flow diagrams of security threat models.
//!
//! The library is the headless core (model, formats, layout, render, analysis, diff) plus the command
//! line; the desktop editor lives behind the `gui` feature. Nothing outside `app` depends on egui.

pub mod analysis;
#[cfg(feature = "gui")]
pub mod app;
pub mod cli;
pub mod diff;
pub mod disk_watch;
pub mod formats;
pub mod layout;
pub mod model;
pub mod quick;
pub mod recovery;
pub mod render;
