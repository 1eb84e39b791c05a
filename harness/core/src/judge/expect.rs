//! The judge's two readings of one answer in the same terms: what a behavior should do with the
//! request ([`Expect`]) and what the outcome shows was done ([`Seen`]), and whether they fit.

use crate::distribution::{Behavior, Distribution, Ruleset, ViewerProtocolPolicy};
use crate::outcome::Outcome;
use crate::request::{HttpVersion, Method, Request, Scheme};
use crate::RuleId;

/// What the edge should do under one behavior, as far as the viewer can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    /// 301 with a Location (VPP-REDIRECT-SAFE).
    Redirect301,
    /// 307 with a Location (VPP-REDIRECT-UNSAFE under `current`, HTTP/1.1).
    Redirect307,
    /// `current`, HTTP/1.1, an unsafe method the behavior does not allow: 307 or 403.
    Redirect307Or403,
    /// An edge 403.
    Refuse(RuleId),
    /// Forwarded to this origin.
    Forward(usize),
}

/// What the outcome shows, in the same terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seen<'a> {
    Forwarded(Option<&'a str>),
    Redirect(u16),
    Refused,
    Other(u16),
}

/// A redirect is a redirect even when the origin was (wrongly) contacted for it; a 403 counts as
/// the edge's refusal only when the origin saw nothing (an origin may answer 403 itself).
/// A response from the edge's cache is served, just as a forwarded one (CACHE-HIT-SERVED). When
/// only the viewer side is observed, an answer that shows an origin produced it (see
/// [`Outcome::origin_evidence`]) or a cache served it is served; otherwise a 403 reads as the
/// edge's refusal, any other 2xx/3xx that is not a redirect as served, and any other error as
/// the edge's own answer.
pub(super) fn seen(o: &Outcome) -> Seen<'_> {
    if o.viewer_only && o.origin.is_none() {
        // The origin a cache hit's mark or the response's own evidence names, if any.
        let named = o
            .cache
            .as_ref()
            .and_then(|h| h.origin.as_deref())
            .or_else(|| o.origin_evidence.as_ref().and_then(|e| e.origin.as_deref()));
        return match o.status {
            301 | 302 | 303 | 307 | 308 => Seen::Redirect(o.status),
            _ if o.origin_evidence.is_some() || o.cache.is_some() => Seen::Forwarded(named),
            403 => Seen::Refused,
            s if (200..400).contains(&s) => Seen::Forwarded(named),
            s => Seen::Other(s),
        };
    }
    match (o.status, &o.origin, &o.cache) {
        (301 | 302 | 303 | 307 | 308, _, _) => Seen::Redirect(o.status),
        (_, Some(c), _) => Seen::Forwarded(c.origin.as_deref()),
        (_, None, Some(hit)) => Seen::Forwarded(hit.origin.as_deref()),
        (403, None, None) => Seen::Refused,
        (s, None, None) => Seen::Other(s),
    }
}

/// The expectation of one behavior for a request that passed the request-level checks.
pub(super) fn expect(dist: &Distribution, b: &Behavior, req: &Request) -> Expect {
    let allowed = b.allowed_methods.contains(&req.method);
    if req.scheme == Scheme::Http {
        match b.viewer_protocol_policy {
            ViewerProtocolPolicy::HttpsOnly => return Expect::Refuse(RuleId::VppHttpsOnly),
            ViewerProtocolPolicy::RedirectToHttps
                if matches!(req.method, Method::Get | Method::Head) =>
            {
                return Expect::Redirect301
            }
            ViewerProtocolPolicy::RedirectToHttps => {
                return match (dist.ruleset, req.version) {
                    (Ruleset::Classic, _) | (Ruleset::Current, HttpVersion::Http10) => {
                        Expect::Refuse(RuleId::VppRedirectUnsafe)
                    }
                    (Ruleset::Current, _) if allowed => Expect::Redirect307,
                    (Ruleset::Current, _) => Expect::Redirect307Or403,
                }
            }
            ViewerProtocolPolicy::AllowAll => {}
        }
    }
    if allowed {
        Expect::Forward(b.origin)
    } else {
        Expect::Refuse(RuleId::MthAllowed)
    }
}

/// Whether what was seen is the kind of answer `e` names (and, for a forward whose origin is
/// known, from the right origin).
pub(super) fn fits(dist: &Distribution, e: Expect, s: Seen) -> bool {
    match (e, s) {
        (Expect::Forward(i), Seen::Forwarded(id)) => id.is_none_or(|id| id == dist.origins[i].id),
        (
            Expect::Redirect301 | Expect::Redirect307 | Expect::Redirect307Or403,
            Seen::Redirect(_),
        ) => true,
        (Expect::Refuse(_) | Expect::Redirect307Or403, Seen::Refused) => true,
        _ => false,
    }
}

/// Whether the observed kind of answer (forward / redirect / refusal) is what behavior `b` gives.
pub(super) fn consistent(dist: &Distribution, b: &Behavior, req: &Request, s: Seen) -> bool {
    fits(dist, expect(dist, b, req), s)
}
