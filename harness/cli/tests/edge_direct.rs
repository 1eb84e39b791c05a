//! The edge's direct path for plain HTTP/1.1 against hyper's path, over real loopback sockets:
//! two reference edges, one with the direct path and one without, get the same byte sequences,
//! and their answers and access-log lines must be the same byte for byte (only `Date` and the
//! log's clock fields may differ). Each sequence covers what the direct path answers (301, 403,
//! HEAD, odd methods and targets, pipelined heads, a head sent in two parts) and what it must
//! hand over to hyper mid-connection (HTTP/1.0, bodies, `Connection`, oversized and malformed
//! heads, a forward). The direct edge must also really have answered the direct cases.

use std::path::Path;
use std::time::Duration;

use edgeconform::edge::{EdgeConfig, EdgeServer, OriginMap};
use edgeconform::tls::TestCa;
use edgeconform_core::distribution::Distribution;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const HOST: &str = "d111111abcdef8.cloudfront.net";
const LIMIT: Duration = Duration::from_secs(10);

fn standard() -> Distribution {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/distributions/standard.yaml"
    );
    Distribution::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn edge(direct: bool, log: &Path) -> EdgeServer {
    edge_with(|config| {
        config.direct = direct;
        config.access_log = Some(log.to_path_buf());
    })
    .await
}

/// A quiet edge with no origins, `adjust`ed.
async fn edge_with(adjust: impl FnOnce(&mut EdgeConfig)) -> EdgeServer {
    let ca = TestCa::generate().unwrap();
    let mut config = EdgeConfig::new(standard(), &ca, OriginMap::new()).unwrap();
    config.quiet = true;
    adjust(&mut config);
    EdgeServer::start(config).await.unwrap()
}

/// Opens a connection to `edge`'s HTTP listener, sends a 301's request and reads the status
/// line's start.
async fn answered(edge: &EdgeServer) -> TcpStream {
    let mut tcp = TcpStream::connect(edge.addrs().http).await.unwrap();
    tcp.write_all(get(1, "GET /images/a.jpg HTTP/1.1", "").as_bytes())
        .await
        .unwrap();
    let mut start = [0; 13];
    timeout(LIMIT, tcp.read_exact(&mut start))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&start, b"HTTP/1.1 301 ");
    tcp
}

/// A request head with a fixed request id (so both edges stamp the same `X-Amz-Cf-Id`).
fn get(id: usize, line: &str, extra: &str) -> String {
    format!("{line}\r\nHost: {HOST}\r\nx-edgeconform-id: id-{id}\r\n{extra}\r\n")
}

/// The last request of every sequence: hyper's path on both edges, and it closes.
fn closer(id: usize) -> String {
    get(id, "GET /images/last.jpg HTTP/1.1", "Connection: close\r\n")
}

/// Each sequence: the parts written one after the other on one connection (a pause between).
fn sequences() -> Vec<(&'static str, Vec<String>, usize)> {
    let big = format!("X-Big: {}\r\n", "b".repeat(30_000));
    // (name, parts, how many answers the direct path gives)
    vec![
        (
            "301, HEAD, 403, odd methods, query and fragment",
            vec![[
                get(1, "GET /images/a.jpg HTTP/1.1", ""),
                get(2, "HEAD /images/a.jpg HTTP/1.1", ""),
                get(3, "GET /account/a HTTP/1.1", ""),
                get(4, "POST /images/a.jpg HTTP/1.1", ""),
                get(5, "BREW /images/a.jpg?x=1#frag HTTP/1.1", ""),
                get(
                    7,
                    "GET /images/a.jpg HTTP/1.1",
                    "User-Agent: curl/8 (x)\r\nReferer: http://r/\r\nCookie: a=b\r\nX-Forwarded-For: 10.0.0.1\r\n",
                ),
                get(9, "GET /images/a%20b.jpg?q=%FF&r=%22 HTTP/1.1", ""),
                // Above the root: normalised to /a.jpg, the default behavior's forward.
                get(6, "GET /images/%2e%2e/a%20b.jpg?q=%FF HTTP/1.1", ""),
                closer(8),
            ]
            .concat()],
            7,
        ),
        (
            "Host variants and a host the distribution does not route",
            vec![[
                "GET /images/a.jpg HTTP/1.1\r\nHost: D111111ABCDEF8.cloudfront.net:80\r\nx-edgeconform-id: id-11\r\n\r\n".to_string(),
                "GET /images/a.jpg HTTP/1.1\r\nHost: other.example\r\nx-edgeconform-id: id-12\r\n\r\n".to_string(),
                "GET /images/a.jpg HTTP/1.1\r\nHost: d111111abcdef8.cloudfront.net.\r\nx-edgeconform-id: id-13\r\n\r\n".to_string(),
                closer(14),
            ]
            .concat()],
            3,
        ),
        (
            "a head in two parts, then hyper's heads mid-connection",
            vec![
                get(21, "GET /images/a.jpg HTTP/1.1", "")[..20].to_string(),
                [
                    get(21, "GET /images/a.jpg HTTP/1.1", "")[20..].to_string(),
                    get(22, "GET /images/a.jpg HTTP/1.0", ""),
                    get(23, "GET /images/b.jpg HTTP/1.1", ""),
                    closer(24),
                ]
                .concat(),
            ],
            1,
        ),
        (
            "a body hands over",
            vec![[
                get(31, "GET /images/a.jpg HTTP/1.1", ""),
                get(32, "POST /images/a.jpg HTTP/1.1", "Content-Length: 3\r\n") + "abc",
                get(33, "GET /images/b.jpg HTTP/1.1", ""),
                closer(34),
            ]
            .concat()],
            1,
        ),
        (
            "an oversized head hands over (hyper's 413 closes)",
            vec![[
                get(41, "GET /images/a.jpg HTTP/1.1", ""),
                get(42, "GET /images/a.jpg HTTP/1.1", &big),
            ]
            .concat()],
            1,
        ),
        (
            "a forward hands over (no origin: 502)",
            vec![[
                get(51, "GET /images/a.jpg HTTP/1.1", ""),
                get(52, "GET /public/a.txt HTTP/1.1", ""),
                closer(53),
            ]
            .concat()],
            1,
        ),
        (
            "a malformed head hands over (hyper's 400)",
            vec![[
                get(61, "GET /images/a.jpg HTTP/1.1", ""),
                "GET /a HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n".to_string(),
            ]
            .concat()],
            1,
        ),
        (
            "fields that come and go between heads, in other cases and orders",
            vec![[
                get(
                    81,
                    "GET /images/a.jpg?q=1 HTTP/1.1",
                    "User-Agent: a b\r\nCookie: c=1\r\nReferer: http://r/x\r\nX-Forwarded-For: 10.0.0.1\r\nX-A: 1\r\nX-B: 2\r\n",
                ),
                format!("GET /account/b HTTP/1.1\r\nX-EdgeConform-Id: id-82\r\nhost: {HOST}\r\nuser-agent: \u{e9}\r\n\r\n"),
                get(83, "GET /images/c.jpg HTTP/1.1", ""),
                closer(84),
            ]
            .concat()],
            3,
        ),
        (
            "Expect, Upgrade and a repeated field hand over",
            vec![[
                get(71, "GET /images/a.jpg HTTP/1.1", "Expect: 100-continue\r\n"),
                get(72, "GET /images/a.jpg HTTP/1.1", "A: 1\r\na: 2\r\n"),
                closer(73),
            ]
            .concat()],
            0,
        ),
    ]
}

/// Writes the parts (50 ms apart) and reads until the edge closes.
async fn exchange(addr: std::net::SocketAddr, parts: &[String]) -> Vec<u8> {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tcp.write_all(part.as_bytes()).await.unwrap();
    }
    let mut got = Vec::new();
    let _ = timeout(LIMIT, tcp.read_to_end(&mut got))
        .await
        .expect("the edge closes the connection");
    got
}

/// The answers with each `Date` and `Via` value blanked (each edge has its own `Via` name).
fn without_dates(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.split("\r\n")
        .map(|line| {
            if line.starts_with("Date: ") {
                "Date: -"
            } else if line.starts_with("Via: ") {
                "Via: -"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// The log's lines with the clock and the client port blanked.
fn log_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let fields: Vec<&str> = text
        .lines()
        .find_map(|l| l.strip_prefix("#Fields: "))
        .unwrap()
        .split(' ')
        .collect();
    let varying = ["date", "time", "time-taken", "c-port", "time-to-first-byte"];
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            l.split('\t')
                .zip(&fields)
                .map(|(v, f)| if varying.contains(f) { "-" } else { v })
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn the_direct_path_answers_as_hypers_path_does() {
    let dir = std::env::temp_dir().join(format!("edgeconform-direct-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (direct_log, hyper_log) = (dir.join("direct.log"), dir.join("hyper.log"));
    let direct = edge(true, &direct_log).await;
    let hyper = edge(false, &hyper_log).await;
    let mut expected_direct = 0;
    for (name, parts, direct_answers) in sequences() {
        let before = direct.direct_answers();
        let a = exchange(direct.addrs().http, &parts).await;
        let b = exchange(hyper.addrs().http, &parts).await;
        assert!(!b.is_empty(), "{name}: hyper's path answered nothing");
        assert_eq!(
            without_dates(&a),
            without_dates(&b),
            "{name}: the direct path (left) differs from hyper's (right)"
        );
        assert_eq!(
            direct.direct_answers() - before,
            direct_answers as u64,
            "{name}: answers written by the direct path"
        );
        expected_direct += direct_answers as u64;
    }
    assert_eq!(hyper.direct_answers(), 0);
    assert_eq!(direct.direct_answers(), expected_direct);
    direct.flush_log();
    hyper.flush_log();
    let (a, b) = (log_lines(&direct_log), log_lines(&hyper_log));
    assert!(a.len() > 20, "{a:#?}");
    assert_eq!(a, b, "access-log lines: direct (left), hyper (right)");
    direct.shutdown().await;
    hyper.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_idle_connection_on_the_direct_path_closes_at_the_head_timeout() {
    let edge = edge_with(|config| config.header_timeout = Duration::from_millis(300)).await;
    let mut tcp = answered(&edge).await;
    // The rest of the answer, then the close once the connection has been idle for the head
    // timeout.
    let mut rest = Vec::new();
    timeout(LIMIT, tcp.read_to_end(&mut rest))
        .await
        .expect("closed within the limit")
        .unwrap();
    assert_eq!(edge.direct_answers(), 1);
    edge.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_an_idle_direct_connection_without_waiting_out_the_grace() {
    let edge = edge_with(|_| {}).await;
    let mut tcp = answered(&edge).await;
    let started = std::time::Instant::now();
    let stopping = tokio::spawn(edge.shutdown());
    let mut rest = Vec::new();
    timeout(LIMIT, tcp.read_to_end(&mut rest))
        .await
        .expect("closed by the edge")
        .unwrap();
    timeout(LIMIT, stopping).await.unwrap().unwrap();
    // Well under the 3 s the edge gives connections with an answer under way.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
