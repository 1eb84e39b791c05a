//! `edgeconform run`, end to end through the binary: the suite against the embedded reference edge
//! passes every case and its reports agree with the console; a target that misbehaves or is not
//! there still gets a report and the right exit code; the naive nginx config that tutorials give is
//! caught for exactly what it does wrong.

use edgeconform::origin::{ListenerSpec, OriginServer};
use edgeconform::tls::TestCa;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch(name: &str) -> PathBuf {
    let d =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn edgeconform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgeconform"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn report(dir: &Path) -> Value {
    let text =
        std::fs::read_to_string(dir.join("latest/report.json")).expect("report.json is written");
    serde_json::from_str(&text).expect("report.json parses")
}

/// The stdout of a run that exited 0 (the run's output shown when it did not).
fn passes(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// `N passed, N failed` from the console.
fn totals_line(stdout: &str) -> (usize, usize) {
    let line = stdout
        .lines()
        .find(|l| {
            l.starts_with(|c: char| c.is_ascii_digit())
                && l.contains(" passed, ")
                && (l.ends_with(" failed") || l.contains(" failed, "))
        })
        .unwrap_or_else(|| panic!("no totals line in:\n{stdout}"));
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    (nums[0], nums[1])
}

fn verdicts(r: &Value) -> (usize, usize) {
    let cases = r["cases"].as_array().unwrap();
    let count = |which: &[&str]| {
        cases
            .iter()
            .filter(|c| which.contains(&c["verdict"].as_str().unwrap_or("")))
            .count()
    };
    (count(&["pass", "info"]), count(&["fail", "error"]))
}

#[test]
fn the_suite_passes_against_the_reference_edge_and_reports_agree() {
    let dir = scratch("reference");
    let out = edgeconform(&["run", "specs", "--reports", dir.to_str().unwrap()]);
    let stdout = passes(&out);
    let (passed, failed) = totals_line(&stdout);
    assert_eq!(failed, 0);
    assert!(passed > 500, "only {passed} cases ran");
    let r = report(&dir);
    assert_eq!(r["schema_version"], 1);
    assert_eq!(verdicts(&r), (passed, failed));
    assert_eq!(r["log_reconcile"]["ok"], true, "{}", r["log_reconcile"]);
    let junit = std::fs::read_to_string(dir.join("latest/junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), passed + failed);
    assert_eq!(junit.matches("<failure").count(), 0);
    for f in ["summary.md", "index.html"] {
        assert!(dir.join("latest").join(f).is_file(), "{f} missing");
    }
}

/// Above 2,000 cases the runner spools results to disk and keeps a row per case: the suite plus a
/// generated matrix still passes, every report counts every case, the access log still
/// reconciles with what the viewer side received (spooled cases included), and the spool is
/// removed afterwards.
#[test]
fn a_big_spooled_run_reports_every_case_and_reconciles_the_log() {
    let dir = scratch("big");
    let dist = root().join("specs/distributions/standard.yaml");
    let mut suite = format!(
        "distribution: {}\nmatrix:\n  id: big\n  paths:\n",
        dist.display()
    );
    for i in 0..72 {
        suite.push_str(&format!("    - /public/big{i}\n"));
    }
    let big = dir.join("big.yaml");
    std::fs::write(&big, suite).unwrap();
    let reports = dir.join("reports");
    let out = edgeconform(&[
        "run",
        "specs",
        big.to_str().unwrap(),
        "--reports",
        reports.to_str().unwrap(),
    ]);
    let stdout = passes(&out);
    let (passed, failed) = totals_line(&stdout);
    assert_eq!(failed, 0);
    assert!(
        passed > 2500,
        "only {passed} cases ran: the spool was not used"
    );
    let r = report(&reports);
    assert_eq!(verdicts(&r), (passed, 0));
    assert_eq!(r["log_reconcile"]["ok"], true, "{}", r["log_reconcile"]);
    assert!(r["log_reconcile"]["wire_requests"].as_u64().unwrap() > 2500);
    // Spooled cases come back whole: expectations and observations included.
    let cell = r["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "big-get-https-public-big71-1.1")
        .expect("the last path's cell is in report.json");
    assert_eq!(cell["observed"][0]["status"], 200, "{cell}");
    assert!(cell["expected"][0].is_object());
    let junit = std::fs::read_to_string(reports.join("latest/junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), passed);
    let page = std::fs::read_to_string(reports.join("latest/index.html")).unwrap();
    assert!(page.contains("The first 2000 are shown"));
    let left: Vec<_> = std::fs::read_dir(&reports)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".spool"))
        .collect();
    assert!(left.is_empty(), "the spool was left behind: {left:?}");
}

#[test]
fn selecting_nothing_is_a_usage_error() {
    let dir = scratch("none");
    let out = edgeconform(&[
        "run",
        "specs",
        "--id",
        "no-such-case",
        "--reports",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no case selected"));
}

/// A recipe whose `start` leaves a real server running (`sleep 30`) and whose `stop` kills it
/// and notes that it ran: a run that selects nothing ends right after the start, and the
/// recipe is stopped all the same.
#[test]
fn a_recipe_is_stopped_when_the_run_ends_right_after_its_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("recipe-early-end");
    let recipe = dir.join("targets/sleeper");
    std::fs::create_dir_all(&recipe).unwrap();
    for (name, body) in [
        ("start", "sleep 30 >/dev/null 2>&1 &\necho $! > \"$(dirname \"$0\")/pid\"\n"),
        ("stop", "kill \"$(cat \"$(dirname \"$0\")/pid\")\"\necho stopped >> \"$(dirname \"$0\")/stops\"\n"),
    ] {
        let path = recipe.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = edgeconform(&[
        "run",
        "specs",
        "--recipe",
        "sleeper",
        "--targets",
        dir.join("targets").to_str().unwrap(),
        "--id",
        "no-such-case",
        "--reports",
        dir.join("reports").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no case selected"), "{stderr}");
    let pid = std::fs::read_to_string(recipe.join("pid")).expect("the recipe was started");
    let stops = std::fs::read_to_string(recipe.join("stops")).unwrap_or_default();
    assert_eq!(stops.lines().count(), 1, "the recipe's stop ran {stops:?}");
    // Gone, or a zombie waiting for whoever adopted it: not running.
    let running = || {
        std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).is_ok_and(|s| {
            s.rsplit(')')
                .next()
                .is_some_and(|r| !r.trim_start().starts_with('Z'))
        })
    };
    let mut waited = 0;
    while running() && waited < 100 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    assert!(!running(), "the recipe's server {} still runs", pid.trim());
}

#[test]
fn a_run_that_observed_nothing_is_no_pass() {
    // Viewer-only, a case whose rules only the origin shows: not observed, which must not exit 0.
    let dir = scratch("unobserved");
    let out = edgeconform(&[
        "run",
        "specs",
        "--viewer-only",
        "--id",
        "s3-origin-http-viewer-http",
        "--reports",
        dir.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no selected case could be observed"),
        "{stderr}"
    );
    let report = std::fs::read_to_string(dir.join("latest/report.json")).unwrap();
    assert!(report.contains("\"not-observed\""), "{report}");
}

#[test]
fn a_target_that_answers_200_to_everything_fails_with_a_report() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ca = TestCa::generate().unwrap();
    // A plain web server (the instrumented origin itself) posing as the edge.
    let server = rt
        .block_on(OriginServer::start(
            vec![
                ListenerSpec::http("plain", 80),
                ListenerSpec::https("plain", 443),
            ],
            &ca,
            vec![],
            None,
        ))
        .unwrap();
    let http = format!("http://{}", server.listener("plain", false).unwrap().addr);
    let https = format!("https://{}", server.listener("plain", true).unwrap().addr);
    let dir = scratch("plain");
    let out = edgeconform(&[
        "run",
        "specs",
        "--target",
        &http,
        "--target-https",
        &https,
        "--insecure",
        "--reports",
        dir.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let (passed, failed) = totals_line(&stdout);
    assert!(
        failed > 100,
        "a server answering 200 everywhere should fail most cases; failed {failed}"
    );
    let r = report(&dir);
    assert_eq!(verdicts(&r), (passed, failed));
    assert_eq!(r["target"]["insecure"], true);
    let junit = std::fs::read_to_string(dir.join("latest/junit.xml")).unwrap();
    assert_eq!(
        junit.matches("<failure").count() + junit.matches("<error").count(),
        failed
    );
    // The redirect rules are named, with expected vs observed.
    let text = r.to_string();
    assert!(text.contains("VPP-REDIRECT-SAFE") && text.contains("VPP-HTTPS-ONLY"));
    rt.block_on(server.shutdown());
}

#[test]
fn a_plain_http_target_runs_its_http_cases_and_reports_the_rest_not_run() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ca = TestCa::generate().unwrap();
    let server = rt
        .block_on(OriginServer::start(
            vec![ListenerSpec::http("plain", 80)],
            &ca,
            vec![],
            None,
        ))
        .unwrap();
    let http = format!("http://{}", server.listener("plain", false).unwrap().addr);
    let dir = scratch("http-only");
    let out = edgeconform(&[
        "run",
        "specs/viewer-protocol-policy.yaml",
        "--target",
        &http,
        "--reports",
        dir.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The HTTP cases ran (and a plain server fails the redirect ones): not a usage error.
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let r = report(&dir);
    let cases = r["cases"].as_array().unwrap();
    let not_run: Vec<&Value> = cases.iter().filter(|c| c["verdict"] == "not-run").collect();
    assert!(!not_run.is_empty());
    for c in &not_run {
        assert!(c["requests"].as_array().unwrap().is_empty(), "{c}");
        assert!(
            c["error"].as_str().unwrap().contains("--target-https"),
            "{c}"
        );
    }
    // The cases that ran sent plain HTTP only.
    let ran: Vec<&Value> = cases.iter().filter(|c| c["verdict"] != "not-run").collect();
    assert!(ran.len() > 10, "only {} cases ran", ran.len());
    for c in ran {
        for q in c["requests"].as_array().unwrap() {
            assert!(q["url"].as_str().unwrap().starts_with("http://"), "{c}");
        }
    }
    let line = stdout.lines().last().unwrap_or_default();
    assert!(
        line.ends_with(&format!(", {} not run", not_run.len())),
        "{line}"
    );
    rt.block_on(server.shutdown());
}

#[test]
fn an_unreachable_target_exits_3_and_still_writes_a_report() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dir = scratch("unreachable");
    let out = edgeconform(&[
        "run",
        "specs/viewer-protocol-policy.yaml",
        "--target",
        &format!("http://{closed}"),
        "--target-https",
        &format!("https://{closed}"),
        "--timeout",
        "2",
        "--reports",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = report(&dir);
    assert!(r["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["verdict"] == "error"));
}

/// The runner over standard.yaml against nginx whose HTTP server is the one-liner
/// `return 301 https://$host$request_uri;` reports VPP-REDIRECT-UNSAFE, VPP-HTTPS-ONLY and
/// VPP-ALLOW-ALL, and no violation for GET/HEAD on redirect-to-https paths. Needs Debian's nginx:
/// the recipe installs it when running as root (CI); elsewhere the test says why it stops.
#[test]
fn naive_nginx_is_caught_for_what_it_does_wrong() {
    let have_nginx = Path::new("/usr/sbin/nginx").exists();
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if !have_nginx && !root_user {
        // Passing without nginx would hide that nothing was checked: skipping takes an explicit
        // EDGECONFORM_SKIP=nginx (CI runs as root and the recipe installs it).
        let allowed = std::env::var("EDGECONFORM_SKIP")
            .is_ok_and(|v| v.split(',').any(|t| t.trim() == "nginx"));
        assert!(
            allowed,
            "nginx is not installed and installing it needs root: install nginx, or set EDGECONFORM_SKIP=nginx to skip this test knowingly"
        );
        eprintln!("SKIPPED (EDGECONFORM_SKIP=nginx): nginx is not installed");
        return;
    }
    let dir = scratch("nginx-naive");
    let out = edgeconform(&[
        "run",
        "specs",
        "--recipe",
        "nginx-naive",
        "--reports",
        dir.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "harness fault: {stderr}"
    );
    let r = report(&dir);
    let cases = r["cases"].as_array().unwrap();
    let violated = |c: &Value| -> Vec<String> {
        c["findings"]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter(|f| f["info"] != true)
                    .flat_map(|f| {
                        f["rules"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|r| r.as_str().unwrap().to_string())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let all: std::collections::BTreeSet<String> = cases.iter().flat_map(violated).collect();
    for rule in ["VPP-REDIRECT-UNSAFE", "VPP-HTTPS-ONLY", "VPP-ALLOW-ALL"] {
        assert!(all.contains(rule), "{rule} not reported; violated: {all:?}");
    }
    // GET/HEAD over HTTP to a redirect-to-https path with the distribution's own Host: the
    // one-liner does exactly what CloudFront does.
    let mut checked = 0;
    for c in cases {
        let req = &c["requests"][0];
        let url = req["url"].as_str().unwrap();
        let redirect_path = ["/images/", "/site/", "/api/"]
            .iter()
            .any(|p| url.contains(&format!("cloudfront.net{p}")));
        if matches!(req["method"].as_str(), Some("GET" | "HEAD"))
            && url.starts_with("http://d111111abcdef8.cloudfront.net/")
            && redirect_path
            && c["id"].as_str().unwrap().starts_with("matrix-")
        {
            checked += 1;
            let v = violated(c);
            assert!(
                !v.iter()
                    .any(|r| r.starts_with("VPP-REDIRECT-SAFE") || r.starts_with("LOC-")),
                "{}: {v:?}",
                c["id"]
            );
        }
    }
    assert!(
        checked >= 8,
        "only {checked} GET/HEAD redirect cases checked"
    );
}

/// The cache suite against the reference edge (which does not cache: forwarded is served) and
/// against the mutant that answers from a path-keyed cache before the viewer protocol policy:
/// each priming request is listed after the case's legs, and a hit carries its evidence and the
/// fetch that filled it.
#[test]
fn the_cache_suite_passes_a_forwarding_edge_and_catches_a_cache_before_the_policy() {
    let dir = scratch("cache-ref");
    let d = dir.to_str().unwrap();
    passes(&edgeconform(&["run", "specs/cache.yaml", "--reports", d]));
    let r = report(&dir);
    for c in r["cases"].as_array().unwrap() {
        let requests = c["requests"].as_array().unwrap();
        assert_eq!(requests.last().unwrap()["prime"], true, "{}", c["id"]);
        assert!(requests[..requests.len() - 1]
            .iter()
            .all(|q| q.get("prime").is_none()));
        assert_eq!(c["observed"].as_array().unwrap().len(), requests.len());
    }

    let dir = scratch("cache-mutant");
    let d = dir.to_str().unwrap();
    let out = edgeconform(&[
        "run",
        "specs/cache.yaml",
        "--mutant",
        "cache-before-policy",
        "--reports",
        d,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let r = report(&dir);
    let case = |id: &str| {
        r["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    let first = case("cache-policy-first-redirect-get");
    assert_eq!(first["verdict"], "fail");
    let rules: Vec<&str> = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["rules"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    assert!(rules.contains(&"CACHE-POLICY-FIRST"), "{rules:?}");
    assert!(rules.contains(&"VPP-REDIRECT-SAFE"), "{rules:?}");
    let hit = &first["observed"][0]["cache"];
    assert!(hit["evidence"]
        .as_str()
        .unwrap()
        .starts_with("x-edgeconform-fetch: "));
    assert_eq!(hit["origin"], "site");
    assert_eq!(hit["fill"]["viewer_scheme"], "https");
    assert_eq!(hit["fill"]["contact"]["target"], "/site/cache-first.html");
    // A hit for a request the behavior forwards is served.
    let served = case("cache-key-protocol-https-fill-http-viewer");
    assert_eq!(served["verdict"], "pass");
    assert_eq!(served["observed"][0]["origin"], Value::Null);
    assert_eq!(
        served["observed"][0]["cache"]["fill"]["contact"]["protocol"],
        "https"
    );
}

/// A report.json with what differs between two runs of the same cases removed: times, the
/// correlation ids (a per-run nonce), log file names, the ports the embedded edge got, and the
/// observed wire details and byte counts (the origin numbers its answers in a header and each
/// edge names itself in `Via`, so two runs differ by a few bytes); verdicts, findings,
/// expectations, order and request counts stay.
fn normalised(mut r: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for k in [
                    "started",
                    "duration_ms",
                    "correlation_id",
                    "log_file",
                    "http",
                    "https",
                    "observed",
                    "header_bytes",
                    "log_sc_bytes",
                    "wire_bytes",
                ] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            // A header pair naming the correlation id: its value carries the per-run nonce.
            Value::Array(a) if a.len() == 2 && a[0] == "x-edgeconform-id" => a[1] = Value::Null,
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut r);
    r
}

#[test]
fn four_shards_merge_into_the_report_of_the_whole_run() {
    let dir = scratch("shards");
    let whole = edgeconform(&[
        "run",
        "specs",
        "--reports",
        dir.join("whole").to_str().unwrap(),
    ]);
    passes(&whole);
    let mut files = Vec::new();
    for i in 1..=4 {
        let out = dir.join(format!("shard-{i}"));
        let shard = format!("{i}/4");
        let r = edgeconform(&[
            "run",
            "specs",
            "--shard",
            &shard,
            "--reports",
            out.to_str().unwrap(),
        ]);
        passes(&r);
        files.push(out.join("latest/report.json"));
    }
    let merged = dir.join("merged");
    let mut args = vec!["report", "--merge"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    args.extend(["-o", merged.to_str().unwrap()]);
    let out = edgeconform(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |p: &std::path::Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let whole = normalised(read(&dir.join("whole/latest/report.json")));
    let merged_json = normalised(read(&merged.join("report.json")));
    assert_eq!(
        whole["cases"].as_array().unwrap().len(),
        merged_json["cases"].as_array().unwrap().len()
    );
    assert_eq!(merged_json, whole);
    for f in ["junit.xml", "summary.md", "index.html"] {
        assert!(merged.join(f).exists(), "{f}");
    }
    // A shard given twice overlaps: a usage error naming both files.
    let out = edgeconform(&[
        "report",
        "--merge",
        &names[0],
        &names[0],
        "-o",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("overlap"));
}
