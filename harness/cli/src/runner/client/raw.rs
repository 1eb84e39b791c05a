//! Plain HTTP/1.1 exchanges written and read by the runner itself, without hyper's dispatcher:
//! most requests of a run are a GET or HEAD with no body, and for those hyper's request and
//! header maps, its dispatcher and the copy of every response field into the report's strings
//! were most of the client's cost.
//!
//! A request takes this path only when hyper would put it on the wire byte for byte the same
//! ([`encode`] says when): HTTP/1.1, no body, no field that hyper rewrites or that changes the
//! connection (`Content-Length` aside, which it keeps as given), no field named twice, every name
//! and value one hyper accepts. The bytes are then hyper's: the request line, the fields with
//! their names lowercased in the order [`super::request::build`] adds them. Everything else goes
//! through hyper, on the same connection ([`Raw::into_io`]).
//!
//! The response is read as hyper's client reads it (RFC 9112 section 6.3): interim 1xx heads
//! skipped, no body after HEAD, 204 or 304, a chunked body, a `Content-Length` body, or a body
//! to the end of the connection; the head parsed by `httparse` with hyper's settings, capped at
//! [`MAX_HEAD_BYTES`] and 100 fields; fields kept grouped by name in first-seen order, names
//! lowercased, as hyper's header map gives them. Failures say what the target did in the same
//! words as [`super::fail`] says them for hyper's path.

use super::fail::{self, Failure, Progress};
use super::read::Kept;
use super::request::{origin_form, AGENT};
use super::MAX_HEAD_BYTES;
use bytes::BytesMut;
use edgeconform_core::spec::format::PAD_HEADER;
use edgeconform_core::{HttpVersion, Request};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The stream under a connection: TCP, or TLS over TCP.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Fields that hyper rewrites or that change how the connection is used: a request with one
/// of these goes through hyper.
const HYPER_ONLY: [&str; 10] = [
    "host",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "expect",
    "content-length",
];

/// The most response fields read, as hyper's default.
const MAX_FIELDS: usize = 100;

/// One HTTP/1.1 connection read and written by the runner.
pub struct Raw {
    io: Box<dyn Stream>,
    /// Bytes read and not yet used: `buf[at..]`.
    buf: Vec<u8>,
    at: usize,
    /// Every byte read from the connection (after TLS).
    pub read: Arc<AtomicU64>,
}

/// A response read whole.
pub struct Exchange {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Kept,
    /// The target said `Connection: close`, as hyper's path reports it.
    pub closed: bool,
    /// The connection cannot carry another request: `closed`, or the body ran to the end of
    /// the connection.
    pub spent: bool,
}

/// The request's bytes as hyper would write them, into `out`; `false` (with `out` unspecified)
/// when the request must go through hyper.
pub fn encode(req: &Request, extra: &[(String, String)], out: &mut Vec<u8>) -> bool {
    let version: &[u8] = match req.version {
        HttpVersion::Http11 => b" HTTP/1.1\r\n",
        HttpVersion::Http10 => b" HTTP/1.0\r\n",
        HttpVersion::Http2 => return false,
    };
    if req.body_len > 0 {
        return false;
    }
    let fields = || req.headers.iter().chain(extra);
    for (i, (n, v)) in fields().enumerate() {
        if HYPER_ONLY.iter().any(|h| n.eq_ignore_ascii_case(h))
            || fields().take(i).any(|(m, _)| m.eq_ignore_ascii_case(n))
            || hyper::header::HeaderName::from_bytes(n.as_bytes()).is_err()
            || hyper::header::HeaderValue::from_str(v).is_err()
        {
            return false;
        }
    }
    let method = req.method.as_str();
    if hyper::Method::from_bytes(method.as_bytes()).is_err() || origin_form(req).is_err() {
        return false;
    }
    if req
        .host
        .as_deref()
        .is_some_and(|h| hyper::header::HeaderValue::from_str(h).is_err())
    {
        return false;
    }
    let given = |name: &str| fields().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let sized = given(PAD_HEADER);
    out.clear();
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.target.as_bytes());
    out.extend_from_slice(version);
    let mut field = |name: &str, value: &[u8]| {
        out.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    };
    if let Some(h) = &req.host {
        field("host", h.as_bytes());
    }
    if !sized && !given("user-agent") {
        field("user-agent", AGENT.as_bytes());
    }
    if !sized && !given("accept") {
        field("accept", b"*/*");
    }
    for (n, v) in fields() {
        field(n, v.as_bytes());
    }
    if req.content_length {
        field("content-length", b"0");
    }
    out.extend_from_slice(b"\r\n");
    true
}

/// A response head read whole.
struct Head {
    status: u16,
    headers: Vec<(String, String)>,
    /// `Connection: close`.
    close: bool,
    /// HTTP/1.0 without keep-alive: the connection is not reused.
    once: bool,
    framing: Framing,
}

/// How a response body is delimited.
enum Framing {
    None,
    Length(u64),
    Chunked,
    ToEnd,
}

impl Raw {
    pub fn new(io: Box<dyn Stream>, read: Arc<AtomicU64>) -> Raw {
        Raw {
            io,
            buf: Vec::with_capacity(8192),
            at: 0,
            read,
        }
    }

    /// The stream, for hyper to carry on with, when no byte read from it is left unused.
    pub fn into_io(self) -> Option<Box<dyn Stream>> {
        (self.at == self.buf.len()).then_some(self.io)
    }

    /// Writes a request (its bytes from [`encode`]) and reads its response. `head_only`: the
    /// request's method is HEAD; `reused`: the connection carried earlier requests.
    pub async fn exchange(
        &mut self,
        request: &[u8],
        head_only: bool,
        max_body: u64,
        reused: bool,
        progress: &mut Progress,
    ) -> Result<Exchange, Failure> {
        if self.at < self.buf.len() {
            // Bytes that came after the last response, unasked: hyper refuses the next request
            // on such a connection the same way.
            return Err(Failure::new(fail::unasked(
                (self.buf.len() - self.at) as u64,
            )));
        }
        self.buf.clear();
        self.at = 0;
        if let Err(e) = self.io.write_all(request).await {
            return Err(closed(&e, 0, reused));
        }
        // Interim 1xx heads are skipped (101 ends the exchange: nothing asked to switch).
        let Head {
            status,
            headers,
            close,
            once,
            framing,
        } = loop {
            let (head, end) = self.head(head_only, reused).await?;
            self.at = end;
            if !(100..200).contains(&head.status) || head.status == 101 {
                break head;
            }
        };
        progress.status = Some(status);
        let mut sink = Sink {
            kept: BytesMut::new(),
            len: 0,
            max: max_body,
        };
        let ends_connection = match framing {
            Framing::None => false,
            Framing::Length(n) => {
                while sink.len < n {
                    if self.at == self.buf.len() {
                        let got = self.fill().await;
                        if got.as_ref().is_ok_and(|g| *g == 0) || got.is_err() {
                            return Err(Failure::new(fail::short_body(sink.len, n)));
                        }
                    }
                    let take = ((n - sink.len) as usize).min(self.buf.len() - self.at);
                    let (from, to) = (self.at, self.at + take);
                    self.at = to;
                    sink.take(&self.buf[from..to], progress);
                    self.compact();
                }
                false
            }
            Framing::ToEnd => {
                loop {
                    let (from, to) = (self.at, self.buf.len());
                    self.at = to;
                    sink.take(&self.buf[from..to], progress);
                    self.compact();
                    if self.fill().await.map_err(|e| body_error(&e, sink.len))? == 0 {
                        break;
                    }
                }
                true
            }
            Framing::Chunked => {
                self.chunked(&mut sink, progress)
                    .await
                    .map_err(|why| match why {
                        Err(e) => body_error(&e, sink.len),
                        Ok(what) => Failure::new(fail::body_broke(sink.len, what)),
                    })?;
                false
            }
        };
        Ok(Exchange {
            status,
            headers,
            body: Kept {
                truncated: sink.len > sink.kept.len() as u64,
                body: sink.kept.freeze(),
                len: sink.len,
            },
            closed: close,
            spent: close || once || ends_connection || status == 101,
        })
    }

    /// Reads one response head; returns it and where its body starts in `buf`.
    async fn head(&mut self, head_only: bool, reused: bool) -> Result<(Head, usize), Failure> {
        let start = self.at;
        loop {
            let got = self.buf.len() - start;
            if got > 0 {
                let mut fields = [httparse::EMPTY_HEADER; MAX_FIELDS];
                let mut res = httparse::Response::new(&mut fields);
                let read = self.received();
                let message = match res.parse(&self.buf[start..]) {
                    Ok(httparse::Status::Complete(n)) => {
                        return head_of(&res, head_only, read).map(|h| (h, start + n))
                    }
                    Ok(httparse::Status::Partial) if got <= MAX_HEAD_BYTES => None,
                    // hyper reads too many fields as a head too large, as it does one too long.
                    Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => {
                        Some(fail::head_too_large(read))
                    }
                    Err(httparse::Error::Version | httparse::Error::Status) => {
                        Some(fail::not_http(read))
                    }
                    Err(_) => Some(fail::malformed_head("invalid HTTP header parsed", read)),
                };
                if let Some(m) = message {
                    return Err(Failure::new(m));
                }
            }
            let n = self
                .fill()
                .await
                .map_err(|e| closed(&e, self.received(), reused))?;
            if n == 0 {
                let read = self.received();
                let mut f = Failure::new(fail::closed_before_head(read, None));
                f.stale = reused && read == 0;
                return Err(f);
            }
        }
    }

    /// Bytes read for the current response so far.
    fn received(&self) -> u64 {
        self.buf.len() as u64
    }

    /// Reads what the connection has into `buf`; 0 at its end.
    async fn fill(&mut self) -> std::io::Result<usize> {
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(8192);
        }
        let n = self.io.read_buf(&mut self.buf).await?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    /// Drops the used bytes of a body from `buf` (a long body never grows it).
    fn compact(&mut self) {
        if self.at == self.buf.len() {
            self.buf.clear();
            self.at = 0;
        }
    }

    /// Reads a chunked body to its last chunk and trailer section into `sink`. `Err(Ok(why))`: the framing is broken; `Err(Err(e))`: the connection failed.
    async fn chunked(
        &mut self,
        sink: &mut Sink,
        progress: &mut Progress,
    ) -> Result<(), Result<&'static str, std::io::Error>> {
        loop {
            let line = self.line().await?;
            let digits = line.split(|b| *b == b';').next().unwrap_or(&[]);
            let digits = digits.trim_ascii();
            if digits.is_empty() || digits.len() > 16 {
                return Err(Ok("invalid chunk size line"));
            }
            let size = std::str::from_utf8(digits)
                .ok()
                .and_then(|d| u64::from_str_radix(d, 16).ok())
                .ok_or(Ok("invalid chunk size line"))?;
            if size == 0 {
                // Trailer fields, up to the empty line.
                while !self.line().await?.is_empty() {}
                return Ok(());
            }
            let mut left = size;
            while left > 0 {
                if self.at == self.buf.len() {
                    self.buf.clear();
                    self.at = 0;
                    if self.fill().await.map_err(Err)? == 0 {
                        return Err(Err(std::io::ErrorKind::UnexpectedEof.into()));
                    }
                }
                let take = (left as usize).min(self.buf.len() - self.at);
                let (from, to) = (self.at, self.at + take);
                self.at = to;
                sink.take(&self.buf[from..to], progress);
                left -= take as u64;
            }
            if !self.line().await?.is_empty() {
                return Err(Ok("chunk data longer than its size"));
            }
        }
    }

    /// The next line of a chunked body (without its CRLF or LF), at most 4 KiB.
    async fn line(&mut self) -> Result<Vec<u8>, Result<&'static str, std::io::Error>> {
        loop {
            if let Some(i) = self.buf[self.at..].iter().position(|b| *b == b'\n') {
                let line = self.buf[self.at..self.at + i].to_vec();
                self.at += i + 1;
                self.compact();
                let line = line.strip_suffix(b"\r").map(<[u8]>::to_vec).unwrap_or(line);
                return Ok(line);
            }
            if self.buf.len() - self.at > 4096 {
                return Err(Ok("chunk size line over 4 KiB"));
            }
            if self.fill().await.map_err(Err)? == 0 {
                return Err(Err(std::io::ErrorKind::UnexpectedEof.into()));
            }
        }
    }
}

/// The head as the runner keeps it, and how its body is delimited.
fn head_of(res: &httparse::Response<'_, '_>, head_only: bool, read: u64) -> Result<Head, Failure> {
    let status = res.code.unwrap_or(0);
    let http10 = res.version == Some(0);
    let mut headers: Vec<(String, String)> = Vec::with_capacity(res.headers.len());
    let (mut close, mut keep_alive, mut chunked, mut te) = (false, false, false, false);
    let mut length: Option<u64> = None;
    for f in res.headers.iter() {
        let name = f.name.to_ascii_lowercase();
        let value = match std::str::from_utf8(f.value) {
            Ok(v) => v.to_string(),
            Err(_) => String::from_utf8_lossy(f.value).into_owned(),
        };
        match name.as_str() {
            "connection" => {
                for token in value.split(',').map(str::trim) {
                    close |= token.eq_ignore_ascii_case("close");
                    keep_alive |= token.eq_ignore_ascii_case("keep-alive");
                }
            }
            "transfer-encoding" => {
                te = true;
                chunked = value
                    .rsplit(',')
                    .next()
                    .is_some_and(|c| c.trim().eq_ignore_ascii_case("chunked"));
            }
            "content-length" => {
                for part in value.split(',') {
                    let n = part.trim().parse::<u64>().ok().filter(|_| {
                        !part.trim().is_empty() && part.trim().bytes().all(|b| b.is_ascii_digit())
                    });
                    match (n, length) {
                        (Some(n), None) => length = Some(n),
                        (Some(n), Some(m)) if n == m => {}
                        _ => {
                            return Err(Failure::new(fail::malformed_head(
                                "invalid content-length parsed",
                                read,
                            )))
                        }
                    }
                }
            }
            _ => {}
        }
        // Grouped by name, in the order names first appear (hyper's header map).
        let at = headers
            .iter()
            .rposition(|(n, _)| *n == name)
            .map_or(headers.len(), |i| i + 1);
        headers.insert(at, (name, value));
    }
    let framing = if head_only || status == 204 || status == 304 || status < 200 {
        Framing::None
    } else if te {
        if chunked {
            Framing::Chunked
        } else {
            Framing::ToEnd
        }
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        Framing::ToEnd
    };
    Ok(Head {
        status,
        headers,
        close,
        once: http10 && !keep_alive,
        framing,
    })
}

/// An I/O failure before the response head ended, in the target's terms; stale when a reused
/// connection failed before any byte arrived.
fn closed(e: &std::io::Error, read: u64, reused: bool) -> Failure {
    let Some(kind) = fail::closed_kind(e) else {
        return Failure::new(format!("request failed: {}", super::conn::one_line(e)));
    };
    let mut f = Failure::new(fail::closed_before_head(read, Some(kind)));
    f.stale = reused && read == 0;
    f
}

/// A body as it arrives: its first `max` bytes kept, every byte counted.
struct Sink {
    kept: BytesMut,
    len: u64,
    max: u64,
}

impl Sink {
    fn take(&mut self, data: &[u8], progress: &mut Progress) {
        self.len += data.len() as u64;
        progress.body = self.len;
        let room = self.max.saturating_sub(self.kept.len() as u64) as usize;
        self.kept.extend_from_slice(&data[..data.len().min(room)]);
    }
}

/// An I/O failure in the middle of a body with no length.
fn body_error(e: &std::io::Error, got: u64) -> Failure {
    Failure::new(match e.kind() {
        std::io::ErrorKind::UnexpectedEof => fail::body_cut(got),
        _ => fail::body_broke(got, &super::conn::one_line(e)),
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Client, Endpoint};
    use super::*;
    use edgeconform_core::{Method, Scheme};
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    /// The bytes hyper's HTTP/1.1 client writes for `req`.
    async fn hyper_bytes(req: &Request, extra: &[(String, String)]) -> Vec<u8> {
        let (ours, mut theirs) = tokio::io::duplex(1 << 16);
        let (mut send, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(ours))
                .await
                .unwrap();
        tokio::spawn(conn);
        let built = super::super::request::build(req, extra, "d").ok().unwrap();
        tokio::spawn(async move { send.send_request(built).await });
        let mut got = Vec::new();
        while !got.ends_with(b"\r\n\r\n") {
            let mut b = [0u8; 1024];
            let n = theirs.read(&mut b).await.unwrap();
            assert!(n > 0, "hyper wrote {:?}", String::from_utf8_lossy(&got));
            got.extend_from_slice(&b[..n]);
        }
        got
    }

    fn get(target: &str) -> Request {
        Request::new(Method::Get, Scheme::Http, "d1.cloudfront.net", target)
    }

    #[tokio::test]
    async fn a_plain_request_goes_out_as_hyper_writes_it() {
        let id = vec![("x-edgeconform-id".to_string(), "run-1-0".to_string())];
        let mut cases = vec![get("/a/../b%2F?x=%zz"), get("/")];
        let mut r = get("/p");
        r.method = Method::Head;
        r.headers = vec![
            ("X-Forwarded-Proto".into(), "https".into()),
            ("User-Agent".into(), "curl/8".into()),
        ];
        cases.push(r);
        let mut r = get("/q");
        r.host = None;
        r.content_length = true;
        r.method = Method::Delete;
        cases.push(r);
        let mut r = get("/pad");
        r.headers = vec![(PAD_HEADER.into(), "x".repeat(50))];
        cases.push(r);
        let mut r = get("/old?x");
        r.version = HttpVersion::Http10;
        cases.push(r);
        let mut r = get("/old-head");
        r.version = HttpVersion::Http10;
        r.method = Method::Head;
        r.host = None;
        cases.push(r);
        for req in cases {
            let mut out = Vec::new();
            assert!(encode(&req, &id, &mut out), "{req:?}");
            let hyper = hyper_bytes(&req, &id).await;
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&hyper),
                "{req:?}"
            );
        }
    }

    #[test]
    fn requests_hyper_rewrites_are_left_to_hyper() {
        let mut out = Vec::new();
        let with = |n: &str, v: &str| {
            let mut r = get("/");
            r.headers.push((n.into(), v.into()));
            r
        };
        let mut body = get("/");
        body.body_len = 3;
        let mut h2 = get("/");
        h2.version = HttpVersion::Http2;
        let mut twice = with("X-A", "1");
        twice.headers.push(("x-a".into(), "2".into()));
        for req in [
            body,
            h2,
            twice,
            with("Transfer-Encoding", "chunked"),
            with("Connection", "close"),
            with("Content-Length", "5"),
            with("Host", "other"),
            with("Expect", "100-continue"),
            with("X-Bad", "a\u{1}b"),
            with("Bad Name", "v"),
            get("/#frag"),
        ] {
            assert!(!encode(&req, &[], &mut out), "{req:?}");
        }
    }

    /// A server that answers every request on a connection with `answer`, then closes the
    /// connection when `close`.
    async fn canned(answer: &'static [u8], close: bool) -> std::net::SocketAddr {
        canned_counted(answer, close, Arc::default()).await
    }

    /// [`canned`], counting the connections accepted.
    async fn canned_counted(
        answer: &'static [u8],
        close: bool,
        accepted: Arc<AtomicU64>,
    ) -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    loop {
                        let mut b = [0u8; 4096];
                        let Ok(n) = tcp.read(&mut b).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        head.extend_from_slice(&b[..n]);
                        if head.windows(4).any(|w| w == b"\r\n\r\n") {
                            head.clear();
                            let _ = tcp.write_all(answer).await;
                            if close {
                                return;
                            }
                        }
                    }
                });
            }
        });
        addr
    }

    /// A client of a server that answers every request `200 ok` and keeps the connection,
    /// with the count of connections the server accepted.
    async fn counted_ok() -> (Client, Arc<AtomicU64>) {
        let accepted = Arc::new(AtomicU64::new(0));
        let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        let addr = canned_counted(answer, false, accepted.clone()).await;
        (client(addr), accepted)
    }

    fn client(addr: std::net::SocketAddr) -> Client {
        let ca = crate::tls::TestCa::generate().unwrap();
        let tls = Arc::new(ca.client_config(&[]).unwrap());
        let ep = Endpoint {
            http: addr,
            https: addr,
            tls_name: "d1.cloudfront.net".into(),
        };
        Client::new(ep, tls, Duration::from_secs(2)).with_max_body_bytes(8)
    }

    /// What a client makes of `answer`: through the runner's own reading (`plain`) or hyper's.
    async fn read_as(
        answer: &'static [u8],
        close: bool,
        head: bool,
        plain: bool,
        version: HttpVersion,
    ) -> String {
        let mut c = client(canned(answer, close).await);
        let mut req = get("/x");
        req.version = version;
        if head {
            req.method = Method::Head;
        }
        if !plain {
            // A field only hyper writes; the answer is read the same.
            req.headers.push(("Connection".into(), "keep-alive".into()));
        }
        let mut seen = Vec::new();
        for _ in 0..2 {
            let r = c.send(&req, "", &[]).await;
            seen.push(match r {
                Ok(r) => format!(
                    "{} {:?} body {:?} len {} cut {} closed {} head {}",
                    r.status, r.headers, r.body, r.body_len, r.truncated, r.closed, r.header_bytes
                ),
                Err(e) => format!("error: {e:#}"),
            });
        }
        seen.join("\n")
    }

    #[tokio::test]
    async fn responses_read_as_hyper_reads_them() {
        let answers: [(&'static [u8], bool, bool); 13] = [
            (b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://d/x\r\nContent-Length: 5\r\nX-A: 1\r\nServer: s\r\nx-a: 2\r\n\r\nhello", false, false),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\n6\r\nefghij\r\n0\r\nX-T: 1\r\n\r\n", false, false),
            (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, false),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n", false, true),
            (b"HTTP/1.1 204 No Content\r\n\r\n", false, false),
            (b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false, false),
            (b"HTTP/1.1 200 OK\r\n\r\nto the end of the connection", true, false),
            (b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc", false, false),
            (b"HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 1\r\nX-V: caf\xe9\r\n\r\nx", false, false),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..", true, false),
            (b"\x16\x03\x01 not http at all, sixty-four bytes of it......................", true, false),
            (b"", true, false),
            // Closed once answered, with nothing said: the second request finds the kept-alive
            // connection gone and is sent once more on a new one.
            (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true, false),
        ];
        for version in [HttpVersion::Http11, HttpVersion::Http10] {
            for (answer, close, head) in answers {
                let ours = read_as(answer, close, head, true, version).await;
                let theirs = read_as(answer, close, head, false, version).await;
                assert_eq!(
                    ours,
                    theirs,
                    "{version:?} {:?}",
                    String::from_utf8_lossy(answer)
                );
            }
        }
        // The stale connection was retried, not reported.
        let (answer, close, head) = answers[12];
        let seen = read_as(answer, close, head, true, HttpVersion::Http11).await;
        assert_eq!(seen.matches("200 ").count(), 2, "{seen}");
    }

    /// A request only hyper writes, after plain ones, goes on the same connection; and plain
    /// ones after it stay on it too.
    #[tokio::test]
    async fn hyper_carries_on_with_the_same_connection() {
        let (mut c, accepted) = counted_ok().await;
        let mut odd = get("/odd");
        odd.headers.push(("Connection".into(), "keep-alive".into()));
        for req in [get("/a"), get("/b"), odd, get("/c")] {
            let r = c.send(&req, "", &[]).await.unwrap();
            assert_eq!((r.status, r.body_len), (200, 2), "{req:?}");
        }
        assert_eq!(accepted.load(Ordering::Relaxed), 1);
    }

    /// Each HTTP/1.0 request goes on a connection of its own and the HTTP/1.1 requests around
    /// it stay on their kept-alive one.
    #[tokio::test]
    async fn an_http_1_0_request_leaves_the_kept_connection_alone() {
        let (mut c, accepted) = counted_ok().await;
        let old = |target: &str| {
            let mut r = get(target);
            r.version = HttpVersion::Http10;
            r
        };
        for req in [get("/a"), old("/b"), get("/c"), old("/d"), get("/e")] {
            let r = c.send(&req, "", &[]).await.unwrap();
            assert_eq!((r.status, r.body_len), (200, 2), "{req:?}");
            assert_eq!(r.closed, req.version == HttpVersion::Http10, "{req:?}");
        }
        assert_eq!(accepted.load(Ordering::Relaxed), 3);
    }
}
