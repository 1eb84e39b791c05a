//! CloudFront cache-behavior path patterns (PAT-*): `*` and `?` wildcards, anchored, case-sensitive,
//! leading `/` optional, matched in O(n·m) worst case.
//!
//! STUB: to be implemented (see the helper brief). The public API below is fixed.

use std::fmt;

/// A validated path pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathPattern {
    raw: String,
}

/// Why a pattern is not valid CloudFront syntax (PAT-SYNTAX).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("a path pattern cannot be empty")]
    Empty,
    #[error("a path pattern is at most 255 characters; this one has {len}")]
    TooLong { len: usize },
    #[error("character {ch:?} at offset {offset} is not allowed in a path pattern; allowed are A-Z a-z 0-9 _ - . * $ / ~ \" ' @ : + &")]
    BadChar { ch: char, offset: usize },
}

impl PathPattern {
    /// The default behavior's pattern, `*`.
    pub fn default_pattern() -> PathPattern {
        PathPattern { raw: "*".into() }
    }

    /// Validates `raw` (PAT-SYNTAX) and prepares it for matching.
    pub fn parse(raw: &str) -> Result<PathPattern, PatternError> {
        Ok(PathPattern { raw: raw.to_string() })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether `path` (already normalised, no query) matches the whole pattern.
    pub fn matches(&self, path: &[u8]) -> bool {
        let _ = path;
        todo!()
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}
