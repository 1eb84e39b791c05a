//! The options of `edgeconform fuzz` and their parsers.

use crate::cmd::target::TargetArgs;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
#[command(
    long_about = "Fuzz a live edge: send generated requests, judge every answer with the model exactly as a suite \
case is judged, group the failures by (rule, misreading), shrink the first example of each group while it \
still fails for the same rule, and write each group as a scenario that `edgeconform run` replays.\n\n\
Requests are generated from the distribution: paths from each behavior's pattern (its literal parts, what \
`*` and `?` may match, case flips, percent-encoded bytes, dot segments, `//`, long segments, escaped \
non-ASCII), queries, every method CloudFront serves and a few it does not, HTTP/1.0, 1.1 and 2, Host \
variants (aliases, wildcard aliases, case, port, trailing dot, unrouted and malformed names, none), extra \
headers (X-Forwarded-Proto, CloudFront-Forwarded-Proto, padding) and unusual bodies and lengths. The same \
--seed always gives the same requests.\n\n\
With --shard I/N (and an explicit --seed) the run sends only the requests of the seed's stream whose \
index i has i % N = I-1: --requests counts the whole stream, so each shard sends about 1/N of it, \
--duration, --rate, --max-requests, --until and --jobs apply to each shard on its own, and each shard \
shrinks the groups it found. `edgeconform report --merge shard-*/fuzz.json -o DIR` merges the shards' \
reports by (rule, misreading): counts added up, each group's example the one of lowest index.\n\n\
Without --target the embedded reference edge (or --mutant NAME) is fuzzed; --recipe NAME starts a recipe \
from targets/ and compares the groups with its baseline. Only loopback targets are fuzzed unless \
--allow-remote is given; a global request cap and a rate limit are always in force; redirects are never \
followed.\n\n\
Exit codes: 0 nothing found (for a recipe: only its baseline); 1 something found; 2 usage or config \
error; 3 interrupted, or the target never answered.",
    // The target flags are `run`'s (TargetArgs); here their help speaks of fuzzing.
    mut_arg("target", |a| a.help(
        "Plain-HTTP address of the target, e.g. http://127.0.0.1:8080. Without it the embedded \
reference edge (or --mutant) is started"
    )),
    mut_arg("target_https", |a| a.requires("target").help(
        "HTTPS address of the target, e.g. https://127.0.0.1:8443 (without it, HTTPS requests are \
not run)"
    )),
    mut_arg("distribution", |a| a.help(
        "The distribution the target implements: requests are generated from it and judged \
against it"
    )),
    mut_arg("origin_control", |a| a.help(
        "With --target: read the origin's records from a standalone `edgeconform origin` at this \
control address instead of starting one"
    )),
    mut_arg("viewer_only", |a| a.help(
        "Judge the viewer side only (an edge wired to an origin of its own): origin-side rules \
are not observed"
    )),
    mut_arg("mutant", |a| a.help(
        "Fuzz a mutant of the embedded reference edge (`edgeconform mutants` lists them)"
    )),
    mut_arg("recipe", |a| a.help(
        "Fuzz a third-party recipe from targets/ (started before, stopped after); groups whose \
rule is in targets/NAME/expected.yaml are expected"
    )),
    mut_arg("name", |a| a.help("A short name for the target in reports and in the scenario folder")),
)]
pub struct FuzzArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// How long to send generated requests (`60s`, `2m`, `500ms`). Default 60s unless
    /// --requests is given.
    #[arg(long, value_name = "TIME", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// How many generated requests to send (at most; --duration may end the run first). With
    /// --shard it counts the whole stream (requests 0 to N-1 of the seed): the shard sends those
    /// of them that are its own.
    #[arg(long, value_name = "N")]
    pub requests: Option<u64>,
    /// The seed: the same seed gives the same requests. Default: from the clock (printed);
    /// required with --shard.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Send only shard I of N (`--shard 2/4`) of the seed's requests: request i is shard
    /// i % N + 1's, so N jobs with one --seed and --requests send the unsharded run's requests
    /// between them, none twice. `edgeconform report --merge shard-*/fuzz.json -o DIR` puts their
    /// reports together.
    #[arg(long, value_name = "I/N", value_parser = crate::cmd::shard::parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Requests per second at most, shrinking included. Default 20000 on loopback, 20 with
    /// --allow-remote.
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,
    /// The global cap on requests this process sends, shrinking included (with --shard: this
    /// shard's). Default 5,000,000 on loopback, 10,000 with --allow-remote.
    #[arg(long, value_name = "N")]
    pub max_requests: Option<u64>,
    /// Requests in flight at once.
    #[arg(long, short = 'j', default_value_t = 16)]
    pub jobs: usize,
    /// Seconds to wait for one complete response.
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
    /// Requests each group's shrinking may send.
    #[arg(long, value_name = "N", default_value_t = 300)]
    pub shrink_budget: u64,
    /// Stop sending generated requests once every rule given here has a group (repeatable):
    /// how long a rule takes to find (the self-test's table). The groups are still shrunk.
    #[arg(long = "until", value_name = "RULE", value_parser = parse_rule)]
    pub until: Vec<edgeconform_core::RuleId>,
    /// Fuzz a target that is not on loopback (someone's real edge: mind the rate).
    #[arg(long)]
    pub allow_remote: bool,
    /// Where reports go: a folder per run (fuzz.json, fuzz.md, fuzz.html) plus `latest/`.
    #[arg(long, short = 'o', default_value = "reports/fuzz")]
    pub reports: PathBuf,
    /// Where the scenarios of the groups go: <DIR>/<target>/<date>.yaml.
    #[arg(long, value_name = "DIR", default_value = "specs/found")]
    pub found: PathBuf,
}

fn parse_rule(s: &str) -> Result<edgeconform_core::RuleId, String> {
    edgeconform_core::RuleId::parse(s)
        .ok_or_else(|| format!("`{s}` is not a rule ID; expected one of RULES.md's, e.g. PAT-CASE"))
}

/// `60s`, `2m`, `500ms`, `1h`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("`{s}` is not a duration; expected e.g. 60s, 2m, 500ms or 1h");
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let n: f64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(bad()),
    };
    if !secs.is_finite() || secs <= 0.0 {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        for bad in ["", "0s", "-1s", "5x", "s", "1e400"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
