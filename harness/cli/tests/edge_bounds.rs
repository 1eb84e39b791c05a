//! The reference edge's connection bounds over real loopback sockets: a connection that has not
//! delivered a request head within the head timeout is closed (plain and TLS, half a head or
//! nothing at all), and connections over `max_connections` are closed as they arrive while the
//! ones already open keep being served. Both with the caller's runtime and with worker threads.
//! No timing is asserted beyond generous upper bounds on waits.

use std::net::SocketAddr;
use std::time::Duration;

use edgeconform::edge::{EdgeConfig, EdgeServer, OriginMap};
use edgeconform::tls::TestCa;
use edgeconform_core::distribution::Distribution;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const DOMAIN: &str = "d111111abcdef8.cloudfront.net";
/// Far above the head timeouts used here (0.3 s), below hyper's own default (30 s) and the
/// edge's default (10 s): a connection still open then was not closed by the configured timeout.
const LIMIT: Duration = Duration::from_secs(5);

fn standard() -> Distribution {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/distributions/standard.yaml"
    );
    Distribution::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn edge(workers: usize, header_timeout: Duration, max_connections: usize) -> EdgeServer {
    let ca = TestCa::generate().unwrap();
    let mut config = EdgeConfig::new(standard(), &ca, OriginMap::new()).unwrap();
    config.header_timeout = header_timeout;
    config.max_connections = max_connections;
    config.workers = workers;
    config.quiet = true;
    EdgeServer::start(config).await.unwrap()
}

const GET_301: &[u8] = b"GET /images/a.jpg HTTP/1.1\r\nHost: d111111abcdef8.cloudfront.net\r\n\r\n";

/// Sends a 301 request on `tcp` and reads the whole answer (its page has a Content-Length).
async fn redirect(tcp: &mut TcpStream) -> Result<String, String> {
    tcp.write_all(GET_301).await.map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = timeout(LIMIT, tcp.read(&mut buf))
            .await
            .map_err(|_| "no answer".to_string())?
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Err(format!("closed after {:?}", String::from_utf8_lossy(&got)));
        }
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                return Ok(text);
            }
        }
    }
}

/// Whether the edge ends the connection (EOF or reset) within `LIMIT`, reading and
/// discarding whatever it sends first.
async fn closed_by_edge(tcp: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    let read_to_end = async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    timeout(LIMIT, read_to_end).await.is_ok()
}

async fn connect(addr: SocketAddr) -> TcpStream {
    timeout(LIMIT, TcpStream::connect(addr))
        .await
        .unwrap()
        .unwrap()
}

async fn half_heads_are_closed_after_the_head_timeout(workers: usize) {
    let edge = edge(workers, Duration::from_millis(300), 100).await;
    let http = edge.addrs().http;
    let mut half = connect(http).await;
    half.write_all(b"GET /images/a.jpg HTTP/1.1\r\nHost: d111111abcdef8.cloudfront.net\r\n")
        .await
        .unwrap();
    let mut silent = connect(http).await;
    let mut tls_silent = connect(edge.addrs().https).await;
    let mut served = connect(http).await;
    let first = redirect(&mut served).await.unwrap();
    assert!(first.starts_with("HTTP/1.1 301"), "{first}");

    assert!(
        closed_by_edge(&mut half).await,
        "a half-sent head stayed open"
    );
    assert!(
        closed_by_edge(&mut silent).await,
        "a silent connection stayed open"
    );
    assert!(
        closed_by_edge(&mut tls_silent).await,
        "a connection that never started its TLS handshake stayed open"
    );
    // A keep-alive connection idle longer than the timeout is closed too; a new one is served.
    assert!(
        closed_by_edge(&mut served).await,
        "an idle keep-alive connection stayed open"
    );
    let mut again = connect(http).await;
    assert!(redirect(&mut again).await.unwrap().contains(DOMAIN));
    edge.shutdown().await;
}

#[tokio::test]
async fn half_heads_are_closed_after_the_head_timeout_on_the_callers_runtime() {
    half_heads_are_closed_after_the_head_timeout(0).await;
}

#[tokio::test]
async fn half_heads_are_closed_after_the_head_timeout_with_worker_threads() {
    half_heads_are_closed_after_the_head_timeout(2).await;
}

async fn connections_over_the_bound_are_closed(workers: usize) {
    let edge = edge(workers, Duration::from_secs(30), 2).await;
    let http = edge.addrs().http;
    let mut a = connect(http).await;
    let mut b = connect(http).await;
    // Both served: both accepted, so both hold a place.
    redirect(&mut a).await.unwrap();
    redirect(&mut b).await.unwrap();
    let mut over = connect(http).await;
    let refused = redirect(&mut over).await;
    assert!(
        refused.is_err(),
        "a third connection was served: {refused:?}"
    );
    // The connections already open keep being served.
    redirect(&mut a).await.unwrap();

    // Once one ends, a new connection gets its place (after the edge has seen it end).
    drop(b.shutdown().await);
    drop(b);
    let mut served = None;
    for _ in 0..100 {
        let mut c = connect(http).await;
        if let Ok(answer) = redirect(&mut c).await {
            served = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let served = served.expect("no connection was served after one of the two ended");
    assert!(served.starts_with("HTTP/1.1 301"), "{served}");
    edge.shutdown().await;
}

#[tokio::test]
async fn connections_over_the_bound_are_closed_on_the_callers_runtime() {
    connections_over_the_bound_are_closed(0).await;
}

#[tokio::test]
async fn connections_over_the_bound_are_closed_with_worker_threads() {
    connections_over_the_bound_are_closed(2).await;
}
