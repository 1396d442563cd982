//! The check every import target makes of what an importer accepted.

use threatboard::formats::json;
use threatboard::model::Document;

/// Asserts that `doc` validates and saves as canonical JSON that loads back to the same text;
/// returns that text.
pub fn valid_and_canonical(doc: &Document) -> String {
    let problems = doc.validate();
    assert!(problems.is_empty(), "an imported document validates: {problems:?}");
    let saved = json::to_string(doc);
    let back = json::from_str(&saved).expect("an imported document loads back from its JSON");
    assert_eq!(json::to_string(&back), saved, "the canonical form is stable");
    saved
}
