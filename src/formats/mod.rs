//! File formats: Threatboard's own JSON, and the formats it imports from and exports to.

pub mod json;
pub mod mermaid;
pub mod threat_dragon;
