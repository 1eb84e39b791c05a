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

use crate::accesslog::{parse_line, unescape, EscapeError, LogError, LogRecord, Status, FIELDS};

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

/// The 1-based character column of a byte offset, rounded down to a character boundary and
/// at most one past the line's end.
fn char_column(line: &str, byte: usize) -> usize {
    let mut b = byte.min(line.len());
    while !line.is_char_boundary(b) {
        b -= 1;
    }
    column(line, b)
}

/// A W3C or plain record: as many fields as the layout names, separated by `delimiter`, else by
/// tabs, or by single spaces on a line without a tab.
fn column_line(
    cols: &[(String, Option<Field>)],
    delimiter: Option<&str>,
    line: &str,
    line_no: usize,
) -> Result<Entry, LogError> {
    let sep = delimiter.unwrap_or(if line.contains('\t') { "\t" } else { " " });
    let mut fields = Vec::with_capacity(cols.len());
    let mut start = 0;
    for (i, _) in line.match_indices(sep) {
        fields.push((start, &line[start..i]));
        start = i + sep.len();
    }
    fields.push((start, &line[start..]));
    if fields.len() != cols.len() {
        let sep_name = match sep {
            "\t" => "tab".to_string(),
            " " => "space".to_string(),
            d => format!("`{}`", show(d)),
        };
        return Err(LogError {
            line: line_no,
            column: 1,
            field: None,
            message: format!(
                "found {} {sep_name}-separated fields; expected {} as the field list names",
                fields.len(),
                cols.len()
            ),
        });
    }
    let mut entry = Entry::default();
    let mut parts = Parts::default();
    for ((name, f), (byte, text)) in cols.iter().zip(fields) {
        let Some(f) = f else { continue };
        let at = |message: String| LogError {
            line: line_no,
            column: column(line, byte),
            field: None,
            message: format!("field `{name}`: {message}"),
        };
        let value = match unescape(text) {
            Ok(v) => v,
            Err(EscapeError::NotUtf8) => text.to_string(),
            Err(e) => {
                return Err(LogError {
                    column: column(line, byte) + e.offset().unwrap_or(0),
                    ..at(e.to_string())
                })
            }
        };
        set(&mut entry, &mut parts, *f, &value).map_err(at)?;
    }
    parts.finish(&mut entry);
    Ok(entry)
}

/// A v2 JSON record: one object; keys not read are skipped.
fn json_line(line: &str, line_no: usize) -> Result<Entry, LogError> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| LogError {
        line: line_no,
        // serde_json counts bytes; the column is in characters.
        column: char_column(line, e.column().saturating_sub(1)),
        field: None,
        message: format!("not JSON: {e}; expected one JSON object per line"),
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(LogError {
            line: line_no,
            column: 1,
            field: None,
            message: "a JSON value that is not an object; expected one JSON object per line".into(),
        });
    };
    let mut entry = Entry::default();
    let mut parts = Parts::default();
    for (key, v) in &map {
        let Some(f) = field(key) else { continue };
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Null => continue,
            _ => {
                return Err(LogError {
                    line: line_no,
                    column: 1,
                    field: None,
                    message: format!("field `{key}` is {v}; expected a string or a number"),
                })
            }
        };
        set(&mut entry, &mut parts, f, &text).map_err(|m| LogError {
            line: line_no,
            column: 1,
            field: None,
            message: format!("field `{key}`: {m}"),
        })?;
    }
    parts.finish(&mut entry);
    Ok(entry)
}

/// `date` and `time` arrive apart.
#[derive(Default)]
struct Parts {
    date: Option<crate::accesslog::LogDate>,
    time: Option<crate::accesslog::LogTime>,
}

impl Parts {
    fn finish(self, e: &mut Entry) {
        if e.time_ms.is_none() {
            if let (Some(d), Some(t)) = (self.date, self.time) {
                let secs =
                    u64::from(t.hour()) * 3600 + u64::from(t.minute()) * 60 + u64::from(t.second());
                e.time_ms = days_from_civil(d.year(), d.month(), d.day())
                    .map(|days| (days * 86_400 + secs) * 1000);
            }
        }
    }
}

/// Sets one field from its unescaped text; `-` and the empty text leave it `None`.
fn set(e: &mut Entry, parts: &mut Parts, f: Field, v: &str) -> Result<(), String> {
    if v.is_empty() || v == "-" {
        return Ok(());
    }
    let text = || Some(v.to_string());
    let number = |what: &str| {
        (v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| format!("`{}` is not {what}; expected decimal digits", show(v)))
    };
    match f {
        Field::Date => {
            parts.date = Some(
                crate::accesslog::LogDate::parse(v)
                    .ok_or_else(|| format!("`{}` is not a date; expected YYYY-MM-DD", show(v)))?,
            )
        }
        Field::Time => {
            parts.time = Some(
                crate::accesslog::LogTime::parse(v)
                    .ok_or_else(|| format!("`{}` is not a time; expected HH:MM:SS", show(v)))?,
            )
        }
        Field::Timestamp => {
            e.time_ms = Some(epoch_seconds(v).ok_or_else(|| {
                format!(
                    "`{}` is not a timestamp; expected seconds since 1970 like `1731620046.814`",
                    show(v)
                )
            })?)
        }
        Field::TimestampMs => e.time_ms = Some(number("a timestamp in milliseconds")?),
        Field::RequestId => e.request_id = text(),
        Field::Method => e.method = text(),
        Field::Protocol => e.protocol = text(),
        Field::UriStem => e.uri_stem = text(),
        Field::UriQuery => e.uri_query = text(),
        Field::Status => {
            e.status = Some(Status::parse(v).map(Status::get).ok_or_else(|| {
                format!("`{}` is not a status code; expected three digits", show(v))
            })?)
        }
        Field::ResultType => e.result_type = text(),
        Field::DetailedResultType => e.detailed_result_type = text(),
        Field::ScBytes => e.sc_bytes = Some(number("a byte count")?),
        Field::CsBytes => e.cs_bytes = Some(number("a byte count")?),
    }
    Ok(())
}

/// `S` or `S.f…` (up to three decimals) seconds since the epoch, to milliseconds.
fn epoch_seconds(s: &str) -> Option<u64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 3 {
        return None;
    }
    let millis = if frac.is_empty() {
        0
    } else {
        frac.parse::<u64>().ok()? * 10u64.pow(3 - frac.len() as u32)
    };
    whole
        .parse::<u64>()
        .ok()?
        .checked_mul(1000)?
        .checked_add(millis)
}

/// Days from 1970-01-01 to a date on or after it (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: u16, month: u8, day: u8) -> Option<u64> {
    let (y, m, d) = (i64::from(year), i64::from(month), i64::from(day));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    u64::try_from(era * 146_097 + doe - 719_468).ok()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accesslog::header;

    /// AWS's first example line (CloudFront developer guide), tab-separated.
    const AWS_LINE: &str = "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tcurl/7.55.1\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-";

    fn read(text: &str) -> (Vec<Entry>, Vec<LogError>) {
        read_with(LineReader::new(), text)
    }

    fn read_with(mut r: LineReader, text: &str) -> (Vec<Entry>, Vec<LogError>) {
        let (mut entries, mut errors) = (Vec::new(), Vec::new());
        for (i, line) in text.lines().enumerate() {
            match r.line(line, i + 1) {
                Ok(Some(e)) => entries.push(e),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        (entries, errors)
    }

    fn aws_entry() -> Entry {
        Entry {
            request_id: Some("SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==".into()),
            method: Some("GET".into()),
            protocol: Some("https".into()),
            uri_stem: Some("/index.html".into()),
            uri_query: None,
            status: Some(200),
            result_type: Some("Hit".into()),
            detailed_result_type: Some("Hit".into()),
            sc_bytes: Some(392),
            cs_bytes: Some(23),
            // 2019-12-04T21:02:31Z
            time_ms: Some(1_575_493_351_000),
        }
    }

    #[test]
    fn legacy_log_is_read_strictly() {
        let (entries, errors) = read(&format!("{}{AWS_LINE}\n", header()));
        assert_eq!((entries, errors), (vec![aws_entry()], vec![]));
        // The legacy layout keeps LOG-FORMAT's strictness: a 32-field line is an error.
        let short = AWS_LINE.rsplit_once('\t').unwrap().0;
        let (_, errors) = read(&format!("{}{short}\n", header()));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().starts_with("3:"), "{}", errors[0]);
    }

    #[test]
    fn plain_lines_default_to_the_legacy_fields() {
        assert_eq!(read(AWS_LINE), (vec![aws_entry()], vec![]));
    }

    #[test]
    fn v2_json_any_subset_any_order() {
        let text = concat!(
            r#"{"sc-status":"301","cs-protocol":"http","x-edge-result-type":"Redirect","timestamp":"1575493351.5","c-ip":"192.0.2.1","cs-uri-stem":"/images/a.jpg","sc-bytes":412}"#,
            "\n",
            r#"{"x-edge-request-id":"abc","sc-bytes":"-","timestamp(ms)":1575493351000,"cs-uri-query":null}"#,
            "\n"
        );
        let (entries, errors) = read(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            entries[0],
            Entry {
                protocol: Some("http".into()),
                uri_stem: Some("/images/a.jpg".into()),
                status: Some(301),
                result_type: Some("Redirect".into()),
                sc_bytes: Some(412),
                time_ms: Some(1_575_493_351_500),
                ..Entry::default()
            }
        );
        assert_eq!(
            entries[1],
            Entry {
                request_id: Some("abc".into()),
                time_ms: Some(1_575_493_351_000),
                ..Entry::default()
            }
        );
    }

    #[test]
    fn v2_json_problems_are_positioned() {
        let (_, errors) = read("{\"sc-status\":\"301\"}\n[1]\n{\"sc-status\": 42}\n{\"a\":\n");
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(
            shown[0].starts_with("2:1: a JSON value that is not an object"),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with("3:1: field `sc-status`: `42` is not a status code"),
            "{shown:?}"
        );
        assert!(
            shown[2].starts_with("4:") && shown[2].contains("not JSON"),
            "{shown:?}"
        );
        let (_, errors) = read("[{}]\n");
        assert!(errors[0].to_string().starts_with("1:1: a JSON array"));
    }

    #[test]
    fn v2_w3c_subset_reordered_tab_or_space() {
        for sep in ["\t", " "] {
            let text = [
                "#Version: 1.0",
                "#Fields: cs-protocol sc-status x-edge-request-id date time x-edge-location",
                &["https", "403", "id-1", "2019-12-04", "21:02:31", "LAX1"].join(sep),
            ]
            .join("\n");
            let (entries, errors) = read(&text);
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(
                entries,
                vec![Entry {
                    request_id: Some("id-1".into()),
                    protocol: Some("https".into()),
                    status: Some(403),
                    time_ms: Some(1_575_493_351_000),
                    ..Entry::default()
                }]
            );
        }
    }

    #[test]
    fn v2_w3c_problems_are_positioned() {
        let text = "#Fields: cs-protocol sc-status\nhttps\t30x\nhttps\t301\textra\n#Fields: a a\n#Nope: x\n";
        let (entries, errors) = read(text);
        assert!(entries.is_empty());
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 4, "{shown:?}");
        assert!(
            shown[0].starts_with("2:7: field `sc-status`: `30x`"),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with("3:1: found 3 tab-separated fields; expected 2"),
            "{shown:?}"
        );
        assert!(
            shown[2].starts_with("4:12: the field `a` is named twice"),
            "{shown:?}"
        );
        assert!(
            shown[3].starts_with("5:1: unknown directive `#Nope`"),
            "{shown:?}"
        );
    }

    #[test]
    fn v2_plain_with_its_field_selection() {
        let r = LineReader::with_plain_fields(["sc-bytes", "cs-method", "cs-uri-stem"]).unwrap();
        let (entries, errors) = read_with(r, "1200\tGET\t/a%20b\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            entries,
            vec![Entry {
                method: Some("GET".into()),
                uri_stem: Some("/a b".into()),
                sc_bytes: Some(1200),
                ..Entry::default()
            }]
        );
        let r = LineReader::with_plain_fields(["sc-status", "cs-protocol"])
            .unwrap()
            .with_delimiter("||")
            .unwrap();
        let (entries, errors) = read_with(r, "301||http\n301|http\n");
        assert_eq!(entries[0].status, Some(301));
        assert!(
            errors[0]
                .to_string()
                .starts_with("2:1: found 1 `||`-separated fields; expected 2"),
            "{errors:?}"
        );
        assert!(LineReader::new().with_delimiter("").is_err());
        assert!(LineReader::with_plain_fields(["a", "a"]).is_err());
        assert!(LineReader::with_plain_fields([]).is_err());
    }

    proptest::proptest! {
        /// The `log_lines` fuzz target's property, on stable: any text is read without a panic,
        /// every problem at the line read and a column inside it.
        #[test]
        fn any_text_is_read_with_positioned_problems(
            text in "(\\{\"[a-z()-]{0,12}\":\"?[0-9a-z.-]{0,6}\"?\\}|#Fields: [a-z -]{0,30}|[0-9a-z/ \t%.:é-]{0,40}|\\[|\n){0,12}"
        ) {
            let mut reader = LineReader::new();
            for (i, line) in text.lines().enumerate() {
                if let Err(e) = reader.line(line, i + 1) {
                    proptest::prop_assert_eq!(e.line, i + 1);
                    let chars = line.chars().count();
                    proptest::prop_assert!((1..=chars + 1).contains(&e.column), "{} in {:?}", e, line);
                }
            }
        }
    }

    #[test]
    fn epoch_conversions() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(epoch_seconds("1.5"), Some(1500));
        assert_eq!(epoch_seconds("1.2345"), None);
        assert_eq!(epoch_seconds("-1"), None);
    }
}
