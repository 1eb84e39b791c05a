//! One run, step by step: the session started (see [`super::session`]), the selected cases
//! sent, the session finished, the access logs read and reconciled, the reports written, and the
//! exit code chosen.

use super::logs::{check_logs, run_window, settle, LogOpts};
use super::session::{Session, Trust};
use super::{baseline, select, RunArgs};
use crate::exit;
use crate::report::model::{Cases, LogReconcile, RunResult, Verdict, SCHEMA_VERSION};
use crate::runner::records::Records;
use crate::runner::{self, plan::Selection, Jobs, RunOpts, RunOutput};
use anyhow::Result;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::spec::{Case, Suite};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs with more cases than this keep only compact copies of passing cases in memory (the full
/// ones are spooled to disk and streamed into report.json).
const SPOOL_ABOVE: usize = 2000;

pub(super) async fn run_async(args: RunArgs, suites: Vec<Suite>) -> Result<u8> {
    let started = Instant::now();
    let started_at = crate::report::model::now_rfc3339();
    // A bad field selection or delimiter is a usage error before anything is sent.
    let log_opts = LogOpts::of(&args)?;
    let keep_ca = args.keep_ca.then(|| args.reports.join(".ca"));
    let trust = Trust::new(&args.target, keep_ca.as_deref())?;
    let (cases, serves) = select::cases(suites, &args)?;
    let log_dir = args.reports.join(".edge-logs");
    let session = Session::start(trust, &args.target.opts(), serves, Some(&log_dir)).await?;
    if cases.is_empty() {
        // The session's drop stops a recipe.
        eprintln!("edgeconform run: no case selected (check the paths, --tag and --id)");
        return Ok(exit::USAGE);
    }
    let ruleset = cases.ruleset();
    // The access-log cases are evaluated again once the log is read.
    let log_cases: Vec<(Case, Arc<Distribution>)> = cases
        .scenarios()
        .filter(|(c, _)| c.access_log || c.origin_failure.is_some())
        .map(|(c, d)| (c.clone(), d.clone()))
        .collect();
    let target = session.info().clone();
    let (mut out, total) = send(&args, cases, &session).await;
    let mut results = std::mem::take(&mut out.results);
    let ran = out.spool.as_ref().map_or(results.len(), |s| s.rows.len());
    let interrupted = ran < total;
    let logs: Vec<PathBuf> = if args.access_log.is_empty() {
        session.env().access_logs()
    } else {
        settle(&args.access_log).await;
        args.access_log.clone()
    };
    let log_opts = LogOpts {
        window: run_window(started),
        ..log_opts
    };
    // The recipe is stopped and the servers shut down before the logs are read.
    let recipe_dir = session.finish().await;
    let log_reconcile = match reconcile_logs(&logs, &mut results, &out, &log_cases, &log_opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("edgeconform run: {e:#}");
            return Ok(exit::USAGE);
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
        cases: match out.spool {
            Some(spool) => Cases::spooled(results, spool),
            None => results.into(),
        },
        ledger: out.ledger.clone(),
        log_reconcile,
    };
    write_reports(&run, &args)?;
    if interrupted {
        eprintln!(
            "edgeconform run: interrupted after {} of {total} cases",
            run.len()
        );
    }
    Ok(exit_code(&run, recipe_dir.as_deref(), interrupted))
}

/// Sends every selected case to the target, with a progress display, until done or stopped
/// (Ctrl-C, --global-timeout); returns the runner's output and how many cases there were.
async fn send(args: &RunArgs, cases: Selection, session: &Session) -> (RunOutput, usize) {
    let env = session.env();
    let jobs: Arc<dyn Jobs> = Arc::new(cases.into_jobs(|d, f| env.endpoint_for(d, f)));
    let total = jobs.len();
    let stop = stop_flag(args.global_timeout);
    let progress = crate::runner::progress::Progress::new(total as u64);
    let on_done = progress.callback();
    let records: Arc<dyn Records> = env.records();
    if args.cacheable {
        records.set_cacheable(None, true).await;
    }
    let spool = (total > SPOOL_ABOVE).then(|| {
        args.reports
            .join(format!(".spool-{}.jsonl", std::process::id()))
    });
    let out = runner::run(
        jobs,
        records,
        session.tls(),
        RunOpts {
            jobs: args.jobs,
            request_timeout: Duration::from_secs_f64(args.timeout),
            max_body_bytes: args.max_body_bytes,
            stop: stop.clone(),
            on_done: Some(on_done),
            spool,
            no_https: session.no_https(),
            viewer_only: args.target.viewer_only,
        },
    )
    .await;
    progress.finish();
    (out, total)
}

/// A flag set on Ctrl-C or SIGTERM, or once `global_timeout` seconds have passed.
fn stop_flag(global_timeout: Option<f64>) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        tokio::spawn(async move {
            let _ = crate::signals::wait_for_stop().await;
            stop.store(true, Ordering::Relaxed);
        });
    }
    if let Some(g) = global_timeout {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs_f64(g)).await;
            stop.store(true, Ordering::Relaxed);
        });
    }
    stop
}

/// The access-log cases judged again with the logs, and the run reconciled with them (none
/// without logs). Fails only on a bad plain field selection.
fn reconcile_logs(
    logs: &[PathBuf],
    results: &mut [crate::report::model::CaseResult],
    out: &RunOutput,
    log_cases: &[(Case, Arc<Distribution>)],
    opts: &LogOpts,
) -> Result<Option<LogReconcile>> {
    if logs.is_empty() {
        return Ok(None);
    }
    let wire = out.spool.as_ref().map_or((0, 0), |s| s.wire);
    check_logs(logs, results, (wire, out.spool.as_ref()), log_cases, opts).map(Some)
}

/// Prints the console summary and writes every report (the spool file is removed either way).
fn write_reports(run: &RunResult, args: &RunArgs) -> Result<()> {
    let color = std::env::var_os("NO_COLOR").is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stdout());
    print!("{}", crate::report::console::render(run, color));
    let written = crate::report::write::write_all(run, &args.reports);
    if let Some(s) = run.cases.spool() {
        s.file.remove();
    }
    let dir = written?;
    eprintln!(
        "reports: {} (and {})",
        dir.display(),
        args.reports.join("latest").display()
    );
    Ok(())
}

/// The exit code: a recipe's against its baseline; otherwise usage when nothing could run or
/// be observed, harness when nothing answered or the run was cut short, fail on a gated failure.
fn exit_code(run: &RunResult, recipe_dir: Option<&Path>, interrupted: bool) -> u8 {
    if let Some(dir) = recipe_dir {
        return baseline::baseline_verdict(run, dir);
    }
    let totals = run.totals();
    if !run.is_empty() && totals.not_run == run.len() {
        eprintln!("edgeconform run: no selected case could run against this target (see `not run` in the report)");
        return exit::USAGE;
    }
    // Nothing seen to hold or to break is no pass: a run whose cases were all not observed (or
    // not run) says nothing about the target.
    if !run.is_empty() && totals.passed == 0 && totals.failed == 0 {
        eprintln!("edgeconform run: no selected case could be observed against this target (see `not observed` in the report); choose cases whose rules this run can see");
        return exit::USAGE;
    }
    let unreachable = !run.is_empty()
        && run
            .tallies()
            .all(|t| matches!(t.verdict, Verdict::Error | Verdict::NotRun));
    if unreachable {
        eprintln!("edgeconform run: no case got a response: the target is unreachable or not speaking HTTP");
    }
    if unreachable || interrupted {
        exit::HARNESS
    } else if run.gated() {
        exit::FAIL
    } else {
        exit::OK
    }
}
