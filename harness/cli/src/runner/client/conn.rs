//! Opening a connection to the target: TCP, TLS with the ALPN a real client offers, then hyper's
//! HTTP/1.1 or HTTP/2 handshake with bounded response heads. Every byte read is counted.

use super::fail::{tls_failure, Failure};
use super::raw::{Raw, Stream};
use super::{Endpoint, NotRun};
use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The largest response head accepted (status line and header fields), as curl's 100 KiB
/// (`CURL_MAX_HTTP_HEADER`). Over HTTP/1.1 hyper's read buffer is capped at this; over HTTP/2 it
/// is the header list size announced in SETTINGS.
pub const MAX_HEAD_BYTES: usize = 100 * 1024;

/// The TLS configurations of a client: what it offers by ALPN for each kind of request.
pub struct Tls {
    /// HTTP/1.x requests: `http/1.1` only, so the server never picks h2.
    pub h1: Arc<rustls::ClientConfig>,
    /// HTTP/2 requests: `h2` then `http/1.1`, as curl `--http2` and browsers offer it.
    pub h2: Arc<rustls::ClientConfig>,
}

impl Tls {
    pub fn from_config(base: &rustls::ClientConfig) -> Tls {
        let with = |alpn: &[&[u8]]| {
            let mut cfg = base.clone();
            cfg.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
            Arc::new(cfg)
        };
        Tls {
            h1: with(&[b"http/1.1"]),
            h2: with(&[b"h2", b"http/1.1"]),
        }
    }
}

/// hyper's HTTP/1.1 connection state machine, whatever the stream under it.
pub type H1Driver = Pin<Box<dyn Future<Output = hyper::Result<()>> + Send>>;

pub enum ConnKind {
    /// HTTP/1.1: the connection is polled by the worker that sends on it ([`drive`]), not by a
    /// task of its own: one request at a time needs no second task, and every response then
    /// costs no hop between tasks (or threads). `None` once the connection has ended.
    H1(http1::SendRequest<Full<Bytes>>, Option<H1Driver>),
    /// HTTP/2 multiplexes and answers PINGs and SETTINGS between requests: its connection runs
    /// in a task of its own.
    H2(http2::SendRequest<Full<Bytes>>),
    /// HTTP/1.1 read and written by the runner itself ([`super::raw`]), until a request needs
    /// hyper: then the same connection goes on under hyper ([`ConnKind::into_hyper`]).
    Raw(Raw),
}

impl ConnKind {
    /// The connection handed to hyper's HTTP/1.1 client; `None` when bytes the target sent
    /// unasked are waiting (hyper refuses such a connection: it is not reused).
    pub async fn into_hyper(self, read: &Arc<AtomicU64>) -> Option<Result<ConnKind, Failure>> {
        match self {
            ConnKind::Raw(raw) => {
                let io = raw.into_io()?;
                Some(
                    handshake(
                        TokioIo::new(Counting {
                            inner: io,
                            read: read.clone(),
                        }),
                        false,
                    )
                    .await,
                )
            }
            other => Some(Ok(other)),
        }
    }
}

/// Runs `fut` (a request or the reading of its body) while polling the HTTP/1.1 connection
/// that does its I/O; the connection is dropped from `driver` once it has ended (closed by
/// either side, or failed), and `fut` then sees the end as hyper reports it.
pub async fn drive<F: Future>(driver: &mut Option<H1Driver>, fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        if let Some(d) = driver.as_mut() {
            if d.as_mut().poll(cx).is_ready() {
                *driver = None;
            }
        }
        fut.as_mut().poll(cx)
    })
    .await
}

/// A connection and the count of bytes read from it so far.
pub struct Conn {
    pub kind: ConnKind,
    pub read: Arc<AtomicU64>,
    /// The TLS server name the connection was opened with (empty for plain HTTP).
    pub sni: String,
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

/// Opens a connection for one request: plain TCP, or TLS as `sni` (the endpoint's name when
/// empty). An HTTP/2 request over TLS offers `h2` and `http/1.1`; a server that does not select
/// `h2` gives [`NotRun`], which is not the target's fault. `raw`: an HTTP/1.1 connection the
/// runner reads and writes itself ([`ConnKind::Raw`]).
pub async fn connect(
    ep: &Endpoint,
    tls: &Tls,
    https: bool,
    sni: &str,
    h2: bool,
    raw: bool,
) -> Result<Conn, Failure> {
    let addr = if https { ep.https } else { ep.http };
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| Failure::new(format!("cannot connect to {addr}: {e}")))?;
    let _ = tcp.set_nodelay(true);
    let read = Arc::new(AtomicU64::new(0));
    let io: Box<dyn Stream> = if !https {
        Box::new(tcp)
    } else {
        let name = if sni.is_empty() {
            ep.tls_name.clone()
        } else {
            sni.to_string()
        };
        let server_name = ServerName::try_from(name.clone())
            .map_err(|_| Failure::new(format!("`{name}` is not a TLS server name")))?;
        let cfg = if h2 { &tls.h2 } else { &tls.h1 };
        let stream = TlsConnector::from(cfg.clone())
            .connect(server_name, tcp)
            .await
            .map_err(|e| tls_failure(&e, h2))?;
        if h2 {
            let alpn = stream.get_ref().1.alpn_protocol();
            if alpn != Some(b"h2".as_slice()) {
                let selected = match alpn {
                    Some(p) => format!("ALPN selected {}", String::from_utf8_lossy(p)),
                    None => "no ALPN protocol selected".to_string(),
                };
                return Err(Failure::not_run(NotRun {
                    reason: format!("h2 not offered ({selected})"),
                }));
            }
        }
        Box::new(stream)
    };
    let kind = if raw && !h2 {
        ConnKind::Raw(Raw::new(io, read.clone()))
    } else {
        handshake(
            TokioIo::new(Counting {
                inner: io,
                read: read.clone(),
            }),
            h2,
        )
        .await?
    };
    Ok(Conn {
        kind,
        read,
        sni: sni.to_string(),
    })
}

async fn handshake<T>(io: TokioIo<T>, h2: bool) -> Result<ConnKind, Failure>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    if h2 {
        let (send, conn) = http2::Builder::new(TokioExecutor::new())
            .max_header_list_size(MAX_HEAD_BYTES as u32)
            .handshake(io)
            .await
            .map_err(|e| Failure::new(format!("HTTP/2 handshake failed: {}", one_line(&e))))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(ConnKind::H2(send))
    } else {
        let (send, conn) = http1::Builder::new()
            .title_case_headers(false)
            .max_buf_size(MAX_HEAD_BYTES)
            .handshake(io)
            .await
            .map_err(|e| Failure::new(format!("HTTP/1.1 handshake failed: {}", one_line(&e))))?;
        Ok(ConnKind::H1(send, Some(Box::pin(conn))))
    }
}

/// An error and its causes on one line (`a: b: c`), each cause once.
pub fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        src = s.source();
    }
    out.replace(['\r', '\n'], " ")
}
