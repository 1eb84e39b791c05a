//! `edgeconform fuzz`: generated requests against a live edge, each judged by the model exactly as
//! a suite case is; failures grouped by (rule, misreading), the first example of each group shrunk
//! while it still fails for the same rule, and every group written as a ready-to-run scenario.
//!
//! ```text
//! $ edgeconform fuzz --mutant star-stops-at-slash --requests 5000 --seed 1
//! edgeconform fuzz: mutant-star-stops-at-slash, seed 1, 5000 requests at most, 20000 req/s at most
//! 5000 requests in 1.9 s (2630 judged/s): 812 failed in 1 group
//!   PAT-WILDCARD (VPP-REDIRECT-SAFE)  812×  GET http://d111111abcdef8.cloudfront.net/images/a/b
//!       observed 200 (origin assets reached over http port 80 with /images/a/b); expected 301
//! scenarios: specs/found/mutant-star-stops-at-slash/2026-12-03.yaml
//! reports: reports/fuzz/20261203T010000Z-mutant-star-stops-at-slash/
//! ```
//!
//! Request `i` of a seed is always the same request (`edgeconform_core::fuzzgen::live`), however
//! the workers share the indices; a group's example is the lowest index that showed it, so a run
//! of N requests finds and shrinks the same examples every time against a deterministic target.
//! With `--shard I/N` a run sends only the indices `i % N == I-1` (`stream.rs`); `report --merge`
//! puts the shards' `fuzz.json` back together (`merge.rs`).

mod args;
mod found;
mod merge;
mod probe;
mod progress;
mod render;
mod report;
mod send;
mod shrink;
mod stream;

use crate::exit;
use crate::runner::cache::Fetches;
use crate::runner::target::{self, read_distribution, Serves, Started};
use anyhow::Result;
pub use args::{parse_duration, FuzzArgs};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::fuzzgen::live::LiveGen;
use edgeconform_core::RuleId;
pub use merge::merge_files;
use probe::{Clients, Key};
pub use report::is_fuzz_report;
use send::{Acc, Sending};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stream::Stream;

pub fn run(args: FuzzArgs) -> u8 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("edgeconform fuzz: cannot start the runtime: {e}");
            return exit::HARNESS;
        }
    };
    match rt.block_on(run_async(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("edgeconform fuzz: {e:#}");
            exit::of_error(&e)
        }
    }
}

/// What the run needs to know once it is set up.
struct Setup {
    dist: Arc<Distribution>,
    gen: Arc<LiveGen>,
    seed: u64,
    shard: Option<(u64, u64)>,
    /// The indices of the seed's stream this run sends.
    stream: Stream,
    cap: u64,
    rate: f64,
    deadline: Option<Duration>,
}

fn usage(m: String) -> anyhow::Error {
    anyhow::Error::new(exit::Usage(m))
}

fn setup(args: &FuzzArgs) -> Result<Setup> {
    for u in args.target.target.iter().chain(&args.target.target_https) {
        let a = target::addr_of(u)?;
        if !a.ip().is_loopback() && !args.allow_remote {
            return Err(usage(format!(
                "`{u}` is not a loopback address; fuzzing someone's edge needs --allow-remote (and a --rate it can take)"
            )));
        }
    }
    if args.jobs == 0 {
        return Err(usage("--jobs must be at least 1".into()));
    }
    if args.timeout.is_nan() || args.timeout <= 0.0 {
        return Err(usage(
            "--timeout must be a positive number of seconds".into(),
        ));
    }
    let remote = args.allow_remote;
    let rate = args.rate.unwrap_or(if remote { 20.0 } else { 20_000.0 });
    if !rate.is_finite() || rate <= 0.0 {
        return Err(usage(format!(
            "--rate {rate} is not a positive number of requests per second"
        )));
    }
    let cap = args
        .max_requests
        .unwrap_or(if remote { 10_000 } else { 5_000_000 });
    if args.requests == Some(0) {
        return Err(usage("--requests 0 sends nothing".into()));
    }
    if args.shard.is_some() && args.seed.is_none() {
        return Err(usage(
            "--shard needs an explicit --seed: without one each shard draws its own seed from the clock, and the shards would not split one stream".into(),
        ));
    }
    let stream = Stream::new(args.shard, args.requests.unwrap_or(u64::MAX), cap);
    if let (Some((i, n)), 0) = (args.shard, stream.len()) {
        return Err(usage(format!(
            "--requests {} leaves shard {i}/{n} nothing to send (its first request is number {i} of the stream); give at least {i} requests or fewer shards",
            args.requests.unwrap_or(0)
        )));
    }
    if stream.len() == 0 {
        return Err(usage("--max-requests 0 sends nothing".into()));
    }
    let deadline = match (args.duration, args.requests) {
        (Some(d), _) => Some(d),
        (None, Some(_)) => None,
        (None, None) => Some(Duration::from_secs(60)),
    };
    let dist = read_distribution(&args.target.distribution)?;
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 % 1_000_000_000)
    });
    Ok(Setup {
        gen: Arc::new(LiveGen::new(&dist, seed)),
        dist: Arc::new(dist),
        seed,
        shard: args.shard,
        stream,
        cap,
        rate,
        deadline,
    })
}

async fn run_async(args: FuzzArgs) -> Result<u8> {
    let s = setup(&args)?;
    let started_at = crate::report::model::now_rfc3339();
    let ca = crate::tls::TestCa::generate()?;
    let tls = args.target.client_tls(&ca)?;
    // The fuzzer reads no access log: the embedded edge writes none.
    let Started {
        env,
        info,
        recipe,
        no_https,
    } = args
        .target
        .start(&ca, Serves::External((*s.dist).clone()), None)
        .await?;
    let baseline = match &recipe {
        Some(r) => match crate::runner::recipe::expected(r.dir()) {
            Ok(b) => Some(b),
            Err(e) => {
                r.stop();
                env.shutdown().await;
                return Err(usage(format!("{e:#}")));
            }
        },
        None => None,
    };
    announce(&info.name, &s, no_https.as_deref());
    let endpoint = env.endpoint_for(&s.dist, None);
    let fetches = Arc::new(Fetches::new(env.records()));
    let stop = Arc::new(AtomicBool::new(false));
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let (stop, interrupted) = (stop.clone(), interrupted.clone());
        tokio::spawn(async move {
            let _ = crate::signals::wait_for_stop().await;
            interrupted.store(true, Ordering::Relaxed);
            stop.store(true, Ordering::Relaxed);
        });
    }
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64 % 1_000_000_000_000);
    let started = Instant::now();
    let sending = Arc::new(Sending {
        gen: s.gen.clone(),
        dist: s.dist.clone(),
        fetches,
        counters: Arc::default(),
        groups: Arc::default(),
        errors: Mutex::default(),
        stop,
        next: AtomicU64::new(0),
        stream: s.stream,
        nonce,
        started,
        deadline: s.deadline.map(|d| started + d),
        rate: s.rate,
        viewer_only: args.target.viewer_only,
        no_https: no_https.is_some(),
        until: args.until.clone(),
    });
    let timeout = Duration::from_secs_f64(args.timeout);
    let fuzz_time = sending.run(args.jobs, &endpoint, &tls, timeout).await;
    let sent = sending.counters.sent.load(Ordering::Relaxed);
    let groups = std::mem::take(&mut *sending.groups.lock().unwrap_or_else(|e| e.into_inner()));
    let was_interrupted = interrupted.load(Ordering::Relaxed);
    let clients = Clients::new(endpoint.clone(), tls.clone(), timeout);
    let shrinking = Shrinking {
        args: &args,
        s: &s,
        sending: &sending,
        baseline: baseline.as_ref(),
        interrupted: &interrupted,
    };
    let shrunk = shrinking
        .shrink_all(groups, clients, was_interrupted, s.cap.saturating_sub(sent))
        .await;
    if let Some(r) = &recipe {
        r.stop();
    }
    env.shutdown().await;
    let interrupted = was_interrupted || interrupted.load(Ordering::Relaxed);

    let ran = Ran {
        info,
        started_at,
        fuzz_time,
        interrupted,
    };
    Ok(finish(&args, &s, &sending, ran, shrunk))
}

/// What the run was, once it is over.
struct Ran {
    info: crate::report::model::TargetInfo,
    started_at: String,
    fuzz_time: Duration,
    interrupted: bool,
}

/// Writes the groups as scenarios and the reports, prints the summary, and gives the exit code.
fn finish(
    args: &FuzzArgs,
    s: &Setup,
    sending: &Sending,
    ran: Ran,
    mut shrunk: Vec<report::Group>,
) -> u8 {
    let Ran {
        info,
        started_at,
        fuzz_time,
        interrupted,
    } = ran;
    let sent = sending.counters.sent.load(Ordering::Relaxed);
    let slug = crate::report::write::sanitise(&info.name);
    let found_file = if shrunk.is_empty() {
        None
    } else {
        match found::write(&args.found, &slug, &s.dist, &mut shrunk, &info.name, s.seed) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("edgeconform fuzz: cannot write the scenarios: {e:#}");
                None
            }
        }
    };
    let counters = &sending.counters;
    let errors = std::mem::take(&mut *sending.errors.lock().unwrap_or_else(|e| e.into_inner()));
    let rep = report::FuzzReport {
        schema_version: report::SCHEMA_VERSION,
        tool: report::TOOL.into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        target: info,
        distribution: args.target.distribution.display().to_string(),
        seed: s.seed,
        shard: s.shard.map(|(i, n)| report::ShardInfo {
            of: n,
            parts: vec![i],
            stream_requests: args.requests,
        }),
        started: started_at,
        duration_ms: fuzz_time.as_millis() as u64,
        requests: sent,
        failed: counters.failed.load(Ordering::Relaxed),
        not_run: counters.not_run.load(Ordering::Relaxed),
        not_run_reason: counters
            .not_run_reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone(),
        errors: counters.errors.load(Ordering::Relaxed),
        judged_per_second: (sent as f64 / fuzz_time.as_secs_f64().max(1e-9)).round(),
        interrupted,
        scenarios: found_file.as_ref().map(|p| p.display().to_string()),
        shard_scenarios: Vec::new(),
        groups: shrunk.iter().map(report::Group::report).collect(),
        error_examples: errors
            .into_iter()
            .map(|(i, e)| report::ErrorExample {
                index: i,
                request: report::RequestView::of(&s.gen.request(i)),
                error: e,
            })
            .collect(),
    };
    print!("{}", render::console(&rep));
    match render::write_all(&rep, &args.reports) {
        Ok(dir) => eprintln!("reports: {}", dir.display()),
        Err(e) => eprintln!("edgeconform fuzz: cannot write the reports: {e}"),
    }
    if let Some(p) = &found_file {
        eprintln!(
            "scenarios: {} (replay with `edgeconform run {}`)",
            p.display(),
            p.display()
        );
    }
    rep.exit_code("edgeconform fuzz")
}

/// The line that says what is fuzzed, with which seed, shard and limits.
fn announce(name: &str, s: &Setup, no_https: Option<&str>) {
    let seed = match s.shard {
        Some((i, n)) => format!("seed {}, shard {i}/{n}", s.seed),
        None => format!("seed {}", s.seed),
    };
    eprintln!(
        "edgeconform fuzz: {}, {seed}, {} at most, {} req/s at most",
        name,
        match (s.stream.len(), s.deadline) {
            (u64::MAX, Some(d)) => format!("{:.0} s", d.as_secs_f64()),
            (n, None) => format!("{n} requests"),
            (n, Some(d)) => format!("{n} requests or {:.0} s", d.as_secs_f64()),
        },
        s.rate
    );
    if s.shard.is_some() && s.stream.len() < s.stream.share() && s.stream.share() != u64::MAX {
        eprintln!(
            "edgeconform fuzz: --max-requests {} stops this shard before its {} requests: the shards will not cover the stream",
            s.cap,
            s.stream.share()
        );
    }
    if let Some(why) = no_https {
        eprintln!("edgeconform fuzz: {why}: HTTPS requests are not run");
    }
}

/// What shrinking the groups needs of the run.
struct Shrinking<'a> {
    args: &'a FuzzArgs,
    s: &'a Setup,
    sending: &'a Sending,
    /// The recipe's baseline: a group whose rule is in it is expected.
    baseline: Option<&'a BTreeSet<RuleId>>,
    /// Set on Ctrl-C: the groups left are reported unshrunk.
    interrupted: &'a AtomicBool,
}

impl Shrinking<'_> {
    /// Shrinks one group after another, in key order, on connections of their own, within the
    /// global request cap (`budget_left`); an interrupted run reports its groups unshrunk.
    async fn shrink_all(
        &self,
        groups: BTreeMap<Key, Acc>,
        mut clients: Clients,
        was_interrupted: bool,
        mut budget_left: u64,
    ) -> Vec<report::Group> {
        let mut shrunk = Vec::new();
        for (key, acc) in groups {
            let result = if was_interrupted || self.interrupted.load(Ordering::Relaxed) {
                shrink::Shrunk::unshrunk(acc.req.clone(), acc.failure.clone())
            } else {
                let budget = self.args.shrink_budget.min(budget_left);
                let r = shrink::shrink(
                    &mut clients,
                    &self.sending.fetches,
                    &self.s.dist,
                    &key,
                    (acc.req.clone(), acc.failure.clone()),
                    shrink::Limits {
                        budget,
                        rate: self.s.rate,
                        viewer_only: self.args.target.viewer_only,
                        id_prefix: format!("{:012}-s{}", self.sending.nonce, shrunk.len()),
                    },
                )
                .await;
                budget_left = budget_left.saturating_sub(r.sends);
                r
            };
            shrunk.push(self.group(key, acc, result));
        }
        shrunk
    }

    fn group(&self, key: Key, acc: Acc, result: shrink::Shrunk) -> report::Group {
        report::Group {
            // A rule the judge names in place of a listed one that gives the same answer (its
            // alternatives) is that listed deviation seen again, as the self-test counts it.
            in_baseline: self.baseline.map(|b| {
                key.rule.is_some_and(|r| b.contains(&r))
                    || result
                        .failure
                        .alternatives(&key)
                        .iter()
                        .any(|r| b.contains(r))
            }),
            key,
            count: acc.count,
            found_after_ms: acc.found_after_ms,
            first_index: acc.first,
            original: acc.req,
            level: result.failure.level,
            shrunk: result,
            scenario_id: String::new(),
        }
    }
}
