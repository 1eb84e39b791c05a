//! Keeping memory flat on big runs: every finished case is written in full to a spool file as one
//! JSON line, and only a [`Row`] of a few words (where the line is, the verdict, level and rule
//! lists, interned) stays in memory. Tallies come from the rows; reporters read the cases they
//! show back from the spool in input order, and `report.json` streams every line (see
//! [`crate::report::write`]). Cases looked at again after the run (access-log and origin-failure
//! cases) stay whole in memory.

use crate::report::model::{CaseResult, Tally, Verdict};
use edgeconform_core::rules::{Level, RuleId};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where each spooled case is: byte offset and length of its line.
pub type Entry = (u64, u32);

/// The spool of one run.
pub struct Spool {
    path: PathBuf,
    out: Mutex<(BufWriter<File>, u64)>,
}

impl Spool {
    pub fn create(path: &Path) -> std::io::Result<Spool> {
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d)?;
        }
        let f = File::create(path)?;
        Ok(Spool {
            path: path.to_path_buf(),
            // A case is ~1-2 KiB of JSON: 8 KiB (the default) was a write call every few cases.
            out: Mutex::new((BufWriter::with_capacity(1 << 18, f), 0)),
        })
    }

    /// Appends a case (as `report.json` has it, expectation and outcomes included); returns
    /// where it is.
    pub fn write(&self, case: &CaseResult) -> std::io::Result<Entry> {
        thread_local! {
            // The line is built outside the lock, in a buffer each thread keeps: a case line is
            // ~1-2 KiB, and growing a new vector to that size for every case was measurable.
            static LINE: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(4096));
        }
        LINE.with_borrow_mut(|line| {
            line.clear();
            super::compact::to_vec(line, case).map_err(std::io::Error::other)?;
            line.push(b'\n');
            let mut g = self.out.lock().unwrap_or_else(|e| e.into_inner());
            let at = g.1;
            g.0.write_all(line)?;
            g.1 += line.len() as u64;
            Ok((at, (line.len() - 1) as u32))
        })
    }

    /// Flushes and hands over the file for [`SpoolFile::reader`] (with the error when the
    /// flush failed: the file is still there to remove).
    #[allow(clippy::result_large_err)]
    pub fn finish(self) -> Result<SpoolFile, (SpoolFile, std::io::Error)> {
        let (mut w, _) = self.out.into_inner().unwrap_or_else(|e| e.into_inner());
        let file = SpoolFile { path: self.path };
        match w.flush() {
            Ok(()) => Ok(file),
            Err(e) => Err((file, e)),
        }
    }
}

/// A finished spool.
#[derive(Debug, Clone)]
pub struct SpoolFile {
    pub path: PathBuf,
}

impl SpoolFile {
    /// Opens the spool for [`SpoolReader::line`].
    pub fn reader(&self) -> std::io::Result<SpoolReader> {
        Ok(SpoolReader {
            file: BufReader::with_capacity(READ_AHEAD, File::open(&self.path)?),
            pos: Some(0),
        })
    }

    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// How much of the spool a reader holds at once. Lines are written as cases finish, a few
/// dozen out of input order at most, and read in input order: the next line is nearly always in
/// the window already read, a little ahead or behind.
const READ_AHEAD: usize = 256 * 1024;

/// Random access to spooled lines, read through a window of [`READ_AHEAD`] bytes (a seek and a
/// read per line were two system calls per case and report).
pub struct SpoolReader {
    file: BufReader<File>,
    /// Where the reader is in the file (`None` after a failed read).
    pos: Option<u64>,
}

impl SpoolReader {
    /// The JSON line at `entry`.
    pub fn line(&mut self, (at, len): Entry) -> std::io::Result<String> {
        let mut buf = vec![0; len as usize];
        // Unknown until this read succeeds.
        match self.pos.take() {
            // Within the window the buffer is kept; elsewhere this seeks.
            Some(pos) => self.file.seek_relative(at as i64 - pos as i64)?,
            None => {
                self.file.seek(SeekFrom::Start(at))?;
            }
        }
        self.file.read_exact(&mut buf)?;
        self.pos = Some(at + u64::from(len));
        String::from_utf8(buf).map_err(std::io::Error::other)
    }
}

/// One case of a spooled run, in input order.
#[derive(Debug, Clone, Copy)]
pub enum Row {
    /// Kept whole: index into [`crate::report::model::RunResult::cases`].
    Kept(u32),
    /// On disk, with what the tallies need.
    Spooled(Summary),
}

/// What the tallies (and the grouping of `junit.xml`) need of a spooled case; rule lists and
/// file names are indices into [`Spooled::lists`].
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub entry: Entry,
    pub verdict: Verdict,
    pub level: Level,
    pub rules: u32,
    pub violated: u32,
    /// Rules of its notes (info findings), one per finding and rule.
    pub notes: u32,
    /// Rules it checks but could not observe.
    pub unobserved: u32,
    pub file: u32,
    pub duration_ms: u64,
}

/// Distinct rule lists and spec files, so that 100k cases over a few dozen rule combinations
/// store a few dozen lists.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub lists: Vec<Vec<RuleId>>,
    index: HashMap<Vec<RuleId>, u32>,
    files: Vec<String>,
    /// The lists interned last, newest first: a case's lists are mostly the previous case's
    /// (a matrix's cells share rules; most cases have no violated rule and no note), and
    /// comparing a few short lists costs less than hashing one.
    recent: [Option<u32>; 4],
}

impl Lists {
    /// The index of spec file `name`, added when new.
    pub fn intern_file(&mut self, name: &str) -> u32 {
        match self.files.iter().position(|f| f == name) {
            Some(i) => i as u32,
            None => {
                self.files.push(name.to_string());
                (self.files.len() - 1) as u32
            }
        }
    }

    pub fn file(&self, i: u32) -> &str {
        &self.files[i as usize]
    }

    /// The index of `rules`, added when new.
    pub fn intern(&mut self, rules: &[RuleId]) -> u32 {
        let lists = &self.lists;
        if let Some(i) = self
            .recent
            .iter()
            .flatten()
            .find(|&&i| lists[i as usize] == rules)
        {
            return *i;
        }
        let i = match self.index.get(rules) {
            Some(&i) => i,
            None => {
                let i = self.lists.len() as u32;
                self.lists.push(rules.to_vec());
                self.index.insert(rules.to_vec(), i);
                i
            }
        };
        self.recent.rotate_right(1);
        self.recent[0] = Some(i);
        i
    }

    pub fn get(&self, i: u32) -> &[RuleId] {
        &self.lists[i as usize]
    }

    /// The summary of a case about to be spooled at `entry`.
    pub fn summary(&mut self, c: &CaseResult, entry: Entry) -> Summary {
        let t = Tally::of(c);
        Summary {
            entry,
            verdict: t.verdict,
            level: t.level,
            rules: self.intern(t.rules),
            violated: self.intern(&t.violated),
            notes: self.intern(&t.notes),
            unobserved: self.intern(&t.unobserved),
            file: self.intern_file(t.file),
            duration_ms: t.duration_ms,
        }
    }
}

/// A finished spooled run: the file, a row per case in input order, the rule lists, and the
/// wire totals of the spooled cases (requests, bytes) for BIL-LOG-RECONCILE.
#[derive(Debug, Clone)]
pub struct Spooled {
    pub file: SpoolFile,
    pub rows: Vec<Row>,
    pub lists: Lists,
    pub wire: (u64, u64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_lists_are_interned() {
        let mut l = Lists::default();
        let a = l.intern(&[RuleId::VppRedirectSafe, RuleId::LocTarget]);
        let b = l.intern(&[]);
        assert_eq!(l.intern(&[RuleId::VppRedirectSafe, RuleId::LocTarget]), a);
        assert_ne!(a, b);
        assert_eq!(l.get(b), &[] as &[RuleId]);
        assert_eq!(l.lists.len(), 2);
        // More distinct lists than the recent ones kept: each still gets one index.
        let many: Vec<Vec<RuleId>> = [
            RuleId::LocScheme,
            RuleId::LocHost,
            RuleId::LocTarget,
            RuleId::PatOrder,
            RuleId::VppAllowAll,
            RuleId::VppHttpsOnly,
        ]
        .into_iter()
        .map(|r| vec![r, RuleId::VppRedirectSafe])
        .collect();
        let first: Vec<u32> = many.iter().map(|r| l.intern(r)).collect();
        let again: Vec<u32> = many.iter().rev().map(|r| l.intern(r)).collect();
        assert_eq!(first, again.into_iter().rev().collect::<Vec<_>>());
        assert_eq!(l.lists.len(), 8);
        for (r, i) in many.iter().zip(first) {
            assert_eq!(l.get(i), r.as_slice());
        }
    }

    #[test]
    fn lines_are_read_back_where_they_were_written() {
        let dir = std::env::temp_dir().join(format!("edgeconform-spool-{}", std::process::id()));
        let s = Spool::create(&dir.join("s.jsonl")).unwrap();
        let mut c: CaseResult = serde_json::from_value(serde_json::json!({
            "id": "a", "name": "n", "file": "f.yaml", "line": 1, "rules": [],
            "level": "must", "verdict": "pass", "requests": [], "duration_ms": 0
        }))
        .unwrap();
        let e1 = s.write(&c).unwrap();
        c.id = "b".into();
        let e2 = s.write(&c).unwrap();
        let f = s.finish().unwrap();
        let mut r = f.reader().unwrap();
        let back: CaseResult = serde_json::from_str(&r.line(e2).unwrap()).unwrap();
        assert_eq!(back.id, "b");
        let back: CaseResult = serde_json::from_str(&r.line(e1).unwrap()).unwrap();
        assert_eq!(back.id, "a");
        f.remove();
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Lines far apart (beyond the read window, forward and back) and close together read back
    /// the same, in any order.
    #[test]
    fn lines_read_back_in_any_order_past_the_window() {
        let dir =
            std::env::temp_dir().join(format!("edgeconform-spool-order-{}", std::process::id()));
        let s = Spool::create(&dir.join("s.jsonl")).unwrap();
        let mut c: CaseResult = serde_json::from_value(serde_json::json!({
            "id": "a", "name": "n".repeat(1000), "file": "f.yaml", "line": 1, "rules": [],
            "level": "must", "verdict": "pass", "requests": [], "duration_ms": 0
        }))
        .unwrap();
        let n = 3 * READ_AHEAD / 1000;
        let entries: Vec<Entry> = (0..n)
            .map(|i| {
                c.id = format!("case-{i}");
                s.write(&c).unwrap()
            })
            .collect();
        let f = s.finish().unwrap();
        let mut r = f.reader().unwrap();
        let order = (0..n)
            .rev()
            .chain(0..n)
            .chain((0..n).map(|i| (i * 7919) % n))
            .chain((0..n).map(|i| if i % 2 == 0 { i / 2 } else { n - 1 - i / 2 }));
        for i in order {
            let back: CaseResult = serde_json::from_str(&r.line(entries[i]).unwrap()).unwrap();
            assert_eq!(back.id, format!("case-{i}"));
        }
        f.remove();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
