//! The self-test (`make selftest`): the suite in `specs/` against the reference edge
//! (clean) and against every mutant of it (each caught for exactly the rules it declares, by at
//! least one hand-written scenario). The table mutant → violated rules is an insta snapshot:
//! review a change to it like code. Also the `--mutant` flags of `edge` and `run`, and
//! `edgeconform mutants`.

use std::path::{Path, PathBuf};
use std::process::Command;

use edgeconform::cmd::selftest;
use edgeconform::edge::Mutant;

mod common;

fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_edgeconform"))
}

#[test]
fn every_mutant_is_caught_for_exactly_the_rules_it_breaks() {
    let suites = selftest::load_suites(&specs()).expect("the suites load");
    let rows = common::every_mutant_caught(&suites, "the self-test");
    insta::assert_snapshot!("mutants", selftest::golden_table(&rows));
}

#[test]
fn mutants_lists_every_mutant_with_its_rules() {
    let out = bin().arg("mutants").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1 + Mutant::ALL.len(), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("location-drops-query "))
        .unwrap();
    assert!(line.contains("LOC-TARGET"), "{line}");
}

#[test]
fn an_unknown_mutant_is_a_usage_error() {
    let out = bin()
        .args(["edge", "-d", "x.yaml", "--mutant", "redirect-999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown mutant `redirect-999`"), "{err}");
}

#[test]
fn run_against_a_mutant_fails_for_its_rule() {
    let reports =
        std::env::temp_dir().join(format!("edgeconform-selftest-run-{}", std::process::id()));
    let out = bin()
        .arg("run")
        .arg(specs())
        .args(["--mutant", "redirect-302", "--id", "redirect-pair-billing"])
        .arg("--reports")
        .arg(&reports)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let report = std::fs::read_to_string(reports.join("latest/report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["target"]["name"], "mutant-redirect-302");
    assert_eq!(report["cases"][0]["verdict"], "fail");
    let _ = std::fs::remove_dir_all(&reports);
}
