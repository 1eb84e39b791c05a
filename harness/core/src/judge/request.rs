//! The request-level rules, checked before any behavior is selected: a request too large
//! (LIM-SIZE), a `Host` the distribution does not route (HOST-ROUTE), a request-target that is not
//! origin form (LOC-SAFE), a method CloudFront does not serve (MTH-SUPPORTED) and a GET with a body
//! (MTH-GET-BODY). The edge answers such a request itself, whatever the path.

use super::policy::location_safety;
use super::{describe, note, v, Violation, TOO_LARGE, UNKNOWN_METHOD};
use crate::distribution::Distribution;
use crate::outcome::Outcome;
use crate::request::{Method, Request};
use crate::RuleId;

/// The request-level rules the outcome breaks. Returns whether one of them applied to the
/// request: then no behavior's rules apply.
pub(super) fn request_checks(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    out: &mut Vec<Violation>,
) -> bool {
    size_checks(dist, req, o, out)
        || super::refusal::above_root_checks(dist, req, o, out)
        || escape_checks(req, o, out)
        || host_checks(dist, req, o, out)
        || target_checks(dist, req, o, out)
        || method_checks(req, o, out)
        || get_body_checks(req, o, out)
}

/// LIM-SIZE: a request head or URL over the limits is refused (413, or an RFC status) and not
/// logged.
fn size_checks(dist: &Distribution, req: &Request, o: &Outcome, out: &mut Vec<Violation>) -> bool {
    if req.head_len() <= dist.limits.max_head_bytes && req.url_len() <= dist.limits.max_url_bytes {
        return false;
    }
    if o.origin.is_none() && !TOO_LARGE.contains(&o.status) && another_fault_answer(dist, req, o) {
        out.push(note(RuleId::LimSize, format!(
            "an oversized request with another fault refused with {}, that fault's answer; both conform",
            o.status
        )));
        return true;
    }
    if !TOO_LARGE.contains(&o.status) || o.origin.is_some() {
        out.push(v(RuleId::LimSize, format!(
            "expected 413 (or 400, 414, 431) for a request head of {} bytes / URL of {} bytes (limits {} / {}), origin not contacted; got {}",
            req.head_len(), req.url_len(), dist.limits.max_head_bytes, dist.limits.max_url_bytes, describe(o)
        )));
    } else if o.status != 413 {
        out.push(note(RuleId::LimSize, format!(
            "refused with {} (an RFC status for an oversized request) where the model answers 413; both conform",
            o.status
        )));
    }
    if let Some(l) = &o.log {
        if l.lines > 0 {
            out.push(v(
                RuleId::LimSize,
                "an oversized request must not be logged; the access log has a line for it".into(),
            ));
        }
    }
    true
}

/// HOST-ROUTE: a `Host` that is not the distribution's domain or an alias is refused.
fn host_checks(dist: &Distribution, req: &Request, o: &Outcome, out: &mut Vec<Violation>) -> bool {
    if req.host.as_deref().is_some_and(|h| dist.routes_host(h)) {
        // An empty port or one over 65535 is valid by RFC 9110's grammar and ignored like any
        // port, so the name routes; refusing it as unusable is a strict parser's answer, noted.
        let strict = super::port_refused(req, o);
        if strict {
            out.push(note(
                RuleId::HostRoute,
                format!(
                    "refused with 400 a Host whose port names no TCP port ({:?}); the model ignores the port and routes the name; both conform",
                    req.host.as_deref().unwrap_or_default()
                ),
            ));
        }
        return strict;
    }
    // RFC 9112 section 3.2: a malformed Host, or none, is answered 400; CloudFront's 403
    // conforms too. A valid name the distribution does not know is refused with 403.
    let malformed = malformed_host(req);
    // A port that names no TCP port may be refused as such before the name is looked at.
    let malformed = malformed || super::port_refused(req, o);
    // The request may be refused for another fault first, with that fault's RFC answer: an
    // unknown method token (400, 405, 501), no length on a POST as no real client sends it
    // (411), content on a HEAD (400). Either way it is refused at the edge, as HOST-ROUTE
    // wants.
    let other_fault = (!req.method.is_supported() && UNKNOWN_METHOD.contains(&o.status))
        || super::unexercised(req, o);
    let ok =
        o.origin.is_none() && (o.status == 403 || (malformed && o.status == 400) || other_fault);
    // A GET with a body refused at the edge for its body before the Host was read: HOST-ROUTE
    // holds, and a status other than MTH-GET-BODY's 403 is that rule's to name.
    let body_first = req.method == Method::Get
        && req.body_len > 0
        && o.origin.is_none()
        && (400..500).contains(&o.status);
    if !ok && body_first {
        get_body_checks(req, o, out);
    } else if !ok {
        out.push(v(
            RuleId::HostRoute,
            format!(
            "expected {} for Host {:?}, which is not {} or an alias, origin not contacted; got {}",
            if malformed { "400 or 403" } else { "403" },
            req.host.as_deref().unwrap_or("(none)"), dist.domain, describe(o)
        ),
        ));
    }
    location_safety(dist, req, o, out);
    true
}

/// An oversized request may be refused for another fault first, with that fault's answer: an
/// unknown method token (400, 405, 501), a `Host` the distribution does not route (403; 400 when
/// malformed). Either way it is refused at the edge, which is what LIM-SIZE wants.
fn another_fault_answer(dist: &Distribution, req: &Request, o: &Outcome) -> bool {
    let unrouted = !req.host.as_deref().is_some_and(|h| dist.routes_host(h));
    (!req.method.is_supported() && UNKNOWN_METHOD.contains(&o.status))
        || (unrouted && (o.status == 403 || (malformed_host(req) && o.status == 400)))
}

/// HOST-ROUTE: a request without a `Host`, or whose `Host` is not a valid host name (an IP
/// literal, userinfo, a path, a port that is not digits), which RFC 9112 section 3.2 answers with
/// 400 (and CloudFront with 403). Such a request is never routed.
pub(super) fn malformed_host(req: &Request) -> bool {
    req.host
        .as_deref()
        .is_none_or(|h| crate::distribution::valid_host_name(h).is_none())
}

/// A request-target with a malformed percent-escape (`/%`) is not a valid URI: a 400 for it is
/// RFC 9112's answer and conforms, noted (LOC-SAFE: it never reaches a `Location`).
fn escape_checks(req: &Request, o: &Outcome, out: &mut Vec<Violation>) -> bool {
    if !super::escape_refused(req, o) {
        return false;
    }
    out.push(note(
        RuleId::LocSafe,
        format!(
            "refused with 400 a request-target with a malformed percent-escape ({:?}), as RFC 9112 allows",
            req.target
        ),
    ));
    true
}

/// LOC-SAFE: a request-target that is not origin form, or carries control bytes, is refused.
fn target_checks(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    out: &mut Vec<Violation>,
) -> bool {
    if crate::decide::valid_target(&req.target) {
        return false;
    }
    if (200..400).contains(&o.status) && o.status != 0 {
        out.push(v(RuleId::LocSafe, format!(
            "a request-target that is not origin form or carries control bytes ({:?}) must be refused; got {}",
            req.target, describe(o)
        )));
    }
    location_safety(dist, req, o, out);
    true
}

/// MTH-SUPPORTED: a method CloudFront does not serve is refused at the edge.
fn method_checks(req: &Request, o: &Outcome, out: &mut Vec<Violation>) -> bool {
    if req.method.is_supported() {
        return false;
    }
    if !UNKNOWN_METHOD.contains(&o.status) || o.origin.is_some() {
        out.push(v(
            RuleId::MthSupported,
            format!(
                "expected 403 (or 400, 405, 501) for unsupported method {}, origin not contacted; got {}",
                req.method,
                describe(o)
            ),
        ));
    } else if o.status != 403 {
        out.push(note(RuleId::MthSupported, format!(
            "refused {} with {} (an RFC status for a method the server does not serve) where the model answers 403; both conform",
            req.method, o.status
        )));
    }
    true
}

/// MTH-GET-BODY: a GET with a body is refused at the edge.
fn get_body_checks(req: &Request, o: &Outcome, out: &mut Vec<Violation>) -> bool {
    if req.method != Method::Get || req.body_len == 0 {
        return false;
    }
    if o.status != 403 || o.origin.is_some() {
        out.push(v(
            RuleId::MthGetBody,
            format!(
                "expected 403 for a GET with a {}-byte body, origin not contacted; got {}",
                req.body_len,
                describe(o)
            ),
        ));
    }
    true
}
