//! The target's access logs after a run: how they are read (the plain v2 field selection, the
//! delimiter, the run's time window), waiting for the last lines, and the access-log cases
//! judged again with them (`runner::logcheck`).

use crate::report::model::{CaseResult, LogReconcile};
use crate::report::spool::{Row, Spooled};
use crate::runner::logcheck;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::spec::Case;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the access logs are read: the field selection of plain v2 logs, and when the run sent
/// its requests (milliseconds since the epoch), for logs matched by time and path.
#[derive(Debug, Clone, Default)]
pub struct LogOpts {
    pub plain_fields: Option<Vec<String>>,
    pub delimiter: Option<String>,
    pub window: Option<(u64, u64)>,
}

impl LogOpts {
    /// The options `run` was given (--log-fields, --log-delimiter); a bad field selection or
    /// delimiter is a usage error.
    pub(super) fn of(args: &super::RunArgs) -> anyhow::Result<LogOpts> {
        let plain_fields = args.log_fields.as_deref().map(|f| {
            f.split([',', ' '])
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
        let opts = LogOpts {
            plain_fields,
            delimiter: args.log_delimiter.clone(),
            window: None,
        };
        opts.reader()
            .map_err(|e| anyhow::Error::new(crate::exit::Usage(e)))?;
        Ok(opts)
    }

    /// The line reader every log file starts from; fails (naming the flag) on a bad field
    /// selection or delimiter.
    pub fn reader(&self) -> Result<edgeconform_core::logline::LineReader, String> {
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
pub(super) fn run_window(started: Instant) -> Option<(u64, u64)> {
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
    results: &mut [CaseResult],
    (spooled_wire, spool): ((u64, u64), Option<&Spooled>),
    cases: &[(Case, Arc<Distribution>)],
    opts: &LogOpts,
) -> Result<LogReconcile, String> {
    // Only the log lines of the access-log cases are kept; the rest of the run's are counted.
    let is_log_case = |id: &str| cases.iter().any(|(c, _)| c.access_log && c.id == id);
    let mut run = logcheck::RunLegs::new(results, |r| is_log_case(&r.id), opts.window);
    // The spooled cases' requests, read back one case at a time: their lines are the run's too.
    if let Some(s) = spool {
        if let Ok(mut reader) = s.file.reader() {
            for row in &s.rows {
                if let Row::Spooled(m) = row {
                    let case = reader
                        .line(m.entry)
                        .ok()
                        .and_then(|l| serde_json::from_str::<CaseResult>(&l).ok());
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

/// Waits until the target's log files stop growing (unchanged for 50 ms, at most 2 s): an
/// edge writes its last lines a moment after its last answer (the reference edge within 5 ms).
/// Folders are read as they are (logs delivered later, as CloudFront's, are another run's job).
pub(super) async fn settle(paths: &[PathBuf]) {
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
