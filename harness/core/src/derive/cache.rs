//! Caching edges: per behavior, a fill and then the request under test, on a path of its own so
//! that no other case meets the entry. The origin lets caches keep these answers (`cacheable`).
//! An edge that does not cache forwards both requests, which is served too, so every probe passes
//! there; a caching edge may answer the second from its cache (CACHE-HIT-SERVED), whatever the
//! scheme the entry was filled for (CACHE-KEY-PROTOCOL), but never an unsafe method
//! (CACHE-NEVER-UNSAFE) and never before the viewer protocol policy (CACHE-POLICY-FIRST).

use super::probe::{Probe, Req};
use super::sample::{pattern_text, selects};
use super::Ctx;
use crate::distribution::{Distribution, ViewerProtocolPolicy as P};
use crate::request::{Method, Scheme};
use crate::rules::RuleId as R;

/// Object size the origin serves for a cache probe.
const CACHED_OBJECT: u64 = 64;

pub(super) fn probes(cx: &mut Ctx) {
    let reachable = cx.reachable();
    let default_origin = cx.dist.behaviors.last().map(|d| d.origin);
    // A cached object answering HTTP under a behavior that uses the default behavior's origin
    // looks the same as a misread pattern falling through to the default: the policy-first
    // probes go where that cannot be, when the distribution has such a behavior for the policy.
    let distinct = |policy: P| {
        reachable.iter().any(|&(bi, _)| {
            let b = &cx.dist.behaviors[bi];
            b.viewer_protocol_policy == policy && Some(b.origin) != default_origin
        })
    };
    let elsewhere = Elsewhere {
        redirect: distinct(P::RedirectToHttps),
        https_only: distinct(P::HttpsOnly),
        default_origin,
    };
    for (bi, _) in reachable.clone() {
        let b = &cx.dist.behaviors[bi];
        let about = format!("{} ({})", pattern_text(b), b.viewer_protocol_policy);
        let mut wanted: Vec<Wanted> = Vec::new();
        if let Some(p) = cache_path(cx.dist, bi, "hit") {
            wanted.push(Wanted::new(
                "hit",
                Req::new(Method::Get, Scheme::Https, &p),
                None,
                None,
                vec![R::CacheHitServed, R::VppHttpsServed],
            ));
        }
        policy_probes(cx.dist, bi, &elsewhere, &mut wanted);
        unsafe_probes(cx.dist, bi, &mut wanted);
        let s = cx.slugs[bi].clone();
        for w in wanted {
            push(cx, &s, &about, w);
        }
    }
}

/// Whether the distribution has a redirect-to-https and an https-only behavior on another
/// origin than the default behavior's, and that origin.
struct Elsewhere {
    redirect: bool,
    https_only: bool,
    default_origin: Option<usize>,
}

/// CACHE-KEY-PROTOCOL under allow-all (the entry filled over the other scheme), else
/// CACHE-POLICY-FIRST (a GET and a HEAD over HTTP after a fill over HTTPS).
fn policy_probes(dist: &Distribution, bi: usize, elsewhere: &Elsewhere, wanted: &mut Vec<Wanted>) {
    let b = &dist.behaviors[bi];
    let get =
        |kind: &str, scheme| cache_path(dist, bi, kind).map(|p| Req::new(Method::Get, scheme, &p));
    match b.viewer_protocol_policy {
        P::AllowAll => {
            if let Some(r) = get("key-http-viewer", Scheme::Http) {
                let rules = vec![R::CacheKeyProtocol, R::VppAllowAll];
                wanted.push(Wanted::new(
                    "key-http-viewer",
                    r,
                    None,
                    Some(Scheme::Https),
                    rules,
                ));
            }
            if let Some(r) = get("key-https-viewer", Scheme::Https) {
                let rules = vec![R::CacheKeyProtocol, R::VppHttpsServed];
                wanted.push(Wanted::new(
                    "key-https-viewer",
                    r,
                    None,
                    Some(Scheme::Http),
                    rules,
                ));
            }
        }
        policy => {
            let (rule, elsewhere_too) = match policy {
                P::RedirectToHttps => (R::VppRedirectSafe, elsewhere.redirect),
                _ => (R::VppHttpsOnly, elsewhere.https_only),
            };
            let skip = elsewhere_too && Some(b.origin) == elsewhere.default_origin;
            for (kind, m) in [
                ("policy-first", Method::Get),
                ("policy-first-head", Method::Head),
            ] {
                if let Some(p) = cache_path(dist, bi, kind).filter(|_| !skip) {
                    let r = Req::new(m, Scheme::Http, &p);
                    let rules = vec![R::CachePolicyFirst, rule, R::LocEdgeOnly];
                    wanted.push(Wanted::new(
                        kind,
                        r,
                        Some(Method::Get),
                        Some(Scheme::Https),
                        rules,
                    ));
                }
            }
        }
    }
}

/// CACHE-NEVER-UNSAFE: a POST or PUT the behavior allows, after a cacheable GET of the same URL
/// and after the same request whose answer was marked cacheable.
fn unsafe_probes(dist: &Distribution, bi: usize, wanted: &mut Vec<Wanted>) {
    let b = &dist.behaviors[bi];
    for m in [Method::Post, Method::Put] {
        if !b.allowed_methods.contains(&m) {
            continue;
        }
        let kind = format!("never-unsafe-{}", m.as_str().to_ascii_lowercase());
        if let Some(p) = cache_path(dist, bi, &kind) {
            // After a cacheable GET of the same URL, and after the same request whose answer
            // was marked cacheable.
            let r = Req::new(m.clone(), Scheme::Https, &p);
            let rules = vec![R::CacheNeverUnsafe, R::VppHttpsServed, R::MthAllowed];
            wanted.push(Wanted::new(
                "never-unsafe",
                r,
                Some(Method::Get),
                None,
                rules.clone(),
            ));
            if let Some(p) = cache_path(dist, bi, &format!("{kind}-again")) {
                let r = Req::new(m, Scheme::Https, &p);
                wanted.push(Wanted::new("never-unsafe-again", r, None, None, rules));
            }
        }
    }
}

/// Names a wanted probe after the behavior (`s`, `about`) and its fill, and adds it.
fn push(cx: &mut Ctx, s: &str, about: &str, w: Wanted) {
    let Wanted {
        kind,
        req,
        method,
        scheme,
        rules,
    } = w;
    let fill = match (&method, scheme) {
        (None, None) => "the same request".to_string(),
        _ => format!(
            "a {} over {}",
            method.as_ref().unwrap_or(&req.method),
            scheme.unwrap_or(req.scheme).as_str().to_uppercase()
        ),
    };
    let method_slug = req.method.as_str().to_ascii_lowercase();
    let id = match kind {
        "never-unsafe" | "never-unsafe-again" => {
            format!("{s}-cache-{kind}-{method_slug}")
        }
        _ => format!("{s}-cache-{kind}"),
    };
    let mut p = Probe::new(
        id,
        format!("Under behavior {about}, after {fill} with a cacheable answer"),
        &rules,
        req,
    )
    .tag("cache");
    p.prime = Some((method, scheme));
    p.cacheable = true;
    p.object_size = Some(CACHED_OBJECT);
    cx.push(p);
}

/// One cache probe before it is named: the request under test, the method and scheme of its
/// fill (the request's own where `None`) and its rules.
struct Wanted {
    kind: &'static str,
    req: Req,
    method: Option<Method>,
    scheme: Option<Scheme>,
    rules: Vec<R>,
}

impl Wanted {
    fn new(
        kind: &'static str,
        req: Req,
        method: Option<Method>,
        scheme: Option<Scheme>,
        rules: Vec<R>,
    ) -> Wanted {
        Wanted {
            kind,
            req,
            method,
            scheme,
            rules,
        }
    }
}

/// A path that selects behavior `bi` and no other probe uses: the pattern's first `*` filled
/// with `edgeconform-cache-<kind>` (the default behavior: `/edgeconform-cache-<kind>`). `None`
/// when the pattern has no `*` (every path it matches is one another probe may use) or the model
/// selects another behavior for it.
fn cache_path(dist: &Distribution, bi: usize, kind: &str) -> Option<String> {
    let b = &dist.behaviors[bi];
    let path = if b.is_default {
        format!("/edgeconform-cache-{kind}")
    } else {
        let pattern = b.path_pattern.as_str();
        if !pattern.contains('*') {
            return None;
        }
        let filled = pattern
            .trim_start_matches('/')
            .replacen('*', &format!("edgeconform-cache-{kind}"), 1)
            .replace('*', "")
            .replace('?', "x");
        format!("/{filled}")
    };
    (selects(dist, &path) == Some(bi)).then_some(path)
}
