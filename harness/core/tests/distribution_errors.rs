//! One test per config error: each problem comes back with its line:column, a sentence a user
//! understands, and the rule it rests on.

use edgeconform_core::distribution::Distribution;
use edgeconform_core::RuleId;

const BASE: &str = "domain: d1.cloudfront.net
origins:
  o: {type: s3}
default_behavior:
  viewer_protocol_policy: allow-all
  origin: o
";

/// Problems of a distribution as `line:col: message (RULE)` lines.
fn errors(yaml: &str) -> Vec<String> {
    match Distribution::from_yaml(yaml) {
        Ok(_) => vec![],
        Err(p) => {
            p.0.iter()
                .map(|p| p.to_string().replace("<input>:", ""))
                .collect()
        }
    }
}

fn with_behavior(b: &str) -> String {
    format!("{BASE}behaviors:\n{b}")
}

#[test]
fn base_is_valid() {
    assert_eq!(errors(BASE), Vec::<String>::new());
}

#[test]
fn illegal_allowed_methods_set() {
    let e = errors(&with_behavior("  - {path_pattern: /a, viewer_protocol_policy: allow-all, origin: o, allowed_methods: [GET, POST]}\n"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("8:"), "{e:?}");
    assert!(
        e[0].contains("allowed_methods must be [GET, HEAD], [GET, HEAD, OPTIONS] or all seven"),
        "{e:?}"
    );
    assert!(
        e[0].ends_with(&format!("({})", RuleId::MthAllowedSets)),
        "{e:?}"
    );
}

#[test]
fn cached_methods_not_subset_of_allowed() {
    let e = errors(&with_behavior(
        "  - {path_pattern: /a, viewer_protocol_policy: allow-all, origin: o, cached_methods: [GET, HEAD, OPTIONS]}\n",
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("subset of allowed_methods"), "{e:?}");
}

#[test]
fn illegal_cached_methods_set() {
    let e = errors(&with_behavior(
        "  - {path_pattern: /a, viewer_protocol_policy: allow-all, origin: o, allowed_methods: [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE], cached_methods: [GET, HEAD, POST]}\n",
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("cached_methods must be [GET, HEAD] or [GET, HEAD, OPTIONS]"),
        "{e:?}"
    );
}

#[test]
fn unsupported_method_in_a_set() {
    let e = errors(&with_behavior("  - {path_pattern: /a, viewer_protocol_policy: allow-all, origin: o, allowed_methods: [GET, HEAD, TRACE]}\n"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("TRACE is not a method CloudFront supports"),
        "{e:?}"
    );
}

#[test]
fn pattern_syntax() {
    let e = errors(&with_behavior(
        "  - path_pattern: /a b\n    viewer_protocol_policy: allow-all\n    origin: o\n",
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("8:19:"), "{e:?}");
    assert!(e[0].contains("PAT-SYNTAX"), "{e:?}");
    let long = format!("/{}", "a".repeat(255));
    let e = errors(&with_behavior(&format!(
        "  - {{path_pattern: {long}, viewer_protocol_policy: allow-all, origin: o}}\n"
    )));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("at most 255"), "{e:?}");
}

#[test]
fn too_many_behaviors() {
    let mut b = String::new();
    for i in 0..76 {
        b.push_str(&format!(
            "  - {{path_pattern: /p{i}, viewer_protocol_policy: allow-all, origin: o}}\n"
        ));
    }
    let e = errors(&with_behavior(&b));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("76 cache behaviors exceed the quota of 75"),
        "{e:?}"
    );
    // The quota is a setting.
    let raised = with_behavior(&b).replace("origins:", "limits: {max_behaviors: 100}\norigins:");
    assert_eq!(errors(&raised), Vec::<String>::new());
}

#[test]
fn website_origin_over_https() {
    let y = BASE.replace(
        "o: {type: s3}",
        "o: {type: s3-website, protocol_policy: https-only}",
    );
    let e = errors(&y);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("3:"), "{e:?}");
    assert!(
        e[0].contains("does not support HTTPS") && e[0].contains("ORG-WEBSITE-HTTP"),
        "{e:?}"
    );
    let y = BASE.replace("o: {type: s3}", "o: {type: s3-website, https_port: 443}");
    assert!(errors(&y)[0].contains("ORG-WEBSITE-HTTP"));
}

#[test]
fn s3_origin_takes_no_protocol_policy() {
    let y = BASE.replace("o: {type: s3}", "o: {type: s3, protocol_policy: http-only}");
    let e = errors(&y);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("ORG-S3-MATCH-VIEWER"), "{e:?}");
}

#[test]
fn custom_origin_needs_a_policy_and_legal_ports() {
    let y = BASE.replace("o: {type: s3}", "o: {type: custom, http_port: 81}");
    let e = errors(&y);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e.iter().any(|e| e.contains("needs protocol_policy")),
        "{e:?}"
    );
    assert!(
        e.iter().any(|e| e.contains("http_port 81 is not allowed")),
        "{e:?}"
    );
}

#[test]
fn unknown_origin_id() {
    let y = BASE.replace("  origin: o", "  origin: nope");
    let e = errors(&y);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("6:11:"), "{e:?}");
    assert!(
        e[0].contains("unknown origin `nope`; expected one of: o"),
        "{e:?}"
    );
}

#[test]
fn duplicate_origin_id() {
    let y = BASE.replace(
        "  o: {type: s3}",
        "  o: {type: s3}\n  o: {type: s3-website}",
    );
    let e = errors(&y);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("4:"), "{e:?}");
    assert!(e[0].to_lowercase().contains("duplicate"), "{e:?}");
}

#[test]
fn duplicate_alias() {
    let y = BASE.replace(
        "origins:",
        "aliases: [a.example.com, A.example.com]\norigins:",
    );
    let e = errors(&y);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("listed twice"), "{e:?}");
}

#[test]
fn bad_alias_and_domain() {
    let y = BASE
        .replace("d1.cloudfront.net", "d1 cloudfront")
        .replace("origins:", "aliases: [\"ex ample.com\"]\norigins:");
    let e = errors(&y);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("1:9:") && e[0].contains("not a valid domain name"),
        "{e:?}"
    );
    assert!(e[1].contains("not a valid alternate domain name"), "{e:?}");
}

/// Found by fuzzing: a bracketed name followed by a multi-byte character made host validation
/// slice inside that character; in a domain or an alias it is an error, never a panic.
#[test]
fn bracketed_domain_and_alias_with_multibyte_tail() {
    let y = BASE
        .replace("d1.cloudfront.net", "\"[]é\"")
        .replace("origins:", "aliases: [\"[::1]é\"]\norigins:");
    let e = errors(&y);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].contains("not a valid domain name"), "{e:?}");
    assert!(e[1].contains("not a valid alternate domain name"), "{e:?}");
}

#[test]
fn unknown_key_and_bad_enum_have_positions() {
    let y = BASE.replace("  origin: o", "  origin: o\n  viewer_policy: x");
    let e = errors(&y);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("7:3:"), "{e:?}");
    assert!(e[0].contains("viewer_policy"), "{e:?}");
    let y = BASE.replace("allow-all", "redirect-to-http");
    let e = errors(&y);
    assert!(e[0].starts_with("5:27:"), "{e:?}");
    assert!(e[0].contains("redirect-to-http"), "{e:?}");
}

#[test]
fn default_behavior_takes_no_pattern_and_behaviors_need_one() {
    let y = BASE.replace("  origin: o", "  origin: o\n  path_pattern: /x");
    assert!(errors(&y)[0].contains("default_behavior takes no path_pattern"));
    let e = errors(&with_behavior(
        "  - {viewer_protocol_policy: allow-all, origin: o}\n",
    ));
    assert!(e[0].contains("has no path_pattern"), "{e:?}");
}

#[test]
fn all_problems_at_once_in_source_order() {
    let y = "domain: d1.cloudfront.net
origins:
  o: {type: s3-website, protocol_policy: https-only}
behaviors:
  - {path_pattern: /a%b, viewer_protocol_policy: allow-all, origin: x}
default_behavior:
  viewer_protocol_policy: allow-all
  allowed_methods: [GET]
  origin: o
";
    let e = errors(y);
    assert_eq!(e.len(), 4, "{e:?}");
    let lines: Vec<u32> = e
        .iter()
        .map(|e| e.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 5, 5, 8]);
}
