//! Verdicts: what a case's observed legs say against the judge's rule predicates and the case's
//! own expectations. A pure function of the case, the distribution and what was observed, shared
//! by the runner, the access-log pass and the live fuzzer.

use crate::distribution::Distribution;
use crate::judge::judge;
use crate::outcome::Outcome;
use crate::rules::{Level, RuleId};
use crate::spec::Case;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    /// A violation at level `must` or `should`.
    Fail,
    /// Only notes (open questions), no failure.
    Info,
    /// The target did not answer usably (reset, timeout, garbage): counted as a failure.
    Error,
    /// Nothing the case checks could be observed (a response from the cache says nothing about
    /// the origin side): neither a pass nor a failure.
    #[serde(rename = "not-observed")]
    NotObserved,
    /// The case was not sent: the target has no listener for it (no HTTPS address, HTTP/2 not
    /// offered). Neither a pass nor a failure.
    #[serde(rename = "not-run")]
    NotRun,
}

impl Verdict {
    /// A failure or an error: what the totals count as failed.
    pub fn failed(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::Error)
    }

    /// A pass, or a pass with notes: what the totals count as passed. `not observed` and
    /// `not run` never are.
    pub fn passed(self) -> bool {
        matches!(self, Verdict::Pass | Verdict::Info)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Info => "info",
            Verdict::Error => "error",
            Verdict::NotObserved => "not observed",
            Verdict::NotRun => "not run",
        }
    }
}

/// What found a [`Finding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A rule predicate of the judge.
    Judge,
    /// The case's expectation on the viewer's response.
    Viewer,
    /// The case's expectation on what reached the origin.
    Origin,
    /// The case's expectation on the bill.
    Billing,
    /// The case's expectation on the access-log line.
    Log,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Judge => "judge",
            Source::Viewer => "viewer",
            Source::Origin => "origin",
            Source::Billing => "billing",
            Source::Log => "log",
        }
    }

    /// The source of a mismatch found by an observer (`viewer`, `origin`, `billing`, `log`).
    pub fn of_observer(observer: &str) -> Source {
        match observer {
            "viewer" => Source::Viewer,
            "origin" => Source::Origin,
            "billing" => Source::Billing,
            _ => Source::Log,
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One failed or noted check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub rules: Vec<RuleId>,
    /// What found it: the judge (a rule predicate) or an observer's expectation.
    pub source: Source,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<String>,
    /// A note, not a failure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub info: bool,
    /// The rules could not be observed (e.g. origin-side rules for a response from the cache):
    /// neither a pass nor a failure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_observed: bool,
}

impl Finding {
    /// A failing finding: neither a note nor an unobserved rule.
    pub fn is_failure(&self) -> bool {
        !self.info && !self.not_observed
    }
}

/// The findings of a case from its observed legs: every leg judged by the rule predicates, then
/// the case's own expectations; the verdict; the level (lowered to `should` when every failing
/// finding rests on inferred rules, RULES.md).
pub fn evaluate(
    case: &Case,
    dist: &Distribution,
    legs: &[Outcome],
    errored: bool,
) -> (Vec<Finding>, Verdict, Level) {
    let mut findings = judged_findings(case, dist, legs);
    expectation_findings(case, legs, errored, &mut findings);
    let (verdict, level) = verdict_of(case, &findings, errored);
    (findings, verdict, level)
}

/// Every leg judged by the rule predicates.
fn judged_findings(case: &Case, dist: &Distribution, legs: &[Outcome]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (req, o) in case.legs().zip(legs) {
        for v in judge(dist, &req, o) {
            findings.push(Finding {
                rules: vec![v.rule],
                source: Source::Judge,
                message: v.message,
                expected: None,
                observed: None,
                info: v.info,
                not_observed: v.not_observed,
            });
        }
    }
    findings
}

/// The case's own expectations, after the judge's findings: see the comments for when they
/// count and against which rules.
fn expectation_findings(case: &Case, legs: &[Outcome], errored: bool, findings: &mut Vec<Finding>) {
    // A case whose expectations all come from the model restates what the judge checks; when the
    // judge already named the broken rule, the model's field-by-field differences would only
    // smear the failure over every rule of the case.
    // When the judge named the broken rule, the case's own expectations are shown as evidence
    // (expected vs observed) without rules: a scenario lists every rule it exercises, and a
    // single bug would otherwise be counted against all of them. When the judge is silent, a
    // mismatch counts against the rules it rests on. Model-derived cases restate what the judge
    // checks, so their mismatches are only kept when the judge found nothing.
    let judged = findings.iter().any(Finding::is_failure);
    // A refusal for how the request's content is framed (411 to a request sent without a
    // length, 400 to a HEAD with content) exercised nothing: the judge's note says so and the
    // case's expectations do not apply.
    let unexercised = case
        .legs()
        .zip(legs)
        .any(|(r, o)| crate::judge::unexercised(&r, o));
    if !errored && !unexercised && (case.explicit || !judged) {
        // The access log is read after the run (logcheck::apply evaluates again with it).
        let log_pending = legs.iter().all(|o| o.log.is_none());
        for m in case
            .check(legs)
            .into_iter()
            .filter(|m| !(log_pending && m.observer == "log"))
        {
            // What the origin saw for a response served from the cache, or in a viewer-only
            // run, and the bill of a viewer-only run, are not observed: the expectation on them
            // neither holds nor breaks, and counts only against the rules of that side (the
            // policy was judged: a hit is served).
            let leg = legs.get(m.leg);
            let unseen_origin =
                leg.is_some_and(|o| o.origin.is_none() && (o.cache.is_some() || o.viewer_only));
            let from_cache = match m.observer {
                "origin" => unseen_origin,
                "billing" => legs.iter().any(|o| o.viewer_only),
                _ => false,
            };
            if from_cache && m.field == "contacted" {
                continue;
            }
            // An unseen field counts only against the rules of its own side: which origin served
            // against the behavior's choice (PAT-*, VPP-PER-BEHAVIOR), the origin's other fields
            // against ORG-*, the bill against BIL-* (the log, when there is one, judges those).
            let rules = if from_cache {
                use crate::rules::Group;
                m.rules
                    .iter()
                    .copied()
                    .filter(|r| match (m.observer, m.field.as_str()) {
                        ("origin", "id") => r.group() == Group::Pat || *r == RuleId::VppPerBehavior,
                        ("origin", _) => r.group() == Group::Org,
                        _ => r.group() == Group::Bil,
                    })
                    .collect()
            } else if judged {
                Vec::new()
            } else {
                m.rules.clone()
            };
            findings.push(Finding {
                rules,
                source: Source::of_observer(m.observer),
                message: format!("{} {}", m.observer, m.field),
                expected: Some(m.expected.clone()),
                observed: Some(m.observed.clone()),
                info: false,
                not_observed: from_cache,
            });
        }
    }
}

/// The verdict and level of a case from its findings (`errored`: a leg got no usable answer).
fn verdict_of(case: &Case, findings: &[Finding], errored: bool) -> (Verdict, Level) {
    let failing: Vec<&Finding> = findings.iter().filter(|f| f.is_failure()).collect();
    let mut level = case.level;
    if !failing.is_empty()
        && failing.iter().all(|f| {
            f.rules
                .iter()
                .all(|r| r.strength().default_level() == Level::Should)
        })
    {
        level = level.min(Level::Should);
    }
    let unobserved = |r: &RuleId| {
        findings
            .iter()
            .any(|f| f.not_observed && f.rules.contains(r))
    };
    let verdict = if errored {
        Verdict::Error
    } else if !failing.is_empty() {
        Verdict::Fail
    } else if !case.rules.is_empty() && case.rules.iter().all(unobserved) {
        Verdict::NotObserved
    } else if findings.iter().any(|f| f.info) {
        Verdict::Info
    } else {
        Verdict::Pass
    };
    (verdict, level)
}

#[cfg(test)]
mod tests {
    use super::{evaluate, Verdict};
    use crate::outcome::{CacheHit, Outcome};
    use crate::spec::{load_suite, Case};
    use crate::RuleId;

    /// The first case of a one-scenario suite on the standard distribution.
    fn case(scenario: &str) -> (Case, crate::distribution::Distribution) {
        let text = format!(
            "distribution: standard.yaml\nscenarios:\n  - id: c\n    name: a case\n{scenario}"
        );
        let read = |_: &str| -> Result<String, String> {
            Ok(include_str!("../../../specs/distributions/standard.yaml").to_string())
        };
        let suite = load_suite(&text, "t.yaml", &read).unwrap_or_else(|p| panic!("{p:?}"));
        (suite.case(0).into_owned(), suite.distribution.clone())
    }

    fn from_cache(mut o: Outcome) -> Outcome {
        o.origin = None;
        o.cache = Some(CacheHit {
            evidence: "age: 3".into(),
            origin: None,
            fill: None,
        });
        o
    }

    #[test]
    fn a_cache_hit_passes_the_policy_and_leaves_the_origin_unobserved() {
        let (c, d) = case(
            "    rules: [VPP-HTTPS-SERVED, ORG-S3-MATCH-VIEWER]\n    request: {method: GET, scheme: https, path: /images/a.jpg}\n    expect:\n      viewer: {status: 200}\n      origin: {id: assets, protocol: https}\n",
        );
        let legs: Vec<Outcome> = c.model_legs(&d).into_iter().map(from_cache).collect();
        let (findings, verdict, _) = evaluate(&c, &d, &legs, false);
        assert_eq!(verdict, Verdict::Pass, "{findings:?}");
        assert!(findings.iter().all(|f| !f.is_failure()), "{findings:?}");
        assert!(findings
            .iter()
            .any(|f| f.not_observed && f.rules.contains(&RuleId::OrgS3MatchViewer)));
        // Without the cache evidence the same answer fails: nothing was served.
        let mut bare = legs.clone();
        bare[0].cache = None;
        assert_eq!(evaluate(&c, &d, &bare, false).1, Verdict::Fail);
    }

    #[test]
    fn a_case_that_observed_none_of_its_rules_is_not_observed() {
        let (c, d) = case(
            "    rules: [ORG-S3-MATCH-VIEWER]\n    request: {method: GET, scheme: https, path: /images/a.jpg}\n    expect:\n      origin: {id: assets, protocol: https}\n",
        );
        let legs: Vec<Outcome> = c.model_legs(&d).into_iter().map(from_cache).collect();
        assert_eq!(evaluate(&c, &d, &legs, false).1, Verdict::NotObserved);
        assert_eq!(evaluate(&c, &d, &c.model_legs(&d), false).1, Verdict::Pass);
    }

    #[test]
    fn a_411_to_a_request_without_length_is_only_a_note() {
        let (c, d) = case(
            "    rules: [VPP-HTTPS-SERVED]\n    request: {method: PATCH, scheme: https, path: /api/a, content_length: false}\n    expect:\n      viewer: {status: 200}\n",
        );
        let mut legs = c.model_legs(&d);
        legs[0].status = 411;
        legs[0].origin = None;
        let (findings, verdict, _) = evaluate(&c, &d, &legs, false);
        assert_eq!(verdict, Verdict::Info, "{findings:?}");
        // The same answer to a request with a length is a failure.
        let (c, d) = case(
            "    rules: [VPP-HTTPS-SERVED]\n    request: {method: PATCH, scheme: https, path: /api/a}\n    expect:\n      viewer: {status: 200}\n",
        );
        assert_eq!(evaluate(&c, &d, &legs, false).1, Verdict::Fail);
    }
}
