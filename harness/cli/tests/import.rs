//! `edgeconform import` as a user runs it: the built binary on corpus files, with exit codes,
//! stderr and the written file asserted; the file is then used by `edgeconform decide`.

use edgeconform_core::distribution::Distribution;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus(name: &str) -> String {
    format!("harness/core/tests/import_corpus/{name}")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgeconform"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let d = std::env::temp_dir().join(format!("edgeconform-import-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    Scratch(d)
}

#[test]
fn imports_to_a_file_with_warnings_on_stderr_and_exit_0() {
    let dir = scratch("ok");
    let out = dir.0.join("cdn.yaml");
    let file = corpus("tf--media-cloudfront.tf");
    let o = run(&[
        "import",
        &file,
        "--domain",
        "d2abc.cloudfront.net",
        "-o",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(o.stdout.is_empty(), "nothing on stdout with -o");
    assert!(
        err.contains(&format!(
            "{file}:59:5: warning: behavior `*`: a Lambda@Edge association on viewer-request"
        )),
        "{err}"
    );
    assert!(err.contains("wrote "), "{err}");
    let yaml = std::fs::read_to_string(&out).expect("the output file");
    assert!(
        yaml.starts_with("# yaml-language-server: $schema="),
        "{yaml}"
    );
    assert!(
        yaml.contains(&format!("# Imported by `edgeconform import` from {file}")),
        "{yaml}"
    );
    assert!(
        yaml.contains(
            "#   harness/core/tests/import_corpus/tf--media-cloudfront.tf:59:5: behavior `*`"
        ),
        "{yaml}"
    );
    let d = Distribution::from_yaml(&yaml).expect("the written YAML loads back");
    assert_eq!(d.domain, "d2abc.cloudfront.net");

    // The written distribution drives the model.
    let o = run(&[
        "decide",
        "--distribution",
        out.to_str().unwrap(),
        "--url",
        "http://d2abc.cloudfront.net/a.png",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["status"], 301, "{v}");
}

#[test]
fn findings_carry_scanner_ids_and_stdout_gets_the_yaml_without_o() {
    let file = corpus("tf--shift-left-allow-all-ordered.tf");
    let o = run(&["import", &file, "--format", "terraform"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!("{file}:36:30: warning: [CKV_AWS_34, AVD-AWS-0012, CloudFront.3] behavior `ordered-allow-all/*`")),
        "{err}"
    );
    assert!(
        err.contains("(a live run settles it: VPP-ALLOW-ALL)"),
        "{err}"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("path_pattern: \"ordered-allow-all/*\""),
        "{out}"
    );
    // From the repository root the modeline points at the committed schema.
    assert!(
        out.starts_with("# yaml-language-server: $schema=specs/distribution.schema.json"),
        "{out}"
    );
}

#[test]
fn bad_input_exits_2_with_a_positioned_error() {
    let dir = scratch("bad");
    let out = dir.0.join("never.yaml");
    let bad = dir.0.join("bad.yaml");
    std::fs::write(
        &bad,
        "Resources:\n  CDN:\n    Type: AWS::CloudFront::Distribution\n    Properties:\n      DistributionConfig:\n        Origins: [{Id: s3, DomainName: b.s3.amazonaws.com, S3OriginConfig: {}}]\n        DefaultCacheBehavior:\n          TargetOriginId: s3\n          ViewerProtocolPolicy: https-only\n          AllowedMethods: [GET, POST]\n",
    )
    .unwrap();
    let b = bad.to_str().unwrap();
    let o = run(&["import", b, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        format!("{b}:10:27: error: behavior `*`: AllowedMethods [GET, POST] is not a set CloudFront accepts; expected [GET, HEAD], [GET, HEAD, OPTIONS] or all seven [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE] (MTH-ALLOWED-SETS)")
    );
    assert!(!out.exists(), "nothing written on an error");

    let several = corpus("cfn--checkov-origin-not-https-only.yaml");
    let o = run(&["import", &several]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("7 distributions in this file; pick one with --resource NAME"),
        "{}",
        stderr(&o)
    );

    std::fs::write(&bad, b"{\n  \"a\": \"\xff\"}").unwrap();
    let o = run(&["import", b]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        format!("{b}:2:9: error: not UTF-8 text (byte offset 10); expected JSON, YAML or HCL")
    );

    std::fs::write(&bad, "\u{0}\u{1}not: [json").unwrap();
    let o = run(&["import", b]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with(&format!("{b}:1:")), "{}", stderr(&o));

    let o = run(&["import", "no/such/file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read no/such/file.json"),
        "{}",
        stderr(&o)
    );

    let o = run(&["import", &several, "--format", "pulumi"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("expected aws, cloudformation, terraform or terraform-json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_names_the_formats_and_the_scanner_ids() {
    let o = run(&["import", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "terraform-json",
        "CKV_AWS_34",
        "AVD-AWS-0012",
        "CloudFront.3",
        "CloudFront.9",
        "--resource",
        "--domain",
        "Exit: 0",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}
