//! Counting what the edge really sends, for the access log's `sc-bytes` (BIL-LOG-RECONCILE).
//!
//! Over HTTP/1.x a connection carries one response at a time, so the bytes of a response are
//! the plaintext bytes written to the connection (inside TLS) from the moment its request
//! reached the edge until hyper has flushed its last byte. [`MeteredIo`] counts writes; a
//! response whose body is finished leaves a [`Pending`] entry on the connection's [`Meter`],
//! settled at the next successful flush (hyper flushes its write buffer completely before it
//! flushes the socket), when the next request arrives, or when the connection goes away.
//!
//! HTTP/2 multiplexes responses over one connection, so there the count is the HTTP/1.1 form
//! of the head ([`head_len_h1`]) plus the body bytes [`EdgeBody`] handed to hyper.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::http::response::Parts;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::upstream::Pooled;

/// Called once with the number of bytes a response took on the wire.
pub(crate) type Finish = Box<dyn FnOnce(u64) + Send>;

/// A finished response waiting for its last bytes to leave.
pub(crate) struct Pending {
    /// The connection's write count when the request arrived.
    pub start: u64,
    pub finish: Finish,
}

/// Per-connection byte counter and the response waiting to be settled.
#[derive(Default)]
pub(crate) struct Meter {
    written: AtomicU64,
    pending: Mutex<Option<Pending>>,
}

impl Meter {
    /// Plaintext bytes written on the connection so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Pending>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Settles the waiting response, if any, with what was written since its request arrived.
    pub fn settle(&self) {
        let pending = self.slot().take();
        if let Some(p) = pending {
            (p.finish)(self.written().saturating_sub(p.start));
        }
    }

    /// Parks a finished response until its bytes are flushed; settles an older one first.
    pub fn defer(&self, pending: Pending) {
        let older = self.slot().replace(pending);
        if let Some(p) = older {
            (p.finish)(self.written().saturating_sub(p.start));
        }
    }
}

/// A connection's IO that counts the bytes written through it.
pub(crate) struct MeteredIo<T> {
    inner: T,
    meter: Arc<Meter>,
}

impl<T> MeteredIo<T> {
    pub fn new(inner: T, meter: Arc<Meter>) -> MeteredIo<T> {
        MeteredIo { inner, meter }
    }
}

impl<T> MeteredIo<T> {
    /// The connection itself (reads are not counted).
    pub fn get_ref(&self) -> &T {
        &self.inner
    }
}

impl<T> Drop for MeteredIo<T> {
    fn drop(&mut self) {
        self.meter.settle();
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for MeteredIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for MeteredIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let n = ready!(Pin::new(&mut self.inner).poll_write(cx, buf))?;
        self.meter.written.fetch_add(n as u64, Ordering::Relaxed);
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let n = ready!(Pin::new(&mut self.inner).poll_write_vectored(cx, bufs))?;
        self.meter.written.fetch_add(n as u64, Ordering::Relaxed);
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(Pin::new(&mut self.inner).poll_flush(cx))?;
        self.meter.settle();
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.meter.settle();
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Bytes of a response head in HTTP/1.1 form: status line, `Name: value` lines, the `Date`
/// line hyper adds when the response has none, the empty line.
pub(crate) fn head_len_h1(parts: &Parts) -> u64 {
    let reason = parts.status.canonical_reason().unwrap_or("");
    let mut n = "HTTP/1.1 200 ".len() + reason.len() + 2;
    for (name, value) in &parts.headers {
        n += name.as_str().len() + 2 + value.len() + 2;
    }
    if !parts.headers.contains_key(hyper::header::DATE) {
        n += "date: Thu, 01 Jan 1970 00:00:00 GMT\r\n".len();
    }
    (n + 2) as u64
}

enum Source {
    /// An edge page (or nothing, for HEAD and empty pages).
    Page(Option<Bytes>),
    /// The origin's body, streamed.
    Origin(Incoming),
}

/// The body of every response the edge sends. It counts the data bytes it hands to hyper, and
/// when hyper drops it (sent, or abandoned) it reports them and gives the origin connection
/// back to its pool if the origin's body was read to the end.
pub(crate) struct EdgeBody {
    source: Source,
    sent: u64,
    ended: bool,
    on_done: Option<Box<dyn FnOnce(u64) + Send>>,
    pooled: Option<Pooled>,
}

impl EdgeBody {
    /// An edge page; `None` for no body.
    pub fn page(bytes: Option<Bytes>) -> EdgeBody {
        EdgeBody::new(Source::Page(bytes.filter(|b| !b.is_empty())), None)
    }

    /// The origin's body; `pooled` goes back to the pool once it is read to the end.
    pub fn origin(body: Incoming, pooled: Pooled) -> EdgeBody {
        EdgeBody::new(Source::Origin(body), Some(pooled))
    }

    fn new(source: Source, pooled: Option<Pooled>) -> EdgeBody {
        EdgeBody {
            source,
            sent: 0,
            ended: false,
            on_done: None,
            pooled,
        }
    }

    /// Calls `f` with the body bytes sent once hyper is done with the body.
    pub fn on_done(mut self, f: impl FnOnce(u64) + Send + 'static) -> EdgeBody {
        self.on_done = Some(Box::new(f));
        self
    }
}

impl Drop for EdgeBody {
    fn drop(&mut self) {
        if let Some(pooled) = self.pooled.take() {
            let complete = self.ended || self.is_end_stream();
            if complete {
                pooled.release();
            }
        }
        if let Some(f) = self.on_done.take() {
            f(self.sent);
        }
    }
}

impl Body for EdgeBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        let frame = match &mut this.source {
            Source::Page(bytes) => bytes.take().map(|b| Ok(Frame::data(b))),
            Source::Origin(body) => ready!(Pin::new(body).poll_frame(cx)),
        };
        match &frame {
            Some(Ok(f)) => {
                if let Some(data) = f.data_ref() {
                    this.sent += data.len() as u64;
                }
            }
            Some(Err(_)) => {}
            None => this.ended = true,
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        match &self.source {
            Source::Page(bytes) => bytes.is_none(),
            Source::Origin(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.source {
            Source::Page(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Source::Origin(body) => body.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn a_deferred_response_is_settled_once_with_the_bytes_since_its_request() {
        let meter = Meter::default();
        let seen = Arc::new(AtomicU64::new(u64::MAX));
        meter.written.store(100, Ordering::Relaxed);
        let s = seen.clone();
        meter.defer(Pending {
            start: 40,
            finish: Box::new(move |n| s.store(n, Ordering::Relaxed)),
        });
        meter.written.store(130, Ordering::Relaxed);
        meter.settle();
        assert_eq!(seen.load(Ordering::Relaxed), 90);
        seen.store(0, Ordering::Relaxed);
        meter.settle();
        assert_eq!(seen.load(Ordering::Relaxed), 0, "settled twice");
    }

    #[test]
    fn head_length_counts_the_http1_form() {
        let parts = hyper::Response::builder()
            .status(301)
            .header("location", "https://a/")
            .header("date", "Thu, 01 Jan 1970 00:00:00 GMT")
            .body(())
            .unwrap()
            .into_parts()
            .0;
        let text = "HTTP/1.1 301 Moved Permanently\r\nlocation: https://a/\r\n\
                    date: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n";
        assert_eq!(head_len_h1(&parts), text.len() as u64);
    }
}
