//! Readable identifiers: the slugs that name boundaries, elements, flows and threats in a file.

use std::borrow::Borrow;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Longest id accepted, in bytes. Ids are meant to be read and typed.
pub const MAX_ID_LEN: usize = 128;

/// A short human-readable identifier such as `kas` or `agentk-to-nginx`.
///
/// Ids start with an ASCII letter, digit or `_`, and continue with letters, digits, `_` or `-`.
/// That keeps them valid as Mermaid node ids, SVG ids and file-name fragments alike.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Id(String);

/// Why a string is not a valid [`Id`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The string is empty.
    #[error("an id cannot be empty")]
    Empty,
    /// The string is longer than [`MAX_ID_LEN`].
    #[error("id is {0} bytes long; the limit is {MAX_ID_LEN}")]
    TooLong(usize),
    /// The string holds a character ids may not contain.
    #[error("id {id:?} contains {ch:?}; ids use letters, digits, '_' and '-', and do not start with '-'")]
    BadChar {
        /// The rejected id.
        id: String,
        /// The first offending character.
        ch: char,
    },
}

impl Id {
    /// Checks `s` and wraps it.
    pub fn new(s: impl Into<String>) -> Result<Self, IdError> {
        let s = s.into();
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if s.len() > MAX_ID_LEN {
            return Err(IdError::TooLong(s.len()));
        }
        for (i, ch) in s.chars().enumerate() {
            let ok = ch.is_ascii_alphanumeric() || ch == '_' || (ch == '-' && i > 0);
            if !ok {
                return Err(IdError::BadChar { id: s, ch });
            }
        }
        Ok(Self(s))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Makes a readable slug from free text: `"GitLab RoR"` → `gitlab-ror`, `"Gitaly"` → `gitaly`.
    ///
    /// Letters are lower-cased, runs of anything else become one `-`, non-ASCII letters are dropped.
    /// Text with nothing usable gives `fallback`.
    pub fn slug(text: &str, fallback: &str) -> Self {
        let mut out = String::new();
        let mut dash = false;
        for ch in text.chars() {
            if ch.is_ascii_alphanumeric() {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(ch.to_ascii_lowercase());
            } else if ch == '_' && !out.is_empty() {
                dash = false;
                out.push('_');
            } else {
                dash = true;
            }
            if out.len() >= 48 {
                break;
            }
        }
        let out = out.trim_end_matches(['-', '_']).to_owned();
        Self::new(out).unwrap_or_else(|_| Self(fallback.to_owned()))
    }

    /// The first of `base`, `base-2`, `base-3`, … for which `taken` is false.
    pub fn unique(base: &Id, mut taken: impl FnMut(&str) -> bool) -> Id {
        if !taken(base.as_str()) {
            return base.clone();
        }
        let stem = if base.0.len() > MAX_ID_LEN - 8 { &base.0[..MAX_ID_LEN - 8] } else { base.as_str() };
        let mut n = 2u64;
        loop {
            let candidate = Id(format!("{stem}-{n}"));
            if !taken(candidate.as_str()) {
                return candidate;
            }
            n += 1;
        }
    }
}

impl TryFrom<String> for Id {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Id::new(s)
    }
}

impl TryFrom<&str> for Id {
    type Error = IdError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Id::new(s)
    }
}

impl From<Id> for String {
    fn from(id: Id) -> Self {
        id.0
    }
}

impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl JsonSchema for Id {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Id".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A readable slug: letters, digits, '_' and '-', not starting with '-'.",
            "pattern": "^[A-Za-z0-9_][A-Za-z0-9_-]*$",
            "minLength": 1,
            "maxLength": MAX_ID_LEN,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_readable_slugs() {
        for s in ["kas", "agentk-to-nginx", "GitLabRoR", "T1", "_proto_", "42"] {
            assert!(Id::new(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn rejects_what_would_break_exports() {
        for s in ["", "-a", "a b", "a.b", "ä", "a\"b", "a|b"] {
            assert!(Id::new(s).is_err(), "{s}");
        }
        assert!(matches!(Id::new("a".repeat(129)), Err(IdError::TooLong(129))));
    }

    #[test]
    fn slug_from_labels() {
        assert_eq!(Id::slug("GitLab RoR", "x").as_str(), "gitlab-ror");
        assert_eq!(Id::slug("  Gitaly  ", "x").as_str(), "gitaly");
        assert_eq!(Id::slug("proxy pass port 5005", "x").as_str(), "proxy-pass-port-5005");
        assert_eq!(Id::slug("日本", "node").as_str(), "node");
    }

    #[test]
    fn unique_appends_a_counter() {
        let base = Id::new("kas").unwrap();
        let taken = ["kas", "kas-2"];
        assert_eq!(Id::unique(&base, |s| taken.contains(&s)).as_str(), "kas-3");
    }
}
