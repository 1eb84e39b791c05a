//! The runner's HTTP client: hyper's connection API over plain TCP or rustls, so the request-target
//! goes out byte for byte (`/a/../b%2F?x` is never normalised, which reqwest/url would do) and the
//! `Host` header is exactly the scenario's while the socket goes to the target's address (like
//! `curl --resolve`). One connection per scheme per worker, kept alive and reopened when closed.

use anyhow::{anyhow, Context, Result};
use bytes::Bytes;
use edgeconform_core::{HttpVersion, Request, Scheme};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Where the target listens.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub http: SocketAddr,
    pub https: SocketAddr,
    /// SNI and certificate name for HTTPS when the request has no usable Host.
    pub tls_name: String,
}

/// What came back for one request.
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Bytes received that are not body: the response head (and any chunk framing), as counted
    /// on the connection (after TLS).
    pub header_bytes: u64,
    pub body: Bytes,
    /// The server closed the connection after the response (`Connection: close` or EOF).
    pub closed: bool,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How one attempt failed: on a stale kept-alive connection (worth one retry) or for good.
enum Attempt {
    Stale(anyhow::Error),
    Fatal(anyhow::Error),
}

impl Attempt {
    fn into_error(self) -> anyhow::Error {
        match self {
            Attempt::Stale(e) | Attempt::Fatal(e) => e,
        }
    }
}

enum ConnKind {
    H1(http1::SendRequest<Full<Bytes>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

/// A connection and the count of bytes read from it so far.
struct Conn {
    kind: ConnKind,
    read: Arc<AtomicU64>,
    /// The TLS server name the connection was opened with (empty for plain HTTP).
    sni: String,
}

/// Counts the bytes read through it (plaintext: after TLS), so the runner knows exactly what the
/// target sent (BIL-LOG-RECONCILE compares it with the target's `sc-bytes`).
struct Counting<T> {
    inner: T,
    read: Arc<AtomicU64>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Counting<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = (buf.filled().len() - before) as u64;
        self.read.fetch_add(n, Ordering::Relaxed);
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Counting<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// One worker's connections.
pub struct Client {
    endpoint: Endpoint,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
    http: Option<Conn>,
    https: Option<Conn>,
}

impl Client {
    /// `tls` must offer ALPN h2 and http/1.1; the client picks per request version.
    pub fn new(endpoint: Endpoint, tls: Arc<rustls::ClientConfig>, timeout: Duration) -> Client {
        Client {
            endpoint,
            tls,
            timeout,
            http: None,
            https: None,
        }
    }

    /// Sends one request and reads the whole response, within the per-request timeout.
    /// `sni` is the TLS server name for HTTPS (the runner picks it from the Host).
    pub async fn send(
        &mut self,
        req: &Request,
        sni: &str,
        extra_headers: &[(String, String)],
    ) -> Result<Response> {
        match tokio::time::timeout(self.timeout, self.send_inner(req, sni, extra_headers)).await {
            Ok(r) => r,
            Err(_) => {
                self.drop_conn(req.scheme);
                Err(anyhow!("no complete response within {:?}", self.timeout))
            }
        }
    }

    fn drop_conn(&mut self, scheme: Scheme) {
        match scheme {
            Scheme::Http => self.http = None,
            Scheme::Https => self.https = None,
        }
    }

    async fn send_inner(
        &mut self,
        req: &Request,
        sni: &str,
        extra: &[(String, String)],
    ) -> Result<Response> {
        match self.send_once(req, sni, extra).await {
            // A kept-alive connection the server closed while idle fails before any response
            // byte: the request never reached the server, so send it once more on a new one.
            Err(Attempt::Stale(_)) => self
                .send_once(req, sni, extra)
                .await
                .map_err(Attempt::into_error),
            r => r.map_err(Attempt::into_error),
        }
    }

    async fn send_once(
        &mut self,
        req: &Request,
        sni: &str,
        extra: &[(String, String)],
    ) -> std::result::Result<Response, Attempt> {
        let want_h2 = req.version == HttpVersion::Http2;
        let slot = match req.scheme {
            Scheme::Http => &mut self.http,
            Scheme::Https => &mut self.https,
        };
        let same_name = slot
            .as_ref()
            .is_some_and(|c| req.scheme == Scheme::Http || c.sni == sni);
        let reusable = same_name
            && match slot.as_ref().map(|c| &c.kind) {
                Some(ConnKind::H1(s)) => {
                    !want_h2 && req.version != HttpVersion::Http10 && s.is_ready()
                }
                Some(ConnKind::H2(s)) => want_h2 && s.is_ready(),
                None => false,
            };
        if !reusable {
            *slot = Some(
                connect(&self.endpoint, &self.tls, req, sni, want_h2)
                    .await
                    .map_err(Attempt::Fatal)?,
            );
        }
        let conn = slot.as_mut().expect("set above");
        let mut b = hyper::Request::builder()
            .method(req.method.as_str())
            .uri(req.target.as_str());
        b = b.version(match req.version {
            HttpVersion::Http10 => hyper::Version::HTTP_10,
            HttpVersion::Http11 => hyper::Version::HTTP_11,
            HttpVersion::Http2 => hyper::Version::HTTP_2,
        });
        if let Some(h) = &req.host {
            b = b.header(hyper::header::HOST, h.as_str());
        }
        for (n, v) in req.headers.iter().chain(extra) {
            b = b.header(n.as_str(), v.as_str());
        }
        // As real clients send it: a length with every body, and with an empty POST/PUT/PATCH.
        if req.content_length && req.header("content-length").is_none() {
            b = b.header(hyper::header::CONTENT_LENGTH, req.body_len);
        }
        let body = if req.body_len > 0 {
            Bytes::from(vec![b'x'; req.body_len as usize])
        } else {
            Bytes::new()
        };
        let hreq = b
            .body(Full::new(body))
            .with_context(|| format!("cannot build a request for {:?}", req.target))
            .map_err(Attempt::Fatal)?;
        let read_before = conn.read.load(Ordering::Relaxed);
        let read = conn.read.clone();
        let resp = match &mut conn.kind {
            ConnKind::H1(s) => s.send_request(hreq).await,
            ConnKind::H2(s) => s.send_request(hreq).await,
        };
        let resp = match resp {
            Ok(r) => r,
            Err(e) => {
                *slot = None;
                let err = anyhow!("request failed: {e}");
                return Err(
                    if reusable && (e.is_canceled() || e.is_incomplete_message()) {
                        Attempt::Stale(err)
                    } else {
                        Attempt::Fatal(err)
                    },
                );
            }
        };
        let status = resp.status().as_u16();
        let mut headers = Vec::new();
        let mut closed = req.version == HttpVersion::Http10;
        for (n, v) in resp.headers() {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            if n == hyper::header::CONNECTION && v.eq_ignore_ascii_case("close") {
                closed = true;
            }
            headers.push((n.as_str().to_string(), v));
        }
        let body = match resp.into_body().collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                *slot = None;
                return Err(Attempt::Fatal(anyhow!("response body broke off: {e}")));
            }
        };
        if closed {
            *slot = None;
        }
        let received = read.load(Ordering::Relaxed) - read_before;
        let header_bytes = received.saturating_sub(body.len() as u64);
        Ok(Response {
            status,
            headers,
            header_bytes,
            body,
            closed,
        })
    }
}

async fn connect(
    ep: &Endpoint,
    tls: &Arc<rustls::ClientConfig>,
    req: &Request,
    sni: &str,
    h2: bool,
) -> Result<Conn> {
    let addr = match req.scheme {
        Scheme::Http => ep.http,
        Scheme::Https => ep.https,
    };
    let tcp = TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot connect to {addr}"))?;
    let _ = tcp.set_nodelay(true);
    let read = Arc::new(AtomicU64::new(0));
    let kind = match req.scheme {
        Scheme::Http => {
            handshake(
                TokioIo::new(Counting {
                    inner: tcp,
                    read: read.clone(),
                }),
                h2,
            )
            .await?
        }
        Scheme::Https => {
            let name = if sni.is_empty() {
                ep.tls_name.clone()
            } else {
                sni.to_string()
            };
            let sni = ServerName::try_from(name.clone())
                .map_err(|_| anyhow!("`{name}` is not a TLS server name"))?;
            let mut cfg = (**tls).clone();
            cfg.alpn_protocols = if h2 {
                vec![b"h2".to_vec()]
            } else {
                vec![b"http/1.1".to_vec()]
            };
            let stream = TlsConnector::from(Arc::new(cfg))
                .connect(sni, tcp)
                .await
                .with_context(|| format!("TLS handshake with {addr} as {name} failed"))?;
            handshake(
                TokioIo::new(Counting {
                    inner: stream,
                    read: read.clone(),
                }),
                h2,
            )
            .await?
        }
    };
    Ok(Conn {
        kind,
        read,
        sni: sni.to_string(),
    })
}

async fn handshake<T>(io: TokioIo<T>, h2: bool) -> Result<ConnKind>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    if h2 {
        let (send, conn) = http2::handshake(TokioExecutor::new(), io)
            .await
            .context("HTTP/2 handshake failed")?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(ConnKind::H2(send))
    } else {
        let (send, conn) = http1::Builder::new()
            .title_case_headers(false)
            .handshake(io)
            .await
            .context("HTTP/1.1 handshake failed")?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(ConnKind::H1(send))
    }
}
