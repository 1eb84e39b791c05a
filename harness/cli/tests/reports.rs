//! The reporters over one hand-made run: passing, failing (`must` and `should`), info and error
//! cases, with hostile strings from the "target" (`<script>`, CR/LF, ANSI, bidi, Unicode). Console,
//! Markdown and JUnit are insta snapshots; JSON round-trips; the HTML pages load nothing from the
//! network and never carry the hostile markup unescaped; headless Chromium shows the failing cases.

use edgeconform::report::matrix::{
    render_matrix, render_matrix_columns, render_matrix_markdown_columns, Cell, Column,
};
use edgeconform::report::model::{RunResult, Verdict, SCHEMA_VERSION};
use edgeconform::report::{console, html, json, junit, markdown, write};
use edgeconform_core::rules::RuleId;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The hostile `Location` a target sends back.
const HOSTILE: &str = "<script>alert(1)</script>";

/// One run against the reference edge, as `report.json` text (the runner's output format).
const RUN: &str = r##"{
  "schema_version": 1,
  "tool": "edgeconform",
  "tool_version": "0.1.0",
  "target": { "name": "reference", "http": "http://127.0.0.1:8080", "https": "https://127.0.0.1:8443", "insecure": false },
  "ruleset": "current",
  "started": "2026-11-28T17:15:00Z",
  "duration_ms": 10050,
  "interrupted": false,
  "ledger": { "items": {
    "http": { "requests": 4, "header_bytes": 1200, "page_bytes": 600, "object_bytes": 0 },
    "https": { "requests": 2, "header_bytes": 700, "page_bytes": 0, "object_bytes": 2048 }
  } },
  "log_reconcile": { "log_file": "/tmp/edge/access.log", "log_requests": 5, "log_sc_bytes": 4000,
    "wire_requests": 6, "wire_bytes": 4548, "ok": false,
    "problems": ["1 request on the wire has no log line: <script>alert(1)</script>"] },
  "cases": [
    {
      "id": "redirect-get-root",
      "name": "An HTTP GET under redirect-to-https gets a 301 to the same URL over HTTPS",
      "file": "specs/vpp.yaml", "line": 12,
      "rules": ["VPP-REDIRECT-SAFE", "LOC-SCHEME"], "level": "must", "verdict": "pass",
      "requests": [
        { "method": "GET", "url": "http://d111.cloudfront.net/", "http_version": "HTTP/1.1" },
        { "method": "GET", "url": "https://d111.cloudfront.net/", "http_version": "HTTP/1.1" }
      ],
      "expected": [ { "viewer": { "status": [301], "location": { "kind": "exact", "url": "https://d111.cloudfront.net/" } },
                      "follow": { "viewer": { "status": [200] } } } ],
      "observed": [ { "status": 301, "location": "https://d111.cloudfront.net/" }, { "status": 200 } ],
      "duration_ms": 3
    },
    {
      "id": "redirect-post-refused",
      "name": "An HTTP POST under redirect-to-https is refused with 403",
      "file": "specs/vpp.yaml", "line": 42,
      "rules": ["VPP-REDIRECT-UNSAFE"], "level": "must", "verdict": "fail",
      "requests": [
        { "method": "POST", "url": "http://d111.cloudfront.net/form", "http_version": "HTTP/1.1",
          "headers": [["content-length", "0"]] }
      ],
      "expected": [ { "viewer": { "status": [403] }, "origin": { "kind": "not-contacted" } } ],
      "observed": [ { "status": 301, "location": "https://d111.cloudfront.net/<script>alert(1)</script>\r\nSet-Cookie: x=1", "origin": null } ],
      "findings": [
        { "rules": ["VPP-REDIRECT-UNSAFE"], "source": "viewer", "message": "wrong status",
          "expected": "403", "observed": "301" },
        { "rules": ["VPP-REDIRECT-UNSAFE"], "source": "judge", "message": "an unsafe method was redirected",
          "expected": "no Location", "observed": "https://d111.cloudfront.net/<script>alert(1)</script>\r\nSet-Cookie: x=1" }
      ],
      "duration_ms": 4
    },
    {
      "id": "redirect-keeps-query",
      "name": "The redirect keeps the query string byte for byte",
      "file": "specs/loc.yaml", "line": 7,
      "rules": ["LOC-TARGET"], "level": "should", "verdict": "fail",
      "requests": [ { "method": "GET", "url": "http://d111.cloudfront.net/café?x=1&y=%3C2%3E", "http_version": "HTTP/1.1" } ],
      "expected": [ { "viewer": { "status": [301], "location": { "kind": "exact", "url": "https://d111.cloudfront.net/café?x=1&y=%3C2%3E" } } } ],
      "observed": [ { "status": 301, "location": "https://d111.cloudfront.net/caf\u00e9 ✓ \u202etxt.exe" } ],
      "findings": [
        { "rules": ["LOC-TARGET"], "source": "judge", "message": "Location does not keep the path and query",
          "expected": "https://d111.cloudfront.net/café?x=1&y=%3C2%3E", "observed": "https://d111.cloudfront.net/café ✓ \u202etxt.exe\u001b[2J" }
      ],
      "duration_ms": 2
    },
    {
      "id": "alias-host-note",
      "name": "A request for an alternate domain name is routed like the default one",
      "file": "specs/loc.yaml", "line": 30,
      "rules": ["HOST-ROUTE"], "level": "info", "verdict": "info",
      "tags": ["alias"],
      "requests": [ { "method": "GET", "url": "http://www.example.com/", "http_version": "HTTP/1.1" } ],
      "expected": [ { "viewer": { "status": [301] } } ],
      "observed": [ { "status": 301 } ],
      "findings": [
        { "rules": ["HOST-ROUTE"], "source": "judge", "message": "open question: the Host kept its trailing dot", "info": true }
      ],
      "duration_ms": 2
    },
    {
      "id": "https-only-refused",
      "name": "An HTTP GET under https-only is refused with 403",
      "file": "specs/vpp.yaml", "line": 60,
      "rules": ["VPP-HTTPS-ONLY"], "level": "must", "verdict": "error",
      "requests": [ { "method": "GET", "url": "http://d111.cloudfront.net/secure/", "http_version": "HTTP/1.1" } ],
      "expected": [ { "viewer": { "status": [403] } } ],
      "observed": [],
      "error": "connection reset by peer after 0 bytes\r\n<script>x</script>",
      "duration_ms": 10000
    },
    {
      "id": "origin-s3-https",
      "name": "An HTTPS viewer request reaches an S3 REST origin over HTTPS",
      "file": "specs/origin.yaml", "line": 5,
      "rules": ["ORG-S3-MATCH-VIEWER"], "level": "must", "verdict": "pass",
      "tags": ["origin"],
      "requests": [ { "method": "GET", "url": "https://d111.cloudfront.net/images/a.jpg", "http_version": "HTTP/2" } ],
      "expected": [ { "viewer": { "status": [200] }, "origin": { "kind": "contacted", "protocol": "https", "port": 443 } } ],
      "observed": [ { "status": 200, "origin": { "protocol": "https", "port": 443, "target": "/images/a.jpg", "headers": [] } } ],
      "duration_ms": 5
    }
  ]
}"##;

fn run() -> RunResult {
    json::parse(RUN).expect("the fixture is a valid report.json")
}

/// The cases of a run read from JSON (always in memory), to change a fixture.
fn cases(r: &mut RunResult) -> &mut Vec<edgeconform::report::model::CaseResult> {
    r.cases
        .in_memory_mut()
        .expect("a run read from JSON is in memory")
}

/// A second target for the matrix: a tutorial's nginx (redirects everything, hostile name).
fn nginx() -> RunResult {
    let mut r = run();
    r.target.name = "nginx \"naive\" <b>".to_string();
    cases(&mut r).retain(|c| c.id != "https-only-refused" && c.id != "alias-host-note");
    for c in cases(&mut r) {
        if c.id == "redirect-keeps-query" {
            c.verdict = Verdict::Pass;
            c.findings.clear();
        }
    }
    let mut https_only = cases(&mut run())
        .iter()
        .find(|c| c.id == "redirect-post-refused")
        .unwrap()
        .clone();
    https_only.id = "https-only-redirected".into();
    https_only.rules = vec![RuleId::VppHttpsOnly];
    https_only.findings.truncate(1);
    https_only.findings[0].rules = vec![RuleId::VppHttpsOnly];
    cases(&mut r).push(https_only);
    r
}

#[test]
fn console_snapshot() {
    insta::assert_snapshot!(console::render(&run(), false));
}

#[test]
fn console_totals_line_is_plain_even_in_colour() {
    let out = console::render(&run(), true);
    assert!(out.contains("\x1b[31m"), "colour is used");
    assert_eq!(out.lines().last(), Some("3 passed, 3 failed"));
    // Target-controlled ANSI escapes are shown, never emitted.
    assert!(!console::render(&run(), false).contains('\x1b'));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(markdown::render(&run()));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(junit::render(&run()));
}

#[test]
fn json_round_trip_keeps_totals() {
    let r = run();
    let text = json::render(&r);
    let back = json::parse(&text).unwrap();
    assert_eq!(back.totals(), r.totals());
    assert_eq!(back.by_rule(), r.by_rule());
    assert_eq!(json::render(&back), text);
    assert_eq!(back.schema_version, SCHEMA_VERSION);
}

#[test]
fn json_refuses_other_schema_versions_and_garbage() {
    let other = RUN.replacen("\"schema_version\": 1", "\"schema_version\": 99", 1);
    let e = json::parse(&other).unwrap_err().to_string();
    assert!(e.contains("schema_version 99"), "{e}");
    let e = json::parse("{\"cases\": [").unwrap_err().to_string();
    assert!(e.contains("line 1"), "{e}");
    let e = json::parse("{\"tool\": \"x\"}").unwrap_err().to_string();
    assert!(e.contains("no schema_version"), "{e}");
}

#[test]
fn tallies_count_errors_apart() {
    let t = run().by_rule();
    let https_only = t[&RuleId::VppHttpsOnly];
    assert_eq!(
        (https_only.passed, https_only.failed, https_only.errors),
        (0, 0, 1)
    );
    assert_eq!(t[&RuleId::VppRedirectUnsafe].failed, 1);
    assert_eq!(t[&RuleId::HostRoute].info, 1);
}

/// Every resource reference in a page: none may leave the file.
fn assert_self_contained(page: &str) {
    for needle in [
        "src=", "@import", "url(", "<script", "<link", "<iframe", "<object", "<embed", "<img",
    ] {
        assert!(!page.contains(needle), "the page contains `{needle}`");
    }
    for attr in [
        "href=\"http:",
        "href=\"https:",
        "href=\"//",
        "href='http",
        "action=",
    ] {
        assert!(
            !page.to_ascii_lowercase().contains(attr),
            "the page links out with `{attr}`"
        );
    }
    // Every href is an in-page anchor.
    for part in page.split("href=\"").skip(1) {
        assert!(
            part.starts_with('#'),
            "non-anchor href: {}",
            &part[..part.len().min(40)]
        );
    }
    assert!(
        page.contains("default-src 'none'"),
        "the CSP meta is present"
    );
}

#[test]
fn html_is_self_contained_and_escapes_hostile_strings() {
    let page = html::render(&run());
    assert_self_contained(&page);
    assert!(!page.contains(HOSTILE));
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the hostile Location is shown as text"
    );
    assert!(
        page.contains("\\r\\nSet-Cookie"),
        "CR/LF are shown, not obeyed"
    );
    assert!(page.contains("café ✓"), "Unicode is kept");
    assert!(
        page.contains("\\u{202e}"),
        "bidi overrides are shown, not obeyed"
    );
    assert!(page.contains("3 passed, 3 failed"));
    for id in [
        "redirect-post-refused",
        "redirect-keeps-query",
        "https-only-refused",
        "redirect-get-root",
    ] {
        assert!(
            page.contains(&format!("id=\"case-{id}\"")),
            "{id} has an anchor"
        );
    }
}

#[test]
fn matrix_cells() {
    let (a, b) = (run(), nginx());
    let ref_col = Column::new(&a);
    assert_eq!(
        ref_col.cell(RuleId::VppRedirectSafe),
        Cell::Pass {
            passed: 1,
            unobserved: 0
        }
    );
    assert_eq!(
        ref_col.cell(RuleId::VppRedirectUnsafe),
        Cell::Fail {
            failed: 1,
            must: true
        }
    );
    assert_eq!(
        ref_col.cell(RuleId::LocTarget),
        Cell::Fail {
            failed: 1,
            must: false
        }
    );
    assert_eq!(
        ref_col.cell(RuleId::VppHttpsOnly),
        Cell::Error { errors: 1 }
    );
    assert_eq!(ref_col.cell(RuleId::LocEdgeOnly), Cell::NotApplicable);
    let expected = [
        (
            RuleId::VppHttpsOnly,
            "nginx cannot refuse by path and redirect elsewhere in one server block".to_string(),
        ),
        (RuleId::LocTarget, "listed <wrongly>".to_string()),
    ];
    let nginx_col = Column::with_expected(&b, expected);
    assert_eq!(
        nginx_col.cell(RuleId::VppHttpsOnly),
        Cell::Expected { failed: 1 }
    );
    assert_eq!(
        nginx_col.cell(RuleId::LocTarget),
        Cell::UnexpectedPass { passed: 1 }
    );
}

fn columns<'a>(a: &'a RunResult, b: &'a RunResult) -> Vec<Column<'a>> {
    vec![
        Column::new(a),
        Column::with_expected(
            b,
            [(
                RuleId::VppHttpsOnly,
                "one <server> block cannot refuse by path".to_string(),
            )],
        ),
    ]
}

#[test]
fn matrix_markdown_snapshot() {
    let (a, b) = (run(), nginx());
    insta::assert_snapshot!(render_matrix_markdown_columns(&columns(&a, &b)));
}

#[test]
fn matrix_html_is_self_contained_and_links_failing_cells() {
    let (a, b) = (run(), nginx());
    let page = render_matrix_columns(&columns(&a, &b));
    assert_self_contained(&page);
    assert!(!page.contains(HOSTILE));
    assert!(!page.contains("<b>\""), "the target name is escaped");
    assert!(page.contains("nginx &quot;naive&quot; &lt;b&gt;"));
    // Each failing cell links to an anchor that exists.
    for anchor in [
        "m0-VPP-REDIRECT-UNSAFE",
        "m0-LOC-TARGET",
        "m0-VPP-HTTPS-ONLY",
        "m1-VPP-REDIRECT-UNSAFE",
        "m1-VPP-HTTPS-ONLY",
    ] {
        assert!(
            page.contains(&format!("href=\"#{anchor}\"")),
            "link to {anchor}"
        );
        assert!(
            page.contains(&format!("id=\"{anchor}\"")),
            "anchor {anchor}"
        );
    }
    assert!(
        page.contains("class=\"xfail\""),
        "the expected deviation is marked"
    );
    assert!(page.contains("class=\"na\""), "untouched rules are n/a");
    // Every catalog rule is a row.
    for r in edgeconform_core::rules::CATALOG {
        assert!(
            page.contains(&format!("<code>{}</code>", r.id)),
            "{} has a row",
            r.id
        );
    }
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("edgeconform-reports-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn write_all_writes_run_dir_and_latest() {
    let dir = tempdir("write");
    let mut r = run();
    r.target.name = "../nginx naive".into();
    let first = write::write_all(&r, &dir).unwrap();
    assert_eq!(first, dir.join("20261128T171500Z-nginx-naive"));
    let second = write::write_all(&r, &dir).unwrap();
    assert_eq!(second, dir.join("20261128T171500Z-nginx-naive-2"));
    for d in [&first, &second, &dir.join("latest")] {
        for f in write::FILES {
            assert!(d.join(f).is_file(), "{}/{f}", d.display());
        }
    }
    let latest = std::fs::read_to_string(dir.join("latest/report.json")).unwrap();
    assert_eq!(json::parse(&latest).unwrap().totals(), r.totals());
    // No temporary file or directory is left behind.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "20261128T171500Z-nginx-naive",
            "20261128T171500Z-nginx-naive-2",
            "latest"
        ]
    );
    for f in std::fs::read_dir(&first).unwrap() {
        assert!(!f.unwrap().file_name().to_string_lossy().starts_with('.'));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn edgeconform(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_edgeconform"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn report_subcommand_renders_matrix_and_names_bad_files() {
    let dir = tempdir("cmd");
    let a = dir.join("a.json");
    let b = dir.join("b.json");
    std::fs::write(&a, json::render(&run())).unwrap();
    std::fs::write(&b, json::render(&nginx())).unwrap();
    let out = dir.join("matrix/index.html");
    let md = dir.join("matrix/summary.md");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let (code, stdout, stderr) = edgeconform(&[
        "report",
        &s(&a),
        &s(&b),
        "-o",
        &s(&out),
        "--markdown",
        &s(&md),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.contains("reference") && page.contains("nginx &quot;naive&quot;"));
    assert!(std::fs::read_to_string(&md)
        .unwrap()
        .contains("| VPP-REDIRECT-UNSAFE | ❌ 1 | ❌ 1 |"));

    // With --targets, a recipe's baseline turns its listed rules into expected deviations.
    let mut naive = nginx();
    naive.target.name = "nginx-naive".into();
    let c = dir.join("c.json");
    std::fs::write(&c, json::render(&naive)).unwrap();
    let targets = dir.join("targets");
    std::fs::create_dir_all(targets.join("nginx-naive")).unwrap();
    std::fs::create_dir_all(targets.join("reference")).unwrap();
    std::fs::write(
        targets.join("nginx-naive/expected.yaml"),
        "# known\n- rule: VPP-HTTPS-ONLY\n  reason: \"one server block\"\n",
    )
    .unwrap();
    std::fs::write(targets.join("reference/expected.yaml"), "# none\n").unwrap();
    let (code, stdout, stderr) = edgeconform(&[
        "report",
        &s(&a),
        &s(&c),
        "--targets",
        &s(&targets),
        "-o",
        &s(&out),
        "--markdown",
        &s(&md),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(std::fs::read_to_string(&md)
        .unwrap()
        .contains("| VPP-HTTPS-ONLY | ⚠️ 1 error | 🔵 expected 1 |"));
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("title=\"one server block\""));
    std::fs::write(
        targets.join("nginx-naive/expected.yaml"),
        "- rule: NOT-A-RULE\n  reason: x\n",
    )
    .unwrap();
    let (code, _, stderr) =
        edgeconform(&["report", &s(&c), "--targets", &s(&targets), "-o", &s(&out)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("nginx-naive/expected.yaml:1"), "{stderr}");

    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"schema_version\": 1,\n \"tool\": ").unwrap();
    let (code, _, stderr) = edgeconform(&["report", &s(&a), &s(&bad), "-o", &s(&out)]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.json") && stderr.contains("line 2"),
        "{stderr}"
    );

    let v2 = dir.join("v2.json");
    std::fs::write(
        &v2,
        json::render(&run()).replacen("\"schema_version\": 1", "\"schema_version\": 2", 1),
    )
    .unwrap();
    let (code, _, stderr) = edgeconform(&["report", &s(&v2), "-o", &s(&out)]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("v2.json") && stderr.contains("schema_version 2"),
        "{stderr}"
    );

    let (code, _, stderr) = edgeconform(&["report", &s(&dir.join("missing.json")), "-o", &s(&out)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.json"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Headless Chromium loads both pages from file:// with no network and shows the failing cases.
/// `scripts/check-html.sh` installs Debian's chromium when missing (as root); it exits 77 when it
/// cannot, and only then is this test skipped, loudly.
#[test]
fn chromium_renders_failures() {
    let dir = tempdir("chromium");
    let (a, b) = (run(), nginx());
    let index = dir.join("index.html");
    let matrix = dir.join("matrix.html");
    std::fs::write(&index, html::render(&a)).unwrap();
    std::fs::write(&matrix, render_matrix(&[a.clone(), b])).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/check-html.sh");
    let checks: [(&Path, &[&str]); 2] = [
        // Chromium serialises text nodes, so markup shown as text reads `&lt;` in the dump; a
        // `!TEXT` must not occur: no script element ever comes out of the data.
        (
            &index,
            &[
                "redirect-post-refused",
                "redirect-keeps-query",
                "https-only-refused",
                "3 passed, 3 failed",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
                "!<script",
            ],
        ),
        (
            &matrix,
            &[
                "reference",
                "nginx \"naive\" &lt;b&gt;",
                "redirect-post-refused",
                "https-only-redirected",
                "VPP-HTTPS-ONLY",
                "!<script",
            ],
        ),
    ];
    for (page, texts) in checks {
        let out = Command::new("bash")
            .arg(&script)
            .arg(page)
            .args(texts)
            .output()
            .unwrap();
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.code() == Some(77) {
            // Passing without the browser would hide that nothing was checked: skipping takes
            // an explicit EDGECONFORM_SKIP=chromium (CI runs as root and installs it).
            assert!(
                skip_allowed("chromium"),
                "Chromium is needed and could not be installed ({log}); install it, or set EDGECONFORM_SKIP=chromium to skip this test knowingly"
            );
            eprintln!("SKIPPED (EDGECONFORM_SKIP=chromium): {log}");
            return;
        }
        assert!(
            out.status.success(),
            "check-html.sh {}: {log}",
            page.display()
        );
        print!("{log}");
    }
    // EDGECONFORM_KEEP_HTML=1 keeps the pages to look at (the path is printed with --nocapture).
    if std::env::var_os("EDGECONFORM_KEEP_HTML").is_none() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Whether `EDGECONFORM_SKIP` (comma-separated) names `tool`.
fn skip_allowed(tool: &str) -> bool {
    std::env::var("EDGECONFORM_SKIP").is_ok_and(|v| v.split(',').any(|t| t.trim() == tool))
}

#[test]
fn junit_streamed_is_byte_identical_to_quick_junit() {
    for r in [run(), nginx()] {
        let mut streamed = Vec::new();
        junit::write_streaming(&r, &mut streamed).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), junit::render(&r));
    }
}

/// The same run with its cases spooled to disk (as a big run keeps them), the third case kept
/// whole as an access-log case would be.
fn spooled(r: &RunResult, dir: &Path) -> RunResult {
    use edgeconform::report::cases::Cases;
    use edgeconform::report::spool::{Lists, Row, Spool, Spooled};
    let spool = Spool::create(&dir.join("spool.jsonl")).unwrap();
    let (mut lists, mut rows, mut kept) = (Lists::default(), Vec::new(), Vec::new());
    for (i, c) in r.cases.iter().enumerate() {
        if i == 2 {
            rows.push(Row::Kept(kept.len() as u32));
            kept.push(c.into_owned());
        } else {
            let entry = spool.write(&c).unwrap();
            rows.push(Row::Spooled(lists.summary(&c, entry)));
        }
    }
    let file = spool.finish().map_err(|(_, e)| e).unwrap();
    let mut s = r.clone();
    s.cases = Cases::spooled(
        kept,
        Spooled {
            file,
            rows,
            lists,
            wire: (0, 0),
        },
    );
    s
}

#[test]
fn a_spooled_run_reports_exactly_what_the_same_run_in_memory_does() {
    let dir = tempdir("spooled");
    for r in [run(), nginx()] {
        let s = spooled(&r, &dir);
        assert_eq!(s.len(), r.len());
        let spool = s.cases.spool().expect("the fixture is spooled");
        assert!(
            spool
                .rows
                .iter()
                .any(|row| matches!(row, edgeconform::report::spool::Row::Spooled(_))),
            "the fixture must spool something"
        );
        assert_eq!(s.totals(), r.totals());
        assert_eq!(s.by_rule(), r.by_rule());
        assert_eq!(s.gated(), r.gated());
        assert_eq!(console::render(&s, false), console::render(&r, false));
        assert_eq!(markdown::render(&s), markdown::render(&r));
        assert_eq!(html::render(&s), html::render(&r));
        let mut a = Vec::new();
        junit::write_streaming(&s, &mut a).unwrap();
        assert_eq!(String::from_utf8(a).unwrap(), junit::render(&r));
        let mut j = Vec::new();
        json::write_streaming(&s, &mut j).unwrap();
        let back = json::parse(std::str::from_utf8(&j).unwrap()).unwrap();
        assert_eq!(
            serde_json::to_value(&back.cases).unwrap(),
            serde_json::to_value(&r.cases).unwrap()
        );
    }
    // A spool that is gone does not lose the cases: each is reported as unreadable.
    let r = run();
    let s = spooled(&r, &dir);
    s.cases.spool().unwrap().file.remove();
    let read: Vec<_> = s.cases_where(|_| true).collect();
    assert_eq!(read.len(), r.len());
    assert!(
        read.iter()
            .filter(|c| c.error.as_deref().is_some_and(|e| e.contains("spool")))
            .count()
            >= r.len() - 1
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The fixture run with a case that was not run (no HTTPS listener) and one served from the
/// cache, whose origin-side rule was not observed.
fn with_unobserved() -> RunResult {
    let mut r = run();
    let extra: Vec<edgeconform::report::model::CaseResult> = serde_json::from_str(
        r#"[
        { "id": "https-get-not-run", "name": "An HTTPS GET is served", "file": "specs/vpp.yaml",
          "line": 70, "rules": ["VPP-HTTPS-SERVED"], "level": "must", "verdict": "not-run",
          "requests": [], "error": "the target has no HTTPS address (--target-https not given)",
          "duration_ms": 0 },
        { "id": "cached-origin-unseen", "name": "An S3 REST origin is reached over the viewer's protocol",
          "file": "specs/origin.yaml", "line": 9, "rules": ["ORG-S3-MATCH-VIEWER"], "level": "must",
          "verdict": "not-observed",
          "requests": [ { "method": "GET", "url": "https://d111.cloudfront.net/images/b.jpg", "http_version": "1.1" } ],
          "findings": [ { "rules": ["ORG-S3-MATCH-VIEWER"], "source": "judge",
            "message": "served from the cache (age: 3)", "not_observed": true } ],
          "duration_ms": 1 }
    ]"#,
    )
    .unwrap();
    cases(&mut r).extend(extra);
    r
}

#[test]
fn not_observed_and_not_run_are_never_counted_as_passed() {
    let r = with_unobserved();
    let t = r.totals();
    assert_eq!(
        (t.passed, t.failed, t.not_observed, t.not_run),
        (3, 3, 1, 1)
    );
    assert_eq!(
        t.to_string(),
        "3 passed, 3 failed, 1 not observed, 1 not run"
    );
    let by = r.by_rule();
    let s3 = by[&RuleId::OrgS3MatchViewer];
    assert_eq!((s3.passed, s3.not_observed), (1, 1));
    let served = by[&RuleId::VppHttpsServed];
    assert_eq!((served.passed, served.failed, served.not_run), (0, 0, 1));
    assert_eq!(r.gating(), run().gating(), "neither result gates the run");

    let console = console::render(&r, false);
    assert_eq!(
        console.lines().last(),
        Some("3 passed, 3 failed, 1 not observed, 1 not run")
    );
    assert!(
        console.contains("Not run (neither passed nor failed)"),
        "{console}"
    );
    assert!(
        console.contains("the target has no HTTPS address"),
        "{console}"
    );
    assert!(
        console.contains("Not observed (neither passed nor failed)"),
        "{console}"
    );

    let md = markdown::render(&r);
    assert!(
        md.contains("3 passed, 3 failed, 1 not observed, 1 not run"),
        "{md}"
    );

    let xml = junit::render(&r);
    assert!(xml.contains("skipped=\"2\""), "{xml}");
    assert!(
        xml.contains("<skipped message=\"not run: the target has no HTTPS address"),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped message=\"not observed: ORG-S3-MATCH-VIEWER\""),
        "{xml}"
    );
    let mut streamed = Vec::new();
    junit::write_streaming(&r, &mut streamed).unwrap();
    assert_eq!(String::from_utf8(streamed).unwrap(), xml);

    let page = html::render(&r);
    assert!(page.contains("badge not-run"), "not run has its own badge");
    assert!(page.contains("badge not-observed"));
    assert!(page.contains("<td class=\"n\">1</td>"));

    // A rule only left unobserved is its own cell, never a pass.
    let mut only = with_unobserved();
    cases(&mut only).retain(|c| c.id == "https-get-not-run");
    assert_eq!(
        Column::new(&only).cell(RuleId::VppHttpsServed),
        Cell::Unobserved {
            not_observed: 0,
            not_run: 1
        }
    );
    // And it survives report.json.
    let back = json::parse(&json::render(&r)).unwrap();
    assert_eq!(back.totals(), r.totals());
    assert_eq!(back.by_rule(), r.by_rule());
}
