//! Any bytes given to the Mermaid importer: it must never panic, and whatever it accepts must be a
//! valid document that saves as canonical JSON, exports back to Mermaid and re-imports unchanged.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use threatboard::formats::{json, mermaid};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(imported) = mermaid::import(text) else { return };
    let doc = imported.document;
    let saved = common::valid_and_canonical(&doc);
    let written = mermaid::export(&doc);
    let again = mermaid::import(&written).expect("exported Mermaid re-imports");
    assert_eq!(json::to_string(&again.document), saved, "Mermaid export re-imports to the same document");
});
