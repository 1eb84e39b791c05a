//! `edgeconform run`: the main job. Loads the suites, starts the instrumented origin (and, without
//! `--target`, the embedded reference edge), runs every selected case, prints a verdict per rule and
//! writes the reports.
//!
//! ```text
//! $ edgeconform run specs/
//! edgeconform: reference edge http=127.0.0.1:40001 https=127.0.0.1:40002
//! ...
//! 412 passed, 0 failed
//! reports: reports/20261128T171500Z-reference/ (and reports/latest/)
//! ```

use crate::cmd::target::TargetArgs;
use crate::exit;
use crate::report::model::{RunResult, TargetInfo, SCHEMA_VERSION};
use crate::runner::target::{read_distribution, Serves, Started};
use crate::runner::{self, plan::Selection, records::Records, Jobs, RunOpts};
use anyhow::Result;
use clap::Args;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::spec::{Case, Suite};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Suite files or folders (folders are searched for *.yaml; `distributions/` is skipped).
    /// Default: `specs`; with --distribution and no paths, the suite derived from that
    /// distribution (`edgeconform derive`).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Run only cases with this tag (repeatable: any of them).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Run only the case with this id (repeatable).
    #[arg(long = "id")]
    pub ids: Vec<String>,
    /// Run only shard I of N (`--shard 1/4`): cases are split by a stable hash of their id, so a CI
    /// matrix of N jobs covers the suite once.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Requests in flight at once.
    #[arg(long, short = 'j', default_value_t = 16)]
    pub jobs: usize,
    /// Seconds to wait for one complete response.
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
    /// Bytes of each response body kept for judging; the rest is read, counted (billing, byte
    /// totals) and dropped, so an endless or huge body cannot exhaust memory.
    #[arg(long, value_name = "BYTES", default_value_t = crate::runner::client::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: u64,
    /// Seconds for the whole run; cases not started by then are left out and the report says so.
    #[arg(long)]
    pub global_timeout: Option<f64>,
    /// Where reports go (a run folder plus `latest/`).
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Keep the test CA under reports/.ca/ so an external target can be configured with it.
    #[arg(long)]
    pub keep_ca: bool,
    /// With --target: the target's access logs, read after the run (LOG-*, BIL-LOG-RECONCILE): a
    /// file or a folder (searched recursively), repeatable; each plain or gzipped, in the legacy
    /// standard format or standard logging v2 (JSON, W3C, plain). Only the run's lines are used.
    /// The embedded edge always writes and checks its own.
    #[arg(long, value_name = "FILE|DIR")]
    pub access_log: Vec<PathBuf>,
    /// The v2 field selection of plain (header-less) logs, in order, separated by commas or
    /// spaces, as configured for the delivery; by default the legacy 33 fields.
    #[arg(long, value_name = "NAMES", requires = "access_log")]
    pub log_fields: Option<String>,
    /// The field delimiter of the v2 delivery (W3C and plain), when it is not a tab or a space.
    #[arg(long, value_name = "TEXT", requires = "access_log")]
    pub log_delimiter: Option<String>,
    /// Let caches keep the origin's answers (`Cache-Control: public, max-age=300` instead of
    /// `no-store`), to test a caching edge: a response served from its cache passes the policy
    /// rules, and the origin-side rules are judged on the fetch that filled it or are reported
    /// not observed. A scenario's `cacheable:` still decides for its own requests.
    #[arg(long)]
    pub cacheable: bool,
    /// --distribution was given on the command line (set by `main`).
    #[arg(skip)]
    pub distribution_given: bool,
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("`{s}` is not a shard; expected I/N with 1 <= I <= N, e.g. 1/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// FNV-1a of a case id: stable across runs, machines and Rust versions (unlike `DefaultHasher`).
fn shard_of(id: &str, n: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h % n + 1
}

/// Runs with more cases than this keep only compact copies of passing cases in memory (the full
/// ones are spooled to disk and streamed into report.json).
const SPOOL_ABOVE: usize = 2000;

pub fn run(args: RunArgs) -> u8 {
    let suites = match crate::cmd::derive::suites_for_run(
        &args.paths,
        &args.target.distribution,
        args.distribution_given,
    ) {
        Ok(s) => s,
        Err(problems) => {
            for p in problems {
                eprintln!("{p}");
            }
            return exit::USAGE;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("edgeconform run: cannot start the runtime: {e}");
            return exit::HARNESS;
        }
    };
    match rt.block_on(run_async(args, suites)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("edgeconform run: {e:#}");
            exit::of_error(&e)
        }
    }
}

/// Cases selected by tag, id and shard (only those on `only` when given), as indices: matrix
/// cells are built when they run.
fn selected(suites: Vec<Suite>, args: &RunArgs, only: Option<&Distribution>) -> Selection {
    let on_target: Vec<bool> = suites
        .iter()
        .map(|s| only.is_none_or(|d| *d == s.distribution))
        .collect();
    Selection::new(suites, |si, s, i| {
        on_target[si]
            && s.selects(i, &args.tags, &args.ids)
            && args.shard.is_none_or(|(k, n)| shard_of(&s.id(i), n) == k)
    })
}

async fn run_async(args: RunArgs, suites: Vec<Suite>) -> Result<u8> {
    let started = Instant::now();
    let started_at = crate::report::model::now_rfc3339();
    let plain_fields = args.log_fields.as_deref().map(|f| {
        f.split([',', ' '])
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    let log_opts = LogOpts {
        plain_fields,
        delimiter: args.log_delimiter.clone(),
        window: None,
    };
    // A bad field selection or delimiter is a usage error before anything is sent.
    log_opts
        .reader()
        .map_err(|e| anyhow::Error::new(exit::Usage(e)))?;
    let ca = crate::tls::TestCa::generate()?;
    if args.keep_ca {
        ca.save(&args.reports.join(".ca"))?;
    }
    let tls = args.target.client_tls(&ca)?;
    let (cases, serves) = if args.target.is_external() {
        let dist = read_distribution(&args.target.distribution)?;
        (external_cases(suites, &args, &dist), Serves::External(dist))
    } else {
        let cases = selected(suites, &args, None);
        let needs = cases.needs();
        (cases, Serves::Embedded(needs))
    };
    let Started {
        env,
        info: target,
        recipe,
        no_https,
    } = args
        .target
        .start(&ca, serves, Some(&args.reports.join(".edge-logs")))
        .await?;
    if cases.is_empty() {
        eprintln!("edgeconform run: no case selected (check the paths, --tag and --id)");
        if let Some(r) = &recipe {
            r.stop();
        }
        return Ok(exit::USAGE);
    }
    let ruleset = cases.ruleset().to_string();
    // The access-log cases are evaluated again once the log is read.
    let log_cases: Vec<(Case, Arc<Distribution>)> = cases
        .scenarios()
        .filter(|(c, _)| c.access_log || c.origin_failure.is_some())
        .map(|(c, d)| (c.clone(), d.clone()))
        .collect();
    let jobs: Arc<dyn Jobs> = Arc::new(cases.into_jobs(|d, f| env.endpoint_for(d, f)));
    let total = jobs.len();
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        tokio::spawn(async move {
            let _ = crate::signals::wait_for_stop().await;
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    }
    if let Some(g) = args.global_timeout {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs_f64(g)).await;
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    }
    let progress = crate::runner::progress::Progress::new(total as u64);
    let on_done = progress.callback();
    let records: Arc<dyn Records> = env.records();
    if args.cacheable {
        records.set_cacheable(None, true).await;
    }
    let target = TargetInfo {
        http: env.http_desc(&target),
        https: env.https_desc(&target),
        ..target
    };
    let spool = (total > SPOOL_ABOVE).then(|| {
        args.reports
            .join(format!(".spool-{}.jsonl", std::process::id()))
    });
    let mut out = runner::run(
        jobs,
        records,
        tls,
        RunOpts {
            jobs: args.jobs,
            request_timeout: Duration::from_secs_f64(args.timeout),
            max_body_bytes: args.max_body_bytes,
            stop: stop.clone(),
            on_done: Some(on_done),
            spool,
            no_https,
            viewer_only: args.target.viewer_only,
        },
    )
    .await;
    let (results, ledger) = (std::mem::take(&mut out.results), out.ledger.clone());
    progress.finish();
    let ran = out.spool.as_ref().map_or(results.len(), |s| s.rows.len());
    let interrupted = ran < total;
    let logs: Vec<PathBuf> = if args.access_log.is_empty() {
        env.access_logs()
    } else {
        settle(&args.access_log).await;
        args.access_log.clone()
    };
    let log_opts = LogOpts {
        window: run_window(started),
        ..log_opts
    };
    if let Some(r) = &recipe {
        r.stop();
    }
    env.shutdown().await;
    let mut results = results;
    let log_reconcile = if logs.is_empty() {
        None
    } else {
        let wire = out.spool.as_ref().map_or((0, 0), |s| s.wire);
        match check_logs(
            &logs,
            &mut results,
            (wire, out.spool.as_ref()),
            &log_cases,
            &log_opts,
        ) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("edgeconform run: {e}");
                return Ok(exit::USAGE);
            }
        }
    };
    let run = RunResult {
        schema_version: SCHEMA_VERSION,
        tool: "edgeconform".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        target,
        ruleset,
        started: started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        interrupted,
        cases: results,
        ledger,
        log_reconcile,
        spool: out.spool,
    };
    let color = std::env::var_os("NO_COLOR").is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stdout());
    print!("{}", crate::report::console::render(&run, color));
    let written = crate::report::write::write_all(&run, &args.reports);
    if let Some(s) = &run.spool {
        s.file.remove();
    }
    let dir = written?;
    eprintln!(
        "reports: {} (and {})",
        dir.display(),
        args.reports.join("latest").display()
    );
    if interrupted {
        eprintln!(
            "edgeconform run: interrupted after {} of {total} cases",
            run.len()
        );
    }
    if let Some(r) = &recipe {
        return Ok(baseline_verdict(&run, r.dir()));
    }
    use crate::report::model::Verdict;
    let totals = run.totals();
    if !run.is_empty() && totals.not_run == run.len() {
        eprintln!("edgeconform run: no selected case could run against this target (see `not run` in the report)");
        return Ok(exit::USAGE);
    }
    // Nothing seen to hold or to break is no pass: a run whose cases were all not observed (or
    // not run) says nothing about the target.
    if !run.is_empty() && totals.passed == 0 && totals.failed == 0 {
        eprintln!("edgeconform run: no selected case could be observed against this target (see `not observed` in the report); choose cases whose rules this run can see");
        return Ok(exit::USAGE);
    }
    let unreachable = !run.is_empty()
        && run
            .tallies()
            .all(|t| matches!(t.verdict, Verdict::Error | Verdict::NotRun));
    if unreachable {
        eprintln!("edgeconform run: no case got a response: the target is unreachable or not speaking HTTP");
    }
    Ok(if unreachable || interrupted {
        exit::HARNESS
    } else if run.gated() {
        exit::FAIL
    } else {
        exit::OK
    })
}

/// How the access logs are read: the field selection of plain v2 logs, and when the run sent
/// its requests (milliseconds since the epoch), for logs matched by time and path.
#[derive(Debug, Clone, Default)]
pub struct LogOpts {
    pub plain_fields: Option<Vec<String>>,
    pub delimiter: Option<String>,
    pub window: Option<(u64, u64)>,
}

impl LogOpts {
    /// The line reader every log file starts from; fails (naming the flag) on a bad field
    /// selection or delimiter.
    pub fn reader(&self) -> std::result::Result<edgeconform_core::logline::LineReader, String> {
        use edgeconform_core::logline::LineReader;
        let r = match &self.plain_fields {
            Some(names) => LineReader::with_plain_fields(names.iter().map(String::as_str))
                .map_err(|e| format!("--log-fields: {e}"))?,
            None => LineReader::new(),
        };
        match &self.delimiter {
            Some(d) => r
                .with_delimiter(d)
                .map_err(|e| format!("--log-delimiter: {e}")),
            None => Ok(r),
        }
    }
}

/// From `started` to now, in milliseconds since the epoch.
fn run_window(started: Instant) -> Option<(u64, u64)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_millis() as u64;
    Some((
        now.saturating_sub(started.elapsed().as_millis() as u64),
        now,
    ))
}

/// Reads the access logs, re-evaluates the cases that ask for the log, and reconciles the run's
/// lines with what the viewer side received. Fails only on a bad plain field selection.
pub fn check_logs(
    logs: &[PathBuf],
    results: &mut [crate::report::model::CaseResult],
    (spooled_wire, spool): ((u64, u64), Option<&crate::report::spool::Spooled>),
    cases: &[(Case, Arc<Distribution>)],
    opts: &LogOpts,
) -> std::result::Result<crate::report::model::LogReconcile, String> {
    use crate::runner::logcheck;
    // Only the log lines of the access-log cases are kept; the rest of the run's are counted.
    let is_log_case = |id: &str| cases.iter().any(|(c, _)| c.access_log && c.id == id);
    let mut run = logcheck::RunLegs::new(results, |r| is_log_case(&r.id), opts.window);
    // The spooled cases' requests, read back one case at a time: their lines are the run's too.
    if let Some(s) = spool {
        if let Ok(mut reader) = s.file.reader() {
            for row in &s.rows {
                if let crate::report::spool::Row::Spooled(m) = row {
                    let case = reader.line(m.entry).ok().and_then(|l| {
                        serde_json::from_str::<crate::report::model::CaseResult>(&l).ok()
                    });
                    if let Some(c) = case {
                        run.add_spooled(&c);
                    }
                }
            }
        }
    }
    let mut read = logcheck::LogRead::default();
    read.read_paths(logs, &run, opts.reader()?);
    for (i, r) in results.iter_mut().enumerate() {
        let Some((case, dist)) = cases.iter().find(|(c, _)| c.id == r.id) else {
            continue;
        };
        if case.access_log {
            let requests = r.requests.clone();
            logcheck::apply(r, case, dist, |leg| match requests.get(leg) {
                Some(q) => read.lines_of(&run, (i, leg), q),
                None => logcheck::LegLines::Lines(Vec::new()),
            });
        }
    }
    let name = logs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let failure_ids: Vec<&str> = cases
        .iter()
        .filter(|(c, _)| c.origin_failure.is_some())
        .map(|(c, _)| c.id.as_str())
        .collect();
    let mut rec = logcheck::reconcile(&name, &read, results, spooled_wire, |r| {
        !failure_ids.contains(&r.id.as_str())
    });
    rec.problems.extend(read.shown);
    rec.ok = rec.problems.is_empty();
    Ok(rec)
}

/// The cases an external target can run: those on its distribution, without the ones that need
/// an origin failure the harness can only arrange for its own edge, and without the access-log
/// cases when no `--access-log` was given.
fn external_cases(suites: Vec<Suite>, args: &RunArgs, dist: &Distribution) -> Selection {
    let mut all = selected(suites, args, Some(dist));
    let failures = all
        .scenarios()
        .filter(|(c, _)| c.origin_failure.is_some())
        .count();
    if failures > 0 {
        eprintln!(
            "edgeconform run: {failures} cases need an arranged origin failure (ORG-FAILURE) and run only against the reference edge"
        );
    }
    let no_log = args.access_log.is_empty();
    let logs = all
        .scenarios()
        .filter(|(c, _)| c.access_log && c.origin_failure.is_none())
        .count();
    if no_log && logs > 0 {
        eprintln!("edgeconform run: {logs} access-log cases left out: give the target's log with --access-log FILE");
    }
    all.retain(
        |c| c.origin_failure.is_none() && !(no_log && c.access_log),
        true,
    );
    all
}

/// Waits until the target's log files stop growing (unchanged for 50 ms, at most 2 s): an
/// edge writes its last lines a moment after its last answer (the reference edge within 5 ms).
/// Folders are read as they are (logs delivered later, as CloudFront's, are another run's job).
async fn settle(paths: &[PathBuf]) {
    let size = || -> u64 {
        paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum()
    };
    let (mut last, mut still) = (size(), 0);
    for _ in 0..80 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        let now = size();
        still = if now == last { still + 1 } else { 0 };
        last = now;
        if still >= 2 {
            return;
        }
    }
}

/// A recipe passes when the rules it violates are exactly its baseline.
fn baseline_verdict(run: &RunResult, dir: &std::path::Path) -> u8 {
    let expected = match crate::runner::recipe::expected(dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("edgeconform run: {e:#}");
            return exit::USAGE;
        }
    };
    use std::collections::BTreeSet;
    let violated: BTreeSet<_> = run
        .by_rule()
        .into_iter()
        .filter(|(_, t)| t.failed > 0)
        .map(|(r, _)| r)
        .collect();
    // A listed rule that no case could observe (not observed, not run) is neither confirmed
    // nor gone: only a rule seen to hold makes a baseline entry stale, and only a case that
    // passed shows that (a case that failed for one of its rules may never have reached the
    // others: a request refused at the edge says nothing of the origin rules it names).
    // A rule some case left open (not observed) may be broken exactly there, so it is not stale.
    let (mut held, mut open) = (BTreeSet::new(), BTreeSet::new());
    for c in run.tallies() {
        open.extend(c.unobserved.iter().copied());
        if c.verdict.passed() {
            held.extend(
                c.rules
                    .iter()
                    .filter(|r| !c.unobserved.contains(r))
                    .copied(),
            );
        }
    }
    let seen_to_hold = |r: &edgeconform_core::rules::RuleId| held.contains(r) && !open.contains(r);
    let (new, fixed) = crate::runner::recipe::compare(&violated, &expected);
    let (fixed, unseen): (Vec<_>, Vec<_>) = fixed.into_iter().partition(|r| seen_to_hold(r));
    for r in &unseen {
        eprintln!(
            "edgeconform run: {r} is in {}/expected.yaml and was not observed in this run",
            dir.display()
        );
    }
    for r in &new {
        eprintln!(
            "edgeconform run: {r} is violated but not in {}/expected.yaml",
            dir.display()
        );
    }
    for r in &fixed {
        eprintln!(
            "edgeconform run: {r} is in {}/expected.yaml but no case violated it",
            dir.display()
        );
    }
    if new.is_empty() && fixed.is_empty() {
        println!(
            "baseline: the violations are exactly {}/expected.yaml ({} rules)",
            dir.display(),
            expected.len()
        );
        exit::OK
    } else {
        exit::FAIL
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_shard, shard_of};

    #[test]
    fn shards_parse_and_split_stably() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        for bad in ["0/4", "5/4", "1/0", "x", "1-4"] {
            assert!(
                parse_shard(bad).unwrap_err().contains("expected I/N"),
                "{bad}"
            );
        }
        // Pinned values (FNV-1a): a change here would reshuffle every CI matrix.
        assert_eq!(shard_of("redirect-get-keeps-query", 4), 3);
        assert_eq!(shard_of("redirect-get-keeps-query", 7), 3);
        assert_eq!(shard_of("a", 4), 1);
        assert_eq!(shard_of("a", 7), 6);
        assert_eq!(shard_of("case-0", 4), 1);
        let ids: Vec<String> = (0..1000).map(|i| format!("case-{i}")).collect();
        let mut counts = [0; 4];
        for id in &ids {
            counts[(shard_of(id, 4) - 1) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 200), "{counts:?}");
    }
}
