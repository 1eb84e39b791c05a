//! A recipe's verdict: the rules its run violates against its baseline
//! (`targets/NAME/expected.yaml`).

use crate::exit;
use crate::report::model::RunResult;
use std::collections::BTreeSet;

/// A recipe passes when the rules it violates are exactly its baseline.
pub(super) fn baseline_verdict(run: &RunResult, dir: &std::path::Path) -> u8 {
    let read = crate::runner::recipe::expected(dir)
        .and_then(|e| Ok((e, crate::runner::recipe::intermittent(dir)?)));
    let (expected, intermittent) = match read {
        Ok(e) => e,
        Err(e) => {
            eprintln!("edgeconform run: {e:#}");
            return exit::USAGE;
        }
    };
    let violated: BTreeSet<_> = run
        .by_rule()
        .into_iter()
        .filter(|(_, t)| t.failed > 0)
        .map(|(r, _)| r)
        .collect();
    // A listed rule that no case could observe (not observed, not run) is neither confirmed
    // nor gone: only a rule seen to hold makes a baseline entry stale, and only a case that
    // passed shows that (a case that failed for one of its rules may never have reached the
    // others: a request refused at the edge says nothing of the origin rules it names).
    // A rule some case left open (not observed) may be broken exactly there, so it is not stale.
    let (mut held, mut open) = (BTreeSet::new(), BTreeSet::new());
    for c in run.tallies() {
        open.extend(c.unobserved.iter().copied());
        if c.verdict.passed() {
            held.extend(
                c.rules
                    .iter()
                    .filter(|r| !c.unobserved.contains(r))
                    .copied(),
            );
        }
    }
    let seen_to_hold = |r: &edgeconform_core::rules::RuleId| held.contains(r) && !open.contains(r);
    let (new, fixed) = crate::runner::recipe::compare(&violated, &expected);
    // An intermittent entry that did not show this time is neither stale nor unseen.
    let (quiet, fixed): (Vec<_>, Vec<_>) =
        fixed.into_iter().partition(|r| intermittent.contains(r));
    for r in &quiet {
        println!(
            "baseline: {r} is in {}/expected.yaml as intermittent and did not show in this run",
            dir.display()
        );
    }
    let (fixed, unseen): (Vec<_>, Vec<_>) = fixed.into_iter().partition(|r| seen_to_hold(r));
    for r in &unseen {
        eprintln!(
            "edgeconform run: {r} is in {}/expected.yaml and was not observed in this run",
            dir.display()
        );
    }
    for r in &new {
        eprintln!(
            "edgeconform run: {r} is violated but not in {}/expected.yaml",
            dir.display()
        );
    }
    for r in &fixed {
        eprintln!(
            "edgeconform run: {r} is in {}/expected.yaml but no case violated it",
            dir.display()
        );
    }
    if new.is_empty() && fixed.is_empty() {
        println!(
            "baseline: the violations are exactly {}/expected.yaml ({} rules)",
            dir.display(),
            expected.len()
        );
        exit::OK
    } else {
        exit::FAIL
    }
}
