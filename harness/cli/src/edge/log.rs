//! The reference edge's access log: CloudFront standard log lines (LOG-FORMAT) built with the
//! core's writer, appended to a file by one writer thread so request handling never blocks on
//! the disk. A new or empty file gets the `#Version` / `#Fields` header first.
//!
//! Handlers append finished lines to a shared buffer; the writer wakes when the buffer stops
//! being empty, lets lines gather for [`BATCH_WINDOW`], and writes them with one `write`. Under
//! load that is a few hundred lines per wake-up instead of a thread wake-up (a futex call on
//! each side) per line, which cost more than the rest of a 301 together.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use edgeconform_core::accesslog::{header, LogDate, LogRecord, LogTime, ResultType, Status};
use edgeconform_core::Request;

/// `x-edge-location` and `X-Amz-Cf-Pop` of the reference edge.
pub const EDGE_LOCATION: &str = "LCL1-C1";

/// How long the writer lets lines gather after the first one of a batch: a line reaches the
/// file at most this much (plus the write) after its response finished.
const BATCH_WINDOW: Duration = Duration::from_millis(5);

/// Appends lines to an access log file.
pub(crate) struct AccessLog {
    shared: Arc<Lines>,
    thread: Option<JoinHandle<()>>,
    path: PathBuf,
}

/// The lines waiting for the writer.
struct Lines {
    state: Mutex<Batch>,
    ready: Condvar,
    /// Signalled after each batch is written (see [`AccessLog::flush`]).
    written: Condvar,
}

#[derive(Default)]
struct Batch {
    text: String,
    closed: bool,
    /// Bytes handed to the writer so far, and bytes it has written (or failed to write).
    sent: u64,
    done: u64,
}

impl Lines {
    fn lock(&self) -> MutexGuard<'_, Batch> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A handle request handlers send finished lines through.
#[derive(Clone)]
pub(crate) struct LogSender(Arc<Lines>);

impl LogSender {
    pub fn send(&self, record: &LogRecord) {
        // Each thread writes its lines in one buffer of its own, outside the lock.
        thread_local! {
            static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        let wake = LINE.with_borrow_mut(|line| {
            line.clear();
            record.write_line(line);
            line.push('\n');
            let mut batch = self.0.lock();
            // After close the writer is gone; a line lost then is moot (the listeners stopped
            // first).
            if batch.closed {
                return false;
            }
            let wake = batch.text.is_empty();
            batch.text.push_str(line);
            batch.sent += line.len() as u64;
            wake
        });
        // Only the first line of a batch wakes the writer: it is asleep or about to look.
        if wake {
            self.0.ready.notify_one();
        }
    }
}

impl AccessLog {
    /// Opens `path` for appending (created if missing) and starts the writer thread.
    pub fn open(path: &Path) -> Result<AccessLog> {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening the access log {}", path.display()))?;
        let empty = file.metadata().map(|m| m.len() == 0).unwrap_or(true);
        if empty {
            file.write_all(header().as_bytes())
                .with_context(|| format!("writing the access log {}", path.display()))?;
        }
        let shared = Arc::new(Lines {
            state: Mutex::new(Batch::default()),
            ready: Condvar::new(),
            written: Condvar::new(),
        });
        let lines = shared.clone();
        let shown = path.display().to_string();
        let thread = std::thread::Builder::new()
            .name("edge-access-log".into())
            .spawn(move || write_batches(&lines, file, &shown))
            .context("starting the access log writer")?;
        Ok(AccessLog {
            shared,
            thread: Some(thread),
            path: path.to_path_buf(),
        })
    }

    pub fn sender(&self) -> Option<LogSender> {
        Some(LogSender(self.shared.clone()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits (at most `limit`) until every line sent so far is in the file, so that a reader
    /// of the file sees them all; the writer goes on. False when the limit was reached.
    pub fn flush(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut batch = self.shared.lock();
        let target = batch.sent;
        while batch.done < target && !batch.closed {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            batch = self
                .shared
                .written
                .wait_timeout(batch, left)
                .map(|(b, _)| b)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        true
    }

    /// Writes every line sent so far and stops the writer; lines sent later are dropped.
    pub fn close(mut self) {
        self.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn stop(&self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_one();
    }
}

impl Drop for AccessLog {
    /// The writer still writes what was sent, then ends on its own.
    fn drop(&mut self) {
        self.stop();
    }
}

/// The writer thread: one `write` per batch until the log is closed and drained.
fn write_batches(lines: &Lines, mut file: File, shown: &str) {
    let mut failed = false;
    let mut spare = String::new();
    loop {
        let mut batch = lines.lock();
        while batch.text.is_empty() && !batch.closed {
            batch = lines.ready.wait(batch).unwrap_or_else(|e| e.into_inner());
        }
        if !batch.closed {
            drop(batch);
            std::thread::sleep(BATCH_WINDOW);
            batch = lines.lock();
        }
        let closed = batch.closed;
        std::mem::swap(&mut batch.text, &mut spare);
        drop(batch);
        if !spare.is_empty() {
            if let Err(e) = file.write_all(spare.as_bytes()) {
                if !failed {
                    eprintln!("edgeconform edge: writing the access log {shown}: {e}");
                    failed = true;
                }
            }
        }
        let n = spare.len() as u64;
        spare.clear();
        lines.lock().done += n;
        lines.written.notify_all();
        if closed {
            return;
        }
    }
}

/// What the edge knows about a request when it arrives, for its log line.
pub(crate) struct LogContext {
    pub started: Instant,
    pub peer: SocketAddr,
    pub method: String,
    /// The distribution's domain (`cs(Host)`).
    pub distribution_domain: String,
    pub host_header: String,
    pub path: String,
    pub query: String,
    pub referer: String,
    pub user_agent: String,
    pub cookie: String,
    pub forwarded_for: String,
    pub scheme: &'static str,
    pub protocol_version: &'static str,
    pub cs_bytes: u64,
    pub request_id: String,
    pub tls: Option<(String, String)>,
}

impl LogContext {
    /// `started` is when the request arrived (`time-taken` counts from it).
    pub fn new(
        started: Instant,
        req: &Request,
        peer: SocketAddr,
        domain: &str,
        head_bytes: usize,
        request_id: &str,
        tls: Option<(String, String)>,
    ) -> LogContext {
        let header = |name: &str| req.header(name).unwrap_or("").to_string();
        LogContext {
            started,
            peer,
            method: req.method.as_str().to_string(),
            distribution_domain: domain.to_string(),
            host_header: req.host.clone().unwrap_or_default(),
            path: req.path().to_string(),
            query: req.query().unwrap_or("").to_string(),
            referer: header("referer"),
            user_agent: header("user-agent"),
            cookie: header("cookie"),
            forwarded_for: header("x-forwarded-for"),
            scheme: req.scheme.as_str(),
            protocol_version: req.version.protocol_str(),
            cs_bytes: head_bytes as u64 + req.body_len,
            request_id: request_id.to_string(),
            tls,
        }
    }
}

/// What the edge knows about its response once the head is ready.
pub(crate) struct ResponseFacts {
    pub status: u16,
    pub result_type: ResultType,
    pub detailed_result_type: String,
    pub content_type: String,
    pub content_len: Option<u64>,
    /// Milliseconds from the request's arrival to the response head.
    pub first_byte_ms: u64,
}

/// The standard log record for one response, `sc_bytes` being what it took on the wire.
pub(crate) fn record(ctx: LogContext, facts: ResponseFacts, sc_bytes: u64) -> LogRecord {
    let (date, time) = utc_now();
    let (ssl_protocol, ssl_cipher) = ctx.tls.unwrap_or_default();
    LogRecord {
        date,
        time,
        x_edge_location: EDGE_LOCATION.to_string(),
        sc_bytes,
        c_ip: ip_text(ctx.peer.ip()),
        cs_method: ctx.method,
        cs_host: ctx.distribution_domain,
        cs_uri_stem: ctx.path,
        sc_status: Status::new(facts.status).unwrap_or(Status::CLIENT_CLOSED),
        cs_referer: ctx.referer,
        cs_user_agent: ctx.user_agent,
        cs_uri_query: ctx.query,
        cs_cookie: ctx.cookie,
        x_edge_result_type: facts.result_type,
        x_edge_request_id: ctx.request_id,
        x_host_header: ctx.host_header,
        cs_protocol: ctx.scheme.to_string(),
        cs_bytes: ctx.cs_bytes,
        time_taken_ms: ctx.started.elapsed().as_millis() as u64,
        x_forwarded_for: ctx.forwarded_for,
        ssl_protocol,
        ssl_cipher,
        x_edge_response_result_type: facts.result_type,
        cs_protocol_version: ctx.protocol_version.to_string(),
        fle_status: String::new(),
        fle_encrypted_fields: None,
        c_port: Some(ctx.peer.port()),
        time_to_first_byte_ms: Some(facts.first_byte_ms),
        x_edge_detailed_result_type: facts.detailed_result_type,
        sc_content_type: facts.content_type,
        sc_content_len: facts.content_len,
        sc_range_start: None,
        sc_range_end: None,
    }
}

/// `c-ip`: an IPv4 address written digit by digit (`Display` goes through `fmt` padding
/// support and was a visible share of a log line), IPv6 as `Display` writes it.
fn ip_text(ip: std::net::IpAddr) -> String {
    let std::net::IpAddr::V4(v4) = ip else {
        return ip.to_string();
    };
    let mut out = String::with_capacity(15);
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if octet >= 100 {
            out.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            out.push(char::from(b'0' + octet / 10 % 10));
        }
        out.push(char::from(b'0' + octet % 10));
    }
    out
}

/// The current UTC day and second.
fn utc_now() -> (LogDate, LogTime) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc(secs)
}

/// A Unix time as a UTC date and time.
fn utc(secs: u64) -> (LogDate, LogTime) {
    let (year, month, day, h, m, s) = edgeconform_core::date::utc_fields(secs);
    let year = u16::try_from(year).unwrap_or(u16::MAX);
    let fallback = || LogDate::new(1970, 1, 1).expect("a real day");
    let date = LogDate::new(year, month, day).unwrap_or_else(fallback);
    let time = LogTime::new(h, m, s).unwrap_or_else(|| LogTime::new(0, 0, 0).expect("midnight"));
    (date, time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_text_is_what_display_writes() {
        for ip in [
            "127.0.0.1",
            "0.0.0.0",
            "10.200.9.255",
            "192.168.100.10",
            "::1",
            "fe80::1",
        ] {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            assert_eq!(ip_text(ip), ip.to_string());
        }
    }

    #[test]
    fn unix_times_become_utc_days_and_seconds() {
        let (d, t) = utc(0);
        assert_eq!(
            (d.to_string(), t.to_string()),
            ("1970-01-01".into(), "00:00:00".into())
        );
        // 2019-12-04 21:02:31 UTC, the sample line in AWS's documentation.
        let (d, t) = utc(1_575_493_351);
        assert_eq!(
            (d.to_string(), t.to_string()),
            ("2019-12-04".into(), "21:02:31".into())
        );
        let (d, _) = utc(951_782_400); // 2000-02-29
        assert_eq!(d.to_string(), "2000-02-29");
    }
}
