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

/// Necessary conditions for a match, and the pattern's shape (see the module documentation).
/// `head`/`tail` hold up to eight bytes of the leading/trailing literal in the layout of
/// [`PreparedPath`]; the masks select those bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Filter {
    /// Non-`*` bytes of `prog`: the fewest bytes a matching path (without its leading `/`) has.
    min_len: usize,
    /// How many more it may have: 0 without a `*`, any number with one (`usize::MAX`).
    extra_len: usize,
    head: u64,
    head_mask: u64,
    tail: u64,
    tail_mask: u64,
    shape: Shape,
}

/// Patterns whose answer follows from the filter's checks, and the rest.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    /// `*`: every path.
    Any,
    /// Literal bytes only: the path is exactly `prog`.
    Literal,
    /// Literal bytes then one trailing `*`: the path starts with them.
    Prefix,
    /// One leading `*` then literal bytes: the path ends with them.
    Suffix,
    /// Anything else: the general matcher decides.
    General,
}

impl Filter {
    fn new(prog: &[u8]) -> Filter {
        let is_wild = |b: &u8| matches!(b, b'*' | b'?');
        let lead = prog.iter().position(is_wild).unwrap_or(prog.len());
        let trail = prog.len() - prog.iter().rposition(is_wild).map_or(0, |i| i + 1);
        let (head, head_mask) = head_word(&prog[..lead.min(8)]);
        let (tail, tail_mask) = tail_word(&prog[prog.len() - trail.min(8)..]);
        let stars = prog.iter().filter(|&&b| b == b'*').count();
        let questions = prog.iter().filter(|&&b| b == b'?').count();
        let shape = match (stars, questions) {
            (0, 0) => Shape::Literal,
            (1, 0) if prog.len() == 1 => Shape::Any,
            (1, 0) if prog.last() == Some(&b'*') => Shape::Prefix,
            (1, 0) if prog.first() == Some(&b'*') => Shape::Suffix,
            _ => Shape::General,
        };
        Filter {
            min_len: prog.len() - stars,
            extra_len: if stars == 0 { 0 } else { usize::MAX },
            head,
            head_mask,
            tail,
            tail_mask,
            shape,
        }
    }

    /// Whether `path` meets every condition; `false` proves the pattern does not match it.
    #[inline(always)]
    fn admits(&self, path: &PreparedPath) -> bool {
        // The first bytes first: they reject most paths. Each check holds on its own (a path
        // shorter than the literal has zero padding where the pattern has a byte, and pattern
        // bytes are never zero), so their order is free.
        path.head & self.head_mask == self.head
            && path.body.len().wrapping_sub(self.min_len) <= self.extra_len
            && path.tail & self.tail_mask == self.tail
    }
}

/// Up to eight bytes as a little-endian word (first byte lowest), zero-padded, and the mask of the
/// bytes present.
fn head_word(bytes: &[u8]) -> (u64, u64) {
    let mut word = [0u8; 8];
    let mut mask = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    mask[..bytes.len()].fill(0xff);
    (u64::from_le_bytes(word), u64::from_le_bytes(mask))
}

/// Up to eight bytes as a little-endian word aligned to its top (last byte highest), zero-padded
/// below, and the mask of the bytes present.
fn tail_word(bytes: &[u8]) -> (u64, u64) {
    let mut word = [0u8; 8];
    let mut mask = [0u8; 8];
    word[8 - bytes.len()..].copy_from_slice(bytes);
    mask[8 - bytes.len()..].fill(0xff);
    (u64::from_le_bytes(word), u64::from_le_bytes(mask))
}

/// A request path prepared once for matching against many patterns
/// ([`PathPattern::matches_prepared`]): the leading `/` dropped (PAT-SLASH) and its first and last
/// eight bytes kept as words for the patterns' quick checks.
#[derive(Debug, Clone, Copy)]
pub struct PreparedPath<'a> {
    body: &'a [u8],
    head: u64,
    tail: u64,
}

impl<'a> PreparedPath<'a> {
    /// Prepares the normalised request path without query (any bytes).
    pub fn new(path: &'a [u8]) -> PreparedPath<'a> {
        let body = path.strip_prefix(b"/").unwrap_or(path);
        let k = body.len().min(8);
        PreparedPath {
            body,
            head: head_word(&body[..k]).0,
            tail: tail_word(&body[body.len() - k..]).0,
        }
    }
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
            Shape::General => general(prog, body),
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
        glob::<true>(&self.prog, path)
    }
}

/// The general matcher out of line, so that the quick checks stay small where they are inlined.
#[inline(never)]
fn general(prog: &[u8], body: &[u8]) -> bool {
    glob::<false>(prog, body).0
}

/// The matcher behind [`PathPattern::matches`] (`COUNT = false`, the counter compiles away) and
/// [`PathPattern::match_steps`] (`COUNT = true`).
///
/// Single backtrack point: when a literal or `?` fails, only the most recent `*` is retried, one byte
/// further on. Retrying an earlier `*` is never needed: whatever it could absorb, the later `*`
/// (which matches anything, `/` included) can absorb too. Step bound: every step either advances
/// `pi` or is a backtrack; the backtrack mark `star_si` only grows and stays below n, so there are at
/// most n backtracks, and between two of them at most m advances of `pi` — (n+1)·m + n steps in all.
#[inline(always)]
///
/// `path` has lost its leading `/` already (PAT-SLASH, path side), as the pattern did at compile
/// time.
fn glob<const COUNT: bool>(prog: &[u8], path: &[u8]) -> (bool, u64) {
    let mut steps = 0u64;
    let (mut pi, mut si) = (0usize, 0usize);
    // The last `*` seen: the pattern index just after it, and where in the path its match ends now.
    let mut star: Option<(usize, usize)> = None;
    while let Some(&byte) = path.get(si) {
        if COUNT {
            steps += 1;
        }
        match prog.get(pi) {
            Some(b'*') => {
                star = Some((pi + 1, si));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == byte => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((star_pi, star_si)) => {
                    star = Some((star_pi, star_si + 1));
                    pi = star_pi;
                    si = star_si + 1;
                }
                None => return (false, steps),
            },
        }
    }
    // PAT-ANCHORED: the path is used up; only a trailing `*` may remain of the pattern.
    while prog.get(pi) == Some(&b'*') {
        if COUNT {
            steps += 1;
        }
        pi += 1;
    }
    (pi == prog.len(), steps)
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pat(raw: &str) -> PathPattern {
        PathPattern::parse(raw).unwrap_or_else(|e| panic!("{raw:?} should parse: {e}"))
    }

    /// Asserts `pattern` against each `(path, expected)`, and the step bound on each.
    fn check(pattern: &str, cases: &[(&str, bool)]) {
        let p = pat(pattern);
        for &(path, expected) in cases {
            let (got, steps) = p.match_steps(path.as_bytes());
            assert_eq!(got, expected, "pattern {pattern:?} vs path {path:?}");
            assert_eq!(
                p.matches(path.as_bytes()),
                got,
                "matches and match_steps disagree"
            );
            assert!(steps <= bound(path.len(), pattern.len()));
        }
    }

    fn bound(n: usize, m: usize) -> u64 {
        (n as u64 + 1) * (m as u64 + 1)
    }

    /// PAT-WILDCARD: `*` matches zero or more characters including `/`; `?` exactly one character.
    #[test]
    fn pat_wildcard() {
        check(
            "/images/*.jpg",
            &[
                ("/images/cat.jpg", true),
                ("/images/.jpg", true),            // `*` matches zero bytes
                ("/images/2024/06/cat.jpg", true), // `*` crosses `/`
                ("/images/a.jpg/b.jpg", true),
                ("/images/cat.jpeg", false),
                ("/images/cat.jpg.gz", false),
            ],
        );
        check(
            "*.jpg",
            &[("/a/b/c.jpg", true), ("/.jpg", true), ("/jpg", false)],
        );
        check(
            "/a?c",
            &[
                ("/abc", true),
                ("/a/c", true), // `?` crosses `/` too (OQ-6: inferred, no exception documented)
                ("/ac", false), // `?` is exactly one byte, not zero…
                ("/abbc", false), // …and not two
            ],
        );
        // `?` is one byte, not one character: a two-byte UTF-8 character needs `??`.
        check("/?", &[("/é", false), ("/a", true)]);
        check("/??", &[("/é", true)]);
        // `/?*` is the documented trick for "everything but the root".
        check("/?*", &[("/", false), ("/a", true), ("/a/b/c", true)]);
        check("*", &[("/", true), ("", true), ("/a/b?c", true)]);
        check("a**b", &[("/ab", true), ("/a//b", true), ("/a", false)]);
        // No other metacharacters: `.`, `$`, `+` are literal.
        check(
            "/a.c$+",
            &[("/a.c$+", true), ("/abc$+", false), ("/a.c", false)],
        );
    }

    /// PAT-ANCHORED: the whole path must match, both ends.
    #[test]
    fn pat_anchored() {
        check(
            "test/",
            &[
                ("/test/", true),
                ("/test/file1.jpg", false),
                ("/x/test/", false),
            ],
        );
        check("images/*", &[("/images", false), ("/images/", true)]);
        check(
            "/api",
            &[("/api", true), ("/api/", false), ("/v1/api", false)],
        );
        check("*b", &[("/ab", true), ("/aba", false)]);
        check("a*", &[("/ab", true), ("/bab", false)]);
    }

    /// PAT-CASE: matching is case-sensitive.
    #[test]
    fn pat_case() {
        check(
            "*.jpg",
            &[
                ("/logo.jpg", true),
                ("/LOGO.JPG", false),
                ("/logo.Jpg", false),
            ],
        );
        check("/Images/*", &[("/Images/a", true), ("/images/a", false)]);
    }

    /// PAT-SLASH: a leading `/` in the pattern is optional.
    #[test]
    fn pat_slash() {
        for path in [
            "/img/a.png",
            "/img/",
            "/img",
            "/im",
            "/image/x",
            "img/a.png",
            "",
        ] {
            assert_eq!(
                pat("/img/*").matches(path.as_bytes()),
                pat("img/*").matches(path.as_bytes()),
                "{path:?}"
            );
        }
        assert!(pat("img/*").matches(b"/img/a.png"));
        assert!(
            pat("/img/*").matches(b"img/a.png"),
            "a path without `/` still matches"
        );
        // Only one slash is optional: `//a` needs the path to keep one.
        check("//a", &[("//a", true), ("/a", false)]);
        check("/", &[("/", true), ("/a", false)]);
        // The stripped slash does not become part of a `*`: `/*` and `*` both match `/`.
        check("/*", &[("/", true), ("/x", true)]);
    }

    /// PAT-SYNTAX: 1 to 255 characters from `A-Za-z0-9_-.*$/~"'@:+&` (and `?`).
    #[test]
    fn pat_syntax() {
        assert_eq!(PathPattern::parse(""), Err(PatternError::Empty));

        let at_limit = format!("/{}", "a".repeat(254));
        assert!(PathPattern::parse(&at_limit).is_ok());
        let over = format!("/{}", "a".repeat(255));
        assert_eq!(
            PathPattern::parse(&over),
            Err(PatternError::TooLong { len: 256 })
        );

        let every_allowed =
            "/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.*$/~\"'@:+&?";
        assert!(PathPattern::parse(every_allowed).is_ok());

        for bad in [
            '%', ' ', '#', '=', ';', ',', '\\', '!', '(', '[', '{', '|', '<', '^', '`', '\t', '\0',
            'é',
        ] {
            let raw = format!("/a{bad}b");
            assert_eq!(
                PathPattern::parse(&raw),
                Err(PatternError::BadChar { ch: bad, offset: 2 }),
                "{raw:?}"
            );
        }
        // Offsets are byte offsets.
        assert_eq!(
            PathPattern::parse("/é%"),
            Err(PatternError::BadChar {
                ch: 'é', offset: 1
            })
        );
        assert_eq!(
            PathPattern::parse("/ab%"),
            Err(PatternError::BadChar { ch: '%', offset: 3 })
        );
        // `&amp;` is how the XML API spells `&`; in a spec it is an error (`;`), not an escape.
        assert!(PathPattern::parse("/a&amp;b").is_err());
        // Every byte that is not allowed is rejected, and the message names the character.
        for b in 0u8..=127 {
            let c = b as char;
            let ok = PathPattern::parse(&c.to_string()).is_ok();
            assert_eq!(ok, is_pattern_char(c), "{c:?}");
        }
        let msg = PathPattern::parse("/a b").unwrap_err().to_string();
        assert!(msg.contains("' '") && msg.contains("offset 2"), "{msg}");

        assert_eq!(PathPattern::default_pattern(), pat("*"));
        assert_eq!(pat("/x/*").to_string(), "/x/*");
        assert_eq!(pat("/x/*").as_str(), "/x/*");
    }

    /// A naive recursive matcher, the kind PAT-LINEAR forbids, with a step budget so it cannot hang
    /// the test. Returns `None` once the budget is spent.
    fn naive_steps(p: &[u8], s: &[u8], budget: &mut u64) -> Option<bool> {
        *budget = budget.checked_sub(1)?;
        match p.split_first() {
            None => Some(s.is_empty()),
            Some((b'*', rest)) => {
                for k in 0..=s.len() {
                    if naive_steps(rest, &s[k..], budget)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            Some((&c, rest)) => match s.split_first() {
                Some((&b, tail)) if c == b'?' || c == b => naive_steps(rest, tail, budget),
                _ => Some(false),
            },
        }
    }

    /// PAT-LINEAR: a path of n bytes against a pattern of m bytes costs O(n·m) at worst.
    #[test]
    fn pat_linear() {
        let path = {
            let mut p = vec![b'/'];
            p.resize(64 * 1024, b'a');
            p
        };
        let n = path.len();
        // Adversarial for backtracking matchers: polynomial of degree 8 (or exponential) there.
        for raw in [
            "*a*a*a*a*a*a*a*a*b",
            "/*a*a*a*a*a*a*a*a*b*a",
            "*?*?*?*?*?*?*?*?b",
        ] {
            let (m, steps) = pat(raw).match_steps(&path);
            assert!(!m, "{raw}");
            assert!(
                steps <= bound(n, raw.len()),
                "{raw}: {steps} steps for n={n}"
            );
        }
        // Adversarial for this matcher: one `*` then a long near-miss literal, ~n·m steps.
        let raw = format!("*{}b", "a".repeat(30));
        let (m, steps) = pat(&raw).match_steps(&path);
        assert!(!m);
        assert!(steps <= bound(n, raw.len()), "{steps} steps for n={n}");
        assert!(
            steps >= (n as u64) * 30,
            "the counter must count every step: {steps}"
        );

        // The bound is what catches a backtracking matcher: the naive one blows through it.
        let raw = "*a*a*a*a*a*a*a*a*b";
        let limit = bound(n, raw.len());
        let mut budget = limit;
        assert_eq!(
            naive_steps(raw.as_bytes(), &path[1..], &mut budget),
            None,
            "a recursive matcher would stay within {limit} steps; the bound is too loose"
        );
    }

    /// Strips one leading `/`, the way PAT-SLASH treats both sides.
    fn strip(s: &str) -> &str {
        s.strip_prefix('/').unwrap_or(s)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// PAT-WILDCARD, PAT-ANCHORED, PAT-SLASH against an independent glob implementation.
        #[test]
        fn agrees_with_wildmatch(raw in "[ab/*?]{1,12}", path in "[ab/]{0,16}") {
            let expected = wildmatch::WildMatch::new(strip(&raw)).matches(strip(&path));
            prop_assert_eq!(pat(&raw).matches(path.as_bytes()), expected);
        }

        /// PAT-LINEAR on random inputs, with the tighter bound the matcher's doc comment proves.
        #[test]
        fn step_bound(raw in "[ab/*?]{1,24}", path in "[ab/]{0,200}") {
            let p = pat(&raw);
            let (matched, steps) = p.match_steps(path.as_bytes());
            prop_assert_eq!(matched, p.matches(path.as_bytes()));
            let n = strip(&path).len() as u64;
            let m = p.prog.len() as u64;
            prop_assert!(steps <= (n + 1) * m + n, "{} steps, n={}, m={}", steps, n, m);
            prop_assert!(steps <= bound(path.len(), raw.len()));
        }

        /// `matches` (quick checks, shortcuts by shape) gives the general matcher's answer. Paths
        /// are drawn at random or made from the pattern itself (each `*` and `?` filled in, then
        /// maybe one byte changed), so both the checks that reject and those that admit are hit,
        /// with literal runs longer and shorter than the eight bytes compared as a word.
        #[test]
        fn quick_checks_agree_with_general(
            raw in "/?[ab/.]{0,12}([*?]{1,2}[ab/.]{0,12}){0,3}",
            fills in proptest::collection::vec("[ab/.]{0,6}", 8),
            flip in proptest::option::of((any::<proptest::sample::Index>(), any::<u8>())),
            random in "/?[ab/.]{0,30}",
        ) {
            let p = pat(if raw.is_empty() { "*" } else { &raw });
            let mut fill = fills.iter();
            let mut made = b"/".to_vec();
            for &b in p.prog.iter() {
                match b {
                    b'*' => made.extend_from_slice(fill.next().map_or("", |f| f.as_str()).as_bytes()),
                    b'?' => made.push(b'b'),
                    _ => made.push(b),
                }
            }
            if let Some((at, byte)) = flip {
                let i = at.index(made.len());
                made[i] = byte;
            }
            for path in [made.as_slice(), random.as_bytes()] {
                prop_assert_eq!(p.matches(path), p.match_steps(path).0, "{:?} vs {:?}", raw, String::from_utf8_lossy(path));
                prop_assert_eq!(p.matches_prepared(&PreparedPath::new(path)), p.matches(path));
            }
        }

        /// Arbitrary bytes never panic, whatever the pattern.
        #[test]
        fn any_bytes(raw in "[a-z/*?.]{1,20}", path in proptest::collection::vec(any::<u8>(), 0..64)) {
            let p = pat(&raw);
            let (matched, steps) = p.match_steps(&path);
            prop_assert_eq!(matched, p.matches(&path));
            prop_assert!(steps <= bound(path.len(), raw.len()));
        }
    }
}
