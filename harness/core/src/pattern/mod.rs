//! CloudFront cache-behavior path patterns (PAT-*): `*` and `?` wildcards, anchored, case-sensitive,
//! leading `/` optional, matched in O(n·m) worst case.
//!
//! A pattern is validated and compiled once by [`PathPattern::parse`]: one leading `/` is dropped
//! (PAT-SLASH) and runs of `*` are collapsed to one. The general matcher is the classic iterative
//! glob matcher that keeps a single backtrack point (the last `*` seen). It never recurses, never
//! allocates, and costs at most (n+1)·(m+1) steps for a path of n bytes and a pattern of m bytes
//! (PAT-LINEAR); [`PathPattern::match_steps`] runs it alone and reports the step count.
//!
//! [`PathPattern::matches`] gives the same answer faster. Compiling also derives conditions every
//! matching path meets: at least as many bytes as the pattern has non-`*` bytes (exactly as many
//! without a `*`), the pattern's leading literal bytes (up to its first wildcard) first and its
//! trailing literal bytes last. A path that fails one cannot match, and most paths fail the first
//! eight bytes, compared as one word against a [`PreparedPath`] computed once per request. The
//! patterns `*`, `lit`, `lit*` and `*lit` (no `?`) are then decided by those checks alone; any other
//! pattern goes on to the general matcher. All of this is O(m) on top of it, so PAT-LINEAR holds.
//!
//! ```
//! use edgeconform_core::pattern::PathPattern;
//! let p = PathPattern::parse("/images/*.jpg").unwrap();
//! assert!(p.matches(b"/images/2024/cat.jpg"));
//! assert!(!p.matches(b"/images/cat.JPG"));
//! ```

mod filter;
mod glob;
#[cfg(test)]
mod tests;

pub use filter::PreparedPath;
use filter::{Filter, Shape};
use std::fmt;

/// The longest pattern CloudFront accepts, in characters (PAT-SYNTAX).
pub const MAX_PATTERN_LEN: usize = 255;

/// A validated path pattern (PAT-SYNTAX), compiled for matching (PAT-WILDCARD, PAT-ANCHORED,
/// PAT-CASE, PAT-SLASH, PAT-LINEAR).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PathPattern {
    raw: String,
    /// `raw` without its leading `/` and with every run of `*` collapsed to one: what the matcher
    /// walks. Collapsing is what keeps one backtrack point sufficient and the step bound tight.
    prog: Box<[u8]>,
    /// Conditions every matching path meets, derived from `prog`.
    filter: Filter,
}

/// Why a pattern is not valid CloudFront syntax (PAT-SYNTAX).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("a path pattern cannot be empty")]
    Empty,
    #[error("a path pattern is at most 255 characters; this one has {len}")]
    TooLong { len: usize },
    #[error("character {ch:?} at offset {offset} is not allowed in a path pattern; allowed are A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & and the wildcards * and ?")]
    BadChar { ch: char, offset: usize },
}

/// PAT-SYNTAX: a pattern uses only `A-Za-z0-9 _ - . * $ / ~ " ' @ : + &`, plus `?`, which the
/// character list omits but the same page documents as a wildcard (PAT-WILDCARD).
fn is_pattern_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '_' | '-' | '.' | '*' | '?' | '$' | '/' | '~' | '"' | '\'' | '@' | ':' | '+' | '&'
        )
}

impl PathPattern {
    /// The default behavior's pattern, `*`, which matches every path (PAT-ORDER, PAT-WILDCARD).
    pub fn default_pattern() -> PathPattern {
        PathPattern::compile("*".into())
    }

    /// PAT-SYNTAX: a pattern is 1 to 255 characters from `A-Za-z0-9_-.*$/~"'@:+&` (and `?`).
    ///
    /// Validates `raw` and prepares it for matching. `BadChar::offset` is the byte offset of the first
    /// character that is not allowed.
    pub fn parse(raw: &str) -> Result<PathPattern, PatternError> {
        if raw.is_empty() {
            return Err(PatternError::Empty);
        }
        let len = raw.chars().count();
        if len > MAX_PATTERN_LEN {
            return Err(PatternError::TooLong { len });
        }
        if let Some((offset, ch)) = raw.char_indices().find(|&(_, c)| !is_pattern_char(c)) {
            return Err(PatternError::BadChar { ch, offset });
        }
        Ok(PathPattern::compile(raw.to_string()))
    }

    /// Builds the matcher program for an already validated pattern.
    fn compile(raw: String) -> PathPattern {
        // PAT-SLASH: `/img/*` and `img/*` are the same pattern.
        let body = raw.as_bytes().strip_prefix(b"/").unwrap_or(raw.as_bytes());
        let mut prog = Vec::with_capacity(body.len());
        for &b in body {
            if !(b == b'*' && prog.last() == Some(&b'*')) {
                prog.push(b);
            }
        }
        PathPattern {
            raw,
            filter: Filter::new(&prog),
            prog: prog.into_boxed_slice(),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// PAT-WILDCARD, PAT-ANCHORED, PAT-CASE, PAT-SLASH: `*` matches zero or more bytes including `/`,
    /// `?` exactly one byte, every other byte only itself (case-sensitive), the whole path must match,
    /// and a leading `/` is optional on both sides.
    ///
    /// `path` is the normalised request path without query (`normalize::normalize_path`); any bytes
    /// are accepted. Costs O(n·m) at worst and never allocates (PAT-LINEAR).
    pub fn matches(&self, path: &[u8]) -> bool {
        self.matches_prepared(&PreparedPath::new(path))
    }

    /// A necessary condition for [`PathPattern::matches_prepared`], cheaper than it: the path's
    /// first bytes fit the pattern's leading literal.
    #[inline(always)]
    pub(crate) fn may_match(&self, path: &PreparedPath) -> bool {
        path.head & self.filter.head_mask == self.filter.head
    }

    /// [`PathPattern::matches`] for a path prepared once for many patterns.
    #[inline]
    pub fn matches_prepared(&self, path: &PreparedPath) -> bool {
        if !self.filter.admits(path) {
            return false;
        }
        // The checks above compared at most eight literal bytes at each end.
        let (prog, body) = (&*self.prog, path.body);
        match self.filter.shape {
            Shape::Any => true,
            Shape::Literal => body == prog,
            Shape::Prefix => body.starts_with(&prog[..prog.len() - 1]),
            Shape::Suffix => body.ends_with(&prog[1..]),
            Shape::General => glob::general(prog, body),
        }
    }

    /// PAT-LINEAR: matching a path of n bytes against a pattern of m bytes costs O(n·m) at worst.
    ///
    /// Runs the general matcher alone (no quick checks, no shortcut by shape), so it gives the
    /// answer [`PathPattern::matches`] must give, and also returns the number of steps of its inner
    /// loop, which is at most (n+1)·(m+1) for any pattern and path, so tests and fuzzers can assert
    /// the bound.
    pub fn match_steps(&self, path: &[u8]) -> (bool, u64) {
        let path = path.strip_prefix(b"/").unwrap_or(path);
        glob::glob::<true>(&self.prog, path)
    }
}

impl fmt::Debug for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PathPattern")
            .field("raw", &self.raw)
            .finish()
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}
