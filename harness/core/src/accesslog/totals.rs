//! BIL-LOG-RECONCILE: what a log says was served, added up per viewer scheme.

use super::fields::Status;
use super::record::LogRecord;
use serde::Serialize;

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
