//! The origin side (ORG-*): per origin, the protocol and port each viewer scheme reaches it on,
//! the path it receives (OriginPath + the raw target + the query), a viewer's
//! `X-Forwarded-Proto` stripped; per behavior forwarding it, `CloudFront-Forwarded-Proto`; and an
//! origin that refuses or never answers.

use super::probe::{Probe, Req};
use super::sample::pattern_text;
use super::{Ctx, OBJECT_SIZE};
use crate::decide::Action;
use crate::distribution::OriginKind;
use crate::request::{Method, Scheme};
use crate::rules::RuleId as R;

pub(super) fn probes(cx: &mut Ctx) {
    let reachable = cx.reachable();
    protocols(cx, &reachable);
    cloudfront_proto(cx, &reachable);
    failure(cx, &reachable);
}

/// ORG-S3-MATCH-VIEWER, ORG-WEBSITE-HTTP, ORG-CUSTOM-POLICY, ORG-PATH, ORG-XFP-STRIPPED: per
/// origin and viewer scheme, through the first behavior that forwards a GET to it.
fn protocols(cx: &mut Ctx, reachable: &[(usize, String)]) {
    let origins = cx.dist.origins.clone();
    let slugs = origin_slugs(cx);
    for (oi, o) in origins.iter().enumerate() {
        let os = &slugs[oi];
        let rule = match o.kind {
            OriginKind::S3 => R::OrgS3MatchViewer,
            OriginKind::S3Website { .. } => R::OrgWebsiteHttp,
            OriginKind::Custom { .. } => R::OrgCustomPolicy,
        };
        // For each viewer scheme, the first behavior on this origin that forwards a GET over it.
        for scheme in [Scheme::Https, Scheme::Http] {
            let Some((bi, path)) = forwarding(cx, reachable, oi, scheme, Method::Get) else {
                continue;
            };
            let pat = pattern_text(&cx.dist.behaviors[bi]);
            let get = |p: &str| Req::new(Method::Get, scheme, p);
            let what = format!(
                "Origin `{}` ({}), reached through {pat}",
                o.id,
                o.kind.type_str()
            );
            let v = scheme.as_str();
            cx.push(Probe::new(format!("origin-{os}-{v}-viewer"), format!("{what}, is reached over the protocol and port its type gives for an {} viewer", v.to_uppercase()), &[rule], get(&path)).tag("origin"));
            cx.push(
                Probe::new(
                    format!("origin-{os}-{v}-path-and-query"),
                    format!("{what}, receives OriginPath + the raw path + the query"),
                    &[R::OrgPath],
                    get(&format!("{path}?id=7&sort=name&x=%2F")),
                )
                .tag("origin"),
            );
            let other = match scheme {
                Scheme::Http => "https",
                Scheme::Https => "http",
            };
            cx.push(
                Probe::new(
                    format!("origin-{os}-{v}-xfp-stripped"),
                    format!("{what}, never receives a viewer's X-Forwarded-Proto"),
                    &[R::OrgXfpStripped],
                    get(&path).header("X-Forwarded-Proto", other),
                )
                .tag("origin"),
            );
            // The raw path, not the normalised one, reaches the origin.
            let raw = format!("/zz/./v%61lue/../..{path}");
            if cx.selects(&get(&raw)) == Some(bi) {
                cx.push(Probe::new(format!("origin-{os}-{v}-raw-path"), format!("{what}, receives the raw path, not the normalised one used for matching"), &[R::OrgPath, R::PatNormalize], get(&raw)).tag("origin"));
            }
        }
    }
}

/// CloudFront-Forwarded-Proto carries the viewer's scheme, whatever the origin's, and a viewer
/// cannot forge it.
fn cloudfront_proto(cx: &mut Ctx, reachable: &[(usize, String)]) {
    for (bi, path) in reachable {
        let b = cx.dist.behaviors[*bi].clone();
        if !b.forward_cloudfront_proto {
            continue;
        }
        let s = cx.slugs[*bi].clone();
        let pat = pattern_text(&b);
        for scheme in [Scheme::Https, Scheme::Http] {
            let r = Req::new(Method::Get, scheme, path);
            if !matches!(cx.decide(&r).action, Action::Forward(_)) {
                continue;
            }
            let v = scheme.as_str();
            cx.push(
                Probe::new(
                    format!("{s}-cf-proto-{v}"),
                    format!(
                        "Under {pat}, CloudFront-Forwarded-Proto carries the viewer's scheme {v}"
                    ),
                    &[R::OrgCfProto],
                    r.clone(),
                )
                .tag("origin"),
            );
            let forged = if scheme == Scheme::Http {
                "https"
            } else {
                "http"
            };
            cx.push(Probe::new(format!("{s}-cf-proto-{v}-not-forged"), format!("Under {pat}, a viewer's own CloudFront-Forwarded-Proto: {forged} is replaced by the real scheme"), &[R::OrgCfProto], r.header("CloudFront-Forwarded-Proto", forged)).tag("origin"));
        }
    }
}

/// ORG-FAILURE: the first behavior that forwards an HTTPS GET.
fn failure(cx: &mut Ctx, reachable: &[(usize, String)]) {
    let target = reachable
        .iter()
        .rev()
        .find(|(_, p)| {
            matches!(
                cx.decide(&Req::new(Method::Get, Scheme::Https, p)).action,
                Action::Forward(_)
            )
        })
        .cloned();
    if let Some((_, path)) = target {
        let r = Req::new(Method::Get, Scheme::Https, &path);
        let mut p = Probe::new("origin-refused", "An origin that refuses the connection gives the viewer 502, billed as one request without object bytes", &[R::OrgFailure, R::BilPerResponse], r.clone()).tag("origin");
        p.origin_failure = Some("refused");
        p.object_size = Some(OBJECT_SIZE);
        cx.push(p);
        let mut p = Probe::new(
            "origin-timeout",
            "An origin that never answers gives the viewer 504",
            &[R::OrgFailure],
            r,
        )
        .tag("origin");
        p.origin_failure = Some("timeout");
        cx.push(p);
    }
}

/// The first reachable behavior on origin `oi` whose main sample the model forwards for `method`
/// over `scheme`.
fn forwarding(
    cx: &Ctx,
    reachable: &[(usize, String)],
    oi: usize,
    scheme: Scheme,
    method: Method,
) -> Option<(usize, String)> {
    reachable
        .iter()
        .filter(|(bi, _)| cx.dist.behaviors[*bi].origin == oi)
        .find(|(_, p)| {
            matches!(
                cx.decide(&Req::new(method.clone(), scheme, p)).action,
                Action::Forward(_)
            )
        })
        .cloned()
}

/// Kebab-case origin ids, with a hash of the id appended only where two clash after slugging.
fn origin_slugs(cx: &Ctx) -> Vec<String> {
    let raw: Vec<String> = cx
        .dist
        .origins
        .iter()
        .map(|o| {
            let s: Vec<String> =
                o.id.split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_ascii_lowercase)
                    .collect();
            if s.is_empty() {
                "origin".to_string()
            } else {
                s.join("-")
            }
        })
        .collect();
    raw.iter()
        .zip(&cx.dist.origins)
        .map(|(s, o)| {
            if raw.iter().filter(|t| *t == s).count() > 1 {
                format!("{s}-h{}", super::sample::short_hash(&o.id))
            } else {
                s.clone()
            }
        })
        .collect()
}
