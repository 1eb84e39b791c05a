//! Sending the generated requests: workers take the run's requests in turn (its indices of the
//! seed's stream, `stream.rs`), keep to the rate, judge each answer and group the failures by
//! key, keeping each group's lowest-index example.

use super::probe::{probe, Clients, Failure, Key, Probe};
use super::stream::Stream;
use crate::runner::cache::Fetches;
use crate::runner::client::Endpoint;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::fuzzgen::live::LiveGen;
use edgeconform_core::{Request, RuleId};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One group of failures while the run goes: how many, and the lowest-index example.
pub(super) struct Acc {
    pub count: u64,
    /// When the group was first seen, in milliseconds since the fuzzing started.
    pub found_after_ms: u64,
    pub first: u64,
    pub req: Request,
    pub failure: Failure,
}

/// Counters the workers share with the progress display.
#[derive(Default)]
pub(super) struct Counters {
    pub sent: AtomicU64,
    pub failed: AtomicU64,
    pub not_run: AtomicU64,
    pub errors: AtomicU64,
    /// Why the first request that could not be made could not.
    pub not_run_reason: Mutex<Option<String>>,
}

/// What the workers share: the generator and the distribution it judges by, the counters, the
/// groups and the first errors, and the limits of the run.
pub(super) struct Sending {
    pub gen: Arc<LiveGen>,
    pub dist: Arc<Distribution>,
    pub fetches: Arc<Fetches>,
    pub counters: Arc<Counters>,
    pub groups: Arc<Mutex<BTreeMap<Key, Acc>>>,
    pub errors: Mutex<Vec<(u64, String)>>,
    /// Set to stop sending (Ctrl-C, the deadline, every --until rule found).
    pub stop: Arc<AtomicBool>,
    /// How many of this run's requests have been taken by a worker: the next one is request
    /// `stream.index(next)` of the seed.
    pub next: AtomicU64,
    /// Which indices of the seed's stream this run sends (all, or its shard's), and how many.
    pub stream: Stream,
    /// Correlation ids are `{nonce:012}-{index:x}`, so two runs' ids differ.
    pub nonce: u64,
    pub started: Instant,
    pub deadline: Option<Instant>,
    pub rate: f64,
    pub viewer_only: bool,
    /// The target has no HTTPS listener: HTTPS requests are counted as not run.
    pub no_https: bool,
    pub until: Vec<RuleId>,
}

/// Error examples kept for the report.
pub(super) const ERROR_EXAMPLES: usize = 20;

impl Sending {
    /// Runs `jobs` workers until the limit, the deadline or a stop, with the progress display;
    /// returns how long they sent.
    pub async fn run(
        self: &Arc<Self>,
        jobs: usize,
        endpoint: &Endpoint,
        tls: &Arc<rustls::ClientConfig>,
        timeout: Duration,
    ) -> Duration {
        let ticker = super::progress::progress(
            self.stream.len(),
            self.deadline.map(|d| d - self.started),
            self.counters.clone(),
            self.groups.clone(),
            self.stop.clone(),
        );
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                let (me, clients) = (
                    self.clone(),
                    Clients::new(endpoint.clone(), tls.clone(), timeout),
                );
                tokio::spawn(async move { me.work(clients).await })
            })
            .collect();
        for w in workers {
            let _ = w.await;
        }
        let fuzz_time = self.started.elapsed();
        self.stop.store(true, Ordering::Relaxed);
        let _ = ticker.await;
        fuzz_time
    }

    /// One worker: takes the next index until there is none left or the run stops.
    async fn work(&self, mut clients: Clients) {
        loop {
            if self.stop.load(Ordering::Relaxed)
                || self.deadline.is_some_and(|d| Instant::now() >= d)
            {
                break;
            }
            let k = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(i) = self.stream.index(k) else {
                break;
            };
            // The rate limit: this run's k-th request goes out no earlier than k / rate after
            // the start.
            let due = self.started + Duration::from_secs_f64(k as f64 / self.rate);
            if due > Instant::now() {
                tokio::time::sleep_until(due.into()).await;
            }
            let req = self.gen.request(i);
            if self.no_https && req.scheme == edgeconform_core::Scheme::Https {
                self.counters.not_run.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let id = format!("{:012}-{i:x}", self.nonce);
            let p = probe(
                &mut clients,
                &self.fetches,
                &self.dist,
                &req,
                &id,
                self.viewer_only,
            )
            .await;
            self.counters.sent.fetch_add(1, Ordering::Relaxed);
            match p {
                Probe::Pass => {}
                Probe::NotRun(why) => {
                    self.counters.not_run.fetch_add(1, Ordering::Relaxed);
                    let mut first = self
                        .counters
                        .not_run_reason
                        .lock()
                        .unwrap_or_else(|e| e.into_inner());
                    first.get_or_insert(why);
                }
                Probe::Error(e) => {
                    self.counters.errors.fetch_add(1, Ordering::Relaxed);
                    let mut errs = self.errors.lock().unwrap_or_else(|e| e.into_inner());
                    if errs.len() < ERROR_EXAMPLES {
                        errs.push((i, e));
                    }
                }
                Probe::Fail(f) => self.failed(i, &req, &f),
            }
        }
    }

    /// Counts a failure of request `i` in each of its groups (its example when `i` is the
    /// group's lowest index), and stops once every --until rule has a group.
    fn failed(&self, i: u64, req: &Request, f: &Failure) {
        self.counters.failed.fetch_add(1, Ordering::Relaxed);
        let mut g = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        for (key, _) in &f.keys {
            let acc = g.entry(key.clone()).or_insert_with(|| Acc {
                count: 0,
                found_after_ms: self.started.elapsed().as_millis() as u64,
                first: i,
                req: req.clone(),
                failure: f.clone(),
            });
            acc.count += 1;
            if i < acc.first {
                acc.first = i;
                acc.req = req.clone();
                acc.failure = f.clone();
            }
        }
        let all_found = !self.until.is_empty()
            && self
                .until
                .iter()
                .all(|r| g.keys().any(|k| k.rule == Some(*r)));
        if all_found {
            self.stop.store(true, Ordering::Relaxed);
        }
    }
}
