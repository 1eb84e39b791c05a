//! Progress output: an indicatif bar on a terminal, one plain line per 10% otherwise (CI logs).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
}

impl Progress {
    pub fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::new(total);
            if let Ok(s) = ProgressStyle::with_template("{bar:40} {pos}/{len} cases  {msg}") {
                b.set_style(s);
            }
            b
        });
        Progress {
            bar,
            total,
            done: Arc::default(),
            failed: Arc::default(),
        }
    }

    /// The runner's per-case callback.
    pub fn callback(&self) -> super::OnDone {
        let (bar, total, done, failed) = (
            self.bar.clone(),
            self.total,
            self.done.clone(),
            self.failed.clone(),
        );
        Arc::new(move |_, r| {
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if r.verdict.failed() {
                failed.fetch_add(1, Ordering::Relaxed);
            }
            let f = failed.load(Ordering::Relaxed);
            match &bar {
                Some(b) => {
                    b.set_position(n);
                    b.set_message(format!("{f} failed"));
                }
                None => {
                    let step = (total / 10).max(1);
                    if n % step == 0 || n == total {
                        eprintln!("edgeconform: {n}/{total} cases, {f} failed");
                    }
                }
            }
        })
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
