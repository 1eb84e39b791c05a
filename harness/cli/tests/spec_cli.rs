//! `edgeconform check`, `list` and `coverage` run as a user runs them: the built binary, on the
//! committed specs/ and on broken or disagreeing suites, with exit codes and messages asserted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgeconform"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A scratch directory for suites written by a test, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

fn scratch(name: &str) -> Scratch {
    let d = std::env::temp_dir().join(format!(
        "edgeconform-spec-cli-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    Scratch(d)
}

const INLINE: &str = "distribution:
  domain: d1.cloudfront.net
  origins: {o: {type: s3}}
  default_behavior: {viewer_protocol_policy: redirect-to-https, origin: o}
";

#[test]
fn check_passes_on_the_committed_specs_by_default() {
    let o = run(&["check"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("specs/viewer-protocol-policy.yaml"), "{out}");
    assert!(
        out.contains("every stated expectation agrees with the model"),
        "{out}"
    );
    assert!(
        !out.contains("distributions/"),
        "distribution files are not suites: {out}"
    );
}

#[test]
fn check_reports_a_broken_spec_with_file_line_column_and_exit_2() {
    let o = run(&[
        "check",
        "harness/core/tests/broken-specs/unknown-rule-ids.yaml",
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("harness/core/tests/broken-specs/unknown-rule-ids.yaml:6:13: unknown rule ID `VPP-REDIRECT-SAVE`; expected an ID from RULES.md such as VPP-REDIRECT-SAFE"),
        "{err}"
    );
    assert!(
        err.contains("unknown-rule-ids.yaml:6:32: unknown rule ID `LOC-HOSTNAME`"),
        "all problems at once: {err}"
    );
}

#[test]
fn check_prints_both_sides_of_a_disagreement_and_exits_1() {
    let d = scratch("disagree");
    let suite = d.join("wrong.yaml");
    std::fs::write(
        &suite,
        format!(
            "{INLINE}scenarios:
  - id: wrong-status
    name: An HTTP GET under redirect-to-https gets 302
    rules: [VPP-REDIRECT-SAFE]
    request: {{method: GET, scheme: http, path: /a}}
    expect:
      viewer: {{status: 302}}
"
        ),
    )
    .unwrap();
    let o = run(&["check", suite.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(out.contains("wrong.yaml:11:15: scenario `wrong-status`: viewer.status: the spec expects 302, the model predicts 301 (VPP-REDIRECT-SAFE)"), "{out}");
    assert!(out.contains("1 disagreement"), "{out}");
}

#[test]
fn check_refuses_a_missing_path_and_an_empty_directory() {
    let o = run(&["check", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o)
        .1
        .contains("no/such/dir: no such file or directory"));
    let empty = scratch("empty");
    let o = run(&["check", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("no suite (*.yaml) found"));
}

#[test]
fn ids_clashing_across_suites_are_a_spec_error() {
    let d = scratch("clash");
    let s = |id: &str| {
        format!(
            "{INLINE}scenarios:
  - id: {id}
    name: An HTTP GET under redirect-to-https gets 301
    rules: [VPP-REDIRECT-SAFE]
    request: {{method: GET, scheme: http, path: /a}}
"
        )
    };
    std::fs::write(d.join("a.yaml"), s("same")).unwrap();
    std::fs::write(d.join("b.yaml"), s("same")).unwrap();
    let o = run(&["check", d.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("b.yaml:6:9: scenario id `same` is also used at"),
        "{err}"
    );
}

#[test]
fn list_selects_by_tag_and_id() {
    let o = run(&["list", "--tag", "redirect-pair"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        out.lines().any(|l| l.starts_with(
            "redirect-pair-billing\tmust\tBIL-REDIRECT-PAIR,BIL-PER-RESPONSE\tspecs/billing.yaml:"
        )),
        "{out}"
    );
    assert!(err.contains("selected"), "{err}");
    let o = run(&["list", "--id", "matrix-post-http-images-a-1.0"]);
    let (out, _) = text(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("is refused with 403 at the edge"), "{out}");
    let o = run(&["list", "--id", "https-only-*", "--tag", "vpp"]);
    assert_eq!(text(&o).0.lines().count(), 8);
}

#[test]
fn selecting_nothing_is_an_error() {
    let o = run(&["list", "--tag", "no-such-tag"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("no case selected"), "{}", text(&o).1);
    let o = run(&["list", "--id", "no-such-case"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--id no-such-case matches no case"));
}

#[test]
fn coverage_lists_every_rule_and_fails_on_a_gap() {
    let o = run(&["coverage"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    for r in edgeconform_core::CATALOG {
        assert!(
            out.lines().any(|l| l.starts_with(r.id.as_str())),
            "{} missing:\n{out}",
            r.id
        );
    }
    assert!(out.contains("every request-checkable rule has at least one scenario"));

    let d = scratch("gap");
    std::fs::write(
        d.join("one.yaml"),
        format!(
            "{INLINE}scenarios:
  - id: only-one
    name: An HTTP GET under redirect-to-https gets 301
    rules: [VPP-REDIRECT-SAFE]
    request: {{method: GET, scheme: http, path: /a}}
"
        ),
    )
    .unwrap();
    let o = run(&["coverage", d.to_str().unwrap()]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("NOT COVERED"), "{out}");
    assert!(out.contains("without a scenario: VPP-ALLOW-ALL"), "{out}");
}

#[test]
fn help_explains_the_spec_subcommands() {
    let (out, _) = text(&run(&["--help"]));
    for sub in ["check", "list", "coverage"] {
        assert!(out.contains(sub), "{out}");
    }
    let (out, _) = text(&run(&["list", "--help"]));
    assert!(
        out.contains("--tag") && out.contains("--id") && out.contains("distributions"),
        "{out}"
    );
}
