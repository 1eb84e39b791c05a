//! Sample request paths for a behavior, derived from its pattern, and the stable slug each
//! behavior's scenario ids start with.
//!
//! A pattern's literal parts are kept and its wildcards filled: `*` with something that crosses a
//! `/` (`a/b`), with nothing, or with an escaped multi-byte character; `?` with one ASCII character
//! (an escaped multi-byte character is three bytes, which `?` never matches, so it is only tried
//! and kept where the model agrees). Every sample is checked with `decide()` and kept only when
//! the model really selects the behavior.

use crate::decide::decide;
use crate::distribution::{Behavior, Distribution};
use crate::request::{Method, Request, Scheme};

/// How the wildcards of a pattern are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// `*` → `a/b` (crosses a `/`), `?` → `x`.
    Slash,
    /// `*` → nothing, `?` → `x`.
    Empty,
    /// `*` → `%C3%A9` (é, escaped), `?` → `%C3%A9`.
    MultiByte,
}

/// The path a pattern gives with `fill` (a leading `/` added when the pattern has none).
pub fn fill(pattern: &str, fill: Fill) -> String {
    let (star, q) = match fill {
        Fill::Slash => ("a/b", "x"),
        Fill::Empty => ("", "x"),
        Fill::MultiByte => ("%C3%A9", "%C3%A9"),
    };
    let mut out = String::from("/");
    for c in pattern.trim_start_matches('/').chars() {
        match c {
            '*' => out.push_str(star),
            '?' => out.push_str(q),
            c => out.push(c),
        }
    }
    out
}

/// The behavior the model selects for `path` (an HTTPS GET to the distribution's domain).
pub fn selects(dist: &Distribution, path: &str) -> Option<usize> {
    let req = Request::new(Method::Get, Scheme::Https, &dist.domain, path);
    decide(dist, &req).behavior
}

/// Samples of behavior `bi` that the model really selects it for: the `Slash` fill first (the
/// behavior's main sample), then `Empty` and `MultiByte` where they differ and still select it.
/// The default behavior gets one path no other pattern matches. Empty when the behavior is
/// shadowed (every path it matches selects an earlier behavior).
pub fn samples(dist: &Distribution, bi: usize) -> Vec<(Fill, String)> {
    let b = &dist.behaviors[bi];
    if b.is_default {
        return default_sample(dist)
            .map(|p| vec![(Fill::Slash, p)])
            .unwrap_or_default();
    }
    let mut out: Vec<(Fill, String)> = Vec::new();
    for f in [Fill::Slash, Fill::Empty, Fill::MultiByte] {
        let p = fill(b.path_pattern.as_str(), f);
        if selects(dist, &p) == Some(bi) && !out.iter().any(|(_, q)| *q == p) {
            out.push((f, p));
        }
    }
    // A `?` next to a multi-byte fill never matches: keep `?` ASCII and escape only `*`.
    if !out.iter().any(|(f, _)| *f == Fill::MultiByte) && b.path_pattern.as_str().contains('*') {
        let p = fill(b.path_pattern.as_str(), Fill::Slash).replacen("a/b", "%C3%A9/b", 1);
        let p2 = fill(&b.path_pattern.as_str().replace('?', "x"), Fill::MultiByte);
        for p in [p2, p] {
            if selects(dist, &p) == Some(bi) && !out.iter().any(|(_, q)| *q == p) {
                out.push((Fill::MultiByte, p));
                break;
            }
        }
    }
    out
}

/// A path only the default behavior matches.
pub fn default_sample(dist: &Distribution) -> Option<String> {
    let last = dist.behaviors.len() - 1;
    [
        "/index.html",
        "/default/a",
        "/zz-default/a",
        "/edgeconform-default/a.txt",
    ]
    .into_iter()
    .map(String::from)
    .find(|p| selects(dist, p) == Some(last))
}

/// The main sample of behavior `bi`, if it has one.
pub fn main_sample(dist: &Distribution, bi: usize) -> Option<String> {
    samples(dist, bi).into_iter().next().map(|(_, p)| p)
}

/// Lowercase ASCII letters and digits, runs of anything else as `-`; `*` is `star` and `?` is `q`,
/// so `/images/*` is `images-star` and `/Docs/?.html` is `docs-q-html`.
fn readable_slug(pattern: &str) -> String {
    let mut s = String::new();
    let word = |s: &mut String, w: &str| {
        if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
        s.push_str(w);
        s.push('-');
    };
    for c in pattern.chars() {
        match c {
            '*' => word(&mut s, "star"),
            '?' => word(&mut s, "q"),
            c if c.is_ascii_alphanumeric() => s.push(c.to_ascii_lowercase()),
            _ => {
                if !s.is_empty() && !s.ends_with('-') {
                    s.push('-');
                }
            }
        }
    }
    let s = s.trim_matches('-');
    if s.is_empty() {
        "root".into()
    } else {
        s.to_string()
    }
}

/// FNV-1a of the pattern text, six hex digits: tells apart patterns whose readable slugs clash.
pub(crate) fn short_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:06x}", h & 0xff_ffff)
}

/// The id prefix of each behavior: its readable slug (`default` for the default behavior), with a
/// hash of the pattern text appended only where two patterns of the distribution give the same
/// slug. It depends on the pattern text alone, never on positions, so adding or removing another
/// behavior renames nothing (unless the new pattern's slug clashes with this one).
pub fn behavior_slugs(dist: &Distribution) -> Vec<String> {
    let raw: Vec<String> = dist.behaviors.iter().map(raw_slug).collect();
    raw.iter()
        .zip(&dist.behaviors)
        .map(|(s, b)| {
            if raw.iter().filter(|t| *t == s).count() > 1 {
                let text = if b.is_default {
                    "*"
                } else {
                    b.path_pattern.as_str()
                };
                format!("{s}-h{}", short_hash(text))
            } else {
                s.clone()
            }
        })
        .collect()
}

fn raw_slug(b: &Behavior) -> String {
    if b.is_default {
        "default".into()
    } else {
        readable_slug(b.path_pattern.as_str())
    }
}

/// The pattern as the scenario names show it (`*` for the default behavior).
pub fn pattern_text(b: &Behavior) -> String {
    if b.is_default {
        "default (*)".into()
    } else {
        b.path_pattern.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_keep_literals_and_fill_wildcards() {
        assert_eq!(fill("/images/*", Fill::Slash), "/images/a/b");
        assert_eq!(fill("/images/*", Fill::Empty), "/images/");
        assert_eq!(fill("media/*", Fill::Slash), "/media/a/b");
        assert_eq!(fill("/Docs/?.html", Fill::Slash), "/Docs/x.html");
        assert_eq!(fill("/Docs/?.html", Fill::MultiByte), "/Docs/%C3%A9.html");
    }

    #[test]
    fn slugs_are_readable_kebab() {
        assert_eq!(readable_slug("/images/*"), "images-star");
        assert_eq!(readable_slug("/images/*.png"), "images-star-png");
        assert_eq!(readable_slug("/Docs/?.html"), "docs-q-html");
        assert_eq!(readable_slug("media/*"), "media-star");
        assert_eq!(readable_slug("/*"), "star");
    }
}
