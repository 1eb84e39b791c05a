//! What a fuzz run reports, as one model: [`FuzzReport`] is `fuzz.json` (written by the run, read
//! back by `report --merge`), and `render` turns it into the console summary, `fuzz.md` and
//! `fuzz.html`.
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "tool": "edgeconform fuzz",
//!   "target": { "name": "mutant-star-stops-at-slash", … },
//!   "seed": 1,
//!   "shard": { "of": 4, "parts": [2], "stream_requests": 5000 },
//!   "requests": 1250,
//!   "groups": [ { "rule": "PAT-WILDCARD", "misreading": "", "count": 203, "first_index": 17, … } ],
//!   …
//! }
//! ```

use super::probe::{describe, Key};
use super::shrink::Shrunk;
use crate::exit;
use crate::report::model::{Finding, TargetInfo};
use edgeconform_core::rules::Level;
use edgeconform_core::{Request, RuleId};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The version of `fuzz.json` this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;
/// The `tool` field of `fuzz.json`: what tells it from a `report.json`.
pub const TOOL: &str = "edgeconform fuzz";

/// One group of failures while the run is still in hand: its key, examples and shrink.
#[derive(Debug, Clone)]
pub struct Group {
    pub key: Key,
    pub count: u64,
    /// When the group was first seen, in milliseconds since the fuzzing started.
    pub found_after_ms: u64,
    /// The index of the example in the seed's stream (`LiveGen::request(first_index)`).
    pub first_index: u64,
    pub original: Request,
    pub shrunk: Shrunk,
    pub level: Level,
    /// With a recipe: whether the rule is in its baseline.
    pub in_baseline: Option<bool>,
    /// The scenario written for it (empty when none could be).
    pub scenario_id: String,
}

impl Group {
    /// The group as the reports show it.
    pub fn report(&self) -> GroupReport {
        let failure = &self.shrunk.failure;
        GroupReport {
            rule: self.key.rule.map(|r| r.as_str().to_string()),
            misreading: self.key.misreading.clone(),
            level: self.level,
            count: self.count,
            found_after_ms: self.found_after_ms,
            first_index: self.first_index,
            in_baseline: self.in_baseline,
            scenario_id: self.scenario_id.clone(),
            example: RequestView::of(&self.original),
            shrunk: RequestView::of(&self.shrunk.req),
            shrink_requests: self.shrunk.sends,
            shrink_steps: self.shrunk.steps,
            shrink_exhausted: self.shrunk.exhausted,
            observed: describe(&failure.outcome),
            failing_rules: names(&failure.rules),
            alternatives: names(failure.alternatives(&self.key)),
            findings: failure.findings.clone(),
        }
    }
}

fn names(rules: &[RuleId]) -> Vec<String> {
    rules.iter().map(|r| r.as_str().to_string()).collect()
}

/// One group of failures in `fuzz.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupReport {
    pub rule: Option<String>,
    pub misreading: String,
    pub level: Level,
    pub count: u64,
    pub found_after_ms: u64,
    /// The stream index of the example (the lowest index that failed this way).
    pub first_index: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_baseline: Option<bool>,
    pub scenario_id: String,
    pub example: RequestView,
    pub shrunk: RequestView,
    pub shrink_requests: u64,
    pub shrink_steps: u64,
    pub shrink_exhausted: bool,
    /// What the target answered to the shrunk example.
    pub observed: String,
    /// Every rule the shrunk example's failing findings name.
    pub failing_rules: Vec<String>,
    /// Rules that would give the shrunk example's answer just as well.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    pub findings: Vec<Finding>,
}

impl GroupReport {
    /// `RULE (misreading)`, or `RULE` when the judge named it.
    pub fn rule_text(&self) -> String {
        let r = self.rule.as_deref().unwrap_or("(no rule)");
        if self.misreading.is_empty() {
            r.to_string()
        } else {
            format!("{r} ({})", self.misreading)
        }
    }
}

/// A request as the reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestView {
    pub method: String,
    pub url: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    pub body_len: u64,
    pub content_length: bool,
    /// The request line and the extra fields in one line, for tables.
    pub line: String,
}

impl RequestView {
    pub fn of(r: &Request) -> RequestView {
        let host = r.host.as_deref().unwrap_or("(no Host)");
        let url = format!("{}://{host}{}", r.scheme, r.target);
        let mut line = format!("{} {} HTTP/{}", r.method, clip(&url, 160), r.version);
        for (n, v) in &r.headers {
            let _ = write!(line, " [{n}: {}]", clip(v, 40));
        }
        if r.body_len > 0 || r.content_length {
            let _ = write!(line, " [body {} bytes]", r.body_len);
        }
        RequestView {
            method: r.method.as_str().to_string(),
            url,
            version: r.version.as_str().to_string(),
            headers: r.headers.clone(),
            body_len: r.body_len,
            content_length: r.content_length,
            line,
        }
    }
}

fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}… ({} bytes)", &s[..i], s.len()),
        None => s.to_string(),
    }
}

/// A request that got no response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorExample {
    pub index: u64,
    pub request: RequestView,
    pub error: String,
}

/// Which shards of the seed's stream a report covers: `parts` of `of` (one for a run with
/// `--shard I/N`, several for merged shards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub of: u64,
    pub parts: Vec<u64>,
    /// `--requests`, counted over the whole stream (none: until --duration or the cap).
    pub stream_requests: Option<u64>,
}

impl ShardInfo {
    /// `shard 2/4`, or `shards 1, 2, 3 of 4` for merged shards.
    pub fn text(&self) -> String {
        match self.parts.as_slice() {
            [one] => format!("shard {one}/{}", self.of),
            parts => {
                let p: Vec<String> = parts.iter().map(u64::to_string).collect();
                format!("shards {} of {}", p.join(", "), self.of)
            }
        }
    }
}

/// The whole run: `fuzz.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FuzzReport {
    pub schema_version: u32,
    pub tool: String,
    pub tool_version: String,
    pub target: TargetInfo,
    pub distribution: String,
    pub seed: u64,
    /// `None` for a run of the whole stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
    pub started: String,
    pub duration_ms: u64,
    /// Generated requests that were sent and answered or failed on the wire.
    pub requests: u64,
    pub failed: u64,
    pub not_run: u64,
    /// Why the first request that was not run could not be.
    pub not_run_reason: Option<String>,
    pub errors: u64,
    pub judged_per_second: f64,
    pub interrupted: bool,
    /// The suite written for the groups.
    pub scenarios: Option<String>,
    /// Merged shards: the suite each shard wrote (each replays on its own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shard_scenarios: Vec<String>,
    pub groups: Vec<GroupReport>,
    pub error_examples: Vec<ErrorExample>,
}

impl FuzzReport {
    /// `fuzz.json` content (pretty, with a final newline).
    pub fn to_json(&self) -> String {
        // Strings, numbers and findings only: serialising cannot fail, the fallback keeps it total.
        let mut s = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }

    /// The exit code of the run (or of merged shards): harness when interrupted or nothing
    /// answered, fail on a group outside the baseline (any group without a recipe), else OK.
    /// `who` prefixes what is printed.
    pub fn exit_code(&self, who: &str) -> u8 {
        let sent = self.requests;
        if self.interrupted {
            eprintln!("{who}: interrupted after {sent} requests");
            exit::HARNESS
        } else if sent > 0 && self.errors == sent {
            eprintln!(
                "{who}: no request got a response: the target is unreachable or not speaking HTTP"
            );
            exit::HARNESS
        } else if self.groups.iter().any(|g| g.in_baseline != Some(true)) {
            exit::FAIL
        } else {
            exit::OK
        }
    }
}

/// Whether `text` is a `fuzz.json` (rather than a `report.json`): its `tool` says so.
pub fn is_fuzz_report(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .is_ok_and(|v| v.get("tool").and_then(serde_json::Value::as_str) == Some(TOOL))
}

/// A `fuzz.json` of this schema version, or why not.
pub fn parse(text: &str) -> Result<FuzzReport, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not a valid fuzz.json: {e}"))?;
    match v.get("schema_version").and_then(serde_json::Value::as_u64) {
        Some(n) if n == u64::from(SCHEMA_VERSION) => {}
        Some(n) => {
            return Err(format!(
                "schema_version {n}, but this edgeconform reads fuzz.json schema_version {SCHEMA_VERSION}"
            ))
        }
        None => return Err("no schema_version: expected a fuzz.json written by `edgeconform fuzz`".into()),
    }
    // Parsed again from the text so a shape error keeps its line and column.
    serde_json::from_str(text).map_err(|e| format!("not a valid fuzz.json: {e}"))
}
