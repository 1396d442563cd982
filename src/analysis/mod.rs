//! Threat analysis: suggestion rules over the model, `check`, and SARIF output.
//!
//! Rules are data ([`rules`]): a TOML file of STRIDE rules, each with a [`condition`] over an element
//! or a flow. The [`engine`] runs them over a document and yields [`Suggestion`]s, which a reviewer
//! accepts (they become [`Threat`](crate::model::Threat)s that remember the rule) or dismisses (the
//! document keeps a [`Dismissal`](crate::model::Dismissal)). [`check`] gathers what is still open and
//! judges it against a severity threshold; [`sarif`] writes that for code-scanning tools.
//!
//! ```
//! use threatboard::analysis::{self, RuleSet};
//! use threatboard::model::Edit;
//!
//! let mut doc = threatboard::model::synth::document(40, 1);
//! let rules = RuleSet::builtin()?;
//! let pending = analysis::suggestions(&doc, &rules);
//! let (first, second) = (&pending[0], &pending[1]);
//! println!("{} on {}: {}", first.rule, first.target, first.title());
//!
//! // Accepting makes an open threat that remembers its rule; dismissing keeps the reason.
//! doc.apply(Edit::AddThreat(first.to_threat(analysis::next_threat_id(&doc)))).unwrap();
//! doc.apply(Edit::Dismiss(second.dismissal("covered by the gateway's own review"))).unwrap();
//! let now = analysis::suggestions(&doc, &rules);
//! assert!(!now.contains(first) && !now.contains(second));
//! # Ok::<(), threatboard::analysis::RuleError>(())
//! ```

pub mod check;
pub mod condition;
pub mod engine;
pub mod rules;
pub mod sarif;

pub use check::{Finding, FindingKind, Report, check};
pub use engine::{Review, Suggestion, accept, next_threat_id, review, suggestions, suggestions_for};
pub use rules::{Rule, RuleError, RuleId, RuleSet, TargetKind, Template};
