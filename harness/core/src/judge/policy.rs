//! The viewer protocol policy's own answers under the selected behavior: a refusal (403), a
//! redirect (301, or 307 for an unsafe method under `current`) and the redirect's `Location`
//! (LOC-*), or the open 307-or-403 case.

use super::expect::{Expect, Seen};
use super::{describe, note, v, Violation};
use crate::distribution::{Distribution, ViewerProtocolPolicy};
use crate::outcome::Outcome;
use crate::request::{host_without_port, Request};
use crate::RuleId;

/// A refusal under `rule` (VPP-HTTPS-ONLY, VPP-REDIRECT-UNSAFE, MTH-ALLOWED): a 403, billed for
/// headers and the error page only (BIL-REFUSAL).
pub(super) fn refusal_checks(
    req: &Request,
    o: &Outcome,
    rule: RuleId,
    pol: ViewerProtocolPolicy,
    out: &mut Vec<Violation>,
) {
    if o.status != 403 {
        out.push(v(
            rule,
            format!(
                "expected 403 ({} on a {pol} behavior over {}); got {}",
                req.method,
                req.scheme,
                describe(o)
            ),
        ));
    }
    // Only an edge 403 is billed as a refusal; a target that served the request instead
    // broke the refusal rule above, and the object it sent follows from that.
    if o.status == 403 && o.object_bytes > 0 {
        out.push(v(RuleId::BilRefusal, format!("an edge 403 is billed for headers and the error page only; it carried {} object bytes", o.object_bytes)));
    }
}

/// A 301 (VPP-REDIRECT-SAFE) or 307 (VPP-REDIRECT-UNSAFE) with a `Location`, judged as a redirect
/// when it is one.
pub(super) fn redirect_policy_checks(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    s: Seen,
    e: Expect,
    out: &mut Vec<Violation>,
) {
    let (code, rule) = if e == Expect::Redirect301 {
        (301, RuleId::VppRedirectSafe)
    } else {
        (307, RuleId::VppRedirectUnsafe)
    };
    if o.status != code {
        out.push(v(
            rule,
            format!(
                "expected {code} for HTTP {} on a redirect-to-https behavior; got {}",
                req.method,
                describe(o)
            ),
        ));
    } else if o.location.is_none() {
        out.push(v(
            rule,
            format!("a {code} must carry a Location header; there is none"),
        ));
    }
    // A target that did not redirect sent no redirect to judge (its answer broke the
    // policy rule above); a wrong 3xx still carries a Location and a body.
    if matches!(s, Seen::Redirect(_)) {
        redirect_checks(dist, req, o, out);
    }
}

/// `current`, HTTP/1.1, an unsafe method the behavior does not allow: 307 or 403, both noted,
/// anything else a failure of VPP-REDIRECT-UNSAFE.
pub(super) fn open_redirect_checks(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    out: &mut Vec<Violation>,
) {
    if o.status == 307 {
        out.push(note(RuleId::VppRedirectUnsafe, format!("{} is not allowed on this behavior: the target redirected (307) before refusing; RULES.md leaves 307 vs 403 open here", req.method)));
        redirect_checks(dist, req, o, out);
    } else if o.status == 403 {
        out.push(note(RuleId::VppRedirectUnsafe, format!("{} is not allowed on this behavior: the target refused (403) before redirecting; RULES.md leaves 307 vs 403 open here", req.method)));
    } else {
        out.push(v(
            RuleId::VppRedirectUnsafe,
            format!(
                "expected 307 or 403 for HTTP/1.1 {} under `current`; got {}",
                req.method,
                describe(o)
            ),
        ));
    }
}

/// LOC-SCHEME, LOC-HOST, LOC-TARGET, LOC-SAFE and BIL-REDIRECT-PAIR for an edge redirect.
fn redirect_checks(dist: &Distribution, req: &Request, o: &Outcome, out: &mut Vec<Violation>) {
    if o.object_bytes > 0 {
        out.push(v(RuleId::BilRedirectPair, format!(
            "the HTTP leg of a redirect pair is billed for headers only; the redirect carried {} bytes of the object", o.object_bytes
        )));
    }
    let Some(loc) = o.location.as_deref() else {
        return;
    };
    if location_safety(dist, req, o, out) {
        return;
    }
    let Some(rest) = loc.strip_prefix("https://") else {
        out.push(v(
            RuleId::LocScheme,
            format!("Location must be an absolute https:// URL; got {loc:?}"),
        ));
        return;
    };
    let (authority, target) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let want_host = req.host.as_deref().map(host_without_port).unwrap_or("");
    if !authority.eq_ignore_ascii_case(want_host) {
        out.push(v(RuleId::LocHost, format!(
            "the Location host must be the viewer's Host without port ({want_host:?}); got {authority:?}"
        )));
    }
    if target != req.target {
        out.push(v(
            RuleId::LocTarget,
            format!(
                "the Location must end in the raw request-target {:?}; got {target:?}",
                req.target
            ),
        ));
    }
}

/// LOC-SAFE: no control bytes, and no host outside the distribution's names. Returns whether it
/// found a violation.
pub(super) fn location_safety(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    out: &mut Vec<Violation>,
) -> bool {
    let _ = req;
    let Some(loc) = o.location.as_deref() else {
        return false;
    };
    if loc.bytes().any(|b| b < 0x20 || b == 0x7f) {
        out.push(v(
            RuleId::LocSafe,
            format!("Location must not contain control bytes; got {loc:?}"),
        ));
        return true;
    }
    if o.origin.is_none() && (300..400).contains(&o.status) {
        let host = loc
            .split_once("://")
            .map(|(_, r)| r.split(['/', '?']).next().unwrap_or(""))
            .unwrap_or("");
        if !host.is_empty() && !dist.routes_host(host) {
            out.push(v(RuleId::LocSafe, format!(
                "an edge redirect must never name a host other than the distribution's; Location names {host:?}"
            )));
            return true;
        }
    }
    false
}
