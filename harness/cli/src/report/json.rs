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

use super::model::{CaseResult, RunResult, SCHEMA_VERSION};
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use std::cell::RefCell;

/// `report.json` content (pretty, with a final newline).
pub fn render(run: &RunResult) -> String {
    // RunResult holds only strings, numbers, maps with string keys and JSON values: serialising
    // it cannot fail, but a fallback keeps this total.
    let mut s =
        serde_json::to_string_pretty(run).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Writes `report.json` for a run whose cases are spooled (see `report::spool`): the same JSON as
/// [`render`], streamed case by case in input order, so a 100k-case run never holds it in memory.
pub fn write_streaming(run: &RunResult, out: impl std::io::Write) -> std::io::Result<()> {
    let Some(spool) = &run.spool else {
        let mut out = out;
        return out.write_all(render(run).as_bytes());
    };
    let reader = RefCell::new(spool.file.reader()?);
    let cases = Cases {
        cases: &run.cases,
        rows: &spool.rows,
        reader: &reader,
    };
    let view = View {
        schema_version: run.schema_version,
        tool: &run.tool,
        tool_version: &run.tool_version,
        target: &run.target,
        ruleset: &run.ruleset,
        started: &run.started,
        duration_ms: run.duration_ms,
        interrupted: run.interrupted,
        cases,
        ledger: &run.ledger,
        log_reconcile: &run.log_reconcile,
    };
    let mut w = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut w, &view).map_err(std::io::Error::other)?;
    std::io::Write::write_all(&mut w, b"\n")?;
    std::io::Write::flush(&mut w)
}

/// [`RunResult`]'s fields, in its order, with the cases streamed.
#[derive(Serialize)]
struct View<'a> {
    schema_version: u32,
    tool: &'a str,
    tool_version: &'a str,
    target: &'a super::model::TargetInfo,
    ruleset: &'a str,
    started: &'a str,
    duration_ms: u64,
    interrupted: bool,
    cases: Cases<'a>,
    ledger: &'a edgeconform_core::billing::Ledger,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_reconcile: &'a Option<super::model::LogReconcile>,
}

struct Cases<'a> {
    cases: &'a [CaseResult],
    rows: &'a [crate::report::spool::Row],
    reader: &'a RefCell<crate::report::spool::SpoolReader>,
}

impl Serialize for Cases<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use crate::report::spool::Row;
        let mut seq = s.serialize_seq(Some(self.rows.len()))?;
        for row in self.rows {
            match row {
                Row::Spooled(m) => {
                    let line = self
                        .reader
                        .borrow_mut()
                        .line(m.entry)
                        .map_err(serde::ser::Error::custom)?;
                    let raw = serde_json::value::RawValue::from_string(line)
                        .map_err(serde::ser::Error::custom)?;
                    seq.serialize_element(&raw)?;
                }
                Row::Kept(k) => seq.serialize_element(&self.cases[*k as usize])?,
            }
        }
        seq.end()
    }
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
