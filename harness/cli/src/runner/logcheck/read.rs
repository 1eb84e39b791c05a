//! Reading the logs: each line sorted into the run's (kept for the access-log cases, counted for
//! the others) or other traffic, problems counted, and a leg's lines found again.

use super::legs::{digest, entry_key, request_key, LegRef, RunLegs};
use crate::report::model::RequestInfo;
use crate::runner::logfiles;
use edgeconform_core::logline::{Entry, LineReader};
use std::collections::HashMap;
use std::path::PathBuf;

/// What was read of the logs: the run's lines counted (and kept for the access-log cases),
/// other traffic counted, and the problems (the first [`SHOWN_PROBLEMS`] kept, all counted).
#[derive(Debug, Default)]
pub struct LogRead {
    /// The run's lines.
    pub requests: u64,
    /// Their `sc-bytes`, over the lines that carry it.
    pub sc_bytes: u64,
    /// The run's lines without `sc-bytes` (the field was not selected, or `-`).
    pub without_sc_bytes: u64,
    /// The run's lines found by time and path (the log has no request id).
    pub by_path: u64,
    /// Lines of other traffic, ignored.
    pub foreign: u64,
    by_leg: HashMap<LegRef, Vec<Entry>>,
    by_key: HashMap<u64, Vec<Entry>>,
    pub problems: usize,
    pub shown: Vec<String>,
}

/// Problems of a damaged log kept for the report.
pub const SHOWN_PROBLEMS: usize = 10;

/// The lines a leg has in the logs.
#[derive(Debug)]
pub enum LegLines<'a> {
    Lines(Vec<&'a Entry>),
    /// The log cannot tell this leg's line from another's (see the module doc).
    Unattributed,
}

impl LogRead {
    /// Counts a problem; keeps its text while fewer than [`SHOWN_PROBLEMS`] are kept.
    pub fn problem(&mut self, what: String) {
        self.problems += 1;
        if self.shown.len() < SHOWN_PROBLEMS {
            self.shown.push(what);
        }
    }

    /// Reads the logs at `paths` (files, or folders searched recursively), each line by line with
    /// a fresh copy of `reader` (which knows the plain logs' field selection and the delimiter).
    /// Nothing but the run's lines of the kept cases is held.
    pub fn read_paths(&mut self, paths: &[PathBuf], run: &RunLegs, reader: LineReader) {
        let (files, problems) = logfiles::expand(paths);
        for p in problems {
            self.problem(p);
        }
        for f in files {
            let mut problems = LogRead::default();
            logfiles::read(
                &f,
                reader.clone(),
                |e| self.add(run, e),
                |p| problems.problem(p),
            );
            self.problems += problems.problems;
            let room = SHOWN_PROBLEMS.saturating_sub(self.shown.len());
            self.shown.extend(problems.shown.into_iter().take(room));
        }
    }

    /// Sorts one line: the run's (by request id, else by time window and shape) or other traffic.
    pub fn add(&mut self, run: &RunLegs, e: Entry) {
        let leg = match &e.request_id {
            Some(id) => match run.by_id.get(&digest(id.as_str())) {
                Some(&leg) => Some(leg),
                None => {
                    self.foreign += 1;
                    return;
                }
            },
            None => None,
        };
        let key = match leg {
            Some(_) => None,
            None => match entry_key(&e)
                .map(|k| digest(&k))
                .filter(|k| run.in_window(&e) && run.by_key.contains_key(k))
            {
                Some(k) => Some(k),
                None => {
                    self.foreign += 1;
                    return;
                }
            },
        };
        self.requests += 1;
        match e.sc_bytes {
            Some(b) => self.sc_bytes = self.sc_bytes.saturating_add(b),
            None => self.without_sc_bytes += 1,
        }
        match (leg, key) {
            (Some(leg), _) => {
                if run.kept.contains(&leg.0) {
                    self.by_leg.entry(leg).or_default().push(e);
                }
            }
            (None, Some(k)) => {
                self.by_path += 1;
                if run.by_key.get(&k).is_some_and(|s| s.kept) {
                    self.by_key.entry(k).or_default().push(e);
                }
            }
            (None, None) => {}
        }
    }

    /// The lines of one leg (`q` is what it sent).
    pub fn lines_of(&self, run: &RunLegs, leg: LegRef, q: &RequestInfo) -> LegLines<'_> {
        if let Some(lines) = self.by_leg.get(&leg) {
            return LegLines::Lines(lines.iter().collect());
        }
        let Some(k) = request_key(q) else {
            return LegLines::Lines(Vec::new());
        };
        let k = digest(&k);
        let found = self.by_key.get(&k).map_or(&[][..], Vec::as_slice);
        let sharing = run.by_key.get(&k).map_or(0, |s| s.legs);
        match found {
            [] => LegLines::Lines(Vec::new()),
            [one] if sharing == 1 => LegLines::Lines(vec![one]),
            _ => LegLines::Unattributed,
        }
    }
}
