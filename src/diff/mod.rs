//! Structural comparison of two versions of a document.
