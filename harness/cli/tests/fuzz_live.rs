//! `edgeconform fuzz`, end to end through the binary on loopback: the reference edge survives a
//! bounded fuzz with no finding; mutants are caught by the rule they declare, with a scenario
//! that `edgeconform run` then fails on the mutant and passes on the reference edge; the same seed
//! gives the same findings; unsafe or broken invocations are usage errors.

use edgeconform::edge::Mutant;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fuzz-live-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn edgeconform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgeconform"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn shown(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The invocation was a usage error (exit 2) whose message says `what`.
fn assert_usage_error(out: &Output, what: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", shown(out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(what),
        "expected `{what}`: {}",
        shown(out)
    );
}

/// `edgeconform fuzz` with a fixed seed and request count, reports and scenarios in `dir`.
fn fuzz(dir: &Path, extra: &[&str], seed: &str, requests: &str) -> (Output, Value) {
    let reports = dir.join("reports");
    let found = dir.join("found");
    let mut args = vec![
        "fuzz",
        "--seed",
        seed,
        "--requests",
        requests,
        "-o",
        reports.to_str().unwrap(),
        "--found",
        found.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = edgeconform(&args);
    let text = std::fs::read_to_string(reports.join("latest/fuzz.json"))
        .unwrap_or_else(|e| panic!("fuzz.json is written ({e}):\n{}", shown(&out)));
    (out, serde_json::from_str(&text).expect("fuzz.json parses"))
}

fn group_rules(r: &Value) -> Vec<String> {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn the_reference_edge_survives_a_bounded_fuzz() {
    let dir = scratch("reference");
    let (out, r) = fuzz(&dir, &[], "7", "4000");
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    assert!(r["groups"].as_array().unwrap().is_empty(), "{r:#}");
    assert_eq!(r["errors"], 0, "{r:#}");
    // Every request was sent and judged (the embedded edge has HTTPS and h2).
    assert_eq!(r["requests"], 4000, "{r:#}");
    assert_eq!(r["not_run"], 0, "{r:#}");
    assert!(
        !dir.join("found").exists(),
        "nothing found, nothing written"
    );
    for f in ["fuzz.json", "fuzz.md", "fuzz.html"] {
        assert!(dir.join("reports/latest").join(f).is_file(), "{f}");
    }
}

/// Mutants whose declared rule a request alone shows (no cache, log or failing origin needed).
const MUTANTS: [&str; 6] = [
    "redirect-302",
    "star-stops-at-slash",
    "location-keeps-port",
    "case-insensitive-patterns",
    "passes-x-forwarded-proto",
    "forwards-get-body",
];

#[test]
fn mutants_are_found_by_their_rule_and_the_scenarios_replay() {
    for name in MUTANTS {
        let m = Mutant::parse(name).unwrap();
        let dir = scratch(name);
        let (out, r) = fuzz(&dir, &["--mutant", name], "1", "3000");
        assert_eq!(out.status.code(), Some(1), "{name}: {}", shown(&out));
        let rules = group_rules(&r);
        assert!(
            m.rules()
                .iter()
                .any(|d| rules.iter().any(|g| g == d.as_str())),
            "{name} declares {:?}; the groups are {rules:?}",
            m.rules()
        );
        // Only the mutant's bug is found: no group names a rule it does not break.
        for g in &rules {
            assert!(
                m.rules().iter().any(|d| d.as_str() == g),
                "{name}: a group for {g}, which the mutant does not declare ({:?})",
                m.rules()
            );
        }
        for g in r["groups"].as_array().unwrap() {
            // The shrunk example is never longer than the one found.
            let (ex, sh) = (&g["example"]["url"], &g["shrunk"]["url"]);
            assert!(
                sh.as_str().unwrap().len() <= ex.as_str().unwrap().len(),
                "{g:#}"
            );
            assert!(!g["scenario_id"].as_str().unwrap().is_empty(), "{g:#}");
        }
        let file = r["scenarios"]
            .as_str()
            .expect("a scenario file")
            .to_string();
        assert!(
            file.contains(&format!("mutant-{name}")),
            "{file} is under the target's folder"
        );
        // The scenarios fail on the mutant ...
        let runs = dir.join("runs");
        let out = edgeconform(&[
            "run",
            &file,
            "--mutant",
            name,
            "--reports",
            runs.to_str().unwrap(),
        ]);
        let report: Value = serde_json::from_str(
            &std::fs::read_to_string(runs.join("latest/report.json")).unwrap(),
        )
        .unwrap();
        let failed = report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["verdict"] == "fail")
            .count();
        assert!(
            failed > 0,
            "{name}: the found scenarios pass on the mutant: {}",
            shown(&out)
        );
        // ... and pass on the reference edge.
        let out = edgeconform(&["run", &file, "--reports", runs.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", shown(&out));
    }
}

/// The groups of a fuzz.json by (rule, misreading): count, example index, example and shrunk
/// example.
fn groups_by_key(r: &Value) -> Vec<Value> {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            serde_json::json!([
                g["rule"],
                g["misreading"],
                g["count"],
                g["first_index"],
                g["example"],
                g["shrunk"]
            ])
        })
        .collect()
}

#[test]
fn the_same_seed_finds_and_shrinks_the_same() {
    let dir = scratch("seed");
    let (_, a) = fuzz(
        &dir.join("a"),
        &["--mutant", "last-match-wins", "-j", "8"],
        "42",
        "1500",
    );
    let (_, b) = fuzz(
        &dir.join("b"),
        &["--mutant", "last-match-wins", "-j", "3"],
        "42",
        "1500",
    );
    assert!(!groups_by_key(&a).is_empty(), "{a:#}");
    assert_eq!(groups_by_key(&a), groups_by_key(&b));
}

#[test]
fn unsafe_or_broken_invocations_are_usage_errors() {
    let dir = scratch("usage");
    let out = edgeconform(&["fuzz", "--target", "http://192.0.2.1:80", "--requests", "1"]);
    assert_usage_error(&out, "--allow-remote");
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "domain: d1.cloudfront.net\norigins:\n  a: {type: s4}\n",
    )
    .unwrap();
    let out = edgeconform(&[
        "fuzz",
        "--distribution",
        bad.to_str().unwrap(),
        "--requests",
        "1",
    ]);
    // The error points at the file, line and column.
    assert_usage_error(&out, "bad.yaml:3:");
    let out = edgeconform(&["fuzz", "--duration", "soon"]);
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
}

/// Mutants whose bug no single generated request shows: it needs the access log, an origin made
/// to fail, or a cache filled by an earlier request.
const NEEDS_MORE_THAN_A_REQUEST: [&str; 5] = [
    "redirect-logged-as-miss",
    "redirect-not-logged",
    "timeout-as-502",
    "cache-before-policy",
    "caches-unsafe-methods",
];

/// The self-test's table, bounded: fuzzing alone (no suite) finds a declared rule of every other
/// mutant within 4,000 requests of seed 1 (as the group's rule or among the rules the judge says
/// give the same answer).
#[test]
fn fuzzing_alone_finds_every_mutant_a_request_can_show() {
    let mut table = Vec::new();
    let mut missed = Vec::new();
    for m in Mutant::ALL {
        if NEEDS_MORE_THAN_A_REQUEST.contains(&m.name()) {
            continue;
        }
        let dir = scratch(&format!("self-{}", m.name()));
        let mut extra = vec![
            "--mutant".to_string(),
            m.name().to_string(),
            "--shrink-budget".into(),
            "60".into(),
        ];
        for r in m.rules() {
            extra.extend(["--until".to_string(), r.as_str().to_string()]);
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let (out, r) = fuzz(&dir, &extra, "1", "4000");
        let declared: Vec<&str> = m.rules().iter().map(|r| r.as_str()).collect();
        let mut found: Vec<String> = Vec::new();
        for g in r["groups"].as_array().unwrap() {
            let mut named = vec![g["rule"].as_str().unwrap_or("").to_string()];
            for a in g["alternatives"].as_array().into_iter().flatten() {
                named.push(a.as_str().unwrap_or("").to_string());
            }
            found.extend(named.into_iter().filter(|n| declared.contains(&n.as_str())));
        }
        found.sort();
        found.dedup();
        table.push(format!(
            "{:<28} {:<40} found {:?} after {} requests",
            m.name(),
            declared.join(", "),
            found,
            r["requests"]
        ));
        if found.is_empty() {
            missed.push(format!("{}: {}", m.name(), shown(&out)));
        }
    }
    println!("{}", table.join("\n"));
    assert!(missed.is_empty(), "not found:\n{}", missed.join("\n"));
    assert_eq!(
        table.len(),
        Mutant::ALL.len() - NEEDS_MORE_THAN_A_REQUEST.len()
    );
}

/// One seed fuzzed whole and as 2, 3 and 4 shards: the shards send the whole run's requests
/// between them, and their merged report has the whole run's groups, counts and examples. The
/// shrunk examples are the same too: each group's example is the lowest index that failed that
/// way (in the whole run and, after the merge, across the shards), and the shrink of an example
/// depends on the example alone against a deterministic target.
#[test]
fn shards_of_a_seed_merge_into_the_whole_run() {
    let dir = scratch("shards");
    let mutant = ["--mutant", "last-match-wins", "--shrink-budget", "60"];
    let (out, whole) = fuzz(&dir.join("whole"), &mutant, "42", "1200");
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(!groups_by_key(&whole).is_empty(), "{whole:#}");
    assert_eq!(whole["requests"], 1200, "{whole:#}");
    for n in 2..=4u64 {
        let mut files = Vec::new();
        let mut sent = 0;
        for i in 1..=n {
            let shard = format!("{i}/{n}");
            let mut extra = mutant.to_vec();
            extra.extend(["--shard", &shard]);
            let d = dir.join(format!("{n}-{i}"));
            let (out, r) = fuzz(&d, &extra, "42", "1200");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains(&format!("seed 42, shard {shard}")),
                "{}",
                shown(&out)
            );
            assert_eq!(r["shard"]["parts"], serde_json::json!([i]), "{r:#}");
            assert_eq!(r["shard"]["of"], n, "{r:#}");
            for g in r["groups"].as_array().unwrap() {
                assert_eq!(g["first_index"].as_u64().unwrap() % n, i - 1, "{g:#}");
            }
            sent += r["requests"].as_u64().unwrap();
            files.push(d.join("reports/latest/fuzz.json"));
        }
        assert_eq!(sent, 1200, "{n} shards send the whole run's requests");
        // The files in reverse order: the merge does not depend on it.
        let merged_dir = dir.join(format!("merged-{n}"));
        let mut args = vec!["report", "--merge", "-o", merged_dir.to_str().unwrap()];
        args.extend(files.iter().rev().map(|f| f.to_str().unwrap()));
        let out = edgeconform(&args);
        assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
        let merged: Value =
            serde_json::from_str(&std::fs::read_to_string(merged_dir.join("fuzz.json")).unwrap())
                .unwrap();
        assert_eq!(groups_by_key(&merged), groups_by_key(&whole), "{n} shards");
        for k in ["requests", "failed", "not_run", "errors", "seed"] {
            assert_eq!(merged[k], whole[k], "{k} with {n} shards");
        }
        let all: Vec<u64> = (1..=n).collect();
        assert_eq!(merged["shard"]["parts"], serde_json::json!(all));
        for f in ["fuzz.md", "fuzz.html"] {
            assert!(merged_dir.join(f).is_file(), "{f}");
        }
    }
}

#[test]
fn shards_that_do_not_fit_together_are_refused() {
    let dir = scratch("bad-shards");
    let out = edgeconform(&["fuzz", "--shard", "1/2", "--requests", "10"]);
    assert_usage_error(&out, "--shard needs an explicit --seed");
    let out = edgeconform(&["fuzz", "--shard", "3/2", "--seed", "1"]);
    assert_usage_error(&out, "expected I/N");
    let out = edgeconform(&["fuzz", "--shard", "3/4", "--seed", "1", "--requests", "2"]);
    assert_usage_error(&out, "leaves shard 3/4 nothing to send");
    let one = |name: &str, seed: &str, shard: &str| -> PathBuf {
        let d = dir.join(name);
        fuzz(&d, &["--shard", shard], seed, "40");
        d.join("reports/latest/fuzz.json")
    };
    let a = one("a", "5", "1/2");
    let b = one("b", "5", "1/2");
    let c = one("c", "6", "2/2");
    let merge = |files: &[&Path]| {
        let out_dir = dir.join("merged");
        let mut args = vec!["report", "--merge", "-o", out_dir.to_str().unwrap()];
        args.extend(files.iter().map(|f| f.to_str().unwrap()));
        edgeconform(&args)
    };
    let out = merge(&[&a, &b]);
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        err.contains("shard 1/2 is in both")
            && err.contains(a.to_str().unwrap())
            && err.contains(b.to_str().unwrap()),
        "{}",
        shown(&out)
    );
    assert_usage_error(&merge(&[&a, &c]), "its seed is 6, not 5");
    // A fuzz report and a run report do not merge.
    let runs = dir.join("runs");
    let out = edgeconform(&[
        "run",
        "--shard",
        "1/50",
        "--reports",
        runs.to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", shown(&out));
    let out = merge(&[&a, &runs.join("latest/report.json")]);
    assert_usage_error(&out, "is a fuzz report (fuzz.json) and");
    // Two shards of the reference edge find nothing: the merge exits 0.
    let d = one("d", "5", "2/2");
    let out = merge(&[&a, &d]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
}
