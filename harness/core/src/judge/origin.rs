//! A request the selected behavior forwards: the origin's failure answered 502/504
//! (ORG-FAILURE), the fetch itself judged on the origin side (ORG-*), or, when the origin saw
//! nothing, a cache hit (`cache`) or the policy's forward rule.

use super::cache::cache_hit_checks;
use super::expect::Seen;
use super::{describe, unobserved, v, Violation};
use crate::distribution::{Behavior, Distribution, OriginKind, OriginProtocolPolicy};
use crate::outcome::{OriginContact, OriginFailure, Outcome};
use crate::request::{Request, Scheme};
use crate::RuleId;

/// A forward to origin `origin` of behavior `b` (VPP-HTTPS-SERVED, VPP-ALLOW-ALL, ORG-*).
pub(super) fn forward_checks(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    s: Seen,
    b: &Behavior,
    origin: usize,
    out: &mut Vec<Violation>,
) {
    let pol = b.viewer_protocol_policy;
    if let Some(f) = o.origin_failure {
        let want = if f == OriginFailure::Timeout {
            504
        } else {
            502
        };
        if o.status != want {
            out.push(v(
                RuleId::OrgFailure,
                format!(
                    "the origin {}; expected {want}, got {}",
                    match f {
                        OriginFailure::Timeout => "never answered",
                        OriginFailure::Refused => "refused the connection",
                    },
                    describe(o)
                ),
            ));
        }
    }
    match (&o.origin, &o.cache) {
        (None, Some(hit)) => cache_hit_checks(dist, req, b, origin, hit, out),
        // Viewer-only: what looks served is taken as served (the origin is not read); a
        // redirect or a 403 is the edge's own answer, as in a full run.
        (None, None) if o.viewer_only && matches!(s, Seen::Forwarded(_)) => {
            let why = "only the viewer side was observed (viewer-only run)";
            origin_unobserved(dist, req, b, origin, why, out);
        }
        (None, None) if o.origin_failure.is_none() => {
            let rule = match (req.scheme, pol) {
                (Scheme::Https, _) => RuleId::VppHttpsServed,
                (Scheme::Http, _) => RuleId::VppAllowAll,
            };
            let seen = if o.viewer_only {
                "an answer of the edge's own"
            } else {
                "the origin saw nothing"
            };
            out.push(v(rule, format!(
                "{} {} on a {pol} behavior must be forwarded to origin `{}` (or served from the cache); got {} and {seen}",
                req.scheme, req.method, dist.origins[origin].id, describe(o)
            )));
        }
        (None, None) => {}
        (Some(c), _) => {
            let viewer = Viewer {
                scheme: req.scheme,
                target: &req.target,
                sent_xfp: Some(req.header("x-forwarded-proto").is_some()),
            };
            origin_checks(dist, b, origin, &viewer, c, out);
        }
    }
}

/// The viewer request an origin fetch was made for.
pub(super) struct Viewer<'a> {
    pub(super) scheme: Scheme,
    pub(super) target: &'a str,
    /// Whether it carried `X-Forwarded-Proto`; `None` when that is not known (a cache fill).
    pub(super) sent_xfp: Option<bool>,
}

/// The origin-side rules (ORG-*) a fetch from origin `origin` for `viewer` breaks.
pub(super) fn origin_checks(
    dist: &Distribution,
    b: &Behavior,
    origin: usize,
    viewer: &Viewer,
    c: &OriginContact,
    out: &mut Vec<Violation>,
) {
    let org = &dist.origins[origin];
    let (want_proto, want_port, rule) = origin_route(org.kind, viewer.scheme);
    if c.protocol != want_proto || c.port != want_port {
        out.push(v(rule, format!(
            "origin `{}` ({}) must be reached over {want_proto} on port {want_port} for a {} viewer; it was reached over {} on port {}",
            org.id, org.kind.type_str(), viewer.scheme, c.protocol, c.port
        )));
    }
    let want_target = format!("{}{}", org.origin_path, viewer.target);
    if c.target != want_target {
        out.push(v(
            RuleId::OrgPath,
            format!(
                "the origin must receive {want_target:?}; it received {:?}",
                c.target
            ),
        ));
    }
    if viewer.sent_xfp == Some(true) {
        if let Some(x) = c.header("x-forwarded-proto") {
            out.push(v(RuleId::OrgXfpStripped, format!("the viewer's X-Forwarded-Proto must not reach the origin; the origin saw X-Forwarded-Proto: {x}")));
        }
    }
    match c.header("cloudfront-forwarded-proto") {
        Some(p) if p != viewer.scheme.as_str() => out.push(v(RuleId::OrgCfProto, format!(
            "CloudFront-Forwarded-Proto must carry the viewer's scheme {}; the origin saw {p}", viewer.scheme
        ))),
        None if b.forward_cloudfront_proto => out.push(v(RuleId::OrgCfProto, format!(
            "the behavior forwards CloudFront-Forwarded-Proto; the origin did not receive it (expected {})", viewer.scheme
        ))),
        _ => {}
    }
}

/// The protocol and port an origin of `kind` is reached on for a viewer over `scheme`, and the
/// rule that says so.
pub(super) fn origin_route(kind: OriginKind, scheme: Scheme) -> (Scheme, u16, RuleId) {
    match kind {
        OriginKind::S3 => (scheme, scheme.default_port(), RuleId::OrgS3MatchViewer),
        OriginKind::S3Website { http_port } => (Scheme::Http, http_port, RuleId::OrgWebsiteHttp),
        OriginKind::Custom {
            protocol_policy,
            http_port,
            https_port,
        } => {
            let p = match protocol_policy {
                OriginProtocolPolicy::HttpOnly => Scheme::Http,
                OriginProtocolPolicy::HttpsOnly => Scheme::Https,
                OriginProtocolPolicy::MatchViewer => scheme,
            };
            let port = if p == Scheme::Https {
                https_port
            } else {
                http_port
            };
            (p, port, RuleId::OrgCustomPolicy)
        }
    }
}

/// The origin-side rules a forward from `b` to `origin` exercises, each not observed for `why`.
pub(super) fn origin_unobserved(
    dist: &Distribution,
    req: &Request,
    b: &Behavior,
    origin: usize,
    why: &str,
    out: &mut Vec<Violation>,
) {
    let org = &dist.origins[origin];
    let mut rules = vec![origin_route(org.kind, req.scheme).2, RuleId::OrgPath];
    if req.header("x-forwarded-proto").is_some() {
        rules.push(RuleId::OrgXfpStripped);
    }
    if b.forward_cloudfront_proto {
        rules.push(RuleId::OrgCfProto);
    }
    for rule in rules {
        out.push(unobserved(rule, why.to_string()));
    }
}
