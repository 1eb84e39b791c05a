//! The redirect's `Location` (LOC-*) for each redirect-to-https behavior, and the `Host`
//! (HOST-ROUTE, LOC-SAFE) for the distribution: aliases and wildcard aliases routed, unknown and
//! malformed hosts refused and never redirected to, a missing Host on HTTP/1.0.

use super::probe::{Probe, Req};
use super::sample::{fill, pattern_text, Fill};
use super::Ctx;
use crate::decide::Action;
use crate::distribution::ViewerProtocolPolicy as P;
use crate::request::{HttpVersion, Method, Scheme};
use crate::rules::RuleId as R;

/// A host name that is valid but names no distribution.
const FOREIGN: &str = "evil.example";

pub(super) fn probes(cx: &mut Ctx) {
    for (bi, main) in cx.reachable() {
        let b = &cx.dist.behaviors[bi];
        if b.viewer_protocol_policy != P::RedirectToHttps {
            continue;
        }
        let at = Under {
            s: cx.slugs[bi].clone(),
            pat: pattern_text(b),
        };
        target(cx, &at, bi, &main);
        host(cx, &at, &main);
    }
    hosts(cx);
}

/// The redirect-to-https behavior a run of probes is about: its slug and its pattern as the
/// names show it.
struct Under {
    s: String,
    pat: String,
}

impl Under {
    /// Adds the probe `{slug}-location-{kind}` when its request is redirected.
    fn push(&self, cx: &mut Ctx, kind: &str, what: String, rules: &[R], r: Req) {
        if redirects(cx, &r) {
            let p = Probe::new(
                format!("{}-location-{kind}", self.s),
                format!("Under {}, {what}", self.pat),
                rules,
                r,
            )
            .tag("location");
            cx.push(p);
        }
    }
}

fn get(p: &str) -> Req {
    Req::new(Method::Get, Scheme::Http, p)
}

/// Whether the model answers `r` with a redirect.
fn redirects(cx: &Ctx, r: &Req) -> bool {
    matches!(cx.decide(r).action, Action::Respond(ref e) if e.location.is_some())
}

/// LOC-SCHEME, LOC-TARGET, LOC-SAFE: the Location is the same URL over https, with the
/// request-target as sent (query, escapes, length), never moved to another host by the path.
fn target(cx: &mut Ctx, at: &Under, bi: usize, main: &str) {
    at.push(
        cx,
        "is-https",
        "the Location is the same URL over https".into(),
        &[R::LocScheme, R::LocHost, R::LocTarget, R::LocEdgeOnly],
        get(main),
    );
    at.push(
        cx,
        "keeps-query",
        "the Location keeps the query byte for byte".into(),
        &[R::LocTarget],
        get(&format!("{main}?size=large&v=2")),
    );
    at.push(
        cx,
        "keeps-empty-query",
        "the Location keeps an empty query (a trailing `?`)".into(),
        &[R::LocTarget],
        get(&format!("{main}?")),
    );
    at.push(
        cx,
        "head-keeps-query",
        "a HEAD redirect keeps the query like a GET".into(),
        &[R::LocTarget, R::VppRedirectSafe],
        Req::new(Method::Head, Scheme::Http, &format!("{main}?a=1&b")),
    );
    // Escapes as sent: in the path where a wildcard can take them, always in the query.
    let escaped = cx.samples[bi]
        .iter()
        .find(|(f, _)| *f == Fill::MultiByte)
        .map_or(main.to_string(), |(_, p)| p.clone());
    at.push(
        cx,
        "keeps-escapes",
        "the Location keeps percent-escapes as sent, neither decoded nor re-encoded".into(),
        &[R::LocTarget],
        get(&format!("{escaped}?q=%7e%2F&r=caf%C3%A9%20")),
    );
    // A long target: padded path where `*` takes it, else a long query.
    let n = (cx.dist.limits.max_url_bytes / 4).min(2000) as u64;
    let mut long = get(main);
    long.pad_path = Some(n);
    if cx.selects(&long) != Some(bi) {
        long = get(&format!("{main}?q={}", "a".repeat(n as usize)));
    }
    at.push(
        cx,
        "long-target",
        format!("the Location carries a long request-target ({n} bytes more) whole"),
        &[R::LocTarget],
        long,
    );
    // A path that looks like an authority never moves the Location to another host.
    let raw = cx.dist.behaviors[bi].path_pattern.as_str().to_string();
    if raw.contains('*') {
        let p = fill(&raw.replacen('*', &format!("/{FOREIGN}/a"), 1), Fill::Slash);
        if cx.selects(&get(&p)) == Some(bi) {
            at.push(
                cx,
                "authority-lookalike",
                format!("a path like `//{FOREIGN}` never moves the Location to another host"),
                &[R::LocSafe, R::LocTarget],
                get(&p),
            );
        }
    }
}

/// LOC-HOST, HOST-ROUTE, LOC-SAFE: the Location names the Host the viewer sent (each alias, a
/// name under a wildcard alias, without its port, in its case); a foreign Host is refused.
fn host(cx: &mut Ctx, at: &Under, main: &str) {
    let Under { s, pat } = at;
    // The Host the viewer sent: each alias, a name under a wildcard alias, a port, its case.
    for a in cx.dist.aliases.clone() {
        let (host, kind) = match a.strip_prefix("*.") {
            Some(rest) => (
                format!("cdn.{rest}"),
                format!("wildcard-alias-{}", host_slug(rest)),
            ),
            None => (a.clone(), format!("alias-{}", host_slug(&a))),
        };
        at.push(
            cx,
            &kind,
            format!("the Location names the Host the viewer sent ({host}, alias {a})"),
            &[R::LocHost, R::HostRoute],
            get(main).host(&host),
        );
    }
    let named = concrete_host(cx);
    at.push(
        cx,
        "host-port-dropped",
        format!("the Location drops the port of the Host {named}:8080 and adds none"),
        &[R::LocHost],
        get(main).host(&format!("{named}:8080")),
    );
    at.push(
        cx,
        "host-default-port-dropped",
        format!("the Location drops the port of the Host {named}:80"),
        &[R::LocHost],
        get(main).host(&format!("{named}:80")),
    );
    at.push(
        cx,
        "host-keeps-case",
        "the Location carries the Host as sent, whatever its case".into(),
        &[R::LocHost, R::HostRoute],
        get(main).host(&mixed_case(&named)),
    );
    // The follow leg goes to the Host without its port.
    let mut pair = get(&format!("{main}?lang=en")).host(&format!("{named}:80"));
    pair.pad_path = None;
    if redirects(cx, &pair) {
        let mut p = Probe::new(format!("{s}-redirect-pair-host-port"), format!("Under {pat}, a redirect pair sent to {named}:80 follows the Location to {named} without the port"), &[R::BilRedirectPair, R::LocHost], pair).tag("redirect-pair");
        p.follow = true;
        p.object_size = Some(1200);
        cx.push(p);
    }
    // A foreign Host is refused, never redirected to.
    let foreign = get(main).host(FOREIGN);
    cx.push(
        Probe::new(
            format!("{s}-location-foreign-host-refused"),
            format!("Under {pat}, a Host naming another domain is refused, never redirected to it"),
            &[R::LocSafe, R::HostRoute],
            foreign,
        )
        .tag("location"),
    );
    cx.push(Probe::new(format!("{s}-location-userinfo-host-refused"), format!("Under {pat}, a Host with userinfo ({named}@{FOREIGN}) is refused before it can reach a Location"), &[R::LocSafe, R::HostRoute], get(main).host(&format!("{named}@{FOREIGN}"))).tag("location"));
}

/// HOST-ROUTE on the distribution as a whole: probes go to a redirect-to-https behavior over HTTP
/// where there is one (so a wrongly routed Host would show as a redirect), else to the default.
fn hosts(cx: &mut Ctx) {
    let reachable = cx.reachable();
    let Some((_, path)) = reachable
        .iter()
        .find(|(bi, _)| cx.dist.behaviors[*bi].viewer_protocol_policy == P::RedirectToHttps)
        .or(reachable.last())
        .cloned()
    else {
        return;
    };
    let http = |h: &str| Req::new(Method::Get, Scheme::Http, &path).host(h);
    let https = |h: &str| Req::new(Method::Get, Scheme::Https, &path).host(h);
    let dom = cx.dist.domain.clone();
    let route =
        |id: &str, what: String, rules: &[R], r: Req| Probe::new(id, what, rules, r).tag("host");
    cx.push(route(
        "host-unknown-refused",
        "A Host that is neither the domain nor an alias is refused".into(),
        &[R::HostRoute],
        https("unknown.example.org"),
    ));
    cx.push(route(
        "host-unknown-not-redirected",
        "An HTTP request to an unknown Host is refused before any redirect".into(),
        &[R::HostRoute, R::LocSafe],
        http(FOREIGN),
    ));
    cx.push(route(
        "host-domain-port-ignored",
        "The port of the Host plays no part in routing".into(),
        &[R::HostRoute],
        https(&format!("{dom}:443")),
    ));
    cx.push(route(
        "host-domain-case-insensitive",
        "Host routing is case-insensitive".into(),
        &[R::HostRoute],
        https(&mixed_case(&dom)),
    ));
    for a in cx.dist.aliases.clone() {
        match a.strip_prefix("*.") {
            Some(rest) => {
                let k = host_slug(rest);
                cx.push(route(
                    &format!("host-wildcard-alias-{k}-routed"),
                    format!("A name under the wildcard alias {a} is routed"),
                    &[R::HostRoute],
                    https(&format!("cdn.{rest}")),
                ));
                cx.push(route(
                    &format!("host-wildcard-alias-{k}-bare-refused"),
                    format!("The wildcard alias {a} does not cover {rest} itself"),
                    &[R::HostRoute],
                    https(rest),
                ));
            }
            None => {
                let k = host_slug(&a);
                cx.push(route(
                    &format!("host-alias-{k}-routed"),
                    format!("The alias {a} is served like the distribution's domain"),
                    &[R::HostRoute],
                    https(&a),
                ));
                if !cx.dist.routes_host(&format!("cdn.{a}")) {
                    cx.push(route(
                        &format!("host-alias-{k}-subdomain-refused"),
                        format!("A subdomain of the alias {a} is not the alias"),
                        &[R::HostRoute],
                        https(&format!("cdn.{a}")),
                    ));
                }
            }
        }
    }
    let named = concrete_host(cx);
    let mut missing = http("");
    missing.host = None;
    missing.omit_host = true;
    missing.version = Some(HttpVersion::Http10);
    cx.push(route(
        "host-missing-http10",
        "An HTTP/1.0 request without a Host is refused (403, or 400 as RFC 9112 allows)".into(),
        &[R::HostRoute],
        missing,
    ));
    cx.push(route("host-malformed-userinfo", format!("A Host with userinfo ({named}@{FOREIGN}) is refused and never reflected into a Location"), &[R::HostRoute, R::LocSafe], http(&format!("{named}@{FOREIGN}"))));
    cx.push(route("host-malformed-path", format!("A Host carrying a path ({named}/{FOREIGN}) is refused and never reflected into a Location"), &[R::HostRoute, R::LocSafe], http(&format!("{named}/{FOREIGN}"))));
    cx.push(route(
        "host-malformed-port",
        "A Host whose port is not a number is refused".into(),
        &[R::HostRoute],
        https(&format!("{named}:http")),
    ));
}

/// A Host the distribution routes: its first plain alias, a name under its first wildcard alias,
/// or its domain.
fn concrete_host(cx: &Ctx) -> String {
    let a = &cx.dist.aliases;
    a.iter()
        .find(|a| !a.starts_with("*."))
        .cloned()
        .or_else(|| a.first().map(|w| format!("cdn.{}", &w[2..])))
        .unwrap_or_else(|| cx.dist.domain.clone())
}

/// `www.example.com` → `WWW.example.COM`-like: every other label uppercased.
fn mixed_case(h: &str) -> String {
    h.split('.')
        .enumerate()
        .map(|(i, l)| {
            if i % 2 == 0 {
                l.to_ascii_uppercase()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn host_slug(h: &str) -> String {
    h.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}
