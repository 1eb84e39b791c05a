//! The lines put to use: an access-log case judged again with its legs' lines in view, and the
//! run's lines reconciled with what the viewer side received (BIL-LOG-RECONCILE).

use super::read::{LegLines, LogRead};
use crate::report::model::{CaseResult, LogReconcile, Verdict};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::outcome::LogObservation;
use edgeconform_core::spec::Case;

/// What a leg's lines show the judge: how many, and the first one's facts.
pub(super) fn observation(lines: &LegLines) -> LogObservation {
    let lines = match lines {
        LegLines::Lines(l) => l.as_slice(),
        LegLines::Unattributed => {
            return LogObservation {
                lines: 0,
                result_type: None,
                detailed_result_type: None,
                protocol: None,
                status: None,
                sc_bytes: None,
                unattributed: true,
            }
        }
    };
    let first = lines.first();
    LogObservation {
        lines: lines.len() as u32,
        result_type: first.and_then(|e| e.result_type.clone()),
        detailed_result_type: first.and_then(|e| e.detailed_result_type.clone()),
        protocol: first.and_then(|e| e.protocol.clone()),
        status: first.and_then(|e| e.status),
        sc_bytes: first.and_then(|e| e.sc_bytes),
        unattributed: false,
    }
}

/// Adds the log lines of a case's legs to its observed outcomes and evaluates the case again
/// (judge and expectations) with the log in view; `lines(leg)` gives a leg's lines.
pub fn apply<'a>(
    result: &mut CaseResult,
    case: &Case,
    dist: &Distribution,
    lines: impl Fn(usize) -> LegLines<'a>,
) {
    for (leg, o) in result.observed.iter_mut().enumerate() {
        o.log = Some(observation(&lines(leg)));
    }
    let errored = result.verdict == Verdict::Error;
    let (findings, verdict, level) =
        edgeconform_core::verdict::evaluate(case, dist, &result.observed, errored);
    result.findings = findings;
    result.verdict = verdict;
    result.level = level;
}

/// BIL-LOG-RECONCILE over the whole run: the run's lines and their `sc-bytes` equal what the
/// viewer side received, leg by leg, for the requests sent to the logging edge (LIM-SIZE 413s are
/// not logged; nothing that got no response is counted). Bytes are not reconciled (a note, not a
/// failure) when the logs do not carry `sc-bytes`.
pub fn reconcile(
    log_file: &str,
    read: &LogRead,
    results: &[CaseResult],
    spooled: (u64, u64),
    logged: impl Fn(&CaseResult) -> bool,
) -> LogReconcile {
    let (mut wire_requests, mut wire_bytes) = spooled;
    for r in results.iter().filter(|r| logged(r)) {
        let (n, bytes) = wire_totals(&r.wire);
        wire_requests += n;
        wire_bytes += bytes;
    }
    let (mut problems, mut notes) = (Vec::new(), Vec::new());
    if read.problems > 0 {
        problems.push(format!(
            "{} problems reading {log_file} (LOG-FORMAT)",
            read.problems
        ));
    }
    if read.requests != wire_requests {
        problems.push(format!(
            "the log has {} requests; the viewer side received {wire_requests} responses",
            read.requests
        ));
    }
    if read.without_sc_bytes > 0 {
        notes.push(format!(
            "{} of the run's lines carry no sc-bytes: bytes not observed",
            read.without_sc_bytes
        ));
    } else if read.sc_bytes != wire_bytes {
        problems.push(format!(
            "the log's sc-bytes sum to {}; the viewer side received {wire_bytes} bytes",
            read.sc_bytes
        ));
    }
    if read.by_path > 0 {
        notes.push(format!(
            "{} lines picked by time window and path (the log has no request id)",
            read.by_path
        ));
    }
    if read.foreign > 0 {
        notes.push(format!("{} lines of other traffic ignored", read.foreign));
    }
    LogReconcile {
        log_file: log_file.to_string(),
        log_requests: read.requests,
        log_sc_bytes: read.sc_bytes,
        wire_requests,
        wire_bytes,
        ok: problems.is_empty(),
        problems,
        notes,
    }
}

/// The responses of a case's legs the edge logs, and their bytes: every leg that got a response,
/// except LIM-SIZE 413s (an oversized request is not logged).
pub fn wire_totals(wire: &[(u16, u64)]) -> (u64, u64) {
    wire.iter()
        .filter(|(status, _)| *status != 0 && *status != 413)
        .fold((0, 0), |(n, b), (_, bytes)| (n + 1, b + bytes))
}
