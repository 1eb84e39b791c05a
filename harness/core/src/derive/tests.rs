use super::*;
use crate::rules::CATALOG;
use crate::spec::{coverage, load_suite, model_agreement, Suite};

const STANDARD: &str = include_str!("../../../../specs/distributions/standard.yaml");

/// Only a default behavior (redirect-to-https) on an S3 website origin, with a wildcard alias.
const WEBSITE_ONLY: &str = "
domain: d2.cloudfront.net
aliases: ['*.shop.example.com']
origins: {site: {type: s3-website}}
default_behavior: {viewer_protocol_policy: redirect-to-https, origin: site}
";

/// The `current` ruleset, custom origins, `?` patterns, a pattern without its leading `/`, a
/// shadowed behavior and CloudFront-Forwarded-Proto.
const CURRENT_CUSTOM: &str = "
domain: d3.cloudfront.net
aliases: [api.example.org, www.example.org]
ruleset: current
origins:
  app: {type: custom, protocol_policy: https-only, https_port: 8443, origin_path: /prod}
  old: {type: custom, protocol_policy: http-only, http_port: 8080}
behaviors:
  - {path_pattern: 'v?/orders/*', viewer_protocol_policy: redirect-to-https, origin: app, allowed_methods: [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE], forward_cloudfront_proto: true}
  - {path_pattern: /v1/orders/*.json, viewer_protocol_policy: https-only, origin: app}
  - {path_pattern: /static/*.css, viewer_protocol_policy: allow-all, origin: old, allowed_methods: [GET, HEAD, OPTIONS]}
  - {path_pattern: /report-2024_Q?.pdf, viewer_protocol_policy: https-only, origin: old}
default_behavior: {viewer_protocol_policy: redirect-to-https, origin: app}
";

/// allow-all everywhere, one S3 origin, no alias, a pattern without letters.
const ALLOW_ALL: &str = "
domain: d4.cloudfront.net
origins: {bucket: {type: s3}}
behaviors:
  - {path_pattern: /2024/*, viewer_protocol_policy: allow-all, origin: bucket}
default_behavior: {viewer_protocol_policy: allow-all, origin: bucket, allowed_methods: [GET, HEAD, OPTIONS]}
";

fn load(dist_text: &str) -> (Distribution, Suite, String) {
    let dist = Distribution::from_yaml(dist_text).expect("the distribution is valid");
    let text = derive_suite(&dist, "dist.yaml", Options::default());
    let text2 = dist_text.to_string();
    let suite = match load_suite(&text, "derived.yaml", &move |_| Ok(text2.clone())) {
        Ok(s) => s,
        Err(p) => panic!(
            "the derived suite does not load:\n{}\n\n{text}",
            p.render("derived.yaml")
        ),
    };
    (dist, suite, text)
}

/// Loads, agrees with the model, and covers every applicable rule with a scenario (not only
/// the matrix); a rule is either covered or unreachable, never both.
fn check(dist_text: &str) -> (Distribution, Suite) {
    let (dist, suite, text) = load(dist_text);
    let dis = model_agreement(&suite);
    assert!(dis.is_empty(), "{dis:?}");
    let cov = coverage(suite.scenarios.iter());
    let unreachable: Vec<RuleId> = reach::unreachable(&dist).iter().map(|u| u.rule).collect();
    for r in CATALOG.iter().filter(|r| r.request_checkable) {
        let row = &cov.rows[r.id as usize];
        let covered = !row.scenarios.is_empty();
        assert!(
            covered != unreachable.contains(&r.id),
            "{}: covered by {:?}, unreachable: {}\n{text}",
            r.id.as_str(),
            row.scenarios,
            unreachable.contains(&r.id)
        );
    }
    (dist, suite)
}

use crate::rules::RuleId;

#[test]
fn standard_suite_loads_agrees_and_covers_every_rule() {
    let (dist, suite) = check(STANDARD);
    let unreachable: Vec<&str> = reach::unreachable(&dist)
        .iter()
        .map(|u| u.rule.as_str())
        .collect();
    assert!(unreachable.is_empty(), "{unreachable:?}");
    // Every reachable behavior has scenarios and a matrix path; the shadowed one has neither.
    assert_eq!(
        suite.matrix.as_ref().map(|m| m.len()),
        Some(7 * 10 * (2 + 3))
    );
    assert!(suite
        .scenarios
        .iter()
        .any(|c| c.id == "images-star-png-shadowed-by-images-star"));
    assert!(!suite
        .scenarios
        .iter()
        .any(|c| c.id == "images-star-png-http-get"));
    for id in [
        "images-star-http-get",
        "images-star-redirect-pair",
        "docs-q-html-case-flipped",
        "docs-q-html-q-not-two-chars",
        "media-star-leading-slash-optional",
        "images-star-location-keeps-query",
        "images-star-location-alias-www-example-com",
        "legacy-star-cf-proto-https",
        "origin-site-https-viewer",
        "default-https-post-not-allowed",
        "host-missing-http10",
        "limit-head-over",
        "log-redirect-pair",
    ] {
        assert!(suite.scenarios.iter().any(|c| c.id == id), "missing {id}");
    }
}

#[test]
fn small_distributions_load_agree_and_cover_what_they_can() {
    let (dist, _) = check(WEBSITE_ONLY);
    let un: Vec<RuleId> = reach::unreachable(&dist).iter().map(|u| u.rule).collect();
    for r in [
        RuleId::VppAllowAll,
        RuleId::VppHttpsOnly,
        RuleId::OrgS3MatchViewer,
        RuleId::OrgCustomPolicy,
        RuleId::PatSlash,
        RuleId::PatWildcard,
        RuleId::OrgCfProto,
    ] {
        assert!(un.contains(&r), "{r:?} should be unreachable: {un:?}");
    }
    let (dist, suite) = check(CURRENT_CUSTOM);
    let un: Vec<RuleId> = reach::unreachable(&dist).iter().map(|u| u.rule).collect();
    assert!(
        un.contains(&RuleId::OrgWebsiteHttp) && un.contains(&RuleId::OrgS3MatchViewer),
        "{un:?}"
    );
    assert!(
        !un.contains(&RuleId::PatSlash) && !un.contains(&RuleId::OrgCfProto),
        "{un:?}"
    );
    // The `current` ruleset's open cell is `info`, never `must`.
    assert!(suite
        .scenarios
        .iter()
        .any(|c| c.level == crate::Level::Info));
    let (dist, _) = check(ALLOW_ALL);
    let un: Vec<RuleId> = reach::unreachable(&dist).iter().map(|u| u.rule).collect();
    assert!(
        un.contains(&RuleId::PatCase) && un.contains(&RuleId::VppRedirectSafe),
        "{un:?}"
    );
}

#[test]
fn ids_survive_an_unrelated_behavior_and_are_deterministic() {
    let ids = |text: &str| -> Vec<String> {
        let (_, s, _) = load(text);
        (0..s.len()).map(|i| s.id(i).into_owned()).collect()
    };
    let before = ids(STANDARD);
    assert_eq!(before, ids(STANDARD));
    let added = STANDARD.replace(
        "behaviors:\n",
        "behaviors:\n  - path_pattern: /unrelated/*\n    viewer_protocol_policy: https-only\n    origin: legacy\n",
    );
    let after = ids(&added);
    let lost: Vec<&String> = before.iter().filter(|i| !after.contains(i)).collect();
    assert!(lost.is_empty(), "renamed or lost: {lost:?}");
    assert!(after.iter().any(|i| i == "unrelated-star-http-get"));
}

#[test]
fn clashing_slugs_get_a_hash_of_the_pattern() {
    let text = "
domain: d5.cloudfront.net
origins: {o: {type: s3}}
behaviors:
  - {path_pattern: /a-b/*, viewer_protocol_policy: https-only, origin: o}
  - {path_pattern: /a_b/*, viewer_protocol_policy: redirect-to-https, origin: o}
default_behavior: {viewer_protocol_policy: allow-all, origin: o}
";
    let dist = Distribution::from_yaml(text).unwrap();
    let slugs = sample::behavior_slugs(&dist);
    assert_ne!(slugs[0], slugs[1]);
    assert!(
        slugs[0].starts_with("a-b-star-h") && slugs[1].starts_with("a-b-star-h"),
        "{slugs:?}"
    );
    check(text);
}

#[test]
fn every_pattern_character_survives_the_round_trip() {
    // Patterns with each character PAT-SYNTAX allows, wildcards first and last, a bare `*`
    // behavior and a pattern that only a multi-byte fill can reach.
    let text = r#"
domain: d6.cloudfront.net
aliases: ['*.a.example', b.example]
origins:
  o: {type: s3}
  w: {type: s3-website, http_port: 8081}
behaviors:
  - {path_pattern: '/q"uote/*', viewer_protocol_policy: redirect-to-https, origin: o}
  - {path_pattern: "/it's/?", viewer_protocol_policy: https-only, origin: w}
  - {path_pattern: '/$p@q:+&~_-.x/*', viewer_protocol_policy: redirect-to-https, origin: o, allowed_methods: [GET, HEAD, OPTIONS]}
  - {path_pattern: '*.jpg', viewer_protocol_policy: https-only, origin: o}
  - {path_pattern: 'x/*/y/?', viewer_protocol_policy: allow-all, origin: w}
  - {path_pattern: '/Z*', viewer_protocol_policy: redirect-to-https, origin: o, forward_cloudfront_proto: true}
  - {path_pattern: '*', viewer_protocol_policy: https-only, origin: o}
default_behavior: {viewer_protocol_policy: allow-all, origin: o}
"#;
    let (dist, suite) = check(text);
    // `*` as a cache behavior shadows the default one: the default has no sample.
    assert!(sample::samples(&dist, dist.behaviors.len() - 1).is_empty());
    assert!(suite.scenarios.len() > 100);
}

#[test]
fn a_catch_all_behavior_leaves_pattern_rules_unreachable_with_a_reason() {
    let text = "
domain: d8.cloudfront.net
origins: {o: {type: s3}}
behaviors:
  - {path_pattern: '*', viewer_protocol_policy: redirect-to-https, origin: o}
default_behavior: {viewer_protocol_policy: allow-all, origin: o}
";
    let (dist, _) = check(text);
    let un = reach::unreachable(&dist);
    let order = un
        .iter()
        .find(|u| u.rule == RuleId::PatOrder)
        .expect("PAT-ORDER unreachable");
    assert!(
        order.reason.contains("tells the right reading"),
        "{}",
        order.reason
    );
    assert_eq!(shadowed(&dist).len(), 1, "the default behavior is shadowed");
}
