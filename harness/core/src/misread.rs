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
    NormalizedMerged,
    DecodedMerged,
    Cleaned,
    LastMatch,
    FallThrough,
    DefaultOnly,
}

impl Misreading {
    /// Every misreading, in the order the judge tries them (the first that explains an outcome
    /// is the one it names).
    pub const ALL: [Misreading; 14] = [
        Misreading::CaseInsensitive,
        Misreading::StarStopsAtSlash,
        Misreading::Unanchored,
        Misreading::SlashRequired,
        Misreading::MatchesQuery,
        Misreading::RawPath,
        Misreading::FullyDecoded,
        Misreading::MergedSlashes,
        Misreading::NormalizedMerged,
        Misreading::DecodedMerged,
        Misreading::Cleaned,
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
            Misreading::RawPath
            | Misreading::FullyDecoded
            | Misreading::MergedSlashes
            | Misreading::NormalizedMerged
            | Misreading::DecodedMerged
            | Misreading::Cleaned => RuleId::PatNormalize,
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
            Misreading::NormalizedMerged => "as if `//` were merged into `/` after dot segments were removed, before matching (normalising does not merge slashes)",
            Misreading::DecodedMerged => "as if every percent-escape (even %2F) were decoded and `//` merged before matching",
            Misreading::Cleaned => "as if the path were decoded and cleaned as Go's path.Clean does before matching (`//` merged, a last `.` or `..` segment leaving no `/`)",
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
                // A target that decodes every escape matches the characters they spell: its `?`
                // (a regex `.` in UTF-8 mode) takes `%C3%A9` as the one character `é`.
                Misreading::FullyDecoded | Misreading::DecodedMerged | Misreading::Cleaned => {
                    glob_chars(pat, path)
                }
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
            // Dot segments removed first, so `//a//../b` is `//a/b` and then `/a/b` (merged first
            // it would be `/b`): Traffic Server's remap.
            Misreading::NormalizedMerged => {
                let p = merge_slashes(&norm);
                dist.behaviors.iter().position(|b| hit(b, &p))
            }
            Misreading::DecodedMerged => {
                let p = normalize_path(&merge_slashes(&percent_decode_all(req.path().as_bytes())));
                dist.behaviors.iter().position(|b| hit(b, &p))
            }
            Misreading::Cleaned => {
                let p = go_clean(&percent_decode_all(req.path().as_bytes()));
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

/// A decoded path cleaned as Caddy does (Go's `path.Clean`, keeping a trailing `/` the path
/// had): `//` merged and dot segments removed, but a last `.` or `..` segment leaves no `/`
/// behind (`/site/.` is `/site`, where RFC 3986 section 5.2.4 gives `/site/`).
fn go_clean(p: &[u8]) -> Vec<u8> {
    let mut out: Vec<&[u8]> = Vec::new();
    for seg in p.split(|&b| b == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut clean = Vec::with_capacity(p.len() + 1);
    for seg in &out {
        clean.push(b'/');
        clean.extend_from_slice(seg);
    }
    if clean.is_empty() || (p.ends_with(b"/") && !clean.ends_with(b"/")) {
        clean.push(b'/');
    }
    clean
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

/// [`glob`] with CloudFront's rules for a decoded path, where `?` matches one UTF-8 character
/// (a byte that starts none is a character of its own).
fn glob_chars(pat: &[u8], path: &[u8]) -> bool {
    let pat = pat.strip_prefix(b"/").unwrap_or(pat);
    let path = path.strip_prefix(b"/").unwrap_or(path);
    let char_len = |j: usize| -> usize {
        (2..=4)
            .find(|&k| {
                path.get(j..j + k)
                    .and_then(|c| std::str::from_utf8(c).ok())
                    .is_some_and(|c| c.chars().count() == 1)
            })
            .unwrap_or(1)
    };
    let mut prev = vec![false; path.len() + 1];
    prev[0] = true;
    for &c in pat {
        let mut cur = vec![false; path.len() + 1];
        match c {
            b'*' => {
                cur[0] = prev[0];
                for j in 1..=path.len() {
                    cur[j] = prev[j] || cur[j - 1];
                }
            }
            b'?' => {
                for j in (0..path.len()).filter(|&j| prev[j]) {
                    cur[j + char_len(j)] = true;
                }
            }
            _ => {
                for j in 1..=path.len() {
                    cur[j] = prev[j - 1] && c == path[j - 1];
                }
            }
        }
        prev = cur;
    }
    prev[path.len()]
}

#[cfg(test)]
mod tests {
    use super::{
        glob, glob_chars, go_clean, merge_slashes, percent_decode_all, Distribution, Misreading,
        Request,
    };

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

    /// Found by fuzzing Caddy and lighttpd: matching the decoded path, their `?` (a regex `.`)
    /// takes `%C3%A9` as one character, so `/Docs/%C3%A9.html` is under `/Docs/?.html`.
    #[test]
    fn decoded_readings_match_question_mark_against_one_character() {
        assert!(glob_chars(b"/Docs/?.html", "/Docs/é.html".as_bytes()));
        assert!(glob_chars(b"/Docs/?.html", b"/Docs/\xff.html"));
        assert!(!glob_chars(b"/Docs/?.html", b"/Docs/\xc3.x.html"));
        assert!(glob_chars(b"/a/*", b"/a/b/c"));
        assert!(!glob_chars(b"/a/?", b"/a/bc"));
        let d = Distribution::from_yaml(include_str!("../../../specs/distributions/standard.yaml"))
            .expect("standard distribution");
        let docs = d
            .behaviors
            .iter()
            .position(|b| b.path_pattern.as_str() == "/Docs/?.html");
        let r = Request::new(
            crate::request::Method::Get,
            crate::request::Scheme::Http,
            "www.example.com",
            "/Docs/%C3%A9.html",
        );
        assert_eq!(
            d.select_behavior(b"/Docs/%C3%A9.html"),
            d.behaviors.len() - 1
        );
        assert_eq!(Misreading::FullyDecoded.select(&d, &r), docs);
    }

    /// Found by fuzzing Caddy and lighttpd: `//secure%2fx.png` decoded and merged is
    /// `/secure/x.png`; Caddy's cleaned `/site/.` is `/site`, not under `/site/*`.
    #[test]
    fn decoded_merged_and_cleaned_readings() {
        let d = Distribution::from_yaml(include_str!("../../../specs/distributions/standard.yaml"))
            .expect("standard distribution");
        let at = |p: &str| {
            d.behaviors
                .iter()
                .position(|b| b.path_pattern.as_str() == p)
        };
        let get = |target: &str| {
            Request::new(
                crate::request::Method::Get,
                crate::request::Scheme::Http,
                "www.example.com",
                target,
            )
        };
        let default = Some(d.behaviors.len() - 1);
        let r = get("//secure%2fx.png");
        assert_eq!(Misreading::FullyDecoded.select(&d, &r), default);
        assert_eq!(Misreading::MergedSlashes.select(&d, &r), default);
        assert_eq!(Misreading::DecodedMerged.select(&d, &r), at("/secure/*"));
        assert_eq!(Misreading::Cleaned.select(&d, &r), at("/secure/*"));
        let r = get("/site/.");
        assert_eq!(Misreading::DecodedMerged.select(&d, &r), at("/site/*"));
        assert_eq!(Misreading::Cleaned.select(&d, &r), default);
        assert_eq!(go_clean(b"/site/."), b"/site");
        assert_eq!(go_clean(b"/site/./"), b"/site/");
        assert_eq!(go_clean(b"//a/../b//"), b"/b/");
        assert_eq!(go_clean(b"/.."), b"/");
    }
}
