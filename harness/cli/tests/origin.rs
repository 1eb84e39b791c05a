//! The instrumented origin over real loopback sockets: what it records, what it answers, and
//! what its control endpoint serves. Every wait is bounded.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use edgeconform::origin::{
    objects::body_bytes, BoundListener, ListenerSpec, OriginRecord, OriginServer, Protocol,
};
use edgeconform::tls::TestCa;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode, Version};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

struct Fixture {
    ca: TestCa,
    server: OriginServer,
    client: Client,
}

impl Fixture {
    async fn start() -> Fixture {
        let ca = TestCa::generate().unwrap();
        let specs = vec![
            ListenerSpec::http("assets", 80),
            ListenerSpec::https("assets", 443),
            ListenerSpec::http("website", 8080),
            ListenerSpec::https("stuck", 443).hang(),
        ];
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        let control = Some("127.0.0.1:0".parse().unwrap());
        let server = OriginServer::start(specs, &ca, names, control)
            .await
            .unwrap();
        let client = Client::builder()
            .redirect(Policy::none())
            .no_proxy()
            .timeout(LIMIT)
            .tls_backend_preconfigured(ca.client_config(&[]).unwrap())
            .build()
            .unwrap();
        Fixture { ca, server, client }
    }

    fn addr(&self, name: &str, tls: bool) -> SocketAddr {
        self.server.listener(name, tls).unwrap().addr
    }

    fn url(&self, name: &str, tls: bool, target: &str) -> String {
        let scheme = if tls { "https" } else { "http" };
        let port = self.addr(name, tls).port();
        format!("{scheme}://localhost:{port}{target}")
    }

    fn control_url(&self, target: &str) -> String {
        format!("http://{}{target}", self.server.control_addr().unwrap())
    }

    fn only_record(&self, id: &str) -> OriginRecord {
        let mut records = self.server.records_for(id);
        assert_eq!(records.len(), 1, "records for {id}: {records:?}");
        records.remove(0)
    }
}

/// Writes `request` on a fresh connection to `addr` and returns everything read until close.
async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    timeout(LIMIT, async {
        let mut tcp = TcpStream::connect(addr).await.unwrap();
        tcp.write_all(request).await.unwrap();
        let mut response = Vec::new();
        tcp.read_to_end(&mut response).await.unwrap();
        response
    })
    .await
    .expect("raw exchange timed out")
}

#[tokio::test]
async fn http_request_is_recorded_with_protocol_logical_port_target_and_id() {
    let f = Fixture::start().await;
    let response = f
        .client
        .get(f.url("assets", false, "/img/a.png?v=1&w=%2F"))
        .header("x-edgeconform-id", "case-http")
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap();
    assert_eq!(&body[..], &body_bytes(1000)[..]);

    let record = f.only_record("case-http");
    assert_eq!(record.listener, "assets");
    assert_eq!(record.protocol, Protocol::Http);
    assert_eq!(record.logical_port, 80);
    assert_eq!(record.local_port, f.addr("assets", false).port());
    assert_eq!(record.method, "GET");
    assert_eq!(record.target, "/img/a.png?v=1&w=%2F");
    assert_eq!(record.version, "HTTP/1.1");
    assert_eq!(record.body_len, 0);
    // A header claiming another protocol is recorded, and does not change what the origin saw.
    assert_eq!(record.header("x-forwarded-proto"), Some("https"));
    assert_eq!(
        record.header("host"),
        Some(format!("localhost:{}", f.addr("assets", false).port()).as_str())
    );

    assert_eq!(headers["x-origin-name"], "assets");
    assert_eq!(headers["x-origin-protocol"], "http");
    assert_eq!(headers["x-origin-port"], "80");
    assert_eq!(headers["x-origin-seq"], record.seq.to_string().as_str());
    assert_eq!(headers["x-edgeconform-id"], "case-http");
    assert_eq!(headers["content-length"], "1000");
}

#[tokio::test]
async fn https_request_over_h2_is_recorded_as_https() {
    let f = Fixture::start().await;
    let response = f
        .client
        .get(f.url("assets", true, "/secure/x?y=1"))
        .header("x-edgeconform-id", "case-https")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(response.headers()["x-origin-protocol"], "https");
    assert_eq!(response.headers()["x-origin-port"], "443");
    assert_eq!(response.bytes().await.unwrap().len(), 1000);

    let record = f.only_record("case-https");
    assert_eq!(record.protocol, Protocol::Https);
    assert_eq!(record.logical_port, 443);
    assert_eq!(record.local_port, f.addr("assets", true).port());
    assert_eq!(record.target, "/secure/x?y=1");
    assert_eq!(record.version, "HTTP/2.0");
    let port = f.addr("assets", true).port();
    assert_eq!(record.authority, Some(format!("localhost:{port}")));
}

#[tokio::test]
async fn https_by_ip_address_verifies_against_the_ip_san() {
    let f = Fixture::start().await;
    let url = format!("https://{}/ip", f.addr("assets", true));
    let response = f.client.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn request_body_is_counted_and_head_gets_no_body() {
    let f = Fixture::start().await;
    let response = f
        .client
        .post(f.url("assets", true, "/upload"))
        .header("x-edgeconform-id", "case-post")
        .body(vec![b'x'; 123_457])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.unwrap();
    let record = f.only_record("case-post");
    assert_eq!((record.method.as_str(), record.body_len), ("POST", 123_457));

    for tls in [false, true] {
        let id = format!("case-head-{tls}");
        let response = f
            .client
            .head(f.url("assets", tls, "/obj"))
            .header("x-edgeconform-id", &id)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-length"], "1000", "tls={tls}");
        assert!(response.bytes().await.unwrap().is_empty());
        assert_eq!(f.only_record(&id).method, "HEAD");
    }
}

#[tokio::test]
async fn object_sizes_follow_the_default_and_per_path_overrides() {
    let f = Fixture::start().await;
    f.server.objects().set("/big.bin", 300_000);
    f.server.objects().set("/empty", 0);
    let put = f
        .client
        .put(f.control_url("/objects"))
        .body(r#"{"paths": {"/seven": 7}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    for (target, size) in [
        ("/big.bin?cache=bust", 300_000usize),
        ("/empty", 0),
        ("/seven", 7),
        ("/other", 1000),
    ] {
        let body = f
            .client
            .get(f.url("assets", true, target))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(body.len(), size, "{target}");
        assert_eq!(&body[..], &body_bytes(size)[..], "{target}");
    }

    let bad = f
        .client
        .put(f.control_url("/objects"))
        .body(r#"{"sizes": {}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let message = bad.text().await.unwrap();
    assert!(message.contains("expected {"), "{message}");
}

#[tokio::test]
async fn every_answer_is_marked_with_its_fetch_and_not_stored_unless_cacheable() {
    let f = Fixture::start().await;
    let get = |id: Option<&'static str>| {
        let mut r = f.client.get(f.url("assets", true, "/c"));
        if let Some(id) = id {
            r = r.header("x-edgeconform-id", id);
        }
        async move { r.send().await.unwrap().headers().clone() }
    };
    let h = get(Some("case-a")).await;
    assert_eq!(h["x-edgeconform-fetch"], "case-a; origin=assets");
    assert_eq!(h["cache-control"], "no-store");
    // Without a correlation id the mark still names the listener.
    assert_eq!(get(None).await["x-edgeconform-fetch"], "-; origin=assets");

    // One correlation id made cacheable over the control endpoint; then every answer.
    let put = f
        .client
        .put(f.control_url("/objects"))
        .body(r#"{"cacheable_ids": {"case-b": true}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    assert_eq!(
        get(Some("case-b")).await["cache-control"],
        "public, max-age=300"
    );
    assert_eq!(get(Some("case-c")).await["cache-control"], "no-store");
    f.server.objects().set_cacheable(true);
    assert_eq!(
        get(Some("case-c")).await["cache-control"],
        "public, max-age=300"
    );
    assert_eq!(get(None).await["cache-control"], "public, max-age=300");
}

#[tokio::test]
async fn raw_request_target_is_recorded_byte_for_byte() {
    let f = Fixture::start().await;
    let targets = [
        "/a/../b?x=%2F",
        "/a/%2e%2e/b//c;p=1?q=a%20b&&=&x=%2f",
        "/%7E~user/./index.html?",
    ];
    for (i, target) in targets.iter().enumerate() {
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: Assets.Example.COM\r\nX-EdgeConform-Id: raw-{i}\r\n\
             X-Dup: 1\r\nX-Dup: 2\r\nConnection: close\r\n\r\n"
        );
        let response = raw_exchange(f.addr("website", false), request.as_bytes()).await;
        let text = String::from_utf8_lossy(&response);
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        let record = f.only_record(&format!("raw-{i}"));
        assert_eq!(record.target, *target);
        assert_eq!(record.listener, "website");
        assert_eq!(record.logical_port, 8080);
        assert_eq!(record.protocol, Protocol::Http);
        assert_eq!(record.header("host"), Some("Assets.Example.COM"));
        assert_eq!(
            record.header_values("x-dup").collect::<Vec<_>>(),
            ["1", "2"]
        );
        assert_eq!(record.authority, None);
    }
}

#[tokio::test]
async fn tls_to_the_http_only_listener_fails() {
    let f = Fixture::start().await;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(f.ca.client_config(&[]).unwrap()));
    let result = timeout(LIMIT, async {
        let tcp = TcpStream::connect(f.addr("website", false)).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        connector.connect(name, tcp).await
    })
    .await
    .expect("handshake to the http-only listener timed out");
    assert!(
        result.is_err(),
        "TLS handshake succeeded on an http-only port"
    );

    let result = f
        .client
        .get(format!(
            "https://localhost:{}/",
            f.addr("website", false).port()
        ))
        .send()
        .await;
    assert!(result.is_err());
    assert!(f.server.records().is_empty(), "{:?}", f.server.records());
}

#[tokio::test]
async fn hanging_listener_accepts_and_never_answers() {
    let f = Fixture::start().await;
    let mut tcp = TcpStream::connect(f.addr("stuck", true)).await.unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 16];
    let read = timeout(Duration::from_millis(300), tcp.read(&mut buf)).await;
    assert!(read.is_err(), "the hanging listener answered: {read:?}");
    assert!(f.server.records().is_empty());
}

#[tokio::test]
async fn control_endpoint_serves_listeners_and_the_same_records() {
    let f = Fixture::start().await;
    for (tls, id) in [(false, "ctl-1"), (true, "ctl-2"), (true, "ctl-2")] {
        f.client
            .get(f.url("assets", tls, "/c?q=1"))
            .header("x-edgeconform-id", id)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    }
    raw_exchange(
        f.addr("website", false),
        b"GET /a/../b?x=%2F HTTP/1.1\r\nHost: h\r\nx-edgeconform-id: a b&c\r\nConnection: close\r\n\r\n",
    )
    .await;

    let get_json = |target: &'static str| {
        let url = f.control_url(target);
        let client = f.client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{target}");
            response.json::<serde_json::Value>().await.unwrap()
        }
    };

    let listeners: Vec<BoundListener> =
        serde_json::from_value(get_json("/listeners").await).unwrap();
    assert_eq!(listeners, f.server.listeners());

    let all: Vec<OriginRecord> = serde_json::from_value(get_json("/records").await).unwrap();
    assert_eq!(all, f.server.records());
    assert_eq!(all.len(), 4);

    let raw = get_json("/records").await;
    assert_eq!(raw[0]["protocol"], "http");
    assert_eq!(raw[1]["protocol"], "https");
    assert_eq!(raw[3]["target"], "/a/../b?x=%2F");

    let by_id: Vec<OriginRecord> =
        serde_json::from_value(get_json("/records?id=ctl-2").await).unwrap();
    assert_eq!(by_id, f.server.records_for("ctl-2"));
    assert_eq!(by_id.len(), 2);
    let encoded: Vec<OriginRecord> =
        serde_json::from_value(get_json("/records?id=a%20b%26c").await).unwrap();
    assert_eq!(encoded.len(), 1);
    assert_eq!(encoded[0].target, "/a/../b?x=%2F");
    let after: Vec<OriginRecord> =
        serde_json::from_value(get_json("/records?after=3").await).unwrap();
    assert_eq!(after.iter().map(|r| r.seq).collect::<Vec<_>>(), [4]);

    let cleared = f
        .client
        .delete(f.control_url("/records"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        cleared.json::<serde_json::Value>().await.unwrap()["cleared"],
        4
    );
    assert!(f.server.records().is_empty());

    let missing = f.client.get(f.control_url("/nope")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let bad = f
        .client
        .get(f.control_url("/records?after=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let wrong = f
        .client
        .post(f.control_url("/records"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn duplicate_listener_is_refused_and_shutdown_closes_the_ports() {
    let ca = TestCa::generate().unwrap();
    let err = OriginServer::start(
        vec![ListenerSpec::http("a", 80), ListenerSpec::http("a", 8080)],
        &ca,
        vec![],
        None,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("two http listeners"), "{err}");

    let server = OriginServer::start(vec![ListenerSpec::http("a", 80)], &ca, vec![], None)
        .await
        .unwrap();
    let addr = server.listeners()[0].addr;
    // An idle keep-alive connection must not hold shutdown up.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = timeout(LIMIT, idle.read(&mut buf)).await.unwrap().unwrap();
    assert!(n > 0);
    timeout(LIMIT, server.shutdown())
        .await
        .expect("shutdown took too long");
    assert!(TcpStream::connect(addr).await.is_err());
}

/// Kills the child process when dropped, so a failing assertion leaves nothing running.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn standalone_origin_prints_its_ports_and_stops_on_sigterm() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_edgeconform"))
            .args(["origin", "--listen", "s3=http", "--listen", "s3=https:8443"])
            .args(["--object-size", "5"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    // A plain thread, not spawn_blocking: the runtime must not wait for it if the child hangs.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(line) = serde_json::from_str::<serde_json::Value>(&line) else {
                break;
            };
            let done = line["event"] == "control";
            lines.push(line);
            if done {
                break;
            }
        }
        let _ = tx.send(lines);
    });
    let lines = timeout(LIMIT, rx)
        .await
        .expect("no control line in time")
        .unwrap();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["event"], "listener");
    assert_eq!(lines[1]["logical_port"], 8443);
    assert_eq!(lines[1]["tls"], true);
    let http_addr = lines[0]["addr"].as_str().unwrap().to_string();
    let control = lines[2]["addr"].as_str().unwrap().to_string();

    let ca = TestCa::generate().unwrap();
    let client = Client::builder()
        .no_proxy()
        .timeout(LIMIT)
        .tls_backend_preconfigured(ca.client_config(&[]).unwrap())
        .build()
        .unwrap();
    let body = client
        .get(format!("http://{http_addr}/x"))
        .header("x-edgeconform-id", "bin-1")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(body.len(), 5);
    let records: Vec<OriginRecord> = client
        .get(format!("http://{control}/records?id=bin-1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].logical_port, 80);

    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the origin did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
}
