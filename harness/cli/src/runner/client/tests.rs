//! The client against a real HTTP/2 server (hyper over rustls on loopback): what arrives is what a
//! real client sends, byte for byte, and a server without `h2` makes an HTTP/2 request not run.

use super::*;
use crate::tls::TestCa;
use edgeconform_core::Method;
use http_body_util::Full;
use hyper::server::conn::http2;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::sync::Mutex;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// What the server saw of one request.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    version: hyper::Version,
    scheme: Option<String>,
    authority: Option<String>,
    path: String,
    headers: Vec<(String, String)>,
}

/// A TLS server on loopback offering `alpn`; over h2 it records each request and answers 200
/// with `body_len` bytes. Over anything else it answers nothing.
pub(crate) async fn server(
    ca: &TestCa,
    alpn: &[&[u8]],
    body_len: usize,
) -> (SocketAddr, Arc<Mutex<Vec<Seen>>>) {
    let cfg = ca
        .server_config(&["www.example.com".to_string()], alpn)
        .unwrap();
    let acceptor = TlsAcceptor::from(cfg);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, log) = (acceptor.clone(), log.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if tls.get_ref().1.alpn_protocol() != Some(b"h2".as_slice()) {
                    return;
                }
                let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let log = log.clone();
                    async move {
                        let uri = req.uri();
                        log.lock().unwrap().push(Seen {
                            version: req.version(),
                            scheme: uri.scheme_str().map(str::to_string),
                            authority: uri.authority().map(|a| a.to_string()),
                            path: uri
                                .path_and_query()
                                .map_or(String::new(), |p| p.to_string()),
                            headers: req
                                .headers()
                                .iter()
                                .map(|(n, v)| {
                                    (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into())
                                })
                                .collect(),
                        });
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                            Bytes::from(vec![b'o'; body_len]),
                        )))
                    }
                });
                let _ = http2::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    (addr, seen)
}

pub(crate) fn client(ca: &TestCa, addr: SocketAddr) -> Client {
    let tls = Arc::new(ca.client_config(&[]).unwrap());
    let ep = Endpoint {
        http: addr,
        https: addr,
        tls_name: "www.example.com".into(),
    };
    Client::new(ep, tls, Duration::from_secs(5))
}

fn h2_get(target: &str) -> Request {
    let mut r = Request::new(Method::Get, Scheme::Https, "www.example.com", target);
    r.version = HttpVersion::Http2;
    r
}

#[tokio::test]
async fn an_h2_request_arrives_as_a_real_client_sends_it() {
    let ca = TestCa::generate().unwrap();
    let (addr, seen) = server(&ca, &[b"h2", b"http/1.1"], 10).await;
    let mut c = client(&ca, addr);
    let target = "/a/../b%2F?x=%zz";
    let mut req = h2_get(target);
    req.headers.push(("Connection".into(), "keep-alive".into()));
    let extra = [("x-edgeconform-id".to_string(), "c-1".to_string())];
    let resp = c.send(&req, "www.example.com", &extra).await.unwrap();
    assert_eq!((resp.status, resp.body_len), (200, 10));
    let s = seen.lock().unwrap()[0].clone();
    assert_eq!(s.version, hyper::Version::HTTP_2);
    assert_eq!(s.scheme.as_deref(), Some("https"));
    assert_eq!(s.authority.as_deref(), Some("www.example.com"));
    assert_eq!(s.path, target, "the :path is the raw target");
    let names: Vec<&str> = s.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["user-agent", "accept", "x-edgeconform-id"]);
}

#[tokio::test]
async fn a_body_over_the_limit_is_counted_and_cut() {
    let ca = TestCa::generate().unwrap();
    let (addr, _) = server(&ca, &[b"h2"], 100_000).await;
    let mut c = client(&ca, addr).with_max_body_bytes(1000);
    let resp = c
        .send(&h2_get("/big"), "www.example.com", &[])
        .await
        .unwrap();
    assert_eq!(resp.body.len(), 1000);
    assert_eq!(resp.body_len, 100_000);
    assert!(resp.truncated);
}

#[tokio::test]
async fn without_h2_by_alpn_an_h2_request_is_not_run() {
    let ca = TestCa::generate().unwrap();
    for (alpn, reason) in [
        (
            &[b"http/1.1".as_slice()][..],
            "h2 not offered (ALPN selected http/1.1)",
        ),
        (&[][..], "h2 not offered (no ALPN protocol selected)"),
    ] {
        let (addr, _) = server(&ca, alpn, 0).await;
        let mut c = client(&ca, addr);
        let e = c
            .send(&h2_get("/x"), "www.example.com", &[])
            .await
            .expect_err("not run");
        let n = e.downcast_ref::<NotRun>().expect("a NotRun");
        assert_eq!(n.reason, reason);
    }
}
