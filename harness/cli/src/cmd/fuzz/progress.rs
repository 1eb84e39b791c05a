//! The progress display while a fuzz run sends: an indicatif bar on a terminal, else a line
//! every ten seconds.
//!
//! ```text
//! edgeconform fuzz: 41200 requests, 812 failed in 1 groups, 4120/s
//! ```

use super::probe::Key;
use super::send::Counters;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The progress display until `stop`: an indicatif bar on a terminal (requests, failures, groups,
/// rate), else a line every ten seconds.
pub fn progress<A: Send + 'static>(
    limit: u64,
    deadline: Option<Duration>,
    counters: Arc<Counters>,
    groups: Arc<Mutex<BTreeMap<Key, A>>>,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    use std::io::IsTerminal;
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        let bar = std::io::stderr().is_terminal().then(|| {
            let (b, tmpl) = match (limit, deadline) {
                (u64::MAX, _) | (_, Some(_)) => (
                    ProgressBar::new(deadline.map_or(0, |d| d.as_secs())),
                    "{bar:30} {elapsed}/{len}s  {msg}",
                ),
                (n, None) => (ProgressBar::new(n), "{bar:30} {pos}/{len} requests  {msg}"),
            };
            if let Ok(s) = ProgressStyle::with_template(tmpl) {
                b.set_style(s);
            }
            b
        });
        let mut last_line = std::time::Instant::now();
        loop {
            let done = stop.load(Ordering::Relaxed);
            let sent = counters.sent.load(Ordering::Relaxed);
            let failed = counters.failed.load(Ordering::Relaxed);
            let n_groups = groups.lock().map(|g| g.len()).unwrap_or(0);
            let rate = sent as f64 / started.elapsed().as_secs_f64().max(1e-3);
            let msg = format!("{sent} requests, {failed} failed in {n_groups} groups, {rate:.0}/s");
            match &bar {
                Some(b) => {
                    if deadline.is_some() || limit == u64::MAX {
                        b.set_position(started.elapsed().as_secs());
                    } else {
                        b.set_position(sent);
                    }
                    b.set_message(msg);
                }
                None if last_line.elapsed() >= Duration::from_secs(10) => {
                    eprintln!("edgeconform fuzz: {msg}");
                    last_line = std::time::Instant::now();
                }
                None => {}
            }
            if done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
    })
}
