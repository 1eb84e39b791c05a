//! The one result model every reporter reads (Hurl's split: the runner builds these, separate from
//! the parsed specs; each reporter turns them into its format). Serialised as `report.json`.

use edgeconform_core::billing::Ledger;
pub use edgeconform_core::distribution::Ruleset;
use edgeconform_core::rules::{Level, RuleId, CATALOG};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Version of the `report.json` schema; bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// One run of the suite against one target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunResult {
    pub schema_version: u32,
    pub tool: String,
    pub tool_version: String,
    pub target: TargetInfo,
    /// `classic` or `current` (RULES.md, "Rulesets").
    pub ruleset: Ruleset,
    /// RFC 3339 UTC start time.
    pub started: String,
    pub duration_ms: u64,
    /// The run was interrupted (Ctrl-C, global timeout): the cases not run are absent.
    pub interrupted: bool,
    /// Every case that ran, in input order: in memory, or spooled to disk for big runs. Read
    /// them through [`Cases`] (or [`RunResult::cases_where`] and [`RunResult::tallies`]), which
    /// cover both; serialised as the array of every case.
    pub cases: Cases,
    /// Billing: the wire ledger of the run, per line item.
    pub ledger: Ledger,
    /// BIL-LOG-RECONCILE, when the target's access log was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_reconcile: Option<LogReconcile>,
}

pub use crate::report::cases::Cases;

pub use edgeconform_core::verdict::{Finding, Source, Verdict};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetInfo {
    /// A short name for tables: `reference`, `nginx`, a host name.
    pub name: String,
    pub http: String,
    pub https: String,
    /// TLS verification was switched off (`--insecure`).
    pub insecure: bool,
}

/// What was sent for one leg.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestInfo {
    /// The correlation id sent in `x-edgeconform-id` (the origin's record and the reference
    /// edge's `x-edge-request-id` carry it).
    #[serde(default)]
    pub correlation_id: String,
    pub method: String,
    /// `scheme://host` + the raw request-target.
    pub url: String,
    pub http_version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// A priming request (a scenario's `prime`): sent before the case's legs and not judged;
    /// listed after them, so that leg `i` of the case is still `requests[i]`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prime: bool,
    /// The `x-amz-cf-id` the edge answered with, when it is not the correlation id: a real
    /// CloudFront logs its own id as `x-edge-request-id`, and the log line is found by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edge_request_id: Option<String>,
}

/// One case (one scenario, or one generated matrix row).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    pub name: String,
    /// Spec file and line.
    pub file: String,
    pub line: u64,
    /// The rules this case checks.
    pub rules: Vec<RuleId>,
    pub level: Level,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub verdict: Verdict,
    /// One per leg (two for a redirect pair).
    pub requests: Vec<RequestInfo>,
    /// The case's expectation (the model's or the spec's; a redirect pair's HTTPS leg is its
    /// `follow`). Empty when the case ran without details kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expected: Vec<edgeconform_core::spec::Expectation>,
    /// The observed outcome per leg.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observed: Vec<edgeconform_core::outcome::Outcome>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Harness or transport error (verdict `error`), or why the case was not sent (verdict
    /// `not-run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
    /// Where the case stands in the run's order (suite, then case within it; the same for the
    /// same command whatever `--shard` took): `report --merge` puts shards back in this order.
    #[serde(default)]
    pub seq: u64,
    /// Per leg that got a response: (status, bytes received — head and body). Kept when a big
    /// run drops the details of passing cases, for BIL-LOG-RECONCILE. Not serialised.
    #[serde(skip)]
    pub wire: Vec<(u16, u64)>,
}

impl CaseResult {
    /// The rules this case found violated (failures only).
    pub fn violated(&self) -> Vec<RuleId> {
        let mut v: Vec<RuleId> = self
            .findings
            .iter()
            .filter(|f| f.is_failure())
            .flat_map(|f| f.rules.iter().copied())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The rules this case could not observe (sorted, deduplicated): every rule it checks when
    /// it was not run or observed nothing, else those its findings name as not observed.
    pub fn unobserved(&self) -> Vec<RuleId> {
        if matches!(self.verdict, Verdict::NotRun | Verdict::NotObserved) {
            return self.rules.clone();
        }
        let mut v: Vec<RuleId> = self
            .findings
            .iter()
            .filter(|f| f.not_observed)
            .flat_map(|f| f.rules.iter().copied())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Whether this case fails the run: a failure or error at level `must`.
    pub fn gates(&self) -> bool {
        self.verdict.failed() && self.level == Level::Must
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogReconcile {
    pub log_file: String,
    pub log_requests: u64,
    pub log_sc_bytes: u64,
    pub wire_requests: u64,
    pub wire_bytes: u64,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// What the reconciliation could not see or left aside, neither a pass nor a failure: other
    /// traffic in the same logs, a field the logs do not carry, lines picked by time and path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Cases of a run by kind of verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Passed, with or without notes.
    pub passed: usize,
    /// Failed or errored.
    pub failed: usize,
    pub not_observed: usize,
    pub not_run: usize,
}

impl std::fmt::Display for Totals {
    /// `12 passed, 1 failed`, then `, 3 not observed` and `, 2 not run` when there are any.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)?;
        if self.not_observed > 0 {
            write!(f, ", {} not observed", self.not_observed)?;
        }
        if self.not_run > 0 {
            write!(f, ", {} not run", self.not_run)?;
        }
        Ok(())
    }
}

/// Per-rule tally across a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTally {
    /// Cases that check the rule and did not violate it.
    pub passed: u64,
    /// Cases that violated it (whether or not they named it).
    pub failed: u64,
    /// Notes on it.
    pub info: u64,
    /// Cases that check it but ended in a harness or transport error (verdict `error`) without a
    /// finding on it: neither shown to hold nor to break.
    #[serde(default)]
    pub errors: u64,
    /// Cases that check it but could not observe it (a cache hit for an origin-side rule): never
    /// counted as passed.
    #[serde(default)]
    pub not_observed: u64,
    /// Cases that check it but were not sent (no listener for them): never counted as passed.
    #[serde(default)]
    pub not_run: u64,
}

impl RuleTally {
    /// Cases that touched the rule at all.
    pub fn total(&self) -> u64 {
        self.passed + self.failed + self.errors + self.not_observed + self.not_run
    }
}

/// What the tallies need of one case, whether kept whole or spooled.
#[derive(Debug, Clone)]
pub struct Tally<'a> {
    pub verdict: Verdict,
    pub level: Level,
    /// The spec file.
    pub file: &'a str,
    pub duration_ms: u64,
    pub rules: &'a [RuleId],
    pub violated: Cow<'a, [RuleId]>,
    /// Rules of the case's notes, one per finding and rule.
    pub notes: Cow<'a, [RuleId]>,
    /// Rules it checks but could not observe.
    pub unobserved: Cow<'a, [RuleId]>,
}

impl Tally<'_> {
    /// The tally of a case in memory.
    pub fn of(c: &CaseResult) -> Tally<'_> {
        Tally {
            verdict: c.verdict,
            level: c.level,
            file: &c.file,
            duration_ms: c.duration_ms,
            rules: &c.rules,
            violated: Cow::Owned(c.violated()),
            notes: Cow::Owned(
                c.findings
                    .iter()
                    .filter(|f| f.info)
                    .flat_map(|f| f.rules.iter().copied())
                    .collect(),
            ),
            unobserved: Cow::Owned(c.unobserved()),
        }
    }

    /// A failure or an error.
    pub fn failed(&self) -> bool {
        self.verdict.failed()
    }

    /// Fails the run: a failure or error at level `must`.
    pub fn gates(&self) -> bool {
        self.failed() && self.level == Level::Must
    }
}

impl RunResult {
    /// Number of cases that ran.
    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// One tally per case, in input order, without reading spooled cases back.
    pub fn tallies(&self) -> Box<dyn Iterator<Item = Tally<'_>> + '_> {
        self.cases.tallies()
    }

    /// The cases whose tally `keep` selects, in input order (see [`Cases::select`]).
    pub fn cases_where<'a>(
        &'a self,
        keep: impl Fn(&Tally<'_>) -> bool + 'a,
    ) -> Box<dyn Iterator<Item = Cow<'a, CaseResult>> + 'a> {
        self.cases.select(keep)
    }

    /// The failing cases (failures and errors), in input order.
    pub fn failures(&self) -> Box<dyn Iterator<Item = Cow<'_, CaseResult>> + '_> {
        self.cases_where(|t| t.failed())
    }

    /// Totals per kind of verdict: errors count as failed and info as passed; `not observed`
    /// and `not run` are counted apart, never as passed.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for c in self.tallies() {
            match c.verdict {
                Verdict::Pass | Verdict::Info => t.passed += 1,
                Verdict::Fail | Verdict::Error => t.failed += 1,
                Verdict::NotObserved => t.not_observed += 1,
                Verdict::NotRun => t.not_run += 1,
            }
        }
        t
    }

    /// Cases that fail the run (`must` failures and errors).
    pub fn gating(&self) -> usize {
        self.tallies().filter(|t| t.gates()).count()
    }

    /// Exit status: 0 when every `must` passed, 1 otherwise.
    pub fn gated(&self) -> bool {
        self.tallies().any(|t| t.gates())
    }

    /// Per-rule tally in catalog order (rules no case touched are absent).
    pub fn by_rule(&self) -> BTreeMap<RuleId, RuleTally> {
        let mut m: BTreeMap<RuleId, RuleTally> = BTreeMap::new();
        for c in self.tallies() {
            for r in c.violated.iter() {
                m.entry(*r).or_default().failed += 1;
            }
            for r in c.rules {
                if c.violated.contains(r) {
                    continue;
                }
                let t = m.entry(*r).or_default();
                if c.verdict == Verdict::NotRun {
                    t.not_run += 1;
                } else if c.unobserved.contains(r) {
                    t.not_observed += 1;
                } else if c.verdict == Verdict::Error {
                    t.errors += 1;
                } else {
                    t.passed += 1;
                }
            }
            for r in c.notes.iter() {
                m.entry(*r).or_default().info += 1;
            }
        }
        m
    }
}

/// Every rule of the catalog, for reporters that list untested rules too.
pub fn all_rules() -> impl Iterator<Item = RuleId> {
    CATALOG.iter().map(|r| r.id)
}

/// The current UTC time as RFC 3339 (`2026-11-28T17:15:00Z`), without a date crate.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// RFC 3339 UTC for seconds since the epoch.
pub fn rfc3339(secs: u64) -> String {
    let (y, m, d, h, min, s) = edgeconform_core::date::utc_fields(secs);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_886_100), "2026-11-28T17:15:00Z");
    }
}
