//! The derived suite (`edgeconform derive`, `run --distribution`, `coverage --distribution`): the
//! suite derived from standard.yaml passes against the reference edge and catches every mutant
//! for exactly the rules it declares, by a derived scenario (not only the matrix), as the
//! hand-written suites do. The table mutant → violated rules is an insta snapshot, reviewed like
//! code.

use std::path::{Path, PathBuf};
use std::process::Command;

use edgeconform::cmd::selftest;

mod common;

fn standard() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/distributions/standard.yaml")
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_edgeconform"))
}

#[test]
fn the_derived_suite_catches_every_mutant_for_exactly_its_rules() {
    // No decision depends on HTTP/2 (the version only matters for HTTP/1.0 under `current`), so
    // its matrix cells catch nothing the HTTP/1.1 ones miss: they are left out here to spare 70
    // requests per edge, and run by `run --distribution`.
    let opts = edgeconform_core::derive::Options { http2: false };
    let suite = edgeconform::cmd::derive::derived_suite(&standard(), opts)
        .expect("the derived suite loads");
    let suites = [suite];
    let rows = common::every_mutant_caught(&suites, "the derived self-test");
    insta::assert_snapshot!("derived_mutants", selftest::golden_table(&rows));
}

#[test]
fn derive_writes_a_suite_that_sits_beside_the_hand_written_ones() {
    // A copy of specs/ with the derived suite in a subfolder: the suite names its distribution
    // relative to itself, and its ids clash with no hand-written one.
    let dir = std::env::temp_dir().join(format!("edgeconform-derive-{}", std::process::id()));
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    std::fs::create_dir_all(dir.join("distributions")).unwrap();
    std::fs::create_dir_all(dir.join("derived")).unwrap();
    for e in std::fs::read_dir(&specs)
        .unwrap()
        .chain(std::fs::read_dir(specs.join("distributions")).unwrap())
    {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml" || x == "json") {
            let rel = p.strip_prefix(&specs).unwrap();
            std::fs::copy(&p, dir.join(rel)).unwrap();
        }
    }
    let out = bin()
        .arg("derive")
        .arg(dir.join("distributions/standard.yaml"))
        .arg("-o")
        .arg(dir.join("derived/standard.yaml"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("derived/standard.yaml")).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema=../schema.json\n"),
        "{}",
        &text[..200]
    );
    assert!(
        text.contains("distribution: \"../distributions/standard.yaml\""),
        "{}",
        &text[..400]
    );
    // The whole folder loads (ids unique across suites) and agrees with the model.
    let check = bin().arg("check").arg(&dir).output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr),
    );
    assert_eq!(check.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("derived/standard.yaml: 689 cases"),
        "{stdout}"
    );
    // Without -o: the same suite on stdout, the distribution named from the current folder.
    let printed = bin()
        .arg("derive")
        .arg(dir.join("distributions/standard.yaml"))
        .output()
        .unwrap();
    let printed = String::from_utf8(printed.stdout).unwrap();
    assert_eq!(printed.lines().count(), text.lines().count());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn coverage_of_a_distribution_names_unreachable_rules_with_the_reason() {
    let dir = std::env::temp_dir().join(format!("edgeconform-derive-cov-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dist = dir.join("small.yaml");
    std::fs::write(
        &dist,
        "domain: d9.cloudfront.net\norigins: {o: {type: s3}}\nbehaviors:\n  - {path_pattern: /img/*, viewer_protocol_policy: redirect-to-https, origin: o}\ndefault_behavior: {viewer_protocol_policy: allow-all, origin: o}\n",
    )
    .unwrap();
    let out = bin()
        .args(["coverage", "--distribution"])
        .arg(&dist)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let line = |rule: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(rule))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("ORG-WEBSITE-HTTP ")
            .contains("UNREACHABLE: no behavior a request can select uses an S3 website origin"),
        "{stdout}"
    );
    assert!(line("VPP-HTTPS-ONLY ").contains("UNREACHABLE"), "{stdout}");
    assert!(line("PAT-SLASH ").contains("UNREACHABLE"), "{stdout}");
    assert!(
        line("VPP-REDIRECT-SAFE ").contains("img-star-http-get"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
