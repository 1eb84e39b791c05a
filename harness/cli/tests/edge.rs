//! The reference edge over real loopback sockets, with the instrumented origin behind it and the
//! standard distribution. Each case checks what the viewer got, what the origin recorded and the
//! access log line, and then that `judge()` finds no violation in the observed outcome: the
//! reference edge must be conformant. Every wait is bounded.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use edgeconform::edge::{origin_listener_specs, EdgeConfig, EdgeServer, OriginMap};
use edgeconform::origin::{ListenerSpec, OriginRecord, OriginServer, Protocol};
use edgeconform::tls::TestCa;
use edgeconform_core::accesslog::{parse_log, LogRecord, ResultType};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::judge::judge;
use edgeconform_core::outcome::{LogObservation, OriginContact, OriginFailure, Outcome};
use edgeconform_core::{pages, Method, Request, Scheme};
use reqwest::redirect::Policy;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

const LIMIT: Duration = Duration::from_secs(10);
const DOMAIN: &str = "d111111abcdef8.cloudfront.net";
const ALIAS: &str = "www.example.com";

fn standard() -> Distribution {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/distributions/standard.yaml"
    );
    Distribution::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Fixture {
    ca: TestCa,
    dist: Distribution,
    origin: OriginServer,
    edge: EdgeServer,
    log: PathBuf,
    _dir: TempDir,
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    /// A new directory of this test's own: tests run in parallel and each removes its
    /// directory (access log and all) when it ends, so no two may share one. A counter makes
    /// the name unique in the process, and the directory must not exist yet.
    fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "edgeconform-edge-{tag}-{}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Fixture {
    async fn start() -> Fixture {
        Fixture::start_with(|_| {}, |_| {}).await
    }

    /// `listeners` adjusts the origin's listeners, `config` the edge's configuration.
    async fn start_with(
        listeners: impl FnOnce(&mut Vec<ListenerSpec>),
        config: impl FnOnce(&mut EdgeConfig),
    ) -> Fixture {
        let ca = TestCa::generate().unwrap();
        let dist = standard();
        let mut specs = origin_listener_specs(&dist);
        listeners(&mut specs);
        let origin = OriginServer::start(specs, &ca, Vec::new(), None)
            .await
            .unwrap();
        let dir = TempDir::new("log");
        let log = dir.0.join("access.log");
        let map = OriginMap::from_listeners(&origin.listeners());
        let mut edge_config = EdgeConfig::new(dist.clone(), &ca, map).unwrap();
        edge_config.access_log = Some(log.clone());
        config(&mut edge_config);
        let edge = EdgeServer::start(edge_config).await.unwrap();
        Fixture {
            ca,
            dist,
            origin,
            edge,
            log,
            _dir: dir,
        }
    }

    fn addr(&self, scheme: Scheme) -> SocketAddr {
        match scheme {
            Scheme::Http => self.edge.addrs().http,
            Scheme::Https => self.edge.addrs().https,
        }
    }

    /// Opens an HTTP/1.1 connection to the edge's listener for `scheme`.
    async fn connect(&self, scheme: Scheme) -> Conn {
        let tcp = timeout(LIMIT, TcpStream::connect(self.addr(scheme)))
            .await
            .unwrap()
            .unwrap();
        let stream: Box<dyn Stream> = match scheme {
            Scheme::Http => Box::new(tcp),
            Scheme::Https => {
                let mut config = self.ca.client_config(&[]).unwrap();
                config.alpn_protocols = vec![b"http/1.1".to_vec()];
                let connector = TlsConnector::from(Arc::new(config));
                let name = ServerName::try_from(ALIAS).unwrap();
                Box::new(
                    timeout(LIMIT, connector.connect(name, tcp))
                        .await
                        .unwrap()
                        .unwrap(),
                )
            }
        };
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    /// The log records with request id `id`, once at least `n` are there (or the limit passes).
    async fn log_lines(&self, id: &str, n: usize) -> Vec<LogRecord> {
        let deadline = Instant::now() + LIMIT;
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            let records = parse_log(&text).unwrap_or_else(|e| panic!("access log: {e:?}\n{text}"));
            let mine: Vec<LogRecord> = records
                .into_iter()
                .filter(|r| r.x_edge_request_id == id)
                .collect();
            if mine.len() >= n {
                return mine;
            }
            if Instant::now() > deadline {
                // What the file held, for a failure the caller's assertion then reports.
                let read = std::fs::read(&self.log);
                eprintln!(
                    "access log {}: {} of {n} lines with id {id} after {LIMIT:?}; the file: {}",
                    self.log.display(),
                    mine.len(),
                    match &read {
                        Ok(bytes) => format!(
                            "{} bytes, {} lines, last: {:?}",
                            bytes.len(),
                            bytes.iter().filter(|&&b| b == b'\n').count(),
                            String::from_utf8_lossy(bytes).lines().last().unwrap_or("")
                        ),
                        Err(e) => format!("unreadable: {e}"),
                    }
                );
                return mine;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Sends `sent` on a fresh connection, then builds the observed outcome, judges it and
    /// returns both.
    async fn run(&self, sent: &Sent) -> (Raw, Outcome) {
        self.run_with(sent, None).await
    }

    async fn run_with(&self, sent: &Sent, failure: Option<OriginFailure>) -> (Raw, Outcome) {
        let mut conn = self.connect(sent.req.scheme).await;
        let raw = conn.exchange(sent).await;
        // The judge does not look at `closed`; only the 413 case waits to see the close.
        let outcome = self.observe(sent, &raw, false, failure).await;
        (raw, outcome)
    }

    /// The outcome as a runner would observe it: the response, the origin's record and the
    /// access log line; asserts that the judge finds nothing wrong with it.
    async fn observe(
        &self,
        sent: &Sent,
        raw: &Raw,
        closed: bool,
        failure: Option<OriginFailure>,
    ) -> Outcome {
        let records = self.origin.records_for(&sent.id);
        assert!(records.len() <= 1, "{records:?}");
        let from_origin = raw.header("x-origin-seq").is_some();
        let log = self.log_lines(&sent.id, 1).await;
        let outcome = Outcome {
            status: raw.status,
            location: raw.header("location").map(str::to_string),
            origin: records.first().map(contact),
            header_bytes: raw.head_len as u64,
            body_bytes: raw.body.len() as u64,
            object_bytes: if from_origin {
                raw.body.len() as u64
            } else {
                0
            },
            closed,
            origin_failure: failure,
            log: Some(observation(&log)),
            cache: None,
            viewer_only: false,
            origin_evidence: None,
        };
        assert_clean(&self.dist, &sent.req, &outcome);
        outcome
    }
}

fn contact(r: &OriginRecord) -> OriginContact {
    OriginContact {
        origin: Some(r.listener.clone()),
        protocol: match r.protocol {
            Protocol::Http => Scheme::Http,
            Protocol::Https => Scheme::Https,
        },
        port: r.logical_port,
        target: r.target.clone(),
        headers: r.headers.clone(),
    }
}

fn observation(lines: &[LogRecord]) -> LogObservation {
    let first = lines.first();
    LogObservation {
        lines: lines.len() as u32,
        result_type: first.map(|l| l.x_edge_result_type.to_string()),
        detailed_result_type: first.map(|l| l.x_edge_detailed_result_type.clone()),
        protocol: first.map(|l| l.cs_protocol.clone()),
        status: first.map(|l| l.sc_status.get()),
        sc_bytes: first.map(|l| l.sc_bytes),
        unattributed: false,
    }
}

fn assert_clean(dist: &Distribution, req: &Request, outcome: &Outcome) {
    let violations: Vec<_> = judge(dist, req, outcome)
        .into_iter()
        .filter(|v| !v.info)
        .collect();
    assert!(
        violations.is_empty(),
        "the reference edge broke rules for {} {} {}:\n{violations:#?}\noutcome: {outcome:#?}",
        req.scheme,
        req.method,
        req.target
    );
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A request as sent on the wire, and the same request for the model and the judge.
struct Sent {
    id: String,
    req: Request,
    bytes: Vec<u8>,
}

/// `method target` over `scheme` with `Host: host`, the correlation id, `headers` and `body`.
fn sent(
    method: &str,
    scheme: Scheme,
    host: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Sent {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let id = format!(
        "case-{}",
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut req = Request::new(Method::parse(method), scheme, host, target);
    req.headers.push(("x-edgeconform-id".into(), id.clone()));
    for (n, v) in headers {
        req.headers.push((n.to_string(), v.to_string()));
    }
    if !body.is_empty() {
        req.headers
            .push(("content-length".into(), body.len().to_string()));
    }
    req.body_len = body.len() as u64;
    let mut bytes = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n").into_bytes();
    for (n, v) in &req.headers {
        bytes.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(body);
    Sent { id, req, bytes }
}

fn get(scheme: Scheme, target: &str) -> Sent {
    sent("GET", scheme, ALIAS, target, &[], b"")
}

/// One HTTP/1.1 connection, read by hand so every byte is counted.
struct Conn {
    stream: Box<dyn Stream>,
    buf: Vec<u8>,
}

/// A response as it came off the wire.
#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    /// Bytes of the status line and headers, the empty line included.
    head_len: usize,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Conn {
    async fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 16 * 1024];
        let n = timeout(LIMIT, self.stream.read(&mut chunk))
            .await
            .expect("read timed out")
            .unwrap_or(0);
        self.buf.extend_from_slice(&chunk[..n]);
        n
    }

    /// Sends a request and reads one response (no body for HEAD).
    async fn exchange(&mut self, sent: &Sent) -> Raw {
        timeout(LIMIT, self.stream.write_all(&sent.bytes))
            .await
            .unwrap()
            .unwrap();
        let head_len = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            assert!(
                self.fill().await > 0,
                "connection closed before a response head"
            );
        };
        let head = String::from_utf8(self.buf[..head_len].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (n, v) = l.split_once(':').unwrap();
                (n.to_string(), v.trim().to_string())
            })
            .collect();
        self.buf.drain(..head_len);
        let mut raw = Raw {
            status,
            headers,
            head_len,
            body: Vec::new(),
        };
        let len: usize = raw
            .header("content-length")
            .map_or(0, |v| v.parse().unwrap());
        let body_len = if sent.req.method == Method::Head {
            0
        } else {
            len
        };
        while self.buf.len() < body_len {
            assert!(self.fill().await > 0, "connection closed in the body");
        }
        raw.body = self.buf.drain(..body_len).collect();
        raw
    }

    /// Whether the edge closed the connection (waits briefly for it).
    async fn closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(
            timeout(Duration::from_millis(300), self.stream.read(&mut byte)).await,
            Ok(Ok(0)) | Ok(Err(_))
        )
    }
}

#[tokio::test]
async fn http_get_under_redirect_to_https_gets_301_to_the_same_target_and_the_origin_sees_nothing()
{
    let f = Fixture::start().await;
    let s = get(Scheme::Http, "/images/a.jpg?x=1");
    let (raw, outcome) = f.run(&s).await;
    assert_eq!(raw.status, 301);
    assert_eq!(
        raw.header("location"),
        Some("https://www.example.com/images/a.jpg?x=1")
    );
    assert_eq!(raw.body, pages::redirect_page(301).as_bytes());
    assert_eq!(raw.header("server"), Some("CloudFront"));
    assert_eq!(raw.header("x-cache"), Some("Redirect from cloudfront"));
    assert_eq!(raw.header("x-amz-cf-id"), Some(s.id.as_str()));
    assert!(raw
        .header("via")
        .unwrap()
        .ends_with(".cloudfront.net (CloudFront)"));
    assert!(outcome.origin.is_none());
    assert!(!outcome.closed);
    assert!(f.origin.records().is_empty());

    let line = &f.log_lines(&s.id, 1).await[0];
    assert_eq!(line.x_edge_result_type, ResultType::Redirect);
    assert_eq!(line.x_edge_detailed_result_type, "Redirect");
    assert_eq!(line.cs_protocol, "http");
    assert_eq!(line.sc_status, 301);
    assert_eq!(line.cs_host, DOMAIN);
    assert_eq!(line.x_host_header, ALIAS);
    assert_eq!(
        (line.cs_uri_stem.as_str(), line.cs_uri_query.as_str()),
        ("/images/a.jpg", "x=1")
    );
    assert_eq!(line.sc_bytes, (raw.head_len + raw.body.len()) as u64);
    assert_eq!(line.cs_bytes, s.bytes.len() as u64);
    assert_eq!(line.sc_content_len, Some(167));
    assert_eq!(line.cs_protocol_version, "HTTP/1.1");
    assert!(line.c_port.is_some());

    // A viewer that asks to close gets `Connection: close`, not `keep-alive`.
    let s = sent(
        "GET",
        Scheme::Http,
        ALIAS,
        "/images/a.jpg",
        &[("Connection", "close")],
        b"",
    );
    let (raw, _) = f.run(&s).await;
    assert_eq!(raw.header("connection"), Some("close"));

    // HEAD: the same answer without the page, but with its length.
    let s = sent("HEAD", Scheme::Http, DOMAIN, "/images/a.jpg", &[], b"");
    let (raw, _) = f.run(&s).await;
    assert_eq!(raw.status, 301);
    assert_eq!(
        raw.header("location"),
        Some("https://d111111abcdef8.cloudfront.net/images/a.jpg")
    );
    assert_eq!(raw.header("content-length"), Some("167"));
    assert!(raw.body.is_empty());
}

#[tokio::test]
async fn location_keeps_the_raw_target_byte_for_byte_and_drops_the_port() {
    let f = Fixture::start().await;
    let s = sent(
        "GET",
        Scheme::Http,
        "www.example.com:8080",
        "/images/a/../b%2F?q",
        &[],
        b"",
    );
    let (raw, _) = f.run(&s).await;
    assert_eq!(raw.status, 301);
    assert_eq!(
        raw.header("location"),
        Some("https://www.example.com/images/a/../b%2F?q")
    );
    // Forwarded, the origin gets the same raw target (ORG-PATH).
    let s = get(Scheme::Http, "/public/a/../b%2F?q=%7e");
    let (raw, outcome) = f.run(&s).await;
    assert_eq!(raw.status, 200);
    assert_eq!(outcome.origin.unwrap().target, "/public/a/../b%2F?q=%7e");
}

#[tokio::test]
async fn refusals_are_403_at_the_edge_and_logged_as_errors() {
    let f = Fixture::start().await;
    // (request, x-edge-detailed-result-type)
    let cases = [
        (
            sent("POST", Scheme::Http, ALIAS, "/images/a", &[], b"abc"),
            "Error",
        ), // VPP-REDIRECT-UNSAFE
        (get(Scheme::Http, "/account/x"), "Error"), // VPP-HTTPS-ONLY
        (
            sent("POST", Scheme::Https, ALIAS, "/public/x", &[], b"abc"),
            "InvalidRequestMethod",
        ), // MTH-ALLOWED
        (
            sent("PURGE", Scheme::Https, ALIAS, "/public/x", &[], b""),
            "InvalidRequestMethod",
        ), // MTH-SUPPORTED
        (
            sent("GET", Scheme::Https, ALIAS, "/public/x", &[], b"body"),
            "InvalidRequest",
        ), // MTH-GET-BODY
        (
            sent(
                "GET",
                Scheme::Http,
                "evil.example.org",
                "/public/x",
                &[],
                b"",
            ),
            "InvalidRequest",
        ), // HOST-ROUTE
    ];
    for (s, detailed) in &cases {
        let (raw, outcome) = f.run(s).await;
        assert_eq!(raw.status, 403, "{} {}", s.req.method, s.req.target);
        assert!(outcome.origin.is_none());
        assert_eq!(raw.header("x-cache"), Some("Error from cloudfront"));
        let page = String::from_utf8(raw.body.clone()).unwrap();
        assert!(page.contains(&format!("Request ID: {}", s.id)), "{page}");
        let line = &f.log_lines(&s.id, 1).await[0];
        assert_eq!(line.x_edge_result_type, ResultType::Error);
        assert_eq!(
            line.x_edge_detailed_result_type, *detailed,
            "{}",
            s.req.target
        );
        assert_eq!(line.cs_protocol, s.req.scheme.as_str());
        assert_eq!(line.sc_bytes, (raw.head_len + raw.body.len()) as u64);
    }
    assert!(f.origin.records().is_empty());
}

#[tokio::test]
async fn forwards_reach_the_decided_origin_protocol_port_and_path() {
    let f = Fixture::start().await;
    // (request, origin, protocol, logical port, target at the origin)
    let cases = [
        (
            get(Scheme::Https, "/site/x"),
            "site",
            Protocol::Http,
            80,
            "/site/x",
        ),
        (
            get(Scheme::Https, "/api/x?y=1"),
            "api",
            Protocol::Https,
            443,
            "/v1/api/x?y=1",
        ),
        (
            get(Scheme::Http, "/public/x"),
            "assets",
            Protocol::Http,
            80,
            "/public/x",
        ),
        (
            get(Scheme::Https, "/public/x"),
            "assets",
            Protocol::Https,
            443,
            "/public/x",
        ),
        (
            get(Scheme::Http, "/legacy/x"),
            "legacy",
            Protocol::Http,
            8080,
            "/legacy/x",
        ),
        (
            get(Scheme::Http, "/secure/x"),
            "secure",
            Protocol::Https,
            443,
            "/secure/x",
        ),
        (
            sent("PUT", Scheme::Https, ALIAS, "/api/up", &[], b"0123456789"),
            "api",
            Protocol::Https,
            443,
            "/v1/api/up",
        ),
    ];
    for (s, origin, protocol, port, target) in &cases {
        let (raw, outcome) = f.run(s).await;
        assert_eq!(raw.status, 200, "{} {}", s.req.scheme, s.req.target);
        let record = &f.origin.records_for(&s.id)[0];
        assert_eq!(
            (
                record.listener.as_str(),
                record.protocol,
                record.logical_port
            ),
            (*origin, *protocol, *port)
        );
        assert_eq!(record.target, *target);
        assert_eq!(record.method, s.req.method.as_str());
        assert_eq!(record.body_len, s.req.body_len);
        assert_eq!(record.version, "HTTP/1.1");
        assert_eq!(record.header("host"), Some(ALIAS));
        assert_eq!(record.header("x-amz-cf-id"), Some(s.id.as_str()));
        assert!(record.header("via").is_some());
        assert_eq!(record.header("x-forwarded-for"), Some("127.0.0.1"));
        assert_eq!(raw.header("x-cache"), Some("Miss from cloudfront"));
        assert_eq!(raw.body.len(), 1000);
        assert_eq!(outcome.object_bytes, 1000);
        let line = &f.log_lines(&s.id, 1).await[0];
        assert_eq!(line.x_edge_result_type, ResultType::Miss);
        assert_eq!(line.sc_bytes, (raw.head_len + raw.body.len()) as u64);
        assert_eq!(line.cs_protocol, s.req.scheme.as_str());
        if s.req.scheme == Scheme::Https {
            assert_eq!(line.ssl_protocol, "TLSv1.3");
            assert!(line.ssl_cipher.starts_with("TLS_"), "{}", line.ssl_cipher);
        }
    }
}

#[tokio::test]
async fn x_forwarded_proto_is_stripped_and_cloudfront_forwarded_proto_is_the_viewer_scheme() {
    let f = Fixture::start().await;
    let spoof = [
        ("X-Forwarded-Proto", "ftp"),
        ("CloudFront-Forwarded-Proto", "ftp"),
    ];
    for s in [
        sent("GET", Scheme::Https, ALIAS, "/api/x", &spoof, b""),
        sent("GET", Scheme::Http, ALIAS, "/legacy/x", &spoof, b""),
    ] {
        let (raw, _) = f.run(&s).await;
        assert_eq!(raw.status, 200);
        let record = &f.origin.records_for(&s.id)[0];
        assert_eq!(record.header("x-forwarded-proto"), None);
        let values: Vec<&str> = record.header_values("cloudfront-forwarded-proto").collect();
        assert_eq!(values, [s.req.scheme.as_str()]);
    }
    // A behavior without the option sends no CloudFront-Forwarded-Proto at all.
    let s = sent("GET", Scheme::Http, ALIAS, "/public/x", &spoof, b"");
    f.run(&s).await;
    let record = &f.origin.records_for(&s.id)[0];
    assert_eq!(record.header("cloudfront-forwarded-proto"), None);
    assert_eq!(record.header("x-forwarded-proto"), None);
}

#[tokio::test]
async fn https_over_http2_is_served_and_forwarded() {
    let f = Fixture::start().await;
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .no_proxy()
        .timeout(LIMIT)
        .resolve(ALIAS, f.addr(Scheme::Https))
        .tls_backend_preconfigured(f.ca.client_config(&[]).unwrap())
        .build()
        .unwrap();
    let port = f.addr(Scheme::Https).port();
    let response = client
        .get(format!("https://{ALIAS}:{port}/site/x"))
        .header("x-edgeconform-id", "h2-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.unwrap();
    assert_eq!(body.len(), 1000);
    let record = &f.origin.records_for("h2-site")[0];
    assert_eq!(
        (record.listener.as_str(), record.protocol),
        ("site", Protocol::Http)
    );
    assert_eq!(
        record.header("host"),
        Some(format!("{ALIAS}:{port}").as_str())
    );

    let log = f.log_lines("h2-site", 1).await;
    assert_eq!(log[0].cs_protocol_version, "HTTP/2.0");
    let mut req = Request::new(
        Method::Get,
        Scheme::Https,
        &format!("{ALIAS}:{port}"),
        "/site/x",
    );
    req.version = edgeconform_core::HttpVersion::Http2;
    req.headers
        .push(("x-edgeconform-id".into(), "h2-site".into()));
    let outcome = Outcome {
        status: 200,
        location: None,
        origin: Some(contact(record)),
        header_bytes: 0,
        body_bytes: 1000,
        object_bytes: 1000,
        closed: false,
        origin_failure: None,
        log: Some(observation(&log)),
        cache: None,
        viewer_only: false,
        origin_evidence: None,
    };
    assert_clean(&f.dist, &req, &outcome);
}

#[tokio::test]
async fn oversized_head_gets_413_closes_the_connection_and_is_not_logged() {
    let f = Fixture::start().await;
    let big = "a".repeat(21_000);
    let s = sent(
        "GET",
        Scheme::Http,
        ALIAS,
        "/public/x",
        &[("X-Big", &big)],
        b"",
    );
    let mut conn = f.connect(Scheme::Http).await;
    let raw = conn.exchange(&s).await;
    assert_eq!(raw.status, 413);
    assert_eq!(raw.header("connection"), Some("close"));
    assert!(
        conn.closed().await,
        "the edge must close the connection after a 413"
    );
    // A later logged request proves the log is written up to here.
    let barrier = get(Scheme::Http, "/images/barrier");
    f.run(&barrier).await;
    assert!(f.log_lines(&s.id, 0).await.is_empty());
    let outcome = Outcome {
        status: raw.status,
        location: None,
        origin: f.origin.records_for(&s.id).first().map(contact),
        header_bytes: raw.head_len as u64,
        body_bytes: raw.body.len() as u64,
        object_bytes: 0,
        closed: true,
        origin_failure: None,
        log: Some(observation(&[])),
        cache: None,
        viewer_only: false,
        origin_evidence: None,
    };
    assert_clean(&f.dist, &s.req, &outcome);
    // A long URL is refused the same way.
    let target = format!("/public/{}", "b".repeat(8_200));
    let s = get(Scheme::Https, &target);
    let mut conn = f.connect(Scheme::Https).await;
    assert_eq!(conn.exchange(&s).await.status, 413);
    assert!(conn.closed().await);
}

#[tokio::test]
async fn an_origin_that_never_answers_gets_504_and_one_that_refuses_502() {
    // `secure` over HTTPS hangs; `legacy` over HTTP points at a port that refuses: bound but
    // never listening, and held to the end, so that no listener of a test running alongside
    // can be given the port meanwhile.
    let refusing = tokio::net::TcpSocket::new_v4().unwrap();
    refusing.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let closed = refusing.local_addr().unwrap();
    let f = Fixture::start_with(
        |specs| {
            for s in specs.iter_mut().filter(|s| s.name == "secure" && s.tls) {
                *s = s.clone().hang();
            }
        },
        |config| {
            config.origin_timeout = Duration::from_millis(300);
            config.origins.insert("legacy", Scheme::Http, closed);
        },
    )
    .await;
    let s = get(Scheme::Https, "/secure/x");
    let started = Instant::now();
    let (raw, _) = f.run_with(&s, Some(OriginFailure::Timeout)).await;
    assert_eq!(raw.status, 504);
    assert!(started.elapsed() < Duration::from_secs(3));
    let line = &f.log_lines(&s.id, 1).await[0];
    assert_eq!(
        (
            line.x_edge_result_type,
            line.x_edge_detailed_result_type.as_str()
        ),
        (ResultType::Error, "OriginCommError")
    );
    assert!(
        line.time_taken_ms >= 300,
        "time-taken {} ms",
        line.time_taken_ms
    );

    let s = get(Scheme::Http, "/legacy/x");
    let (raw, _) = f.run_with(&s, Some(OriginFailure::Refused)).await;
    assert_eq!(raw.status, 502);
    let line = &f.log_lines(&s.id, 1).await[0];
    assert_eq!(line.x_edge_detailed_result_type, "OriginConnectError");
    drop(refusing);
}

#[tokio::test]
async fn keep_alive_connections_log_each_response_with_its_own_bytes() {
    let f = Fixture::start().await;
    for scheme in [Scheme::Http, Scheme::Https] {
        let mut conn = f.connect(scheme).await;
        let requests = [
            get(scheme, "/images/a.jpg"),
            get(scheme, "/public/a"),
            sent("HEAD", scheme, ALIAS, "/public/b", &[], b""),
            sent("DELETE", scheme, ALIAS, "/images/a", &[], b""),
            get(scheme, "/account/x"),
        ];
        for s in &requests {
            let raw = conn.exchange(s).await;
            let line = &f.log_lines(&s.id, 1).await[0];
            assert_eq!(
                line.sc_bytes,
                (raw.head_len + raw.body.len()) as u64,
                "{scheme} {}",
                s.req.target
            );
            assert_eq!(line.sc_status, raw.status);
            let outcome = f.observe(s, &raw, false, None).await;
            assert!(!outcome.closed);
        }
    }
    // Pipelined: both requests in one write; each line still has its own response's bytes.
    let mut conn = f.connect(Scheme::Http).await;
    let (a, b) = (
        get(Scheme::Http, "/public/p1"),
        get(Scheme::Http, "/images/p2"),
    );
    let both = Sent {
        id: a.id.clone(),
        req: a.req.clone(),
        bytes: [a.bytes.clone(), b.bytes.clone()].concat(),
    };
    let b_id = b.id.clone();
    let first = conn.exchange(&both).await;
    let second = conn
        .exchange(&Sent {
            bytes: Vec::new(),
            ..b
        })
        .await;
    assert_eq!((first.status, second.status), (200, 301));
    let sizes = [&first, &second].map(|r| (r.head_len + r.body.len()) as u64);
    let logged = [
        f.log_lines(&a.id, 1).await[0].sc_bytes,
        f.log_lines(&b_id, 1).await[0].sc_bytes,
    ];
    assert_eq!(logged, sizes);

    // Origin connections are reused: one per origin listener used.
    let records = f.origin.records();
    let connections: HashSet<u64> = records.iter().map(|r| r.connection).collect();
    let listeners: HashSet<(&str, Protocol)> = records
        .iter()
        .map(|r| (r.listener.as_str(), r.protocol))
        .collect();
    assert_eq!(connections.len(), listeners.len(), "{records:#?}");
}

#[tokio::test]
async fn throughput_of_http_301s_over_one_keep_alive_connection() {
    let f = Fixture::start().await;
    let mut conn = f.connect(Scheme::Http).await;
    let s = get(Scheme::Http, "/images/a.jpg?x=1");
    const N: usize = 2_000;
    let started = Instant::now();
    for _ in 0..N {
        let raw = conn.exchange(&s).await;
        assert_eq!(raw.status, 301);
    }
    let elapsed = started.elapsed();
    println!(
        "{N} HTTP 301s over one keep-alive connection in {:.3} s: {:.0} requests/s",
        elapsed.as_secs_f64(),
        N as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(f.log_lines(&s.id, N).await.len(), N);
}

#[tokio::test]
async fn shutdown_writes_out_the_log_and_frees_the_ports() {
    // On a loopback address of its own: the other tests, running alongside in this process,
    // bind 127.0.0.1 ports all the time, and one of them may be given a port this edge has just
    // let go, which would then accept the connection below.
    let own = SocketAddr::from(([127, 0, 0, 2], 0));
    let f = Fixture::start_with(
        |_| {},
        |config| {
            config.http_addr = own;
            config.https_addr = own;
        },
    )
    .await;
    let s = get(Scheme::Http, "/images/z");
    f.run(&s).await;
    let addrs = f.edge.addrs();
    let log = f.log.clone();
    let Fixture { edge, _dir, .. } = f;
    timeout(LIMIT, edge.shutdown()).await.unwrap();
    for addr in [addrs.http, addrs.https] {
        assert!(TcpStream::connect(addr).await.is_err(), "{addr} still open");
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("#Version: 1.0\n#Fields: date time"));
    assert_eq!(parse_log(&text).unwrap().len(), 1);
}

/// The binary: `edgeconform origin` and `edgeconform edge --origin-control` as processes.
#[tokio::test]
async fn the_edge_command_serves_behind_the_origin_command() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let bin = env!("CARGO_BIN_EXE_edgeconform");
    let dir = TempDir::new("cli");
    let ca_dir = dir.0.join("ca");
    let ca_arg = ca_dir.to_str().unwrap();
    let dist = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/distributions/standard.yaml"
    );

    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    fn lines(child: &mut std::process::Child, n: usize) -> Vec<serde_json::Value> {
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        out.lines()
            .take(n)
            .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
            .collect()
    }

    let mut origin = Kill(
        Command::new(bin)
            .args([
                "origin",
                "--ca-dir",
                ca_arg,
                "--listen",
                "assets=http",
                "--listen",
                "assets=https",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let origin_lines = tokio::task::spawn_blocking(move || {
        let l = lines(&mut origin.0, 4);
        (origin, l)
    });
    let (_origin, origin_lines) = timeout(LIMIT, origin_lines).await.unwrap().unwrap();
    let control = origin_lines
        .iter()
        .find(|l| l["event"] == "control")
        .unwrap()["addr"]
        .as_str()
        .unwrap()
        .to_string();

    let edge = Command::new(bin)
        .args(["edge", "-d", dist, "--ca-dir", ca_arg, "--origin-control"])
        .arg(format!("http://{control}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let edge_lines = tokio::task::spawn_blocking(move || {
        let mut edge = Kill(edge);
        let l = lines(&mut edge.0, 3);
        (edge, l)
    });
    let (_edge, edge_lines) = timeout(LIMIT, edge_lines).await.unwrap().unwrap();
    let https = edge_lines.iter().find(|l| l["scheme"] == "https").unwrap()["addr"]
        .as_str()
        .unwrap()
        .to_string();

    let ca = TestCa::load(&ca_dir).unwrap();
    let https: SocketAddr = https.parse().unwrap();
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(LIMIT)
        .resolve(ALIAS, https)
        .tls_backend_preconfigured(ca.client_config(&[]).unwrap())
        .build()
        .unwrap();
    let response = client
        .get(format!("https://{ALIAS}:{}/public/x", https.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-origin-protocol"], "https");

    // A broken distribution is a config error (exit 2) that names the file, line and column.
    let bad = dir.0.join("bad.yaml");
    std::fs::write(&bad, "domain: d1.cloudfront.net\norigins: {a: {type: s3}}\ndefault_behavior: {viewer_protocol_policy: allow-some, origin: a}\n").unwrap();
    let output = Command::new(bin)
        .args(["edge", "-d"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:3:", bad.display())),
        "{stderr}"
    );
}
