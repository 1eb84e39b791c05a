//! One record line in a column form (v2 W3C, v2 plain) or as a v2 JSON object, read into an
//! [`Entry`]; the legacy form is read by [`crate::accesslog::parse_line`].

use super::value::{set, Parts};
use super::{column, field, show, Entry, Field};
use crate::accesslog::{unescape, EscapeError, LogError};

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
pub(super) fn column_line(
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
pub(super) fn json_line(line: &str, line_no: usize) -> Result<Entry, LogError> {
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
