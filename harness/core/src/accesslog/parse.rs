//! Reading a standard log: the `#Version:` and `#Fields:` directives, record lines field by field,
//! and every problem positioned at its line and column ([`LogError`]).

use super::escape::{show, unescape, EscapeError};
use super::fields::{LogDate, LogTime, ResultType, Status, FIELDS, VERSION};
use super::record::LogRecord;
use serde::Serialize;

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
pub(super) fn column(line: &str, byte: usize) -> usize {
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
pub(super) fn parse_u64(s: &str) -> Option<u64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Seconds as the log writes them, `S`, `S.f`, `S.ff` or `S.fff`, to whole milliseconds.
pub(super) fn parse_millis(s: &str) -> Option<u64> {
    let (whole, millis) = match s.split_once('.') {
        None => (s, 0),
        Some((whole, frac)) if (1..=3).contains(&frac.len()) => {
            (whole, parse_u64(frac)? * 10u64.pow(3 - frac.len() as u32))
        }
        Some(_) => return None,
    };
    parse_u64(whole)?.checked_mul(1000)?.checked_add(millis)
}
