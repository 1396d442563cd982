//! Automatic, boundary-aware layout of documents.
