//! `index.html`: one run as a self-contained page. Inline CSS, no script, no network reference (a
//! Content-Security-Policy of `default-src 'none'` makes the browser refuse any load even if one
//! slipped in). A header with target, ruleset, tool version and totals; a per-rule table, failing
//! rules first; the failing cases, open, then the others, each a `<details>` with the request(s),
//! expected vs observed per leg, and the findings. Every string from the result goes through
//! [`escape`]: a target's `Location: <script>…` renders as text.
//!
//! ```html
//! <header><h1>edgeconform: reference</h1><p class="totals bad">4 passed, 1 failed — …</p>…</header>
//! <table class="rules">… <tr class="bad"><td>VPP-REDIRECT-UNSAFE</td><td>0</td><td>1</td>…</table>
//! <details class="case fail" id="case-redirect-post-refused" open>
//!   <summary><span class="badge fail">fail</span> <code>redirect-post-refused</code> …</summary>
//!   … <pre>POST http://d111.cloudfront.net/form HTTP/1.1</pre>
//!   <div class="legs"><div><h4>Expected</h4><pre>{ "status": 403 … }</pre></div>…</div>
//! </details>
//! ```

use super::model::{CaseResult, RunResult, Verdict};
use super::text::{
    ledger_rows, pretty, printable, reconcile_line, rule_list, statement, verdict_word,
};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// HTML-escape `s` for text and for double- or single-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A one-line value from the result: control characters made visible, then escaped.
pub(crate) fn text(s: &str) -> String {
    escape(&printable(s))
}

/// A multi-line value (pretty JSON): each line made printable, then escaped.
pub(crate) fn block(s: &str) -> String {
    s.lines()
        .map(|l| escape(&printable(l)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An anchor name from any string: `[A-Za-z0-9_-]` kept, the rest `-`, unique within `used`.
pub(crate) fn anchor(prefix: &str, s: &str, used: &mut BTreeSet<String>) -> String {
    let base: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut name = format!("{prefix}{base}");
    let mut n = 2;
    while used.contains(&name) {
        name = format!("{prefix}{base}-{n}");
        n += 1;
    }
    used.insert(name.clone());
    name
}

/// A rule's statement (trusted catalog text) as HTML: escaped, with `code` spans.
pub(crate) fn statement_html(r: edgeconform_core::rules::RuleId) -> String {
    let mut out = String::new();
    for (i, part) in escape(statement(r)).split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The page head shared with the matrix: charset, CSP, title and the inline style sheet.
pub(crate) fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    )
}

/// The inline style sheet: no `url(`, no `@import`, system fonts only.
pub(crate) const STYLE: &str = "
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:78em;padding:0 1em;color:#222}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
code,pre{font:12.5px/1.4 ui-monospace,monospace}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all;margin:.3em 0}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right}
table.rules td:first-child,table.matrix td:first-child{white-space:nowrap}
.totals{font-size:1.15em;font-weight:600}
.good{color:#176f2c}.bad{color:#b00020}.soft{color:#8a5a00}
tr.bad td:first-child{border-left:4px solid #b00020}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;margin:.5em 0}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
details.case{border:1px solid #ddd;border-radius:4px;margin:.35em 0;padding:.2em .6em}
details.case>summary{cursor:pointer}
details.fail,details.error{border-left:4px solid #b00020}
.badge{display:inline-block;min-width:3.2em;text-align:center;border-radius:3px;padding:0 .3em;
font-size:.85em;font-weight:600;color:#fff;background:#666}
.badge.pass{background:#176f2c}.badge.fail,.badge.error{background:#b00020}.badge.info{background:#8a5a00}
.badge.not-observed,.badge.not-run{background:#555}
.legs{display:grid;grid-template-columns:1fr 1fr;gap:.8em}
.legs h4{margin:.3em 0 0}
.muted{color:#666}
table.matrix td.pass{background:#e3f4e6}table.matrix td.fail{background:#fbe1e4}
table.matrix td.soft{background:#fff1d6}table.matrix td.xfail{background:#eee8fb}
table.matrix td.xpass{background:#fff1d6}table.matrix td.error{background:#fbe1e4}
table.matrix td.na{color:#888}table.matrix tr.group th{background:#e8e8e8}
";

/// `index.html` content.
pub fn render(run: &RunResult) -> String {
    let counts = run.totals();
    let failed_n = counts.failed;
    let totals = counts.to_string();
    let mut s = head(&format!(
        "edgeconform: {} — {totals}",
        printable(&run.target.name)
    ));

    // Only the cases shown get an anchor: the failures first, then the others.
    let failing: Vec<Cow<'_, CaseResult>> = run.failures().take(FAILURE_DETAILS).collect();
    let others: Vec<Cow<'_, CaseResult>> = run
        .cases_where(|t| !t.failed())
        .take(PASSING_DETAILS)
        .collect();
    let mut used = BTreeSet::new();
    let anchors: Vec<String> = failing
        .iter()
        .chain(&others)
        .map(|c| anchor("case-", &c.id, &mut used))
        .collect();
    let (fail_anchors, other_anchors) = anchors.split_at(failing.len());

    header(&mut s, run, &totals, failed_n);

    rules_table(&mut s, run, &failing, fail_anchors);
    billing(&mut s, run);

    let fail_title = format!("Failures ({failed_n})");
    cases_section(
        &mut s,
        "failures",
        &fail_title,
        failed_n,
        &failing,
        fail_anchors,
    );
    let others_n = counts.passed + counts.not_observed + counts.not_run;
    let pass_title = format!("Other cases ({others_n})");
    cases_section(
        &mut s,
        "passed",
        &pass_title,
        others_n,
        &others,
        other_anchors,
    );
    s.push_str("</body>\n</html>\n");
    s
}

/// The page header: the title, the totals with the verdict, and the run's facts.
fn header(s: &mut String, run: &RunResult, totals: &str, failed_n: usize) {
    let gating = run.gating();
    let (class, verdict) = if run.is_empty() {
        ("bad", "no case was run: the run fails".to_string())
    } else if gating > 0 {
        ("bad", format!("{gating} must failure(s): the run fails"))
    } else if failed_n > 0 {
        (
            "soft",
            "every must passed; should-level failures reported".to_string(),
        )
    } else {
        ("good", "every case passed".to_string())
    };
    let _ = writeln!(
        s,
        "<header>\n<h1>edgeconform: {}</h1>",
        text(&run.target.name)
    );
    let _ = writeln!(
        s,
        "<p class=\"totals {class}\">{totals} — {}</p>",
        escape(&verdict)
    );
    if run.interrupted {
        let _ = writeln!(
            s,
            "<p class=\"bad\">The run was interrupted: the cases not run are absent.</p>"
        );
    }
    let _ = writeln!(s, "<dl class=\"meta\">");
    let meta = [
        ("Target", run.target.name.as_str()),
        ("HTTP", run.target.http.as_str()),
        ("HTTPS", run.target.https.as_str()),
        (
            "TLS verification",
            if run.target.insecure {
                "off (--insecure)"
            } else {
                "on"
            },
        ),
        ("Ruleset", run.ruleset.as_str()),
        ("Tool", &format!("{} {}", run.tool, run.tool_version)),
        ("Started", run.started.as_str()),
        (
            "Duration",
            &format!("{:.3} s", run.duration_ms as f64 / 1000.0),
        ),
    ];
    for (k, v) in meta {
        let _ = writeln!(s, "<dt>{k}</dt><dd>{}</dd>", text(v));
    }
    let _ = writeln!(s, "</dl>\n</header>");
}

/// A section of cases (the first of `total`), failures open; nothing when `total` is 0.
fn cases_section(
    s: &mut String,
    id: &str,
    title: &str,
    total: usize,
    shown: &[Cow<'_, CaseResult>],
    anchors: &[String],
) {
    if total == 0 {
        return;
    }
    let _ = writeln!(s, "<section>\n<h2 id=\"{id}\">{title}</h2>");
    if total > shown.len() {
        let _ = writeln!(
            s,
            "<p class=\"muted\">The first {} are shown; report.json holds all {total}.</p>",
            shown.len()
        );
    }
    for (c, a) in shown.iter().zip(anchors) {
        case(s, c, a, c.verdict.failed());
    }
    let _ = writeln!(s, "</section>");
}

/// Passing cases shown in full; past this the page would grow with the run (report.json has all).
const PASSING_DETAILS: usize = 2000;
/// Failing cases shown in full, for the same reason.
const FAILURE_DETAILS: usize = 2000;

fn billing(s: &mut String, run: &RunResult) {
    let rows = ledger_rows(run);
    if rows.is_empty() && run.log_reconcile.is_none() {
        return;
    }
    let _ = writeln!(s, "<section>\n<h2 id=\"billing\">Billing</h2>");
    if !rows.is_empty() {
        let _ = writeln!(
            s,
            "<table class=\"ledger\">\n<tr><th>Line item</th><th>Requests</th><th>Header bytes</th>\
             <th>Page bytes</th><th>Object bytes</th><th>Bytes out</th></tr>"
        );
        for (k, t) in rows {
            let _ = writeln!(
                s,
                "<tr><td>{k}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                t.requests,
                t.header_bytes,
                t.page_bytes,
                t.object_bytes,
                t.bytes_out()
            );
        }
        let _ = writeln!(s, "</table>");
    }
    if let Some(line) = reconcile_line(run) {
        let ok = run.log_reconcile.as_ref().is_some_and(|r| r.ok);
        let _ = writeln!(
            s,
            "<p class=\"{}\">{}</p>",
            if ok { "good" } else { "bad" },
            escape(&line)
        );
    }
    let _ = writeln!(s, "</section>");
}

/// The per-rule table; `failing` are the failing cases shown, with their `anchors`.
fn rules_table(
    s: &mut String,
    run: &RunResult,
    failing: &[Cow<'_, CaseResult>],
    anchors: &[String],
) {
    let mut rows: Vec<_> = run.by_rule().into_iter().collect();
    rows.sort_by_key(|(_, t)| t.failed == 0 && t.errors == 0);
    let _ = writeln!(s, "<section>\n<h2 id=\"rules\">Rules</h2>");
    if rows.is_empty() {
        let _ = writeln!(s, "<p>No rule was exercised.</p>\n</section>");
        return;
    }
    let _ = writeln!(
        s,
        "<table class=\"rules\">\n<tr><th>Rule</th><th>Passed</th><th>Failed</th><th>Errors</th>\
         <th>Notes</th><th>Not observed</th><th>Not run</th><th>Statement</th><th>Failing cases</th></tr>"
    );
    for (r, t) in rows {
        let class = if t.failed > 0 || t.errors > 0 {
            " class=\"bad\""
        } else {
            ""
        };
        let links: Vec<String> = failing
            .iter()
            .zip(anchors)
            .filter(|(c, _)| {
                c.violated().contains(&r) || (c.verdict == Verdict::Error && c.rules.contains(&r))
            })
            .map(|(c, a)| format!("<a href=\"#{a}\">{}</a>", text(&c.id)))
            .collect();
        let _ = writeln!(
            s,
            "<tr{class}><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td>{}</td><td>{}</td></tr>",
            r.as_str(),
            t.passed,
            t.failed,
            t.errors,
            t.info,
            t.not_observed,
            t.not_run,
            statement_html(r),
            links.join(" ")
        );
    }
    let _ = writeln!(s, "</table>\n</section>");
}

/// One case as a `<details>` element; failures are open.
pub(crate) fn case(s: &mut String, c: &CaseResult, id: &str, open: bool) {
    let word = verdict_word(c.verdict);
    let v = word.replace(' ', "-");
    let _ = writeln!(
        s,
        "<details class=\"case {v}\" id=\"{id}\"{}>",
        if open { " open" } else { "" }
    );
    let _ = writeln!(
        s,
        "<summary><span class=\"badge {v}\">{word}</span> <code>{}</code> {} <span class=\"muted\">{}</span></summary>",
        text(&c.id),
        text(&c.name),
        escape(&rule_list(&c.rules))
    );
    let level = serde_json::to_value(c.level)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let mut meta = format!(
        "{}:{} · level {level} · {} ms",
        text(&c.file),
        c.line,
        c.duration_ms
    );
    if !c.tags.is_empty() {
        let _ = write!(meta, " · tags {}", text(&c.tags.join(", ")));
    }
    let _ = writeln!(s, "<p class=\"muted\">{meta}</p>");
    if let Some(e) = &c.error {
        if c.verdict == Verdict::NotRun {
            let _ = writeln!(s, "<p class=\"muted\">not run: {}</p>", text(e));
        } else {
            let _ = writeln!(s, "<p class=\"bad\">error: {}</p>", text(e));
        }
    }
    if !c.findings.is_empty() {
        let _ = writeln!(
            s,
            "<table class=\"findings\">\n<tr><th>Rules</th><th>Source</th><th>Finding</th><th>Expected</th><th>Observed</th></tr>"
        );
        for f in &c.findings {
            let note = if f.info {
                " <span class=\"soft\">(note)</span>"
            } else if f.not_observed {
                " <span class=\"muted\">(not observed)</span>"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}{note}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                escape(&rule_list(&f.rules)),
                f.source.as_str(),
                text(&f.message),
                f.expected.as_deref().map(text).unwrap_or_default(),
                f.observed.as_deref().map(text).unwrap_or_default()
            );
        }
        let _ = writeln!(s, "</table>");
    }
    let legs = c.requests.len().max(c.expected.len()).max(c.observed.len());
    for i in 0..legs {
        let _ = writeln!(s, "<h3>Leg {}</h3>", i + 1);
        if let Some(r) = c.requests.get(i) {
            let mut req = format!(
                "{} {} {}",
                printable(&r.method),
                printable(&r.url),
                printable(&r.http_version)
            );
            for (k, v) in &r.headers {
                let _ = write!(req, "\n{}: {}", printable(k), printable(v));
            }
            let _ = writeln!(s, "<pre class=\"request\">{}</pre>", escape(&req));
        }
        let e = c.expected.get(i).map(pretty).unwrap_or_else(|| "-".into());
        let o = c.observed.get(i).map(pretty).unwrap_or_else(|| "-".into());
        let _ = writeln!(
            s,
            "<div class=\"legs\"><div><h4>Expected</h4><pre>{}</pre></div><div><h4>Observed</h4><pre>{}</pre></div></div>",
            block(&e),
            block(&o)
        );
    }
    let _ = writeln!(s, "</details>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("a&b \"q\""), "a&amp;b &quot;q&quot;");
        assert_eq!(escape("日本 ✓"), "日本 ✓");
        assert_eq!(escape("&lt;"), "&amp;lt;");
    }

    #[test]
    fn text_makes_controls_visible() {
        assert_eq!(text("a\r\n<b>"), "a\\r\\n&lt;b&gt;");
    }

    #[test]
    fn anchors_are_safe_and_unique() {
        let mut used = BTreeSet::new();
        assert_eq!(anchor("case-", "a b\"<x>", &mut used), "case-a-b--x-");
        assert_eq!(anchor("case-", "a b\"<x>", &mut used), "case-a-b--x--2");
    }

    #[test]
    fn style_loads_nothing() {
        assert!(!STYLE.contains("url(") && !STYLE.contains("@import"));
    }
}
