//! What the self-test and the derived suite's test share: running suites against the reference
//! edge and every mutant, in full and viewer-only, and the checks both make of the rows.

use edgeconform::cmd::selftest::{self, Row};
use edgeconform::edge::Mutant;
use edgeconform_core::spec::Suite;
use std::time::Instant;

/// Runs `suites` against the reference edge and every mutant and asserts that no row has a
/// problem and every mutant is killed (`what` names the run in the failure); then runs them
/// viewer-only (the origin's records not read, as against CloudFront) and asserts that the
/// viewer side is judged the same, for the reference edge and every mutant. Returns the full
/// run's rows, for the snapshot of the table.
pub fn every_mutant_caught(suites: &[Suite], what: &str) -> Vec<Row> {
    let started = Instant::now();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rows = rt
        .block_on(selftest::run_all(suites, &Mutant::ALL, 4))
        .expect("every edge starts and runs");
    // `cargo test -- --nocapture` (make selftest) shows the table and the kill rate.
    println!("{}", selftest::render(&rows, started.elapsed()));
    assert_eq!(rows.len(), 1 + Mutant::ALL.len(), "a row per edge");
    let problems: Vec<String> = rows
        .iter()
        .filter_map(|r| r.problem().map(|p| format!("{}: {p}", r.name())))
        .collect();
    assert!(
        problems.is_empty(),
        "{what} fails:\n{}",
        problems.join("\n")
    );
    let (killed, total) = selftest::kill_rate(&rows);
    assert_eq!(killed, total, "kill rate {killed}/{total}");

    let viewer = rt
        .block_on(selftest::run_all_as(suites, &Mutant::ALL, 4, true))
        .expect("every edge starts and runs");
    let mut differ = Vec::new();
    for (f, v) in rows.iter().zip(&viewer) {
        let fs: Vec<_> = f.violated.iter().filter(|r| viewer_side(r)).collect();
        let vs: Vec<_> = v.violated.iter().filter(|r| viewer_side(r)).collect();
        if fs != vs || v.errors > 0 {
            differ.push(format!("{}: full {fs:?}, viewer-only {vs:?}", f.name()));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    assert!(viewer[0].violated.is_empty(), "{:?}", viewer[0].violated);
    rows
}

/// Rules a run sees from the viewer's side alone.
fn viewer_side(r: &edgeconform_core::RuleId) -> bool {
    use edgeconform_core::rules::Group;
    matches!(
        r.group(),
        Group::Vpp | Group::Loc | Group::Pat | Group::Mth | Group::Host | Group::Lim
    ) && *r != edgeconform_core::RuleId::LocEdgeOnly
}
