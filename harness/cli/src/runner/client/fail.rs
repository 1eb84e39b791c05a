//! What went wrong with a request, said on one line in the target's terms: `no status line: the
//! target sent 5 bytes that are not HTTP`, `connection closed before a response`, `no response
//! within 5s`, `body shorter than its Content-Length (got 10 of 100 bytes)`, `TLS handshake
//! failed: …`. A reader of the report sees what the target did, not which library noticed.

use super::conn::{one_line, MAX_HEAD_BYTES};
use super::NotRun;
use rustls::{AlertDescription, PeerMisbehaved};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A failed attempt. `stale` marks a kept-alive connection the server had closed while idle,
/// before any byte of a response: the request never reached it and is worth sending again.
pub struct Failure {
    pub error: anyhow::Error,
    pub stale: bool,
}

impl Failure {
    pub fn new(message: String) -> Failure {
        Failure {
            error: anyhow::Error::msg(message),
            stale: false,
        }
    }

    pub fn not_run(n: NotRun) -> Failure {
        Failure {
            error: anyhow::Error::new(n),
            stale: false,
        }
    }
}

/// How far one request got, kept outside the request's future so that a timeout can say it.
#[derive(Debug, Default)]
pub struct Progress {
    /// The response's status, once its head arrived.
    pub status: Option<u16>,
    /// Body bytes received.
    pub body: u64,
    /// The connection's read counter and its value when the request was sent.
    pub counter: Option<(Arc<AtomicU64>, u64)>,
}

impl Progress {
    /// Bytes read on the connection for this request (head, framing and body).
    pub fn read(&self) -> u64 {
        self.counter.as_ref().map_or(0, |(c, base)| {
            c.load(Ordering::Relaxed).saturating_sub(*base)
        })
    }
}

/// The request timed out: what had arrived by then.
pub fn timed_out(timeout: Duration, p: &Progress) -> String {
    match p.status {
        None if p.read() == 0 => format!("no response within {timeout:?}"),
        None => format!(
            "no complete response head within {timeout:?} ({} received)",
            bytes(p.read())
        ),
        Some(s) => format!(
            "body did not end within {timeout:?} (status {s}, {} of body received)",
            bytes(p.body)
        ),
    }
}

/// A TLS handshake that failed. For an HTTP/2 request a server refusing ALPN `h2` is not run.
pub fn tls_failure(e: &std::io::Error, h2: bool) -> Failure {
    let tls = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    if h2 {
        let refused = match tls {
            Some(rustls::Error::AlertReceived(AlertDescription::NoApplicationProtocol)) => {
                Some("the server refused ALPN h2 and http/1.1 (no_application_protocol)")
            }
            Some(rustls::Error::PeerMisbehaved(
                PeerMisbehaved::SelectedUnofferedApplicationProtocol,
            )) => Some("the server selected an ALPN protocol that was not offered"),
            _ => None,
        };
        if let Some(why) = refused {
            return Failure::not_run(NotRun {
                reason: format!("h2 not offered ({why})"),
            });
        }
    }
    let what = match (tls, e.kind()) {
        (Some(t), _) => t.to_string(),
        (None, std::io::ErrorKind::UnexpectedEof) => {
            "the target closed the connection during the handshake".to_string()
        }
        (None, std::io::ErrorKind::ConnectionReset) => {
            "the target reset the connection during the handshake".to_string()
        }
        (None, _) => one_line(e),
    };
    Failure::new(format!("TLS handshake failed: {what}"))
}

/// A request whose response head never arrived whole. `read` is what the connection delivered
/// for it; `reused` says the connection had served earlier requests.
pub fn head_failure(e: &hyper::Error, read: u64, reused: bool) -> Failure {
    let text = e.to_string();
    let message = if e.is_parse_too_large() {
        head_too_large(read)
    } else if e.is_parse_version_h2() {
        format!(
            "no status line: the target answered HTTP/1.1 with an HTTP/2 preface ({} received)",
            bytes(read)
        )
    } else if e.is_parse() && (e.is_parse_status() || text.contains("version")) {
        not_http(read)
    } else if e.is_parse() {
        malformed_head(&text, read)
    } else if e.is_canceled() && read > 0 {
        // hyper cancels a request when bytes arrive on a connection with nothing sent yet.
        unasked(read)
    } else if e.is_incomplete_message() || e.is_canceled() {
        closed_before_head(read, None)
    } else if let Some(kind) = closed_kind(e) {
        closed_before_head(read, Some(kind))
    } else if text.contains("http2") {
        format!("HTTP/2 error: {}", h2_detail(e))
    } else {
        format!("request failed: {}", one_line(e))
    };
    Failure {
        error: anyhow::Error::msg(message),
        stale: reused
            && read == 0
            && (e.is_canceled() || e.is_incomplete_message() || closed_kind(e).is_some()),
    }
}

/// A body that broke off after `got` bytes; `declared` is its Content-Length.
pub fn body_failure(e: &hyper::Error, got: u64, declared: Option<u64>) -> Failure {
    let message = match declared {
        Some(n) if got < n => short_body(got, n),
        _ if e.is_incomplete_message() => body_cut(got),
        _ if e.to_string().contains("http2") => {
            format!(
                "HTTP/2 error in the body after {got} bytes: {}",
                h2_detail(e)
            )
        }
        _ => body_broke(got, &one_line(e)),
    };
    Failure::new(message)
}

// The words of each failure, shared by hyper's path and the runner's own (`raw`).

pub fn head_too_large(read: u64) -> String {
    format!(
        "response head over {} KiB ({} received)",
        MAX_HEAD_BYTES / 1024,
        bytes(read)
    )
}

pub fn not_http(read: u64) -> String {
    format!(
        "no status line: the target sent {} that are not HTTP",
        bytes(read)
    )
}

pub fn malformed_head(what: &str, read: u64) -> String {
    format!("malformed response head: {what} ({} received)", bytes(read))
}

/// Bytes that came on a kept-alive connection before the next request was sent.
pub fn unasked(read: u64) -> String {
    format!(
        "the target sent {} before the request went out, not an answer to it",
        bytes(read)
    )
}

/// The connection ended after `read` bytes of the response head; `kind` says how, when known.
pub fn closed_before_head(read: u64, kind: Option<&str>) -> String {
    let how = kind.map(|k| format!(" ({k})")).unwrap_or_default();
    match read {
        0 => format!("connection closed before a response{how}"),
        n => format!(
            "connection closed after {}, before the response head ended{how}",
            bytes(n)
        ),
    }
}

pub fn short_body(got: u64, declared: u64) -> String {
    format!("body shorter than its Content-Length (got {got} of {declared} bytes)")
}

pub fn body_cut(got: u64) -> String {
    format!("connection closed in the middle of the body (got {got} bytes)")
}

pub fn body_broke(got: u64, why: &str) -> String {
    format!("body broke off after {got} bytes: {why}")
}

/// How the target closed a connection under a request, when an I/O error says so.
pub fn closed_kind(e: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let mut src = Some(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionReset => Some("reset by the target"),
                std::io::ErrorKind::BrokenPipe => Some("the request could not be written"),
                std::io::ErrorKind::ConnectionAborted => Some("aborted"),
                std::io::ErrorKind::UnexpectedEof => Some("end of stream"),
                _ => None,
            };
        }
        src = s.source();
    }
    None
}

/// hyper's `http2 error` says nothing; its cause (`stream error received: refused stream`) does.
fn h2_detail(e: &hyper::Error) -> String {
    let full = one_line(e);
    full.strip_prefix("http2 error: ")
        .map(str::to_string)
        .unwrap_or(full)
}

/// `1 byte`, `5 bytes`, `2.0 MiB`.
pub fn bytes(n: u64) -> String {
    match n {
        1 => "1 byte".to_string(),
        n if n < 1 << 20 => format!("{n} bytes"),
        n => format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_say_how_far_the_response_got() {
        let t = Duration::from_secs(5);
        assert_eq!(timed_out(t, &Progress::default()), "no response within 5s");
        let head = Progress {
            counter: Some((Arc::new(AtomicU64::new(10)), 7)),
            ..Progress::default()
        };
        assert_eq!(
            timed_out(t, &head),
            "no complete response head within 5s (3 bytes received)"
        );
        let body = Progress {
            status: Some(200),
            body: 3 << 20,
            counter: None,
        };
        assert_eq!(
            timed_out(t, &body),
            "body did not end within 5s (status 200, 3.0 MiB of body received)"
        );
    }
}
