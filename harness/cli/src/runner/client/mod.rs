//! The runner's HTTP client: hyper's connection API over plain TCP or rustls, so the request-target
//! goes out byte for byte (`/a/../b%2F?x` is never normalised, which reqwest/url would do) and the
//! `Host` header is exactly the scenario's while the socket goes to the target's address (like
//! `curl --resolve`). One connection per scheme per worker, kept alive and reopened when closed.
//!
//! It survives any endpoint: a response head is capped at [`MAX_HEAD_BYTES`], a body is read to
//! its end but only its first `max_body_bytes` are kept (the rest is counted), everything stops at
//! the request timeout, and every failure reads as one line saying what the target did
//! ([`fail`]). An HTTP/2 request a server cannot take (no `h2` by ALPN) is [`NotRun`].

mod conn;
mod fail;
mod raw;
mod read;
mod request;

pub use conn::MAX_HEAD_BYTES;
pub use request::AGENT;

use anyhow::{anyhow, Result};
use bytes::Bytes;
use conn::{connect, Conn, ConnKind, Tls};
use edgeconform_core::{HttpVersion, Request, Scheme};
use fail::{body_failure, head_failure, timed_out, Failure, Progress};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// What the runner keeps of a response body unless told otherwise: spec objects are a few KB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 1 << 20;

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
    /// The body's first bytes, at most the client's `max_body_bytes`.
    pub body: Bytes,
    /// The body's true length: every byte received, kept or not.
    pub body_len: u64,
    /// Whether bytes past `body` were received and dropped.
    pub truncated: bool,
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

/// A request that could not be made as the scenario states it, through no fault of the target's
/// behaviour under test: an HTTP/2 request to a server that does not offer `h2` by ALPN, or a
/// request-target with no HTTP/2 `:path` form. Returned inside the `anyhow::Error` of
/// [`Client::send`]; the runner tells it apart with `e.downcast_ref::<NotRun>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotRun {
    /// Why, on one line: `h2 not offered (ALPN selected http/1.1)`.
    pub reason: String,
}

impl std::fmt::Display for NotRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for NotRun {}

/// One worker's connections.
pub struct Client {
    endpoint: Endpoint,
    tls: Tls,
    timeout: Duration,
    max_body_bytes: u64,
    http: Option<Conn>,
    https: Option<Conn>,
    /// The request's bytes when the runner writes it itself (see [`raw`]).
    out: Vec<u8>,
}

impl Client {
    /// `tls` gives the roots (its ALPN list is replaced: `http/1.1` for HTTP/1.x requests, `h2`
    /// and `http/1.1` for HTTP/2 ones). Bodies are kept up to [`DEFAULT_MAX_BODY_BYTES`].
    pub fn new(endpoint: Endpoint, tls: Arc<rustls::ClientConfig>, timeout: Duration) -> Client {
        Client {
            endpoint,
            tls: Tls::from_config(&tls),
            timeout,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            http: None,
            https: None,
            out: Vec::with_capacity(512),
        }
    }

    /// Keeps at most `n` bytes of each response body (the rest is counted and dropped).
    pub fn with_max_body_bytes(mut self, n: u64) -> Client {
        self.max_body_bytes = n;
        self
    }

    /// Sends one request and reads its response, within the per-request timeout.
    /// `sni` is the TLS server name for HTTPS (the runner picks it from the Host).
    pub async fn send(
        &mut self,
        req: &Request,
        sni: &str,
        extra_headers: &[(String, String)],
    ) -> Result<Response> {
        let mut progress = Progress::default();
        let timeout = self.timeout;
        let sent = self.send_inner(req, sni, extra_headers, &mut progress);
        match tokio::time::timeout(timeout, sent).await {
            Ok(r) => r,
            Err(_) => {
                // A request on a connection of its own leaves the kept one as it is.
                if !one_shot(req) {
                    self.renew(req.scheme);
                }
                Err(anyhow!(timed_out(timeout, &progress)))
            }
        }
    }

    /// The next request over `scheme` goes out on a new connection.
    pub fn renew(&mut self, scheme: Scheme) {
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
        progress: &mut Progress,
    ) -> Result<Response> {
        match self.send_once(req, sni, extra, progress).await {
            // A kept-alive connection the server closed while idle fails before any response
            // byte: the request never reached the server, so send it once more on a new one.
            Err(f) if f.stale => {
                *progress = Progress::default();
                self.send_once(req, sni, extra, progress)
                    .await
                    .map_err(|f| f.error)
            }
            r => r.map_err(|f| f.error),
        }
    }

    async fn send_once(
        &mut self,
        req: &Request,
        sni: &str,
        extra: &[(String, String)],
        progress: &mut Progress,
    ) -> std::result::Result<Response, Failure> {
        let tls_name = if sni.is_empty() {
            self.endpoint.tls_name.as_str()
        } else {
            sni
        };
        let want_h2 = req.version == HttpVersion::Http2;
        // Most requests are written and read by the runner itself; the rest go through hyper.
        let plain = !want_h2 && raw::encode(req, extra, &mut self.out);
        let mut own = None;
        let slot = match req.scheme {
            _ if one_shot(req) => &mut own,
            Scheme::Http => &mut self.http,
            Scheme::Https => &mut self.https,
        };
        let same_name = slot
            .as_ref()
            .is_some_and(|c| req.scheme == Scheme::Http || c.sni == sni);
        let reusable = same_name
            && match slot.as_ref().map(|c| &c.kind) {
                Some(ConnKind::H1(s, d)) => !want_h2 && d.is_some() && s.is_ready(),
                Some(ConnKind::Raw(_)) => !want_h2,
                Some(ConnKind::H2(s)) => want_h2 && s.is_ready(),
                None => false,
            };
        // A new connection when none is reusable: the runner's own for a plain request.
        let mut open = (!reusable).then_some(plain);
        if reusable && !plain && matches!(slot.as_ref().map(|c| &c.kind), Some(ConnKind::Raw(_))) {
            // A request only hyper writes: the connection goes on under hyper.
            if let Some(Conn { kind, read, sni }) = slot.take() {
                match kind.into_hyper(&read).await {
                    Some(kind) => {
                        *slot = Some(Conn {
                            kind: kind?,
                            read,
                            sni,
                        })
                    }
                    None => open = Some(false),
                }
            }
        }
        if let Some(raw) = open {
            *slot = None;
            *slot = Some(
                connect(
                    &self.endpoint,
                    &self.tls,
                    req.scheme == Scheme::Https,
                    sni,
                    want_h2,
                    raw,
                )
                .await?,
            );
        }
        let Some(conn) = slot.as_mut() else {
            return Err(Failure::new("no connection".to_string()));
        };
        if let ConnKind::Raw(raw) = &mut conn.kind {
            let before = raw.read.load(Ordering::Relaxed);
            progress.counter = Some((raw.read.clone(), before));
            let head_only = req.method.as_str() == "HEAD";
            let x = match raw
                .exchange(
                    &self.out,
                    head_only,
                    self.max_body_bytes,
                    reusable,
                    progress,
                )
                .await
            {
                Ok(x) => x,
                Err(f) => {
                    *slot = None;
                    return Err(f);
                }
            };
            if x.spent {
                *slot = None;
            }
            return Ok(Response {
                status: x.status,
                headers: x.headers,
                header_bytes: progress.read().saturating_sub(x.body.len),
                body: x.body.body,
                body_len: x.body.len,
                truncated: x.body.truncated,
                closed: x.closed || one_shot(req),
            });
        }
        let hreq = request::build(req, extra, tls_name)?;
        let read_before = conn.read.load(Ordering::Relaxed);
        progress.counter = Some((conn.read.clone(), read_before));
        let resp = match &mut conn.kind {
            ConnKind::H1(s, d) => conn::drive(d, s.send_request(hreq)).await,
            ConnKind::H2(s) => s.send_request(hreq).await,
            ConnKind::Raw(_) => return Err(Failure::new("no connection".to_string())),
        };
        let resp = match resp {
            Ok(r) => r,
            Err(e) => {
                *slot = None;
                return Err(head_failure(&e, progress.read(), reusable));
            }
        };
        let status = resp.status().as_u16();
        progress.status = Some(status);
        let (headers, h1_head, closed) = head_fields(resp.headers(), status);
        let closed = closed || one_shot(req);
        let declared = resp
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let reading = read::bounded(resp.into_body(), self.max_body_bytes, progress);
        let read = match &mut conn.kind {
            ConnKind::H1(_, d) => conn::drive(d, reading).await,
            ConnKind::H2(_) => reading.await,
            ConnKind::Raw(_) => return Err(Failure::new("no connection".to_string())),
        };
        let body = match read {
            Ok(b) => b,
            Err(e) => {
                *slot = None;
                return Err(body_failure(&e, progress.body, declared));
            }
        };
        if closed {
            *slot = None;
        }
        // HTTP/2 multiplexes and HPACK-compresses heads, so its bytes on the wire say nothing
        // about one response: its head counts in HTTP/1.1 form, as the reference edge's access
        // log counts `sc-bytes`.
        let header_bytes = if want_h2 {
            h1_head + 2
        } else {
            progress.read().saturating_sub(body.len)
        };
        Ok(Response {
            status,
            headers,
            header_bytes,
            body: body.body,
            body_len: body.len,
            truncated: body.truncated,
            closed,
        })
    }
}

/// An HTTP/1.0 request goes out on a connection of its own, as an HTTP/1.0 client sends it,
/// which is not kept after it (so its response counts as closed), and leaves the worker's
/// kept-alive connection open for the requests after it.
fn one_shot(req: &Request) -> bool {
    req.version == HttpVersion::Http10
}

/// The response's fields as the report keeps them (values as text, lossily when not UTF-8),
/// the head's length in HTTP/1.1 form, and whether the server said `Connection: close`.
fn head_fields(fields: &hyper::HeaderMap, status: u16) -> (Vec<(String, String)>, u64, bool) {
    let mut headers = Vec::with_capacity(fields.len());
    let mut closed = false;
    let mut h1_head = h1_status_line_len(status);
    for (n, v) in fields {
        h1_head += (n.as_str().len() + 2 + v.len() + 2) as u64;
        let v = match v.to_str() {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
        };
        if n == hyper::header::CONNECTION && v.eq_ignore_ascii_case("close") {
            closed = true;
        }
        headers.push((n.as_str().to_string(), v));
    }
    (headers, h1_head, closed)
}

/// `HTTP/1.1 200 OK\r\n`: the status line of a response in HTTP/1.1 form.
fn h1_status_line_len(status: u16) -> u64 {
    let reason = hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    ("HTTP/1.1 200 ".len() + reason.len() + 2) as u64
}

#[cfg(test)]
pub(crate) mod tests;
