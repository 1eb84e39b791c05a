//! The runner: sends every selected case to a target with bounded concurrency, reads what the
//! origin recorded for it, judges the observed outcome with `judge()` and the case's own
//! expectations, and builds the result model the reporters read. Results keep input order.

pub mod cache;
pub mod client;
pub mod embedded;
pub mod insecure;
pub mod leg;
pub mod logcheck;
pub mod logfiles;
pub mod observe;
pub mod plan;
pub mod progress;
pub mod recipe;
pub mod records;
pub mod target;

use crate::report::model::{CaseResult, RequestInfo, Verdict};
use crate::report::spool;
use client::{Client, Endpoint};
use edgeconform_core::billing::{charge, Ledger};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::outcome::Outcome;
use edgeconform_core::rules::Level;
use edgeconform_core::spec::Case;
pub use edgeconform_core::verdict::evaluate;
use edgeconform_core::Scheme;
use records::Records;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One case to run, with the distribution it belongs to and where to send it.
#[derive(Clone)]
pub struct Job {
    /// The case's place in the run's order (see `CaseResult::seq`).
    pub seq: u64,
    pub case: Case,
    pub dist: Arc<Distribution>,
    pub endpoint: Endpoint,
}

/// The cases of a run, built one at a time as workers take them (a 100k-case matrix is never
/// held as 100k cases).
pub trait Jobs: Send + Sync {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Job `i` (`i < len()`).
    fn job(&self, i: usize) -> Job;
}

impl Jobs for Vec<Job> {
    fn len(&self) -> usize {
        <[Job]>::len(self)
    }
    fn job(&self, i: usize) -> Job {
        self[i].clone()
    }
}

/// Called after each finished case with its index and result.
pub type OnDone = Arc<dyn Fn(usize, &CaseResult) + Send + Sync>;

/// A finished case: whole in memory, or a row pointing into the spool.
enum Slot {
    Empty,
    Whole(Box<CaseResult>),
    Spooled(spool::Summary),
}

/// Finished cases by input index, with the rule lists of the spooled ones and the wire totals of
/// those (for BIL-LOG-RECONCILE).
struct Done {
    slots: Vec<Slot>,
    lists: spool::Lists,
    wire: (u64, u64),
}

/// Settings of one run.
pub struct RunOpts {
    pub jobs: usize,
    pub request_timeout: Duration,
    /// Bytes of each response body kept (see [`Client::with_max_body_bytes`]).
    pub max_body_bytes: u64,
    /// Set to stop the run early (Ctrl-C, global timeout): cases not started are skipped.
    pub stop: Arc<AtomicBool>,
    /// Called after each finished case (index, result) — for progress output.
    pub on_done: Option<OnDone>,
    /// Spool every case here and keep only a row per case in memory (big runs).
    pub spool: Option<PathBuf>,
    /// The target has no HTTPS listener (this says why): cases with an HTTPS leg are not run.
    pub no_https: Option<String>,
    /// Judge the viewer side only: the origin's records are not read, and what only the origin
    /// or the bill could show is reported as not observed.
    pub viewer_only: bool,
}

/// What a run produced.
pub struct RunOutput {
    /// In input order: every case, or, when spooled, the cases kept whole.
    pub results: Vec<CaseResult>,
    pub ledger: Ledger,
    /// The spool: a row per case in input order.
    pub spool: Option<spool::Spooled>,
}

/// Runs the jobs; returns the results of the cases that ran (in input order) and the wire ledger.
pub async fn run(
    jobs: Arc<dyn Jobs>,
    records: Arc<dyn Records>,
    tls: Arc<rustls::ClientConfig>,
    opts: RunOpts,
) -> RunOutput {
    let spool = match &opts.spool {
        Some(p) => match spool::Spool::create(p) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!(
                    "edgeconform run: cannot spool results to {}: {e}; keeping them in memory",
                    p.display()
                );
                None
            }
        },
        None => None,
    };
    let workers = opts.jobs.max(1).min(jobs.len().max(1));
    let shared = Arc::new(Shared {
        results: Mutex::new(Done {
            slots: (0..jobs.len()).map(|_| Slot::Empty).collect(),
            lists: spool::Lists::default(),
            wire: (0, 0),
        }),
        jobs,
        fetches: cache::Fetches::new(records),
        tls,
        next: AtomicUsize::new(0),
        ledger: Mutex::new(Ledger::default()),
        spool,
        nonce: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64 % 1_000_000_000_000),
        opts,
    });
    run_workers(&shared, workers).await;
    match Arc::try_unwrap(shared) {
        Ok(shared) => collect(shared),
        // A worker that panicked still holds its reference: report what the others finished.
        Err(shared) => collect_shared(&shared),
    }
}

/// Runs `workers` workers on threads of their own, one single-threaded runtime per core, each
/// with its share of the connections (as wrk runs its connections): a worker's response wakes
/// the task that reads it on the thread that polled it, with no hop between threads and no
/// work stealing. When no thread can be started, the workers run on the caller's runtime.
async fn run_workers(shared: &Arc<Shared>, workers: usize) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(workers);
    let mut done = Vec::new();
    let mut here = Vec::new();
    for t in 0..threads {
        // Workers t, t + threads, t + 2·threads, … run on thread t.
        let mine = (t..workers).step_by(threads).count();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let sh = shared.clone();
        let started = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .and_then(|rt| {
                std::thread::Builder::new()
                    .name(format!("runner-{t}"))
                    .spawn(move || {
                        rt.block_on(async move {
                            let local: Vec<_> = (0..mine)
                                .map(|_| tokio::spawn(worker(sh.clone())))
                                .collect();
                            for w in local {
                                let _ = w.await;
                            }
                        });
                        let _ = tx.send(());
                    })
            });
        match started {
            Ok(_) => done.push(rx),
            Err(e) => {
                eprintln!(
                    "edgeconform run: cannot start a runner thread ({e}); its workers run on the main runtime"
                );
                here.extend((0..mine).map(|_| tokio::spawn(worker(shared.clone()))));
            }
        }
    }
    for w in here {
        let _ = w.await;
    }
    for rx in done {
        // A thread whose worker panicked still ends: the others' results count.
        let _ = rx.await;
    }
}

/// What the workers of one run share.
struct Shared {
    jobs: Arc<dyn Jobs>,
    fetches: cache::Fetches,
    tls: Arc<rustls::ClientConfig>,
    opts: RunOpts,
    /// The next job to take.
    next: AtomicUsize,
    ledger: Mutex<Ledger>,
    results: Mutex<Done>,
    spool: Option<spool::Spool>,
    /// Makes this run's correlation ids its own.
    nonce: u64,
}

/// One worker: takes jobs in turn until none is left or the run is stopped, each on the
/// worker's client for the job's endpoint.
async fn worker(sh: Arc<Shared>) {
    // One client per endpoint (a run over several distributions has several).
    let mut clients: Vec<((SocketAddr, SocketAddr), Client)> = Vec::new();
    let opts = &sh.opts;
    loop {
        if opts.stop.load(Ordering::Relaxed) {
            break;
        }
        let i = sh.next.fetch_add(1, Ordering::Relaxed);
        if i >= sh.jobs.len() {
            break;
        }
        let mut job = sh.jobs.job(i);
        let key = (job.endpoint.http, job.endpoint.https);
        let pos = match clients.iter().position(|(k, _)| *k == key) {
            Some(p) => p,
            None => {
                let c = Client::new(job.endpoint.clone(), sh.tls.clone(), opts.request_timeout)
                    .with_max_body_bytes(opts.max_body_bytes);
                clients.push((key, c));
                clients.len() - 1
            }
        };
        let https = job.case.legs().any(|r| r.scheme == Scheme::Https);
        let (result, case_ledger, legs) = match opts.no_https.as_deref().filter(|_| https) {
            Some(why) => not_run(&job, why),
            None => {
                let corr = format!("{:012}-{:x}", sh.nonce, job.seq);
                run_case(
                    &mut clients[pos].1,
                    &sh.fetches,
                    &job,
                    &corr,
                    opts.viewer_only,
                )
                .await
            }
        };
        sh.ledger
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .merge(&case_ledger);
        if let Some(f) = &opts.on_done {
            f(i, &result);
        }
        // The job is this worker's own copy: its expectation moves into the result.
        let expect = std::mem::take(&mut job.case.expect);
        record(&sh, i, &job, with_details(result, expect, legs));
    }
}

/// Keeps a finished case: spooled with a row in memory, or whole. Access-log and origin-failure
/// cases are looked at again after the run: they stay whole in memory, as does everything when
/// the spool cannot be written.
fn record(sh: &Shared, i: usize, job: &Job, full: CaseResult) {
    let keep = job.case.access_log || job.case.origin_failure.is_some();
    let spooled = match &sh.spool {
        Some(s) if !keep => s.write(&full).ok(),
        _ => None,
    };
    let mut done = sh.results.lock().unwrap_or_else(|e| e.into_inner());
    done.slots[i] = match spooled {
        Some(entry) => {
            let (n, bytes) = logcheck::wire_totals(&full.wire);
            done.wire.0 += n;
            done.wire.1 += bytes;
            Slot::Spooled(done.lists.summary(&full, entry))
        }
        None => Slot::Whole(Box::new(full)),
    };
}

/// The run's output once every worker has ended.
fn collect(sh: Shared) -> RunOutput {
    let spool = sh.spool;
    let done = sh.results.into_inner().unwrap_or_else(|e| e.into_inner());
    let ledger = sh.ledger.into_inner().unwrap_or_else(|e| e.into_inner());
    output(done, ledger, spool)
}

/// [`collect`] when a worker still holds the state (it panicked): what was finished, and the
/// spool left unfinished (its cases reported from memory rows only).
fn collect_shared(sh: &Shared) -> RunOutput {
    let done = std::mem::replace(
        &mut *sh.results.lock().unwrap_or_else(|e| e.into_inner()),
        Done {
            slots: Vec::new(),
            lists: spool::Lists::default(),
            wire: (0, 0),
        },
    );
    let ledger = std::mem::take(&mut *sh.ledger.lock().unwrap_or_else(|e| e.into_inner()));
    output(done, ledger, None)
}

/// Results in input order, rows for the spooled ones, and the finished spool.
fn output(done: Done, ledger: Ledger, spool: Option<spool::Spool>) -> RunOutput {
    let mut out = Vec::new();
    // Collected in place (a row is no bigger than a slot): a big run never holds both.
    let rows: Vec<spool::Row> = done
        .slots
        .into_iter()
        .filter_map(|slot| match slot {
            Slot::Empty => None,
            Slot::Whole(c) => {
                out.push(*c);
                Some(spool::Row::Kept(out.len() as u32 - 1))
            }
            Slot::Spooled(m) => Some(spool::Row::Spooled(m)),
        })
        .collect();
    let spool = spool.map(|s| {
        let file = s.finish().unwrap_or_else(|(f, e)| {
            eprintln!(
                "edgeconform run: cannot finish the spool {}: {e}; its cases are reported as errors",
                f.path.display()
            );
            f
        });
        spool::Spooled {
            file,
            rows,
            lists: done.lists,
            wire: done.wire,
        }
    });
    RunOutput {
        results: out,
        ledger,
        spool,
    }
}

/// Runs one case: its priming request if it has one, then every leg ([`run_legs`]). The priming
/// request is charged and listed (after the legs, `prime: true`, so leg `i` stays `requests[i]`)
/// but not judged; a priming request that gets no response makes the case an error.
async fn run_case(
    client: &mut Client,
    fetches: &cache::Fetches,
    job: &Job,
    corr: &str,
    viewer_only: bool,
) -> (CaseResult, Ledger, Vec<Outcome>) {
    let Some(p) = &job.case.prime else {
        return run_legs(client, fetches, job, corr, viewer_only).await;
    };
    let id = format!("{corr}-p");
    let primed = leg::send(client, fetches, job, p, &id, viewer_only).await;
    let (mut result, mut ledger, mut legs) =
        run_legs(client, fetches, job, corr, viewer_only).await;
    match primed {
        Ok((info, o)) => {
            if let Some(c) = charge(p, &o) {
                ledger.add(&c);
            }
            result.requests.push(RequestInfo {
                prime: true,
                ..info
            });
            result.wire.push((o.status, o.header_bytes + o.body_bytes));
            legs.push(o);
        }
        Err(e) => {
            result.requests.push(RequestInfo {
                prime: true,
                ..leg::request_info(p, &id)
            });
            result.verdict = match e.downcast_ref::<client::NotRun>() {
                Some(_) => Verdict::NotRun,
                None => Verdict::Error,
            };
            result.error = Some(format!("priming request: {e:#}"));
        }
    }
    (result, ledger, legs)
}

/// Runs the legs of one case, then the judge and the case's expectations.
async fn run_legs(
    client: &mut Client,
    fetches: &cache::Fetches,
    job: &Job,
    corr: &str,
    viewer_only: bool,
) -> (CaseResult, Ledger, Vec<Outcome>) {
    let started = Instant::now();
    let case = &job.case;
    let mut requests = Vec::new();
    let mut legs: Vec<Outcome> = Vec::new();
    let mut error = None;
    let mut ledger = Ledger::default();
    for (leg, req) in case.legs().enumerate() {
        // The HTTPS leg of a pair only follows a redirect.
        if leg > 0
            && !legs
                .last()
                .is_some_and(|o: &Outcome| (300..400).contains(&o.status))
        {
            break;
        }
        let id = format!("{corr}-{leg}");
        match leg::send(client, fetches, job, &req, &id, viewer_only).await {
            Ok((info, o)) => {
                requests.push(info);
                if let Some(c) = charge(&req, &o) {
                    ledger.add(&c);
                }
                legs.push(o);
            }
            Err(e) => {
                requests.push(leg::request_info(&req, &id));
                // A request the client cannot make as written (HTTP/2 to a target without h2) is
                // no fault of the target's: the case is not run, whatever earlier legs saw.
                if let Some(n) = e.downcast_ref::<client::NotRun>() {
                    let result = CaseResult {
                        requests,
                        error: Some(format!("leg {}: {n}", leg + 1)),
                        duration_ms: started.elapsed().as_millis() as u64,
                        ..blank_result(job, Verdict::NotRun, case.level)
                    };
                    return (result, ledger, legs);
                }
                error = Some(format!("leg {}: {e:#}", leg + 1));
                break;
            }
        }
    }
    let (findings, verdict, level) = evaluate(case, &job.dist, &legs, error.is_some());
    let result = CaseResult {
        requests,
        findings,
        error,
        duration_ms: started.elapsed().as_millis() as u64,
        wire: legs
            .iter()
            .map(|o| (o.status, o.header_bytes + o.body_bytes))
            .collect(),
        ..blank_result(job, verdict, level)
    };
    (result, ledger, legs)
}

/// The result of a case with nothing sent yet.
fn blank_result(job: &Job, verdict: Verdict, level: Level) -> CaseResult {
    let case = &job.case;
    CaseResult {
        seq: job.seq,
        id: case.id.clone(),
        name: case.name.clone(),
        file: case.file.clone(),
        line: case.pos.line,
        rules: case.rules.clone(),
        level,
        tags: case.tags.clone(),
        verdict,
        requests: Vec::new(),
        expected: Vec::new(),
        observed: Vec::new(),
        findings: Vec::new(),
        error: None,
        duration_ms: 0,
        wire: Vec::new(),
    }
}

/// A case the target cannot be asked (no listener for its scheme): `not run`, with the reason.
fn not_run(job: &Job, why: &str) -> (CaseResult, Ledger, Vec<Outcome>) {
    let result = CaseResult {
        error: Some(why.to_string()),
        ..blank_result(job, Verdict::NotRun, job.case.level)
    };
    (result, Ledger::default(), Vec::new())
}

/// Fills in the expectation and observed outcomes of a case kept whole in memory.
fn with_details(
    mut r: CaseResult,
    expect: edgeconform_core::spec::Expectation,
    legs: Vec<Outcome>,
) -> CaseResult {
    r.expected = vec![expect];
    r.observed = legs;
    r
}

#[cfg(test)]
mod tests {
    use super::Verdict;
    use edgeconform_core::spec::{load_suite, Case};

    /// The first case of a one-scenario suite on the standard distribution.
    fn case(scenario: &str) -> (Case, edgeconform_core::distribution::Distribution) {
        let text = format!(
            "distribution: standard.yaml\nscenarios:\n  - id: c\n    name: a case\n{scenario}"
        );
        let read = |_: &str| -> Result<String, String> {
            Ok(include_str!("../../../../specs/distributions/standard.yaml").to_string())
        };
        let suite = load_suite(&text, "t.yaml", &read).unwrap_or_else(|p| panic!("{p:?}"));
        (suite.case(0).into_owned(), suite.distribution.clone())
    }

    /// An HTTP/2 case against a target that offers no h2 is not run (the client cannot make the
    /// request as written), never an error of the target's.
    #[tokio::test]
    async fn an_h2_case_without_h2_by_alpn_is_not_run() {
        use super::client::tests::{client, server};
        let ca = crate::tls::TestCa::generate().unwrap();
        let (addr, _) = server(&ca, &[b"http/1.1"], 0).await;
        let (c, d) = case(
            "    rules: [VPP-HTTPS-SERVED]\n    request: {method: GET, scheme: https, path: /images/a.jpg, host: www.example.com, version: '2'}\n    expect:\n      viewer: {status: 200}\n",
        );
        let job = super::Job {
            seq: 0,
            case: c,
            dist: std::sync::Arc::new(d),
            endpoint: super::client::Endpoint {
                http: addr,
                https: addr,
                tls_name: "www.example.com".into(),
            },
        };
        let fetches = super::cache::Fetches::new(std::sync::Arc::new(super::embedded::NoRecords));
        let (r, _, legs) =
            super::run_case(&mut client(&ca, addr), &fetches, &job, "c", false).await;
        assert_eq!(r.verdict, Verdict::NotRun, "{:?}", r.error);
        assert!(legs.is_empty());
        let why = r.error.unwrap_or_default();
        assert!(why.contains("h2 not offered"), "{why}");
    }

    #[test]
    fn a_row_fits_in_a_slot() {
        // `run` turns its slots into rows in place; that needs a row no bigger than a slot.
        assert!(std::mem::size_of::<super::spool::Row>() <= std::mem::size_of::<super::Slot>());
        assert!(std::mem::size_of::<super::Slot>() <= 56);
    }
}
