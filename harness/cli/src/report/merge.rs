//! `report --merge`: the reports of the shards of one run (`run --shard I/N`, one per CI job) put
//! back together into the report of the whole run: cases in the run's order (each carries its
//! place, `seq`), ledgers and access-log reconciliations added up, the earliest start, the longest
//! shard's duration. Shards of different runs (another target, ruleset or tool version) or that
//! overlap are refused, naming the files.
//!
//! ```text
//! $ edgeconform report --merge shard-1/latest/report.json shard-2/latest/report.json -o merged
//! merged 2 shards: 541 cases; 541 passed, 0 failed
//! wrote merged/report.json, junit.xml, summary.md, index.html
//! ```

use super::model::{CaseResult, Cases, LogReconcile, RunResult};
use std::collections::BTreeMap;

/// One report of a shard, with the name it is known by in errors (its file).
pub struct Shard {
    pub name: String,
    pub run: RunResult,
}

/// The whole run from its shards, or why they do not fit together.
pub fn merge(shards: Vec<Shard>) -> Result<RunResult, String> {
    let mut shards = shards.into_iter();
    let Some(first) = shards.next() else {
        return Err("nothing to merge: no report given".into());
    };
    let mut names: BTreeMap<(u64, String), String> = BTreeMap::new();
    let mut out = first.run;
    remember(&mut names, &first.name, &out)?;
    let mut cases = in_memory(&first.name, std::mem::take(&mut out.cases))?;
    for s in shards {
        let r = s.run;
        same_run(&first.name, &out, &s.name, &r)?;
        remember(&mut names, &s.name, &r)?;
        if r.started < out.started {
            out.started = r.started.clone();
        }
        out.duration_ms = out.duration_ms.max(r.duration_ms);
        out.interrupted |= r.interrupted;
        out.ledger.merge(&r.ledger);
        out.log_reconcile = match (out.log_reconcile.take(), r.log_reconcile) {
            (Some(a), Some(b)) => Some(add_reconcile(a, b)),
            (a, b) => a.or(b),
        };
        cases.extend(in_memory(&s.name, r.cases)?);
    }
    // A stable sort: cases of one shard keep their order where their places tie (reports from
    // before `seq` existed carry 0 everywhere).
    cases.sort_by_key(|c| c.seq);
    out.cases = cases.into();
    Ok(out)
}

/// A shard's cases as read from its `report.json` (always in memory).
fn in_memory(name: &str, cases: Cases) -> Result<Vec<CaseResult>, String> {
    cases.into_in_memory().ok_or_else(|| {
        format!("{name}: a spooled run in memory cannot be merged; merge its report.json")
    })
}

/// The shards must be of the same run: the same target name, ruleset and tool version. (Their
/// addresses may differ: each shard of an embedded run starts its own reference edge; the merged
/// report keeps the first shard's.)
fn same_run(a_name: &str, a: &RunResult, b_name: &str, b: &RunResult) -> Result<(), String> {
    let fields = [
        ("target", a.target.name.as_str(), b.target.name.as_str()),
        ("ruleset", a.ruleset.as_str(), b.ruleset.as_str()),
        ("tool version", &a.tool_version, &b.tool_version),
    ];
    for (what, x, y) in fields {
        if x != y {
            return Err(format!(
                "{b_name} is not a shard of the same run as {a_name}: its {what} is {y:?}, not {x:?}"
            ));
        }
    }
    Ok(())
}

/// Records the cases of a shard; a case already seen in another shard is an error.
fn remember(
    seen: &mut BTreeMap<(u64, String), String>,
    name: &str,
    r: &RunResult,
) -> Result<(), String> {
    for c in r.cases.iter() {
        if let Some(other) = seen.insert((c.seq, c.id.clone()), name.to_string()) {
            return Err(format!(
                "case `{}` is in both {other} and {name}: the shards overlap (were they run with the same --shard?)",
                c.id
            ));
        }
    }
    Ok(())
}

fn add_reconcile(a: LogReconcile, b: LogReconcile) -> LogReconcile {
    let mut problems = a.problems;
    problems.extend(b.problems);
    let mut notes = a.notes;
    notes.extend(b.notes);
    LogReconcile {
        log_file: if a.log_file == b.log_file {
            a.log_file
        } else {
            format!("{}, {}", a.log_file, b.log_file)
        },
        log_requests: a.log_requests + b.log_requests,
        log_sc_bytes: a.log_sc_bytes + b.log_sc_bytes,
        wire_requests: a.wire_requests + b.wire_requests,
        wire_bytes: a.wire_bytes + b.wire_bytes,
        ok: a.ok && b.ok,
        problems,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cases: &[(&str, u64)]) -> RunResult {
        let cases: Vec<serde_json::Value> = cases
            .iter()
            .map(|(id, seq)| {
                serde_json::json!({"id": id, "name": "n", "file": "f.yaml", "line": 1, "rules": [],
                    "level": "must", "verdict": "pass", "requests": [], "duration_ms": 1, "seq": seq})
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "schema_version": 1, "tool": "edgeconform", "tool_version": "0.1.0",
            "target": {"name": "t", "http": "h", "https": "s", "insecure": false},
            "ruleset": "classic", "started": "2026-12-02T10:00:00Z", "duration_ms": 5,
            "interrupted": false, "cases": cases, "ledger": {"items": {}}
        }))
        .unwrap()
    }

    fn shard(name: &str, r: RunResult) -> Shard {
        Shard {
            name: name.into(),
            run: r,
        }
    }

    #[test]
    fn shards_go_back_in_the_runs_order() {
        let mut b = run(&[("b", 1), ("d", 3)]);
        b.started = "2026-12-02T09:59:00Z".into();
        b.duration_ms = 9;
        let m = merge(vec![shard("a", run(&[("a", 0), ("c", 2)])), shard("b", b)]).unwrap();
        let ids: Vec<String> = m.cases.iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(m.started, "2026-12-02T09:59:00Z");
        assert_eq!(m.duration_ms, 9);
    }

    #[test]
    fn overlapping_or_foreign_shards_are_refused() {
        let e = merge(vec![
            shard("one", run(&[("a", 0)])),
            shard("two", run(&[("a", 0)])),
        ])
        .unwrap_err();
        assert!(e.contains("both one and two"), "{e}");
        let mut other = run(&[("b", 1)]);
        other.target.name = "nginx".into();
        let e = merge(vec![shard("one", run(&[("a", 0)])), shard("two", other)]).unwrap_err();
        assert!(
            e.contains("two is not a shard of the same run as one"),
            "{e}"
        );
        assert!(merge(vec![]).is_err());
    }
}
