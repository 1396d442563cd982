//! Any bytes given to the model loader: it must never panic, and whatever it accepts must save to a
//! canonical text that loads back to the same canonical text, with every query the app makes working.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatboard::formats::json;
use threatboard::model::{Index, encryption, geometry};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = json::from_str(text) else { return };
    let saved = json::to_string(&doc);
    let back = json::from_str(&saved).expect("a saved document loads");
    assert_eq!(json::to_string(&back), saved, "the canonical form is stable");
    let ix = Index::new(&doc);
    for f in &doc.flows {
        let _ = (ix.crossings(f), encryption(f));
    }
    let _ = geometry::boundary_rects(&doc);
});
