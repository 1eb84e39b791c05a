//! `edgeconform run --access-log` with logs delivered the way CloudFront delivers them: the
//! reference edge and the instrumented origin run as processes, a run reads the edge's plain log
//! file, and a second run of the same cases reads that log converted to what CloudFront delivers:
//! gzipped, split into several files of a folder tree, in the legacy and v2 forms, mixed with
//! other traffic. Both runs must give every case the same verdict and both must reconcile.

use edgeconform_core::accesslog::{parse_line, LogDate, LogRecord};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_edgeconform");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `edgeconform ARGS` and reads its JSON stdout lines until one has `event` == `until`.
fn start(args: &[&str], until: &str) -> (Kill, Vec<Value>) {
    let mut child = Kill(
        Command::new(BIN)
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts"),
    );
    let out = std::io::BufReader::new(child.0.stdout.take().unwrap());
    let mut lines = Vec::new();
    for line in out.lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let done = v["event"] == until;
        lines.push(v);
        if done {
            return (child, lines);
        }
    }
    panic!("{args:?} ended before printing {until}: {lines:?}");
}

fn gz(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

/// Case id → verdict, and the log reconciliation, of a run's report.json.
fn verdicts(reports: &Path) -> (BTreeMap<String, String>, Value) {
    let text = std::fs::read_to_string(reports.join("latest/report.json")).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    let v = r["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (v, r["log_reconcile"].clone())
}

#[test]
fn a_folder_of_gzipped_split_logs_judges_like_the_plain_file() {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("access-logs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca");
    let log = dir.join("edge.log");
    let dist = "specs/distributions/standard.yaml";
    let (_origin, lines) = start(
        &[
            "origin",
            "--distribution",
            dist,
            "--ca-dir",
            ca.to_str().unwrap(),
        ],
        "control",
    );
    let control = lines.last().unwrap()["addr"].as_str().unwrap().to_string();
    let (_edge, lines) = start(
        &[
            "edge",
            "-d",
            dist,
            "--ca-dir",
            ca.to_str().unwrap(),
            "--origin-control",
            &format!("http://{control}"),
            "--access-log",
            log.to_str().unwrap(),
        ],
        "access_log",
    );
    let addr = |scheme: &str| {
        lines
            .iter()
            .find(|l| l["event"] == "listener" && l["scheme"] == scheme)
            .unwrap()["addr"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (http, https) = (addr("http"), addr("https"));
    let run = |reports: &Path, access_log: &Path, viewer_only: bool| {
        let side: &[&str] = if viewer_only {
            &["--viewer-only"]
        } else {
            &["--origin-control", &control]
        };
        let out = Command::new(BIN)
            .args(["run", "specs/access-log.yaml", "--distribution", dist])
            .args(["--target", &format!("http://{http}")])
            .args(["--target-https", &format!("https://{https}")])
            .args(side)
            .arg("--ca")
            .arg(ca.join("ca.pem"))
            .arg("--access-log")
            .arg(access_log)
            .arg("--reports")
            .arg(reports)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        verdicts(reports)
    };
    let read_report = |reports: &Path| -> Value {
        let text = std::fs::read_to_string(reports.join("latest/report.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    };

    let (plain, plain_rec) = run(&dir.join("r1"), &log, false);
    assert_eq!(plain_rec["ok"], true, "{plain_rec}");
    assert!(
        plain.values().all(|v| v == "pass" || v == "info"),
        "{plain:?}"
    );

    // The first run's lines, as CloudFront would deliver them to the second run: gzipped, split
    // over three files of a folder tree, other traffic in between, in three forms (v2 JSON, v2
    // W3C with its own field selection and order, legacy). A run's correlation ids are its own,
    // so the request ids are left out (legacy: `-`) and the second run picks its lines by its
    // time window and each request's method, scheme, path and query.
    let text = std::fs::read_to_string(&log).unwrap();
    let records: Vec<LogRecord> = text
        .lines()
        .skip(2)
        .enumerate()
        .map(|(i, l)| parse_line(l, i + 3).unwrap())
        .collect();
    assert!(records.len() > 3, "{text}");
    let mut foreign = records[0].clone();
    foreign.cs_uri_stem = "/somebody/else".into();
    foreign.x_edge_request_id = "OTHER".into();
    let mut earlier = records[0].clone();
    earlier.x_edge_request_id = String::new();
    earlier.date = LogDate::new(2019, 12, 4).unwrap();
    let third = records.len().div_ceil(3);
    let chunks: Vec<&[LogRecord]> = records.chunks(third).collect();
    let json = |r: &LogRecord| {
        serde_json::json!({
            "sc-bytes": r.sc_bytes.to_string(), "date": r.date.to_string(), "time": r.time.to_string(),
            "cs-protocol": r.cs_protocol, "cs-method": r.cs_method, "cs-uri-stem": r.cs_uri_stem,
            "cs-uri-query": if r.cs_uri_query.is_empty() { "-".to_string() } else { r.cs_uri_query.clone() },
            "sc-status": r.sc_status.to_string(), "x-edge-result-type": r.x_edge_result_type.to_string(),
            "x-edge-detailed-result-type": r.x_edge_detailed_result_type, "c-ip": r.c_ip,
        })
        .to_string()
    };
    let w3c = |r: &LogRecord| {
        let q = edgeconform_core::accesslog::escape(&r.cs_uri_query);
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.x_edge_detailed_result_type,
            r.cs_uri_stem,
            q,
            r.cs_method,
            r.cs_protocol,
            r.sc_status,
            r.x_edge_result_type,
            r.sc_bytes,
            r.date,
            r.time
        )
    };
    let legacy = |r: &LogRecord| {
        let mut r = r.clone();
        r.x_edge_request_id = String::new();
        r.to_line()
    };
    let mut forms: Vec<String> = Vec::new();
    let mut body = String::new();
    for r in chunks[0] {
        body += &json(&foreign);
        body += "\n";
        body += &json(r);
        body += "\n";
    }
    forms.push(body);
    let mut body = "#Version: 1.0\n#Fields: x-edge-detailed-result-type cs-uri-stem cs-uri-query cs-method cs-protocol sc-status x-edge-result-type sc-bytes date time\n".to_string();
    for r in chunks.get(1).copied().unwrap_or_default() {
        body += &format!("{}\n{}\n", w3c(&foreign), w3c(r));
    }
    forms.push(body);
    let mut body = edgeconform_core::accesslog::header();
    body += &format!("{}\n", legacy(&earlier));
    for r in chunks.get(2).copied().unwrap_or_default() {
        body += &format!("{}\n{}\n", foreign.to_line(), legacy(r));
    }
    forms.push(body);
    let folder = dir.join("delivered");
    std::fs::create_dir_all(folder.join("2019/12/04")).unwrap();
    for (i, body) in forms.iter().enumerate() {
        let name = format!("E2EXAMPLE.2019-12-04-2{i}.{i:08x}.gz");
        let name = if i == 0 {
            name
        } else {
            format!("2019/12/04/{name}")
        };
        std::fs::write(folder.join(name), gz(body)).unwrap();
    }

    let (split, split_rec) = run(&dir.join("r2"), &folder, false);
    assert_eq!(split, plain);
    assert_eq!(split_rec["ok"], true, "{split_rec}");
    assert_eq!(split_rec["log_requests"], plain_rec["log_requests"]);
    assert_eq!(split_rec["log_sc_bytes"], plain_rec["log_sc_bytes"]);
    let notes = split_rec["notes"].to_string();
    assert!(
        notes.contains(&format!(
            "{} lines of other traffic ignored",
            records.len() + 1
        )),
        "{notes}"
    );

    // Viewer-only, as against CloudFront itself (the origin's object sizes are then its own, so
    // the run is judged on its own lines: the edge's log, where the earlier runs' lines are other
    // traffic). The log is what shows the bill's one line per response (BIL-PER-RESPONSE) and the
    // log rules, so the judge observes them.
    let (viewer, viewer_rec) = run(&dir.join("r3"), &log, true);
    assert_eq!(viewer_rec["ok"], true, "{viewer_rec}");
    assert!(
        viewer_rec["notes"]
            .to_string()
            .contains("other traffic ignored"),
        "{viewer_rec}"
    );
    assert!(
        viewer.values().all(|v| v == "pass" || v == "info"),
        "{viewer:?}"
    );
    let r = read_report(&dir.join("r3"));
    for c in r["cases"].as_array().unwrap() {
        for f in c["findings"].as_array().into_iter().flatten() {
            let rules = f["rules"].to_string();
            assert!(
                !(f["not_observed"] == true
                    && f["source"] == "judge"
                    && (rules.contains("BIL-PER-RESPONSE") || rules.contains("LOG-RESULT-TYPE"))),
                "{}: {f}",
                c["id"]
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_field_selection_or_delimiter_is_a_usage_error_before_anything_is_sent() {
    let out = Command::new(BIN)
        .args(["run", "specs/access-log.yaml"])
        .args(["--distribution", "specs/distributions/standard.yaml"])
        .args(["--target", "http://127.0.0.1:9", "--access-log", "nowhere"])
        .args(["--log-fields", "sc-bytes,cs-method,sc-bytes"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--log-fields: the field `sc-bytes` is named twice"),
        "{stderr}"
    );
    let out = Command::new(BIN)
        .args(["run", "specs/access-log.yaml"])
        .args(["--distribution", "specs/distributions/standard.yaml"])
        .args(["--target", "http://127.0.0.1:9", "--access-log", "nowhere"])
        .args(["--log-delimiter", ""])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--log-delimiter: "), "{stderr}");
}
