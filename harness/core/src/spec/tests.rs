//! Unit tests of the spec module, each built from a small suite snippet.

use super::*;
use crate::billing::LineItem;

const DIST: &str = "distribution:
  domain: d1.cloudfront.net
  aliases: [www.example.com]
  origins:
    s3: {type: s3}
    web: {type: custom, protocol_policy: http-only, http_port: 8080, origin_path: /v2}
  behaviors:
    - {path_pattern: /r/*, viewer_protocol_policy: redirect-to-https, origin: s3}
    - {path_pattern: /w/*, viewer_protocol_policy: allow-all, origin: web, forward_cloudfront_proto: true}
  default_behavior: {viewer_protocol_policy: https-only, origin: s3}
";

fn load(scenarios: &str) -> Suite {
    let text = format!("{DIST}scenarios:\n{scenarios}");
    load_suite(&text, "t.yaml", &|_| Err("no files".into()))
        .unwrap_or_else(|p| panic!("{}", p.render("t.yaml")))
}

fn scenario(id: &str, rules: &str, request: &str, rest: &str) -> String {
    format!("  - id: {id}\n    name: A requirement\n    rules: [{rules}]\n    request: {request}\n{rest}")
}

#[test]
fn left_out_expectations_come_from_the_model() {
    let s = load(&scenario(
        "a",
        "VPP-REDIRECT-SAFE",
        "{method: GET, scheme: http, path: /r/x?q}",
        "",
    ));
    let c = &s.scenarios[0];
    assert!(!c.explicit);
    assert_eq!(
        c.request.host.as_deref(),
        Some("d1.cloudfront.net"),
        "Host defaults to the domain"
    );
    assert_eq!(c.expect.viewer.status, Some(vec![301]));
    assert_eq!(
        c.expect.viewer.location,
        Some(LocationExpect::Exact(
            "https://d1.cloudfront.net/r/x?q".into()
        ))
    );
    assert_eq!(c.expect.origin, OriginExpect::NotContacted);
    assert_eq!(
        c.expect.billing.requests,
        Some([(LineItem::Http, 1)].into_iter().collect())
    );
    assert_eq!(c.expect.billing.object_bytes, vec![Some(0)]);
}

#[test]
fn stated_observers_replace_the_model_and_the_rest_is_filled() {
    let s = load(&scenario(
        "a",
        "ORG-CUSTOM-POLICY",
        "{method: GET, scheme: https, path: /w/x}",
        "    expect:\n      origin: {protocol: http}\n",
    ));
    let c = &s.scenarios[0];
    assert!(c.explicit);
    assert_eq!(c.stated.len(), 1);
    assert_eq!((c.stated[0].observer, c.stated[0].pos.line), ("origin", 17));
    let OriginExpect::Contacted(seen) = &c.expect.origin else {
        panic!("{:?}", c.expect.origin)
    };
    assert_eq!(
        (seen.protocol, seen.port, seen.path.as_deref()),
        (Some(crate::Scheme::Http), None, None)
    );
    assert_eq!(
        c.expect.viewer.status,
        Some(vec![200]),
        "viewer filled from the model"
    );
}

#[test]
fn a_model_filled_forward_names_origin_port_path_and_forwarded_proto() {
    let s = load(&scenario(
        "a",
        "ORG-PATH",
        "{method: GET, scheme: https, path: /w/x?y}",
        "    object_size: 10\n",
    ));
    let OriginExpect::Contacted(seen) = &s.scenarios[0].expect.origin else {
        panic!()
    };
    assert_eq!(seen.id.as_deref(), Some("web"));
    assert_eq!(seen.port, Some(8080));
    assert_eq!(seen.path.as_deref(), Some("/v2/w/x?y"));
    assert_eq!(
        seen.headers_seen,
        vec![(
            "CloudFront-Forwarded-Proto".to_string(),
            "https".to_string()
        )]
    );
    assert_eq!(s.scenarios[0].expect.billing.object_bytes, vec![Some(10)]);
}

#[test]
fn object_bytes_of_a_forward_are_unchecked_without_a_size() {
    let s = load(&scenario(
        "a",
        "VPP-ALLOW-ALL",
        "{method: GET, scheme: http, path: /w/x}",
        "",
    ));
    assert_eq!(s.scenarios[0].expect.billing.object_bytes, vec![None]);
}

#[test]
fn a_redirect_pair_has_two_legs() {
    let s = load(&scenario(
        "a",
        "BIL-REDIRECT-PAIR",
        "{method: GET, scheme: http, path: /r/x, host: \"www.example.com:80\"}",
        "    follow: true\n    object_size: 50\n",
    ));
    let c = &s.scenarios[0];
    let f = c.follow_request().unwrap();
    assert_eq!(
        (f.scheme, f.host.as_deref()),
        (crate::Scheme::Https, Some("www.example.com"))
    );
    assert_eq!(c.leg_requests().len(), 2);
    assert_eq!(c.expect.billing.object_bytes, vec![Some(0), Some(50)]);
    let legs = c.model_legs(&s.distribution);
    assert_eq!(legs.len(), 2);
    assert!(c.check(&legs).is_empty());
}

#[test]
fn the_expectation_serialises_to_json() {
    let s = load(&scenario(
        "a",
        "BIL-REDIRECT-PAIR",
        "{method: GET, scheme: http, path: /r/x}",
        "    follow: true\n",
    ));
    let v = serde_json::to_value(&s.scenarios[0].expect).unwrap();
    assert_eq!(v["billing"]["requests"]["http"], 1);
    assert_eq!(v["billing"]["requests"]["https"], 1);
    assert_eq!(v["viewer"]["status"][0], 301);
    assert_eq!(v["origin"]["kind"], "not-contacted");
}

#[test]
fn matrix_ids_are_deterministic() {
    let text = format!("{DIST}matrix:\n  id: m\n  methods: [POST]\n  schemes: [http]\n  versions: [\"1.0\", \"2\"]\n");
    let s = load_suite(&text, "t.yaml", &|_| Err(String::new())).unwrap();
    let ids: Vec<String> = s.cases().map(|c| c.id.clone()).collect();
    // HTTP/2 over http is skipped; one sample path per behavior.
    assert_eq!(
        ids,
        [
            "m-post-http-r-a-1.0",
            "m-post-http-w-a-1.0",
            "m-post-http-index-html-1.0"
        ]
    );
    assert!(s.cases().all(|c| c.generated && c.tags == ["matrix"]));
    // Ids without building cells agree with the cells' ids.
    assert_eq!(
        (0..s.len())
            .map(|i| s.id(i).into_owned())
            .collect::<Vec<_>>(),
        ids
    );
}

#[test]
fn distribution_files_are_read_beside_the_suite() {
    assert_eq!(
        load::sibling("specs/a.yaml", "distributions/s.yaml"),
        "specs/distributions/s.yaml"
    );
    assert_eq!(load::sibling("a.yaml", "d.yaml"), "d.yaml");
    assert_eq!(load::sibling("specs/a.yaml", "/abs/d.yaml"), "/abs/d.yaml");
    let asked = std::cell::RefCell::new(String::new());
    let read = |p: &str| {
        *asked.borrow_mut() = p.to_string();
        Err("gone".to_string())
    };
    let e = load_suite(
        "distribution: d/x.yaml\nscenarios: []\n",
        "s/suite.yaml",
        &read,
    )
    .unwrap_err();
    assert_eq!(*asked.borrow(), "s/d/x.yaml");
    assert!(e
        .render("s/suite.yaml")
        .starts_with("s/suite.yaml:1:15: cannot read distribution `s/d/x.yaml`: gone"));
}

#[test]
fn mismatch_level_softens_inferred_rules_only() {
    let s = load(&scenario(
        "a",
        "VPP-REDIRECT-SAFE",
        "{method: GET, scheme: http, path: /r/x}",
        "",
    ));
    let c = &s.scenarios[0];
    let m = |rules: Vec<crate::RuleId>| Mismatch {
        rules,
        observer: "viewer",
        leg: 0,
        field: "location".into(),
        expected: String::new(),
        observed: String::new(),
    };
    assert_eq!(
        c.mismatch_level(&m(vec![crate::RuleId::LocTarget])),
        crate::Level::Should
    );
    assert_eq!(
        c.mismatch_level(&m(vec![crate::RuleId::LocTarget, crate::RuleId::LocScheme])),
        crate::Level::Must
    );
}

#[test]
fn matrix_cells_built_on_demand_match_their_order_and_ids() {
    let text = format!(
        "{DIST}matrix:\n  id: m\n  methods: [GET, POST, GET]\n  schemes: [http, https]\n  paths: [/r/a, /w/b, /r/a]\n  versions: [\"1.1\", \"2\"]\n"
    );
    let s = load_suite(&text, "t.yaml", &|_| Err(String::new())).unwrap();
    // Duplicated values count once; HTTP/2 over http is skipped:
    // per method, http: 2 paths x 1 version, https: 2 paths x 2 versions.
    assert_eq!(s.len(), 2 * (2 + 4));
    assert_eq!(s.generated(), s.len());
    let ids: Vec<String> = s.cases().map(|c| c.id.clone()).collect();
    assert_eq!(
        ids[..6],
        [
            "m-get-http-r-a-1.1",
            "m-get-http-w-b-1.1",
            "m-get-https-r-a-1.1",
            "m-get-https-r-a-2",
            "m-get-https-w-b-1.1",
            "m-get-https-w-b-2"
        ]
    );
    assert_eq!(ids[6], "m-post-http-r-a-1.1");
    let c = s.case(3);
    assert_eq!(
        (
            c.request.method.as_str(),
            c.request.scheme,
            c.request.version,
            c.request.target.as_str()
        ),
        (
            "GET",
            Scheme::Https,
            crate::request::HttpVersion::Http2,
            "/r/a"
        )
    );
    for i in 0..s.len() {
        let c = s.case(i);
        assert_eq!(c.id, s.id(i));
        assert!(c.generated && c.expect.viewer.status.is_some(), "{}", c.id);
        assert!(
            c.check(&c.model_legs(&s.distribution)).is_empty(),
            "{}",
            c.id
        );
    }
}

#[test]
fn the_same_matrix_in_two_files_clashes_across_suites() {
    let text = format!("{DIST}matrix:\n  id: m\n  methods: [GET]\n  schemes: [http]\n  paths: [/r/a, /w/b]\n  versions: [\"1.1\"]\n");
    let read = |_: &str| Err(String::new());
    let a = load_suite(&text, "a.yaml", &read).unwrap();
    let b = load_suite(&text, "b.yaml", &read).unwrap();
    let same = load_suite(&text, "a.yaml", &read).unwrap();
    let clashes = duplicate_ids(&[a.clone(), b]);
    assert_eq!(clashes.len(), 2, "{clashes:?}");
    assert!(
        clashes[0].starts_with("b.yaml:")
            && clashes[0].contains("`m-get-http-r-a-1.1` is also used at a.yaml:")
    );
    // One file given twice is not a clash.
    assert!(duplicate_ids(&[a, same]).is_empty());
}

#[test]
fn prime_is_the_case_request_with_its_changes_and_cacheable_is_kept() {
    let s = load(
        &[
            scenario(
                "same",
                "CACHE-HIT-SERVED",
                "{method: GET, scheme: https, path: /w/x?q, headers: {X-A: b}}",
                "    prime: {}\n    cacheable: true\n",
            ),
            scenario(
                "changed",
                "CACHE-NEVER-UNSAFE",
                "{method: POST, scheme: https, path: /w/x}",
                "    prime: {method: GET, scheme: http, path: /w/y}\n",
            ),
            scenario(
                "none",
                "VPP-ALLOW-ALL",
                "{method: GET, scheme: http, path: /w/x}",
                "",
            ),
        ]
        .concat(),
    );
    let same = &s.scenarios[0];
    assert_eq!(same.prime.as_ref(), Some(&same.request));
    assert_eq!(same.cacheable, Some(true));
    let changed = s.scenarios[1].prime.as_ref().unwrap();
    assert_eq!(
        (&changed.method, changed.scheme, changed.target.as_str()),
        (&crate::Method::Get, Scheme::Http, "/w/y")
    );
    // A GET carries no body, whatever the POST it was made from carried.
    assert_eq!((changed.body_len, changed.content_length), (0, false));
    assert_eq!(s.scenarios[1].cacheable, None);
    assert_eq!(s.scenarios[2].prime, None);
}

#[test]
fn a_location_mismatch_names_the_part_that_differs() {
    // A generated case (no rule of the Location's own) observed with the Host lower-cased in
    // Location: LOC-HOST, not the first of LOC-SCHEME, LOC-HOST, LOC-TARGET.
    let s = load(&scenario(
        "a",
        "VPP-REDIRECT-SAFE",
        "{method: GET, scheme: http, path: /r/x?q, host: WWW.EXAMPLE.COM}",
        "",
    ));
    let c = &s.scenarios[0];
    let mut legs = c.model_legs(&s.distribution);
    assert_eq!(
        legs[0].location.as_deref(),
        Some("https://WWW.EXAMPLE.COM/r/x?q")
    );
    let rules = |legs: &[crate::outcome::Outcome]| -> Vec<Vec<crate::RuleId>> {
        c.check(legs).into_iter().map(|m| m.rules).collect()
    };
    legs[0].location = Some("https://www.example.com/r/x?q".into());
    assert_eq!(rules(&legs), vec![vec![crate::RuleId::LocHost]]);
    legs[0].location = Some("http://WWW.EXAMPLE.COM/r/x".into());
    assert_eq!(
        rules(&legs),
        vec![vec![crate::RuleId::LocScheme, crate::RuleId::LocTarget]]
    );
    // A case that checks all three names the one that differs too (a fuzzed redirect's case
    // carries the redirect's rules).
    let s = load(&scenario(
        "b",
        "LOC-SCHEME, LOC-HOST, LOC-TARGET",
        "{method: GET, scheme: http, path: /r/x, host: WWW.EXAMPLE.COM}",
        "",
    ));
    let c = &s.scenarios[0];
    let mut legs = c.model_legs(&s.distribution);
    legs[0].location = Some("https://www.example.com/r/x".into());
    let named: Vec<Vec<crate::RuleId>> = c.check(&legs).into_iter().map(|m| m.rules).collect();
    assert_eq!(named, vec![vec![crate::RuleId::LocHost]]);
}

#[test]
fn a_strict_400_for_a_port_that_names_no_tcp_port_leaves_the_model_s_expectations_aside() {
    // `www.example.com:` is `www.example.com` (RFC 3986 section 6.2.3): the model serves it, and
    // a parser that refuses the empty port with 400 conforms too (HOST-ROUTE notes it).
    for host in ["www.example.com:", "www.example.com:99999"] {
        let s = load(&scenario(
            "a",
            "MTH-GET-BODY",
            &format!("{{method: GET, scheme: https, path: /r/x, host: \"{host}\", body_size: 3}}"),
            "",
        ));
        let c = &s.scenarios[0];
        let mut legs = c.model_legs(&s.distribution);
        assert_eq!(legs[0].status, 403, "{host}");
        legs[0].status = 400;
        assert!(c.check(&legs).is_empty(), "{host}");
        legs[0].status = 404;
        assert!(!c.check(&legs).is_empty(), "{host}");
    }
}
