//! The ways a target can mis-read CloudFront path patterns (case-insensitive matching, `*` stopping
//! at `/`, a prefix match, the last match winning, …), each named by the PAT-* (or other) rule it
//! breaks, and the behavior such a target selects for a request.
//!
//! One module serves both sides of the self-test: the judge asks which misreading explains an
//! outcome that fits another behavior than the one the patterns select, and the reference edge's
//! matcher mutants select their behavior through the same readings, so a mutant and the rule the
//! judge names for it cannot drift apart. The real matcher is [`crate::pattern`]; the fuzz oracle
//! keeps a matcher of its own on purpose (see `fuzzgen::oracle::reference_match`).

use crate::distribution::{Behavior, Distribution};
use crate::normalize::normalize_path;
use crate::request::Request;
use crate::RuleId;

/// Ways a target can mis-read path patterns, each named by the rule it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misreading {
    CaseInsensitive,
    StarStopsAtSlash,
    Unanchored,
    SlashRequired,
    MatchesQuery,
    RawPath,
    FullyDecoded,
    MergedSlashes,
    LastMatch,
    FallThrough,
    DefaultOnly,
}

impl Misreading {
    /// Every misreading, in the order the judge tries them (the first that explains an outcome
    /// is the one it names).
    pub const ALL: [Misreading; 11] = [
        Misreading::CaseInsensitive,
        Misreading::StarStopsAtSlash,
        Misreading::Unanchored,
        Misreading::SlashRequired,
        Misreading::MatchesQuery,
        Misreading::RawPath,
        Misreading::FullyDecoded,
        Misreading::MergedSlashes,
        Misreading::LastMatch,
        Misreading::FallThrough,
        Misreading::DefaultOnly,
    ];

    /// The rule a target reading patterns this way breaks.
    pub fn rule(self) -> RuleId {
        match self {
            Misreading::CaseInsensitive => RuleId::PatCase,
            Misreading::StarStopsAtSlash => RuleId::PatWildcard,
            Misreading::Unanchored => RuleId::PatAnchored,
            Misreading::SlashRequired => RuleId::PatSlash,
            Misreading::MatchesQuery => RuleId::PatQuery,
            Misreading::RawPath | Misreading::FullyDecoded | Misreading::MergedSlashes => {
                RuleId::PatNormalize
            }
            Misreading::LastMatch => RuleId::PatOrder,
            Misreading::FallThrough => RuleId::MthAllowed,
            Misreading::DefaultOnly => RuleId::VppPerBehavior,
        }
    }

    /// How the misreading reads, after "the target answered …".
    pub fn describe(self) -> &'static str {
        match self {
            Misreading::CaseInsensitive => "as if patterns matched case-insensitively",
            Misreading::StarStopsAtSlash => "as if `*` did not cross `/`",
            Misreading::Unanchored => "as if a pattern matched a prefix of the path",
            Misreading::SlashRequired => "as if a pattern without its leading `/` never matched",
            Misreading::MatchesQuery => "as if the query string took part in matching",
            Misreading::RawPath => "as if the path were matched without normalisation",
            Misreading::FullyDecoded => "as if every percent-escape (even reserved ones like %2F) were decoded before matching",
            Misreading::MergedSlashes => "as if `//` were merged into `/` before matching (normalising does not merge slashes)",
            Misreading::LastMatch => "as if the last matching behavior won",
            Misreading::FallThrough => "as if a disallowed method fell through to a later behavior",
            Misreading::DefaultOnly => "as if the default behavior's settings applied to every path",
        }
    }

    /// The behavior a target that mis-reads patterns this way selects for `req`; `None` when it
    /// selects none (a disallowed method that falls through every behavior).
    pub fn select(self, dist: &Distribution, req: &Request) -> Option<usize> {
        let norm = normalize_path(req.path().as_bytes());
        let n = dist.behaviors.len();
        let hit = |b: &Behavior, path: &[u8]| -> bool {
            if b.is_default {
                return true;
            }
            let pat = b.path_pattern.as_str().as_bytes();
            match self {
                Misreading::CaseInsensitive => glob(
                    &pat.to_ascii_lowercase(),
                    &path.to_ascii_lowercase(),
                    true,
                    true,
                    true,
                ),
                Misreading::StarStopsAtSlash => glob(pat, path, false, true, true),
                Misreading::Unanchored => glob(pat, path, true, false, true),
                Misreading::SlashRequired => glob(pat, path, true, true, false),
                _ => glob(pat, path, true, true, true),
            }
        };
        match self {
            Misreading::LastMatch => (0..n - 1)
                .rev()
                .find(|&i| hit(&dist.behaviors[i], &norm))
                .or(Some(n - 1)),
            Misreading::MatchesQuery => {
                let mut p = norm.clone();
                if let Some(q) = req.query() {
                    p.push(b'?');
                    p.extend_from_slice(q.as_bytes());
                }
                dist.behaviors.iter().position(|b| hit(b, &p))
            }
            Misreading::RawPath => dist
                .behaviors
                .iter()
                .position(|b| hit(b, req.path().as_bytes())),
            Misreading::FullyDecoded => {
                let p = normalize_path(&percent_decode_all(req.path().as_bytes()));
                dist.behaviors.iter().position(|b| hit(b, &p))
            }
            Misreading::MergedSlashes => {
                let p = normalize_path(&merge_slashes(req.path().as_bytes()));
                dist.behaviors.iter().position(|b| hit(b, &p))
            }
            Misreading::DefaultOnly => Some(n - 1),
            Misreading::FallThrough => dist
                .behaviors
                .iter()
                .position(|b| hit(b, &norm) && b.allowed_methods.contains(&req.method)),
            _ => dist.behaviors.iter().position(|b| hit(b, &norm)),
        }
    }
}

/// Runs of `/` merged into one (Apache's `MergeSlashes`, nginx's `merge_slashes`).
fn merge_slashes(p: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.len());
    for (i, &b) in p.iter().enumerate() {
        if !(b == b'/' && i > 0 && p[i - 1] == b'/') {
            out.push(b);
        }
    }
    out
}

/// Every `%XX` decoded, reserved or not (what a proxy matching on a decoded URI does).
fn percent_decode_all(p: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        if p[i] == b'%' && i + 2 < p.len() {
            if let (Some(h), Some(l)) = (hex(p[i + 1]), hex(p[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(p[i]);
        i += 1;
    }
    out
}

/// A deliberately plain wildcard matcher for the alternative readings (dynamic
/// programming, O(n·m)); `star_crosses_slash`, `anchored_end` and `strip_slash` switch off one
/// CloudFront rule each.
fn glob(
    pat: &[u8],
    path: &[u8],
    star_crosses_slash: bool,
    anchored_end: bool,
    strip_slash: bool,
) -> bool {
    // CloudFront drops one leading `/` from both; the slash-required reading compares them as written.
    let (pat, path) = if strip_slash {
        (
            pat.strip_prefix(b"/").unwrap_or(pat),
            path.strip_prefix(b"/").unwrap_or(path),
        )
    } else {
        (pat, path)
    };
    // prev[j]: pattern[..i] matches path[..j].
    let mut prev = vec![false; path.len() + 1];
    prev[0] = true;
    for &c in pat {
        let mut cur = vec![false; path.len() + 1];
        if c == b'*' {
            cur[0] = prev[0];
            for j in 1..=path.len() {
                cur[j] = prev[j] || (cur[j - 1] && (star_crosses_slash || path[j - 1] != b'/'));
            }
        } else {
            for j in 1..=path.len() {
                cur[j] = prev[j - 1] && (c == b'?' || c == path[j - 1]);
            }
        }
        prev = cur;
    }
    if anchored_end {
        prev[path.len()]
    } else {
        prev.iter().any(|&m| m)
    }
}

#[cfg(test)]
mod tests {
    use super::{glob, merge_slashes, percent_decode_all, Distribution, Misreading, Request};

    #[test]
    fn plain_glob_variants() {
        assert!(glob(b"/a/*", b"/a/b/c", true, true, true));
        assert!(!glob(b"/a/*", b"/a/b/c", false, true, true));
        assert!(glob(b"/a/*", b"/a/b", false, true, true));
        assert!(glob(b"/a", b"/a/b", true, false, true));
        assert!(!glob(b"a/*", b"/a/b", true, true, false));
        assert!(glob(b"/a/*", b"/a/b", true, true, false));
    }

    /// `*` stays within one path segment when it does not cross `/` (the star-stops-at-slash
    /// mutant's matcher), a leading `/` optional on both sides.
    #[test]
    fn star_stopping_at_slash_keeps_star_inside_a_segment() {
        let segment_glob = |pat: &[u8], path: &[u8]| glob(pat, path, false, true, true);
        assert!(segment_glob(b"/a/*", b"/a/b"));
        assert!(!segment_glob(b"/a/*", b"/a/b/c"));
        assert!(segment_glob(b"a/*.png", b"/a/x.png"));
        assert!(segment_glob(b"/Docs/?.html", b"/Docs/a.html"));
    }

    #[test]
    fn merged_slashes_select_what_the_single_slash_path_selects() {
        assert_eq!(merge_slashes(b"//account///a//"), b"/account/a/");
        let d = Distribution::from_yaml(include_str!("../../../specs/distributions/standard.yaml"))
            .expect("standard distribution");
        let r = Request::new(
            crate::request::Method::Get,
            crate::request::Scheme::Http,
            "www.example.com",
            "//images/cat.jpg",
        );
        let default = d.behaviors.len() - 1;
        assert_eq!(d.select_behavior(b"//images/cat.jpg"), default);
        assert_eq!(Misreading::MergedSlashes.select(&d, &r), Some(0));
    }

    #[test]
    fn full_decoding_decodes_reserved_escapes() {
        assert_eq!(percent_decode_all(b"/a%2Fb%zz%4"), b"/a/b%zz%4".to_vec());
    }
}
