//! Any bytes given to the Threat Dragon importer: it must never panic, and every diagram it accepts
//! must be a valid document that saves as canonical JSON and exports to a Threat Dragon model that
//! imports again.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use threatboard::formats::threat_dragon::{self, DiagramChoice};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(diagrams) = threat_dragon::import(text, &DiagramChoice::All) else { return };
    for imported in diagrams {
        let doc = imported.document;
        common::valid_and_canonical(&doc);
        let exported = threat_dragon::export(&doc);
        let again = threat_dragon::import(&exported, &DiagramChoice::Only).expect("an exported model imports again");
        assert_eq!(again.len(), 1, "an exported model has one diagram");
    }
});
