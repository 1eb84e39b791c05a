//! Keeping memory flat on big runs: every finished case is written in full to a spool file as one
//! JSON line, and only a compact copy (no requests, expectations or outcomes) of a passing case
//! stays in memory. `report.json` is then written by streaming the spooled lines in input order
//! (see [`crate::report::write`]); the other reports need only the compact copies.

use crate::report::model::CaseResult;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where each spooled case is: byte offset and length of its line.
pub type Entry = (u64, u32);

/// What a compact case leaves out, borrowed for the spool line.
pub struct Details<'a> {
    pub expected: &'a edgeconform_core::spec::Expectation,
    pub observed: &'a [edgeconform_core::outcome::Outcome],
}

/// A spooled case: the case's fields with its expectation and outcomes, the same JSON as a full
/// [`CaseResult`].
#[derive(serde::Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    case: &'a CaseResult,
    expected: [&'a edgeconform_core::spec::Expectation; 1],
    observed: &'a [edgeconform_core::outcome::Outcome],
}

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
            out: Mutex::new((BufWriter::new(f), 0)),
        })
    }

    /// Appends a case; returns where it is. `details` carries its expectation and outcomes
    /// when the in-memory copy has none (the fast path: typed values serialised directly).
    pub fn write(
        &self,
        case: &CaseResult,
        details: Option<&Details<'_>>,
    ) -> std::io::Result<Entry> {
        let mut line = match details {
            Some(d) => serde_json::to_vec(&Line {
                case,
                expected: [d.expected],
                observed: d.observed,
            }),
            None => serde_json::to_vec(case),
        }
        .map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut g = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let at = g.1;
        g.0.write_all(&line)?;
        g.1 += line.len() as u64;
        Ok((at, (line.len() - 1) as u32))
    }

    /// Flushes and hands over a reader for [`SpoolFile::read`].
    pub fn finish(self) -> std::io::Result<SpoolFile> {
        let (mut w, _) = self.out.into_inner().unwrap_or_else(|e| e.into_inner());
        w.flush()?;
        Ok(SpoolFile { path: self.path })
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
            file: File::open(&self.path)?,
        })
    }

    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Random access to spooled lines.
pub struct SpoolReader {
    file: File,
}

impl SpoolReader {
    /// The JSON line at `entry`.
    pub fn line(&mut self, (at, len): Entry) -> std::io::Result<String> {
        let mut buf = vec![0; len as usize];
        self.file.seek(SeekFrom::Start(at))?;
        self.file.read_exact(&mut buf)?;
        String::from_utf8(buf).map_err(std::io::Error::other)
    }
}
