//! The full decision table as an insta snapshot: ruleset × policy × AllowedMethods × scheme ×
//! method (the seven, plus one unsupported) × HTTP version, and the origin-protocol table (origin
//! type × viewer protocol policy × scheme). Every row was reviewed against RULES.md.

use edgeconform_core::decide::{decide, Action};
use edgeconform_core::distribution::{Distribution, Ruleset, ViewerProtocolPolicy};
use edgeconform_core::{HttpVersion, Method, Request, Scheme};
use std::fmt::Write;

fn dist(ruleset: Ruleset, policy: ViewerProtocolPolicy, allowed: &str) -> Distribution {
    let yaml = format!(
        "domain: d1.cloudfront.net\naliases: [www.example.com]\nruleset: {}\norigins:\n  o: {{type: s3}}\n\
         default_behavior:\n  viewer_protocol_policy: {}\n  allowed_methods: {allowed}\n  origin: o\n",
        ruleset.as_str(),
        policy.as_str()
    );
    Distribution::from_yaml(&yaml).unwrap()
}

fn row(d: &Distribution, req: &Request) -> String {
    let dec = decide(d, req);
    let rules: Vec<&str> = dec.rules.iter().map(|r| r.as_str()).collect();
    let what = match &dec.action {
        Action::Respond(r) => match &r.location {
            Some(l) => format!("{} {l}", r.status),
            None => format!("{}", r.status),
        },
        Action::Forward(f) => format!("forward {}:{} {}", f.protocol, f.port, f.target),
    };
    format!("{what:<45} {}", rules.join(","))
}

#[test]
fn viewer_decision_table() {
    let mut out = String::new();
    let mut methods: Vec<Method> = Method::SUPPORTED.to_vec();
    methods.push(Method::Other("TRACE".into()));
    for ruleset in [Ruleset::Classic, Ruleset::Current] {
        for policy in ViewerProtocolPolicy::ALL {
            for allowed in [
                "[GET, HEAD]",
                "[GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE]",
            ] {
                let d = dist(ruleset, policy, allowed);
                let short = if allowed.len() < 12 { "GH" } else { "ALL" };
                for scheme in Scheme::ALL {
                    for m in &methods {
                        for version in HttpVersion::ALL {
                            // HTTP/2 needs TLS: there is no HTTP/2 over plain HTTP.
                            if scheme == Scheme::Http && version == HttpVersion::Http2 {
                                continue;
                            }
                            let mut req =
                                Request::new(m.clone(), scheme, "www.example.com", "/a?q=1");
                            req.version = version;
                            writeln!(
                                out,
                                "{:<7} {:<17} {:<3} {:<5} {:<7} {:<3} | {}",
                                ruleset.as_str(),
                                policy.as_str(),
                                short,
                                scheme.as_str(),
                                m.as_str(),
                                version.as_str(),
                                row(&d, &req)
                            )
                            .unwrap();
                        }
                    }
                }
            }
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn origin_protocol_table() {
    let origins = [
        "{type: s3}",
        "{type: s3-website}",
        "{type: s3-website, http_port: 8080}",
        "{type: custom, protocol_policy: http-only, http_port: 8080, https_port: 8443}",
        "{type: custom, protocol_policy: https-only, http_port: 8080, https_port: 8443}",
        "{type: custom, protocol_policy: match-viewer, http_port: 8080, https_port: 8443, origin_path: /v1}",
    ];
    let mut out = String::new();
    for o in origins {
        for policy in ViewerProtocolPolicy::ALL {
            let yaml = format!(
                "domain: d1.cloudfront.net\norigins:\n  o: {o}\ndefault_behavior:\n  viewer_protocol_policy: {}\n  origin: o\n  forward_cloudfront_proto: true\n",
                policy.as_str()
            );
            let d = Distribution::from_yaml(&yaml).unwrap();
            for scheme in Scheme::ALL {
                let req = Request::new(Method::Get, scheme, "d1.cloudfront.net", "/x/y?z");
                let dec = decide(&d, &req);
                let what = match &dec.action {
                    Action::Forward(f) => format!(
                        "{}:{} {} cf-proto={}",
                        f.protocol,
                        f.port,
                        f.target,
                        f.cloudfront_forwarded_proto.map_or("-", |s| s.as_str())
                    ),
                    Action::Respond(r) => format!("edge {}", r.status),
                };
                writeln!(
                    out,
                    "{o:<90} {:<17} {:<5} | {what}",
                    policy.as_str(),
                    scheme.as_str()
                )
                .unwrap();
            }
        }
    }
    insta::assert_snapshot!(out);
}
