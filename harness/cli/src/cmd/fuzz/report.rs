//! What a fuzz run reports: the groups with their shrunk example and count, as JSON
//! (`fuzz.json`), Markdown (`fuzz.md`) and a plain HTML page (`fuzz.html`), plus the console
//! summary and the progress display while it runs.
//!
//! ```text
//! 5000 requests in 1.9 s (2630 judged/s): 812 failed in 1 group
//!   PAT-WILDCARD (VPP-REDIRECT-SAFE)  812×  GET http://d111111abcdef8.cloudfront.net/images/a/b HTTP/1.1
//!       observed 200 (origin assets reached over http port 80 with /images/a/b)
//! ```

use super::probe::{describe, Key};
use super::send::Counters;
use super::shrink::Shrunk;
use crate::report::model::TargetInfo;
use edgeconform_core::rules::Level;
use edgeconform_core::Request;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One group of failures, shrunk.
#[derive(Debug, Clone)]
pub struct Group {
    pub key: Key,
    pub count: u64,
    /// When the group was first seen, in milliseconds since the fuzzing started.
    pub found_after_ms: u64,
    /// The index of the example in the run (`LiveGen::request(first_index)`).
    pub first_index: u64,
    pub original: Request,
    pub shrunk: Shrunk,
    pub level: Level,
    /// With a recipe: whether the rule is in its baseline.
    pub in_baseline: Option<bool>,
    /// The scenario written for it (empty when none could be).
    pub scenario_id: String,
}

/// A request as the reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub method: String,
    pub url: String,
    pub version: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
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
#[derive(Debug, Clone, Serialize)]
pub struct ErrorExample {
    pub index: u64,
    pub request: RequestView,
    pub error: String,
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct FuzzReport {
    pub schema_version: u32,
    pub tool_version: String,
    pub target: TargetInfo,
    pub distribution: String,
    pub seed: u64,
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
    pub groups: Vec<Group>,
    pub error_examples: Vec<ErrorExample>,
}

#[derive(Serialize)]
struct GroupJson<'a> {
    rule: Option<&'a str>,
    misreading: &'a str,
    level: Level,
    count: u64,
    found_after_ms: u64,
    first_index: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_baseline: Option<bool>,
    scenario_id: &'a str,
    example: RequestView,
    shrunk: RequestView,
    shrink_requests: u64,
    shrink_steps: u64,
    shrink_exhausted: bool,
    observed: String,
    /// Every rule the shrunk example's failing findings name.
    failing_rules: Vec<&'static str>,
    /// Rules that would give the shrunk example's answer just as well.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alternatives: Vec<&'static str>,
    findings: &'a [crate::report::model::Finding],
}

impl FuzzReport {
    pub fn to_json(&self) -> serde_json::Value {
        let groups: Vec<GroupJson> = self
            .groups
            .iter()
            .map(|g| GroupJson {
                rule: g.key.rule.map(|r| r.as_str()),
                misreading: &g.key.misreading,
                level: g.level,
                count: g.count,
                found_after_ms: g.found_after_ms,
                first_index: g.first_index,
                in_baseline: g.in_baseline,
                scenario_id: &g.scenario_id,
                example: RequestView::of(&g.original),
                shrunk: RequestView::of(&g.shrunk.req),
                shrink_requests: g.shrunk.sends,
                shrink_steps: g.shrunk.steps,
                shrink_exhausted: g.shrunk.exhausted,
                observed: describe(&g.shrunk.failure.outcome),
                failing_rules: g.shrunk.failure.rules.iter().map(|r| r.as_str()).collect(),
                alternatives: g
                    .shrunk
                    .failure
                    .alternatives(&g.key)
                    .iter()
                    .map(|r| r.as_str())
                    .collect(),
                findings: &g.shrunk.failure.findings,
            })
            .collect();
        serde_json::json!({
            "schema_version": self.schema_version,
            "tool": "edgeconform fuzz",
            "tool_version": self.tool_version,
            "target": self.target,
            "distribution": self.distribution,
            "seed": self.seed,
            "started": self.started,
            "duration_ms": self.duration_ms,
            "requests": self.requests,
            "failed": self.failed,
            "not_run": self.not_run,
            "not_run_reason": self.not_run_reason,
            "errors": self.errors,
            "judged_per_second": self.judged_per_second.round(),
            "interrupted": self.interrupted,
            "scenarios": self.scenarios,
            "groups": groups,
            "error_examples": self.error_examples,
        })
    }

    fn headline(&self) -> String {
        format!(
            "{} requests in {:.1} s ({:.0} judged/s): {} failed in {} group{}{}{}",
            self.requests,
            self.duration_ms as f64 / 1000.0,
            self.judged_per_second,
            self.failed,
            self.groups.len(),
            if self.groups.len() == 1 { "" } else { "s" },
            if self.not_run > 0 {
                format!("; {} not run", self.not_run)
            } else {
                String::new()
            },
            if self.errors > 0 {
                format!("; {} without a response", self.errors)
            } else {
                String::new()
            },
        )
    }
}

fn rule_text(k: &Key) -> String {
    let r = k.rule.map_or("(no rule)", |r| r.as_str());
    if k.misreading.is_empty() {
        r.to_string()
    } else {
        format!("{r} ({})", k.misreading)
    }
}

fn baseline_text(g: &Group) -> &'static str {
    match g.in_baseline {
        Some(true) => " [baseline]",
        Some(false) => " [NEW]",
        None => "",
    }
}

/// The console summary.
pub fn console(r: &FuzzReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", r.headline());
    for g in &r.groups {
        let _ = writeln!(
            s,
            "  {}{}  {}×  {}",
            rule_text(&g.key),
            baseline_text(g),
            g.count,
            RequestView::of(&g.shrunk.req).line
        );
        let _ = writeln!(s, "      observed {}", describe(&g.shrunk.failure.outcome));
        let alternatives = g.shrunk.failure.alternatives(&g.key);
        if !alternatives.is_empty() {
            let alts: Vec<&str> = alternatives.iter().map(|r| r.as_str()).collect();
            let _ = writeln!(
                s,
                "      (the same answer would also break {})",
                alts.join(", ")
            );
        }
    }
    if let Some(why) = &r.not_run_reason {
        let _ = writeln!(
            s,
            "  not run: {why} (and {} more)",
            r.not_run.saturating_sub(1)
        );
    }
    for e in r.error_examples.iter().take(3) {
        let _ = writeln!(s, "  no response to {}: {}", e.request.line, e.error);
    }
    s
}

/// The Markdown summary.
pub fn markdown(r: &FuzzReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# edgeconform fuzz: {}\n", r.target.name);
    let _ = writeln!(
        s,
        "Distribution `{}`, seed {}, started {}.\n\n{}\n",
        r.distribution,
        r.seed,
        r.started,
        r.headline()
    );
    if let Some(f) = &r.scenarios {
        let _ = writeln!(s, "Scenarios: `{f}` (replay with `edgeconform run {f}`).\n");
    }
    if r.groups.is_empty() {
        let _ = writeln!(s, "No failure.");
    } else {
        let _ = writeln!(
            s,
            "| rule (misreading) | count | shrunk example | observed | scenario |"
        );
        let _ = writeln!(s, "|---|---:|---|---|---|");
        for g in &r.groups {
            let _ = writeln!(
                s,
                "| {}{} | {} | `{}` | {} | `{}` |",
                md(&rule_text(&g.key)),
                baseline_text(g),
                g.count,
                md(&RequestView::of(&g.shrunk.req).line).replace('`', "'"),
                md(&describe(&g.shrunk.failure.outcome)),
                g.scenario_id
            );
        }
    }
    if !r.error_examples.is_empty() {
        let _ = writeln!(s, "\n## Requests without a response\n");
        for e in &r.error_examples {
            let _ = writeln!(
                s,
                "- `{}`: {}",
                md(&e.request.line).replace('`', "'"),
                md(&e.error)
            );
        }
    }
    s
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plain page: the headline and a table of the groups.
pub fn html(r: &FuzzReport) -> String {
    let mut s = String::new();
    let title = html_escape(&format!("edgeconform fuzz: {}", r.target.name));
    let _ = writeln!(
        s,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
    );
    let _ = writeln!(s, "<style>body{{font:14px/1.4 system-ui,sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}}code{{word-break:break-all}}.new{{color:#b00;font-weight:bold}}</style></head><body>");
    let _ = writeln!(s, "<h1>{title}</h1>");
    let _ = writeln!(
        s,
        "<p>Distribution <code>{}</code>, seed {}, started {}.</p><p><strong>{}</strong></p>",
        html_escape(&r.distribution),
        r.seed,
        html_escape(&r.started),
        html_escape(&r.headline())
    );
    if let Some(f) = &r.scenarios {
        let _ = writeln!(s, "<p>Scenarios: <code>{}</code></p>", html_escape(f));
    }
    if r.groups.is_empty() {
        let _ = writeln!(s, "<p>No failure.</p>");
    } else {
        let _ = writeln!(s, "<table><tr><th>rule (misreading)</th><th>count</th><th>shrunk example</th><th>first example</th><th>observed</th><th>scenario</th></tr>");
        for g in &r.groups {
            let class = if g.in_baseline == Some(false) {
                " class=\"new\""
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "<tr><td{class}>{}{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>",
                html_escape(&rule_text(&g.key)),
                baseline_text(g),
                g.count,
                html_escape(&RequestView::of(&g.shrunk.req).line),
                html_escape(&RequestView::of(&g.original).line),
                html_escape(&describe(&g.shrunk.failure.outcome)),
                html_escape(&g.scenario_id)
            );
        }
        let _ = writeln!(s, "</table>");
    }
    if !r.error_examples.is_empty() {
        let _ = writeln!(s, "<h2>Requests without a response</h2><ul>");
        for e in &r.error_examples {
            let _ = writeln!(
                s,
                "<li><code>{}</code>: {}</li>",
                html_escape(&e.request.line),
                html_escape(&e.error)
            );
        }
        let _ = writeln!(s, "</ul>");
    }
    let _ = writeln!(s, "</body></html>");
    s
}

/// Writes fuzz.json, fuzz.md and fuzz.html into a new folder under `dir` (named by the start
/// time and the target) and points `dir/latest` at it; returns the folder.
pub fn write_all(r: &FuzzReport, dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let stamp: String = r
        .started
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let base = format!("{stamp}-{}", crate::report::write::sanitise(&r.target.name));
    let mut out = dir.join(&base);
    let mut n = 2;
    while out.exists() {
        out = dir.join(format!("{base}-{n}"));
        n += 1;
    }
    std::fs::create_dir_all(&out)?;
    let json = serde_json::to_string_pretty(&r.to_json()).unwrap_or_default();
    std::fs::write(out.join("fuzz.json"), json)?;
    std::fs::write(out.join("fuzz.md"), markdown(r))?;
    std::fs::write(out.join("fuzz.html"), html(r))?;
    let latest = dir.join("latest");
    let _ = std::fs::remove_dir_all(&latest);
    std::fs::create_dir_all(&latest)?;
    for f in ["fuzz.json", "fuzz.md", "fuzz.html"] {
        std::fs::copy(out.join(f), latest.join(f))?;
    }
    Ok(out)
}

/// The progress display until `stop`: an indicatif bar on a terminal (requests, failures, groups,
/// rate), else a line every ten seconds.
pub fn progress<A: Send + 'static>(
    limit: u64,
    deadline: Option<Duration>,
    counters: Arc<Counters>,
    groups: Arc<Mutex<BTreeMap<Key, A>>>,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    use std::io::IsTerminal;
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        let bar = std::io::stderr().is_terminal().then(|| {
            let (b, tmpl) = match (limit, deadline) {
                (u64::MAX, _) | (_, Some(_)) => (
                    ProgressBar::new(deadline.map_or(0, |d| d.as_secs())),
                    "{bar:30} {elapsed}/{len}s  {msg}",
                ),
                (n, None) => (ProgressBar::new(n), "{bar:30} {pos}/{len} requests  {msg}"),
            };
            if let Ok(s) = ProgressStyle::with_template(tmpl) {
                b.set_style(s);
            }
            b
        });
        let mut last_line = std::time::Instant::now();
        loop {
            let done = stop.load(Ordering::Relaxed);
            let sent = counters.sent.load(Ordering::Relaxed);
            let failed = counters.failed.load(Ordering::Relaxed);
            let n_groups = groups.lock().map(|g| g.len()).unwrap_or(0);
            let rate = sent as f64 / started.elapsed().as_secs_f64().max(1e-3);
            let msg = format!("{sent} requests, {failed} failed in {n_groups} groups, {rate:.0}/s");
            match &bar {
                Some(b) => {
                    if deadline.is_some() || limit == u64::MAX {
                        b.set_position(started.elapsed().as_secs());
                    } else {
                        b.set_position(sent);
                    }
                    b.set_message(msg);
                }
                None if last_line.elapsed() >= Duration::from_secs(10) => {
                    eprintln!("edgeconform fuzz: {msg}");
                    last_line = std::time::Instant::now();
                }
                None => {}
            }
            if done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
    })
}
