//! The judge names the rule a broken outcome violates, and only that rule: each test takes the
//! model's outcome on the standard distribution, breaks it the way a real proxy would, and checks
//! the verdict.

use edgeconform_core::decide::decide;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::judge::judge;
use edgeconform_core::outcome::{
    CacheHit, Fill, LogObservation, OriginContact, OriginEvidence, OriginFailure, Outcome,
};
use edgeconform_core::{HttpVersion, Method, Request, RuleId, Scheme};

fn standard() -> Distribution {
    let text = include_str!("../../../specs/distributions/standard.yaml");
    Distribution::from_yaml(text).unwrap()
}

fn req(m: Method, s: Scheme, target: &str) -> Request {
    Request::new(m, s, "www.example.com", target)
}

fn model(d: &Distribution, r: &Request) -> Outcome {
    Outcome::from_decision(d, r, &decide(d, r), 500)
}

/// The rules judged violated (failures only, sorted, deduplicated).
fn verdict(d: &Distribution, r: &Request, o: &Outcome) -> Vec<RuleId> {
    let mut v: Vec<RuleId> = judge(d, r, o)
        .into_iter()
        .filter(|v| v.is_failure())
        .map(|v| v.rule)
        .collect();
    v.sort();
    v.dedup();
    v
}

fn contact(origin: &str, protocol: Scheme, port: u16, target: &str) -> Option<OriginContact> {
    Some(OriginContact {
        origin: Some(origin.into()),
        protocol,
        port,
        target: target.into(),
        headers: vec![],
    })
}

#[test]
fn model_outcomes_are_clean() {
    let d = standard();
    for target in [
        "/images/a.jpg?x=1",
        "/account/x",
        "/api/x",
        "/site/x",
        "/legacy/x",
        "/other",
        "/Docs/a.html",
    ] {
        for m in Method::SUPPORTED {
            for s in Scheme::ALL {
                let r = req(m.clone(), s, target);
                assert_eq!(verdict(&d, &r, &model(&d, &r)), vec![], "{m} {s} {target}");
            }
        }
    }
}

#[test]
fn wrong_redirect_status_is_vpp_redirect_safe() {
    let d = standard();
    let r = req(Method::Get, Scheme::Http, "/images/a.jpg");
    for status in [302, 307, 308] {
        let mut o = model(&d, &r);
        o.status = status;
        assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppRedirectSafe]);
    }
}

#[test]
fn redirecting_post_is_vpp_redirect_unsafe() {
    let d = standard();
    let r = req(Method::Post, Scheme::Http, "/images/a.jpg");
    let mut o = model(&d, &r);
    o.status = 301;
    o.location = Some("https://www.example.com/images/a.jpg".into());
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppRedirectUnsafe]);
}

#[test]
fn location_rules() {
    let d = standard();
    let r = req(Method::Get, Scheme::Http, "/images/a.jpg?x=1");
    let with = |loc: &str| {
        let mut o = model(&d, &r);
        o.location = Some(loc.into());
        verdict(&d, &r, &o)
    };
    assert_eq!(with("https://www.example.com/images/a.jpg?x=1"), vec![]);
    assert_eq!(
        with("https://www.example.com/images/a.jpg"),
        vec![RuleId::LocTarget]
    );
    assert_eq!(
        with("https://www.example.com:443/images/a.jpg?x=1"),
        vec![RuleId::LocHost]
    );
    assert_eq!(
        with("https://d111111abcdef8.cloudfront.net/images/a.jpg?x=1"),
        vec![RuleId::LocHost]
    );
    assert_eq!(
        with("http://www.example.com/images/a.jpg?x=1"),
        vec![RuleId::LocScheme]
    );
    assert_eq!(
        with("https://evil.example/images/a.jpg?x=1"),
        vec![RuleId::LocSafe]
    );
    assert_eq!(
        with("https://www.example.com/images/a.jpg?x=1\r\nSet-Cookie: a=b"),
        vec![RuleId::LocSafe]
    );
}

#[test]
fn https_only_redirecting_is_vpp_https_only() {
    let d = standard();
    let r = req(Method::Get, Scheme::Http, "/account/x");
    let mut o = model(&d, &r);
    o.status = 301;
    o.location = Some("https://www.example.com/account/x".into());
    // A 301 fits no https-only reading; no other behavior on this path redirects either.
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppHttpsOnly]);
}

#[test]
fn redirecting_allow_all_is_vpp_allow_all() {
    let d = standard();
    let r = req(Method::Get, Scheme::Http, "/public/x");
    let mut o = model(&d, &r);
    o.status = 301;
    o.origin = None;
    o.location = Some("https://www.example.com/public/x".into());
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppAllowAll]);
}

#[test]
fn applying_the_default_policy_everywhere_is_vpp_per_behavior() {
    let d = standard();
    // /account/x is https-only; the default behavior (allow-all, origin assets) forwards it.
    let r = req(Method::Get, Scheme::Http, "/account/x");
    let mut o = model(&d, &r);
    o.status = 200;
    o.origin = contact("assets", Scheme::Http, 80, "/account/x");
    o.body_bytes = 500;
    o.object_bytes = 500;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppPerBehavior]);
}

#[test]
fn https_refused_is_vpp_https_served() {
    let d = standard();
    let r = req(Method::Get, Scheme::Https, "/images/a");
    let mut o = model(&d, &r);
    o.status = 500;
    o.origin = None;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppHttpsServed]);
}

#[test]
fn contacting_the_origin_before_redirecting_is_loc_edge_only() {
    let d = standard();
    let r = req(Method::Get, Scheme::Http, "/images/a");
    let mut o = model(&d, &r);
    o.origin = contact("assets", Scheme::Http, 80, "/images/a");
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::LocEdgeOnly]);
}

#[test]
fn redirect_carrying_the_object_is_bil_redirect_pair() {
    let d = standard();
    let r = req(Method::Get, Scheme::Http, "/images/a");
    let mut o = model(&d, &r);
    o.body_bytes = 500;
    o.object_bytes = 500;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::BilRedirectPair]);
}

#[test]
fn case_insensitive_matching_is_pat_case() {
    let d = standard();
    // /IMAGES/a is not /images/*: it falls to the default (allow-all, forwarded).
    let r = req(Method::Get, Scheme::Http, "/IMAGES/a");
    let o = Outcome {
        status: 301,
        location: Some("https://www.example.com/IMAGES/a".into()),
        origin: None,
        header_bytes: 0,
        body_bytes: 167,
        object_bytes: 0,
        closed: false,
        origin_failure: None,
        log: None,
        cache: None,
        viewer_only: false,
        origin_evidence: None,
    };
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::PatCase]);
}

#[test]
fn last_match_wins_is_pat_order() {
    let d = standard();
    // /images/a.png matches /images/* (redirect) first and /images/*.png (https-only) later.
    let r = req(Method::Get, Scheme::Http, "/images/a.png");
    let mut o = model(&d, &r);
    o.status = 403;
    o.location = None;
    o.body_bytes = 900;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::PatOrder]);
}

#[test]
fn star_not_crossing_slash_is_pat_wildcard() {
    let d = standard();
    let r = req(Method::Get, Scheme::Http, "/images/2024/a.jpg");
    let o = Outcome {
        status: 200,
        location: None,
        origin: contact("assets", Scheme::Http, 80, "/images/2024/a.jpg"),
        header_bytes: 0,
        body_bytes: 500,
        object_bytes: 500,
        closed: false,
        origin_failure: None,
        log: None,
        cache: None,
        viewer_only: false,
        origin_evidence: None,
    };
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::PatWildcard]);
}

#[test]
fn ignoring_allowed_methods_is_mth_allowed() {
    let d = standard();
    let r = req(Method::Post, Scheme::Https, "/images/a");
    let o = Outcome {
        status: 200,
        location: None,
        origin: contact("assets", Scheme::Https, 443, "/images/a"),
        header_bytes: 0,
        body_bytes: 0,
        object_bytes: 0,
        closed: false,
        origin_failure: None,
        log: None,
        cache: None,
        viewer_only: false,
        origin_evidence: None,
    };
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::MthAllowed]);
}

#[test]
fn origin_protocol_rules() {
    let d = standard();
    let r = req(Method::Get, Scheme::Https, "/site/x");
    let mut o = model(&d, &r);
    o.origin = contact("site", Scheme::Https, 443, "/site/x");
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::OrgWebsiteHttp]);

    let r = req(Method::Get, Scheme::Https, "/public/x");
    let mut o = model(&d, &r);
    o.origin = contact("assets", Scheme::Http, 80, "/public/x");
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::OrgS3MatchViewer]);

    let r = req(Method::Get, Scheme::Http, "/secure/x");
    let mut o = model(&d, &r);
    o.origin = contact("secure", Scheme::Http, 80, "/secure/x");
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::OrgCustomPolicy]);
}

#[test]
fn origin_path_and_headers() {
    let d = standard();
    let mut r = req(Method::Get, Scheme::Https, "/api/a/../b?x=1");
    r.headers.push(("X-Forwarded-Proto".into(), "http".into()));
    let good = model(&d, &r);
    assert_eq!(verdict(&d, &r, &good), vec![]);

    let mut o = good.clone();
    o.origin.as_mut().unwrap().target = "/v1/api/b?x=1".into();
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::OrgPath]);

    let mut o = good.clone();
    o.origin
        .as_mut()
        .unwrap()
        .headers
        .push(("x-forwarded-proto".into(), "http".into()));
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::OrgXfpStripped]);

    let mut o = good.clone();
    o.origin
        .as_mut()
        .unwrap()
        .headers
        .retain(|(n, _)| n != "CloudFront-Forwarded-Proto");
    o.origin
        .as_mut()
        .unwrap()
        .headers
        .push(("CloudFront-Forwarded-Proto".into(), "http".into()));
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::OrgCfProto]);
}

#[test]
fn request_level_rules() {
    let d = standard();
    let mut r = req(Method::Get, Scheme::Http, "/public/x");
    r.host = Some("evil.example".into());
    let mut o = model(&d, &r);
    assert_eq!(verdict(&d, &r, &o), vec![]);
    o.status = 200;
    o.origin = contact("assets", Scheme::Http, 80, "/public/x");
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::HostRoute]);

    let r = req(Method::Other("PROPFIND".into()), Scheme::Https, "/public/x");
    let mut o = model(&d, &r);
    o.status = 200;
    o.origin = contact("assets", Scheme::Https, 443, "/public/x");
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::MthSupported]);

    let mut r = req(Method::Get, Scheme::Https, "/public/x");
    r.body_len = 10;
    let mut o = model(&d, &r);
    o.status = 200;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::MthGetBody]);

    let mut r = req(Method::Get, Scheme::Https, "/public/x");
    r.headers.push(("X-Big".into(), "a".repeat(21_000)));
    let mut o = model(&d, &r);
    assert_eq!(o.status, 413);
    o.status = 200;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::LimSize]);
}

#[test]
fn origin_failure() {
    let d = standard();
    let r = req(Method::Get, Scheme::Https, "/public/x");
    let mut o = model(&d, &r);
    o.origin_failure = Some(OriginFailure::Timeout);
    o.status = 504;
    assert_eq!(verdict(&d, &r, &o), vec![]);
    o.status = 502;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::OrgFailure]);
}

#[test]
fn current_ruleset_accepts_307_or_403_for_a_disallowed_method() {
    let text = include_str!("../../../specs/distributions/standard.yaml")
        .replace("ruleset: classic", "ruleset: current");
    let d = Distribution::from_yaml(&text).unwrap();
    let mut r = req(Method::Post, Scheme::Http, "/images/a");
    let mut o = model(&d, &r);
    assert_eq!(o.status, 307);
    assert_eq!(verdict(&d, &r, &o), vec![]);
    assert!(judge(&d, &r, &o)
        .iter()
        .any(|v| v.info && v.rule == RuleId::VppRedirectUnsafe));
    o.status = 403;
    o.location = None;
    assert_eq!(verdict(&d, &r, &o), vec![]);
    // HTTP/1.0: 403 only.
    r.version = HttpVersion::Http10;
    let mut o = model(&d, &r);
    assert_eq!(o.status, 403);
    o.status = 307;
    o.location = Some("https://www.example.com/images/a".into());
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppRedirectUnsafe]);
}

#[test]
fn access_log_rules() {
    let d = standard();
    let r = req(Method::Get, Scheme::Http, "/images/a");
    let log = |lines, rt: &str, proto: &str| LogObservation {
        lines,
        result_type: Some(rt.into()),
        detailed_result_type: Some(rt.into()),
        protocol: Some(proto.into()),
        status: Some(301),
        sc_bytes: None,
        unattributed: false,
    };
    let mut o = model(&d, &r);
    o.log = Some(log(1, "Redirect", "http"));
    assert_eq!(verdict(&d, &r, &o), vec![]);
    o.log = Some(log(1, "Miss", "http"));
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::LogResultType]);
    o.log = Some(log(1, "Redirect", "https"));
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::LogResultType]);
    o.log = Some(log(0, "Redirect", "http"));
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::BilPerResponse]);
    let mut l = log(1, "Redirect", "http");
    l.sc_bytes = Some(100);
    o.header_bytes = 200;
    o.log = Some(l);
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::BilLogReconcile]);
}

/// A log whose field selection leaves out what a rule reads, or that cannot single out the
/// request's line, makes that rule not observed: never a failure, never silently passed.
#[test]
fn absent_log_fields_are_not_observed() {
    let d = standard();
    let unobserved = |r: &Request, o: &Outcome| {
        let mut v: Vec<RuleId> = judge(&d, r, o)
            .into_iter()
            .filter(|v| v.not_observed)
            .map(|v| v.rule)
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let r = req(Method::Get, Scheme::Http, "/images/a");
    let mut o = model(&d, &r);
    o.header_bytes = 200;
    let bare = LogObservation {
        lines: 1,
        result_type: None,
        detailed_result_type: None,
        protocol: None,
        status: None,
        sc_bytes: None,
        unattributed: false,
    };
    o.log = Some(bare.clone());
    assert_eq!(verdict(&d, &r, &o), vec![]);
    assert_eq!(
        unobserved(&r, &o),
        vec![RuleId::BilLogReconcile, RuleId::LogResultType]
    );
    // With the fields present the same line is judged.
    o.log = Some(LogObservation {
        result_type: Some("Redirect".into()),
        protocol: Some("http".into()),
        sc_bytes: Some(o.header_bytes + o.body_bytes),
        ..bare.clone()
    });
    assert_eq!((verdict(&d, &r, &o), unobserved(&r, &o)), (vec![], vec![]));
    // A refused method without x-edge-detailed-result-type.
    let r = req(Method::Post, Scheme::Https, "/images/a");
    let mut o = model(&d, &r);
    o.log = Some(LogObservation {
        result_type: Some("Error".into()),
        protocol: Some("https".into()),
        ..bare.clone()
    });
    assert_eq!(verdict(&d, &r, &o), vec![]);
    assert_eq!(unobserved(&r, &o), vec![RuleId::LogResultType]);
    o.log = Some(LogObservation {
        lines: 0,
        unattributed: true,
        ..bare
    });
    assert_eq!(verdict(&d, &r, &o), vec![]);
    assert_eq!(
        unobserved(&r, &o),
        vec![
            RuleId::BilPerResponse,
            RuleId::BilLogReconcile,
            RuleId::LogResultType
        ]
    );
}

#[test]
fn decoding_reserved_escapes_for_matching_is_pat_normalize() {
    let d = standard();
    // /images%2Fcat.jpg is not under /images/* (%2F stays encoded): default, allow-all, forwarded.
    let r = req(Method::Get, Scheme::Http, "/images%2Fcat.jpg");
    let mut o = model(&d, &r);
    o.status = 301;
    o.origin = None;
    o.location = Some("https://www.example.com/images%2Fcat.jpg".into());
    o.body_bytes = 167;
    o.object_bytes = 0;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::PatNormalize]);

    // Found by fuzzing Caddy and lighttpd: each matches its decoded path, where `?` (a regex
    // `.`) takes %C3%A9 as the one character é: /Docs/?.html's https-only 403 for what the
    // default serves.
    let r = req(Method::Get, Scheme::Http, "/Docs/%C3%A9.html");
    let o = refused(&d, &r, 403);
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::PatNormalize]);
    // Found by fuzzing Caddy and lighttpd: //secure%2fx.png decoded and merged is
    // /secure/x.png, so the secure origin serves what the default's S3 origin should.
    for (s, protocol, port, target) in [
        (Scheme::Http, Scheme::Https, 443, "//secure%2fx.png"),
        (Scheme::Http, Scheme::Http, 80, "//secure%2f%c3%a9"),
    ] {
        let r = req(Method::Get, s, target);
        let mut o = model(&d, &r);
        o.origin = contact("secure", protocol, port, target);
        assert_eq!(verdict(&d, &r, &o), vec![RuleId::PatNormalize], "{target}");
    }
    // Found by fuzzing Traffic Server: it removes dot segments and then merges `//`, so
    // //images//../@_.png is /images/@_.png (redirect-to-https) where RFC 3986 gives
    // //images/@_.png, which no pattern but the default's matches (merged first, /@_.png).
    let r = req(Method::Get, Scheme::Http, "//images//../@_.png");
    let mut o = model(&d, &r);
    (o.status, o.origin, o.body_bytes, o.object_bytes) = (301, None, 167, 0);
    o.location = Some("https://www.example.com//images//../@_.png".into());
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::PatNormalize]);

    // Found by fuzzing Caddy: its cleaned /site/. is /site (Go's path.Clean), not under
    // /site/*: served by the default where RFC 3986 gives /site/ and a redirect.
    let r = req(Method::Get, Scheme::Http, "/site/.");
    let mut o = model(&d, &r);
    (o.status, o.location, o.body_bytes) = (200, None, 1000);
    o.origin = contact("assets", Scheme::Http, 80, "/site/.");
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::PatNormalize]);
}

#[test]
fn the_log_is_judged_against_the_response_actually_sent() {
    let d = standard();
    let line = |rt: &str, detailed: &str| LogObservation {
        lines: 1,
        result_type: Some(rt.into()),
        detailed_result_type: Some(detailed.into()),
        protocol: Some("http".into()),
        status: None,
        sc_bytes: None,
        unattributed: false,
    };
    // https-only answered like redirect-to-https: the 301 is logged as the Redirect it was, so
    // the only broken rule is the policy's.
    let r = req(Method::Get, Scheme::Http, "/account/x");
    let mut o = model(&d, &r);
    o.status = 301;
    o.location = Some("https://www.example.com/account/x".into());
    o.log = Some(line("Redirect", "Redirect"));
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppHttpsOnly]);
    o.log = Some(line("Error", "Error"));
    assert_eq!(
        verdict(&d, &r, &o),
        vec![RuleId::VppHttpsOnly, RuleId::LogResultType]
    );
    // AllowedMethods ignored: the forward is logged as a Miss, not as the refusal it should
    // have been.
    let r = Request {
        body_len: 0,
        ..req(Method::Post, Scheme::Https, "/images/a")
    };
    let mut o = model(&d, &r);
    o.status = 200;
    o.origin = contact("assets", Scheme::Https, 443, "/images/a");
    o.log = Some(LogObservation {
        protocol: Some("https".into()),
        ..line("Miss", "Miss")
    });
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::MthAllowed]);
}

#[test]
fn object_bytes_of_a_request_that_should_have_been_refused_are_not_bil_refusal() {
    let d = standard();
    // https-only not enforced for PUT: the object came back; the rule broken is VPP-HTTPS-ONLY.
    let r = req(Method::Put, Scheme::Http, "/account/x");
    let mut o = model(&d, &r);
    o.status = 200;
    o.origin = contact("secure", Scheme::Https, 443, "/account/x");
    o.body_bytes = 500;
    o.object_bytes = 500;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppHttpsOnly]);
    // An edge 403 that carries object bytes is.
    let mut o = model(&d, &r);
    o.body_bytes = 500;
    o.object_bytes = 500;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::BilRefusal]);
}

#[test]
fn a_misreading_keeps_the_rules_the_same_outcome_also_breaks_as_alternatives() {
    let d = standard();
    let all = |r: &Request, o: &Outcome| -> Vec<(RuleId, Vec<RuleId>)> {
        judge(&d, r, o)
            .into_iter()
            .filter(|v| !v.info)
            .map(|v| (v.rule, v.alternatives))
            .collect()
    };
    // GET /images/2024/a.jpg forwarded over HTTP to assets: what a target whose `*` stops at `/`
    // does (the default behavior), and just as well what one that ignores redirect-to-https on
    // /images/* does. The misreading is named; the policy rule stays as an alternative.
    let r = req(Method::Get, Scheme::Http, "/images/2024/a.jpg");
    let mut o = model(&d, &r);
    o.status = 200;
    o.location = None;
    o.origin = contact("assets", Scheme::Http, 80, "/images/2024/a.jpg");
    o.body_bytes = 500;
    o.object_bytes = 500;
    let got = all(&r, &o);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, RuleId::PatWildcard);
    assert!(got[0].1.contains(&RuleId::VppRedirectSafe), "{got:?}");
    assert!(got[0].1.contains(&RuleId::VppPerBehavior), "{got:?}");
    // It does not blame the redirect pair's billing for a response that was no redirect.
    assert!(!got[0].1.contains(&RuleId::BilRedirectPair), "{got:?}");
    // HEAD /images/a.png refused: last match wins (/images/*.png is https-only), or HEAD is not
    // treated as safe under redirect-to-https.
    let r = req(Method::Head, Scheme::Http, "/images/a.png");
    let mut o = model(&d, &r);
    o.status = 403;
    o.location = None;
    let got = all(&r, &o);
    assert_eq!(got, vec![(RuleId::PatOrder, vec![RuleId::VppRedirectSafe])]);
    // A discriminating outcome has no alternative: /account/x forwarded to the default's origin.
    let r = req(Method::Get, Scheme::Http, "/account/x");
    let mut o = model(&d, &r);
    o.status = 200;
    o.origin = contact("assets", Scheme::Http, 80, "/account/x");
    let got = all(&r, &o);
    assert_eq!(got[0].0, RuleId::VppPerBehavior);
    assert!(!got[0].1.contains(&RuleId::PatWildcard), "{got:?}");
}

/// The rules judged with a note (info), sorted.
fn notes(d: &Distribution, r: &Request, o: &Outcome) -> Vec<RuleId> {
    let mut v: Vec<RuleId> = judge(d, r, o)
        .into_iter()
        .filter(|v| v.info)
        .map(|v| v.rule)
        .collect();
    v.sort();
    v
}

/// The rules judged not observed, sorted.
fn unobserved(d: &Distribution, r: &Request, o: &Outcome) -> Vec<RuleId> {
    let mut v: Vec<RuleId> = judge(d, r, o)
        .into_iter()
        .filter(|v| v.not_observed)
        .map(|v| v.rule)
        .collect();
    v.sort();
    v
}

#[test]
fn rfc_statuses_for_malformed_input_conform() {
    let d = standard();
    // RFC 9112 section 3.2: a malformed Host is answered 400; 403 conforms too.
    for host in ["user@www.example.com", "www.example.com/x", "a b"] {
        let mut r = req(Method::Get, Scheme::Http, "/public/x");
        r.host = Some(host.into());
        let mut o = model(&d, &r);
        assert_eq!(o.status, 403);
        assert_eq!(verdict(&d, &r, &o), vec![], "{host}");
        o.status = 400;
        assert_eq!(verdict(&d, &r, &o), vec![], "{host}");
        o.status = 404;
        assert_eq!(verdict(&d, &r, &o), vec![RuleId::HostRoute], "{host}");
    }
    // A valid name the distribution does not serve is a 403, never a 400.
    let mut r = req(Method::Get, Scheme::Http, "/public/x");
    r.host = Some("evil.example".into());
    let mut o = model(&d, &r);
    o.status = 400;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::HostRoute]);

    // `port = *DIGIT` (RFC 9110 section 7.2): an empty port is no port (RFC 3986 section 6.2.3)
    // and one over 65535 is still one by the grammar. The name routes, the port ignored as any
    // other; a strict 400 conforms too and is noted. Anything else is judged as for the name.
    for host in ["www.example.com:", "www.example.com:99999"] {
        let mut r = req(Method::Get, Scheme::Http, "/public/x");
        r.host = Some(host.into());
        let mut o = model(&d, &r);
        assert_eq!(o.status, 200, "{host}: served as www.example.com");
        assert_eq!(verdict(&d, &r, &o), vec![], "{host}");
        o.status = 400;
        o.origin = None;
        assert_eq!(verdict(&d, &r, &o), vec![], "{host}");
        assert_eq!(notes(&d, &r, &o), vec![RuleId::HostRoute], "{host}");
        o.status = 403;
        assert_ne!(verdict(&d, &r, &o), vec![], "{host}");
    }
    let mut r = req(Method::Get, Scheme::Http, "/images/a");
    r.host = Some("www.example.com:".into());
    let o = model(&d, &r);
    assert_eq!(o.status, 301);
    assert_eq!(
        o.location.as_deref(),
        Some("https://www.example.com/images/a")
    );

    // Found by fuzzing nginx: an unknown Host with a method token nginx's parser refuses first
    // (`get`): its 400 is a refusal at the edge as good as the Host's 403. So is lighttpd's 411
    // to a POST sent without a length (as no real client sends it) to an unknown Host.
    let mut r = req(Method::Other("get".into()), Scheme::Https, "/a");
    r.host = Some("127.0.0.1".into());
    for status in [403, 400, 405, 501] {
        let mut o = model(&d, &r);
        o.status = status;
        assert_eq!(verdict(&d, &r, &o), vec![], "{status}");
    }
    let mut o = model(&d, &r);
    o.status = 404;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::HostRoute]);
    let mut r = req(Method::Post, Scheme::Http, "/a");
    r.host = Some("example.net".into());
    (r.body_len, r.content_length) = (0, false);
    let mut o = model(&d, &r);
    o.status = 411;
    assert_eq!(verdict(&d, &r, &o), vec![]);

    // Unknown method tokens: 400, 405 and 501 conform, and are noted.
    let r = req(Method::Other("PROPFIND".into()), Scheme::Https, "/public/x");
    for status in [400, 405, 501] {
        let mut o = model(&d, &r);
        o.status = status;
        assert_eq!(verdict(&d, &r, &o), vec![], "{status}");
        assert_eq!(notes(&d, &r, &o), vec![RuleId::MthSupported], "{status}");
    }

    // LIM-SIZE: 400, 414 and 431 conform, and are noted; an origin contact never does.
    let mut r = req(Method::Get, Scheme::Https, "/public/x");
    r.headers.push(("X-Big".into(), "a".repeat(21_000)));
    for status in [400, 414, 431] {
        let mut o = model(&d, &r);
        o.status = status;
        assert_eq!(verdict(&d, &r, &o), vec![], "{status}");
        assert_eq!(notes(&d, &r, &o), vec![RuleId::LimSize], "{status}");
    }
    let mut o = model(&d, &r);
    o.status = 431;
    o.origin = contact("assets", Scheme::Https, 443, "/public/x");
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::LimSize]);
}

#[test]
fn an_open_redirect_is_a_loc_safe_failure_at_level_must() {
    let d = standard();
    let mut r = req(Method::Get, Scheme::Http, "/images/a.jpg");
    r.host = Some("evil.example".into());
    let mut o = model(&d, &r);
    o.status = 301;
    o.location = Some("https://evil.example/images/a.jpg".into());
    let v = verdict(&d, &r, &o);
    assert!(v.contains(&RuleId::LocSafe), "{v:?}");
    assert_eq!(
        RuleId::LocSafe.strength().default_level(),
        edgeconform_core::rules::Level::Must
    );
}

#[test]
fn a_411_to_a_request_without_length_is_a_note() {
    let d = standard();
    let mut r = req(Method::Post, Scheme::Https, "/api/x");
    let mut o = model(&d, &r);
    o.status = 411;
    o.origin = None;
    o.body_bytes = 0;
    o.object_bytes = 0;
    // Sent without a length, as no real client does: a note on the rule it would have exercised.
    assert_eq!(verdict(&d, &r, &o), vec![]);
    assert_eq!(notes(&d, &r, &o), vec![RuleId::VppHttpsServed]);
    // Sent with a length, as real clients do: the 411 is the target's answer to a real request.
    r = r.with_client_body();
    assert!(r.content_length);
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppHttpsServed]);
}

#[test]
fn refusals_the_rfcs_allow_for_framing_are_notes() {
    let d = standard();
    // Found by fuzzing Varnish and lighttpd: 400 to a HEAD with content, which RFC 9110
    // section 9.3.2 lets a server reject. A note on the rule it would have exercised.
    for (s, path, rule) in [
        (Scheme::Http, "/a", RuleId::VppAllowAll),
        (Scheme::Http, "/site/a", RuleId::VppRedirectSafe),
        (Scheme::Http, "/api/a", RuleId::VppRedirectSafe),
        (Scheme::Http, "/media/a", RuleId::VppHttpsOnly),
        (Scheme::Https, "/a", RuleId::VppHttpsServed),
    ] {
        let mut r = req(Method::Head, s, path);
        (r.body_len, r.content_length) = (16, true);
        let o = refused(&d, &r, 400);
        assert_eq!(verdict(&d, &r, &o), vec![], "{path}");
        assert_eq!(notes(&d, &r, &o), vec![rule], "{path}");
    }
    // A DELETE's content has the same words in section 9.3.5; a GET's 400 stays MTH-GET-BODY.
    let mut r = req(Method::Delete, Scheme::Https, "/api/a");
    (r.body_len, r.content_length) = (16, true);
    assert_eq!(verdict(&d, &r, &refused(&d, &r, 400)), vec![]);
    let mut r = req(Method::Get, Scheme::Https, "/a");
    (r.body_len, r.content_length) = (16, true);
    assert_eq!(
        verdict(&d, &r, &refused(&d, &r, 400)),
        vec![RuleId::MthGetBody]
    );
    // Found by fuzzing lighttpd: its 400 for a GET with a body comes before the Host is read;
    // the unknown Host was refused at the edge, and the status is MTH-GET-BODY's.
    r.host = Some("www.example.com.attacker.net".into());
    assert_eq!(
        verdict(&d, &r, &refused(&d, &r, 400)),
        vec![RuleId::MthGetBody]
    );
    // Found by fuzzing Varnish: 400 to an HTTP/1.0 POST or PUT without Content-Length, which
    // RFC 1945 section 7.2.2 asks for. Not to HTTP/1.1 (RFC 9112: no length is no content),
    // nor to an HTTP/1.0 PATCH or GET.
    for (m, path) in [(Method::Post, "/site/"), (Method::Put, "/a")] {
        let mut r = req(m, Scheme::Http, path);
        r.version = HttpVersion::Http10;
        assert!(!r.content_length && r.body_len == 0);
        assert_eq!(verdict(&d, &r, &refused(&d, &r, 400)), vec![], "{path}");
        r.version = HttpVersion::Http11;
        assert_ne!(verdict(&d, &r, &refused(&d, &r, 400)), vec![], "{path}");
    }
    let mut r = req(Method::Patch, Scheme::Https, "/api/a");
    r.version = HttpVersion::Http10;
    assert_eq!(
        verdict(&d, &r, &refused(&d, &r, 400)),
        vec![RuleId::VppHttpsServed]
    );
}

fn hit(evidence: &str, origin: Option<&str>) -> Option<CacheHit> {
    Some(CacheHit {
        evidence: evidence.into(),
        origin: origin.map(str::to_string),
        fill: None,
    })
}

/// A response served from the cache: the object, no origin contact, the mark of an earlier fetch.
fn cached(d: &Distribution, r: &Request, origin: &str) -> Outcome {
    let mut o = model(d, r);
    o.origin = None;
    o.cache = hit("x-edgeconform-fetch: 1-2-0; origin=x", Some(origin));
    o
}

#[test]
fn a_cache_hit_is_served_and_leaves_the_origin_side_unobserved() {
    let d = standard();
    // HTTPS GET under redirect-to-https, allow-all over HTTP: served, not "must be forwarded".
    for (s, target, origin) in [
        (Scheme::Https, "/images/a.jpg", "assets"),
        (Scheme::Http, "/public/a.jpg", "assets"),
        (Scheme::Https, "/api/a", "api"),
    ] {
        let r = req(Method::Get, s, target);
        let o = cached(&d, &r, origin);
        assert_eq!(verdict(&d, &r, &o), vec![], "{s} {target}");
        assert!(!unobserved(&d, &r, &o).is_empty(), "{s} {target}");
    }
    let r = req(Method::Get, Scheme::Https, "/api/a");
    assert_eq!(
        unobserved(&d, &r, &cached(&d, &r, "api")),
        vec![RuleId::OrgCustomPolicy, RuleId::OrgPath, RuleId::OrgCfProto]
    );
    // Without the cache evidence the same answer is a failure: nothing was served.
    let mut o = cached(&d, &r, "api");
    o.cache = None;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppHttpsServed]);
}

#[test]
fn a_known_fill_is_judged_for_the_viewer_it_was_made_for() {
    let d = standard();
    // An HTTPS viewer served an object an HTTP viewer's fetch put in the cache: conformant
    // (CACHE-KEY-PROTOCOL), and the fetch itself is judged as the HTTP viewer's.
    let r = req(Method::Get, Scheme::Https, "/public/a.jpg");
    let mut o = cached(&d, &r, "assets");
    let fill = |protocol, port| Fill {
        viewer_scheme: Scheme::Http,
        viewer_target: "/public/a.jpg".into(),
        contact: contact("assets", protocol, port, "/public/a.jpg").unwrap(),
    };
    o.cache.as_mut().unwrap().fill = Some(fill(Scheme::Http, 80));
    assert_eq!(verdict(&d, &r, &o), vec![]);
    assert_eq!(unobserved(&d, &r, &o), vec![]);
    // The fill reached the S3 origin over HTTPS for an HTTP viewer: ORG-S3-MATCH-VIEWER.
    o.cache.as_mut().unwrap().fill = Some(fill(Scheme::Https, 443));
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::OrgS3MatchViewer]);
    // What this viewer sent of its own never reached the origin: whether the edge strips
    // X-Forwarded-Proto or overwrites CloudFront-Forwarded-Proto is not observed, not a pass.
    let mut r = req(Method::Get, Scheme::Https, "/api/a");
    r.headers.push(("X-Forwarded-Proto".into(), "http".into()));
    r.headers
        .push(("CloudFront-Forwarded-Proto".into(), "http".into()));
    let mut o = cached(&d, &r, "api");
    // The fetch the model makes for the same request without those headers.
    let contact = model(&d, &req(Method::Get, Scheme::Https, "/api/a"))
        .origin
        .unwrap();
    o.cache.as_mut().unwrap().fill = Some(Fill {
        viewer_scheme: Scheme::Https,
        viewer_target: "/api/a".into(),
        contact,
    });
    assert_eq!(verdict(&d, &r, &o), vec![]);
    assert_eq!(
        unobserved(&d, &r, &o),
        vec![RuleId::OrgXfpStripped, RuleId::OrgCfProto]
    );
}

#[test]
fn the_cache_never_answers_unsafe_methods_or_what_the_policy_refuses() {
    let d = standard();
    let r = req(Method::Post, Scheme::Https, "/api/a").with_client_body();
    assert_eq!(
        verdict(&d, &r, &cached(&d, &r, "api")),
        vec![RuleId::CacheNeverUnsafe]
    );
    // A cached object answering HTTP under redirect-to-https / https-only: the policy rule and
    // CACHE-POLICY-FIRST.
    let r = req(Method::Get, Scheme::Http, "/site/a.html");
    let mut o = cached(&d, &r, "site");
    o.status = 200;
    o.location = None;
    o.object_bytes = 500;
    o.body_bytes = 500;
    assert_eq!(
        verdict(&d, &r, &o),
        vec![RuleId::VppRedirectSafe, RuleId::CachePolicyFirst]
    );
    let r = req(Method::Get, Scheme::Http, "/account/a");
    let mut o = cached(&d, &r, "secure");
    o.status = 200;
    o.object_bytes = 500;
    o.body_bytes = 500;
    assert_eq!(
        verdict(&d, &r, &o),
        vec![RuleId::VppHttpsOnly, RuleId::CachePolicyFirst]
    );
    // A redirect served from the cache is still judged as the redirect it is.
    let r = req(Method::Get, Scheme::Http, "/images/a.jpg");
    let mut o = model(&d, &r);
    o.cache = hit("age: 30", None);
    assert_eq!(verdict(&d, &r, &o), vec![]);
}

#[test]
fn viewer_only_judges_what_the_viewer_sees_and_leaves_the_rest_unobserved() {
    let d = standard();
    let viewer_only = |mut o: Outcome| {
        o.origin = None;
        o.viewer_only = true;
        o
    };
    // A forward looks like any answer that is not a redirect or the edge's 403. Which origin
    // served it is not seen: a target applying the default behavior's settings everywhere
    // (`assets`, allow-all) would serve it too, so VPP-PER-BEHAVIOR is left open.
    let r = req(Method::Get, Scheme::Https, "/api/a");
    let o = viewer_only(model(&d, &r));
    assert_eq!(verdict(&d, &r, &o), vec![]);
    assert_eq!(
        unobserved(&d, &r, &o),
        vec![
            RuleId::VppPerBehavior,
            RuleId::OrgCustomPolicy,
            RuleId::OrgPath,
            RuleId::OrgCfProto,
            RuleId::BilPerResponse
        ]
    );
    // The edge's answers are judged as always; whether the origin saw them is not observed.
    let r = req(Method::Get, Scheme::Http, "/images/a.jpg");
    let o = viewer_only(model(&d, &r));
    assert_eq!(verdict(&d, &r, &o), vec![]);
    assert!(unobserved(&d, &r, &o).contains(&RuleId::LocEdgeOnly));
    let mut served = o.clone();
    served.status = 200;
    served.location = None;
    assert_eq!(verdict(&d, &r, &served), vec![RuleId::VppRedirectSafe]);
    // An error status is served only when the response shows an origin produced it.
    let r = req(Method::Get, Scheme::Https, "/public/a.jpg");
    let mut o = viewer_only(model(&d, &r));
    o.status = 404;
    o.object_bytes = 0;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppHttpsServed]);
    o.origin_evidence = Some(OriginEvidence {
        header: "x-amz-request-id: 4442587FB7D0A2F9".into(),
        origin: None,
    });
    assert_eq!(verdict(&d, &r, &o), vec![]);
    o.status = 403;
    assert_eq!(verdict(&d, &r, &o), vec![], "an origin's 403 is served");
    o.origin_evidence = None;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppHttpsServed]);
    // Without the viewer-only flag the same outcome says nothing reached the origin.
    let r = req(Method::Get, Scheme::Https, "/api/a");
    let mut o = viewer_only(model(&d, &r));
    o.viewer_only = false;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppHttpsServed]);
    // A redirect or a 403 where the behavior forwards is the edge's own answer, not a forward
    // whose origin side is unknown: the policy rule is broken, viewer-only or not.
    let r = req(Method::Get, Scheme::Http, "/public/a.jpg");
    for (status, location) in [
        (301, Some("https://www.example.com/public/a.jpg")),
        (403, None),
    ] {
        let mut o = viewer_only(model(&d, &r));
        o.status = status;
        o.location = location.map(str::to_string);
        o.object_bytes = 0;
        assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppAllowAll], "{status}");
    }
    let r = req(Method::Get, Scheme::Https, "/account/a");
    let mut o = viewer_only(model(&d, &r));
    o.status = 301;
    o.location = Some("https://www.example.com/account/a".into());
    o.object_bytes = 0;
    assert_eq!(verdict(&d, &r, &o), vec![RuleId::VppHttpsServed]);
}

/// The outcome of the edge refusing `r` itself with `status`.
fn refused(d: &Distribution, r: &Request, status: u16) -> Outcome {
    let mut o = model(d, r);
    o.status = status;
    o.origin = None;
    o.location = None;
    o
}

#[test]
fn a_refusal_the_model_has_no_reason_for_is_named_by_its_cause() {
    let d = standard();
    // Found by fuzzing HAProxy, Caddy, h2o, Traffic Server, Varnish: a trailing-dot Host refused
    // as unknown. One finding, HOST-ROUTE, whatever behavior the path reaches.
    for (m, s, path) in [
        (Method::Get, Scheme::Http, "/site/a"),
        (Method::Get, Scheme::Https, "/a"),
        (Method::Options, Scheme::Https, "/account/a"),
        (Method::Get, Scheme::Http, "/Docs/A.html/a"),
    ] {
        let mut r = req(m, s, path);
        r.host = Some("D111111ABCDEF8.CLOUDFRONT.NET.".into());
        let o = refused(&d, &r, 403);
        let v = judge(&d, &r, &o);
        let first = v.iter().find(|v| v.is_failure()).expect("a failure");
        // Where a pattern misreading gives the same 403 (a mutant whose `*` stops at `/` does,
        // whatever the Host), it is named and HOST-ROUTE is its alternative.
        assert!(
            first.rule == RuleId::HostRoute || first.alternatives.contains(&RuleId::HostRoute),
            "{path}: {v:?}"
        );
    }
    for path in ["/site/a", "/a"] {
        let mut r = req(Method::Get, Scheme::Http, path);
        r.host = Some("www.example.com.".into());
        let o = refused(&d, &r, 403);
        assert_eq!(verdict(&d, &r, &o), vec![RuleId::HostRoute], "{path}");
    }
    // Where the behavior itself refuses with 403, the trailing dot changes nothing.
    let mut r = req(Method::Get, Scheme::Http, "/account/a");
    r.host = Some("www.example.com.".into());
    assert_eq!(verdict(&d, &r, &refused(&d, &r, 403)), vec![]);
    // Upper case and ports are left to the behavior's rules (a misreading can give a 403 too).
    let mut r = req(Method::Get, Scheme::Http, "/Media/a");
    r.host = Some("www.example.com:8080".into());
    assert_ne!(
        verdict(&d, &r, &refused(&d, &r, 403)),
        vec![RuleId::HostRoute]
    );

    // Found by fuzzing nginx and Apache: /.. refused with 400 where normalising gives /.
    for (m, s, path) in [
        (Method::Get, Scheme::Http, "/../api/a"),
        (Method::Post, Scheme::Http, "/../images/"),
        (Method::Get, Scheme::Https, "/.."),
        (Method::Get, Scheme::Http, "/a/../../Docs/x.html"),
    ] {
        let r = req(m, s, path);
        let o = refused(&d, &r, 400);
        assert_eq!(verdict(&d, &r, &o), vec![RuleId::PatNormalize], "{path}");
    }
    // Found by fuzzing Apache and nginx: the same 400 once slashes are merged (/a//../..), or for
    // a request with another fault (a GET body, an unknown Host) is still the path's.
    let r = req(Method::Get, Scheme::Http, "/a//../..");
    assert_eq!(
        verdict(&d, &r, &refused(&d, &r, 400)),
        vec![RuleId::PatNormalize]
    );
    let mut r = req(Method::Get, Scheme::Https, "/..");
    (r.body_len, r.content_length) = (16, true);
    assert_eq!(
        verdict(&d, &r, &refused(&d, &r, 400)),
        vec![RuleId::PatNormalize]
    );
    let mut r = req(Method::Get, Scheme::Http, "/..");
    r.host = Some("127.0.0.1".into());
    assert_eq!(
        verdict(&d, &r, &refused(&d, &r, 400)),
        vec![RuleId::PatNormalize]
    );
    // Found by fuzzing HAProxy (its recipe refuses a Host whose `:` is not followed by a port
    // with 400): a Host that is not a valid host name may be answered 400 by itself (HOST-ROUTE),
    // so the 400 is not blamed on the path; 403 conforms too, 200 does not.
    for host in ["[::1]", "www.example.com:http", "user@www.example.com"] {
        let mut r = req(Method::Get, Scheme::Http, "/../media/");
        r.host = Some(host.into());
        assert_eq!(verdict(&d, &r, &refused(&d, &r, 400)), vec![], "{host}");
        assert_eq!(verdict(&d, &r, &refused(&d, &r, 403)), vec![], "{host}");
        let mut served = model(&d, &r);
        (served.status, served.location) = (200, None);
        assert_eq!(verdict(&d, &r, &served), vec![RuleId::HostRoute], "{host}");
    }
    let mut r = req(Method::Get, Scheme::Http, "/..");
    r.host = None;
    assert_eq!(verdict(&d, &r, &refused(&d, &r, 400)), vec![]);
    // Found by fuzzing nginx and nginx-cache: the same 400 once an escaped slash is decoded.
    // nginx decodes `%2F` before it resolves dot segments; RFC 3986 keeps `..%2F` one segment
    // (not a dot segment), so the model forwards or redirects these requests.
    for (m, s, host, path) in [
        (Method::Get, Scheme::Http, "www.example.com", "/api/..%2f.."),
        (Method::Get, Scheme::Https, "www.example.com", "/..%2f"),
        (Method::Patch, Scheme::Http, "www.example.com", "/..%2fi"),
        (Method::Get, Scheme::Https, "cloudfront.net", "/..%2fsite"),
        (Method::Get, Scheme::Http, "www.example.com", "/..%2fapi"),
    ] {
        let mut r = req(m, s, path);
        r.host = Some(host.into());
        if r.method == Method::Patch {
            (r.body_len, r.content_length) = (16, true);
        }
        assert_eq!(
            verdict(&d, &r, &refused(&d, &r, 400)),
            vec![RuleId::PatNormalize],
            "{path}"
        );
    }
    // A 400 for dot segments that stay under the root is the behavior's business.
    let r = req(Method::Get, Scheme::Http, "/public/../images/a");
    assert_eq!(
        verdict(&d, &r, &refused(&d, &r, 400)),
        vec![RuleId::VppRedirectSafe]
    );

    // Found by fuzzing Caddy: a malformed percent-escape is not a valid URI; 400 conforms.
    for path in ["/%", "/a%zz", "/a%4"] {
        let r = req(Method::Get, Scheme::Http, path);
        assert_eq!(verdict(&d, &r, &refused(&d, &r, 400)), vec![], "{path}");
        assert_eq!(
            notes(&d, &r, &refused(&d, &r, 400)),
            vec![RuleId::LocSafe],
            "{path}"
        );
    }
    let r = req(Method::Get, Scheme::Http, "/a%41");
    assert_ne!(verdict(&d, &r, &refused(&d, &r, 400)), vec![]);
    // Found by fuzzing nginx and Apache: an oversized request with another fault may get that
    // fault's answer (TRACE: 405; an unknown Host: 403), refused at the edge all the same.
    let mut r = req(Method::Other("TRACE".into()), Scheme::Http, "/a");
    r.headers.push(("X-Big".into(), "a".repeat(21_000)));
    assert_eq!(verdict(&d, &r, &refused(&d, &r, 405)), vec![]);
    let mut r = req(
        Method::Get,
        Scheme::Http,
        &format!("/{}", "s".repeat(9_000)),
    );
    r.host = Some("cloudfront.net".into());
    assert_eq!(verdict(&d, &r, &refused(&d, &r, 403)), vec![]);
    r.host = Some("www.example.com".into());
    assert_eq!(
        verdict(&d, &r, &refused(&d, &r, 403)),
        vec![RuleId::LimSize]
    );

    // Found by fuzzing HAProxy: 413 to an HTTP/1.0 GET or DELETE with a 16-byte body.
    for (m, s, path) in [
        (Method::Get, Scheme::Https, "/a"),
        (Method::Delete, Scheme::Http, "/site/a"),
        (Method::Delete, Scheme::Https, "/a"),
    ] {
        let mut r = req(m.clone(), s, path);
        r.version = HttpVersion::Http10;
        (r.body_len, r.content_length) = (16, true);
        let o = refused(&d, &r, 413);
        assert_eq!(verdict(&d, &r, &o), vec![RuleId::LimSize], "{m} {path}");
        let alternatives = &judge(&d, &r, &o)[0].alternatives;
        assert!(!alternatives.is_empty(), "{m} {path}: {alternatives:?}");
    }
}
