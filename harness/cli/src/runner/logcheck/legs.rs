//! The run's legs as a log can name them: by correlation id or the edge's request id, and by
//! shape (method, scheme, path and query, percent-decoded) with the run's time window, each kept
//! as a 64-bit digest.

use crate::report::model::{CaseResult, RequestInfo};
use edgeconform_core::logline::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// run's when matched by time and path (clock skew between the runner and the edge).
pub const WINDOW_MARGIN_MS: u64 = 5 * 60 * 1000;

/// A leg of the run: the index of its case result, and the leg.
pub type LegRef = (usize, usize);

/// A request's shape as a log shows it: method, scheme, path and query, percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    method: String,
    scheme: String,
    path: Vec<u8>,
    query: Vec<u8>,
}

/// A 64-bit digest of an id or a [`Key`]: a run keeps one per leg instead of the text (a
/// 100,000-case run reads its log with a few MB of them). SipHash with fixed keys: two of the
/// run's values, or another line's and one of the run's, collide with odds near 2^-64 a pair.
pub(super) fn digest<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

pub(super) fn request_key(q: &RequestInfo) -> Option<Key> {
    let (scheme, rest) = q.url.split_once("://")?;
    let target = &rest[rest.find('/')?..];
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Some(Key {
        method: q.method.clone(),
        scheme: scheme.to_ascii_lowercase(),
        path: decode(path),
        query: decode(query),
    })
}

pub(super) fn entry_key(e: &Entry) -> Option<Key> {
    Some(Key {
        method: e.method.clone()?,
        scheme: e.protocol.as_deref()?.to_ascii_lowercase(),
        path: decode(e.uri_stem.as_deref()?),
        query: decode(e.uri_query.as_deref().unwrap_or("")),
    })
}

/// Percent-decodes what decodes; a malformed `%` stays as it is.
fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|&h| char::from(h).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The legs of the run that share one shape.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    pub(super) legs: u32,
    /// One of them belongs to a kept case.
    pub(super) kept: bool,
}

/// The run's legs, as the logs can name them.
#[derive(Debug, Default)]
pub struct RunLegs {
    /// Digests of the legs' correlation ids and edge request ids.
    pub(super) by_id: HashMap<u64, LegRef>,
    /// Digests of the legs' shapes ([`Key`]).
    pub(super) by_key: HashMap<u64, Shape>,
    /// Cases whose lines are kept for the judge (the access-log cases); the others' are only
    /// counted.
    pub(super) kept: HashSet<usize>,
    /// The run's first and last request, in milliseconds since the epoch, margins included.
    window: Option<(u64, u64)>,
    /// The index the next spooled case gets (after the cases in memory).
    next: usize,
}

impl RunLegs {
    /// The legs of `results`; lines are kept for the cases `keep` names. `window` is when the run
    /// sent its requests (milliseconds since the epoch); [`WINDOW_MARGIN_MS`] is added either side.
    pub fn new(
        results: &[CaseResult],
        keep: impl Fn(&CaseResult) -> bool,
        window: Option<(u64, u64)>,
    ) -> RunLegs {
        let mut run = RunLegs {
            window: window.map(|(a, b)| {
                (
                    a.saturating_sub(WINDOW_MARGIN_MS),
                    b.saturating_add(WINDOW_MARGIN_MS),
                )
            }),
            ..RunLegs::default()
        };
        for (i, r) in results.iter().enumerate() {
            if keep(r) {
                run.kept.insert(i);
            }
            run.add_legs(i, r, run.kept.contains(&i));
        }
        run.next = results.len();
        run
    }

    /// Adds a case of the run that is not in memory (spooled): its lines are the run's, counted
    /// and not kept.
    pub fn add_spooled(&mut self, r: &CaseResult) {
        self.add_legs(self.next, r, false);
        self.next += 1;
    }

    fn add_legs(&mut self, i: usize, r: &CaseResult, kept: bool) {
        for (leg, q) in r.requests.iter().enumerate() {
            self.by_id
                .insert(digest(q.correlation_id.as_str()), (i, leg));
            if let Some(cf) = &q.edge_request_id {
                self.by_id.insert(digest(cf.as_str()), (i, leg));
            }
            if let Some(k) = request_key(q) {
                let shape = self.by_key.entry(digest(&k)).or_insert(Shape {
                    legs: 0,
                    kept: false,
                });
                shape.legs += 1;
                shape.kept |= kept;
            }
        }
    }

    pub(super) fn in_window(&self, e: &Entry) -> bool {
        match (self.window, e.time_ms) {
            (Some((a, b)), Some(t)) => (a..=b).contains(&t),
            _ => true,
        }
    }
}
