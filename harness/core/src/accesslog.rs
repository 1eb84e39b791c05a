//! Reader and writer for CloudFront *standard* (legacy, v1) access logs (LOG-FORMAT,
//! LOG-RESULT-TYPE). The runner reads a target's log with [`parse_log`], checks the LOG-* rules on
//! the records and reconciles them with its wire ledger through [`totals`] (BIL-LOG-RECONCILE); the
//! reference edge writes one with [`header`] and [`LogRecord::to_line`]. Text in, text out: fetching
//! and un-gzipping log files is the caller's job.
//!
//! A log is two header lines, then one record per line: 33 fields separated by tabs (shown here as
//! `→`, and cut short with `…`), `-` for an empty value, RFC 1738-style percent-escapes inside values:
//!
//! ```text
//! #Version: 1.0
//! #Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status …
//! 2019-12-04→21:02:31→LAX1→392→192.0.2.100→GET→d111111abcdef8.cloudfront.net→/index.html→200→-→Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)…→-→-→Hit→…
//! ```
//!
//! Text values are mapped one to one: [`escape`] gives the exact text of a field and [`unescape`]
//! reverses it, so writing a record and reading it back always gives the same record. The one
//! exception on the reading side: escapes that decode to bytes that are not UTF-8 (a raw byte a
//! viewer sent in, say, its `User-Agent`) cannot be held in a `String`; such a value is kept exactly
//! as logged, still escaped, so no byte is lost ([`unescape_bytes`] recovers them). It then reads
//! the same as literal text spelled like those escapes; the harness only sends UTF-8, so for its own
//! requests the two cannot be confused.

use serde::{Deserialize, Serialize};
use std::fmt;

/// LOG-FORMAT: the 33 fields of a standard log record, in the order AWS writes them. The `#Fields:`
/// header line lists exactly these names, separated by single spaces.
pub const FIELDS: [&str; 33] = [
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
];

/// LOG-FORMAT: the version the `#Version:` header line declares.
pub const VERSION: &str = "1.0";

/// LOG-FORMAT: the two header lines of a standard log, each ending in `\n`.
pub fn header() -> String {
    format!("#Version: {VERSION}\n#Fields: {}\n", FIELDS.join(" "))
}

/// A whole log: [`header`], then each record's [`LogRecord::to_line`] followed by `\n`.
pub fn write_log(records: &[LogRecord]) -> String {
    let mut out = header();
    for record in records {
        out.push_str(&record.to_line());
        out.push('\n');
    }
    out
}

/// LOG-RESULT-TYPE: the values of `x-edge-result-type` (how the request ended, after the last byte)
/// and `x-edge-response-result-type` (how the response was classified before it was sent). A VPP
/// redirect is logged `Redirect`, an edge 403 `Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ResultType {
    Hit,
    RefreshHit,
    Miss,
    LimitExceeded,
    CapacityExceeded,
    Error,
    /// The edge redirected the viewer from HTTP to HTTPS per the distribution's settings.
    Redirect,
}

impl ResultType {
    /// Every result type, in the order AWS documents them.
    pub const ALL: [ResultType; 7] = [
        ResultType::Hit,
        ResultType::RefreshHit,
        ResultType::Miss,
        ResultType::LimitExceeded,
        ResultType::CapacityExceeded,
        ResultType::Error,
        ResultType::Redirect,
    ];

    /// The value as logged.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultType::Hit => "Hit",
            ResultType::RefreshHit => "RefreshHit",
            ResultType::Miss => "Miss",
            ResultType::LimitExceeded => "LimitExceeded",
            ResultType::CapacityExceeded => "CapacityExceeded",
            ResultType::Error => "Error",
            ResultType::Redirect => "Redirect",
        }
    }

    /// Parses a logged value exactly (case-sensitive); anything else is `None`.
    pub fn parse(s: &str) -> Option<ResultType> {
        ResultType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for ResultType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `sc-status`: the HTTP status sent to the viewer, or `000` when the viewer closed the connection
/// before the response was sent. Always three digits in the log, so at most 999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Status(u16);

impl Status {
    /// `000`: the viewer hung up before a response was sent.
    pub const CLIENT_CLOSED: Status = Status(0);

    /// A status from its number; `None` above 999, which does not fit the log's three digits.
    pub fn new(code: u16) -> Option<Status> {
        (code <= 999).then_some(Status(code))
    }

    pub fn get(self) -> u16 {
        self.0
    }

    /// Exactly three ASCII digits.
    pub fn parse(s: &str) -> Option<Status> {
        let b = s.as_bytes();
        (b.len() == 3).then(|| digits(b)).flatten().map(Status)
    }
}

impl PartialEq<u16> for Status {
    fn eq(&self, other: &u16) -> bool {
        self.0 == *other
    }
}

impl From<Status> for u16 {
    fn from(s: Status) -> u16 {
        s.0
    }
}

impl TryFrom<u16> for Status {
    type Error = String;
    fn try_from(code: u16) -> Result<Status, String> {
        Status::new(code)
            .ok_or_else(|| format!("status {code} does not fit the log's three digits"))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Status {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Status(u.int_in_range(0..=999)?))
    }
}

/// `date`: the UTC day the response finished, `YYYY-MM-DD`. Always a real calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LogDate {
    year: u16,
    month: u8,
    day: u8,
}

impl LogDate {
    /// `None` unless `year` has at most four digits and `month`/`day` name a real day.
    pub fn new(year: u16, month: u8, day: u8) -> Option<LogDate> {
        let valid = year <= 9999
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day);
        valid.then_some(LogDate { year, month, day })
    }

    /// Exactly `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<LogDate> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (month, day) = (digits(&b[5..7])?, digits(&b[8..10])?);
        LogDate::new(
            digits(&b[..4])?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for LogDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl From<LogDate> for String {
    fn from(d: LogDate) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for LogDate {
    type Error = String;
    fn try_from(s: String) -> Result<LogDate, String> {
        LogDate::parse(&s).ok_or_else(|| format!("`{s}` is not a date; expected YYYY-MM-DD"))
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for LogDate {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let year = u.int_in_range(0..=9999)?;
        let month = u.int_in_range(1..=12)?;
        let day = u.int_in_range(1..=days_in_month(year, month))?;
        Ok(LogDate { year, month, day })
    }
}

/// `time`: the UTC second the response finished, `HH:MM:SS` on a 24-hour clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LogTime {
    hour: u8,
    minute: u8,
    second: u8,
}

impl LogTime {
    /// `None` unless `hour` < 24, `minute` < 60 and `second` < 60.
    pub fn new(hour: u8, minute: u8, second: u8) -> Option<LogTime> {
        (hour < 24 && minute < 60 && second < 60).then_some(LogTime {
            hour,
            minute,
            second,
        })
    }

    /// Exactly `HH:MM:SS`.
    pub fn parse(s: &str) -> Option<LogTime> {
        let b = s.as_bytes();
        if b.len() != 8 || b[2] != b':' || b[5] != b':' {
            return None;
        }
        let [h, m, s] =
            [&b[..2], &b[3..5], &b[6..]].map(|d| digits(d).and_then(|n| u8::try_from(n).ok()));
        LogTime::new(h?, m?, s?)
    }

    pub fn hour(self) -> u8 {
        self.hour
    }
    pub fn minute(self) -> u8 {
        self.minute
    }
    pub fn second(self) -> u8 {
        self.second
    }
}

impl fmt::Display for LogTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }
}

impl From<LogTime> for String {
    fn from(t: LogTime) -> String {
        t.to_string()
    }
}

impl TryFrom<String> for LogTime {
    type Error = String;
    fn try_from(s: String) -> Result<LogTime, String> {
        LogTime::parse(&s).ok_or_else(|| format!("`{s}` is not a time; expected HH:MM:SS"))
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for LogTime {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(LogTime {
            hour: u.int_in_range(0..=23)?,
            minute: u.int_in_range(0..=59)?,
            second: u.int_in_range(0..=59)?,
        })
    }
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
        let mut out = String::with_capacity(320);
        self.write_line(&mut out);
        out
    }

    /// [`LogRecord::to_line`] appended to `out`: no allocation beyond `out` growing and no
    /// `fmt` machinery, for a server that writes one line per response.
    pub fn write_line(&self, out: &mut String) {
        push_digits(out, self.date.year.into(), 4);
        out.push('-');
        push_digits(out, self.date.month.into(), 2);
        out.push('-');
        push_digits(out, self.date.day.into(), 2);
        out.push('\t');
        push_digits(out, self.time.hour.into(), 2);
        out.push(':');
        push_digits(out, self.time.minute.into(), 2);
        out.push(':');
        push_digits(out, self.time.second.into(), 2);
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
        push_digits(out, self.sc_status.0.into(), 3);
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
fn push_digits(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = i.min(digits.len().saturating_sub(width));
    // ASCII digits: always UTF-8.
    out.push_str(std::str::from_utf8(&digits[start..]).unwrap_or("0"));
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

/// LOG-FORMAT: whether a byte must be percent-encoded in a value: bytes 0–32 and 127–255, and
/// `<>"#%{}|\^~[]'` and the backtick.
fn needs_escape(b: u8) -> bool {
    ESCAPED[usize::from(b)]
}

/// [`needs_escape`] as a table: it runs for every byte of every field of every line a server
/// writes.
const ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b <= b' ' as usize || b >= 0x7f;
        b += 1;
    }
    let specials = b"<>\"#%{}|\\^~[]'`";
    let mut i = 0;
    while i < specials.len() {
        table[specials[i] as usize] = true;
        i += 1;
    }
    table
};

/// LOG-FORMAT: the exact text a value takes in a log field. Bytes 0–32 and 127–255 and the
/// characters `<>"#%{}|\^~[]'` and backtick become `%XX` (upper-case hex; a non-ASCII character's
/// UTF-8 bytes one by one); the empty value is `-`, and a value that is literally `-` becomes `%2D`
/// so the two stay apart. The result is never empty and has no tab, space or line break.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len().max(3));
    escape_into(&mut out, value);
    out
}

/// [`escape`] appended to `out`.
pub fn escape_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    match value {
        "" => out.push('-'),
        "-" => out.push_str("%2D"),
        _ => {
            let bytes = value.as_bytes();
            let mut plain = 0;
            for (i, &b) in bytes.iter().enumerate() {
                if needs_escape(b) {
                    // A run of plain bytes is ASCII (every other byte is escaped), so its ends
                    // are character boundaries; an empty run may start inside a character.
                    if plain < i {
                        out.push_str(&value[plain..i]);
                    }
                    out.push('%');
                    out.push(char::from(HEX[usize::from(b >> 4)]));
                    out.push(char::from(HEX[usize::from(b & 15)]));
                    plain = i + 1;
                }
            }
            if plain < bytes.len() {
                out.push_str(&value[plain..]);
            }
        }
    }
}

/// What is wrong with the text of a field, found by [`unescape`] or [`unescape_bytes`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscapeError {
    #[error("the field is empty; expected `-` for an empty value (LOG-FORMAT)")]
    Empty,
    /// A `%` not followed by two hex digits; `offset` counts characters from the field's start.
    #[error("`{}` is not a percent-escape; expected `%` and two hex digits (`%25` for a literal `%`)", show(.found))]
    BadEscape { offset: usize, found: String },
    /// A character the log must percent-encode appears as is.
    #[error("{} is not percent-encoded; expected `{}` (LOG-FORMAT)", describe_char(*.found), escape(&.found.to_string()))]
    NotEncoded { offset: usize, found: char },
    /// The escapes are well formed but the bytes they give are not UTF-8.
    #[error("the escapes decode to bytes that are not UTF-8; expected percent-encoded UTF-8 text")]
    NotUtf8,
}

impl EscapeError {
    /// Where the problem starts, in characters from the start of the field.
    pub fn offset(&self) -> Option<usize> {
        match self {
            EscapeError::BadEscape { offset, .. } | EscapeError::NotEncoded { offset, .. } => {
                Some(*offset)
            }
            EscapeError::Empty | EscapeError::NotUtf8 => None,
        }
    }
}

/// The inverse of [`escape`] down to bytes: `-` is the empty value, `%XX` (either hex case) is the
/// byte XX. Rejects an empty field, a malformed `%`, and any character that LOG-FORMAT says must be
/// escaped but is not.
pub fn unescape_bytes(field: &str) -> Result<Vec<u8>, EscapeError> {
    match field {
        "" => return Err(EscapeError::Empty),
        "-" => return Ok(Vec::new()),
        _ => {}
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let (mut i, mut offset) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).and_then(|&h| char::from(h).to_digit(16));
            let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
                let found = field[i..].chars().take(3).collect();
                return Err(EscapeError::BadEscape { offset, found });
            };
            // Both digits are below 16, so the byte fits.
            out.push((hi * 16 + lo) as u8);
            i += 3;
            offset += 3;
        } else if needs_escape(b) {
            let found = field[i..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            return Err(EscapeError::NotEncoded { offset, found });
        } else {
            out.push(b);
            i += 1;
            offset += 1;
        }
    }
    Ok(out)
}

/// The inverse of [`escape`]: `unescape(&escape(v)) == Ok(v)` for every `v`. Errors as
/// [`unescape_bytes`], plus [`EscapeError::NotUtf8`] when the bytes are not UTF-8.
pub fn unescape(field: &str) -> Result<String, EscapeError> {
    String::from_utf8(unescape_bytes(field)?).map_err(|_| EscapeError::NotUtf8)
}

/// A problem in a log, at a 1-based line and column (columns count characters, a tab as one).
/// Displays as ``line:column: field `name`: what is wrong; what was expected``, without the
/// ``field `name`: `` part when the problem is in no one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{line}:{column}: {}{message}", field_label(*.field))]
pub struct LogError {
    pub line: usize,
    pub column: usize,
    /// The field (a name from [`FIELDS`]) the problem is in, when it is in one.
    pub field: Option<&'static str>,
    pub message: String,
}

fn field_label(field: Option<&'static str>) -> String {
    field.map(|f| format!("field `{f}`: ")).unwrap_or_default()
}

/// A value quoted in a message: at most 40 characters, control characters spelled out.
fn show(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 40 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}` (U+{:04X})", u32::from(c))
    }
}

/// Reads a whole log (LOG-FORMAT): `#Version: 1.0` and `#Fields:` header lines (checked against
/// [`VERSION`] and [`FIELDS`]), blank lines (skipped) and records. Lines may end in `\n` or `\r\n`.
/// Returns every record, or every problem if there is any (one per line at most).
pub fn parse_log(text: &str) -> Result<Vec<LogRecord>, Vec<LogError>> {
    let (records, errors) = parse_log_partial(text);
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

/// [`parse_log`] that keeps the records it could read next to the problems it found, for a
/// runner that reports a damaged log and still reconciles what it can.
pub fn parse_log_partial(text: &str) -> (Vec<LogRecord>, Vec<LogError>) {
    let (mut records, mut errors) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        match parse_log_line(line, i + 1) {
            Ok(Some(record)) => records.push(record),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    (records, errors)
}

/// One line of a log, for readers that stream a long log rather than hold it: a record, `None`
/// for a blank line or a valid `#` directive, or the line's problem.
pub fn parse_log_line(line: &str, line_no: usize) -> Result<Option<LogRecord>, LogError> {
    if line.trim().is_empty() {
        Ok(None)
    } else if line.starts_with('#') {
        check_directive(line, line_no).map(|()| None)
    } else {
        parse_line(line, line_no).map(Some)
    }
}

/// Checks a `#` header line: `#Version:` must declare [`VERSION`], `#Fields:` must list
/// [`FIELDS`]; CloudFront writes no other directive.
fn check_directive(line: &str, line_no: usize) -> Result<(), LogError> {
    let error = |byte: usize, field, message| LogError {
        line: line_no,
        column: column(line, byte),
        field,
        message,
    };
    if let Some(rest) = line.strip_prefix("#Version:") {
        let version = rest.trim_start_matches(' ');
        if version == VERSION {
            return Ok(());
        }
        let what = if version.is_empty() {
            "no version".to_string()
        } else {
            format!("unsupported version `{}`", show(version))
        };
        return Err(error(
            line.len() - version.len(),
            None,
            format!("{what}; expected `{VERSION}` (LOG-FORMAT)"),
        ));
    }
    let Some(rest) = line.strip_prefix("#Fields:") else {
        let name: String = line
            .chars()
            .take_while(|&c| c != ':' && !c.is_whitespace())
            .collect();
        let message = format!(
            "unknown directive `{}`; expected `#Version:` or `#Fields:` (LOG-FORMAT)",
            show(&name)
        );
        return Err(error(0, None, message));
    };
    let names = rest.trim_start_matches(' ');
    let mut byte = line.len() - names.len();
    let mut count = 0;
    for name in names.split(' ') {
        let Some(&expected) = FIELDS.get(count) else {
            let message = "the field list goes on after `sc-range-end`; expected it to end there (LOG-FORMAT)";
            return Err(error(byte, None, message.to_string()));
        };
        if name != expected {
            let found = if name.is_empty() {
                "an empty name".to_string()
            } else {
                format!("`{}`", show(name))
            };
            let message = format!(
                "the field list has {found} here; expected `{expected}` (field {} of 33, LOG-FORMAT)",
                count + 1
            );
            return Err(error(byte, Some(expected), message));
        }
        byte += name.len() + 1;
        count += 1;
    }
    if count < FIELDS.len() {
        let message = format!(
            "the field list ends after {count} names; expected `{}` next, 33 in all (LOG-FORMAT)",
            FIELDS[count]
        );
        return Err(error(line.len(), Some(FIELDS[count]), message));
    }
    Ok(())
}

/// The 1-based column (in characters) of a byte offset in a line.
fn column(line: &str, byte: usize) -> usize {
    line.get(..byte).map_or(0, |s| s.chars().count()) + 1
}

/// Reads one record line (LOG-FORMAT), given without its line ending; `line_no` only positions
/// errors. Fails at the first field that is wrong.
pub fn parse_line(line: &str, line_no: usize) -> Result<LogRecord, LogError> {
    let mut fields = Vec::with_capacity(FIELDS.len());
    let (mut start, mut start_col, mut col) = (0, 1, 1);
    for (i, c) in line.char_indices() {
        col += 1;
        if c == '\t' {
            fields.push((start_col, &line[start..i]));
            (start, start_col) = (i + 1, col);
        }
    }
    fields.push((start_col, &line[start..]));
    if fields.len() != FIELDS.len() {
        let n = fields.len();
        let (column, what) = match FIELDS.get(n) {
            Some(next) => (col, format!("the line ends before `{next}`")),
            None => (
                fields[FIELDS.len()].0,
                "text goes on after `sc-range-end`".to_string(),
            ),
        };
        let message = format!("found {n} tab-separated fields, {what}; expected 33 (LOG-FORMAT)");
        return Err(LogError {
            line: line_no,
            column,
            field: None,
            message,
        });
    }
    let mut r = FieldReader {
        line: line_no,
        fields,
        next: 0,
    };
    const BYTES: &str = "a byte count; expected decimal digits";
    const OPT_COUNT: &str = "a count; expected decimal digits or `-`";
    const SECONDS: &str =
        "a number of seconds; expected digits with up to three decimals, like `0.102`";
    Ok(LogRecord {
        date: r.value("a date; expected YYYY-MM-DD (UTC)", LogDate::parse)?,
        time: r.value("a time; expected HH:MM:SS (UTC, 24-hour)", LogTime::parse)?,
        x_edge_location: r.text()?,
        sc_bytes: r.value(BYTES, parse_u64)?,
        c_ip: r.text()?,
        cs_method: r.text()?,
        cs_host: r.text()?,
        cs_uri_stem: r.text()?,
        sc_status: r.value(
            "a status code; expected three digits, `000` if the viewer hung up first",
            Status::parse,
        )?,
        cs_referer: r.text()?,
        cs_user_agent: r.text()?,
        cs_uri_query: r.text()?,
        cs_cookie: r.text()?,
        x_edge_result_type: r.result_type()?,
        x_edge_request_id: r.text()?,
        x_host_header: r.text()?,
        cs_protocol: r.text()?,
        cs_bytes: r.value(BYTES, parse_u64)?,
        time_taken_ms: r.value(SECONDS, parse_millis)?,
        x_forwarded_for: r.text()?,
        ssl_protocol: r.text()?,
        ssl_cipher: r.text()?,
        x_edge_response_result_type: r.result_type()?,
        cs_protocol_version: r.text()?,
        fle_status: r.text()?,
        fle_encrypted_fields: r.value(OPT_COUNT, optional(parse_u64))?,
        c_port: r.value(
            "a port; expected a number from 0 to 65535 or `-`",
            optional(|s| parse_u64(s).and_then(|n| u16::try_from(n).ok())),
        )?,
        time_to_first_byte_ms: r.value(SECONDS, optional(parse_millis))?,
        x_edge_detailed_result_type: r.text()?,
        sc_content_type: r.text()?,
        sc_content_len: r.value(OPT_COUNT, optional(parse_u64))?,
        sc_range_start: r.value(OPT_COUNT, optional(parse_u64))?,
        sc_range_end: r.value(OPT_COUNT, optional(parse_u64))?,
    })
}

/// Hands out the fields of a line in [`FIELDS`] order, each with its name and column.
struct FieldReader<'a> {
    line: usize,
    fields: Vec<(usize, &'a str)>,
    next: usize,
}

impl<'a> FieldReader<'a> {
    fn take(&mut self) -> (usize, &'static str, &'a str) {
        // `parse_line` checked there are exactly 33 fields and reads each once.
        let (column, text) = self.fields[self.next];
        let name = FIELDS[self.next];
        self.next += 1;
        (column, name, text)
    }

    /// A text field, unescaped; kept as logged when its bytes are not UTF-8 (see the module doc).
    fn text(&mut self) -> Result<String, LogError> {
        let (column, name, text) = self.take();
        match unescape(text) {
            Ok(value) => Ok(value),
            Err(EscapeError::NotUtf8) => Ok(text.to_string()),
            Err(e) => Err(LogError {
                line: self.line,
                column: column + e.offset().unwrap_or(0),
                field: Some(name),
                message: e.to_string(),
            }),
        }
    }

    /// A typed field; `what` is "a thing; expected …" for the error message.
    fn value<T>(
        &mut self,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, LogError> {
        let (column, name, text) = self.take();
        parse(text).ok_or_else(|| {
            let message = match text {
                "" => format!("the field is empty, not {what}"),
                _ => format!("`{}` is not {what}", show(text)),
            };
            LogError {
                line: self.line,
                column,
                field: Some(name),
                message,
            }
        })
    }

    fn result_type(&mut self) -> Result<ResultType, LogError> {
        self.value(
            "a result type; expected one of Hit, RefreshHit, Miss, LimitExceeded, CapacityExceeded, Error, Redirect (LOG-RESULT-TYPE)",
            ResultType::parse,
        )
    }
}

/// `-` is `None`; anything else must parse.
fn optional<T>(parse: impl FnOnce(&str) -> Option<T>) -> impl FnOnce(&str) -> Option<Option<T>> {
    move |s| {
        if s == "-" {
            Some(None)
        } else {
            parse(s).map(Some)
        }
    }
}

/// Decimal digits only (no sign, no spaces), within `u64`.
fn parse_u64(s: &str) -> Option<u64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Seconds as the log writes them, `S`, `S.f`, `S.ff` or `S.fff`, to whole milliseconds.
fn parse_millis(s: &str) -> Option<u64> {
    let (whole, millis) = match s.split_once('.') {
        None => (s, 0),
        Some((whole, frac)) if (1..=3).contains(&frac.len()) => {
            (whole, parse_u64(frac)? * 10u64.pow(3 - frac.len() as u32))
        }
        Some(_) => return None,
    };
    parse_u64(whole)?.checked_mul(1000)?.checked_add(millis)
}

/// A run of at most four ASCII digits as a number.
fn digits(b: &[u8]) -> Option<u16> {
    (b.len() <= 4 && b.iter().all(u8::is_ascii_digit))
        .then(|| b.iter().fold(0, |n, d| n * 10 + u16::from(d - b'0')))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// BIL-LOG-RECONCILE: what a log says was served, to set against the wire ledger of the same run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LogTotals {
    /// Records, one per request the edge logged.
    pub requests: u64,
    /// Sum of `sc-bytes`: bytes sent to viewers, headers included.
    pub sc_bytes: u64,
    /// Sum of `cs-bytes`: bytes received from viewers.
    pub cs_bytes: u64,
    /// Records with `sc-status` `000` (the viewer hung up first, so no response was sent); they
    /// are included in `requests` and the scheme totals, and the runner decides what to do with them.
    pub client_closed: u64,
    /// `cs-protocol` `http`, and `ws` (a WebSocket upgrade is billed in its scheme's line item).
    pub http: SchemeTotals,
    /// `cs-protocol` `https` and `wss`.
    pub https: SchemeTotals,
    /// Any other `cs-protocol`: a log that has some is not conformant.
    pub other: SchemeTotals,
}

/// Requests and bytes sent for one viewer scheme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SchemeTotals {
    pub requests: u64,
    pub sc_bytes: u64,
}

/// BIL-LOG-RECONCILE: adds up `records` (sums saturate instead of overflowing).
pub fn totals(records: &[LogRecord]) -> LogTotals {
    let mut t = LogTotals::default();
    for r in records {
        t.add(r);
    }
    t
}

impl LogTotals {
    /// Counts one record.
    pub fn add(&mut self, r: &LogRecord) {
        self.requests = self.requests.saturating_add(1);
        self.sc_bytes = self.sc_bytes.saturating_add(r.sc_bytes);
        self.cs_bytes = self.cs_bytes.saturating_add(r.cs_bytes);
        if r.sc_status == Status::CLIENT_CLOSED {
            self.client_closed = self.client_closed.saturating_add(1);
        }
        let scheme = match r.cs_protocol.as_str() {
            "http" | "ws" => &mut self.http,
            "https" | "wss" => &mut self.https,
            _ => &mut self.other,
        };
        scheme.requests = scheme.requests.saturating_add(1);
        scheme.sc_bytes = scheme.sc_bytes.saturating_add(r.sc_bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// LOG-6 of the notes: AWS's example file, tabs as `\t`.
    const AWS_HEADER: &str = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n";
    const AWS_LINES: [&str; 3] = [
        "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-",
        "2019-12-13\t22:36:27\tSEA19-C1\t900\t192.0.2.200\tGET\td111111abcdef8.cloudfront.net\t/favicon.ico\t502\thttp://www.example.com/\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t-\t-\tError\t1pkpNfBQ39sYMnjjUQjmH2w1wdJnbHYTbag21o_3OfcQgPzdL2RSSQ==\twww.example.com\thttp\t675\t0.102\t-\t-\t-\tError\tHTTP/1.1\t-\t-\t25260\t0.102\tOriginDnsError\ttext/html\t507\t-\t-",
        "2019-12-13\t22:37:02\tSEA19-C2\t900\t192.0.2.200\tGET\td111111abcdef8.cloudfront.net\t/\t502\t-\tcurl/7.55.1\t-\t-\tError\tkBkDzGnceVtWHqSCqBUqtA_cEs2T3tFUBbnBNkB9El_uVRhHgcZfcw==\twww.example.com\thttp\t387\t0.103\t-\t-\t-\tError\tHTTP/1.1\t-\t-\t12644\t0.103\tOriginDnsError\ttext/html\t507\t-\t-",
    ];
    const CHROME_78: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36";

    fn aws_log() -> String {
        format!("{AWS_HEADER}{}\n", AWS_LINES.join("\n"))
    }

    fn aws_record(i: usize) -> LogRecord {
        parse_line(AWS_LINES[i], 1).expect("AWS example line parses")
    }

    /// Line `line_no` of `log` with field `index` (0-based) replaced by `text`.
    fn with_field(line: &str, index: usize, text: &str) -> String {
        let mut fields: Vec<&str> = line.split('\t').collect();
        fields[index] = text;
        fields.join("\t")
    }

    fn one_error(text: &str) -> LogError {
        let errors = parse_log(text).expect_err("the log is rejected");
        assert_eq!(errors.len(), 1, "{errors:#?}");
        errors[0].clone()
    }

    #[test]
    fn aws_example_file_parses() {
        let records = parse_log(&aws_log()).expect("AWS example parses");
        assert_eq!(records.len(), 3);

        let hit = &records[0];
        assert_eq!(hit.date, LogDate::new(2019, 12, 4).unwrap());
        assert_eq!(hit.time, LogTime::new(21, 2, 31).unwrap());
        assert_eq!(hit.x_edge_location, "LAX1");
        assert_eq!(hit.sc_bytes, 392);
        assert_eq!(hit.c_ip, "192.0.2.100");
        assert_eq!(hit.cs_method, "GET");
        assert_eq!(hit.cs_uri_stem, "/index.html");
        assert_eq!(hit.sc_status, 200);
        assert_eq!(hit.cs_referer, "");
        assert_eq!(hit.cs_user_agent, CHROME_78);
        assert_eq!(hit.cs_uri_query, "");
        assert_eq!(hit.x_edge_result_type, ResultType::Hit);
        assert_eq!(hit.x_host_header, "d111111abcdef8.cloudfront.net");
        assert_eq!(hit.cs_protocol, "https");
        assert_eq!(hit.cs_bytes, 23);
        assert_eq!(hit.time_taken_ms, 1);
        assert_eq!(hit.ssl_protocol, "TLSv1.2");
        assert_eq!(hit.ssl_cipher, "ECDHE-RSA-AES128-GCM-SHA256");
        assert_eq!(hit.cs_protocol_version, "HTTP/2.0");
        assert_eq!(hit.fle_encrypted_fields, None);
        assert_eq!(hit.c_port, Some(11040));
        assert_eq!(hit.time_to_first_byte_ms, Some(1));
        assert_eq!(hit.x_edge_detailed_result_type, "Hit");
        assert_eq!(hit.sc_content_len, Some(78));
        assert_eq!((hit.sc_range_start, hit.sc_range_end), (None, None));

        let dns = &records[1];
        assert_eq!(dns.sc_status, 502);
        assert_eq!(dns.cs_referer, "http://www.example.com/");
        assert_eq!(dns.cs_host, "d111111abcdef8.cloudfront.net");
        assert_eq!(dns.x_host_header, "www.example.com");
        assert_eq!(dns.x_edge_result_type, ResultType::Error);
        assert_eq!(dns.x_edge_response_result_type, ResultType::Error);
        assert_eq!(dns.x_edge_detailed_result_type, "OriginDnsError");
        assert_eq!(dns.cs_protocol, "http");
        assert_eq!(
            (dns.ssl_protocol.as_str(), dns.ssl_cipher.as_str()),
            ("", "")
        );
        assert_eq!(dns.time_taken_ms, 102);
        assert_eq!(dns.c_port, Some(25260));

        let curl = &records[2];
        assert_eq!(curl.cs_uri_stem, "/");
        assert_eq!(curl.cs_user_agent, "curl/7.55.1");
        assert_eq!(curl.cs_bytes, 387);
        assert_eq!(curl.time_to_first_byte_ms, Some(103));
    }

    #[test]
    fn writer_reproduces_the_aws_example_byte_for_byte() {
        let records = parse_log(&aws_log()).unwrap();
        assert_eq!(write_log(&records), aws_log());
        assert_eq!(header(), AWS_HEADER);
    }

    #[test]
    fn the_escape_table_is_the_log_formats_list() {
        for b in 0..=255u8 {
            let listed = b <= b' ' || b >= 0x7f || b"<>\"#%{}|\\^~[]'`".contains(&b);
            assert_eq!(needs_escape(b), listed, "byte {b:#04x}");
        }
    }

    #[test]
    fn escape_follows_log_format() {
        assert_eq!(escape(""), "-");
        assert_eq!(escape("-"), "%2D");
        assert_eq!(escape("a-b"), "a-b");
        assert_eq!(escape("--"), "--");
        assert_eq!(escape("a b\tc\n"), "a%20b%09c%0A");
        assert_eq!(escape("100%"), "100%25");
        assert_eq!(escape("é€"), "%C3%A9%E2%82%AC");
        assert_eq!(
            escape("<>\"#%{}|\\^~[]'`"),
            "%3C%3E%22%23%25%7B%7D%7C%5C%5E%7E%5B%5D%27%60"
        );
        assert_eq!(escape("\u{7f}"), "%7F");
        assert_eq!(escape("(a,b;c)=&?/:@!$*+"), "(a,b;c)=&?/:@!$*+");
        assert_eq!(unescape("-"), Ok(String::new()));
        assert_eq!(unescape("%2d"), Ok("-".to_string()));
        assert_eq!(unescape("a%20b%c3%a9"), Ok("a bé".to_string()));
        assert_eq!(unescape(""), Err(EscapeError::Empty));
        assert_eq!(
            unescape("ab%4"),
            Err(EscapeError::BadEscape {
                offset: 2,
                found: "%4".into()
            })
        );
        assert_eq!(
            unescape("a b"),
            Err(EscapeError::NotEncoded {
                offset: 1,
                found: ' '
            })
        );
        assert_eq!(
            unescape("aé"),
            Err(EscapeError::NotEncoded {
                offset: 1,
                found: 'é'
            })
        );
        assert_eq!(unescape("%FF"), Err(EscapeError::NotUtf8));
        assert_eq!(unescape_bytes("%FFa"), Ok(vec![0xff, b'a']));
    }

    #[test]
    fn awkward_values_round_trip() {
        let mut r = aws_record(0);
        r.cs_uri_stem = "/a b/%41/ü/\u{0}".to_string();
        r.cs_uri_query = "x=1&y=%20&z=-".to_string();
        r.cs_user_agent = "tab\there\r\nand \"quotes\" ~[]{}|^`'#<>\\".to_string();
        r.cs_referer = "-".to_string();
        r.cs_cookie = "--".to_string();
        r.x_forwarded_for = " ".to_string();
        r.x_host_header = "日本.example".to_string();
        r.ssl_protocol = String::new();
        r.x_edge_detailed_result_type = "%2D".to_string();
        r.sc_status = Status::CLIENT_CLOSED;
        r.date = LogDate::new(2024, 2, 29).unwrap();
        r.time = LogTime::new(0, 0, 0).unwrap();
        r.time_taken_ms = 12_345;
        r.time_to_first_byte_ms = None;
        r.c_port = Some(0);
        r.fle_encrypted_fields = Some(u64::MAX);
        r.sc_range_start = Some(0);
        r.sc_range_end = Some(u64::MAX);
        let line = r.to_line();
        assert!(!line.contains(['\n', '\r', ' ']), "{line}");
        assert_eq!(line.matches('\t').count(), 32, "{line}");
        assert!(line.contains("\t000\t"), "{line}");
        assert!(line.contains("\t000\t%2D\t"), "referer `-`: {line}");
        assert!(line.contains("\t--\tHit\t"), "cookie `--`: {line}");
        assert!(line.contains("\t12.345\t"), "{line}");
        assert_eq!(parse_line(&line, 7), Ok(r));
    }

    #[test]
    fn non_utf8_escapes_are_kept_as_logged() {
        let line = with_field(AWS_LINES[2], 10, "curl%FF%20x");
        let r = parse_line(&line, 1).unwrap();
        assert_eq!(r.cs_user_agent, "curl%FF%20x");
        assert_eq!(unescape_bytes(&r.cs_user_agent), Ok(b"curl\xff x".to_vec()));
    }

    #[test]
    fn numbers_and_times_are_strict() {
        assert_eq!(parse_millis("0.102"), Some(102));
        assert_eq!(parse_millis("2"), Some(2000));
        assert_eq!(parse_millis("1.5"), Some(1500));
        for bad in [
            "",
            ".5",
            "1.",
            "1.2345",
            "-1",
            "+1",
            "1e3",
            "0x1",
            " 1",
            "18446744073709551.616",
        ] {
            assert_eq!(parse_millis(bad), None, "{bad:?}");
        }
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551616"), None);
        assert_eq!(Status::parse("000"), Some(Status::CLIENT_CLOSED));
        for bad in ["", "20", "2000", "20x", "+20", "-01"] {
            assert_eq!(Status::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Status::new(1000), None);
        assert_eq!(
            LogDate::parse("2019-12-04")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2019-12-04")
        );
        for bad in [
            "2019-13-04",
            "2019-02-29",
            "2019-12-00",
            "2019-12-4",
            "2019/12/04",
            "20191204xx",
        ] {
            assert_eq!(LogDate::parse(bad), None, "{bad:?}");
        }
        assert!(LogDate::parse("2000-02-29").is_some());
        assert_eq!(
            LogTime::parse("23:59:59").map(|t| t.to_string()).as_deref(),
            Some("23:59:59")
        );
        for bad in [
            "24:00:00",
            "12:60:00",
            "12:00:60",
            "1:00:00",
            "12-00-00",
            "12:00:0٠",
        ] {
            assert_eq!(LogTime::parse(bad), None, "{bad:?}");
        }
        for t in ResultType::ALL {
            assert_eq!(ResultType::parse(t.as_str()), Some(t));
        }
        assert_eq!(ResultType::parse("hit"), None);
    }

    #[test]
    fn wrong_field_count_is_positioned() {
        let short = AWS_LINES[2].rsplit_once('\t').unwrap().0;
        let e = one_error(&format!("{AWS_HEADER}{short}\n"));
        // AWS line 3 has 266 characters; without "\t-" it ends at 264, so the missing field
        // would start at 265.
        assert_eq!((e.line, e.column, e.field), (3, 265, None));
        assert!(
            e.message.starts_with("found 32 tab-separated fields"),
            "{e}"
        );

        let long = format!("{}\tx", AWS_LINES[2]);
        let e = one_error(&format!("{}\n\n{long}\n", AWS_LINES[0]));
        // The 34th field starts right after the 266 characters and the tab.
        assert_eq!((e.line, e.column, e.field), (3, 268, None));
        assert!(
            e.message.starts_with("found 34 tab-separated fields"),
            "{e}"
        );
    }

    #[test]
    fn bad_status_is_positioned() {
        // sc-status of AWS line 3 starts at column 82: 10+1 + 8+1 + 8+1 + 3+1 + 11+1 + 3+1 + 29+1 + 1+1 = 81.
        let e = one_error(&format!(
            "{AWS_HEADER}{}\n{}\n",
            AWS_LINES[0],
            with_field(AWS_LINES[2], 8, "5x2")
        ));
        assert_eq!((e.line, e.column, e.field), (4, 82, Some("sc-status")));
    }

    #[test]
    fn bad_fields_header_is_positioned() {
        let header = AWS_HEADER.replace(" cs-uri-stem ", " cs-uri ");
        let e = one_error(&format!("{header}{}\n", AWS_LINES[0]));
        // "#Fields: " (9) + "date time x-edge-location sc-bytes c-ip cs-method cs(Host) " (59) = 68.
        assert_eq!((e.line, e.column, e.field), (2, 69, Some("cs-uri-stem")));
    }

    #[test]
    fn bad_escape_is_positioned_at_the_percent() {
        // cs(User-Agent) of AWS line 3 starts at column 82 + 4 + 2 = 88; `%G` is its 6th character.
        let e = one_error(&format!("{}\n", with_field(AWS_LINES[2], 10, "curl/%G7")));
        assert_eq!((e.line, e.column, e.field), (1, 93, Some("cs(User-Agent)")));
    }

    #[test]
    fn error_messages() {
        let line = AWS_LINES[2];
        let log = [
            "#Version: 2.0".to_string(),
            AWS_HEADER
                .lines()
                .nth(1)
                .unwrap()
                .replace(" sc-range-end", ""),
            "#Software: Amazon CloudFront".to_string(),
            AWS_HEADER
                .lines()
                .nth(1)
                .unwrap()
                .replace("cs(Host)", "cs(host)"),
            String::new(),
            line.rsplit_once('\t').unwrap().0.to_string(),
            format!("{line}\t-"),
            with_field(line, 0, "2019-02-30"),
            with_field(line, 1, "22:37"),
            with_field(line, 3, "-"),
            with_field(line, 3, "1e3"),
            with_field(line, 7, "/a b"),
            with_field(line, 7, "/caf\u{e9}"),
            with_field(line, 7, ""),
            with_field(line, 8, "5x2"),
            with_field(line, 10, "100%"),
            with_field(line, 13, "Redirected"),
            with_field(line, 18, "0.1034"),
            with_field(line, 26, "65536"),
            with_field(line, 9, "\u{1}\u{7f}"),
            with_field(line, 30, &"9".repeat(60)),
        ]
        .join("\n");
        let errors = parse_log(&log).expect_err("every line but the blank one is wrong");
        assert_eq!(errors.len(), 20);
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        insta::assert_snapshot!(shown.join("\n"));
    }

    #[test]
    fn totals_split_by_scheme() {
        let mut records = parse_log(&aws_log()).unwrap();
        let mut ws = aws_record(2);
        ws.cs_protocol = "ws".into();
        ws.sc_status = Status::CLIENT_CLOSED;
        records.push(ws);
        let mut odd = aws_record(0);
        odd.cs_protocol = "gopher".into();
        records.push(odd);
        let t = totals(&records);
        assert_eq!(t.requests, 5);
        assert_eq!(t.sc_bytes, 392 + 900 + 900 + 900 + 392);
        assert_eq!(t.cs_bytes, 23 + 675 + 387 + 387 + 23);
        assert_eq!(t.client_closed, 1);
        assert_eq!(
            t.https,
            SchemeTotals {
                requests: 1,
                sc_bytes: 392
            }
        );
        assert_eq!(
            t.http,
            SchemeTotals {
                requests: 3,
                sc_bytes: 2700
            }
        );
        assert_eq!(
            t.other,
            SchemeTotals {
                requests: 1,
                sc_bytes: 392
            }
        );
        assert_eq!(totals(&[]), LogTotals::default());
    }

    #[test]
    fn serde_uses_log_spellings() {
        let json = serde_json::to_value(aws_record(0)).unwrap();
        assert_eq!(json["date"], "2019-12-04");
        assert_eq!(json["time"], "21:02:31");
        assert_eq!(json["sc_status"], 200);
        assert_eq!(json["x_edge_result_type"], "Hit");
        let back: LogRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, aws_record(0));
        assert!(serde_json::from_str::<Status>("1000").is_err());
        assert!(serde_json::from_str::<LogDate>("\"2019-02-30\"").is_err());
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("-".to_string()),
            "[ -~]{0,12}",
            "(%[0-9A-Fa-f]{2}|-){1,3}",
            proptest::collection::vec(any::<char>(), 0..12).prop_map(|cs| cs.into_iter().collect()),
        ]
    }

    fn record() -> impl Strategy<Value = LogRecord> {
        let date = (0u16..=9999, 1u8..=12, 1u8..=31)
            .prop_filter_map("a real day", |(y, m, d)| LogDate::new(y, m, d));
        let time = (0u8..24, 0u8..60, 0u8..60).prop_map(|(h, m, s)| LogTime::new(h, m, s).unwrap());
        let result = || proptest::sample::select(ResultType::ALL.to_vec());
        (
            proptest::collection::vec(text(), 19),
            date,
            time,
            (0u16..=999).prop_map(|s| Status::new(s).unwrap()),
            proptest::array::uniform3(any::<u64>()),
            proptest::array::uniform5(any::<Option<u64>>()),
            any::<Option<u16>>(),
            result(),
            result(),
        )
            .prop_map(
                |(
                    t,
                    date,
                    time,
                    sc_status,
                    [sc_bytes, cs_bytes, time_taken_ms],
                    o,
                    c_port,
                    r1,
                    r2,
                )| {
                    LogRecord {
                        date,
                        time,
                        x_edge_location: t[0].clone(),
                        sc_bytes,
                        c_ip: t[1].clone(),
                        cs_method: t[2].clone(),
                        cs_host: t[3].clone(),
                        cs_uri_stem: t[4].clone(),
                        sc_status,
                        cs_referer: t[5].clone(),
                        cs_user_agent: t[6].clone(),
                        cs_uri_query: t[7].clone(),
                        cs_cookie: t[8].clone(),
                        x_edge_result_type: r1,
                        x_edge_request_id: t[9].clone(),
                        x_host_header: t[10].clone(),
                        cs_protocol: t[11].clone(),
                        cs_bytes,
                        time_taken_ms,
                        x_forwarded_for: t[12].clone(),
                        ssl_protocol: t[13].clone(),
                        ssl_cipher: t[14].clone(),
                        x_edge_response_result_type: r2,
                        cs_protocol_version: t[15].clone(),
                        fle_status: t[16].clone(),
                        fle_encrypted_fields: o[0],
                        c_port,
                        time_to_first_byte_ms: o[1],
                        x_edge_detailed_result_type: t[17].clone(),
                        sc_content_type: t[18].clone(),
                        sc_content_len: o[2],
                        sc_range_start: o[3],
                        sc_range_end: o[4],
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn write_then_parse_is_identity(records in proptest::collection::vec(record(), 0..4)) {
            let log = write_log(&records);
            prop_assert_eq!(parse_log(&log), Ok(records.clone()));
            for r in &records {
                prop_assert_eq!(parse_line(&r.to_line(), 1), Ok(r.clone()));
            }
        }

        #[test]
        fn escape_then_unescape_is_identity(value in text()) {
            prop_assert_eq!(unescape(&escape(&value)), Ok(value));
        }

        #[test]
        fn any_input_is_read_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let text = String::from_utf8_lossy(&bytes);
            let (_, errors) = parse_log_partial(&text);
            for e in errors {
                prop_assert!(e.line >= 1 && e.column >= 1);
                prop_assert!(!e.to_string().is_empty());
            }
        }

        #[test]
        fn damaged_lines_are_read_without_panicking(
            i in 0usize..3,
            at in 0usize..400,
            junk in "[\t %#\u{e9}\u{fffd}0-9a-zA-Z-]{0,4}",
        ) {
            let line = AWS_LINES[i];
            let at = line.char_indices().map(|(b, _)| b).chain([line.len()]).nth(at).unwrap_or(line.len());
            let damaged = format!("{}{junk}{}", &line[..at], &line[at..]);
            if let Err(e) = parse_line(&damaged, 9) {
                prop_assert_eq!(e.line, 9);
                prop_assert!(e.column <= damaged.chars().count() + 1);
            }
        }
    }

    #[cfg(feature = "arbitrary")]
    proptest! {
        #[test]
        fn arbitrary_records_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let mut u = arbitrary::Unstructured::new(&bytes);
            if let Ok(r) = <LogRecord as arbitrary::Arbitrary>::arbitrary(&mut u) {
                prop_assert_eq!(parse_line(&r.to_line(), 1), Ok(r));
            }
        }
    }
}
