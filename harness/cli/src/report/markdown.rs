//! `summary.md`: the run in a form a pull request, a job summary or a README can show: target and
//! totals, a per-rule table with ✅/❌ counts (failing rules first), and the failures with expected
//! vs observed. Strings from the result are escaped with [`md`], so a hostile value cannot open a
//! link, an HTML tag or a table cell.
//!
//! ```markdown
//! # edgeconform: reference
//!
//! - **Result: 4 passed, 1 failed** — 1 must failure: the run fails.
//! - Target: reference (http://127.0.0.1:8080, https://127.0.0.1:8443) · ruleset current
//!
//! ## Rules
//!
//! | Rule | ✅ | ❌ | ⚠️ error | ℹ️ | Statement |
//! |---|---:|---:|---:|---:|---|
//! | VPP-REDIRECT-UNSAFE | 0 | 1 | 0 | 0 | `redirect-to-https`: an HTTP DELETE, OPTIONS, … |
//!
//! ## Billing
//!
//! | Line item | Requests | Header bytes | Page bytes | Object bytes | Bytes out |
//! …
//!
//! ## Failures
//!
//! ### ❌ redirect-post-refused
//! An HTTP POST under redirect-to-https is refused with 403 — specs/vpp.yaml:42, must, rules VPP-REDIRECT-UNSAFE
//!
//! - **VPP-REDIRECT-UNSAFE** (viewer): wrong status<br>expected: 403 · observed: 301
//! ```

use super::model::{CaseResult, RunResult, Verdict};
use super::text::{ledger_rows, one_line, printable, reconcile_line, rule_list, statement};
use std::fmt::Write as _;

/// `summary.md` content.
pub fn render(run: &RunResult) -> String {
    let mut s = String::new();
    header(&mut s, run);
    rules(&mut s, run);
    billing(&mut s, run);
    failures(&mut s, run);
    s
}

/// The title and the result, target, tool and timing lines.
fn header(s: &mut String, run: &RunResult) {
    let totals = run.totals();
    let _ = writeln!(s, "# edgeconform: {}\n", md(&run.target.name));
    let gating = run.gating();
    let verdict = if run.is_empty() {
        "no case was run: the run fails.".to_string()
    } else if gating > 0 {
        format!(
            "{gating} must {}: the run fails.",
            if gating == 1 { "failure" } else { "failures" }
        )
    } else {
        "every `must` passed.".to_string()
    };
    let _ = writeln!(s, "- **Result: {totals}** — {verdict}");
    let _ = writeln!(
        s,
        "- Target: {} ({}, {}) · ruleset {}{}",
        md(&run.target.name),
        md(&run.target.http),
        md(&run.target.https),
        run.ruleset.as_str(),
        if run.target.insecure {
            " · TLS verification off"
        } else {
            ""
        }
    );
    let _ = writeln!(
        s,
        "- {} {} · started {} · {:.1} s",
        md(&run.tool),
        md(&run.tool_version),
        md(&run.started),
        run.duration_ms as f64 / 1000.0
    );
    if run.interrupted {
        let _ = writeln!(s, "- **Interrupted**: the cases not run are absent.");
    }
}

/// The table of rules, failing ones first.
fn rules(s: &mut String, run: &RunResult) {
    let mut rows: Vec<_> = run.by_rule().into_iter().collect();
    rows.sort_by_key(|(_, t)| t.failed == 0 && t.errors == 0);
    if !rows.is_empty() {
        let _ = writeln!(s, "\n## Rules\n");
        let _ = writeln!(
            s,
            "Not observed and not run are neither passed nor failed. The rules: `docs/RULES.md`.\n"
        );
        let _ = writeln!(
            s,
            "| Rule | ✅ | ❌ | ⚠️ error | ℹ️ | not observed | not run | Statement |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---|");
        for (r, t) in rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                r.as_str(),
                t.passed,
                t.failed,
                t.errors,
                t.info,
                t.not_observed,
                t.not_run,
                statement(r).replace('|', "\\|")
            );
        }
    }
}

/// The billing ledger and the access-log reconciliation.
fn billing(s: &mut String, run: &RunResult) {
    let ledger = ledger_rows(run);
    if !ledger.is_empty() || run.log_reconcile.is_some() {
        let _ = writeln!(s, "\n## Billing\n");
    }
    if !ledger.is_empty() {
        let _ = writeln!(
            s,
            "| Line item | Requests | Header bytes | Page bytes | Object bytes | Bytes out |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
        for (k, t) in &ledger {
            let _ = writeln!(
                s,
                "| {k} | {} | {} | {} | {} | {} |",
                t.requests,
                t.header_bytes,
                t.page_bytes,
                t.object_bytes,
                t.bytes_out()
            );
        }
    }
    if let Some(line) = reconcile_line(run) {
        let _ = writeln!(s, "\n{}", md(&line));
    }
}

/// The failing cases, the first [`SHOWN`] in full.
fn failures(s: &mut String, run: &RunResult) {
    let failed_n = run.totals().failed;
    if failed_n > 0 {
        let _ = writeln!(s, "\n## Failures");
        for c in run.failures().take(SHOWN) {
            failure(s, &c);
        }
        if failed_n > SHOWN {
            let _ = writeln!(
                s,
                "\n… and {} more failing cases: report.json holds all {failed_n}.",
                failed_n - SHOWN
            );
        }
    }
}

/// Failing cases shown in full; past this the summary would grow with the run.
const SHOWN: usize = 1000;

fn failure(s: &mut String, c: &CaseResult) {
    let mark = if c.verdict == Verdict::Error {
        "⚠️"
    } else {
        "❌"
    };
    let _ = writeln!(s, "\n### {mark} {}\n", md(&c.id));
    let level = match c.level {
        edgeconform_core::rules::Level::Must => "must",
        edgeconform_core::rules::Level::Should => "should",
        edgeconform_core::rules::Level::Info => "info",
    };
    let _ = writeln!(
        s,
        "{} — {}:{}, {level}, rules {}\n",
        md(&c.name),
        md(&c.file),
        c.line,
        rule_list(&c.rules)
    );
    if let Some(e) = &c.error {
        let _ = writeln!(s, "- error: {}", md(e));
    }
    let mut any = false;
    for f in c.findings.iter().filter(|f| f.is_failure()) {
        any = true;
        let _ = write!(
            s,
            "- **{}** ({}): {}",
            rule_list(&f.rules),
            f.source.as_str(),
            md(&f.message)
        );
        if f.expected.is_some() || f.observed.is_some() {
            let _ = write!(
                s,
                "<br>expected: {} · observed: {}",
                f.expected.as_deref().map_or("-".to_string(), md),
                f.observed.as_deref().map_or("-".to_string(), md)
            );
        }
        let _ = writeln!(s);
    }
    if !any && c.error.is_none() {
        for (i, (e, o)) in c.expected.iter().zip(&c.observed).enumerate() {
            let _ = writeln!(
                s,
                "- leg {}: expected {} · observed {}",
                i + 1,
                md(&one_line(e)),
                md(&one_line(o))
            );
        }
    }
}

/// `s` safe inside Markdown text and table cells: control characters made visible, and the
/// characters that start markup (links, emphasis, code, HTML, cells, entities) backslash-escaped.
pub fn md(s: &str) -> String {
    let s = printable(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn md_escapes_markup() {
        assert_eq!(md("<script>|[x](y)"), "\\<script\\>\\|\\[x\\](y)");
        assert_eq!(md("a\r\nb"), "a\\\\r\\\\nb");
    }
}
