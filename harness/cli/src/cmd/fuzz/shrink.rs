//! Shrinking a group's first example on the wire: the candidates of
//! `edgeconform_core::fuzzgen::shrink` are sent in order, and the first that still fails for the
//! group's rule replaces the example; this repeats until no candidate does or the budget is spent.
//! Each accepted step weighs strictly less, so the loop ends; for a deterministic target the
//! result depends on the example alone.

use super::probe::{probe, Clients, Failure, Key, Probe};
use crate::runner::cache::Fetches;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::fuzzgen::shrink::candidates;
use edgeconform_core::Request;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What bounds one shrink.
pub struct Limits {
    /// Requests it may send.
    pub budget: u64,
    /// Requests per second at most.
    pub rate: f64,
    pub viewer_only: bool,
    /// Correlation ids are this plus a counter.
    pub id_prefix: String,
}

/// The shrunk example and how it got there.
#[derive(Debug, Clone)]
pub struct Shrunk {
    pub req: Request,
    /// How the shrunk request fails.
    pub failure: Failure,
    /// Requests sent while shrinking.
    pub sends: u64,
    /// Steps accepted.
    pub steps: u64,
    /// The budget ran out before a fixed point.
    pub exhausted: bool,
}

impl Shrunk {
    /// The example as found (shrinking skipped: the run was interrupted).
    pub fn unshrunk(req: Request, failure: Failure) -> Shrunk {
        Shrunk {
            req,
            failure,
            sends: 0,
            steps: 0,
            exhausted: true,
        }
    }
}

pub async fn shrink(
    clients: &mut Clients,
    fetches: &Fetches,
    dist: &Arc<Distribution>,
    key: &Key,
    (req, failure): (Request, Failure),
    limits: Limits,
) -> Shrunk {
    let mut out = Shrunk {
        req,
        failure,
        sends: 0,
        steps: 0,
        exhausted: false,
    };
    let gap = Duration::from_secs_f64(1.0 / limits.rate);
    let mut last = Instant::now();
    'outer: loop {
        for c in candidates(&out.req, dist) {
            if out.sends >= limits.budget {
                out.exhausted = true;
                break 'outer;
            }
            let due = last + gap;
            if due > Instant::now() {
                tokio::time::sleep_until(due.into()).await;
            }
            last = Instant::now();
            let id = format!("{}-{:x}", limits.id_prefix, out.sends);
            out.sends += 1;
            if let Probe::Fail(f) = probe(clients, fetches, dist, &c, &id, limits.viewer_only).await
            {
                // Still failing for this group's rule: a candidate that fails only for another
                // reason is another finding, not a smaller example of this one.
                if f.has(key) {
                    out.req = c;
                    out.failure = *f;
                    out.steps += 1;
                    continue 'outer;
                }
            }
        }
        break;
    }
    out
}
