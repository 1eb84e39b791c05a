//! One log record ([`LogRecord`]) with all 33 fields, and writing records as log lines.

use super::escape::escape;
use super::fields::{header, LogDate, LogTime, ResultType, Status};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A whole log: [`header`], then each record's [`LogRecord::to_line`] followed by `\n`.
pub fn write_log(records: &[LogRecord]) -> String {
    let mut out = header();
    for record in records {
        out.push_str(&record.to_line());
        out.push('\n');
    }
    out
}

/// One record of a standard log (LOG-FORMAT), one field per log field in [`FIELDS`] order.
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
    /// Parsing it back with [`parse_line`] gives this record, whatever it holds.
    pub fn to_line(&self) -> String {
        let fields: [String; 33] = [
            self.date.to_string(),
            self.time.to_string(),
            escape(&self.x_edge_location),
            self.sc_bytes.to_string(),
            escape(&self.c_ip),
            escape(&self.cs_method),
            escape(&self.cs_host),
            escape(&self.cs_uri_stem),
            self.sc_status.to_string(),
            escape(&self.cs_referer),
            escape(&self.cs_user_agent),
            escape(&self.cs_uri_query),
            escape(&self.cs_cookie),
            self.x_edge_result_type.to_string(),
            escape(&self.x_edge_request_id),
            escape(&self.x_host_header),
            escape(&self.cs_protocol),
            self.cs_bytes.to_string(),
            seconds(self.time_taken_ms),
            escape(&self.x_forwarded_for),
            escape(&self.ssl_protocol),
            escape(&self.ssl_cipher),
            self.x_edge_response_result_type.to_string(),
            escape(&self.cs_protocol_version),
            escape(&self.fle_status),
            or_dash(self.fle_encrypted_fields),
            or_dash(self.c_port),
            self.time_to_first_byte_ms
                .map_or_else(|| "-".to_string(), seconds),
            escape(&self.x_edge_detailed_result_type),
            escape(&self.sc_content_type),
            or_dash(self.sc_content_len),
            or_dash(self.sc_range_start),
            or_dash(self.sc_range_end),
        ];
        fields.join("\t")
    }
}

fn or_dash<T: fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}
