//! Reading the target's access logs after a run (LOG-*, BIL-LOG-RECONCILE): each log line is
//! matched to the request of the run it records, the judge re-checks the legs of the access-log
//! cases with their lines in view, and the run's lines are reconciled with the wire ledger.
//!
//! A line is the run's when its `x-edge-request-id` is a leg's correlation id (the reference edge
//! logs the runner's `x-edgeconform-id` there) or the `x-amz-cf-id` the edge answered that leg
//! with (a real CloudFront logs its own id). A log without request ids is matched by the run's
//! time window (a margin either side for clock skew; a line without a time is matched by shape
//! alone) and the request's method, scheme, path and query; a request is judged on such a log only
//! when exactly one line in the window has its shape and no other request of the run shares it,
//! and is otherwise *not observed* (none at all is zero lines, as with request ids). Every other
//! line is other traffic: counted, ignored.

use super::logfiles;
use crate::report::model::{CaseResult, LogReconcile, RequestInfo, Verdict};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::logline::{Entry, LineReader};
use edgeconform_core::outcome::LogObservation;
use edgeconform_core::spec::Case;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

/// Lines up to this long before the run's first request or after its last still count as the
/// run's when matched by time and path (clock skew between the runner and the edge).
pub const WINDOW_MARGIN_MS: u64 = 5 * 60 * 1000;

/// A leg of the run: the index of its case result, and the leg.
pub type LegRef = (usize, usize);

/// A request's shape as a log shows it: method, scheme, path and query, percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    method: String,
    scheme: String,
    path: Vec<u8>,
    query: Vec<u8>,
}

/// A 64-bit digest of an id or a [`Key`]: a run keeps one per leg instead of the text (a
/// 100,000-case run reads its log with a few MB of them). SipHash with fixed keys: two of the
/// run's values, or another line's and one of the run's, collide with odds near 2^-64 a pair.
fn digest<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

fn request_key(q: &RequestInfo) -> Option<Key> {
    let (scheme, rest) = q.url.split_once("://")?;
    let target = &rest[rest.find('/')?..];
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Some(Key {
        method: q.method.clone(),
        scheme: scheme.to_ascii_lowercase(),
        path: decode(path),
        query: decode(query),
    })
}

fn entry_key(e: &Entry) -> Option<Key> {
    Some(Key {
        method: e.method.clone()?,
        scheme: e.protocol.as_deref()?.to_ascii_lowercase(),
        path: decode(e.uri_stem.as_deref()?),
        query: decode(e.uri_query.as_deref().unwrap_or("")),
    })
}

/// Percent-decodes what decodes; a malformed `%` stays as it is.
fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|&h| char::from(h).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The legs of the run that share one shape.
#[derive(Debug, Clone, Copy)]
struct Shape {
    legs: u32,
    /// One of them belongs to a kept case.
    kept: bool,
}

/// The run's legs, as the logs can name them.
#[derive(Debug, Default)]
pub struct RunLegs {
    /// Digests of the legs' correlation ids and edge request ids.
    by_id: HashMap<u64, LegRef>,
    /// Digests of the legs' shapes ([`Key`]).
    by_key: HashMap<u64, Shape>,
    /// Cases whose lines are kept for the judge (the access-log cases); the others' are only
    /// counted.
    kept: HashSet<usize>,
    /// The run's first and last request, in milliseconds since the epoch, margins included.
    window: Option<(u64, u64)>,
    /// The index the next spooled case gets (after the cases in memory).
    next: usize,
}

impl RunLegs {
    /// The legs of `results`; lines are kept for the cases `keep` names. `window` is when the run
    /// sent its requests (milliseconds since the epoch); [`WINDOW_MARGIN_MS`] is added either side.
    pub fn new(
        results: &[CaseResult],
        keep: impl Fn(&CaseResult) -> bool,
        window: Option<(u64, u64)>,
    ) -> RunLegs {
        let mut run = RunLegs {
            window: window.map(|(a, b)| {
                (
                    a.saturating_sub(WINDOW_MARGIN_MS),
                    b.saturating_add(WINDOW_MARGIN_MS),
                )
            }),
            ..RunLegs::default()
        };
        for (i, r) in results.iter().enumerate() {
            if keep(r) {
                run.kept.insert(i);
            }
            run.add_legs(i, r, run.kept.contains(&i));
        }
        run.next = results.len();
        run
    }

    /// Adds a case of the run that is not in memory (spooled): its lines are the run's, counted
    /// and not kept.
    pub fn add_spooled(&mut self, r: &CaseResult) {
        self.add_legs(self.next, r, false);
        self.next += 1;
    }

    fn add_legs(&mut self, i: usize, r: &CaseResult, kept: bool) {
        for (leg, q) in r.requests.iter().enumerate() {
            self.by_id
                .insert(digest(q.correlation_id.as_str()), (i, leg));
            if let Some(cf) = &q.edge_request_id {
                self.by_id.insert(digest(cf.as_str()), (i, leg));
            }
            if let Some(k) = request_key(q) {
                let shape = self.by_key.entry(digest(&k)).or_insert(Shape {
                    legs: 0,
                    kept: false,
                });
                shape.legs += 1;
                shape.kept |= kept;
            }
        }
    }

    fn in_window(&self, e: &Entry) -> bool {
        match (self.window, e.time_ms) {
            (Some((a, b)), Some(t)) => (a..=b).contains(&t),
            _ => true,
        }
    }
}

/// What was read of the logs: the run's lines counted (and kept for the access-log cases),
/// other traffic counted, and the problems (the first [`SHOWN_PROBLEMS`] kept, all counted).
#[derive(Debug, Default)]
pub struct LogRead {
    /// The run's lines.
    pub requests: u64,
    /// Their `sc-bytes`, over the lines that carry it.
    pub sc_bytes: u64,
    /// The run's lines without `sc-bytes` (the field was not selected, or `-`).
    pub without_sc_bytes: u64,
    /// The run's lines found by time and path (the log has no request id).
    pub by_path: u64,
    /// Lines of other traffic, ignored.
    pub foreign: u64,
    by_leg: HashMap<LegRef, Vec<Entry>>,
    by_key: HashMap<u64, Vec<Entry>>,
    pub problems: usize,
    pub shown: Vec<String>,
}

/// Problems of a damaged log kept for the report.
pub const SHOWN_PROBLEMS: usize = 10;

/// The lines a leg has in the logs.
#[derive(Debug)]
pub enum LegLines<'a> {
    Lines(Vec<&'a Entry>),
    /// The log cannot tell this leg's line from another's (see the module doc).
    Unattributed,
}

impl LogRead {
    /// Counts a problem; keeps its text while fewer than [`SHOWN_PROBLEMS`] are kept.
    pub fn problem(&mut self, what: String) {
        self.problems += 1;
        if self.shown.len() < SHOWN_PROBLEMS {
            self.shown.push(what);
        }
    }

    /// Reads the logs at `paths` (files, or folders searched recursively), each line by line with
    /// a fresh copy of `reader` (which knows the plain logs' field selection and the delimiter).
    /// Nothing but the run's lines of the kept cases is held.
    pub fn read_paths(&mut self, paths: &[PathBuf], run: &RunLegs, reader: LineReader) {
        let (files, problems) = logfiles::expand(paths);
        for p in problems {
            self.problem(p);
        }
        for f in files {
            let mut problems = LogRead::default();
            logfiles::read(
                &f,
                reader.clone(),
                |e| self.add(run, e),
                |p| problems.problem(p),
            );
            self.problems += problems.problems;
            let room = SHOWN_PROBLEMS.saturating_sub(self.shown.len());
            self.shown.extend(problems.shown.into_iter().take(room));
        }
    }

    /// Sorts one line: the run's (by request id, else by time window and shape) or other traffic.
    pub fn add(&mut self, run: &RunLegs, e: Entry) {
        let leg = match &e.request_id {
            Some(id) => match run.by_id.get(&digest(id.as_str())) {
                Some(&leg) => Some(leg),
                None => {
                    self.foreign += 1;
                    return;
                }
            },
            None => None,
        };
        let key = match leg {
            Some(_) => None,
            None => match entry_key(&e)
                .map(|k| digest(&k))
                .filter(|k| run.in_window(&e) && run.by_key.contains_key(k))
            {
                Some(k) => Some(k),
                None => {
                    self.foreign += 1;
                    return;
                }
            },
        };
        self.requests += 1;
        match e.sc_bytes {
            Some(b) => self.sc_bytes = self.sc_bytes.saturating_add(b),
            None => self.without_sc_bytes += 1,
        }
        match (leg, key) {
            (Some(leg), _) => {
                if run.kept.contains(&leg.0) {
                    self.by_leg.entry(leg).or_default().push(e);
                }
            }
            (None, Some(k)) => {
                self.by_path += 1;
                if run.by_key.get(&k).is_some_and(|s| s.kept) {
                    self.by_key.entry(k).or_default().push(e);
                }
            }
            (None, None) => {}
        }
    }

    /// The lines of one leg (`q` is what it sent).
    pub fn lines_of(&self, run: &RunLegs, leg: LegRef, q: &RequestInfo) -> LegLines<'_> {
        if let Some(lines) = self.by_leg.get(&leg) {
            return LegLines::Lines(lines.iter().collect());
        }
        let Some(k) = request_key(q) else {
            return LegLines::Lines(Vec::new());
        };
        let k = digest(&k);
        let found = self.by_key.get(&k).map_or(&[][..], Vec::as_slice);
        let sharing = run.by_key.get(&k).map_or(0, |s| s.legs);
        match found {
            [] => LegLines::Lines(Vec::new()),
            [one] if sharing == 1 => LegLines::Lines(vec![one]),
            _ => LegLines::Unattributed,
        }
    }
}

fn observation(lines: &LegLines) -> LogObservation {
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
    let (findings, verdict, level) = super::evaluate(case, dist, &result.observed, errored);
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

#[cfg(test)]
mod tests {
    use super::*;
    use edgeconform_core::rules::Level;
    use flate2::write::GzEncoder;
    use std::io::Write;

    /// A case result with one leg per `(correlation id, method, url)`.
    fn result(id: &str, legs: &[(&str, &str, &str)]) -> CaseResult {
        CaseResult {
            seq: 0,
            id: id.into(),
            name: id.into(),
            file: "t.yaml".into(),
            line: 1,
            rules: Vec::new(),
            level: Level::Must,
            tags: Vec::new(),
            verdict: Verdict::Pass,
            requests: legs
                .iter()
                .map(|(corr, method, url)| RequestInfo {
                    correlation_id: corr.to_string(),
                    method: method.to_string(),
                    url: url.to_string(),
                    http_version: "HTTP/1.1".into(),
                    headers: Vec::new(),
                    prime: false,
                    edge_request_id: None,
                })
                .collect(),
            expected: Vec::new(),
            observed: Vec::new(),
            findings: Vec::new(),
            error: None,
            duration_ms: 0,
            wire: Vec::new(),
        }
    }

    /// A legacy line (AWS's example with the fields that matter replaced).
    fn legacy(id: &str, proto: &str, path: &str, status: u16, sc_bytes: u64) -> String {
        format!(
            "2019-12-04\t21:02:31\tLAX1\t{sc_bytes}\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t{path}\t{status}\t-\tcurl\t-\t-\tRedirect\t{id}\td111111abcdef8.cloudfront.net\t{proto}\t23\t0.001\t-\t-\t-\tRedirect\tHTTP/1.1\t-\t-\t11040\t0.001\tRedirect\ttext/html\t78\t-\t-\n"
        )
    }

    fn gz(text: &str) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("edgeconform-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_folder_of_gzipped_hourly_files_with_other_traffic() {
        let results = vec![
            result(
                "a",
                &[
                    ("A-0", "GET", "http://h/images/a.jpg"),
                    ("A-1", "GET", "https://h/images/a.jpg"),
                ],
            ),
            result("b", &[("B-0", "PUT", "http://h/account/x")]),
        ];
        let run = RunLegs::new(&results, |r| r.id == "a", None);
        let dir = temp("logfolder");
        std::fs::create_dir_all(dir.join("2019/12/04")).unwrap();
        let header = edgeconform_core::accesslog::header();
        // Delivered as CloudFront does: several files, lines interleaved with other traffic, the
        // second leg's line in a later file.
        let files = [
            (
                "2019/12/04/E1.2019-12-04-21.aaaa.gz",
                vec![
                    legacy("X1", "https", "/", 200, 900),
                    legacy("A-0", "http", "/images/a.jpg", 301, 400),
                ],
            ),
            (
                "2019/12/04/E1.2019-12-04-21.bbbb.gz",
                vec![
                    legacy("B-0", "http", "/account/x", 403, 300),
                    legacy("X2", "http", "/images/a.jpg", 301, 400),
                ],
            ),
            (
                "E1.2019-12-04-22.cccc.gz",
                vec![legacy("A-1", "https", "/images/a.jpg", 200, 5400)],
            ),
        ];
        for (name, lines) in &files {
            std::fs::write(dir.join(name), gz(&format!("{header}{}", lines.concat()))).unwrap();
        }
        let mut read = LogRead::default();
        read.read_paths(std::slice::from_ref(&dir), &run, LineReader::new());
        assert_eq!(
            (read.requests, read.sc_bytes, read.foreign),
            (3, 400 + 300 + 5400, 2)
        );
        assert!(read.shown.is_empty(), "{:?}", read.shown);
        for leg in 0..2 {
            let LegLines::Lines(lines) = read.lines_of(&run, (0, leg), &results[0].requests[leg])
            else {
                panic!("leg {leg} unattributed");
            };
            assert_eq!(lines.len(), 1);
        }
        // Case b is counted, not kept.
        assert!(
            matches!(read.lines_of(&run, (1, 0), &results[1].requests[0]), LegLines::Lines(l) if l.is_empty())
        );
        let rec = reconcile("logs", &read, &results, (0, 0), |_| true);
        assert!(
            rec.notes
                .iter()
                .any(|n| n == "2 lines of other traffic ignored"),
            "{:?}",
            rec.notes
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn without_request_ids_lines_are_picked_by_window_and_shape() {
        let results = vec![
            result("a", &[("A-0", "GET", "http://h/images/a.jpg?x=1")]),
            result("b", &[("B-0", "GET", "http://h/same")]),
            result("c", &[("C-0", "GET", "http://h/same")]),
        ];
        // 2019-12-04T21:02:31Z, give or take a minute.
        let t = 1_575_493_351_000;
        let run = RunLegs::new(&results, |_| true, Some((t - 60_000, t + 60_000)));
        let json = |ts: u64, path: &str, q: &str| {
            format!(
                r#"{{"timestamp(ms)":{ts},"cs-method":"GET","cs-protocol":"http","cs-uri-stem":"{path}","cs-uri-query":"{q}","sc-status":"301","x-edge-result-type":"Redirect"}}"#
            )
        };
        let mut read = LogRead::default();
        for line in [
            json(t, "/images/a.jpg", "x=1"),
            json(t + 3_600_000, "/images/a.jpg", "x=1"), // an hour later: not the run's
            json(t, "/same", "-"),
            json(t, "/other", "-"),
        ] {
            let e = LineReader::new().line(&line, 1).unwrap().unwrap();
            read.add(&run, e);
        }
        assert_eq!((read.requests, read.by_path, read.foreign), (2, 2, 2));
        let LegLines::Lines(a) = read.lines_of(&run, (0, 0), &results[0].requests[0]) else {
            panic!("a is unique");
        };
        let o = observation(&LegLines::Lines(a));
        assert_eq!(
            (o.lines, o.sc_bytes, o.result_type.as_deref()),
            (1, None, Some("Redirect"))
        );
        // b and c send the same request: the one line cannot be given to either.
        assert!(matches!(
            read.lines_of(&run, (1, 0), &results[1].requests[0]),
            LegLines::Unattributed
        ));
        let rec = reconcile("logs", &read, &results, (0, 0), |_| true);
        assert!(
            rec.notes.iter().any(|n| n.contains("carry no sc-bytes")),
            "{:?}",
            rec.notes
        );
        assert!(
            !rec.problems.iter().any(|p| p.contains("sc-bytes")),
            "{:?}",
            rec.problems
        );
    }

    #[test]
    fn problems_are_counted_and_capped_with_their_position() {
        let dir = temp("logproblems");
        let path = dir.join("access.log");
        let mut text = edgeconform_core::accesslog::header().into_bytes();
        text.extend_from_slice(legacy("A-0", "http", "/", 301, 1).as_bytes());
        text.extend_from_slice(b"not a log line\n\xff\xfe\n");
        std::fs::write(&path, text).unwrap();
        let results = vec![result("a", &[("A-0", "GET", "http://h/")])];
        let run = RunLegs::new(&results, |_| true, None);
        let mut read = LogRead::default();
        read.read_paths(&[path, dir.join("missing.log")], &run, LineReader::new());
        assert_eq!(read.requests, 1);
        assert_eq!(read.problems, 3, "{:?}", read.shown);
        assert!(read.shown[0].contains("access.log:4:"), "{:?}", read.shown);
        assert!(
            read.shown[1].contains(":5:1: the line is not UTF-8"),
            "{:?}",
            read.shown
        );
        assert!(
            read.shown[2].contains("missing.log: cannot read"),
            "{:?}",
            read.shown
        );
        for i in 0..20 {
            read.problem(format!("p{i}"));
        }
        assert_eq!((read.problems, read.shown.len()), (23, SHOWN_PROBLEMS));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
