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
            .map_err(|e| anyhow::Error::new(crate::exit::Usage(format!("{e:#}"))))?;
        Ok(opts)
    }

    /// The line reader every log file starts from; fails (naming the flag) on a bad field
    /// selection or delimiter.
    pub fn reader(&self) -> anyhow::Result<edgeconform_core::logline::LineReader> {
        use edgeconform_core::logline::LineReader;
        let r = match &self.plain_fields {
            Some(names) => LineReader::with_plain_fields(names.iter().map(String::as_str))
                .map_err(|e| anyhow::anyhow!("--log-fields: {e}"))?,
            None => LineReader::new(),
        };
        match &self.delimiter {
            Some(d) => r
                .with_delimiter(d)
                .map_err(|e| anyhow::anyhow!("--log-delimiter: {e}")),
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
) -> anyhow::Result<LogReconcile> {
    // Only the log lines of the access-log cases are kept; the rest of the run's are counted.
    let is_log_case = |id: &str| cases.iter().any(|(c, _)| c.access_log && c.id == id);
    let mut run = logcheck::RunLegs::new(results, |r| is_log_case(&r.id), opts.window);
    // The spooled cases' requests, read back one case at a time: their lines are the run's too.
    // A case that cannot be read back is said in the reconciliation, never skipped silently.
    let mut unreadable = 0usize;
    if let Some(s) = spool {
        let mut reader = s.file.reader();
        for row in &s.rows {
            if let Row::Spooled(m) = row {
                let case = match &mut reader {
                    Ok(r) => r
                        .line(m.entry)
                        .ok()
                        .and_then(|l| serde_json::from_str::<CaseResult>(&l).ok()),
                    Err(_) => None,
                };
                match case {
                    Some(c) => run.add_spooled(&c),
                    None => unreadable += 1,
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
    if unreadable > 0 {
        rec.problems.push(format!(
            "{unreadable} spooled case(s) could not be read back from the spool: their requests are missing from this reconciliation"
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::spool::{Lists, Spool};

    fn case(id: &str) -> CaseResult {
        serde_json::from_value(serde_json::json!({"id": id, "name": "n", "file": "f.yaml",
            "line": 1, "rules": [], "level": "must", "verdict": "pass", "requests": [],
            "duration_ms": 1}))
        .unwrap()
    }

    #[test]
    fn spooled_cases_that_cannot_be_read_back_are_said_in_the_reconciliation() {
        let dir = std::env::temp_dir().join(format!("edgeconform-logs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let spool = Spool::create(&dir.join("spool.jsonl")).unwrap();
        let (mut lists, mut rows) = (Lists::default(), Vec::new());
        for id in ["a", "b"] {
            let c = case(id);
            let entry = spool.write(&c).unwrap();
            rows.push(Row::Spooled(lists.summary(&c, entry)));
        }
        let file = spool.finish().map_err(|(_, e)| e).unwrap();
        let spooled = Spooled {
            file,
            rows,
            lists,
            wire: (0, 0),
        };
        let log = dir.join("access.log");
        std::fs::write(&log, edgeconform_core::accesslog::header()).unwrap();
        let opts = LogOpts {
            plain_fields: None,
            delimiter: None,
            window: None,
        };
        let check = |spooled: &Spooled| {
            check_logs(
                std::slice::from_ref(&log),
                &mut [],
                ((0, 0), Some(spooled)),
                &[],
                &opts,
            )
            .unwrap()
        };
        let readable = check(&spooled);
        assert!(
            !readable.problems.iter().any(|p| p.contains("read back")),
            "{:?}",
            readable.problems
        );
        spooled.file.remove();
        let gone = check(&spooled);
        assert!(
            gone.problems
                .iter()
                .any(|p| p.starts_with("2 spooled case(s) could not be read back")),
            "{:?}",
            gone.problems
        );
        assert!(!gone.ok);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
