//! The comparison matrix (`edgeconform report A.json B.json … -o matrix.html`): rules of the catalog,
//! grouped, as rows; one column per run (target). A cell says pass, fail, fail at `should` level,
//! expected deviation (the target's `expected.yaml` lists the rule), listed-but-passing, error, or
//! n/a (no case touched the rule). Failing, error and expected-deviation cells link to an anchor
//! listing those cases with expected vs observed. Same constraints as `index.html`: one file, no
//! script, no network. [`render_matrix_markdown`] gives the same table for `summary.md` and README.
//!
//! ```text
//! | Rule                | reference | nginx-naive  |
//! |---------------------|-----------|--------------|
//! | **Viewer protocol policy** |    |              |
//! | VPP-REDIRECT-SAFE   | ✅ 4      | ✅ 4         |
//! | VPP-REDIRECT-UNSAFE | ✅ 2      | ❌ 2         |
//! | VPP-HTTPS-ONLY      | ✅ 3      | 🔵 expected 3 |
//! | LOC-EDGE-ONLY       | n/a       | n/a          |
//! ```

use super::html::{anchor, case, escape, head, statement_html, text};
use super::markdown::md;
use super::model::{CaseResult, RuleTally, RunResult, Verdict};
use super::text::printable;
use edgeconform_core::rules::{Group, Level, RuleId, CATALOG};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One column of the matrix: a run, and the rules its target is known to violate
/// (`targets/<impl>/expected.yaml`), each with its one-line reason.
#[derive(Debug, Clone)]
pub struct Column<'a> {
    pub run: &'a RunResult,
    pub expected: BTreeMap<RuleId, String>,
}

impl<'a> Column<'a> {
    /// A column with no expected deviation.
    pub fn new(run: &'a RunResult) -> Self {
        Column {
            run,
            expected: BTreeMap::new(),
        }
    }

    /// A column whose target is known to violate `rules` (rule, reason).
    pub fn with_expected(
        run: &'a RunResult,
        rules: impl IntoIterator<Item = (RuleId, String)>,
    ) -> Self {
        Column {
            run,
            expected: rules.into_iter().collect(),
        }
    }

    /// The cases of this run that failed on `rule` (violated it, or errored while checking it).
    pub fn failing(&self, rule: RuleId) -> Vec<Cow<'a, CaseResult>> {
        self.run
            .cases_where(move |t| {
                t.violated.contains(&rule)
                    || (t.verdict == Verdict::Error && t.rules.contains(&rule))
            })
            .collect()
    }

    /// The cell of every catalog rule in this column.
    pub fn cells(&self) -> BTreeMap<RuleId, Cell> {
        let tally = self.run.by_rule();
        CATALOG
            .iter()
            .map(|r| (r.id, self.cell_of(r.id, tally.get(&r.id))))
            .collect()
    }

    /// The cell of `rule` in this column.
    pub fn cell(&self, rule: RuleId) -> Cell {
        self.cell_of(rule, self.run.by_rule().get(&rule))
    }

    fn cell_of(&self, rule: RuleId, tally: Option<&RuleTally>) -> Cell {
        let Some(t) = tally else {
            return Cell::NotApplicable;
        };
        let listed = self.expected.contains_key(&rule);
        if t.failed > 0 {
            if listed {
                return Cell::Expected { failed: t.failed };
            }
            let must = self.failing(rule).iter().any(|c| c.level == Level::Must);
            return Cell::Fail {
                failed: t.failed,
                must,
            };
        }
        if t.errors > 0 {
            return Cell::Error { errors: t.errors };
        }
        if t.passed == 0 {
            // Nothing showed the rule to hold or to break: never a pass, and a baseline entry
            // is neither confirmed nor stale.
            return Cell::Unobserved {
                not_observed: t.not_observed,
                not_run: t.not_run,
            };
        }
        if listed {
            return Cell::UnexpectedPass { passed: t.passed };
        }
        Cell::Pass {
            passed: t.passed,
            unobserved: t.not_observed + t.not_run,
        }
    }
}

/// A case counts against `rule` when it violated it, or errored while checking it.
/// What one target did on one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// No case of the run touched the rule.
    NotApplicable,
    /// Passed in `passed` cases; `unobserved` more could not observe it or were not run.
    Pass { passed: u64, unobserved: u64 },
    /// Every case touching the rule could not observe it (a cache hit, a viewer-only run) or
    /// was not run (no listener): neither a pass nor a failure.
    Unobserved { not_observed: u64, not_run: u64 },
    /// Violated; `must`: at least one failing case is at level `must` (else only `should`).
    Fail { failed: u64, must: bool },
    /// Violated, and the target's baseline says so.
    Expected { failed: u64 },
    /// The baseline lists the rule but no case violated it: the baseline is stale.
    UnexpectedPass { passed: u64 },
    /// Only harness or transport errors, no verdict.
    Error { errors: u64 },
}

impl Cell {
    fn class(self) -> &'static str {
        match self {
            Cell::NotApplicable => "na",
            Cell::Pass { .. } => "pass",
            Cell::Unobserved { .. } => "na",
            Cell::Fail { must: true, .. } => "fail",
            Cell::Fail { must: false, .. } => "soft",
            Cell::Expected { .. } => "xfail",
            Cell::UnexpectedPass { .. } => "xpass",
            Cell::Error { .. } => "error",
        }
    }

    fn label(self) -> String {
        match self {
            Cell::NotApplicable => "n/a".into(),
            Cell::Pass {
                passed,
                unobserved: 0,
            } => format!("pass {passed}"),
            Cell::Pass { passed, unobserved } => {
                format!("pass {passed} (+{unobserved} not observed/run)")
            }
            Cell::Unobserved {
                not_observed,
                not_run: 0,
            } => format!("not observed {not_observed}"),
            Cell::Unobserved {
                not_observed: 0,
                not_run,
            } => format!("not run {not_run}"),
            Cell::Unobserved {
                not_observed,
                not_run,
            } => format!("not observed {not_observed}, not run {not_run}"),
            Cell::Fail { failed, must: true } => format!("fail {failed}"),
            Cell::Fail {
                failed,
                must: false,
            } => format!("should-fail {failed}"),
            Cell::Expected { failed } => format!("expected {failed}"),
            Cell::UnexpectedPass { passed } => format!("listed, passes {passed}"),
            Cell::Error { errors } => format!("error {errors}"),
        }
    }

    fn emoji(self) -> String {
        match self {
            Cell::NotApplicable => "n/a".into(),
            Cell::Pass {
                passed,
                unobserved: 0,
            } => format!("✅ {passed}"),
            Cell::Pass { passed, unobserved } => format!("✅ {passed} (+{unobserved} ⊘)"),
            Cell::Unobserved {
                not_observed,
                not_run,
            } => format!("⊘ {}", not_observed + not_run),
            Cell::Fail { failed, must: true } => format!("❌ {failed}"),
            Cell::Fail {
                failed,
                must: false,
            } => format!("🟠 {failed} should"),
            Cell::Expected { failed } => format!("🔵 expected {failed}"),
            Cell::UnexpectedPass { passed } => format!("❔ listed, passes {passed}"),
            Cell::Error { errors } => format!("⚠️ {errors} error"),
        }
    }

    /// Cells that list cases below the table.
    fn links(self) -> bool {
        matches!(
            self,
            Cell::Fail { .. } | Cell::Expected { .. } | Cell::Error { .. }
        )
    }
}

/// The matrix of several runs with no expected deviations, as HTML.
pub fn render_matrix(runs: &[RunResult]) -> String {
    render_matrix_columns(&runs.iter().map(Column::new).collect::<Vec<_>>())
}

/// The matrix as Markdown, with no expected deviations.
pub fn render_matrix_markdown(runs: &[RunResult]) -> String {
    render_matrix_markdown_columns(&runs.iter().map(Column::new).collect::<Vec<_>>())
}

/// Catalog rules grouped, in catalog order.
fn groups() -> Vec<(Group, Vec<RuleId>)> {
    let mut out: Vec<(Group, Vec<RuleId>)> = Vec::new();
    for r in CATALOG {
        match out.last_mut() {
            Some((g, v)) if *g == r.group => v.push(r.id),
            _ => out.push((r.group, vec![r.id])),
        }
    }
    out
}

fn detail_anchor(col: usize, rule: RuleId) -> String {
    format!("m{col}-{}", rule.as_str())
}

/// The matrix as HTML, with per-column expected deviations.
pub fn render_matrix_columns(cols: &[Column]) -> String {
    let names: Vec<String> = cols.iter().map(|c| printable(&c.run.target.name)).collect();
    let mut s = head(&format!("edgeconform matrix: {}", names.join(", ")));
    let _ = writeln!(s, "<header>\n<h1>edgeconform: rules × targets</h1>");
    let _ = writeln!(
        s,
        "<p>{} target(s), {} rules. Cells: <b>pass</b> (cases that held), <b>fail</b>, <b>should-fail</b> \
         (only <code>should</code>-level cases failed), <b>expected</b> (a known deviation of the target), \
         <b>listed, passes</b> (the baseline lists it, no case failed: stale baseline), <b>error</b>, \
         <b>not observed</b> / <b>not run</b> (never a pass), <b>n/a</b> (no case touched the rule). Failing cells link to their cases.</p>",
        cols.len(),
        CATALOG.len()
    );
    let _ = writeln!(s, "</header>");

    let _ = write!(
        s,
        "<table class=\"matrix\">\n<thead><tr><th>Rule</th><th>Statement</th>"
    );
    for c in cols {
        let totals = c.run.totals();
        let _ = write!(
            s,
            "<th title=\"{}\">{}<br><span class=\"muted\">{} · {} {}<br>{totals}</span></th>",
            text(&format!(
                "{} {} · {}",
                c.run.target.http, c.run.target.https, c.run.started
            )),
            text(&c.run.target.name),
            c.run.ruleset.as_str(),
            text(&c.run.tool),
            text(&c.run.tool_version)
        );
    }
    let _ = writeln!(s, "</tr></thead>\n<tbody>");
    let grid: Vec<BTreeMap<RuleId, Cell>> = cols.iter().map(Column::cells).collect();
    for (g, rules) in groups() {
        let _ = writeln!(
            s,
            "<tr class=\"group\"><th colspan=\"{}\">{}</th></tr>",
            cols.len() + 2,
            escape(g.title())
        );
        for r in rules {
            let _ = write!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td>",
                r.as_str(),
                statement_html(r)
            );
            for (i, c) in cols.iter().enumerate() {
                let cell = grid[i][&r];
                let title = c
                    .expected
                    .get(&r)
                    .map(|why| format!(" title=\"{}\"", text(why)))
                    .unwrap_or_default();
                let label = escape(&cell.label());
                if cell.links() {
                    let _ = write!(
                        s,
                        "<td class=\"{}\"{title}><a href=\"#{}\">{label}</a></td>",
                        cell.class(),
                        detail_anchor(i, r)
                    );
                } else {
                    let _ = write!(s, "<td class=\"{}\"{title}>{label}</td>", cell.class());
                }
            }
            let _ = writeln!(s, "</tr>");
        }
    }
    let _ = writeln!(s, "</tbody>\n</table>");

    details(&mut s, cols, &grid);
    s.push_str("</body>\n</html>\n");
    s
}

/// Below the table: for each column and linked rule, the failing cases with expected vs observed.
fn details(s: &mut String, cols: &[Column], grid: &[BTreeMap<RuleId, Cell>]) {
    let _ = writeln!(s, "<section>\n<h2 id=\"failures\">Failing cells</h2>");
    let mut any = false;
    let mut used = BTreeSet::new();
    for (i, c) in cols.iter().enumerate() {
        for r in CATALOG.iter().map(|r| r.id) {
            let cell = grid[i][&r];
            if !cell.links() {
                continue;
            }
            any = true;
            let _ = writeln!(
                s,
                "<section id=\"{}\">\n<h3>{} · <code>{}</code> · {}</h3>",
                detail_anchor(i, r),
                text(&c.run.target.name),
                r.as_str(),
                escape(&cell.label())
            );
            if let Some(why) = c.expected.get(&r) {
                let _ = writeln!(s, "<p>Expected deviation: {}</p>", text(why));
            }
            for case_result in c.failing(r) {
                let id = anchor(&format!("m{i}-{}-", r.as_str()), &case_result.id, &mut used);
                case(s, &case_result, &id, true);
            }
            let _ = writeln!(s, "</section>");
        }
    }
    if !any {
        let _ = writeln!(s, "<p>None.</p>");
    }
    let _ = writeln!(s, "</section>");
}

/// The matrix as Markdown, with per-column expected deviations.
pub fn render_matrix_markdown_columns(cols: &[Column]) -> String {
    let mut s = String::new();
    let _ = write!(s, "| Rule |");
    for c in cols {
        let _ = write!(s, " {} |", md(&c.run.target.name));
    }
    let _ = write!(s, "\n|---|");
    for _ in cols {
        let _ = write!(s, "---|");
    }
    let _ = writeln!(s);
    let grid: Vec<BTreeMap<RuleId, Cell>> = cols.iter().map(Column::cells).collect();
    for (g, rules) in groups() {
        let _ = writeln!(s, "| **{}** |{}", md(g.title()), " |".repeat(cols.len()));
        for r in rules {
            let _ = write!(s, "| {} |", r.as_str());
            for cells in &grid {
                let _ = write!(s, " {} |", cells[&r].emoji());
            }
            let _ = writeln!(s);
        }
    }
    let _ = write!(s, "| **Totals** |");
    for c in cols {
        let _ = write!(s, " {} |", c.run.totals());
    }
    let _ = writeln!(
        s,
        "\n\n✅ pass · ❌ fail · 🟠 failed at `should` level · 🔵 expected deviation · \
         ❔ listed as a deviation but passes · ⚠️ error · ⊘ not observed or not run (never a pass) · \
         n/a no case touched the rule"
    );
    s
}
