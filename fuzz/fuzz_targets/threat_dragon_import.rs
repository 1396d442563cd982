//! Any bytes given to the Threat Dragon importer: it must never panic, and every diagram it accepts
//! must be a valid document that saves as canonical JSON and exports to a Threat Dragon model that
//! imports again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatboard::formats::json;
use threatboard::formats::threat_dragon::{self, DiagramChoice};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(diagrams) = threat_dragon::import(text, &DiagramChoice::All) else { return };
    for imported in diagrams {
        let doc = imported.document;
        let problems = doc.validate();
        assert!(problems.is_empty(), "an imported document validates: {problems:?}");
        let saved = json::to_string(&doc);
        let back = json::from_str(&saved).expect("an imported document loads back from its JSON");
        assert_eq!(json::to_string(&back), saved, "the canonical form is stable");
        let exported = threat_dragon::export(&doc);
        let again = threat_dragon::import(&exported, &DiagramChoice::Only).expect("an exported model imports again");
        assert_eq!(again.len(), 1, "an exported model has one diagram");
    }
});
