//! Reading the target's access log after a run (LOG-*, BIL-LOG-RECONCILE): each case's legs get
//! the log lines that carry their correlation id (the reference edge uses the runner's
//! `x-edgeconform-id` as `x-edge-request-id`), the judge re-checks those legs with the log in
//! view, and the log's totals are reconciled with the wire ledger.

use crate::report::model::{CaseResult, LogReconcile, Verdict};
use edgeconform_core::accesslog::{parse_log_line, LogRecord, LogTotals};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::outcome::{LogObservation, Outcome};
use edgeconform_core::spec::Case;
use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;

/// Log lines by request id.
pub fn index(records: &[LogRecord]) -> HashMap<&str, Vec<&LogRecord>> {
    let mut m: HashMap<&str, Vec<&LogRecord>> = HashMap::new();
    for r in records {
        m.entry(r.x_edge_request_id.as_str()).or_default().push(r);
    }
    m
}

fn observation(lines: &[&LogRecord]) -> LogObservation {
    let first = lines.first();
    LogObservation {
        lines: lines.len() as u32,
        result_type: first.map(|r| r.x_edge_result_type.as_str().to_string()),
        detailed_result_type: first.map(|r| r.x_edge_detailed_result_type.clone()),
        protocol: first.map(|r| r.cs_protocol.clone()),
        status: first.map(|r| r.sc_status.get()),
        sc_bytes: first.map(|r| r.sc_bytes),
    }
}

/// Adds the log lines of a case's legs to its observed outcomes and evaluates the case again
/// (judge and expectations) with the log in view; `correlation(leg)` gives the id a leg was sent
/// with.
pub fn apply(
    result: &mut CaseResult,
    case: &Case,
    dist: &Distribution,
    by_id: &HashMap<&str, Vec<&LogRecord>>,
    correlation: impl Fn(usize) -> String,
) {
    let mut legs = Vec::new();
    for (leg, obs) in result.observed.iter_mut().enumerate() {
        let Ok(mut o) = serde_json::from_value::<Outcome>(obs.clone()) else {
            return;
        };
        let id = correlation(leg);
        let lines = by_id.get(id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        o.log = Some(observation(lines));
        if let Ok(v) = serde_json::to_value(&o) {
            *obs = v;
        }
        legs.push(o);
    }
    let errored = result.verdict == Verdict::Error;
    let (findings, verdict, level) = super::evaluate(case, dist, &legs, errored);
    result.findings = findings;
    result.verdict = verdict;
    result.level = level;
}

/// BIL-LOG-RECONCILE over the whole run: the log's requests and `sc-bytes` equal what the viewer
/// side received, leg by leg, for the requests sent to the logging edge (LIM-SIZE 413s are not
/// logged; nothing that got no response is counted).
pub fn reconcile(
    log_file: &str,
    totals: &LogTotals,
    errors: usize,
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
    let mut problems = Vec::new();
    if errors > 0 {
        problems.push(format!(
            "{errors} lines of {log_file} do not parse (LOG-FORMAT)"
        ));
    }
    if totals.requests != wire_requests {
        problems.push(format!(
            "the log has {} requests; the viewer side received {wire_requests} responses",
            totals.requests
        ));
    }
    if totals.sc_bytes != wire_bytes {
        problems.push(format!(
            "the log's sc-bytes sum to {}; the viewer side received {wire_bytes} bytes",
            totals.sc_bytes
        ));
    }
    LogReconcile {
        log_file: log_file.to_string(),
        log_requests: totals.requests,
        log_sc_bytes: totals.sc_bytes,
        wire_requests,
        wire_bytes,
        ok: problems.is_empty(),
        problems,
    }
}

/// What was read of the logs: totals over every record, the records of the correlation ids
/// asked for, and the problems (the first [`SHOWN_PROBLEMS`] kept, all counted).
#[derive(Debug, Default)]
pub struct LogRead {
    pub totals: LogTotals,
    pub records: Vec<LogRecord>,
    pub problems: usize,
    pub shown: Vec<String>,
}

/// Problems of a damaged log kept for the report.
pub const SHOWN_PROBLEMS: usize = 10;

impl LogRead {
    /// Counts a problem; keeps its text while fewer than [`SHOWN_PROBLEMS`] are kept.
    pub fn problem(&mut self, what: String) {
        self.problems += 1;
        if self.shown.len() < SHOWN_PROBLEMS {
            self.shown.push(what);
        }
    }

    /// Reads one log line by line (a log of a 100k-case run is never held): every record is
    /// counted, and kept only when its `x-edge-request-id` is in `wanted`.
    pub fn read(&mut self, path: &Path, wanted: &HashSet<String>) -> std::io::Result<()> {
        let mut f = std::io::BufReader::new(std::fs::File::open(path)?);
        let mut buf = Vec::new();
        let mut line_no = 0;
        loop {
            buf.clear();
            if f.read_until(b'\n', &mut buf)? == 0 {
                return Ok(());
            }
            line_no += 1;
            let bytes = buf.strip_suffix(b"\n").unwrap_or(&buf);
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            let Ok(line) = std::str::from_utf8(bytes) else {
                self.problem(format!(
                    "{}:{line_no}:1: the line is not UTF-8 (LOG-FORMAT)",
                    path.display()
                ));
                continue;
            };
            match parse_log_line(line, line_no) {
                Ok(Some(r)) => {
                    self.totals.add(&r);
                    if wanted.contains(r.x_edge_request_id.as_str()) {
                        self.records.push(r);
                    }
                }
                Ok(None) => {}
                Err(e) => self.problem(format!("{}:{e}", path.display())),
            }
        }
    }
}

/// The responses of a case's legs the edge logs, and their bytes: every leg that got a response,
/// except LIM-SIZE 413s (an oversized request is not logged).
pub fn wire_totals(wire: &[(u16, u64)]) -> (u64, u64) {
    wire.iter()
        .filter(|(status, _)| *status != 0 && *status != 413)
        .fold((0, 0), |(n, b), (_, bytes)| (n + 1, b + bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's example lines (CloudFront developer guide), request ids `A` and `B`.
    fn line(id: &str, status: u16, sc_bytes: u64) -> String {
        format!(
            "2019-12-04\t21:02:31\tLAX1\t{sc_bytes}\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t{status}\t-\tcurl\t-\t-\tHit\t{id}\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-"
        )
    }

    #[test]
    fn a_log_is_streamed_counting_every_record_and_keeping_the_wanted_ones() {
        let dir = std::env::temp_dir().join(format!("edgeconform-logread-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("access.log");
        let mut text = edgeconform_core::accesslog::header().into_bytes();
        for l in [
            line("A", 200, 392),
            line("B", 301, 500),
            line("C", 403, 100),
        ] {
            text.extend_from_slice(l.as_bytes());
            text.extend_from_slice(b"\r\n");
        }
        text.extend_from_slice(b"not a log line\n\xff\xfe\n");
        std::fs::write(&path, text).unwrap();
        let wanted: HashSet<String> = ["B".to_string()].into();
        let mut read = LogRead::default();
        read.read(&path, &wanted).unwrap();
        assert_eq!(read.totals.requests, 3);
        assert_eq!(read.totals.sc_bytes, 392 + 500 + 100);
        assert_eq!(read.records.len(), 1);
        assert_eq!(read.records[0].x_edge_request_id, "B");
        assert_eq!(read.problems, 2, "{:?}", read.shown);
        assert!(read.shown[0].contains("access.log:6:"), "{:?}", read.shown);
        assert!(
            read.shown[1].contains(":7:1: the line is not UTF-8"),
            "{:?}",
            read.shown
        );
        assert!(read.read(&dir.join("missing.log"), &wanted).is_err());
        for i in 0..20 {
            read.problem(format!("p{i}"));
        }
        assert_eq!((read.problems, read.shown.len()), (22, SHOWN_PROBLEMS));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
