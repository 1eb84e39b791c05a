//! The access logs a CloudFront distribution actually delivers, read line by line into one shape.
//! Four forms are read:
//!
//! - the **legacy** standard log: `#Version: 1.0`, a `#Fields:` line naming the 33 fields in AWS's
//!   order, tab-separated records; read strictly by [`crate::accesslog`] (LOG-FORMAT);
//! - standard logging **v2, W3C**: a `#Fields:` line naming any selection of fields in any order,
//!   records separated by the delivery's field delimiter when it is given
//!   ([`LineReader::with_delimiter`]), else by tabs (or single spaces on a line without a tab);
//! - standard logging **v2, JSON**: one object per line, keys as the AWS field names, values
//!   strings or numbers, `-` or `null` for empty;
//! - standard logging **v2, plain**: records as in W3C but without a header; their fields are the
//!   ones given to [`LineReader::with_plain_fields`] (the legacy 33, in order, unless told).
//!
//! ```text
//! {"timestamp":"1731620046.814","cs-method":"GET","cs-uri-stem":"/images/a.jpg","sc-status":"301","x-edge-result-type":"Redirect","cs-protocol":"http"}
//! #Fields: timestamp cs-protocol sc-status x-edge-request-id
//! 1731620046.814→http→301→SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==
//! ```
//!
//! Each record becomes an [`Entry`]: the few fields the LOG-* and BIL-* rules and the matching of
//! lines to requests use, each `None` when the log's field selection leaves it out (or logs `-`).
//! A rule that needs a field the log does not carry is then *not observed*, never failed. Other
//! fields are skipped. Parquet is not read. Text in, entries out: files, gzip and folders are the
//! caller's job.
//!
//! Here: the entry and the reader, which follows the header lines to the form of the records;
//! `record` reads one record line of a column or JSON form, `value` turns a field's text into
//! the entry's value.

mod record;
#[cfg(test)]
mod tests;
mod value;

use crate::accesslog::{parse_line, LogError, LogRecord, FIELDS};
use record::{column_line, json_line};
use value::days_from_civil;

/// What one log line says about one request, in any of the forms; `None` for a field the log
/// does not carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// `x-edge-request-id`: CloudFront's id of the request (the `x-amz-cf-id` response header; the
    /// reference edge logs the runner's correlation id there).
    pub request_id: Option<String>,
    pub method: Option<String>,
    /// `cs-protocol`: `http`, `https`, `ws` or `wss`.
    pub protocol: Option<String>,
    /// `cs-uri-stem`, unescaped where it unescapes.
    pub uri_stem: Option<String>,
    /// `cs-uri-query`, without `?`.
    pub uri_query: Option<String>,
    pub status: Option<u16>,
    pub result_type: Option<String>,
    pub detailed_result_type: Option<String>,
    /// Bytes sent to the viewer, headers included.
    pub sc_bytes: Option<u64>,
    pub cs_bytes: Option<u64>,
    /// When the response finished, in milliseconds since the Unix epoch (UTC): from `timestamp`,
    /// `timestamp(ms)`, or `date` with `time`.
    pub time_ms: Option<u64>,
}

impl From<&LogRecord> for Entry {
    fn from(r: &LogRecord) -> Entry {
        let days = days_from_civil(r.date.year(), r.date.month(), r.date.day());
        let secs = u64::from(r.time.hour()) * 3600
            + u64::from(r.time.minute()) * 60
            + u64::from(r.time.second());
        let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Entry {
            request_id: text(&r.x_edge_request_id),
            method: text(&r.cs_method),
            protocol: text(&r.cs_protocol),
            uri_stem: text(&r.cs_uri_stem),
            uri_query: text(&r.cs_uri_query),
            status: Some(r.sc_status.get()),
            result_type: Some(r.x_edge_result_type.as_str().to_string()),
            detailed_result_type: text(&r.x_edge_detailed_result_type),
            sc_bytes: Some(r.sc_bytes),
            cs_bytes: Some(r.cs_bytes),
            time_ms: days.map(|d| (d * 86_400 + secs) * 1000),
        }
    }
}

/// The fields an [`Entry`] is made of, by their AWS names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Date,
    Time,
    Timestamp,
    TimestampMs,
    RequestId,
    Method,
    Protocol,
    UriStem,
    UriQuery,
    Status,
    ResultType,
    DetailedResultType,
    ScBytes,
    CsBytes,
}

fn field(name: &str) -> Option<Field> {
    Some(match name {
        "date" => Field::Date,
        "time" => Field::Time,
        "timestamp" => Field::Timestamp,
        "timestamp(ms)" => Field::TimestampMs,
        "x-edge-request-id" => Field::RequestId,
        "cs-method" => Field::Method,
        "cs-protocol" => Field::Protocol,
        "cs-uri-stem" => Field::UriStem,
        "cs-uri-query" => Field::UriQuery,
        "sc-status" => Field::Status,
        "x-edge-result-type" => Field::ResultType,
        "x-edge-detailed-result-type" => Field::DetailedResultType,
        "sc-bytes" => Field::ScBytes,
        "cs-bytes" => Field::CsBytes,
        _ => return None,
    })
}

/// Which form the lines read so far are in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Layout {
    /// Nothing read yet.
    Unknown,
    /// The legacy 33 fields named by a `#Fields:` line: read strictly (LOG-FORMAT).
    Legacy,
    /// Columns by name (v2 W3C after its `#Fields:` line, or v2 plain): the field each column
    /// holds, `None` for one no rule reads.
    Columns(Vec<(String, Option<Field>)>),
    /// v2 JSON: one object per line.
    Json,
}

/// Reads a log line by line, keeping what the header said. One reader per file.
#[derive(Debug, Clone)]
pub struct LineReader {
    layout: Layout,
    plain: Vec<(String, Option<Field>)>,
    /// The delivery's field delimiter for W3C and plain records; a tab, or a space on a line
    /// without a tab, when not given.
    delimiter: Option<String>,
}

impl Default for LineReader {
    fn default() -> Self {
        LineReader::new()
    }
}

impl LineReader {
    /// A reader whose header-less (plain) records carry the legacy 33 fields in AWS's order.
    pub fn new() -> LineReader {
        LineReader {
            layout: Layout::Unknown,
            plain: columns(FIELDS.iter().copied()),
            delimiter: None,
        }
    }

    /// A reader whose header-less (plain) records carry `names`, in that order, as selected for
    /// the v2 delivery. Fails on an empty list or a name given twice.
    pub fn with_plain_fields<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<LineReader, String> {
        let names: Vec<&str> = names.into_iter().collect();
        if names.is_empty() {
            return Err("no field names; expected the v2 field selection, in order".into());
        }
        if let Some(d) = duplicate(&names) {
            return Err(format!("the field `{d}` is named twice"));
        }
        Ok(LineReader {
            layout: Layout::Unknown,
            plain: columns(names.into_iter()),
            delimiter: None,
        })
    }

    /// The delivery's field delimiter for W3C and plain records (standard logging v2 lets a
    /// delivery set one of up to five characters). Fails on an empty one or a line break.
    pub fn with_delimiter(self, delimiter: &str) -> Result<LineReader, String> {
        if delimiter.is_empty() || delimiter.contains(['\n', '\r']) {
            return Err(format!(
                "`{}` cannot separate fields; expected one to five characters, no line break",
                show(delimiter)
            ));
        }
        Ok(LineReader {
            delimiter: Some(delimiter.to_string()),
            ..self
        })
    }

    /// One line, without its line ending: an entry, `None` for a blank line or a header line,
    /// or the line's problem at `line_no` and a 1-based column.
    pub fn line(&mut self, line: &str, line_no: usize) -> Result<Option<Entry>, LogError> {
        let err = |column: usize, message: String| LogError {
            line: line_no,
            column,
            field: None,
            message,
        };
        if line.trim().is_empty() {
            return Ok(None);
        }
        if line.starts_with('#') {
            return self.directive(line, line_no).map(|()| None);
        }
        if self.layout == Layout::Unknown {
            self.layout = match line.trim_start().as_bytes().first() {
                Some(b'{') => Layout::Json,
                Some(b'[') => return Err(err(
                    1,
                    "a JSON array; expected one JSON object per line (standard logging v2, JSON)"
                        .into(),
                )),
                _ => Layout::Columns(self.plain.clone()),
            };
        }
        match &self.layout {
            Layout::Legacy => parse_line(line, line_no).map(|r| Some(Entry::from(&r))),
            Layout::Json => json_line(line, line_no).map(Some),
            Layout::Columns(cols) => {
                column_line(cols, self.delimiter.as_deref(), line, line_no).map(Some)
            }
            Layout::Unknown => Ok(None),
        }
    }

    /// `#Version:` (1.0), `#Fields:` (sets the layout) and the other W3C directives (skipped).
    fn directive(&mut self, line: &str, line_no: usize) -> Result<(), LogError> {
        let err = |byte: usize, message: String| LogError {
            line: line_no,
            column: column(line, byte),
            field: None,
            message,
        };
        if let Some(rest) = line.strip_prefix("#Version:") {
            let v = rest.trim();
            return if v == crate::accesslog::VERSION {
                Ok(())
            } else {
                Err(err(
                    line.len() - rest.trim_start().len(),
                    format!("unsupported version `{v}`; expected `1.0` (LOG-FORMAT)"),
                ))
            };
        }
        if let Some(rest) = line.strip_prefix("#Fields:") {
            let names: Vec<&str> = rest.split_whitespace().collect();
            if names.is_empty() {
                return Err(err(
                    line.len(),
                    "the field list is empty; expected the names of the logged fields".into(),
                ));
            }
            if let Some(d) = duplicate(&names) {
                let at = rest.rfind(d).map_or(line.len(), |i| i + "#Fields:".len());
                return Err(err(
                    at,
                    format!("the field `{d}` is named twice; expected each field once"),
                ));
            }
            self.layout = if names == FIELDS {
                Layout::Legacy
            } else {
                Layout::Columns(columns(names.into_iter()))
            };
            return Ok(());
        }
        const OTHER: [&str; 5] = [
            "#Software:",
            "#Date:",
            "#Start-Date:",
            "#End-Date:",
            "#Remark:",
        ];
        if OTHER.iter().any(|d| line.starts_with(d)) {
            return Ok(());
        }
        let name: String = line
            .chars()
            .take_while(|&c| c != ':' && !c.is_whitespace())
            .take(40)
            .collect();
        Err(err(
            0,
            format!("unknown directive `{name}`; expected `#Version:` or `#Fields:` (LOG-FORMAT)"),
        ))
    }
}

fn columns<'a>(names: impl Iterator<Item = &'a str>) -> Vec<(String, Option<Field>)> {
    names.map(|n| (n.to_string(), field(n))).collect()
}

fn duplicate<'a>(names: &[&'a str]) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::new();
    names.iter().copied().find(|n| !seen.insert(*n))
}

/// The 1-based column (in characters) of a byte offset in a line.
fn column(line: &str, byte: usize) -> usize {
    line.get(..byte).map_or(0, |s| s.chars().count()) + 1
}

/// A value quoted in a message: at most 40 characters, control characters spelled out.
fn show(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(40)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}
