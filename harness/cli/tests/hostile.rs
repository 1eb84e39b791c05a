//! `edgeconform run` against endpoints that misbehave on purpose, each written here on a loopback
//! listener: one that never answers, sends random bytes, closes at once, sends a 1 MiB header, an
//! endless body, one byte a second, a body shorter than its Content-Length, no status line, a
//! 3 MiB body, or garbage instead of a TLS handshake. Every run must end on its own, never panic,
//! give every case a verdict with a one-line reason, and exit 3 when nothing answered (1 when
//! something answered and failed).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Per-request timeout given to the runner, in seconds.
const TIMEOUT: u64 = 2;

#[derive(Clone, Copy, Debug)]
enum Hostile {
    /// Accepts and reads, never answers.
    Silent,
    /// 64 bytes of noise as the answer, then silence.
    Random,
    /// Closes the connection as soon as it is accepted.
    Close,
    /// A status line, then a 1 MiB header field.
    HugeHeader,
    /// 200 with a chunked body that never ends.
    EndlessBody,
    /// A response head, one byte a second.
    Trickle,
    /// `Content-Length: 100`, 10 bytes, then the connection closed.
    ShortBody,
    /// Header lines and a body, but no status line.
    NoStatusLine,
    /// 200 with a 3 MiB body (Content-Length), more than the runner keeps.
    BigBody,
    /// Noise to a TLS client hello.
    TlsGarbage,
    /// A plain, well-formed 200 for every request.
    Plain,
}

fn noise(n: usize) -> Vec<u8> {
    // A fixed LCG: the same bytes every run, never starting with `H` (so never `HTTP/`).
    let mut x: u32 = 0x1234_5678;
    (0..n)
        .map(|i| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let b = (x >> 24) as u8;
            if i == 0 && b == b'H' {
                0
            } else {
                b
            }
        })
        .collect()
}

/// Reads a request head (up to the empty line, or whatever came within a moment).
async fn read_head(s: &mut TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = Vec::new();
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_millis(500), s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => return,
        }
    }
}

async fn serve(mut s: TcpStream, how: Hostile) {
    match how {
        Hostile::Close => {}
        Hostile::Silent => {
            let mut buf = [0u8; 4096];
            while matches!(s.read(&mut buf).await, Ok(n) if n > 0) {}
        }
        Hostile::Random => {
            read_head(&mut s).await;
            let _ = s.write_all(&noise(64)).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Hostile::TlsGarbage => {
            let _ = s.write_all(&noise(64)).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Hostile::HugeHeader => {
            read_head(&mut s).await;
            let mut head = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
            head.extend(std::iter::repeat_n(b'a', 1 << 20));
            head.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
            let _ = s.write_all(&head).await;
        }
        Hostile::EndlessBody => {
            read_head(&mut s).await;
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await;
            let chunk = {
                let mut c = format!("{:x}\r\n", 64 * 1024).into_bytes();
                c.extend(std::iter::repeat_n(b'x', 64 * 1024));
                c.extend_from_slice(b"\r\n");
                c
            };
            while s.write_all(&chunk).await.is_ok() {}
        }
        Hostile::Trickle => {
            read_head(&mut s).await;
            for b in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" {
                if s.write_all(&[*b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Hostile::ShortBody => {
            read_head(&mut s).await;
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
                .await;
        }
        Hostile::NoStatusLine => {
            read_head(&mut s).await;
            let _ = s
                .write_all(b"Content-Type: text/html\r\nContent-Length: 5\r\n\r\nhello")
                .await;
        }
        Hostile::BigBody => {
            read_head(&mut s).await;
            let size = 3 << 20;
            let _ = s
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
                    )
                    .as_bytes(),
                )
                .await;
            let block = vec![b'z'; 64 * 1024];
            for _ in 0..size / block.len() {
                if s.write_all(&block).await.is_err() {
                    return;
                }
            }
        }
        Hostile::Plain => {
            read_head(&mut s).await;
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                .await;
        }
    }
}

/// A loopback listener serving `how` on every connection; its address.
async fn listen(how: Hostile) -> std::net::SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(serve(s, how));
        }
    });
    addr
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Four cases: three over HTTP, one over HTTPS.
fn suite(dir: &Path) -> (PathBuf, usize) {
    let dist = root().join("specs/distributions/standard.yaml");
    let text = format!(
        r#"distribution: {}
scenarios:
  - id: hostile-get-redirect
    name: An HTTP GET under redirect-to-https is redirected
    rules: [VPP-REDIRECT-SAFE]
    request: {{method: GET, scheme: http, path: /images/a.jpg}}
  - id: hostile-post-refused
    name: An HTTP POST under redirect-to-https is refused
    rules: [VPP-REDIRECT-UNSAFE]
    request: {{method: POST, scheme: http, path: /images/a.jpg}}
  - id: hostile-get-public
    name: An HTTP GET under allow-all is served
    rules: [VPP-ALLOW-ALL]
    request: {{method: GET, scheme: http, path: /public/a}}
  - id: hostile-https-get
    name: An HTTPS GET is served
    rules: [VPP-HTTPS-SERVED]
    request: {{method: GET, scheme: https, path: /public/a}}
"#,
        dist.display()
    );
    let path = dir.join("hostile.yaml");
    std::fs::write(&path, text).unwrap();
    (path, 4)
}

struct Run {
    code: Option<i32>,
    report: Value,
    stderr: String,
}

/// Runs the binary against `http` and `https` listeners; kills it (and fails) past the watchdog.
fn run_against(name: &str, http: Hostile, https: Hostile) -> Run {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (h, s) = rt.block_on(async { (listen(http).await, listen(https).await) });
    let dir = scratch(name);
    let (spec, cases) = suite(&dir);
    let reports = dir.join("reports");
    let mut child = Command::new(env!("CARGO_BIN_EXE_edgeconform"))
        .args([
            "run",
            spec.to_str().unwrap(),
            "--target",
            &format!("http://{h}"),
            "--target-https",
            &format!("https://{s}"),
            "--insecure",
            "--timeout",
            &TIMEOUT.to_string(),
            "--reports",
            reports.to_str().unwrap(),
        ])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Every case in sequence, each up to the timeout, plus start-up: anything longer is a hang.
    let watchdog = Duration::from_secs(TIMEOUT * cases as u64 + 15);
    let started = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if started.elapsed() > watchdog {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name}: the run did not end within {watchdog:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
    }
    let text = std::fs::read_to_string(reports.join("latest/report.json"))
        .unwrap_or_else(|e| panic!("{name}: no report.json ({e}); stderr:\n{stderr}"));
    rt.shutdown_background();
    Run {
        code: status.code(),
        report: serde_json::from_str(&text).expect("report.json parses"),
        stderr,
    }
}

/// Every case failed or errored with a one-line reason; returns (errors, fails) and the reasons.
fn verdicts(name: &str, run: &Run) -> (usize, usize, Vec<String>) {
    assert!(
        !run.stderr.contains("panicked"),
        "{name}: panic:\n{}",
        run.stderr
    );
    let cases = run.report["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 4, "{name}: every case is reported");
    let (mut errors, mut fails, mut reasons) = (0, 0, Vec::new());
    for c in cases {
        let reason = match c["verdict"].as_str() {
            Some("error") => {
                errors += 1;
                c["error"].as_str().unwrap_or("").to_string()
            }
            Some("fail") => {
                fails += 1;
                c["findings"][0]["message"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            }
            v => panic!("{name}: {} has verdict {v:?}", c["id"]),
        };
        assert!(
            !reason.is_empty() && !reason.contains('\n'),
            "{name}: {}: reason {reason:?}",
            c["id"]
        );
        reasons.push(reason);
    }
    (errors, fails, reasons)
}

/// A target where nothing answers: every case an error naming what happened, exit 3.
fn nothing_answers(name: &str, how: Hostile, expect: &str) {
    let run = run_against(name, how, how);
    let (errors, _, reasons) = verdicts(name, &run);
    assert_eq!(errors, 4, "{name}: {reasons:?}");
    assert_eq!(run.code, Some(3), "{name}: stderr:\n{}", run.stderr);
    // The HTTP cases (the HTTPS one fails its handshake first) say what the target did.
    assert!(
        reasons[..3].iter().all(|r| r.contains(expect)),
        "{name}: expected {expect:?} in {reasons:?}"
    );
}

#[test]
fn a_target_that_never_answers_times_out() {
    nothing_answers("silent", Hostile::Silent, "no response within 2s");
}

#[test]
fn random_bytes_are_no_status_line() {
    nothing_answers(
        "random",
        Hostile::Random,
        "no status line: the target sent 64 bytes that are not HTTP",
    );
}

#[test]
fn a_connection_closed_at_once_is_named() {
    nothing_answers(
        "close",
        Hostile::Close,
        "connection closed before a response",
    );
}

#[test]
fn a_1_mib_header_is_refused_at_the_head_limit() {
    nothing_answers(
        "huge-header",
        Hostile::HugeHeader,
        "response head over 100 KiB",
    );
}

#[test]
fn an_endless_body_ends_at_the_timeout() {
    nothing_answers(
        "endless",
        Hostile::EndlessBody,
        "body did not end within 2s (status 200",
    );
}

#[test]
fn one_byte_a_second_ends_at_the_timeout() {
    nothing_answers(
        "trickle",
        Hostile::Trickle,
        "no complete response head within 2s",
    );
}

#[test]
fn a_body_short_of_its_content_length_is_named() {
    nothing_answers(
        "short",
        Hostile::ShortBody,
        "body shorter than its Content-Length (got 10 of 100 bytes)",
    );
}

#[test]
fn a_response_without_status_line_is_named() {
    nothing_answers("no-status", Hostile::NoStatusLine, "no status line");
}

/// A body over the runner's 1 MiB is counted whole, kept in part, and judged: the cases fail.
#[test]
fn a_big_body_is_counted_whole_and_judged() {
    let run = run_against("big-body", Hostile::BigBody, Hostile::Close);
    let (errors, fails, reasons) = verdicts("big-body", &run);
    assert_eq!((errors, fails), (1, 3), "{reasons:?}");
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    for c in run.report["cases"].as_array().unwrap() {
        if c["verdict"] == "fail" {
            assert_eq!(c["observed"][0]["body_bytes"], 3 << 20, "{c}");
        }
    }
}

/// Garbage for a TLS handshake: the HTTPS case errors with the handshake named; the HTTP side
/// answers (wrongly), so the run is a failure, not an unreachable target.
#[test]
fn tls_garbage_is_a_handshake_failure() {
    let run = run_against("tls-garbage", Hostile::Plain, Hostile::TlsGarbage);
    let (errors, fails, reasons) = verdicts("tls-garbage", &run);
    assert_eq!((errors, fails), (1, 3), "{reasons:?}");
    assert!(
        reasons[3].starts_with("leg 1: TLS handshake failed: "),
        "{reasons:?}"
    );
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
}
