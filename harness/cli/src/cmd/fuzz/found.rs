//! The groups of a run as a suite, `specs/found/<target>/<date>.yaml`, written with `promote`'s
//! writer: the distribution inline, one scenario per group with the shrunk request and the model's
//! expectation (`decide`), and above it in comments what the target answered and where the
//! example came from. `edgeconform run FILE` replays it; in `specs/` it becomes a regression case
//! of the next `make conformance`.
//!
//! ```text
//! # Fuzzed target: mutant-star-stops-at-slash (seed 1)
//! distribution:
//!   domain: "d111111abcdef8.cloudfront.net"
//!   ...
//! tags: [fuzz, found]
//! scenarios:
//!   # Observed on mutant-star-stops-at-slash: 200 (origin assets reached over http port 80 with /images/a/b)
//!   # The judge: PAT-WILDCARD: ...
//!   # Request 17 of seed 1, shrunk in 41 requests (6 steps); 812 requests of the run failed this way.
//!   - id: found-pat-wildcard-3fa2c1
//!     name: "GET http://d111111abcdef8.cloudfront.net/images/a/b (HTTP/1.1) is redirected with 301 (found by fuzzing)"
//!     rules: [PAT-WILDCARD, VPP-REDIRECT-SAFE]
//!     request: {method: "GET", scheme: http, path: "/images/a/b", host: "d111111abcdef8.cloudfront.net", version: "1.1"}
//!     expect:
//!       viewer: {status: 301, location: same-url-over-https}
//!       origin: {contacted: false}
//! ```

use super::probe::describe;
use super::report::Group;
use crate::cmd::promote::yaml::{shorten, statuses, write_distribution, write_scenario, Scenario};
use crate::cmd::promote::{checkable, expressible, Expect};
use anyhow::{anyhow, Context, Result};
use edgeconform_core::decide::decide;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::spec::{load_suite, Case, ModelCase};
use edgeconform_core::yaml::write::one_line;
use edgeconform_core::Request;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Writes the suite of `groups` under `dir/<slug>/`, sets each group's `scenario_id`, and returns
/// the file's path.
pub fn write(
    dir: &Path,
    slug: &str,
    dist: &Distribution,
    groups: &mut [Group],
    target: &str,
    seed: u64,
) -> Result<PathBuf> {
    let mut y = String::new();
    let _ = writeln!(y, "# yaml-language-server: $schema=../../schema.json");
    let _ = writeln!(y, "#");
    let _ = writeln!(
        y,
        "# Found by `edgeconform fuzz` against {} (seed {seed}).",
        one_line(target)
    );
    let _ = writeln!(
        y,
        "# Each scenario is the shrunk example of one group of failures (rule, misreading); its"
    );
    let _ = writeln!(y, "# expectation is the model's decision, what the target answered is in the comment above it.");
    let _ = writeln!(
        y,
        "# Review each against RULES.md, give it a descriptive id, then move it out of found/."
    );
    write_distribution(&mut y, dist);
    let _ = writeln!(y, "tags: [fuzz, found]");
    let _ = writeln!(y, "scenarios:");
    let mut written: Vec<(Request, String)> = Vec::new();
    for g in groups.iter_mut() {
        let req = &g.shrunk.req;
        // Two groups may shrink to one request (it fails both ways): one scenario shows both.
        if let Some((_, id)) = written.iter().find(|(r, _)| r == req) {
            g.scenario_id = id.clone();
            continue;
        }
        if let Err(e) = expressible(req) {
            let why = match e {
                crate::cmd::promote::Failure::Usage(m)
                | crate::cmd::promote::Failure::Harness(m) => m,
            };
            let _ = writeln!(y, "  # Not written: {}", one_line(&why));
            continue;
        }
        let s = scenario(dist, g, target, seed);
        g.scenario_id = s.id.clone();
        write_scenario(&mut y, &s);
        written.push((req.clone(), s.id));
    }
    if written.is_empty() {
        return Err(anyhow!("no group's example can be stated as a scenario"));
    }
    // What was written must load and mean the requests that failed.
    let shown = format!("found/{slug}.yaml");
    let no_file =
        |p: &str| -> Result<String, String> { Err(format!("{p}: the found suite is inline")) };
    let suite = load_suite(&y, &shown, &no_file).map_err(|ps| {
        anyhow!(
            "the suite written for the findings does not load (a bug in edgeconform fuzz):\n{}\n{y}",
            ps.render(&shown)
        )
    })?;
    if suite.distribution != *dist {
        return Err(anyhow!("the suite written for the findings has another distribution (a bug in edgeconform fuzz):\n{y}"));
    }
    let folder = dir.join(slug);
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let date: String = crate::report::model::now_rfc3339()
        .chars()
        .take(10)
        .collect();
    let mut path = folder.join(format!("{date}.yaml"));
    let mut n = 2;
    while path.exists() {
        path = folder.join(format!("{date}-{n}.yaml"));
        n += 1;
    }
    std::fs::write(&path, &y).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

fn scenario(dist: &Distribution, g: &Group, target: &str, seed: u64) -> Scenario {
    let req = g.shrunk.req.clone();
    let d = decide(dist, &req);
    let model = Case::from_model(dist, req.clone(), ModelCase::default());
    let expect = Expect::of_decision(dist, &d, model.expect.viewer.status.clone());
    let rules = checkable(g.key.rule.into_iter().chain(d.rules.iter().copied()));
    let what = match &expect {
        Expect::Edge {
            status,
            redirect: true,
        } => format!("is redirected with {}", statuses(status)),
        Expect::Edge { status, .. } => format!("is refused with {}", statuses(status)),
        Expect::Forward {
            origin, protocol, ..
        } => {
            format!("is forwarded to origin `{origin}` over {protocol}")
        }
    };
    let name = format!(
        "{} {}://{}{} (HTTP/{}) {what} (found by fuzzing)",
        shorten(req.method.as_str()),
        req.scheme,
        shorten(req.host.as_deref().unwrap_or("(no Host)")),
        shorten(&req.target),
        req.version
    );
    let judged = g
        .shrunk
        .failure
        .findings
        .iter()
        .filter(|f| f.is_failure())
        .find(|f| g.key.rule.is_some_and(|r| f.rules.contains(&r)))
        .or_else(|| g.shrunk.failure.findings.iter().find(|f| f.is_failure()))
        .map(|f| {
            let rules: Vec<&str> = f.rules.iter().map(|r| r.as_str()).collect();
            format!("{}: {}", rules.join(", "), f.message)
        })
        .unwrap_or_default();
    let comments = vec![
        format!("Observed on {target}: {}", describe(&g.shrunk.failure.outcome)),
        format!("The judge: {judged}"),
        format!(
            "Request {} of seed {seed}, shrunk in {} requests ({} steps); {} requests of the run failed this way.",
            g.first_index, g.shrunk.sends, g.shrunk.steps, g.count
        ),
    ];
    let rule = g
        .key
        .rule
        .map_or("unnamed".to_string(), |r| r.as_str().to_ascii_lowercase());
    Scenario {
        id: format!("found-{rule}-{}", hash6(&req)),
        name,
        rules,
        req,
        expect,
        comments,
    }
}

/// Six hex digits of FNV-1a over the request's parts: a stable id suffix.
fn hash6(r: &Request) -> String {
    let text = format!("{r:?}");
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{:06x}", h & 0xff_ffff)
}
