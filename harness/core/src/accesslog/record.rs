//! One log record ([`LogRecord`]) with all 33 fields, and writing records as log lines.

use super::escape::escape_into;
use super::fields::{header, LogDate, LogTime, ResultType, Status};
use serde::{Deserialize, Serialize};

/// A whole log: [`header`], then each record's [`LogRecord::to_line`] followed by `\n`.
pub fn write_log(records: &[LogRecord]) -> String {
    let mut out = header();
    for record in records {
        out.push_str(&record.to_line());
        out.push('\n');
    }
    out
}

/// One record of a standard log (LOG-FORMAT), one field per log field in [`FIELDS`](super::FIELDS) order.
///
/// Text fields hold the unescaped value, and the empty string is the log's `-`: the format has one
/// spelling for "empty", so the type has one too (an `Option<String>` would have two, `None` and
/// `Some("")`, and an expected record built with the wrong one could never equal a parsed one). A
/// value that is literally `-` is written `%2D`. Numeric fields the log may leave as `-` are
/// `Option`s; times in seconds are held as whole milliseconds, the log's resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct LogRecord {
    pub date: LogDate,
    pub time: LogTime,
    /// The edge location that served the request, e.g. `LAX1`.
    pub x_edge_location: String,
    /// Bytes sent to the viewer, headers included.
    pub sc_bytes: u64,
    pub c_ip: String,
    pub cs_method: String,
    /// The distribution's `*.cloudfront.net` name, even when the viewer used an alias.
    pub cs_host: String,
    /// The path, without `?` and query.
    pub cs_uri_stem: String,
    pub sc_status: Status,
    pub cs_referer: String,
    pub cs_user_agent: String,
    /// The query, without `?`.
    pub cs_uri_query: String,
    pub cs_cookie: String,
    pub x_edge_result_type: ResultType,
    pub x_edge_request_id: String,
    /// The `Host` the viewer sent.
    pub x_host_header: String,
    /// The viewer's scheme: `http`, `https`, `ws` or `wss` (LOG-RESULT-TYPE).
    pub cs_protocol: String,
    /// Bytes received from the viewer, headers included.
    pub cs_bytes: u64,
    /// `time-taken`, in milliseconds.
    pub time_taken_ms: u64,
    pub x_forwarded_for: String,
    /// Empty (`-`) for `http`.
    pub ssl_protocol: String,
    /// Empty (`-`) for `http`.
    pub ssl_cipher: String,
    pub x_edge_response_result_type: ResultType,
    /// `HTTP/0.9` … `HTTP/3.0`.
    pub cs_protocol_version: String,
    pub fle_status: String,
    pub fle_encrypted_fields: Option<u64>,
    /// The viewer's source port.
    pub c_port: Option<u16>,
    /// `time-to-first-byte`, in milliseconds.
    pub time_to_first_byte_ms: Option<u64>,
    /// The result type, or for `Error` a specific code such as `InvalidRequestMethod` or
    /// `OriginConnectError` (LOG-RESULT-TYPE).
    pub x_edge_detailed_result_type: String,
    pub sc_content_type: String,
    pub sc_content_len: Option<u64>,
    pub sc_range_start: Option<u64>,
    pub sc_range_end: Option<u64>,
}

impl LogRecord {
    /// The record as one log line (LOG-FORMAT): 33 tab-separated fields, with no line ending.
    /// Parsing it back with [`parse_line`](super::parse_line) gives this record, whatever it holds.
    pub fn to_line(&self) -> String {
        let mut out = String::with_capacity(320);
        self.write_line(&mut out);
        out
    }

    /// [`LogRecord::to_line`] appended to `out`: no allocation beyond `out` growing and no
    /// `fmt` machinery, for a server that writes one line per response.
    pub fn write_line(&self, out: &mut String) {
        push_digits(out, self.date.year().into(), 4);
        out.push('-');
        push_digits(out, self.date.month().into(), 2);
        out.push('-');
        push_digits(out, self.date.day().into(), 2);
        out.push('\t');
        push_digits(out, self.time.hour().into(), 2);
        out.push(':');
        push_digits(out, self.time.minute().into(), 2);
        out.push(':');
        push_digits(out, self.time.second().into(), 2);
        out.push('\t');
        escape_into(out, &self.x_edge_location);
        out.push('\t');
        push_digits(out, self.sc_bytes, 1);
        for v in [
            &self.c_ip,
            &self.cs_method,
            &self.cs_host,
            &self.cs_uri_stem,
        ] {
            out.push('\t');
            escape_into(out, v);
        }
        out.push('\t');
        push_digits(out, self.sc_status.get().into(), 3);
        for v in [
            &self.cs_referer,
            &self.cs_user_agent,
            &self.cs_uri_query,
            &self.cs_cookie,
        ] {
            out.push('\t');
            escape_into(out, v);
        }
        out.push('\t');
        out.push_str(self.x_edge_result_type.as_str());
        for v in [
            &self.x_edge_request_id,
            &self.x_host_header,
            &self.cs_protocol,
        ] {
            out.push('\t');
            escape_into(out, v);
        }
        out.push('\t');
        push_digits(out, self.cs_bytes, 1);
        out.push('\t');
        push_seconds(out, self.time_taken_ms);
        for v in [&self.x_forwarded_for, &self.ssl_protocol, &self.ssl_cipher] {
            out.push('\t');
            escape_into(out, v);
        }
        out.push('\t');
        out.push_str(self.x_edge_response_result_type.as_str());
        for v in [&self.cs_protocol_version, &self.fle_status] {
            out.push('\t');
            escape_into(out, v);
        }
        out.push('\t');
        push_or_dash(out, self.fle_encrypted_fields);
        out.push('\t');
        push_or_dash(out, self.c_port.map(u64::from));
        out.push('\t');
        match self.time_to_first_byte_ms {
            Some(ms) => push_seconds(out, ms),
            None => out.push('-'),
        }
        for v in [&self.x_edge_detailed_result_type, &self.sc_content_type] {
            out.push('\t');
            escape_into(out, v);
        }
        for v in [self.sc_content_len, self.sc_range_start, self.sc_range_end] {
            out.push('\t');
            push_or_dash(out, v);
        }
    }
}

/// `n` in decimal, zero-padded to at least `width` digits.
fn push_digits(out: &mut String, n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let digits = decimal(n, &mut buf).len();
    let start = buf.len() - digits.max(width).min(buf.len());
    // One char at a time: cheaper than checking the (always ASCII) digits are UTF-8.
    out.extend(buf[start..].iter().map(|&d| char::from(d)));
}

/// `n` in decimal ASCII digits, written at the end of `buf` (whose other bytes are untouched).
pub fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

fn push_or_dash(out: &mut String, v: Option<u64>) {
    match v {
        Some(v) => push_digits(out, v, 1),
        None => out.push('-'),
    }
}

/// Milliseconds as the log's seconds with three decimals.
fn push_seconds(out: &mut String, ms: u64) {
    push_digits(out, ms / 1000, 1);
    out.push('.');
    push_digits(out, ms % 1000, 3);
}
