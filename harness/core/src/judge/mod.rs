//! `judge(distribution, request, outcome)`: the rules an outcome violates. Each rule is a predicate
//! written from RULES.md, independently of `decide()` (which it never calls), so it can judge the
//! model and a live target alike.
//!
//! Behavior selection comes first: when the outcome fits a behavior other than the one PAT-* selects,
//! the judge looks for the mis-reading of the patterns that explains it (case-insensitive matching,
//! `*` stopping at `/`, last match wins, …) and names that rule alone, instead of a cascade of policy
//! failures. Otherwise each policy, location, origin, billing and log rule is checked in turn.
//!
//! The checks live by step: the request-level rules (`request`), behavior selection and the
//! misreadings of the patterns (`select`, on [`crate::misread`]), then the selected behavior's
//! rules (`behavior`): its policy's answer (`policy`), the forward to its origin (`origin`,
//! `cache`) and the access log (`log`). `expect` reads the behavior and the outcome in the same
//! terms.

mod behavior;
mod cache;
mod expect;
mod log;
mod origin;
mod policy;
mod refusal;
mod request;
mod select;

use crate::distribution::Distribution;
use crate::outcome::Outcome;
use crate::request::{HttpVersion, Method, Request};
use crate::RuleId;
use serde::Serialize;

/// One rule an outcome breaks (or, with `info`, a note that is not a failure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub rule: RuleId,
    /// Expected vs observed, in one sentence.
    pub message: String,
    /// A note for an open question (e.g. 307 vs 403 under `current`), not a failure.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub info: bool,
    /// Other rules whose breach gives this very outcome, when the request alone cannot tell
    /// them apart from `rule`: a misreading of the patterns is named, and the rules the selected
    /// behavior's own answer breaks are its alternatives (a target that ignores redirect-to-https
    /// on `/images/*` forwards `/images/a/b.jpg` just like one whose `*` stops at `/`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<RuleId>,
    /// The rule could not be observed for this request (a response from the cache says nothing
    /// about the origin side): neither a pass nor a failure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_observed: bool,
}

impl Violation {
    /// A failing check is neither a note nor a rule that went unobserved.
    pub fn is_failure(&self) -> bool {
        !self.info && !self.not_observed
    }
}

fn v(rule: RuleId, message: String) -> Violation {
    Violation {
        rule,
        message,
        info: false,
        alternatives: Vec::new(),
        not_observed: false,
    }
}

/// A note on `rule`: an answer that conforms but is worth reporting (an RFC status instead of the
/// model's, an open question).
fn note(rule: RuleId, message: String) -> Violation {
    Violation {
        info: true,
        ..v(rule, message)
    }
}

/// `rule` was not observed for this request.
fn unobserved(rule: RuleId, message: String) -> Violation {
    Violation {
        not_observed: true,
        ..v(rule, message)
    }
}

/// Statuses RFC 9110 and RFC 6585 name for a request too large to serve (400, 413, 414, 431);
/// the model answers 413 (LIM-SIZE).
pub const TOO_LARGE: [u16; 4] = [413, 400, 414, 431];

/// Statuses RFC 9110 names for a method token the server does not serve (400, 405, 501); the
/// model answers 403 (MTH-SUPPORTED).
pub const UNKNOWN_METHOD: [u16; 4] = [403, 400, 405, 501];

/// RFC 9112 section 3.2: a malformed `Host`, or none, gets 400; CloudFront's 403 conforms too
/// (HOST-ROUTE).
pub const MALFORMED_HOST: [u16; 2] = [403, 400];

/// The target refused a request sent without `Content-Length` (as no real client sends it) for
/// that alone: 411 Length Required, or 400 to an HTTP/1.0 POST or PUT, whose body RFC 1945 can
/// only delimit by a length ("HTTP/1.0 requests containing an entity body must include a valid
/// Content-Length header field"; without one "the server should send a 400", section 7.2.2).
/// The request exercised no rule, and its expectations do not apply.
pub fn length_refused(req: &Request, o: &Outcome) -> bool {
    let http10_body =
        req.version == HttpVersion::Http10 && matches!(req.method, Method::Post | Method::Put);
    (o.status == 411 || (o.status == 400 && http10_body))
        && !req.content_length
        && req.body_len == 0
        && o.origin.is_none()
}

/// The target refused with 400 a HEAD or DELETE carrying content. RFC 9110 gives such content
/// no meaning and says it "might lead some implementations to reject the request" (sections
/// 9.3.2 and 9.3.5), so the 400 conforms; the model refuses only a GET with a body
/// (MTH-GET-BODY, CloudFront's documented 403). The request exercised no rule, and its
/// expectations do not apply.
pub fn content_refused(req: &Request, o: &Outcome) -> bool {
    o.status == 400
        && o.origin.is_none()
        && req.body_len > 0
        && matches!(req.method, Method::Head | Method::Delete)
}

/// The target refused the request for how its content is framed, as the RFCs let it
/// ([`length_refused`], [`content_refused`]): no rule was exercised.
pub fn unexercised(req: &Request, o: &Outcome) -> bool {
    length_refused(req, o) || content_refused(req, o)
}

/// The target refused with 400 a `Host` whose port names no TCP port (empty, or over 65535:
/// valid by RFC 9110's `port = *DIGIT`, see `distribution::unusable_port`). The model ignores
/// the port (and serves a routed name); a strict parser's 400 conforms too (HOST-ROUTE notes it),
/// and the model's expectations for the request do not apply.
pub fn port_refused(req: &Request, o: &Outcome) -> bool {
    o.status == 400
        && o.origin.is_none()
        && req
            .host
            .as_deref()
            .is_some_and(crate::distribution::unusable_port)
}

/// The target refused with 400 a request-target with a malformed percent-escape (`/%`, `/a%zz`):
/// not a valid URI (RFC 3986 section 2.1), so RFC 9112 section 3's 400 conforms, and the model's
/// expectations for the request do not apply.
pub fn escape_refused(req: &Request, o: &Outcome) -> bool {
    o.status == 400 && o.origin.is_none() && malformed_escape(&req.target)
}

/// Whether `target` has a `%` not followed by two hex digits.
fn malformed_escape(target: &str) -> bool {
    let b = target.as_bytes();
    let hex = |i: usize| b.get(i).is_some_and(u8::is_ascii_hexdigit);
    (0..b.len()).any(|i| b[i] == b'%' && !(hex(i + 1) && hex(i + 2)))
}

/// The rules `outcome` violates for `req` on `dist`.
pub fn judge(dist: &Distribution, req: &Request, o: &Outcome) -> Vec<Violation> {
    refusal::too_large_within_limits(dist, req, o, judge_rules(dist, req, o))
}

/// [`judge`] before a 413 within the limits is named as such.
fn judge_rules(dist: &Distribution, req: &Request, o: &Outcome) -> Vec<Violation> {
    let mut out = Vec::new();
    if request::request_checks(dist, req, o, &mut out) {
        return out;
    }
    let s = expect::seen(o);
    let bi = select::selected_behavior(dist, req);
    let b = &dist.behaviors[bi];
    if unexercised(req, o) {
        out.push(select::length_note(dist, b, req, o));
        return out;
    }
    if select::misreading_checks(dist, req, o, s, bi, &mut out) {
        // A pattern misreading explains the answer; a trailing-dot Host refused as unknown would
        // too, and this request alone cannot tell them apart.
        if refusal::trailing_dot_refused(dist, req, o, s, b) {
            if let Some(first) = out.iter_mut().find(|v| v.is_failure()) {
                if first.rule != RuleId::HostRoute
                    && !first.alternatives.contains(&RuleId::HostRoute)
                {
                    first.alternatives.push(RuleId::HostRoute);
                }
            }
        }
        return out;
    }
    if refusal::misrefusal_checks(dist, req, o, s, b, &mut out) {
        return out;
    }
    select::open_misreadings(dist, req, s, bi, &mut out);
    behavior::behavior_checks(dist, req, o, s, b, &mut out);
    out
}

fn describe(o: &Outcome) -> String {
    let mut s = if o.status == 0 {
        "no response".to_string()
    } else {
        o.status.to_string()
    };
    if let Some(l) = &o.location {
        s.push_str(&format!(" Location: {l}"));
    }
    match &o.origin {
        Some(c) => s.push_str(&format!(
            " (origin reached over {} port {})",
            c.protocol, c.port
        )),
        None => match &o.cache {
            Some(hit) => s.push_str(&format!(" (served from the cache: {})", hit.evidence)),
            None => s.push_str(" (origin not contacted)"),
        },
    }
    s
}
