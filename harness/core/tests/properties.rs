//! Properties over generated distributions and requests: `decide()` is deterministic and never
//! panics, and `judge()` finds no violation in any outcome the model predicts.

use edgeconform_core::decide::decide;
use edgeconform_core::distribution::{
    Behavior, Distribution, Limits, MethodSet, Origin, OriginKind, OriginProtocolPolicy, Ruleset,
    ViewerProtocolPolicy,
};
use edgeconform_core::judge::judge;
use edgeconform_core::outcome::Outcome;
use edgeconform_core::pattern::PathPattern;
use edgeconform_core::{HttpVersion, Method, Request, Scheme};
use proptest::prelude::*;

fn origin_kind() -> impl Strategy<Value = OriginKind> {
    prop_oneof![
        Just(OriginKind::S3),
        prop_oneof![Just(80u16), Just(8080)].prop_map(|p| OriginKind::S3Website { http_port: p }),
        (
            0..3usize,
            prop_oneof![Just(80u16), Just(8080)],
            prop_oneof![Just(443u16), Just(8443)]
        )
            .prop_map(|(p, h, s)| OriginKind::Custom {
                protocol_policy: OriginProtocolPolicy::ALL[p],
                http_port: h,
                https_port: s
            }),
    ]
}

fn pattern() -> impl Strategy<Value = PathPattern> {
    "/?[ab*?.]{0,6}(/[ab*?]{0,3})?"
        .prop_map(|s| PathPattern::parse(if s.is_empty() { "*" } else { &s }).unwrap())
}

fn behavior(n_origins: usize) -> impl Strategy<Value = Behavior> {
    (
        pattern(),
        0..3usize,
        0..3usize,
        any::<bool>(),
        0..n_origins,
        any::<bool>(),
    )
        .prop_map(|(path_pattern, pol, allowed, cache_options, origin, fwd)| {
            let allowed_methods = [
                MethodSet::GET_HEAD,
                MethodSet::GET_HEAD_OPTIONS,
                MethodSet::ALL,
            ][allowed];
            let cached_methods = if cache_options && allowed > 0 {
                MethodSet::GET_HEAD_OPTIONS
            } else {
                MethodSet::GET_HEAD
            };
            Behavior {
                path_pattern,
                viewer_protocol_policy: ViewerProtocolPolicy::ALL[pol],
                allowed_methods,
                cached_methods,
                origin,
                forward_cloudfront_proto: fwd,
                is_default: false,
            }
        })
}

fn distribution() -> impl Strategy<Value = Distribution> {
    (
        prop::collection::vec((origin_kind(), prop_oneof![Just(""), Just("/v1")]), 1..4),
        any::<bool>(),
    )
        .prop_flat_map(|(origins, current)| {
            let n = origins.len();
            (
                Just(origins),
                Just(current),
                prop::collection::vec(behavior(n), 0..8),
                behavior(n),
            )
        })
        .prop_map(|(origins, current, mut behaviors, mut default)| {
            default.path_pattern = PathPattern::default_pattern();
            default.is_default = true;
            behaviors.push(default);
            Distribution {
                domain: "d1.cloudfront.net".into(),
                aliases: vec!["www.example.com".into(), "*.media.example.com".into()],
                ruleset: if current {
                    Ruleset::Current
                } else {
                    Ruleset::Classic
                },
                origins: origins
                    .into_iter()
                    .enumerate()
                    .map(|(i, (kind, p))| Origin {
                        id: format!("o{i}"),
                        kind,
                        origin_path: p.into(),
                    })
                    .collect(),
                behaviors,
                limits: Limits {
                    max_head_bytes: 400,
                    max_url_bytes: 200,
                    ..Limits::default()
                },
            }
        })
}

fn request() -> impl Strategy<Value = Request> {
    let methods = prop_oneof![
        Just(Method::Get),
        Just(Method::Head),
        Just(Method::Options),
        Just(Method::Put),
        Just(Method::Post),
        Just(Method::Patch),
        Just(Method::Delete),
        Just(Method::Other("TRACE".into())),
    ];
    let hosts = prop_oneof![
        Just(Some("www.example.com".to_string())),
        Just(Some("WWW.Example.com:8080".to_string())),
        Just(Some("d1.cloudfront.net".to_string())),
        Just(Some("a.b.media.example.com".to_string())),
        Just(Some("media.example.com".to_string())),
        Just(Some("evil.example".to_string())),
        Just(Some("bad host\r\n".to_string())),
        Just(None),
    ];
    let target = "(/[ab.%2E]{0,5}){1,4}(\\?[a=/b]{0,4})?|[a ]{1,3}|/[\\x00-\\x7f]{0,6}|/a{150,250}";
    (
        methods,
        any::<bool>(),
        hosts,
        target,
        0..3usize,
        any::<bool>(),
        prop_oneof![Just(0u64), Just(7)],
    )
        .prop_map(|(method, https, host, target, v, xfp, body_len)| {
            let scheme = if https { Scheme::Https } else { Scheme::Http };
            let mut version = HttpVersion::ALL[v];
            if scheme == Scheme::Http && version == HttpVersion::Http2 {
                version = HttpVersion::Http11;
            }
            Request {
                method,
                scheme,
                host,
                target,
                version,
                headers: if xfp {
                    vec![("X-Forwarded-Proto".into(), "https".into())]
                } else {
                    vec![]
                },
                body_len,
                content_length: body_len > 0,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn the_model_violates_no_rule(d in distribution(), r in request()) {
        let dec = decide(&d, &r);
        prop_assert_eq!(&dec, &decide(&d, &r), "decide() is not deterministic");
        let o = Outcome::from_decision(&d, &r, &dec, 1234);
        let violations: Vec<_> = judge(&d, &r, &o).into_iter().filter(|v| !v.info).collect();
        prop_assert!(violations.is_empty(), "decision {:?}\nviolations {:?}", dec, violations);
    }
}

/// Found by the `decide` and `location` fuzzers: a `Host` whose `]` is followed by a multi-byte
/// character made `valid_host_name` slice inside that character (a panic any viewer could trigger).
/// HOST-ROUTE: such a Host is malformed, so the answer is 403.
#[test]
fn bracketed_host_followed_by_a_multibyte_character_is_refused() {
    let d = Distribution::from_yaml(
        "domain: d1.cloudfront.net\norigins: {o: {type: s3}}\ndefault_behavior: {viewer_protocol_policy: allow-all, origin: o}\n",
    )
    .unwrap();
    for host in ["[]é", "[::1]\u{fffd}", "[a]é:80"] {
        let r = Request::new(Method::Get, Scheme::Http, host, "/");
        assert_eq!(
            edgeconform_core::distribution::valid_host_name(host),
            None,
            "{host:?}"
        );
        assert_eq!(decide(&d, &r).status(), Some(403), "{host:?}");
    }
}
