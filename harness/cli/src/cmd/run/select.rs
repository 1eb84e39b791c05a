//! Which cases a run sends: selected by tag, id and shard, and for an external target only
//! those on its distribution that it can run.

use super::RunArgs;
use crate::runner::plan::Selection;
use crate::runner::target::{read_distribution, Serves};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::spec::Suite;

/// FNV-1a of a case id: stable across runs, machines and Rust versions (unlike `DefaultHasher`).
fn shard_of(id: &str, n: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h % n + 1
}

/// Cases selected by tag, id and shard (only those on `only` when given), as indices: matrix
/// cells are built when they run.
/// The cases to send and what the target serves: for an external target (or a recipe) the
/// cases on its distribution it can run, otherwise every selected case on the edges it needs.
pub(super) fn cases(suites: Vec<Suite>, args: &RunArgs) -> anyhow::Result<(Selection, Serves)> {
    Ok(if args.target.is_external() {
        let dist = read_distribution(&args.target.distribution)?;
        (external_cases(suites, args, &dist), Serves::External(dist))
    } else {
        let cases = selected(suites, args, None);
        let needs = cases.needs();
        (cases, Serves::Embedded(needs))
    })
}

fn selected(suites: Vec<Suite>, args: &RunArgs, only: Option<&Distribution>) -> Selection {
    let on_target: Vec<bool> = suites
        .iter()
        .map(|s| only.is_none_or(|d| *d == s.distribution))
        .collect();
    Selection::new(suites, |si, s, i| {
        on_target[si]
            && s.selects(i, &args.tags, &args.ids)
            && args.shard.is_none_or(|(k, n)| shard_of(&s.id(i), n) == k)
    })
}

/// The cases an external target can run: those on its distribution, without the ones that need
/// an origin failure the harness can only arrange for its own edge, and without the access-log
/// cases when no `--access-log` was given.
fn external_cases(suites: Vec<Suite>, args: &RunArgs, dist: &Distribution) -> Selection {
    let mut all = selected(suites, args, Some(dist));
    let failures = all
        .scenarios()
        .filter(|(c, _)| c.origin_failure.is_some())
        .count();
    if failures > 0 {
        eprintln!(
            "edgeconform run: {failures} cases need an arranged origin failure (ORG-FAILURE) and run only against the reference edge"
        );
    }
    let no_log = args.access_log.is_empty();
    let logs = all
        .scenarios()
        .filter(|(c, _)| c.access_log && c.origin_failure.is_none())
        .count();
    if no_log && logs > 0 {
        eprintln!("edgeconform run: {logs} access-log cases left out: give the target's log with --access-log FILE");
    }
    all.retain(
        |c| c.origin_failure.is_none() && !(no_log && c.access_log),
        true,
    );
    all
}

#[cfg(test)]
mod tests {
    use super::shard_of;

    #[test]
    fn shards_split_stably() {
        // Pinned values (FNV-1a): a change here would reshuffle every CI matrix.
        assert_eq!(shard_of("redirect-get-keeps-query", 4), 3);
        assert_eq!(shard_of("redirect-get-keeps-query", 7), 3);
        assert_eq!(shard_of("a", 4), 1);
        assert_eq!(shard_of("a", 7), 6);
        assert_eq!(shard_of("case-0", 4), 1);
        let ids: Vec<String> = (0..1000).map(|i| format!("case-{i}")).collect();
        let mut counts = [0; 4];
        for id in &ids {
            counts[(shard_of(id, 4) - 1) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 200), "{counts:?}");
    }
}
