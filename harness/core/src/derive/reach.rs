//! The rules a distribution gives no request a way to reach, with the reason: a rule about a
//! policy no selectable behavior has, an origin type no selectable behavior uses, a pattern
//! feature no pattern has. `edgeconform coverage --distribution` prints them next to the rules the
//! derived suite exercises.

use super::sample::samples;
use crate::distribution::{Distribution, OriginKind, ViewerProtocolPolicy as P};
use crate::rules::RuleId as R;

/// A rule the derived suite cannot exercise on this distribution, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    pub rule: R,
    pub reason: String,
}

/// Every request-checkable rule of the catalog the distribution gives no way to reach, in
/// catalog order.
pub fn unreachable(dist: &Distribution) -> Vec<Unreachable> {
    let live: Vec<usize> = (0..dist.behaviors.len())
        .filter(|&bi| !samples(dist, bi).is_empty())
        .collect();
    let mut out = Vec::new();
    policies(dist, &live, &mut out);
    patterns(dist, &live, &mut out);
    origins(dist, &live, &mut out);
    not_probed(dist, &mut out);
    out.sort_by_key(|u| u.rule);
    out
}

/// Adds `rule` with `reason` when `cond` holds.
fn add(out: &mut Vec<Unreachable>, rule: R, cond: bool, reason: String) {
    if cond {
        out.push(Unreachable { rule, reason });
    }
}

/// The policy rules: no selectable (`live`) behavior has the policy they are about.
fn policies(dist: &Distribution, live: &[usize], out: &mut Vec<Unreachable>) {
    let policy = |p: P| {
        live.iter()
            .any(|&bi| dist.behaviors[bi].viewer_protocol_policy == p)
    };
    let no_policy =
        |p: &str| format!("no behavior a request can select has viewer_protocol_policy {p}");
    add(
        out,
        R::VppAllowAll,
        !policy(P::AllowAll),
        no_policy("allow-all"),
    );
    let no_redirect = !policy(P::RedirectToHttps);
    for r in [
        R::VppRedirectSafe,
        R::VppRedirectUnsafe,
        R::LocScheme,
        R::LocTarget,
        R::BilRedirectPair,
    ] {
        add(
            out,
            r,
            no_redirect,
            no_policy("redirect-to-https") + ": nothing is redirected",
        );
    }
    add(
        out,
        R::LocHost,
        no_redirect,
        no_policy("redirect-to-https") + ": no Location to carry the Host",
    );
    add(
        out,
        R::VppHttpsOnly,
        !policy(P::HttpsOnly),
        no_policy("https-only"),
    );
}

/// The pattern rules: no selectable cache behavior's pattern has the feature they are about.
fn patterns(dist: &Distribution, live: &[usize], out: &mut Vec<Unreachable>) {
    let patterns: Vec<&str> = live
        .iter()
        .map(|&bi| &dist.behaviors[bi])
        .filter(|b| !b.is_default)
        .map(|b| b.path_pattern.as_str())
        .collect();
    add(out, R::PatWildcard, !patterns.iter().any(|p| p.contains(['*', '?'])), "no cache behavior's path pattern has a wildcard (the default behavior's `*` is matched by position, not by its pattern)".into());
    add(
        out,
        R::PatCase,
        !patterns
            .iter()
            .any(|p| p.chars().any(|c| c.is_ascii_alphabetic())),
        "no path pattern has a letter whose case could be flipped".into(),
    );
    add(
        out,
        R::PatSlash,
        !patterns.iter().any(|p| !p.starts_with('/')),
        "every path pattern is written with its leading `/`; none to match without it".into(),
    );
    for r in [R::PatAnchored, R::PatQuery] {
        add(
            out,
            r,
            patterns.is_empty(),
            "the distribution has no cache behavior besides the default one: every path selects it"
                .into(),
        );
    }
}

/// The origin rules: no selectable behavior uses the origin type (or forwards the header) they
/// are about.
fn origins(dist: &Distribution, live: &[usize], out: &mut Vec<Unreachable>) {
    let origin = |f: fn(&OriginKind) -> bool| {
        live.iter()
            .any(|&bi| f(&dist.origins[dist.behaviors[bi].origin].kind))
    };
    add(
        out,
        R::OrgS3MatchViewer,
        !origin(|k| matches!(k, OriginKind::S3)),
        "no behavior a request can select uses an S3 REST origin (type s3)".into(),
    );
    add(
        out,
        R::OrgWebsiteHttp,
        !origin(|k| matches!(k, OriginKind::S3Website { .. })),
        "no behavior a request can select uses an S3 website origin (type s3-website)".into(),
    );
    add(
        out,
        R::OrgCustomPolicy,
        !origin(|k| matches!(k, OriginKind::Custom { .. })),
        "no behavior a request can select uses a custom origin".into(),
    );
    add(
        out,
        R::OrgCfProto,
        !live
            .iter()
            .any(|&bi| dist.behaviors[bi].forward_cloudfront_proto),
        "no behavior a request can select has forward_cloudfront_proto: true".into(),
    );
}

/// The pattern and cache rules no derived probe exercises, where the configuration alone did
/// not already say why.
fn not_probed(dist: &Distribution, out: &mut Vec<Unreachable>) {
    // A pattern rule needs a request whose answer differs between the right reading and a
    // wrong one; some pattern sets have none (a catch-all `*` behavior, patterns that are all
    // `*` at both ends). Where the probes found none, say so rather than leave a silent gap.
    let probed = super::derive(dist);
    for rule in [
        R::PatOrder,
        R::PatWildcard,
        R::PatAnchored,
        R::PatCase,
        R::PatQuery,
        R::PatNormalize,
    ] {
        let known = out.iter().any(|u| u.rule == rule);
        if !known && !probed.scenarios.iter().any(|p| p.rules.contains(&rule)) {
            out.push(Unreachable {
                rule,
                reason: "no path tells the right reading of these patterns from the wrong one (every candidate request selects the same behavior either way)".into(),
            });
        }
    }
    // A cache probe needs a path of its own (a `*` to fill, or the default behavior), and
    // CACHE-NEVER-UNSAFE a behavior that allows POST or PUT.
    for rule in [
        R::CacheHitServed,
        R::CacheKeyProtocol,
        R::CacheNeverUnsafe,
        R::CachePolicyFirst,
    ] {
        if !probed.scenarios.iter().any(|p| p.rules.contains(&rule)) {
            out.push(Unreachable {
                rule,
                reason: "no behavior it needs has a path of its own for a cache entry (a `*` to fill, or the default behavior), or none allows POST or PUT".into(),
            });
        }
    }
}

/// Behaviors no request can select, each with the earlier behavior its own sample selects
/// (`(pattern, earlier pattern)`): their rules are reached through the others, if at all.
pub fn shadowed(dist: &Distribution) -> Vec<(String, String)> {
    (0..dist.behaviors.len())
        .filter(|&bi| samples(dist, bi).is_empty())
        .map(|bi| {
            let b = &dist.behaviors[bi];
            let own = super::sample::fill(b.path_pattern.as_str(), super::sample::Fill::Slash);
            let by = super::sample::selects(dist, &own).map_or_else(
                || "?".to_string(),
                |i| super::sample::pattern_text(&dist.behaviors[i]),
            );
            (super::sample::pattern_text(b), by)
        })
        .collect()
}
