//! The mutant table reads back by name, and each mutant changes the answer to its own kind of
//! request.

use super::*;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::{Method, Request, Scheme};

fn standard() -> Distribution {
    let text = include_str!("../../../../../specs/distributions/standard.yaml");
    Distribution::from_yaml(text).unwrap()
}

fn get(scheme: Scheme, target: &str) -> Request {
    Request::new(Method::Get, scheme, "www.example.com", target)
}

#[test]
fn names_are_unique_kebab_case_and_parse_back() {
    let mut names: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
    for (m, n) in Mutant::ALL.iter().zip(&names) {
        assert!(
            n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{n}"
        );
        assert_eq!(n.parse::<Mutant>().unwrap(), *m);
        assert!(!m.rules().is_empty() && !m.description().is_empty(), "{n}");
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Mutant::ALL.len());
    let err = "redirect-999".parse::<Mutant>().unwrap_err();
    assert!(err.contains("edgeconform mutants"), "{err}");
}

#[test]
fn no_mutant_is_a_no_op_on_its_own_kind_of_request() {
    let dist = standard();
    let loc = |m: Mutant, r: &Request| decide(Some(m), &dist, r).location().map(String::from);
    let r = get(Scheme::Http, "/images/a.jpg?x=1");
    assert_eq!(
        decide(Some(Mutant::Redirect308), &dist, &r).status(),
        Some(308)
    );
    assert_eq!(
        loc(Mutant::LocationDropsQuery, &r).as_deref(),
        Some("https://www.example.com/images/a.jpg")
    );
    assert_eq!(
        loc(Mutant::LocationAddsPort, &r).as_deref(),
        Some("https://www.example.com:443/images/a.jpg?x=1")
    );
    let mut ported = r.clone();
    ported.host = Some("www.example.com:80".into());
    assert_eq!(
        loc(Mutant::LocationKeepsPort, &ported).as_deref(),
        Some("https://www.example.com:80/images/a.jpg?x=1")
    );
    let post = Request::new(Method::Post, Scheme::Http, "www.example.com", "/api/x");
    assert_eq!(
        decide(Some(Mutant::RedirectsUnsafeMethods), &dist, &post).status(),
        Some(301)
    );
    // /images/a.png: first match /images/* (redirect), last match /images/*.png (https-only).
    let png = get(Scheme::Http, "/images/a.png");
    assert_eq!(decide(None, &dist, &png).status(), Some(301));
    assert_eq!(
        decide(Some(Mutant::LastMatchWins), &dist, &png).status(),
        Some(403)
    );
    let docs = get(Scheme::Http, "/docs/a.html");
    assert_eq!(
        decide(Some(Mutant::CaseInsensitivePatterns), &dist, &docs).status(),
        Some(403)
    );
    let deep = get(Scheme::Http, "/images/a/b.jpg");
    assert_eq!(
        decide(Some(Mutant::StarStopsAtSlash), &dist, &deep).status(),
        None
    );
    let site = get(Scheme::Https, "/site/index.html");
    let f = decide(Some(Mutant::WebsiteOriginHttps), &dist, &site);
    assert_eq!(f.forward().unwrap().protocol, Scheme::Https);
}
