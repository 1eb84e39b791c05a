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
//!
//! One file per job: the fields and their typed values (`fields`), the record and writing it
//! (`record`), the escapes inside values (`escape`), reading a log (`parse`) and adding records
//! up (`totals`).

mod escape;
mod fields;
mod parse;
mod record;
mod totals;

pub use escape::{escape, escape_into, unescape, unescape_bytes, EscapeError};
pub use fields::{header, LogDate, LogTime, ResultType, Status, FIELDS, VERSION};
pub use parse::{parse_line, parse_log, parse_log_line, parse_log_partial, LogError};
pub use record::{decimal, write_log, LogLine, LogRecord};
pub use totals::{totals, LogTotals, SchemeTotals};

#[cfg(test)]
mod tests;
