//! The console report: failures first, each with expected vs observed side by side, then a table per
//! rule group, then the totals line `N passed, N failed` alone on the last line (CI parses it, so it
//! never carries colour). Target-controlled strings go through [`printable`], so a hostile
//! `Location` cannot inject terminal escapes or break lines.
//!
//! ```text
//! edgeconform 0.1.0 · target reference (http://127.0.0.1:8080, https://127.0.0.1:8443) · ruleset current
//!
//! Failures
//! ✗ redirect-post-refused  specs/vpp.yaml:42  must  VPP-REDIRECT-UNSAFE
//!     An HTTP POST under redirect-to-https is refused with 403
//!     VPP-REDIRECT-UNSAFE (viewer): wrong status
//!       expected: 403                            │ observed: 301
//!     VPP-REDIRECT-UNSAFE (judge): an unsafe method was redirected
//!       expected: no Location
//!       observed: https://d111.cloudfront.net/form\r\nSet-Cookie: x=1
//!
//! Viewer protocol policy
//!   RULE                   PASS  FAIL   ERR  INFO  STATEMENT
//! ✗ VPP-REDIRECT-UNSAFE       0     1     0     0  `redirect-to-https`: an HTTP DELETE, OPTIONS, PATCH, POST o…
//!   VPP-REDIRECT-SAFE         4     0     0     0  `redirect-to-https`: an HTTP GET or HEAD gets 301 with a `L…
//!
//! Not exercised by this run (37):
//!   VPP-ALLOW-ALL, VPP-HTTPS-ONLY, …
//!
//! Billing (wire ledger): 9 requests (http 5, https 4), 6230 bytes out
//!
//! 1 must failure: the run fails.
//! 4 passed, 1 failed
//! ```

use super::model::{CaseResult, RuleTally, RunResult, Verdict};
use super::text::{
    ledger_rows, one_line, printable, reconcile_line, rule_list, shorten, statement, wrap,
};
use edgeconform_core::rules::{Group, Level, RuleId, CATALOG};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Width of each half when expected and observed are printed side by side.
const HALF: usize = 40;
/// Longest statement shown in a rule table.
const STATEMENT: usize = 48;

/// The whole console report. `color`: ANSI colours (the caller decides from the terminal and
/// `NO_COLOR`); the totals line never has them.
pub fn render(run: &RunResult, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} · target {} ({}, {}) · ruleset {}{}",
        run.tool,
        run.tool_version,
        printable(&run.target.name),
        printable(&run.target.http),
        printable(&run.target.https),
        run.ruleset.as_str(),
        if run.target.insecure {
            " · TLS verification off (--insecure)"
        } else {
            ""
        },
    );

    let failing = run.tallies().filter(|t| t.failed()).count();
    if failing > 0 {
        let _ = writeln!(out, "\n{}", p.bold("Failures"));
        for c in run.failures().take(SHOWN) {
            failure(&mut out, p, &c);
        }
        more(&mut out, p, failing, "failing cases");
    }

    let noted = run.tallies().filter(|t| !t.notes.is_empty()).count();
    if noted > 0 {
        let _ = writeln!(out, "\n{}", p.bold("Notes"));
        for c in run.cases_where(|t| !t.notes.is_empty()).take(SHOWN) {
            for f in c.findings.iter().filter(|f| f.info) {
                let _ = writeln!(
                    out,
                    "{} {}  {}: {}",
                    p.yellow("i"),
                    printable(&c.id),
                    rule_list(&f.rules),
                    printable(&f.message)
                );
            }
        }
        more(&mut out, p, noted, "cases with notes");
    }

    unobserved(&mut out, p, run);

    rule_tables(&mut out, p, &run.by_rule());
    billing(&mut out, run);

    let _ = writeln!(out);
    if run.interrupted {
        let _ = writeln!(
            out,
            "{}",
            p.yellow("The run was interrupted: cases not run are absent.")
        );
    }
    let _ = writeln!(out, "{}", gate_line(run, p));
    let _ = writeln!(out, "{}", run.totals());
    out
}

/// Cases not run, grouped by reason, and the rules left unobserved with how many cases each:
/// neither is a pass, and the console says so.
fn unobserved(out: &mut String, p: Paint, run: &RunResult) {
    let not_run = run
        .tallies()
        .filter(|t| t.verdict == Verdict::NotRun)
        .count();
    if not_run > 0 {
        let mut reasons: Vec<(String, usize)> = Vec::new();
        for c in run.cases_where(|t| t.verdict == Verdict::NotRun) {
            let why = c.error.clone().unwrap_or_else(|| "no reason given".into());
            match reasons.iter_mut().find(|(r, _)| *r == why) {
                Some((_, n)) => *n += 1,
                None => reasons.push((why, 1)),
            }
        }
        let _ = writeln!(out, "\n{}", p.bold("Not run (neither passed nor failed)"));
        for (why, n) in reasons {
            let _ = writeln!(
                out,
                "{} {n} {}: {}",
                p.yellow("-"),
                plural(n, "case", "cases"),
                printable(&why)
            );
        }
    }
    let mut rules: std::collections::BTreeMap<edgeconform_core::rules::RuleId, usize> =
        Default::default();
    for t in run.tallies().filter(|t| t.verdict != Verdict::NotRun) {
        for r in t.unobserved.iter() {
            *rules.entry(*r).or_default() += 1;
        }
    }
    if !rules.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            p.bold("Not observed (neither passed nor failed)")
        );
        for (r, n) in rules {
            let _ = writeln!(
                out,
                "{} {}: {n} {}",
                p.yellow("-"),
                r.as_str(),
                plural(n, "case", "cases")
            );
        }
    }
}

/// Cases listed in full (failures, notes); past this the console would grow with the run.
const SHOWN: usize = 1000;

/// Says how many of `n` were not listed.
fn more(out: &mut String, p: Paint, n: usize, what: &str) {
    if n > SHOWN {
        let _ = writeln!(
            out,
            "{}",
            p.yellow(&format!(
                "… {} more {what} (the first {SHOWN} are shown; report.json holds all {n})",
                n - SHOWN
            ))
        );
    }
}

/// The line above the totals: does the run fail, and why.
fn gate_line(run: &RunResult, p: Paint) -> String {
    let gating = run.gating();
    let soft = run.tallies().filter(|t| t.failed() && !t.gates()).count();
    if run.is_empty() {
        return p.red("No case was run: the run fails.");
    }
    match (gating, soft) {
        (0, 0) => p.green("Every case passed."),
        (0, n) => p.yellow(&format!(
            "Every `must` passed; {n} `should`/`info` {} reported.",
            plural(n, "failure", "failures")
        )),
        (n, _) => p.red(&format!(
            "{n} must {}: the run fails.",
            plural(n, "failure", "failures")
        )),
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn failure(out: &mut String, p: Paint, c: &CaseResult) {
    let mark = if c.verdict == Verdict::Error {
        p.red("!")
    } else {
        p.red("✗")
    };
    let _ = writeln!(
        out,
        "{mark} {}  {}:{}  {}  {}",
        p.bold(&printable(&c.id)),
        printable(&c.file),
        c.line,
        level_word(c.level),
        rule_list(&c.rules)
    );
    let _ = writeln!(out, "    {}", printable(&c.name));
    if let Some(e) = &c.error {
        let _ = writeln!(out, "    {} {}", p.red("error:"), printable(e));
    }
    let mut shown = false;
    for f in c.findings.iter().filter(|f| f.is_failure()) {
        shown = true;
        let _ = writeln!(
            out,
            "    {} ({}): {}",
            rule_list(&f.rules),
            f.source.as_str(),
            printable(&f.message)
        );
        if f.expected.is_some() || f.observed.is_some() {
            side_by_side(
                out,
                p,
                &f.expected
                    .as_deref()
                    .map(printable)
                    .unwrap_or_else(|| "-".into()),
                &f.observed
                    .as_deref()
                    .map(printable)
                    .unwrap_or_else(|| "-".into()),
            );
        }
    }
    // A failure without findings (an error, or a fail the judge could not attribute): show the legs.
    if !shown && c.error.is_none() {
        for (i, (e, o)) in c.expected.iter().zip(&c.observed).enumerate() {
            let _ = writeln!(out, "    leg {}", i + 1);
            side_by_side(out, p, &one_line(e), &one_line(o));
        }
    }
}

/// `expected: X │ observed: Y` on one line when both fit, else one above the other.
fn side_by_side(out: &mut String, p: Paint, expected: &str, observed: &str) {
    let left = format!("expected: {expected}");
    let right = format!("observed: {observed}");
    let fits = left.chars().count() <= HALF && right.chars().count() <= HALF;
    if fits {
        let pad = HALF - left.chars().count();
        let _ = writeln!(out, "      {left}{} │ {}", " ".repeat(pad), p.red(&right));
    } else {
        let _ = writeln!(out, "      {left}");
        let _ = writeln!(out, "      {}", p.red(&right));
    }
}

fn rule_tables(out: &mut String, p: Paint, tally: &BTreeMap<RuleId, RuleTally>) {
    let mut groups: BTreeMap<Group, Vec<(RuleId, RuleTally)>> = BTreeMap::new();
    for (r, t) in tally {
        groups.entry(r.group()).or_default().push((*r, *t));
    }
    if !groups.is_empty() {
        let _ = writeln!(
            out,
            "\nPer rule: N/O not observed, N/R not run (neither counts as passed). Catalog: docs/RULES.md"
        );
    }
    for (g, mut rows) in groups {
        // Failing rules first, then catalog order (a stable sort keeps it within each half).
        rows.sort_by_key(|(_, t)| t.failed == 0 && t.errors == 0);
        let _ = writeln!(out, "\n{}", p.bold(g.title()));
        let _ = writeln!(
            out,
            "  {:<22} {:>4}  {:>4}  {:>4}  {:>4}  {:>4}  {:>4}  STATEMENT",
            "RULE", "PASS", "FAIL", "ERR", "INFO", "N/O", "N/R"
        );
        for (r, t) in rows {
            let mark = if t.failed > 0 {
                p.red("✗")
            } else if t.errors > 0 {
                p.red("!")
            } else {
                " ".to_string()
            };
            let _ = writeln!(
                out,
                "{mark} {:<22} {:>4}  {:>4}  {:>4}  {:>4}  {:>4}  {:>4}  {}",
                r.as_str(),
                t.passed,
                t.failed,
                t.errors,
                t.info,
                t.not_observed,
                t.not_run,
                shorten(statement(r), STATEMENT)
            );
        }
    }
    let untested: Vec<&str> = CATALOG
        .iter()
        .filter(|r| !tally.contains_key(&r.id))
        .map(|r| r.id.as_str())
        .collect();
    if !untested.is_empty() {
        let _ = writeln!(out, "\nNot exercised by this run ({}):", untested.len());
        out.push_str(&wrap(&untested.join(", "), 96, "  "));
    }
}

/// The wire ledger in one line, and the access-log reconciliation.
fn billing(out: &mut String, run: &RunResult) {
    let rows = ledger_rows(run);
    if let Some((_, total)) = rows.last() {
        let items: Vec<String> = rows[..rows.len() - 1]
            .iter()
            .map(|(k, t)| format!("{k} {}", t.requests))
            .collect();
        let _ = writeln!(
            out,
            "\nBilling (wire ledger): {} requests ({}), {} bytes out",
            total.requests,
            items.join(", "),
            total.bytes_out()
        );
    }
    if let Some(line) = reconcile_line(run) {
        let _ = writeln!(out, "{line}");
    }
}

fn level_word(l: Level) -> &'static str {
    match l {
        Level::Must => "must",
        Level::Should => "should",
        Level::Info => "info",
    }
}

/// ANSI colouring, or none.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn red(self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn green(self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn yellow(self, s: &str) -> String {
        self.wrap("33", s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_by_side_falls_back_to_stacked() {
        let mut s = String::new();
        side_by_side(&mut s, Paint(false), "403", "301");
        assert_eq!(s.lines().count(), 1);
        let mut s = String::new();
        side_by_side(&mut s, Paint(false), &"x".repeat(50), "301");
        assert_eq!(s.lines().count(), 2);
    }
}
