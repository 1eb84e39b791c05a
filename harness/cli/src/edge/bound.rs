//! The bound on open viewer connections, shared by every listener and worker of one edge. A
//! connection accepted while the bound is reached is closed at once (the viewer sees the
//! connection end before any answer), and the edge says so on stderr once per episode:
//!
//! ```text
//! edgeconform edge: 20000 viewer connections open, the --max-connections bound: closing new connections until some end
//! edgeconform edge: below 20000 viewer connections again: accepting
//! ```

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Counts open connections against a maximum.
pub(crate) struct ConnectionBound {
    open: AtomicUsize,
    max: usize,
    full: AtomicBool,
    quiet: bool,
}

/// One open connection; dropping it frees its place.
pub(crate) struct Slot(Arc<ConnectionBound>);

impl ConnectionBound {
    pub fn new(max: usize, quiet: bool) -> Arc<ConnectionBound> {
        Arc::new(ConnectionBound {
            open: AtomicUsize::new(0),
            max,
            full: AtomicBool::new(false),
            quiet,
        })
    }

    /// A place for a new connection, or `None` when `max` are open.
    pub fn try_open(self: &Arc<Self>) -> Option<Slot> {
        let taken = self
            .open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .is_ok();
        if taken {
            if self.full.load(Ordering::Relaxed) && self.full.swap(false, Ordering::Relaxed) {
                self.say(&format!(
                    "below {} viewer connections again: accepting",
                    self.max
                ));
            }
            Some(Slot(self.clone()))
        } else {
            if !self.full.swap(true, Ordering::Relaxed) {
                self.say(&format!(
                    "{} viewer connections open, the --max-connections bound: closing new \
                     connections until some end",
                    self.max
                ));
            }
            None
        }
    }

    /// Connections open now.
    #[cfg(test)]
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    fn say(&self, what: &str) {
        if !self.quiet {
            eprintln!("edgeconform edge: {what}");
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_refused_at_the_bound_and_freed_on_drop() {
        let bound = ConnectionBound::new(2, true);
        let a = bound.try_open().unwrap();
        let _b = bound.try_open().unwrap();
        assert!(bound.try_open().is_none());
        assert!(bound.full.load(Ordering::Relaxed));
        drop(a);
        assert_eq!(bound.open(), 1);
        let _c = bound.try_open().unwrap();
        assert!(!bound.full.load(Ordering::Relaxed));
        assert_eq!(bound.open(), 2);
    }
}
