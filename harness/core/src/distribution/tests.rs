use super::*;
use proptest::prelude::*;

/// HOST-ROUTE as first written (lowercase copy, label by label): the oracle for the version
/// that compares without allocating.
fn reference_valid_host_name(host: &str) -> Option<String> {
    let name = host_without_port(host);
    if name.len() < host.len() {
        let port = host[name.len()..].strip_prefix(':')?;
        if !port.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    for label in name.split('.') {
        if label.is_empty()
            || label.len() > 63
            || label.starts_with('-')
            || label.ends_with('-')
            || !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return None;
        }
    }
    Some(name.to_ascii_lowercase())
}

fn reference_routes_host(d: &Distribution, host: &str) -> bool {
    let Some(name) = reference_valid_host_name(host) else {
        return false;
    };
    name == d.domain
        || d.aliases.iter().any(|a| match a.strip_prefix("*.") {
            Some(suffix) => {
                name.len() > suffix.len() + 1
                    && name.ends_with(suffix)
                    && name.as_bytes()[name.len() - suffix.len() - 1] == b'.'
            }
            None => *a == name,
        })
}

fn dist(domain: &str, aliases: &[&str]) -> Distribution {
    let mut d = Distribution::from_yaml(
        "domain: d1.cloudfront.net\norigins: {o: {type: s3}}\ndefault_behavior: {viewer_protocol_policy: allow-all, origin: o}\n",
    )
    .expect("valid distribution");
    d.domain = domain.into();
    d.aliases = aliases.iter().map(|a| a.to_string()).collect();
    d
}

#[test]
fn host_route_examples() {
    let d = dist(
        "d1.cloudfront.net",
        &["www.example.com", "*.media.example.com"],
    );
    for (host, routed) in [
        ("d1.cloudfront.net", true),
        ("D1.CloudFront.NET:8080", true),
        ("d1.cloudfront.net.", true),
        ("www.example.com", true),
        ("a.media.example.com", true),
        ("A.b.MEDIA.example.com:443", true),
        ("media.example.com", false),
        (".media.example.com", false),
        ("amedia.example.com", false),
        // `port = *DIGIT` (RFC 9110 section 7.2): an empty port is no port (RFC 3986 section
        // 6.2.3), and one over 65535 is still a port by the grammar; the port is ignored.
        ("d1.cloudfront.net:", true),
        ("d1.cloudfront.net:65536", true),
        ("d1.cloudfront.net:99999999", true),
        ("d1.cloudfront.net:8o", false),
        ("d1.cloudfront.net:-1", false),
        ("-a.media.example.com", false),
        ("a-.media.example.com", false),
        ("a..media.example.com", false),
        ("[::1]", false),
        ("", false),
    ] {
        assert_eq!(d.routes_host(host), routed, "{host:?}");
        assert_eq!(reference_routes_host(&d, host), routed, "{host:?}");
    }
    // A configured name that is not lowercase matches nothing, even spelled the same.
    let upper = dist("D1.example.com", &["WWW.example.com"]);
    for host in ["D1.example.com", "WWW.example.com", "d1.example.com"] {
        assert!(!upper.routes_host(host), "{host:?}");
        assert!(!reference_routes_host(&upper, host), "{host:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// HOST-ROUTE: the validation and comparison without a lowercase copy agree with the
    /// original, for hosts made of the bytes that matter (case, dots, hyphens, ports, brackets,
    /// a non-ASCII character) and configurations whose names need not be lowercase.
    #[test]
    fn host_route_agrees_with_reference(
        host in "[aAbB.\\-:0-9\\[\\]é]{0,14}",
        domain in "[aAbB.-]{0,6}",
        alias in "(\\*\\.)?[aAbB.-]{0,6}",
    ) {
        let d = dist(&domain, &[&alias]);
        prop_assert_eq!(valid_host_name(&host), reference_valid_host_name(&host));
        prop_assert_eq!(d.routes_host(&host), reference_routes_host(&d, &host));
    }

    /// PAT-ORDER: the block-wise selection picks what a plain first-match scan picks, for any
    /// number of behaviors (full blocks of four and a rest), `is_default` anywhere.
    #[test]
    fn select_behavior_is_first_match(
        behaviors in proptest::collection::vec(("/?[ab]{0,9}[*?]?[ab/]{0,3}", proptest::bool::weighted(0.1)), 0..14),
        path in "/[ab/]{0,12}",
    ) {
        let mut d = dist("d1.cloudfront.net", &[]);
        let default = d.behaviors.pop().expect("the default behavior");
        for (raw, is_default) in &behaviors {
            let raw = if raw.is_empty() { "*" } else { raw.as_str() };
            d.behaviors.push(Behavior {
                path_pattern: PathPattern::parse(raw).expect("valid pattern"),
                is_default: *is_default,
                ..default.clone()
            });
        }
        d.behaviors.push(default);
        let want = d
            .behaviors
            .iter()
            .position(|b| b.is_default || b.path_pattern.matches(path.as_bytes()))
            .unwrap_or(d.behaviors.len() - 1);
        prop_assert_eq!(d.select_behavior(path.as_bytes()), want);
    }

    /// Labels around the 63-byte limit, and names around the 253-byte one.
    #[test]
    fn long_labels_agree_with_reference(
        labels in proptest::collection::vec("[a-z]{1,3}|[a-z]{61,65}", 1..6),
        suffix in "\\.?(:[0-9]{1,6})?",
    ) {
        let host = labels.join(".") + &suffix;
        prop_assert_eq!(valid_host_name(&host), reference_valid_host_name(&host));
    }

    /// Routed names, including wildcard aliases, are found in any case.
    #[test]
    fn routed_names_agree(label in "[a-zA-Z0-9]{1,5}", port in proptest::option::of(0u16..)) {
        let d = dist("d1.cloudfront.net", &["*.media.example.com", "www.example.com"]);
        for base in ["d1.cloudfront.net", "media.example.com", "www.example.com"] {
            let mut host = format!("{label}.{base}");
            if let Some(p) = port {
                host.push_str(&format!(":{p}"));
            }
            prop_assert_eq!(d.routes_host(&host), reference_routes_host(&d, &host));
            prop_assert_eq!(d.routes_host(base), reference_routes_host(&d, base));
        }
    }
}
