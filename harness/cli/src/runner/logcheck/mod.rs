//! Reading the target's access logs after a run (LOG-*, BIL-LOG-RECONCILE): each log line is
//! matched to the request of the run it records, the judge re-checks the legs of the access-log
//! cases with their lines in view, and the run's lines are reconciled with the wire ledger.
//!
//! A line is the run's when its `x-edge-request-id` is a leg's correlation id (the reference edge
//! logs the runner's `x-edgeconform-id` there) or the `x-amz-cf-id` the edge answered that leg
//! with (a real CloudFront logs its own id). A log without request ids is matched by the run's
//! time window (a margin either side for clock skew; a line without a time is matched by shape
//! alone) and the request's method, scheme, path and query; a request is judged on such a log only
//! when exactly one line in the window has its shape and no other request of the run shares it,
//! and is otherwise *not observed* (none at all is zero lines, as with request ids). Every other
//! line is other traffic: counted, ignored.

mod judge;
mod legs;
mod read;
#[cfg(test)]
mod tests;

pub use judge::{apply, reconcile, wire_totals};
pub use legs::{LegRef, RunLegs, WINDOW_MARGIN_MS};
pub use read::{LegLines, LogRead, SHOWN_PROBLEMS};
