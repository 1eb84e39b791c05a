//! PAT-* on small patterns and paths, the step bound (PAT-LINEAR) against a naive matcher, and
//! properties against an independent glob (wildmatch) and between the quick checks and the
//! general matcher.

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
        '%', ' ', '#', '=', ';', ',', '\\', '!', '(', '[', '{', '|', '<', '^', '`', '\t', '\0', 'é',
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
