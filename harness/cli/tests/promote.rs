//! `edgeconform promote`: fuzz inputs (built with the same encoders `make fuzz-seeds` uses) become
//! suites that load, read back as the fuzzed case and state the expected answer; inputs no spec
//! can express are refused with exit 2.

use edgeconform::cmd::promote::{promote, Failure, FuzzTarget};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::fuzzgen::{encode_case, encode_location, encode_pattern};
use edgeconform_core::spec::{load_suite, model_agreement};
use edgeconform_core::{Method, Request, Scheme};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A distribution with these behaviors (YAML flow mappings) before an allow-all default.
fn dist(behaviors: &[&str]) -> Distribution {
    let behaviors = behaviors.join(", ");
    Distribution::from_yaml(&format!(
        "domain: d1.cloudfront.net
aliases: [www.example.com]
origins:
  assets: {{type: s3}}
  api: {{type: custom, protocol_policy: https-only, http_port: 8080, https_port: 8443, origin_path: /v1}}
  unused: {{type: s3-website}}
behaviors: [{behaviors}]
default_behavior: {{viewer_protocol_policy: allow-all, origin: assets}}
"
    ))
    .unwrap()
}

/// The suite promote writes, loaded.
fn load(yaml: &str) -> edgeconform_core::spec::Suite {
    load_suite(yaml, "found/x.yaml", &|_| Err("no files".into()))
        .unwrap_or_else(|p| panic!("{}\n{yaml}", p.render("found/x.yaml")))
}

#[test]
fn a_decide_input_becomes_a_small_suite_with_the_models_expectation() {
    let mut behaviors: Vec<String> = (0..10)
        .map(|i| {
            format!(
                "{{path_pattern: /other{i}/*, viewer_protocol_policy: https-only, origin: assets}}"
            )
        })
        .collect();
    behaviors.push(
        "{path_pattern: /images/*, viewer_protocol_policy: redirect-to-https, origin: assets}"
            .into(),
    );
    let d = dist(&behaviors.iter().map(String::as_str).collect::<Vec<_>>());
    let r = Request::new(
        Method::Get,
        Scheme::Http,
        "www.example.com:8080",
        "/images/a.jpg?x=1",
    );
    let data = encode_case(&d, &r).unwrap();
    let p = promote(FuzzTarget::Decide, &data, "fuzz/artifacts/decide/crash-1").unwrap();
    assert!(
        p.stem.starts_with("decide-") && p.stem.len() == "decide-".len() + 12,
        "{}",
        p.stem
    );
    assert!(
        p.findings.is_empty() && p.disagreements.is_empty(),
        "{:?} {:?}",
        p.findings,
        p.disagreements
    );
    assert!(p.name.contains("is redirected with 301"), "{}", p.name);
    assert!(
        p.yaml
            .contains("viewer: {status: 301, location: same-url-over-https}"),
        "{}",
        p.yaml
    );
    assert!(p.yaml.contains("origin: {contacted: false}"), "{}", p.yaml);
    let suite = load(&p.yaml);
    // Behaviors, the alias-free parts and origins the verdict does not need are gone.
    assert_eq!(suite.distribution.behaviors.len(), 2, "{}", p.yaml);
    assert_eq!(suite.distribution.origins.len(), 1, "{}", p.yaml);
    assert_eq!(suite.len(), 1);
    assert_eq!(suite.scenarios[0].id, format!("found-{}", p.stem));
    assert_eq!(suite.scenarios[0].request, r);
    assert!(suite.scenarios[0].tags.contains(&"found".to_string()));
    // The same bytes always give the same file.
    let again = promote(FuzzTarget::Decide, &data, "fuzz/artifacts/decide/crash-1").unwrap();
    assert_eq!(again.yaml, p.yaml);
}

#[test]
fn a_forwarded_request_states_the_origin() {
    let d = dist(&["{path_pattern: /api/*, viewer_protocol_policy: allow-all, origin: api}"]);
    let mut r = Request::new(Method::Post, Scheme::Http, "d1.cloudfront.net", "/api/x");
    r.headers.push(("X-Forwarded-Proto".into(), "https".into()));
    r.body_len = 12;
    r.content_length = true;
    let d = Distribution {
        behaviors: {
            let mut b = d.behaviors.clone();
            b[0].allowed_methods = edgeconform_core::distribution::MethodSet::ALL;
            b
        },
        ..d
    };
    let p = promote(FuzzTarget::Decide, &encode_case(&d, &r).unwrap(), "a").unwrap();
    assert!(
        p.yaml
            .contains(r#"origin: {id: "api", protocol: https, port: 8443, path: "/v1/api/x"}"#),
        "{}",
        p.yaml
    );
    assert!(p.yaml.contains("ORG-XFP-STRIPPED"), "{}", p.yaml);
    let suite = load(&p.yaml);
    assert_eq!(suite.scenarios[0].request, r);
    assert!(model_agreement(&suite).is_empty());
}

#[test]
fn a_location_input_states_same_url_over_https() {
    let d = dist(&[
        "{path_pattern: /images/*, viewer_protocol_policy: redirect-to-https, origin: assets}",
    ]);
    let r = Request::new(
        Method::Head,
        Scheme::Http,
        "WWW.example.com",
        "/images/%2e/a?b",
    );
    let p = promote(FuzzTarget::Location, &encode_location(&d, &r).unwrap(), "a").unwrap();
    assert!(
        p.yaml.contains("location: same-url-over-https"),
        "{}",
        p.yaml
    );
    assert!(p.yaml.contains("LOC-HOST"), "{}", p.yaml);
    load(&p.yaml);
}

#[test]
fn a_pattern_input_states_what_the_reference_matcher_says() {
    let p = promote(
        FuzzTarget::Pattern,
        &encode_pattern("img/*.jpg", b"/img/a/b.jpg").unwrap(),
        "a",
    )
    .unwrap();
    assert!(
        p.yaml
            .contains(r#"path_pattern: "img/*.jpg", viewer_protocol_policy: https-only"#),
        "{}",
        p.yaml
    );
    assert!(p.yaml.contains("viewer: {status: 403}"), "{}", p.yaml);
    assert!(p.yaml.contains("rules: [PAT-WILDCARD]"), "{}", p.yaml);
    load(&p.yaml);

    // No match: the allow-all default forwards it. A path without `/` gets one (PAT-SLASH).
    let p = promote(
        FuzzTarget::Pattern,
        &encode_pattern("/img/*", b"img").unwrap(),
        "a",
    )
    .unwrap();
    assert!(
        p.yaml
            .contains(r#"origin: {id: "o0", protocol: http, port: 80, path: "/img"}"#),
        "{}",
        p.yaml
    );
    assert!(model_agreement(&load(&p.yaml)).is_empty());
}

#[test]
fn inputs_no_spec_can_express_are_refused() {
    let d = dist(&[]);
    let r = Request::new(
        Method::Get,
        Scheme::Http,
        "d1.cloudfront.net",
        "/a\r\nSet-Cookie: x",
    );
    let err = promote(FuzzTarget::Decide, &encode_case(&d, &r).unwrap(), "a").unwrap_err();
    assert!(
        matches!(&err, Failure::Usage(m) if m.contains("request-target")),
        "{err:?}"
    );

    let r = Request::new(Method::Get, Scheme::Http, "d1.cloudfront.net\u{7f}", "/a");
    let err = promote(FuzzTarget::Location, &encode_location(&d, &r).unwrap(), "a").unwrap_err();
    assert!(
        matches!(&err, Failure::Usage(m) if m.contains("Host")),
        "{err:?}"
    );

    for (pattern, path) in [
        ("/a*", &b"/a\x00"[..]),
        ("/a*", b"/a/../b"),
        ("/a b", b"/a"),
    ] {
        let err = promote(
            FuzzTarget::Pattern,
            &encode_pattern(pattern, path).unwrap(),
            "a",
        )
        .unwrap_err();
        assert!(
            matches!(err, Failure::Usage(_)),
            "{pattern:?} {path:?}: {err:?}"
        );
    }
}

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir =
        std::env::temp_dir().join(format!("edgeconform-promote-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn edgeconform(args: &[&str], dir: &Path) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_edgeconform"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn the_binary_writes_under_specs_found_and_infers_the_target() {
    let s = scratch("binary");
    let artifacts = s.0.join("fuzz/artifacts/pattern");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(
        artifacts.join("crash-1"),
        encode_pattern("/a?", b"/ab").unwrap(),
    )
    .unwrap();
    let (code, out, err) = edgeconform(&["promote", "fuzz/artifacts/pattern/crash-1"], &s.0);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("wrote specs/found/pattern-"), "{out}");
    let written: Vec<_> = std::fs::read_dir(s.0.join("specs/found"))
        .unwrap()
        .collect();
    assert_eq!(written.len(), 1);
    // The written suite is one `edgeconform check` accepts.
    let (code, out, err) = edgeconform(&["check", "specs/found"], &s.0);
    assert_eq!(code, 0, "{out}{err}");

    std::fs::write(s.0.join("crash-2"), b"x").unwrap();
    let (code, _, err) = edgeconform(&["promote", "crash-2"], &s.0);
    assert_eq!(code, 2);
    assert!(err.contains("--target"), "{err}");
    let (code, _, err) = edgeconform(&["promote", "missing", "--target", "decide"], &s.0);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read missing"), "{err}");
}
