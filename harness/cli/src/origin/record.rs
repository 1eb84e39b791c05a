//! What the origin remembers about each request, and the bounded store that keeps it.
//!
//! Records are kept in arrival order with consecutive sequence numbers, plus an index by
//! correlation id so that a runner looking up one case among 100k stays O(1).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// Header the runner sets on each request so the origin's record can be matched to its case.
pub const CORRELATION_HEADER: &str = "x-edgeconform-id";

/// Default bound of a [`RecordStore`]: the oldest records are dropped past it.
pub const DEFAULT_MAX_RECORDS: usize = 1_000_000;

/// The protocol a connection actually spoke, as opposed to what anyone claims in a header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Plain TCP.
    Http,
    /// TLS.
    Https,
}

impl Protocol {
    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Https => "https",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request as the origin received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginRecord {
    /// Arrival order over all listeners of one origin server, from 1; also sent back as
    /// `x-origin-seq`.
    pub seq: u64,
    /// Logical origin id of the listener (`ListenerSpec::name`).
    pub listener: String,
    /// What the connection was: TLS or not.
    pub protocol: Protocol,
    /// The port the distribution config names for this listener (80, 443, 8080...).
    pub logical_port: u16,
    /// The port the listener is really bound to on loopback.
    pub local_port: u16,
    /// Connection number (per origin server, from 1): equal numbers mean a reused connection.
    pub connection: u64,
    /// Request method, as sent.
    pub method: String,
    /// The request-target's path and query exactly as received (`:path` in HTTP/2).
    pub target: String,
    /// The authority of an absolute-form target or HTTP/2 `:authority`, if any; HTTP/1.1's
    /// `Host` header is in `headers`.
    pub authority: Option<String>,
    /// `HTTP/1.0`, `HTTP/1.1` or `HTTP/2.0`.
    pub version: String,
    /// Every header field as (lowercased name, value decoded as lossy UTF-8), in received order
    /// except that repeated fields of one name are grouped at the first one.
    pub headers: Vec<(String, String)>,
    /// Value of the `x-edgeconform-id` header, if any.
    pub correlation_id: Option<String>,
    /// Number of request body bytes received.
    pub body_len: u64,
}

impl OriginRecord {
    /// Values of header `name` (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// First value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A bounded, shared list of [`OriginRecord`]s.
#[derive(Debug)]
pub struct RecordStore {
    inner: Mutex<Inner>,
    limit: usize,
}

#[derive(Debug)]
struct Inner {
    /// Seq of `records[0]` (equal to `next_seq` when empty): `records[i].seq == first_seq + i`.
    first_seq: u64,
    next_seq: u64,
    /// `None`: a record taken by [`RecordStore::take_for`] (its slot keeps the seq arithmetic).
    records: VecDeque<Option<OriginRecord>>,
    by_id: HashMap<String, Vec<u64>>,
}

impl RecordStore {
    /// A store keeping at most `limit` records (at least 1).
    pub fn new(limit: usize) -> RecordStore {
        RecordStore {
            inner: Mutex::new(Inner {
                first_seq: 1,
                next_seq: 1,
                records: VecDeque::new(),
                by_id: HashMap::new(),
            }),
            limit: limit.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the store half-updated in a way that
        // matters to readers, so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `record`, assigning its `seq` (the value given is ignored), and returns the seq.
    pub fn push(&self, mut record: OriginRecord) -> u64 {
        let mut inner = self.lock();
        let seq = inner.next_seq;
        inner.next_seq += 1;
        record.seq = seq;
        if let Some(id) = &record.correlation_id {
            inner.by_id.entry(id.clone()).or_default().push(seq);
        }
        inner.records.push_back(Some(record));
        while inner.records.len() > self.limit {
            inner.evict_front();
        }
        seq
    }

    /// All records kept, oldest first.
    pub fn records(&self) -> Vec<OriginRecord> {
        self.lock().records.iter().flatten().cloned().collect()
    }

    /// Records with `seq > after`, oldest first (for incremental polling).
    pub fn records_after(&self, after: u64) -> Vec<OriginRecord> {
        let inner = self.lock();
        let skip = after.saturating_sub(inner.first_seq - 1);
        let skip = usize::try_from(skip).unwrap_or(usize::MAX);
        inner.records.iter().skip(skip).flatten().cloned().collect()
    }

    /// Records whose correlation id is `id`, oldest first.
    pub fn records_for(&self, id: &str) -> Vec<OriginRecord> {
        let inner = self.lock();
        let Some(seqs) = inner.by_id.get(id) else {
            return Vec::new();
        };
        seqs.iter()
            .filter_map(|seq| {
                let index = seq.checked_sub(inner.first_seq)?;
                inner.records.get(usize::try_from(index).ok()?)?.as_ref()
            })
            .cloned()
            .collect()
    }

    /// Records whose correlation id is `id`, oldest first, removed from the store: a runner that
    /// reads each case's records once keeps the store near empty however long the run.
    pub fn take_for(&self, id: &str) -> Vec<OriginRecord> {
        let mut inner = self.lock();
        let Some(seqs) = inner.by_id.remove(id) else {
            return Vec::new();
        };
        let first = inner.first_seq;
        let taken = seqs
            .iter()
            .filter_map(|seq| {
                let index = usize::try_from(seq.checked_sub(first)?).ok()?;
                inner.records.get_mut(index)?.take()
            })
            .collect();
        while inner.records.front().is_some_and(Option::is_none) {
            inner.records.pop_front();
            inner.first_seq += 1;
        }
        taken
    }

    /// Number of records kept.
    pub fn len(&self) -> usize {
        self.lock().records.iter().flatten().count()
    }

    /// True when no record is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every record (sequence numbers keep counting) and returns how many there were.
    pub fn clear(&self) -> usize {
        let mut inner = self.lock();
        let n = inner.records.iter().flatten().count();
        inner.records.clear();
        inner.by_id.clear();
        inner.first_seq = inner.next_seq;
        n
    }
}

impl Default for RecordStore {
    fn default() -> Self {
        RecordStore::new(DEFAULT_MAX_RECORDS)
    }
}

impl Inner {
    fn evict_front(&mut self) {
        let Some(old) = self.records.pop_front() else {
            return;
        };
        self.first_seq += 1;
        let Some(old) = old else {
            return;
        };
        if let Some(id) = old.correlation_id {
            if let Some(seqs) = self.by_id.get_mut(&id) {
                seqs.retain(|&s| s != old.seq);
                if seqs.is_empty() {
                    self.by_id.remove(&id);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: Option<&str>) -> OriginRecord {
        OriginRecord {
            seq: 0,
            listener: "assets".into(),
            protocol: Protocol::Https,
            logical_port: 443,
            local_port: 40000,
            connection: 1,
            method: "GET".into(),
            target: "/".into(),
            authority: None,
            version: "HTTP/1.1".into(),
            headers: vec![("x-edgeconform-id".into(), id.unwrap_or("").into())],
            correlation_id: id.map(str::to_string),
            body_len: 0,
        }
    }

    #[test]
    fn bounded_store_keeps_the_newest_and_its_index() {
        let store = RecordStore::new(3);
        for id in ["a", "b", "a", "c", "d"] {
            store.push(rec(Some(id)));
        }
        let seqs: Vec<u64> = store.records().iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [3, 4, 5]);
        assert_eq!(store.records_for("a").len(), 1);
        assert_eq!(store.records_for("a")[0].seq, 3);
        assert!(store.records_for("b").is_empty());
        assert_eq!(store.records_after(4).len(), 1);
        assert_eq!(store.records_after(0).len(), 3);
        assert_eq!(store.clear(), 3);
        assert!(store.is_empty());
        assert_eq!(store.push(rec(None)), 6);
        assert_eq!(store.records_after(5)[0].seq, 6);
        assert!(store.records_for("d").is_empty());
    }

    #[test]
    fn taken_records_are_gone_and_the_rest_still_found_by_seq() {
        let store = RecordStore::new(100);
        for id in ["a", "b", "a", "c"] {
            store.push(rec(Some(id)));
        }
        let a: Vec<u64> = store.take_for("a").iter().map(|r| r.seq).collect();
        assert_eq!(a, [1, 3]);
        assert!(store.take_for("a").is_empty());
        assert!(store.records_for("a").is_empty());
        assert_eq!(store.len(), 2);
        // The taken slot at the front is dropped; seq arithmetic still finds the others.
        assert_eq!(store.records_for("b")[0].seq, 2);
        assert_eq!(store.records_for("c")[0].seq, 4);
        assert_eq!(store.records_after(2).len(), 1);
        assert_eq!(store.take_for("b").len(), 1);
        assert_eq!(store.take_for("c").len(), 1);
        assert!(store.is_empty());
        assert_eq!(store.lock().records.len(), 0, "taken slots are not kept");
        assert_eq!(store.push(rec(Some("d"))), 5);
        assert_eq!(store.records_for("d")[0].seq, 5);
    }

    #[test]
    fn record_serializes_protocol_lowercase_and_headers_as_pairs() {
        let json = serde_json::to_value(rec(Some("x"))).unwrap();
        assert_eq!(json["protocol"], "https");
        assert_eq!(json["headers"][0][0], "x-edgeconform-id");
        let back: OriginRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back.correlation_id.as_deref(), Some("x"));
    }
}
