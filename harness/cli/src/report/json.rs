//! `report.json`: the [`RunResult`] as pretty JSON, the machine-readable record of a run and the
//! input of `edgeconform report` (the matrix). `schema_version` is inside; readers refuse other
//! versions.
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "tool": "edgeconform",
//!   "tool_version": "0.1.0",
//!   "target": { "name": "reference", "http": "http://127.0.0.1:8080", "https": "https://127.0.0.1:8443", "insecure": false },
//!   "ruleset": "current",
//!   "cases": [ { "id": "redirect-post-refused", "verdict": "fail", "findings": [ … ], … } ],
//!   …
//! }
//! ```

use super::model::{RunResult, SCHEMA_VERSION};

/// `report.json` content (pretty, with a final newline).
pub fn render(run: &RunResult) -> String {
    // RunResult holds only strings, numbers, maps with string keys and JSON values: serialising
    // it fails only when a spooled case cannot be read back, and a fallback keeps this total.
    let mut s =
        serde_json::to_string_pretty(run).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Writes `report.json`: the same JSON as [`render`], streamed case by case in input order (a
/// spooled run's cases are read back from the spool one at a time, so a 100k-case run never
/// holds it in memory).
pub fn write_streaming(run: &RunResult, out: impl std::io::Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut w, run).map_err(std::io::Error::other)?;
    std::io::Write::write_all(&mut w, b"\n")?;
    std::io::Write::flush(&mut w)
}

/// Why a `report.json` could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Not JSON, or JSON of another shape (serde's message names line and column).
    Json(serde_json::Error),
    /// Valid JSON without a `schema_version` this build reads.
    Schema(Option<u64>),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Json(e) => write!(f, "not a valid report.json: {e}"),
            ReadError::Schema(Some(v)) => {
                write!(f, "schema_version {v}, but this edgeconform reads schema_version {SCHEMA_VERSION}")
            }
            ReadError::Schema(None) => write!(
                f,
                "no schema_version: expected a report.json written by `edgeconform run` (schema_version {SCHEMA_VERSION})"
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// Parse a `report.json`, checking `schema_version` before the rest so a file of another version
/// gets that message rather than a confusing field error.
pub fn parse(text: &str) -> Result<RunResult, ReadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(ReadError::Json)?;
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        other => return Err(ReadError::Schema(other)),
    }
    // Parsed again from the text (not from `value`) so a shape error keeps its line and column.
    serde_json::from_str(text).map_err(ReadError::Json)
}
