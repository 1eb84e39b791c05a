//! The direct path for plain HTTP/1.1: the answers the edge makes itself (the 301 of
//! `redirect-to-https`, the 403 of `https-only`, every other refusal `decide()` gives) written
//! straight to the socket, without hyper's connection machinery.
//!
//! Those answers are most of what an edge sees on port 80 and what a benchmark against nginx
//! measures; through hyper they cost about 20k instructions a request in hyper's dispatch and
//! encoding alone. The direct path covers only heads that hyper would read the same way:
//!
//! - a complete HTTP/1.1 head that `httparse` (hyper's own parser, same settings) accepts, with
//!   an origin-form target that the `http` crate accepts as hyper does;
//! - exactly one `Host`, no repeated field name, no body (no `Content-Length`, no
//!   `Transfer-Encoding`), no `Connection`, `Expect` or `Upgrade`;
//! - a head within the distribution's size limit, and a decision to answer at the edge.
//!
//! Anything else, from the first byte that does not fit, goes to hyper with the bytes already
//! read ([`Prefixed`]), and hyper serves the rest of the connection as it always did; the
//! forward to an origin, HTTP/1.0, TLS and HTTP/2 never come here. An answer is built by the
//! same [`edge_answer`] as hyper's path and written as hyper writes it (title-case names, in order,
//! then `Date`), and logged with the same record: a test compares both paths byte for byte.
//!
//! Bounds are hyper's: a head must be complete within the header timeout counted from when
//! the edge starts waiting for it (an idle keep-alive connection is closed then too), and at
//! most as many bytes as hyper buffers for one head (1 MiB) are read before hyper takes over.
//! Shutdown is hyper's graceful one: a connection waiting for a head closes at once, one with
//! an answer under way closes once it is written.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::{Buf, Bytes, BytesMut};
use edgeconform_core::accesslog::decimal;
use edgeconform_core::decide::{decide, Action};
use edgeconform_core::{HttpVersion, Method, Request, Scheme};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, Interest, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::context::{Conn, Shared};
use super::log::Arrival;
use super::meter::MeteredIo;
use super::respond::{edge_answer, EdgePage, FieldValue};
use super::wire::{lossy_into, request_id_into};
use crate::origin::CORRELATION_HEADER;

/// Fields a direct head may have; more go to hyper (which allows 100).
const MAX_FIELDS: usize = 32;

/// What became of a connection on the direct path.
pub(super) enum Served {
    /// Closed: by the viewer, the header timeout, an answer that closes, or shutdown.
    Closed,
    /// Hyper takes over, starting with these bytes (possibly none).
    HandOver(Bytes),
}

/// Serves requests on `io` while they fit the direct path, counting answers in `answered`.
/// `limits`: the header timeout, and the bytes read for one head before hyper takes over.
pub(super) async fn serve(
    io: &mut MeteredIo<TcpStream>,
    conn: &Conn,
    shared: &Shared,
    (header_timeout, max_buffer): (Duration, usize),
    answered: &AtomicU64,
    shutdown: &mut watch::Receiver<bool>,
) -> Served {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    // The request and its id are rebuilt in place for each head: once their strings have
    // grown, a request costs no allocation.
    let mut request = empty_request();
    let mut request_id = String::new();
    let mut deadline = tokio::time::Instant::now() + header_timeout;
    loop {
        let head = match read_head(&buf, &mut request) {
            Head::Partial if buf.len() < max_buffer => {
                match fill(io.get_ref(), &mut buf, deadline, shutdown).await {
                    Filled::More => continue,
                    Filled::Eof if buf.is_empty() => return Served::Closed,
                    // Hyper answers a head cut short as it always does.
                    Filled::Eof => return Served::HandOver(buf.freeze()),
                    Filled::Stop => return Served::Closed,
                }
            }
            Head::Partial | Head::Other => return Served::HandOver(buf.freeze()),
            Head::Direct(head) => head,
        };
        let started = Instant::now();
        let Some(answer) = answer(&head, &request, shared, &mut request_id, &mut out) else {
            return Served::HandOver(buf.freeze());
        };
        buf.advance(head.len);
        answered.fetch_add(1, Ordering::Relaxed);
        let first_byte_ms = started.elapsed().as_millis() as u64;
        let before = conn.meter.written();
        // As on hyper's path, an answer the viewer did not take in full is logged all the same,
        // with the bytes that left.
        let written = io.write_all(&out).await;
        if let (Some(log), Some(mut facts)) = (&shared.log, answer.facts) {
            facts.first_byte_ms = first_byte_ms;
            let sent = conn.meter.written().saturating_sub(before);
            let arrival = Arrival {
                started,
                peer: conn.peer,
                request: &request,
                domain: &shared.dist.domain,
                head_bytes: head.head_bytes,
                request_id: &request_id,
                tls: None,
            };
            arrival.log(log, &facts, sent);
        }
        if written.is_err() {
            return Served::Closed;
        }
        // After shutdown, as hyper's graceful shutdown does: the answer under way is finished,
        // then the connection closes instead of reading the next head (even one already here).
        if answer.close || *shutdown.borrow() {
            let _ = io.shutdown().await;
            return Served::Closed;
        }
        // As hyper does: the next head has the whole timeout, from the end of this answer.
        deadline = tokio::time::Instant::now() + header_timeout;
    }
}

/// Whether a read that leaves room in the buffer shows that the socket's queue was drained: where
/// mio waits with epoll or kqueue (tokio's own `poll_read` clears readiness on the same
/// condition; `try_read_buf` does not). Each answer to a viewer slower than the edge then saves
/// a `recv` that would find nothing.
const SHORT_READ_DRAINS: bool = cfg!(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
));

enum Filled {
    More,
    Eof,
    /// The head timeout passed, the edge is shutting down, or the socket failed.
    Stop,
}

/// Reads what the viewer sent next into `buf` (allocating only once bytes are there, so an
/// idle connection holds no buffer).
async fn fill(
    tcp: &TcpStream,
    buf: &mut BytesMut,
    deadline: tokio::time::Instant,
    shutdown: &mut watch::Receiver<bool>,
) -> Filled {
    loop {
        let mut got = None;
        let read = tcp.try_io(Interest::READABLE, || {
            let buf = reserve(buf);
            let room = buf.capacity() - buf.len();
            let n = tcp.try_read_buf(buf)?;
            got = Some(n);
            if SHORT_READ_DRAINS && 0 < n && n < room {
                // The socket's queue is empty: its readiness is cleared now (unless an event came
                // since), so the next wait goes to epoll instead of a read that finds nothing.
                return Err(io::ErrorKind::WouldBlock.into());
            }
            Ok(())
        });
        match (got, read) {
            (Some(0), _) => return Filled::Eof,
            (Some(_), _) => return Filled::More,
            (None, Err(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
            (None, _) => return Filled::Stop,
        }
        tokio::select! {
            biased;
            ready = tcp.readable() => if ready.is_err() { return Filled::Stop },
            _ = tokio::time::sleep_until(deadline) => return Filled::Stop,
            _ = shutdown.wait_for(|stop| *stop) => return Filled::Stop,
        }
    }
}

fn reserve(buf: &mut BytesMut) -> &mut BytesMut {
    if buf.capacity() - buf.len() < 1024 {
        buf.reserve(8192);
    }
    buf
}

/// A head the direct path serves (the request itself is in the caller's buffer).
struct DirectHead {
    /// The head's length in the buffer.
    len: usize,
    /// [`super::wire::ViewerRequest::head_bytes`].
    head_bytes: usize,
    /// Where the correlation header is in the request's headers.
    correlation: Option<usize>,
}

enum Head {
    Partial,
    /// Complete or broken, but not for the direct path: hyper's.
    Other,
    Direct(DirectHead),
}

/// A request to rebuild with [`read_head`].
fn empty_request() -> Request {
    Request {
        method: Method::Get,
        scheme: Scheme::Http,
        host: None,
        target: String::new(),
        version: HttpVersion::Http11,
        content_length: false,
        headers: Vec::new(),
        body_len: 0,
    }
}

/// Reads the head at the start of `buf` as hyper would, if it is one the direct path serves;
/// `request` is then the model's request for it (else it holds no meaning).
fn read_head(buf: &[u8], request: &mut Request) -> Head {
    if buf.is_empty() {
        return Head::Partial;
    }
    let mut fields = [httparse::EMPTY_HEADER; MAX_FIELDS];
    let mut parsed = httparse::Request::new(&mut fields);
    let len = match parsed.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Head::Partial,
        Err(_) => return Head::Other,
    };
    match direct_head(&parsed, request) {
        Some((head_bytes, correlation)) => Head::Direct(DirectHead {
            len,
            head_bytes,
            correlation,
        }),
        None => Head::Other,
    }
}

/// Rebuilds `request` as the model's request (as [`super::wire::viewer_request`] builds it
/// from hyper's parse), reusing its strings; gives the head's size and where the correlation
/// header is, or `None` when the head is not for the direct path.
fn direct_head(
    parsed: &httparse::Request<'_, '_>,
    request: &mut Request,
) -> Option<(usize, Option<usize>)> {
    if parsed.version != Some(1) {
        return None;
    }
    let method = parsed.method?;
    // The target as hyper's `Uri` keeps it (a fragment dropped); hyper refuses what this refuses.
    let raw = parsed.path?;
    if !raw.starts_with('/') || raw.len() > 8192 {
        return None;
    }
    let target = hyper::http::uri::PathAndQuery::try_from(raw).ok()?;
    let target = target.as_str();
    let mut head_bytes = method.len() + 1 + target.len() + " HTTP/1.1\r\n".len() + 2;
    let mut host = false;
    let mut correlation = None;
    let mut kept = 0;
    for (i, field) in parsed.headers.iter().enumerate() {
        let name = field.name;
        head_bytes += name.len() + 2 + field.value.len() + 2;
        if parsed.headers[..i]
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(name))
        {
            return None;
        }
        if name.eq_ignore_ascii_case("host") {
            let text = request.host.get_or_insert_with(String::new);
            text.clear();
            lossy_into(field.value, text);
            host = true;
            continue;
        }
        if [
            "content-length",
            "transfer-encoding",
            "connection",
            "expect",
            "upgrade",
        ]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
        {
            return None;
        }
        if kept == request.headers.len() {
            request.headers.push(Default::default());
        }
        let (n, v) = &mut request.headers[kept];
        n.clear();
        n.push_str(name);
        n.make_ascii_lowercase();
        if n == CORRELATION_HEADER {
            correlation = Some(kept);
        }
        v.clear();
        lossy_into(field.value, v);
        kept += 1;
    }
    if !host {
        return None;
    }
    request.headers.truncate(kept);
    request.method = Method::parse(method);
    request.target.clear();
    request.target.push_str(target);
    Some((head_bytes, correlation))
}

/// What was written for one request.
struct Answer {
    facts: Option<super::log::ResponseFacts>,
    close: bool,
}

/// Decides on `request` (read as `head`) and writes the edge's answer into `out`, its request
/// id into `request_id`; `None` when the answer is not the edge's own (a forward) or the head is
/// over the size limit (hyper's path answers both).
fn answer(
    head: &DirectHead,
    request: &Request,
    shared: &Shared,
    request_id: &mut String,
    out: &mut Vec<u8>,
) -> Option<Answer> {
    if head.head_bytes > shared.dist.limits.max_head_bytes {
        return None;
    }
    let decision = decide(&shared.dist, request);
    let Action::Respond(r) = &decision.action else {
        return None;
    };
    let correlation = head.correlation.map(|i| request.headers[i].1.as_bytes());
    // The header's text, not its raw bytes: a usable id is ASCII, the same either way.
    request_id_into(correlation, request_id);
    let (page, facts) = edge_answer(shared, request, r, request_id);
    out.clear();
    write_page(&page, out);
    drop(page);
    Some(Answer {
        facts,
        close: r.close,
    })
}

/// The page as hyper's HTTP/1.1 encoder writes the response [`EdgePage::into_response`] makes
/// (with `title_case_headers`): the status line, each field in order, `Date`, the empty line,
/// the page.
fn write_page(page: &EdgePage<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(page.status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(
        page.status
            .canonical_reason()
            .unwrap_or("<none>")
            .as_bytes(),
    );
    out.extend_from_slice(b"\r\n");
    page.each_field(|_, title, value| {
        out.extend_from_slice(title.as_bytes());
        out.extend_from_slice(b": ");
        match value {
            FieldValue::Text(text) => out.extend_from_slice(text),
            FieldValue::Number(n) => out.extend_from_slice(decimal(n as u64, &mut [0; 20])),
        }
        out.extend_from_slice(b"\r\n");
    });
    out.extend_from_slice(b"Date: ");
    http_date(out);
    out.extend_from_slice(b"\r\n\r\n");
    if let Some(body) = &page.body {
        out.extend_from_slice(body);
    }
}

/// Appends the current time as an HTTP-date, formatted once a second per thread as hyper does.
fn http_date(out: &mut Vec<u8>) {
    thread_local! {
        static CACHED: std::cell::RefCell<(u64, String)> = const { std::cell::RefCell::new((u64::MAX, String::new())) };
    }
    let now = SystemTime::now();
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    CACHED.with_borrow_mut(|(at, text)| {
        if *at != secs {
            *at = secs;
            *text = httpdate::fmt_http_date(now);
        }
        out.extend_from_slice(text.as_bytes());
    });
}

/// A connection's IO that first gives back the bytes the direct path had read, for hyper.
pub(super) struct Prefixed<T> {
    prefix: Bytes,
    inner: T,
}

impl<T> Prefixed<T> {
    pub(super) fn new(prefix: Bytes, inner: T) -> Prefixed<T> {
        Prefixed { prefix, inner }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Prefixed<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.prefix.is_empty() {
            return Pin::new(&mut self.inner).poll_read(cx, buf);
        }
        let n = self.prefix.len().min(buf.remaining());
        buf.put_slice(&self.prefix[..n]);
        self.prefix.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Prefixed<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &str) -> Head {
        read_head(raw.as_bytes(), &mut empty_request())
    }

    #[test]
    fn a_plain_get_is_direct_with_hypers_head_size() {
        let mut request = empty_request();
        let raw = "GET /a?b#c HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\n\r\nrest";
        let Head::Direct(h) = read_head(raw.as_bytes(), &mut request) else {
            panic!("not direct");
        };
        assert_eq!(request.target, "/a?b");
        assert_eq!(request.host.as_deref(), Some("x"));
        assert_eq!(request.headers, [("user-agent".into(), "u".into())]);
        assert_eq!(
            h.len,
            "GET /a?b#c HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\n\r\n".len()
        );
        // As viewer_request counts it: the kept target, each field, the empty line.
        assert_eq!(
            h.head_bytes,
            "GET /a?b HTTP/1.1\r\nhost: x\r\nuser-agent: u\r\n\r\n".len()
        );
    }

    #[test]
    fn a_reused_request_is_the_one_a_fresh_read_gives() {
        let heads: [&[u8]; 4] = [
            b"BREW /long/target?with=query HTTP/1.1\r\nHost: first.example\r\nA: 1\r\nB: 2\r\nx-edgeconform-id: id-1\r\n\r\n",
            b"GET /b HTTP/1.1\r\nHost: x\r\nUser-Agent: \xff\r\n\r\n",
            b"GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            b"HEAD / HTTP/1.1\r\nC: 3\r\nhost: y\r\n\r\n",
        ];
        let mut reused = empty_request();
        for raw in heads.iter().chain(heads.iter().rev()) {
            let mut fresh = empty_request();
            let a = read_head(raw, &mut reused);
            let b = read_head(raw, &mut fresh);
            match (a, b) {
                (Head::Direct(a), Head::Direct(b)) => {
                    assert_eq!(reused, fresh, "{raw:?}");
                    assert_eq!(
                        (a.len, a.head_bytes, a.correlation),
                        (b.len, b.head_bytes, b.correlation)
                    );
                }
                (Head::Other, Head::Other) => {}
                _ => panic!("{raw:?}: read differently"),
            }
        }
    }

    #[test]
    fn heads_hyper_must_read_are_not_direct() {
        for raw in [
            "GET /a HTTP/1.0\r\nHost: x\r\n\r\n",
            "GET /a HTTP/1.1\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: x\r\nA: 1\r\na: 2\r\n\r\n",
            "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n\r\n",
            "GET http://x/a HTTP/1.1\r\nHost: x\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost : x\r\n\r\n",
        ] {
            assert!(matches!(head(raw), Head::Other), "{raw:?}");
        }
        assert!(matches!(
            head("GET /a HTTP/1.1\r\nHost: x\r\n"),
            Head::Partial
        ));
        assert!(matches!(head(""), Head::Partial));
    }

    /// hyper's `title_case_headers`: upper case at the start and after each `-`.
    fn title_case(name: &str) -> String {
        let mut upper = true;
        name.chars()
            .map(|c| {
                let t = if upper { c.to_ascii_uppercase() } else { c };
                upper = c == '-';
                t
            })
            .collect()
    }

    #[test]
    fn every_page_field_is_written_as_hypers_title_case() {
        let via = hyper::header::HeaderValue::from_static("1.1 x.cloudfront.net (CloudFront)");
        let page = EdgePage {
            status: hyper::StatusCode::MOVED_PERMANENTLY,
            len: 167,
            body: None,
            connection: Some("close"),
            location: Some("https://x/"),
            x_cache: "Redirect from cloudfront",
            via: &via,
            request_id: "abc==",
        };
        let mut names = Vec::new();
        page.each_field(|name, title, _| {
            assert_eq!(title, title_case(name.as_str()));
            names.push(title);
        });
        assert_eq!(names.len(), 9, "{names:?}");
        assert_eq!(title_case("www-authenticate"), "Www-Authenticate");
    }

    proptest::proptest! {
        /// Any bytes: no panic, and a direct head keeps the direct path's promises.
        #[test]
        fn any_head_is_read_without_panicking(
            method in "[A-Z]{1,6}|[!-~]{1,4}",
            target in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            fields in proptest::collection::vec(("[a-zA-Z-]{1,12}|[!-~ ]{1,6}", proptest::collection::vec(proptest::num::u8::ANY, 0..20)), 0..6),
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..8),
        ) {
            let mut raw = Vec::new();
            raw.extend_from_slice(method.as_bytes());
            raw.push(b' ');
            raw.extend_from_slice(&target);
            raw.extend_from_slice(b" HTTP/1.1\r\nHost: h\r\n");
            for (name, value) in &fields {
                raw.extend_from_slice(name.as_bytes());
                raw.extend_from_slice(b": ");
                raw.extend_from_slice(value);
                raw.extend_from_slice(b"\r\n");
            }
            raw.extend_from_slice(b"\r\n");
            raw.extend_from_slice(&tail);
            for cut in [raw.len(), raw.len() / 2] {
                let mut request = empty_request();
                if let Head::Direct(h) = read_head(&raw[..cut], &mut request) {
                    proptest::prop_assert!(request.target.starts_with('/'));
                    proptest::prop_assert!(h.len <= cut);
                    proptest::prop_assert!(request.host.is_some());
                    proptest::prop_assert!(h.head_bytes >= request.target.len() + "GET  HTTP/1.1\r\n\r\n".len() - 3);
                    for (name, _) in &request.headers {
                        proptest::prop_assert!(!["content-length", "transfer-encoding", "connection", "host"].contains(&name.as_str()));
                        proptest::prop_assert_eq!(name.to_ascii_lowercase(), name.clone());
                    }
                }
            }
        }
    }

    #[test]
    fn the_date_is_an_http_date() {
        let mut out = Vec::new();
        http_date(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(httpdate::parse_http_date(&text).is_ok(), "{text}");
    }
}
