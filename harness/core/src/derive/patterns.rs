//! Path-pattern probes (PAT-*): each picks a request whose answer differs between the right
//! reading of a behavior's pattern and a wrong one, and is kept only when the model confirms the
//! difference in selection (the probe selects the behavior, or does not, as intended).

use super::probe::{Probe, Req};
use super::sample::{fill, pattern_text, Fill};
use super::Ctx;
use crate::distribution::ViewerProtocolPolicy;
use crate::request::{Method, Scheme};
use crate::rules::RuleId as R;

pub(super) fn probes(cx: &mut Ctx) {
    for bi in 0..cx.dist.behaviors.len() {
        if cx.dist.behaviors[bi].is_default {
            default_tried_last(cx, bi);
            continue;
        }
        let raw = cx.dist.behaviors[bi].path_pattern.as_str().to_string();
        let (s, pat) = (cx.slugs[bi].clone(), pattern_text(&cx.dist.behaviors[bi]));
        order(cx, bi, &s, &pat, &raw);
        let samples = cx.samples[bi].clone();
        let Some((_, main)) = samples.first().cloned() else {
            continue;
        };
        let mut on = On {
            bi,
            s,
            pat,
            raw,
            plain: String::new(),
            main,
        };
        // A sample whose wildcards take no `/`: a probe about the leading `/` or normalisation
        // then cannot be read as `*` stopping at `/` as well.
        on.plain = Some(fill(&on.raw.replace('*', "x"), Fill::Slash))
            .filter(|p| on.selects(cx, p))
            .unwrap_or_else(|| on.main.clone());
        wildcard(cx, &on, &samples);
        case(cx, &on);
        anchored(cx, &on);
        slash(cx, &on);
        query(cx, &on);
        normalize(cx, &on);
    }
}

/// The behavior a run of probes is about, and the paths they start from.
struct On {
    bi: usize,
    /// The behavior's slug (probe ids start with it) and its pattern as the names show it.
    s: String,
    pat: String,
    /// The pattern as written.
    raw: String,
    /// The main sample path, and one whose wildcards take no `/` (the main one otherwise).
    main: String,
    plain: String,
}

impl On {
    fn get(&self, p: &str) -> Req {
        Req::new(Method::Get, Scheme::Http, p)
    }

    /// Whether a GET of `p` selects this behavior.
    fn selects(&self, cx: &Ctx, p: &str) -> bool {
        cx.selects(&self.get(p)) == Some(self.bi)
    }
}

/// PAT-ORDER for the default behavior: a path no pattern matches gets it.
fn default_tried_last(cx: &mut Ctx, bi: usize) {
    if let Some(p) = cx.main(bi) {
        let get = Req::new(Method::Get, Scheme::Http, &p);
        cx.push(Probe::new(
            "default-tried-last",
            "A path no pattern matches gets the default behavior, tried last",
            &[R::PatOrder],
            get,
        ));
    }
}

/// PAT-ORDER: the first match wins, whether this behavior is the earlier or the later one.
fn order(cx: &mut Ctx, bi: usize, s: &str, pat: &str, raw: &str) {
    let n = cx.dist.behaviors.len();
    let get = |p: &str| Req::new(Method::Get, Scheme::Http, p);
    // PAT-ORDER: the pattern's own sample selects an earlier behavior, which wins.
    let own = fill(raw, Fill::Slash);
    if let Some(i) = cx
        .selects(&get(&own))
        .filter(|&i| i < bi && !cx.dist.behaviors[i].is_default)
    {
        let first = pattern_text(&cx.dist.behaviors[i]);
        let id = format!("{s}-shadowed-by-{}", cx.slugs[i]);
        cx.push(
            Probe::new(
                id,
                format!("{own} matches {first} and {pat}; the first match, {first}, wins"),
                &[R::PatOrder],
                get(&own),
            )
            .tag("patterns"),
        );
    }
    // PAT-ORDER: the behavior's own sample is matched by a later pattern too; this one wins.
    if let Some(main) = cx.main(bi) {
        let norm = crate::normalize::normalize_path(main.as_bytes());
        let later = (bi + 1..n).find(|&j| {
            let l = &cx.dist.behaviors[j];
            !l.is_default && l.path_pattern.matches(&norm)
        });
        if let Some(j) = later {
            let second = pattern_text(&cx.dist.behaviors[j]);
            let id = format!("{s}-wins-over-{}", cx.slugs[j]);
            cx.push(
                Probe::new(
                    id,
                    format!(
                        "{main} matches {pat} and the later {second}; the first match, {pat}, wins"
                    ),
                    &[R::PatOrder],
                    get(&main),
                )
                .tag("patterns"),
            );
        }
    }
}

/// PAT-WILDCARD: `*` across `/` and empty, an escaped multi-byte character; `?` one byte.
fn wildcard(cx: &mut Ctx, on: &On, samples: &[(Fill, String)]) {
    let On { s, pat, raw, .. } = on;
    for (f, p) in samples {
        let (kind, what) = match f {
            Fill::Slash if raw.contains('*') => (
                "star-crosses-slash",
                format!("`*` matches across `/`: {p} is under {pat}"),
            ),
            Fill::Slash => ("literal", format!("{p} is under {pat}")),
            Fill::Empty => (
                "star-matches-empty",
                format!("`*` matches zero characters: {p} is under {pat}"),
            ),
            Fill::MultiByte => (
                "multibyte",
                format!("a wildcard matches an escaped multi-byte character: {p} is under {pat}"),
            ),
        };
        if kind != "literal" {
            cx.push(
                Probe::new(format!("{s}-{kind}"), what, &[R::PatWildcard], on.get(p))
                    .tag("patterns"),
            );
        }
    }
    if raw.contains('?') {
        for (kind, with, what) in [
            ("q-not-two-chars", "xy", "two characters"),
            ("q-not-zero-chars", "", "zero characters"),
        ] {
            let p = fill(&raw.replacen('?', with, 1), Fill::Slash);
            if !on.selects(cx, &p) {
                cx.push(
                    Probe::new(
                        format!("{s}-{kind}"),
                        format!("`?` does not match {what}: {p} is not under {pat}"),
                        &[R::PatWildcard],
                        on.get(&p),
                    )
                    .tag("patterns"),
                );
            }
        }
    }
}

/// PAT-CASE: the same path with its case flipped is not under the pattern.
fn case(cx: &mut Ctx, on: &On) {
    let On { s, pat, main, .. } = on;
    let flipped: String = main
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if flipped != *main && !on.selects(cx, &flipped) {
        cx.push(
            Probe::new(
                format!("{s}-case-flipped"),
                format!("matching is case-sensitive: {flipped} is not under {pat}"),
                &[R::PatCase],
                on.get(&flipped),
            )
            .tag("patterns"),
        );
    }
}

/// PAT-ANCHORED: a suffix after a pattern that does not end in `*`, a prefix before it.
fn anchored(cx: &mut Ctx, on: &On) {
    let On {
        s, pat, raw, main, ..
    } = on;
    let path = main.as_str();
    let suffixed = format!("{path}.bak");
    if !raw.ends_with('*') && !on.selects(cx, &suffixed) {
        cx.push(
            Probe::new(
                format!("{s}-anchored-end"),
                format!("a pattern must match the whole path: {suffixed} is not under {pat}"),
                &[R::PatAnchored],
                on.get(&suffixed),
            )
            .tag("patterns"),
        );
    }
    let prefixed = format!("/v2{path}");
    if !on.selects(cx, &prefixed) {
        cx.push(
            Probe::new(
                format!("{s}-anchored-start"),
                format!("a pattern must match from the start: {prefixed} is not under {pat}"),
                &[R::PatAnchored],
                on.get(&prefixed),
            )
            .tag("patterns"),
        );
    }
}

/// PAT-SLASH: a pattern written without its leading `/` matches the path with one.
fn slash(cx: &mut Ctx, on: &On) {
    let On {
        s, pat, raw, plain, ..
    } = on;
    if !raw.starts_with('/') {
        cx.push(
            Probe::new(
                format!("{s}-leading-slash-optional"),
                format!("the pattern {pat} (no leading `/`) matches {plain}"),
                &[R::PatSlash],
                on.get(plain),
            )
            .tag("patterns"),
        );
    }
}

/// PAT-QUERY: a query neither keeps a path under the pattern nor moves it there.
fn query(cx: &mut Ctx, on: &On) {
    let On {
        s, pat, main, bi, ..
    } = on;
    let q = format!("{main}?v=1");
    if on.selects(cx, &q) {
        cx.push(
            Probe::new(
                format!("{s}-query-ignored"),
                format!("the query plays no part in matching: {q} is still under {pat}"),
                &[R::PatQuery],
                on.get(&q),
            )
            .tag("patterns"),
        );
    }
    if let Some(other) = other_path(cx, *bi) {
        let q = format!("{other}?{main}");
        if !on.selects(cx, &q) {
            cx.push(
                Probe::new(
                    format!("{s}-query-looks-like-path"),
                    format!("a query that looks like a path under {pat} does not select it: {q}"),
                    &[R::PatQuery],
                    on.get(&q),
                )
                .tag("patterns"),
            );
        }
    }
}

/// PAT-NORMALIZE: an escaped unreserved character and dot segments are matched decoded and
/// removed; an escaped `/` is not decoded.
fn normalize(cx: &mut Ctx, on: &On) {
    let On {
        s,
        pat,
        main,
        plain,
        bi,
        ..
    } = on;
    let path = main.as_str();
    let policy = cx.dist.behaviors[*bi].viewer_protocol_policy;
    if let Some(i) = plain
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_ascii_alphanumeric())
        .map(|(i, _)| i)
    {
        let c = plain.as_bytes()[i];
        let p = format!("{}%{:02x}{}", &plain[..i], c, &plain[i + 1..]);
        if on.selects(cx, &p) {
            cx.push(Probe::new(format!("{s}-escaped-unreserved"), format!("an escaped unreserved character is decoded for matching: {p} is under {pat}"), &[R::PatNormalize], on.get(&p)).tag("patterns"));
        }
    }
    let dotted = format!("/zz/..{plain}");
    if on.selects(cx, &dotted) {
        // Under redirect-to-https the Location keeps the raw path too.
        let rules: &[R] = if policy == ViewerProtocolPolicy::RedirectToHttps {
            &[R::PatNormalize, R::LocTarget]
        } else {
            &[R::PatNormalize]
        };
        cx.push(Probe::new(format!("{s}-dot-segments"), format!("dot segments are removed for matching, the raw path kept: {dotted} is under {pat}"), rules, on.get(&dotted)).tag("patterns"));
    }
    if let Some(i) = path
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '/')
        .map(|(i, _)| i)
    {
        let p = format!("{}%2F{}", &main[..i], &main[i + 1..]);
        if !on.selects(cx, &p) {
            cx.push(
                Probe::new(
                    format!("{s}-escaped-slash"),
                    format!(
                        "an escaped `/` (%2F) is not decoded for matching: {p} is not under {pat}"
                    ),
                    &[R::PatNormalize],
                    on.get(&p),
                )
                .tag("patterns"),
            );
        }
    }
}

/// A sample path that selects a behavior other than `bi` (the default behavior's, else another).
fn other_path(cx: &Ctx, bi: usize) -> Option<String> {
    let last = cx.dist.behaviors.len() - 1;
    std::iter::once(last)
        .chain(0..last)
        .filter(|&j| j != bi)
        .find_map(|j| cx.main(j))
}
