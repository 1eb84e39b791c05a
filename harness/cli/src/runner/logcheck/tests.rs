//! Logs read as a run would: gzipped hourly files with other traffic, logs without request
//! ids matched by window and shape, damaged lines counted with their position.

use super::judge::observation;
use super::*;
use crate::report::model::{CaseResult, RequestInfo, Verdict};
use edgeconform_core::logline::LineReader;
use edgeconform_core::rules::Level;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::PathBuf;

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
