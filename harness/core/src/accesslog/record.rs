//! One log record ([`LogRecord`]) with all 33 fields, its borrowed view ([`LogLine`]), and
//! writing records as log lines.

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
        let mut out = Vec::with_capacity(320);
        self.as_line().write_to(&mut out);
        // A line is ASCII (see [`LogLine::write_to`]).
        String::from_utf8(out).unwrap_or_default()
    }

    /// The record's fields borrowed, as [`LogLine`].
    pub fn as_line(&self) -> LogLine<'_> {
        LogLine {
            date: self.date,
            time: self.time,
            x_edge_location: &self.x_edge_location,
            sc_bytes: self.sc_bytes,
            c_ip: &self.c_ip,
            cs_method: &self.cs_method,
            cs_host: &self.cs_host,
            cs_uri_stem: &self.cs_uri_stem,
            sc_status: self.sc_status,
            cs_referer: &self.cs_referer,
            cs_user_agent: &self.cs_user_agent,
            cs_uri_query: &self.cs_uri_query,
            cs_cookie: &self.cs_cookie,
            x_edge_result_type: self.x_edge_result_type,
            x_edge_request_id: &self.x_edge_request_id,
            x_host_header: &self.x_host_header,
            cs_protocol: &self.cs_protocol,
            cs_bytes: self.cs_bytes,
            time_taken_ms: self.time_taken_ms,
            x_forwarded_for: &self.x_forwarded_for,
            ssl_protocol: &self.ssl_protocol,
            ssl_cipher: &self.ssl_cipher,
            x_edge_response_result_type: self.x_edge_response_result_type,
            cs_protocol_version: &self.cs_protocol_version,
            fle_status: &self.fle_status,
            fle_encrypted_fields: self.fle_encrypted_fields,
            c_port: self.c_port,
            time_to_first_byte_ms: self.time_to_first_byte_ms,
            x_edge_detailed_result_type: &self.x_edge_detailed_result_type,
            sc_content_type: &self.sc_content_type,
            sc_content_len: self.sc_content_len,
            sc_range_start: self.sc_range_start,
            sc_range_end: self.sc_range_end,
        }
    }
}

/// A [`LogRecord`] whose text fields are borrowed: what a server that writes one line per
/// response builds from the request and response it still holds, with no allocation. The
/// fields mean what the record's do; [`LogRecord::as_line`] gives the view of a record, whose
/// [`LogRecord::to_line`] is what [`LogLine::write_to`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLine<'a> {
    pub date: LogDate,
    pub time: LogTime,
    pub x_edge_location: &'a str,
    pub sc_bytes: u64,
    pub c_ip: &'a str,
    pub cs_method: &'a str,
    pub cs_host: &'a str,
    pub cs_uri_stem: &'a str,
    pub sc_status: Status,
    pub cs_referer: &'a str,
    pub cs_user_agent: &'a str,
    pub cs_uri_query: &'a str,
    pub cs_cookie: &'a str,
    pub x_edge_result_type: ResultType,
    pub x_edge_request_id: &'a str,
    pub x_host_header: &'a str,
    pub cs_protocol: &'a str,
    pub cs_bytes: u64,
    pub time_taken_ms: u64,
    pub x_forwarded_for: &'a str,
    pub ssl_protocol: &'a str,
    pub ssl_cipher: &'a str,
    pub x_edge_response_result_type: ResultType,
    pub cs_protocol_version: &'a str,
    pub fle_status: &'a str,
    pub fle_encrypted_fields: Option<u64>,
    pub c_port: Option<u16>,
    pub time_to_first_byte_ms: Option<u64>,
    pub x_edge_detailed_result_type: &'a str,
    pub sc_content_type: &'a str,
    pub sc_content_len: Option<u64>,
    pub sc_range_start: Option<u64>,
    pub sc_range_end: Option<u64>,
}

impl LogLine<'_> {
    /// The line (LOG-FORMAT, no line ending) appended to `out`: no allocation beyond `out`
    /// growing and no `fmt` machinery, for a server that writes one line per response. Every
    /// byte is ASCII: text fields go through [`escape_into`].
    pub fn write_to(&self, out: &mut Vec<u8>) {
        push_digits(out, self.date.year().into(), 4);
        out.push(b'-');
        push_digits(out, self.date.month().into(), 2);
        out.push(b'-');
        push_digits(out, self.date.day().into(), 2);
        out.push(b'\t');
        push_digits(out, self.time.hour().into(), 2);
        out.push(b':');
        push_digits(out, self.time.minute().into(), 2);
        out.push(b':');
        push_digits(out, self.time.second().into(), 2);
        out.push(b'\t');
        escape_into(out, self.x_edge_location);
        out.push(b'\t');
        push_digits(out, self.sc_bytes, 1);
        for v in [self.c_ip, self.cs_method, self.cs_host, self.cs_uri_stem] {
            out.push(b'\t');
            escape_into(out, v);
        }
        out.push(b'\t');
        push_digits(out, self.sc_status.get().into(), 3);
        for v in [
            self.cs_referer,
            self.cs_user_agent,
            self.cs_uri_query,
            self.cs_cookie,
        ] {
            out.push(b'\t');
            escape_into(out, v);
        }
        out.push(b'\t');
        out.extend_from_slice(self.x_edge_result_type.as_str().as_bytes());
        for v in [self.x_edge_request_id, self.x_host_header, self.cs_protocol] {
            out.push(b'\t');
            escape_into(out, v);
        }
        out.push(b'\t');
        push_digits(out, self.cs_bytes, 1);
        out.push(b'\t');
        push_seconds(out, self.time_taken_ms);
        for v in [self.x_forwarded_for, self.ssl_protocol, self.ssl_cipher] {
            out.push(b'\t');
            escape_into(out, v);
        }
        out.push(b'\t');
        out.extend_from_slice(self.x_edge_response_result_type.as_str().as_bytes());
        for v in [self.cs_protocol_version, self.fle_status] {
            out.push(b'\t');
            escape_into(out, v);
        }
        out.push(b'\t');
        push_or_dash(out, self.fle_encrypted_fields);
        out.push(b'\t');
        push_or_dash(out, self.c_port.map(u64::from));
        out.push(b'\t');
        match self.time_to_first_byte_ms {
            Some(ms) => push_seconds(out, ms),
            None => out.push(b'-'),
        }
        for v in [self.x_edge_detailed_result_type, self.sc_content_type] {
            out.push(b'\t');
            escape_into(out, v);
        }
        for v in [self.sc_content_len, self.sc_range_start, self.sc_range_end] {
            out.push(b'\t');
            push_or_dash(out, v);
        }
    }
}

/// `n` in decimal, zero-padded to at least `width` digits. Numbers below 100 (every date and
/// time field, most seconds) are written directly, and digits are pushed one by one: a copy
/// call costs more than the few bytes of a number.
fn push_digits(out: &mut Vec<u8>, n: u64, width: usize) {
    if n < 100 && width <= 2 {
        if n >= 10 || width == 2 {
            out.push(b'0' + (n / 10) as u8);
        }
        out.push(b'0' + (n % 10) as u8);
        return;
    }
    let mut buf = [b'0'; 20];
    let digits = decimal(n, &mut buf).len();
    let start = buf.len() - digits.max(width).min(buf.len());
    for &d in &buf[start..] {
        out.push(d);
    }
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

fn push_or_dash(out: &mut Vec<u8>, v: Option<u64>) {
    match v {
        Some(v) => push_digits(out, v, 1),
        None => out.push(b'-'),
    }
}

/// Milliseconds as the log's seconds with three decimals.
fn push_seconds(out: &mut Vec<u8>, ms: u64) {
    push_digits(out, ms / 1000, 1);
    out.push(b'.');
    push_digits(out, ms % 1000, 3);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_what_format_writes() {
        let numbers = (0..1200).chain([9_999, 10_000, 65_535, u64::MAX - 1, u64::MAX]);
        for n in numbers {
            for width in 1..=4 {
                let mut out = Vec::new();
                push_digits(&mut out, n, width);
                assert_eq!(out, format!("{n:0width$}").into_bytes(), "{n} {width}");
            }
        }
    }
}
