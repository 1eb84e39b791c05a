//! `junit.xml` for CI test tabs: one `<testsuite>` per spec file, one `<testcase>` per case
//! (name = case id, classname = spec file). A failure's text names the rule IDs and shows expected
//! vs observed for each finding; a harness or transport error is an `<error>`; a case not run or
//! whose rules could not be observed is `<skipped>` with the reason (never a pass). Each suite carries
//! the target and ruleset as properties. XML escaping is quick-junit's.
//!
//! [`render`] builds quick-junit's whole `Report` in memory; [`write_streaming`] (used for every
//! run) writes the same bytes case by case with quick-xml's writer, the serialiser quick-junit
//! itself uses, so a 100k-case run never holds its report. A test keeps the two byte-identical.
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
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::fmt::Write as _;
use std::time::Duration;

/// `junit.xml` content.
pub fn render(run: &RunResult) -> String {
    let mut report = Report::new(format!("{} {}", run.tool, run.target.name));
    report.set_time(Duration::from_millis(run.duration_ms));

    // Suites in the order their files first appear, cases in run order; one pass over the
    // cases (a spooled run reads each back once).
    let mut suites: Vec<(TestSuite, u64)> = Vec::new();
    for c in run.cases_where(|_| true) {
        let at = match suites.iter().position(|(s, _)| s.name.as_str() == c.file) {
            Some(i) => i,
            None => {
                let mut suite = TestSuite::new(c.file.as_str());
                suite.add_properties(properties(run));
                suites.push((suite, 0));
                suites.len() - 1
            }
        };
        let (suite, ms) = &mut suites[at];
        *ms += c.duration_ms;
        suite.add_test_case(test_case(&c));
    }
    for (mut suite, ms) in suites {
        suite.set_time(Duration::from_millis(ms));
        report.add_test_suite(suite);
    }

    report.to_string().unwrap_or_else(|e| {
        // Serialising to a String cannot fail on I/O; keep the file well-formed regardless.
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- junit serialisation failed: {e} -->\n<testsuites/>\n")
    })
}

/// Writes `junit.xml`: the bytes of [`render`], streamed. Suites are the spec files in order of
/// first appearance, their counts from the run's tallies; each suite's cases are then read (from
/// the spool, for a big run) in run order.
pub fn write_streaming(run: &RunResult, out: impl std::io::Write) -> std::io::Result<()> {
    struct Suite<'a> {
        file: &'a str,
        tests: usize,
        failures: usize,
        errors: usize,
        skipped: usize,
        ms: u64,
    }
    let mut suites: Vec<Suite<'_>> = Vec::new();
    for t in run.tallies() {
        let at = match suites.iter().position(|s| s.file == t.file) {
            Some(i) => i,
            None => {
                suites.push(Suite {
                    file: t.file,
                    tests: 0,
                    failures: 0,
                    errors: 0,
                    skipped: 0,
                    ms: 0,
                });
                suites.len() - 1
            }
        };
        let s = &mut suites[at];
        s.tests += 1;
        s.failures += usize::from(t.verdict == Verdict::Fail);
        s.errors += usize::from(t.verdict == Verdict::Error);
        s.skipped += usize::from(skipped(t.verdict));
        s.ms += t.duration_ms;
    }
    let mut w = quick_xml::Writer::new_with_indent(std::io::BufWriter::new(out), b' ', 4);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let name = quick_junit::XmlString::new(format!("{} {}", run.tool, run.target.name));
    let sum = |f: fn(&Suite<'_>) -> usize| suites.iter().map(f).sum::<usize>().to_string();
    let mut top = BytesStart::new("testsuites");
    top.push_attribute(("name", name.as_str()));
    top.extend_attributes([
        ("tests", sum(|s| s.tests).as_str()),
        ("skipped", sum(|s| s.skipped).as_str()),
        ("failures", sum(|s| s.failures).as_str()),
        ("errors", sum(|s| s.errors).as_str()),
        ("time", seconds(run.duration_ms).as_str()),
    ]);
    w.write_event(Event::Start(top))?;
    let props = properties(run);
    for s in &suites {
        let file = quick_junit::XmlString::new(s.file);
        let mut tag = BytesStart::new("testsuite");
        tag.extend_attributes([
            ("name", file.as_str()),
            ("tests", s.tests.to_string().as_str()),
            ("skipped", s.skipped.to_string().as_str()),
            ("errors", s.errors.to_string().as_str()),
            ("failures", s.failures.to_string().as_str()),
            ("time", seconds(s.ms).as_str()),
        ]);
        w.write_event(Event::Start(tag))?;
        w.write_event(Event::Start(BytesStart::new("properties")))?;
        for p in &props {
            let mut tag = BytesStart::new("property");
            tag.extend_attributes([("name", p.name.as_str()), ("value", p.value.as_str())]);
            w.write_event(Event::Empty(tag))?;
        }
        w.write_event(Event::End(BytesEnd::new("properties")))?;
        for c in run.cases.select_brief(|t| t.file == s.file) {
            match plain_pass(&c) {
                Some(tag) => w.write_event(Event::Empty(tag))?,
                None => write_case(&mut w, &test_case(&c))?,
            }
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    w.write_event(Event::Eof)?;
    w.write_indent()?;
    std::io::Write::flush(w.get_mut())
}

/// The `<testcase …/>` of a passing case without notes whose id and file are printable ASCII,
/// written without building quick-junit's `TestCase` (whose strings are each run through an
/// ANSI-escape parser, which cannot change such text): the same element [`write_case`] writes
/// for it, at a fraction of the cost per case of a big run.
fn plain_pass(c: &CaseResult) -> Option<BytesStart<'static>> {
    let printable = |s: &str| s.bytes().all(|b| (b' '..=b'~').contains(&b));
    let plain = matches!(c.verdict, Verdict::Pass | Verdict::Info)
        && !c.findings.iter().any(|f| f.info)
        && printable(&c.id)
        && printable(&c.file);
    if !plain {
        return None;
    }
    let mut tag = BytesStart::new("testcase");
    tag.push_attribute(("name", c.id.as_str()));
    tag.push_attribute(("classname", c.file.as_str()));
    tag.push_attribute(("time", seconds(c.duration_ms).as_str()));
    Some(tag)
}

/// Verdicts JUnit shows as skipped: neither passed nor failed.
fn skipped(v: Verdict) -> bool {
    matches!(v, Verdict::NotRun | Verdict::NotObserved)
}

/// Seconds with three decimals, as quick-junit writes times.
fn seconds(ms: u64) -> String {
    format!("{:.3}", Duration::from_millis(ms).as_secs_f64())
}

/// `<name …>text</name>`, the text escaped by quick-xml.
fn text_element<W: std::io::Write>(
    w: &mut quick_xml::Writer<W>,
    start: BytesStart<'_>,
    name: &str,
    text: &str,
) -> std::io::Result<()> {
    w.write_event(Event::Start(start))?;
    w.write_event(Event::Text(BytesText::new(text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

/// One `<testcase>`, the way quick-junit serialises the parts [`test_case`] sets.
fn write_case<W: std::io::Write>(
    w: &mut quick_xml::Writer<W>,
    tc: &TestCase,
) -> std::io::Result<()> {
    let mut tag = BytesStart::new("testcase");
    tag.push_attribute(("name", tc.name.as_str()));
    if let Some(c) = &tc.classname {
        tag.push_attribute(("classname", c.as_str()));
    }
    if let Some(t) = &tc.time {
        tag.push_attribute(("time", format!("{:.3}", t.as_secs_f64()).as_str()));
    }
    let status = match &tc.status {
        TestCaseStatus::NonSuccess {
            kind,
            message,
            ty,
            description,
            ..
        } => Some((
            match kind {
                NonSuccessKind::Failure => "failure",
                NonSuccessKind::Error => "error",
            },
            message,
            ty,
            description,
        )),
        TestCaseStatus::Skipped {
            message,
            ty,
            description,
        } => Some(("skipped", message, ty, description)),
        TestCaseStatus::Success { .. } => None,
    };
    if status.is_none() && tc.system_out.is_none() {
        return w.write_event(Event::Empty(tag));
    }
    w.write_event(Event::Start(tag))?;
    if let Some((name, message, ty, description)) = status {
        let mut tag = BytesStart::new(name);
        if let Some(m) = message {
            tag.push_attribute(("message", m.as_str()));
        }
        if let Some(t) = ty {
            tag.push_attribute(("type", t.as_str()));
        }
        match description {
            Some(d) => text_element(w, tag, name, d)?,
            None => w.write_event(Event::Empty(tag))?,
        }
    }
    if let Some(out) = &tc.system_out {
        text_element(w, BytesStart::new("system-out"), "system-out", out)?;
    }
    w.write_event(Event::End(BytesEnd::new("testcase")))
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
        Verdict::NotRun | Verdict::NotObserved => {
            let mut s = TestCaseStatus::skipped();
            let why = match (c.verdict, c.error.as_deref()) {
                (Verdict::NotRun, Some(e)) => format!("not run: {}", printable(e)),
                (Verdict::NotRun, None) => "not run".to_string(),
                _ => format!("not observed: {}", rule_list(&c.unobserved())),
            };
            s.set_message(why).set_type(level(c));
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
        .find(|f| f.is_failure())
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
    for f in c.findings.iter().filter(|f| f.is_failure()) {
        any = true;
        let _ = writeln!(
            s,
            "{} ({}): {}",
            rule_list(&f.rules),
            f.source.as_str(),
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
