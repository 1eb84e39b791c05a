//! The target's access-log line for the request (LOG-RESULT-TYPE, BIL-PER-RESPONSE,
//! BIL-LOG-RECONCILE), when the log was read.

use super::expect::{Expect, Seen};
use super::{unobserved, v, Violation};
use crate::outcome::Outcome;
use crate::request::Request;
use crate::RuleId;

/// LOG-RESULT-TYPE, BIL-PER-RESPONSE and BIL-LOG-RECONCILE against the target's access log line.
///
/// The line must describe the response the target actually sent (`s`): a target that forwarded
/// a request it should have refused, and logged a `Miss`, broke the refusal rule, not the log's.
pub(super) fn log_checks(req: &Request, o: &Outcome, e: Expect, s: Seen, out: &mut Vec<Violation>) {
    let Some(l) = &o.log else { return };
    if o.status == 0 {
        return;
    }
    // A log that cannot single out this request's line, or leaves out a field a rule reads, says
    // nothing about that rule: not observed, never failed.
    let absent = |rule: RuleId, field: &str, out: &mut Vec<Violation>| {
        out.push(unobserved(
            rule,
            format!("the access log does not carry {field}"),
        ));
    };
    if l.unattributed {
        for rule in [
            RuleId::BilPerResponse,
            RuleId::LogResultType,
            RuleId::BilLogReconcile,
        ] {
            out.push(unobserved(rule, "the access log cannot tell this request's line from another request's of the run (no request id, the same method, scheme and path)".into()));
        }
        return;
    }
    if l.lines != 1 {
        out.push(v(RuleId::BilPerResponse, format!(
            "every response is one billable request and one access-log line; the log has {} lines for this response", l.lines
        )));
        return;
    }
    if l.protocol.is_none() {
        absent(RuleId::LogResultType, "cs-protocol", out);
    } else if l.protocol.as_deref() != Some(req.scheme.as_str()) {
        out.push(v(
            RuleId::LogResultType,
            format!(
                "cs-protocol must be the viewer's scheme {}; the log says {:?}",
                req.scheme,
                l.protocol.as_deref().unwrap_or("-")
            ),
        ));
    }
    let want = match s {
        // An origin's own 3xx, passed on for a forward, is not an edge redirect.
        Seen::Redirect(_) if o.origin.is_none() || !matches!(e, Expect::Forward(_)) => {
            Some("Redirect")
        }
        Seen::Refused => Some("Error"),
        Seen::Redirect(_) | Seen::Forwarded(_) | Seen::Other(_) => None,
    };
    if let Some(w) = want {
        if l.result_type.is_none() {
            absent(RuleId::LogResultType, "x-edge-result-type", out);
        } else if l.result_type.as_deref() != Some(w) {
            out.push(v(
                RuleId::LogResultType,
                format!(
                    "x-edge-result-type must be {w}; the log says {:?}",
                    l.result_type.as_deref().unwrap_or("-")
                ),
            ));
        }
    } else if matches!(l.result_type.as_deref(), Some("Redirect")) {
        out.push(v(
            RuleId::LogResultType,
            "a forwarded request must not be logged as Redirect".into(),
        ));
    }
    let refused_method = e == Expect::Refuse(RuleId::MthAllowed) && s == Seen::Refused;
    if refused_method && l.detailed_result_type.is_none() {
        absent(RuleId::LogResultType, "x-edge-detailed-result-type", out);
    } else if refused_method && l.detailed_result_type.as_deref() != Some("InvalidRequestMethod") {
        out.push(v(RuleId::LogResultType, format!(
            "a method refused by AllowedMethods is logged with x-edge-detailed-result-type InvalidRequestMethod; the log says {:?}",
            l.detailed_result_type.as_deref().unwrap_or("-")
        )));
    }
    if l.sc_bytes.is_none() && o.header_bytes > 0 {
        absent(RuleId::BilLogReconcile, "sc-bytes", out);
    }
    if let Some(b) = l.sc_bytes {
        let wire = o.header_bytes + o.body_bytes;
        if o.header_bytes > 0 && b != wire {
            out.push(v(
                RuleId::BilLogReconcile,
                format!(
                "sc-bytes in the access log ({b}) must equal the bytes sent on the wire ({wire})"
            ),
            ));
        }
    }
}
