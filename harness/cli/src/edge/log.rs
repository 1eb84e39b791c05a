//! The reference edge's access log: CloudFront standard log lines (LOG-FORMAT) built with the
//! core's writer, appended to a file by one writer thread so request handling never blocks on
//! the disk. A new or empty file gets the `#Version` / `#Fields` header first.
//!
//! Handlers append finished lines to a shared buffer; the writer wakes when the buffer stops
//! being empty, lets lines gather for [`BATCH_WINDOW`], and writes them with one `write`. Under
//! load that is a few hundred lines per wake-up instead of a thread wake-up (a futex call on
//! each side) per line, which cost more than the rest of a 301 together.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use edgeconform_core::accesslog::{header, LogDate, LogLine, LogTime, ResultType, Status};
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
    /// Whole lines (ASCII, see [`LogLine::write_to`]).
    text: Vec<u8>,
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
    pub fn send(&self, record: &LogLine<'_>) {
        // Each thread writes its lines in one buffer of its own, outside the lock.
        thread_local! {
            static LINE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let wake = LINE.with_borrow_mut(|line| {
            line.clear();
            record.write_to(line);
            line.push(b'\n');
            let mut batch = self.0.lock();
            // After close the writer is gone; a line lost then is moot (the listeners stopped
            // first).
            if batch.closed {
                return false;
            }
            let wake = batch.text.is_empty();
            batch.text.extend_from_slice(line);
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
    let mut spare = Vec::new();
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
            if let Err(e) = file.write_all(&spare) {
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

/// What the edge knows about a request when it arrives, for its log line, borrowed from
/// where it already is: the request the edge decided on, the connection, the distribution.
pub(crate) struct Arrival<'a> {
    /// When the request arrived (`time-taken` counts from it).
    pub started: Instant,
    pub peer: SocketAddr,
    pub request: &'a Request,
    /// The distribution's domain (`cs(Host)`).
    pub domain: &'a str,
    /// The request head's size on the wire (`cs-bytes` adds the body).
    pub head_bytes: usize,
    pub request_id: &'a str,
    /// (`ssl-protocol`, `ssl-cipher`) for TLS connections.
    pub tls: Option<(&'a str, &'a str)>,
}

impl Arrival<'_> {
    /// Sends the log line of the response `facts` describes, `sc_bytes` being what it took on
    /// the wire. Nothing is allocated: the line's fields are borrowed from the request and the
    /// facts, and the sender formats it in a buffer of its own.
    pub fn log(&self, log: &LogSender, facts: &ResponseFacts, sc_bytes: u64) {
        let (date, time) = utc_now();
        let req = self.request;
        let [referer, user_agent, cookie, forwarded_for] =
            first_values(req, ["referer", "user-agent", "cookie", "x-forwarded-for"]);
        let (ssl_protocol, ssl_cipher) = self.tls.unwrap_or_default();
        let ip = IpText::new(self.peer.ip());
        log.send(&LogLine {
            date,
            time,
            x_edge_location: EDGE_LOCATION,
            sc_bytes,
            c_ip: ip.as_str(),
            cs_method: req.method.as_str(),
            cs_host: self.domain,
            cs_uri_stem: req.path(),
            sc_status: Status::new(facts.status).unwrap_or(Status::CLIENT_CLOSED),
            cs_referer: referer,
            cs_user_agent: user_agent,
            cs_uri_query: req.query().unwrap_or(""),
            cs_cookie: cookie,
            x_edge_result_type: facts.result_type,
            x_edge_request_id: self.request_id,
            x_host_header: req.host.as_deref().unwrap_or(""),
            cs_protocol: req.scheme.as_str(),
            cs_bytes: self.head_bytes as u64 + req.body_len,
            time_taken_ms: self.started.elapsed().as_millis() as u64,
            x_forwarded_for: forwarded_for,
            ssl_protocol,
            ssl_cipher,
            x_edge_response_result_type: facts.result_type,
            cs_protocol_version: req.version.protocol_str(),
            fle_status: "",
            fle_encrypted_fields: None,
            c_port: Some(self.peer.port()),
            time_to_first_byte_ms: Some(facts.first_byte_ms),
            x_edge_detailed_result_type: &facts.detailed_result_type,
            sc_content_type: &facts.content_type,
            sc_content_len: facts.content_len,
            sc_range_start: None,
            sc_range_end: None,
        });
    }
}

/// The first value of each header `names` lists (names in lower case, compared
/// case-insensitively; `""` for a header the request lacks), in one pass over its headers:
/// [`Request::header`] for each name.
fn first_values<'r, const N: usize>(req: &'r Request, names: [&str; N]) -> [&'r str; N] {
    let mut values = [None; N];
    for (name, value) in &req.headers {
        for (wanted, found) in names.iter().zip(&mut values) {
            if found.is_none() && name.eq_ignore_ascii_case(wanted) {
                *found = Some(value.as_str());
            }
        }
    }
    values.map(|v| v.unwrap_or(""))
}

/// [`Arrival`] owned, for a line sent once the response has left (hyper's path): the request
/// is moved in, not copied.
pub(crate) struct LogContext {
    pub started: Instant,
    pub peer: SocketAddr,
    pub request: Request,
    pub domain: String,
    pub head_bytes: usize,
    pub request_id: String,
    pub tls: Option<(String, String)>,
}

impl LogContext {
    /// [`Arrival::log`].
    pub fn log(&self, log: &LogSender, facts: &ResponseFacts, sc_bytes: u64) {
        Arrival {
            started: self.started,
            peer: self.peer,
            request: &self.request,
            domain: &self.domain,
            head_bytes: self.head_bytes,
            request_id: &self.request_id,
            tls: self.tls.as_ref().map(|(p, c)| (p.as_str(), c.as_str())),
        }
        .log(log, facts, sc_bytes);
    }
}

/// What the edge knows about its response once the head is ready.
pub(crate) struct ResponseFacts {
    pub status: u16,
    pub result_type: ResultType,
    pub detailed_result_type: Cow<'static, str>,
    pub content_type: Cow<'static, str>,
    pub content_len: Option<u64>,
    /// Milliseconds from the request's arrival to the response head.
    pub first_byte_ms: u64,
}

/// `c-ip` written on the stack: an IPv4 address digit by digit (`Display` goes through `fmt`
/// padding support and was a visible share of a log line), IPv6 as `Display` writes it.
struct IpText {
    buf: [u8; 64],
    len: usize,
}

impl IpText {
    fn new(ip: std::net::IpAddr) -> IpText {
        let mut text = IpText {
            buf: [0; 64],
            len: 0,
        };
        match ip {
            std::net::IpAddr::V4(v4) => {
                for (i, octet) in v4.octets().into_iter().enumerate() {
                    if i > 0 {
                        text.push(b'.');
                    }
                    if octet >= 100 {
                        text.push(b'0' + octet / 100);
                    }
                    if octet >= 10 {
                        text.push(b'0' + octet / 10 % 10);
                    }
                    text.push(b'0' + octet % 10);
                }
            }
            std::net::IpAddr::V6(v6) => {
                use std::io::Write;
                let mut rest = &mut text.buf[..];
                // The longest IPv6 text (45 bytes) fits.
                if write!(rest, "{v6}").is_ok() {
                    text.len = 64 - rest.len();
                }
            }
        }
        text
    }

    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// The current UTC day and second, worked out once a second per thread.
fn utc_now() -> (LogDate, LogTime) {
    thread_local! {
        static CACHED: std::cell::Cell<Option<(u64, LogDate, LogTime)>> = const { std::cell::Cell::new(None) };
    }
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    CACHED.with(|cached| match cached.get() {
        Some((at, date, time)) if at == secs => (date, time),
        _ => {
            let (date, time) = utc(secs);
            cached.set(Some((secs, date, time)));
            (date, time)
        }
    })
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
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "::ffff:255.255.255.255",
            "1:2:3:4:5:6:7:8",
        ] {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            assert_eq!(IpText::new(ip).as_str(), ip.to_string());
        }
    }

    #[test]
    fn first_values_are_what_header_finds() {
        let mut req = Request::new(
            edgeconform_core::Method::Get,
            edgeconform_core::Scheme::Http,
            "h",
            "/",
        );
        for (n, v) in [
            ("Cookie", "a"),
            ("x-a", "1"),
            ("cookie", "b"),
            ("REFERER", "r"),
        ] {
            req.headers.push((n.into(), v.into()));
        }
        let names = ["referer", "user-agent", "cookie", "x-forwarded-for"];
        let expected = names.map(|n| req.header(n).unwrap_or(""));
        assert_eq!(first_values(&req, names), expected);
        assert_eq!(expected, ["r", "", "a", ""]);
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
