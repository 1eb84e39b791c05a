//! `report --merge` for fuzz reports: the `fuzz.json` of the shards of one fuzz (`fuzz --shard
//! I/N`, one per CI job) put back together into the report of the whole stream. Groups are joined
//! by (rule, misreading): their counts added up, the earliest discovery kept, and the example (with
//! its shrink) of the lowest stream index, which is the one the unsharded run would have kept.
//! Shards of another seed, target, distribution, tool version, shard count or --requests, and
//! shards that overlap, are refused, naming the files.
//!
//! ```text
//! $ edgeconform report --merge shard-1/fuzz.json shard-2/fuzz.json -o merged
//! merged 2 fuzz reports (shards 1, 2 of 2): 5000 requests, 1 group
//! 5000 requests in 1.0 s (5000 judged/s): 812 failed in 1 group
//!   PAT-WILDCARD (VPP-REDIRECT-SAFE)  812×  GET http://d111111abcdef8.cloudfront.net/images/a/b HTTP/1.1
//!       observed 200 (origin assets reached over http port 80 with /images/a/b)
//! wrote merged/fuzz.json, fuzz.md, fuzz.html
//! ```

use super::render;
use super::report::{self, FuzzReport, GroupReport, ShardInfo};
use super::send::ERROR_EXAMPLES;
use crate::exit;
use edgeconform_core::RuleId;
use std::collections::BTreeMap;
use std::path::Path;

/// Merges the fuzz reports `(file name, text)` and writes the result into `out`; returns the
/// exit code: the fuzz run's for the merged report, 2 for shards that do not fit together, 3
/// when the files cannot be written.
pub fn merge_files(files: &[(String, String)], out: &Path) -> u8 {
    let parsed: Result<Vec<(String, FuzzReport)>, String> = files
        .iter()
        .map(|(name, text)| {
            report::parse(text)
                .map(|r| (name.clone(), r))
                .map_err(|e| format!("{name}: {e}"))
        })
        .collect();
    let merged = match parsed.and_then(merge) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("edgeconform report: {e}");
            return exit::USAGE;
        }
    };
    let shard = merged.shard.as_ref();
    println!(
        "merged {} fuzz reports ({}): {} requests, {} group{}",
        files.len(),
        shard.map_or_else(String::new, ShardInfo::text),
        merged.requests,
        merged.groups.len(),
        if merged.groups.len() == 1 { "" } else { "s" }
    );
    if let Some(s) = shard {
        let missing: Vec<String> = (1..=s.of)
            .filter(|p| !s.parts.contains(p))
            .map(|p| format!("{p}/{}", s.of))
            .collect();
        if !missing.is_empty() {
            eprintln!(
                "edgeconform report: shard {} missing: the merged report covers only part of the stream",
                missing.join(", ")
            );
        }
    }
    print!("{}", render::console(&merged));
    if let Err(e) = render::write_into(&merged, out) {
        eprintln!(
            "edgeconform report: cannot write into {}: {e}",
            out.display()
        );
        return exit::HARNESS;
    }
    println!("wrote {}/{}", out.display(), render::FILES.join(", "));
    merged.exit_code("edgeconform report")
}

/// The shards' reports as the report of the stream they split, or why they do not fit together.
pub fn merge(mut shards: Vec<(String, FuzzReport)>) -> Result<FuzzReport, String> {
    for (name, r) in &shards {
        if r.shard.as_ref().is_none_or(|s| s.parts.is_empty()) {
            return Err(format!(
                "{name} is not a shard (its fuzz ran without --shard): it covers the whole stream and has nothing to be merged with"
            ));
        }
    }
    // In shard order, so the result does not depend on the order of the files.
    shards.sort_by_key(|(_, r)| r.shard.as_ref().map(|s| s.parts[0]));
    let mut shards = shards.into_iter();
    let Some((first_name, mut out)) = shards.next() else {
        return Err("nothing to merge: no report given".into());
    };
    let mut owner: BTreeMap<u64, String> = BTreeMap::new();
    claim(&mut owner, &first_name, &out)?;
    let mut groups = keyed(&first_name, std::mem::take(&mut out.groups))?;
    let mut scenarios: Vec<String> = out.scenarios.take().into_iter().collect();
    scenarios.append(&mut out.shard_scenarios);
    for (name, r) in shards {
        same_stream(&first_name, &out, &name, &r)?;
        claim(&mut owner, &name, &r)?;
        if r.started < out.started {
            out.started = r.started.clone();
        }
        out.duration_ms = out.duration_ms.max(r.duration_ms);
        out.requests += r.requests;
        out.failed += r.failed;
        out.not_run += r.not_run;
        out.errors += r.errors;
        out.interrupted |= r.interrupted;
        if out.not_run_reason.is_none() {
            out.not_run_reason = r.not_run_reason;
        }
        out.error_examples.extend(r.error_examples);
        scenarios.extend(r.scenarios);
        scenarios.extend(r.shard_scenarios);
        for (key, g) in keyed(&name, r.groups)? {
            match groups.get_mut(&key) {
                Some(kept) => join(kept, g),
                None => {
                    groups.insert(key, g);
                }
            }
        }
    }
    out.judged_per_second =
        (out.requests as f64 / (out.duration_ms as f64 / 1000.0).max(1e-9)).round();
    out.error_examples.sort_by_key(|e| e.index);
    out.error_examples.truncate(ERROR_EXAMPLES);
    out.scenarios = None;
    out.shard_scenarios = scenarios;
    if let Some(s) = &mut out.shard {
        s.parts = owner.keys().copied().collect();
    }
    out.groups = groups.into_values().collect();
    Ok(out)
}

/// The same group seen in another shard: counted there too; its example is the lower index's.
fn join(kept: &mut GroupReport, other: GroupReport) {
    let count = kept.count + other.count;
    let found_after_ms = kept.found_after_ms.min(other.found_after_ms);
    if other.first_index < kept.first_index {
        *kept = other;
    }
    kept.count = count;
    kept.found_after_ms = found_after_ms;
}

/// A shard's groups by key, ordered as a fuzz run orders them (by rule, then misreading).
fn keyed(
    name: &str,
    groups: Vec<GroupReport>,
) -> Result<BTreeMap<(Option<RuleId>, String), GroupReport>, String> {
    let mut out = BTreeMap::new();
    for g in groups {
        let rule = match &g.rule {
            None => None,
            Some(r) => Some(RuleId::parse(r).ok_or_else(|| {
                format!("{name}: group rule `{r}` is not a rule this edgeconform knows")
            })?),
        };
        let key = (rule, g.misreading.clone());
        if out.insert(key, g).is_some() {
            return Err(format!(
                "{name}: two groups with one (rule, misreading): not a fuzz.json as written by `edgeconform fuzz`"
            ));
        }
    }
    Ok(out)
}

/// The shards must split one stream: the same seed, target, distribution, tool version, shard
/// count and --requests. (Their addresses may differ: each shard of an embedded run starts its
/// own edge; the merged report keeps the first shard's.)
fn same_stream(a_name: &str, a: &FuzzReport, b_name: &str, b: &FuzzReport) -> Result<(), String> {
    let shard =
        |r: &FuzzReport, f: fn(&ShardInfo) -> String| r.shard.as_ref().map_or_else(String::new, f);
    let fields = [
        ("seed", a.seed.to_string(), b.seed.to_string()),
        ("target", a.target.name.clone(), b.target.name.clone()),
        (
            "distribution",
            a.distribution.clone(),
            b.distribution.clone(),
        ),
        (
            "tool version",
            a.tool_version.clone(),
            b.tool_version.clone(),
        ),
        (
            "shard count",
            shard(a, |s| s.of.to_string()),
            shard(b, |s| s.of.to_string()),
        ),
        (
            "--requests",
            shard(a, |s| format!("{:?}", s.stream_requests)),
            shard(b, |s| format!("{:?}", s.stream_requests)),
        ),
    ];
    for (what, x, y) in fields {
        if x != y {
            return Err(format!(
                "{b_name} is not a shard of the same fuzz as {a_name}: its {what} is {y}, not {x}"
            ));
        }
    }
    Ok(())
}

/// Records the shard numbers a report covers; one already covered by another file is an error.
fn claim(owner: &mut BTreeMap<u64, String>, name: &str, r: &FuzzReport) -> Result<(), String> {
    for p in r.shard.iter().flat_map(|s| &s.parts) {
        if let Some(other) = owner.insert(*p, name.to_string()) {
            let of = r.shard.as_ref().map_or(0, |s| s.of);
            return Err(format!(
                "shard {p}/{of} is in both {other} and {name}: the shards overlap (were they run with the same --shard?)"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(url: &str) -> serde_json::Value {
        json!({"method": "GET", "url": url, "version": "1.1", "body_len": 0,
            "content_length": false, "line": format!("GET {url} HTTP/1.1")})
    }

    fn group(rule: &str, count: u64, first: u64) -> serde_json::Value {
        json!({"rule": rule, "misreading": "", "level": "must", "count": count,
            "found_after_ms": first, "first_index": first, "scenario_id": format!("s-{first}"),
            "example": request(&format!("http://d/{first}")), "shrunk": request("http://d/"),
            "shrink_requests": 3, "shrink_steps": 1, "shrink_exhausted": false,
            "observed": "200", "failing_rules": [rule], "findings": []})
    }

    /// A shard's report as `fuzz --shard PART/OF` writes it.
    fn shard(part: u64, of: u64, requests: u64, groups: Vec<serde_json::Value>) -> FuzzReport {
        let text = json!({
            "schema_version": 1, "tool": "edgeconform fuzz", "tool_version": "0.1.0",
            "target": {"name": "m", "http": "h", "https": "s", "insecure": false},
            "distribution": "d.yaml", "seed": 7,
            "shard": {"of": of, "parts": [part], "stream_requests": 90},
            "started": format!("2026-12-03T10:00:0{part}Z"), "duration_ms": 100 * part,
            "requests": requests, "failed": 1, "not_run": 0, "not_run_reason": null, "errors": 0,
            "judged_per_second": 1.0, "interrupted": false, "scenarios": format!("found/{part}.yaml"),
            "groups": groups, "error_examples": []
        })
        .to_string();
        report::parse(&text).unwrap()
    }

    fn named(r: Vec<FuzzReport>) -> Vec<(String, FuzzReport)> {
        r.into_iter()
            .map(|r| (format!("shard-{}", r.shard.as_ref().unwrap().parts[0]), r))
            .collect()
    }

    #[test]
    fn groups_join_by_key_with_the_lowest_index_example() {
        let m = merge(named(vec![
            shard(
                2,
                2,
                45,
                vec![group("PAT-CASE", 4, 5), group("VPP-REDIRECT-SAFE", 1, 9)],
            ),
            shard(1, 2, 45, vec![group("PAT-CASE", 3, 8)]),
        ]))
        .unwrap();
        let got: Vec<(Option<&str>, u64, u64)> = m
            .groups
            .iter()
            .map(|g| (g.rule.as_deref(), g.count, g.first_index))
            .collect();
        // In the catalog's order of rules, as a fuzz run orders its groups.
        assert_eq!(
            got,
            [(Some("VPP-REDIRECT-SAFE"), 1, 9), (Some("PAT-CASE"), 7, 5)]
        );
        assert_eq!(m.groups[1].example.url, "http://d/5");
        assert_eq!(m.groups[1].scenario_id, "s-5");
        assert_eq!((m.requests, m.failed, m.duration_ms), (90, 2, 200));
        assert_eq!(m.started, "2026-12-03T10:00:01Z");
        assert_eq!(m.shard.as_ref().unwrap().parts, [1, 2]);
        assert_eq!(m.shard_scenarios, ["found/1.yaml", "found/2.yaml"]);
        assert_eq!(m.scenarios, None);
        // The merged report is a fuzz.json that reads back.
        assert!(report::is_fuzz_report(&m.to_json()));
        assert_eq!(report::parse(&m.to_json()).unwrap().groups.len(), 2);
    }

    #[test]
    fn foreign_overlapping_or_unsharded_reports_are_refused() {
        let e = merge(vec![
            ("a.json".into(), shard(1, 2, 45, vec![])),
            ("b.json".into(), shard(1, 2, 45, vec![])),
        ])
        .unwrap_err();
        assert!(e.contains("shard 1/2 is in both a.json and b.json"), "{e}");
        let mut other = shard(2, 2, 45, vec![]);
        other.seed = 8;
        let e = merge(vec![
            ("a.json".into(), shard(1, 2, 45, vec![])),
            ("b.json".into(), other),
        ])
        .unwrap_err();
        assert!(
            e.contains("b.json is not a shard of the same fuzz as a.json: its seed is 8, not 7"),
            "{e}"
        );
        let e = merge(vec![
            ("a.json".into(), shard(1, 2, 45, vec![])),
            ("b.json".into(), shard(2, 3, 30, vec![])),
        ])
        .unwrap_err();
        assert!(e.contains("its shard count is 3, not 2"), "{e}");
        let mut whole = shard(1, 1, 90, vec![]);
        whole.shard = None;
        let e = merge(vec![("w.json".into(), whole)]).unwrap_err();
        assert!(e.contains("w.json is not a shard"), "{e}");
        let e = merge(vec![(
            "x.json".into(),
            shard(1, 2, 45, vec![group("NOT-A-RULE", 1, 1)]),
        )])
        .unwrap_err();
        assert!(e.contains("x.json: group rule `NOT-A-RULE`"), "{e}");
        assert!(merge(vec![]).is_err());
    }

    #[test]
    fn a_run_report_is_not_a_fuzz_report() {
        assert!(!report::is_fuzz_report(
            r#"{"schema_version": 1, "tool": "edgeconform"}"#
        ));
        assert!(!report::is_fuzz_report("not json"));
        assert!(
            report::parse(r#"{"schema_version": 2, "tool": "edgeconform fuzz"}"#)
                .unwrap_err()
                .contains("schema_version 2")
        );
    }
}
