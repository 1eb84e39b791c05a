//! `junit.xml` for CI test tabs: one `<testsuite>` per spec file, one `<testcase>` per case
//! (name = case id, classname = spec file). A failure's text names the rule IDs and shows expected
//! vs observed for each finding; a harness or transport error is an `<error>`. Each suite carries
//! the target and ruleset as properties. XML escaping is quick-junit's.
//!
//! ```xml
//! <testsuite name="specs/vpp.yaml" tests="2" disabled="0" errors="0" failures="1" time="0.012">
//!     <properties>
//!         <property name="target" value="reference"/>
//!         <property name="ruleset" value="current"/>
//!     </properties>
//!     <testcase name="redirect-post-refused" classname="specs/vpp.yaml" time="0.004">
//!         <failure message="VPP-REDIRECT-UNSAFE: wrong status" type="must">An HTTP POST …
//! specs/vpp.yaml:42 (must)
//! VPP-REDIRECT-UNSAFE (viewer): wrong status
//!   expected: 403
//!   observed: 301</failure>
//!     </testcase>
//! </testsuite>
//! ```

use super::model::{CaseResult, RunResult, Verdict};
use super::text::{one_line, printable, rule_list};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write as _;
use std::time::Duration;

/// `junit.xml` content.
pub fn render(run: &RunResult) -> String {
    let mut report = Report::new(format!("{} {}", run.tool, run.target.name));
    report.set_time(Duration::from_millis(run.duration_ms));

    // Suites in the order their files first appear, cases in run order.
    let mut files: Vec<&str> = Vec::new();
    for c in &run.cases {
        if !files.contains(&c.file.as_str()) {
            files.push(&c.file);
        }
    }
    for file in files {
        let mut suite = TestSuite::new(file);
        suite.add_properties(properties(run));
        let mut ms = 0;
        for c in run.cases.iter().filter(|c| c.file == file) {
            ms += c.duration_ms;
            suite.add_test_case(test_case(c));
        }
        suite.set_time(Duration::from_millis(ms));
        report.add_test_suite(suite);
    }

    report.to_string().unwrap_or_else(|e| {
        // Serialising to a String cannot fail on I/O; keep the file well-formed regardless.
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- junit serialisation failed: {e} -->\n<testsuites/>\n")
    })
}

fn properties(run: &RunResult) -> Vec<Property> {
    let mut p = vec![
        Property::new("target", run.target.name.as_str()),
        Property::new("target.http", run.target.http.as_str()),
        Property::new("target.https", run.target.https.as_str()),
        Property::new("ruleset", run.ruleset.as_str()),
        Property::new("tool_version", run.tool_version.as_str()),
        Property::new("started", run.started.as_str()),
    ];
    if run.target.insecure {
        p.push(Property::new("insecure", "true"));
    }
    if run.interrupted {
        p.push(Property::new("interrupted", "true"));
    }
    p
}

fn test_case(c: &CaseResult) -> TestCase {
    let status = match c.verdict {
        Verdict::Pass | Verdict::Info => TestCaseStatus::success(),
        Verdict::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(failure_message(c))
                .set_type(level(c))
                .set_description(failure_text(c));
            s
        }
        Verdict::Error => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            let msg = c
                .error
                .as_deref()
                .map(printable)
                .unwrap_or_else(|| "harness error".to_string());
            s.set_message(msg)
                .set_type(level(c))
                .set_description(failure_text(c));
            s
        }
    };
    let mut tc = TestCase::new(c.id.as_str(), status);
    tc.set_classname(c.file.as_str());
    tc.set_time(Duration::from_millis(c.duration_ms));
    let notes: Vec<String> = c
        .findings
        .iter()
        .filter(|f| f.info)
        .map(|f| format!("note {}: {}", rule_list(&f.rules), printable(&f.message)))
        .collect();
    if !notes.is_empty() {
        tc.set_system_out(notes.join("\n"));
    }
    tc
}

fn level(c: &CaseResult) -> &'static str {
    match c.level {
        edgeconform_core::rules::Level::Must => "must",
        edgeconform_core::rules::Level::Should => "should",
        edgeconform_core::rules::Level::Info => "info",
    }
}

/// `VPP-A, VPP-B: first finding's message`, the one line CI tabs show.
fn failure_message(c: &CaseResult) -> String {
    let violated = c.violated();
    let first = c
        .findings
        .iter()
        .find(|f| !f.info)
        .map(|f| printable(&f.message));
    match first {
        Some(m) => format!("{}: {m}", rule_list(&violated)),
        None => format!("{}: failed", rule_list(&c.rules)),
    }
}

/// The failure's body: the case's requirement, where it is, then each finding with expected vs
/// observed (or, with no finding, each leg).
fn failure_text(c: &CaseResult) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", printable(&c.name));
    let _ = writeln!(
        s,
        "{}:{} ({}) rules: {}",
        printable(&c.file),
        c.line,
        level(c),
        rule_list(&c.rules)
    );
    if let Some(e) = &c.error {
        let _ = writeln!(s, "error: {}", printable(e));
    }
    let mut any = false;
    for f in c.findings.iter().filter(|f| !f.info) {
        any = true;
        let _ = writeln!(
            s,
            "{} ({}): {}",
            rule_list(&f.rules),
            printable(&f.source),
            printable(&f.message)
        );
        if let Some(e) = &f.expected {
            let _ = writeln!(s, "  expected: {}", printable(e));
        }
        if let Some(o) = &f.observed {
            let _ = writeln!(s, "  observed: {}", printable(o));
        }
    }
    if !any {
        for (i, (e, o)) in c.expected.iter().zip(&c.observed).enumerate() {
            let _ = writeln!(s, "leg {}:", i + 1);
            let _ = writeln!(s, "  expected: {}", one_line(e));
            let _ = writeln!(s, "  observed: {}", one_line(o));
        }
    }
    s.trim_end().to_string()
}
