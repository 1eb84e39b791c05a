//! A run's cases, whichever way they are kept: all in memory, or (big runs) spooled to disk one
//! JSON line each with only a few kept whole ([`crate::report::spool`]). Nothing outside reads
//! the two parts: [`Cases::len`], [`Cases::tallies`] and [`Cases::select`] cover every case in
//! input order either way, and a `Cases` serialises as the JSON array of every case (spooled
//! ones streamed back from the file), so `report.json` is the same for both.

use std::borrow::Cow;
use std::cell::RefCell;

use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::model::{CaseResult, Tally, Verdict};
use super::spool::{Row, SpoolReader, Spooled, Summary};

/// Every case of a run, in input order.
#[derive(Debug, Clone, Default)]
pub struct Cases {
    /// Every case, or with a spool the ones kept whole (its rows point at them).
    kept: Vec<CaseResult>,
    spool: Option<Spooled>,
}

impl From<Vec<CaseResult>> for Cases {
    /// All in memory.
    fn from(cases: Vec<CaseResult>) -> Cases {
        Cases {
            kept: cases,
            spool: None,
        }
    }
}

impl Cases {
    /// A spooled run: the spool's rows say, in input order, which cases are in `kept` and which
    /// are on disk.
    pub fn spooled(kept: Vec<CaseResult>, spool: Spooled) -> Cases {
        Cases {
            kept,
            spool: Some(spool),
        }
    }

    /// The spool, for a big run.
    pub fn spool(&self) -> Option<&Spooled> {
        self.spool.as_ref()
    }

    /// The cases when they are all in memory (`None` for a spooled run).
    pub fn in_memory(&self) -> Option<&[CaseResult]> {
        self.spool.is_none().then_some(self.kept.as_slice())
    }

    /// The cases to change when they are all in memory (`None` for a spooled run).
    pub fn in_memory_mut(&mut self) -> Option<&mut Vec<CaseResult>> {
        self.spool.is_none().then_some(&mut self.kept)
    }

    /// The cases as a vector when they are all in memory (`None` for a spooled run).
    pub fn into_in_memory(self) -> Option<Vec<CaseResult>> {
        self.spool.is_none().then_some(self.kept)
    }

    /// Number of cases.
    pub fn len(&self) -> usize {
        match &self.spool {
            Some(s) => s.rows.len(),
            None => self.kept.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One tally per case, in input order, without reading spooled cases back.
    pub fn tallies(&self) -> Box<dyn Iterator<Item = Tally<'_>> + '_> {
        match &self.spool {
            None => Box::new(self.kept.iter().map(Tally::of)),
            Some(s) => Box::new(s.rows.iter().map(move |r| match r {
                Row::Kept(k) => Tally::of(&self.kept[*k as usize]),
                Row::Spooled(m) => Tally {
                    verdict: m.verdict,
                    level: m.level,
                    file: s.lists.file(m.file),
                    duration_ms: m.duration_ms,
                    rules: s.lists.get(m.rules),
                    violated: Cow::Borrowed(s.lists.get(m.violated)),
                    notes: Cow::Borrowed(s.lists.get(m.notes)),
                    unobserved: Cow::Borrowed(s.lists.get(m.unobserved)),
                },
            })),
        }
    }

    /// Every case, in input order (spooled ones read back one at a time).
    pub fn iter(&self) -> Box<dyn Iterator<Item = Cow<'_, CaseResult>> + '_> {
        self.select(|_| true)
    }

    /// The cases whose tally `keep` selects, in input order; spooled ones are read back one at a
    /// time (a line that cannot be read becomes an `error` case saying so, never a gap).
    pub fn select<'a>(
        &'a self,
        keep: impl Fn(&Tally<'_>) -> bool + 'a,
    ) -> Box<dyn Iterator<Item = Cow<'a, CaseResult>> + 'a> {
        self.select_reading(keep, |line, _, _| whole(line))
    }

    /// [`Cases::select`] for a reader that needs no more of a passing case without notes than
    /// its id, file, verdict and duration (`junit.xml`): such a spooled case comes back with
    /// only those (its other fields empty), read without building the rest, which was most of
    /// the time a big run's reports took. Every other case comes back whole.
    pub fn select_brief<'a>(
        &'a self,
        keep: impl Fn(&Tally<'_>) -> bool + 'a,
    ) -> Box<dyn Iterator<Item = Cow<'a, CaseResult>> + 'a> {
        self.select_reading(keep, brief)
    }

    fn select_reading<'a>(
        &'a self,
        keep: impl Fn(&Tally<'_>) -> bool + 'a,
        read_line: fn(&str, &Summary, &Spooled) -> std::io::Result<CaseResult>,
    ) -> Box<dyn Iterator<Item = Cow<'a, CaseResult>> + 'a> {
        let Some(s) = &self.spool else {
            return Box::new(
                self.kept
                    .iter()
                    .filter(move |c| keep(&Tally::of(c)))
                    .map(Cow::Borrowed),
            );
        };
        let mut reader: Option<std::io::Result<SpoolReader>> = None;
        Box::new(
            s.rows
                .iter()
                .zip(self.tallies())
                .enumerate()
                .filter(move |(_, (_, t))| keep(t))
                .map(move |(i, (r, _))| match r {
                    Row::Kept(k) => Cow::Borrowed(&self.kept[*k as usize]),
                    Row::Spooled(m) => {
                        let read = match reader.get_or_insert_with(|| s.file.reader()) {
                            Ok(r) => r.line(m.entry).and_then(|l| read_line(&l, m, s)),
                            Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
                        };
                        Cow::Owned(read.unwrap_or_else(|e| unreadable(i, m, s, &e)))
                    }
                }),
        )
    }
}

impl Serialize for Cases {
    /// The array of every case in input order; a spooled case's line is copied as it is.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Some(spool) = &self.spool else {
            return self.kept.serialize(s);
        };
        let reader = RefCell::new(spool.file.reader().map_err(serde::ser::Error::custom)?);
        let mut seq = s.serialize_seq(Some(spool.rows.len()))?;
        for row in &spool.rows {
            match row {
                Row::Spooled(m) => {
                    let line = reader
                        .borrow_mut()
                        .line(m.entry)
                        .map_err(serde::ser::Error::custom)?;
                    let raw = serde_json::value::RawValue::from_string(line)
                        .map_err(serde::ser::Error::custom)?;
                    seq.serialize_element(&raw)?;
                }
                Row::Kept(k) => seq.serialize_element(&self.kept[*k as usize])?,
            }
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Cases {
    /// A `report.json`'s array: all in memory.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Cases, D::Error> {
        Vec::<CaseResult>::deserialize(d).map(Cases::from)
    }
}

/// The stand-in for a spooled case whose line cannot be read back.
/// A spooled line read back whole.
fn whole(line: &str) -> std::io::Result<CaseResult> {
    serde_json::from_str::<CaseResult>(line).map_err(std::io::Error::other)
}

/// A spooled line as [`Cases::select_brief`] gives it back. A passing case without notes (every
/// note is a judge's finding with its rule, so the row's note list is empty) is read from the
/// line's first fields, `{"id":…,"name":…,"file":…`, in the order the model serialises them;
/// anything else, or a line that does not start so, is read whole.
fn brief(line: &str, m: &Summary, s: &Spooled) -> std::io::Result<CaseResult> {
    let plain =
        matches!(m.verdict, Verdict::Pass | Verdict::Info) && s.lists.get(m.notes).is_empty();
    let Some((id, file)) = plain.then(|| id_and_file(line)).flatten() else {
        return whole(line);
    };
    Ok(from_row(id, file, m))
}

/// A case with only what its row and the given id and file say: verdict, level, duration.
fn from_row(id: String, file: String, m: &Summary) -> CaseResult {
    CaseResult {
        id,
        name: String::new(),
        file,
        line: 0,
        rules: Vec::new(),
        level: m.level,
        tags: Vec::new(),
        verdict: m.verdict,
        requests: Vec::new(),
        expected: Vec::new(),
        observed: Vec::new(),
        findings: Vec::new(),
        error: None,
        duration_ms: m.duration_ms,
        seq: 0,
        wire: Vec::new(),
    }
}

/// The `id` and `file` of a case line that starts `{"id":"…","name":"…","file":"…"`.
fn id_and_file(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('{')?;
    let (id, rest) = string_field(rest, "id")?;
    let (_, rest) = string_field(rest.strip_prefix(',')?, "name")?;
    let (file, _) = string_field(rest.strip_prefix(',')?, "file")?;
    Some((id, file))
}

/// `"key":"value"` at the start of `text`: the value unescaped, and what follows it.
fn string_field<'a>(text: &'a str, key: &str) -> Option<(String, &'a str)> {
    let rest = text
        .strip_prefix('"')?
        .strip_prefix(key)?
        .strip_prefix("\":")?;
    let bytes = rest.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => {
                let value = serde_json::from_str(rest.get(..=i)?).ok()?;
                return Some((value, rest.get(i + 1..)?));
            }
            _ => i += 1,
        }
    }
    None
}

fn unreadable(i: usize, m: &Summary, s: &Spooled, e: &std::io::Error) -> CaseResult {
    CaseResult {
        rules: s.lists.get(m.rules).to_vec(),
        error: Some(format!("cannot read this case back from the spool: {e}")),
        seq: i as u64,
        ..from_row(
            format!("case-{}", i + 1),
            s.lists.file(m.file).to_string(),
            m,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::id_and_file;

    #[test]
    fn id_and_file_are_read_from_the_start_of_a_line_with_any_escape() {
        let line = serde_json::json!({
            "id": "a\"b\\c\u{e9}\u{1}", "name": "n \"quoted\" \\", "file": "specs/x y.yaml",
            "line": 3,
        });
        // serde_json writes an object's fields in the order given when it keeps that order; the
        // model's derive writes them in declaration order (id, name, file, ...).
        let text = format!(
            "{{\"id\":{},\"name\":{},\"file\":{},\"line\":3}}",
            line["id"], line["name"], line["file"]
        );
        assert_eq!(
            id_and_file(&text),
            Some((
                "a\"b\\c\u{e9}\u{1}".to_string(),
                "specs/x y.yaml".to_string()
            ))
        );
        for bad in [
            "",
            "{",
            "{\"name\":\"n\",\"id\":\"a\",\"file\":\"f\"}",
            "{\"id\":\"a\",\"name\":\"n\"}",
            "{\"id\":\"unterminated",
            "{\"id\":1,\"name\":\"n\",\"file\":\"f\"}",
        ] {
            assert_eq!(id_and_file(bad), None, "{bad}");
        }
    }
}
