//! The rules of the selected behavior, step by step: what a viewer-only run cannot see, the edge
//! answer that must not reach the origin or come from the cache, then the policy's own answer
//! (`policy`), the forward to the origin (`origin`, `cache`) and the access log line (`log`).

use super::expect::{expect, Expect, Seen};
use super::log::log_checks;
use super::origin::forward_checks;
use super::policy::{open_redirect_checks, redirect_policy_checks, refusal_checks};
use super::{describe, unobserved, v, Violation};
use crate::distribution::{Behavior, Distribution, ViewerProtocolPolicy};
use crate::outcome::Outcome;
use crate::request::{Method, Request};
use crate::RuleId;

/// The rules of the selected behavior `b` (policy, location, origin, billing, log) that the
/// outcome breaks.
pub(super) fn behavior_checks(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    s: Seen,
    b: &Behavior,
    out: &mut Vec<Violation>,
) {
    let e = expect(dist, b, req);
    if o.viewer_only {
        viewer_only_unobserved(req, o, e, out);
    }
    edge_answer_checks(req, o, e, b.viewer_protocol_policy, out);
    match e {
        Expect::Refuse(rule) => refusal_checks(req, o, rule, b.viewer_protocol_policy, out),
        Expect::Redirect301 | Expect::Redirect307 => {
            redirect_policy_checks(dist, req, o, s, e, out)
        }
        Expect::Redirect307Or403 => open_redirect_checks(dist, req, o, out),
        Expect::Forward(origin) => forward_checks(dist, req, o, s, b, origin, out),
    }
    log_checks(req, o, e, s, out);
}

/// An edge answer (a redirect or a refusal) is the edge's alone: the origin never receives the
/// request (LOC-EDGE-ONLY) and the cache never answers it (CACHE-POLICY-FIRST).
fn edge_answer_checks(
    req: &Request,
    o: &Outcome,
    e: Expect,
    pol: ViewerProtocolPolicy,
    out: &mut Vec<Violation>,
) {
    let edge_answer = !matches!(e, Expect::Forward(_));
    // LOC-EDGE-ONLY: redirects and refusals never reach the origin. When the viewer did not get the
    // edge answer either, the policy rule (`policy`) names the failure.
    let edge_status_ok = match e {
        Expect::Redirect301 => o.status == 301,
        Expect::Redirect307 => o.status == 307,
        Expect::Redirect307Or403 => matches!(o.status, 307 | 403),
        Expect::Refuse(_) => o.status == 403,
        Expect::Forward(_) => false,
    };
    if edge_answer && edge_status_ok && o.origin.is_some() {
        out.push(v(
            RuleId::LocEdgeOnly,
            format!(
                "a {} must be answered at the edge; the origin received the request",
                match e {
                    Expect::Refuse(_) => "refusal",
                    _ => "redirect",
                }
            ),
        ));
    }
    // CACHE-POLICY-FIRST: the policy comes before the cache; a cached object never answers a
    // request the policy redirects or refuses (the policy rule names the wrong answer too).
    if edge_answer && !edge_status_ok && o.origin.is_none() && o.cache.is_some() {
        out.push(v(
        RuleId::CachePolicyFirst,
        format!(
            "the viewer protocol policy ({pol}) applies before the cache: {} {} must get the edge's {}, not a cached object; got {}",
            req.scheme,
            req.method,
            match e {
                Expect::Refuse(_) => "403",
                _ => "redirect",
            },
            describe(o)
        ),
    ));
    }
}

/// What a viewer-only run cannot see whatever the answer: whether the origin was asked for an
/// edge answer (LOC-EDGE-ONLY), and what the bill holds (BIL-*), which only the origin's
/// object and the target's own logs can show (BIL-PER-RESPONSE is judged on the log's line
/// when the log was read).
fn viewer_only_unobserved(req: &Request, o: &Outcome, e: Expect, out: &mut Vec<Violation>) {
    let why = "only the viewer side was observed (viewer-only run)";
    // With the target's access log read, one line per response is seen (log_checks).
    let mut rules = Vec::new();
    if o.log.as_ref().is_none_or(|l| l.unattributed) {
        rules.push(RuleId::BilPerResponse);
    }
    match e {
        Expect::Forward(_) => {}
        Expect::Refuse(_) => rules.extend([RuleId::LocEdgeOnly, RuleId::BilRefusal]),
        _ => rules.extend([RuleId::LocEdgeOnly, RuleId::BilRedirectPair]),
    }
    if matches!(
        req.method,
        Method::Post | Method::Put | Method::Patch | Method::Delete
    ) {
        rules.push(RuleId::CacheNeverUnsafe);
    }
    for rule in rules {
        out.push(unobserved(rule, why.to_string()));
    }
}
