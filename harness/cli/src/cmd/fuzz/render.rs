//! The fuzz report ([`FuzzReport`], `fuzz.json`) for people: the console summary, Markdown
//! (`fuzz.md`) and a plain HTML page (`fuzz.html`); and the writing of the three files.
//!
//! ```text
//! 5000 requests in 1.9 s (2630 judged/s): 812 failed in 1 group
//!   PAT-WILDCARD (VPP-REDIRECT-SAFE)  812×  GET http://d111111abcdef8.cloudfront.net/images/a/b HTTP/1.1
//!       observed 200 (origin assets reached over http port 80 with /images/a/b)
//! ```

use super::report::{FuzzReport, GroupReport};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn headline(r: &FuzzReport) -> String {
    format!(
        "{} requests in {:.1} s ({:.0} judged/s): {} failed in {} group{}{}{}",
        r.requests,
        r.duration_ms as f64 / 1000.0,
        r.judged_per_second,
        r.failed,
        r.groups.len(),
        if r.groups.len() == 1 { "" } else { "s" },
        if r.not_run > 0 {
            format!("; {} not run", r.not_run)
        } else {
            String::new()
        },
        if r.errors > 0 {
            format!("; {} without a response", r.errors)
        } else {
            String::new()
        },
    )
}

/// `seed 7` or `seed 7, shard 2/4`.
fn seed_text(r: &FuzzReport) -> String {
    match &r.shard {
        Some(s) => format!("seed {}, {}", r.seed, s.text()),
        None => format!("seed {}", r.seed),
    }
}

fn baseline_text(g: &GroupReport) -> &'static str {
    match g.in_baseline {
        Some(true) => " [baseline]",
        Some(false) => " [NEW]",
        None => "",
    }
}

/// The console summary.
pub fn console(r: &FuzzReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", headline(r));
    for g in &r.groups {
        let _ = writeln!(
            s,
            "  {}{}  {}×  {}",
            g.rule_text(),
            baseline_text(g),
            g.count,
            g.shrunk.line
        );
        let _ = writeln!(s, "      observed {}", g.observed);
        if !g.alternatives.is_empty() {
            let _ = writeln!(
                s,
                "      (the same answer would also break {})",
                g.alternatives.join(", ")
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
        "Distribution `{}`, {}, started {}.\n\n{}\n",
        r.distribution,
        seed_text(r),
        r.started,
        headline(r)
    );
    if let Some(f) = &r.scenarios {
        let _ = writeln!(s, "Scenarios: `{f}` (replay with `edgeconform run {f}`).\n");
    }
    if !r.shard_scenarios.is_empty() {
        let files: Vec<String> = r.shard_scenarios.iter().map(|f| format!("`{f}`")).collect();
        let _ = writeln!(
            s,
            "Scenarios of the shards (each replays with `edgeconform run FILE`): {}.\n",
            files.join(", ")
        );
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
                md(&g.rule_text()),
                baseline_text(g),
                g.count,
                md(&g.shrunk.line).replace('`', "'"),
                md(&g.observed),
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
        "<p>Distribution <code>{}</code>, {}, started {}.</p><p><strong>{}</strong></p>",
        html_escape(&r.distribution),
        html_escape(&seed_text(r)),
        html_escape(&r.started),
        html_escape(&headline(r))
    );
    if let Some(f) = &r.scenarios {
        let _ = writeln!(s, "<p>Scenarios: <code>{}</code></p>", html_escape(f));
    }
    if !r.shard_scenarios.is_empty() {
        let files: Vec<String> = r
            .shard_scenarios
            .iter()
            .map(|f| format!("<code>{}</code>", html_escape(f)))
            .collect();
        let _ = writeln!(s, "<p>Scenarios of the shards: {}</p>", files.join(", "));
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
                html_escape(&g.rule_text()),
                baseline_text(g),
                g.count,
                html_escape(&g.shrunk.line),
                html_escape(&g.example.line),
                html_escape(&g.observed),
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

/// The files a fuzz report is written as.
pub const FILES: [&str; 3] = ["fuzz.json", "fuzz.md", "fuzz.html"];

/// Writes fuzz.json, fuzz.md and fuzz.html into `out` (created if need be).
pub fn write_into(r: &FuzzReport, out: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("fuzz.json"), r.to_json())?;
    std::fs::write(out.join("fuzz.md"), markdown(r))?;
    std::fs::write(out.join("fuzz.html"), html(r))
}

/// Writes the report into a new folder under `dir` (named by the start time and the target) and
/// points `dir/latest` at it; returns the folder.
pub fn write_all(r: &FuzzReport, dir: &Path) -> std::io::Result<PathBuf> {
    use crate::report::write::{fresh_dir, refresh_latest, sanitise};
    std::fs::create_dir_all(dir)?;
    let stamp: String = r
        .started
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let out = fresh_dir(dir, &format!("{stamp}-{}", sanitise(&r.target.name)));
    write_into(r, &out)?;
    refresh_latest(dir, &out, &FILES)?;
    Ok(out)
}
