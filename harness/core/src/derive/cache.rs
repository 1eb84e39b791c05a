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
    let (redirect_elsewhere, https_only_elsewhere) =
        (distinct(P::RedirectToHttps), distinct(P::HttpsOnly));
    for (bi, _) in reachable.clone() {
        let b = cx.dist.behaviors[bi].clone();
        let s = cx.slugs[bi].clone();
        let about = format!("{} ({})", pattern_text(&b), b.viewer_protocol_policy);
        let mut wanted: Vec<Wanted> = Vec::new();
        let get = |kind: &str, scheme| {
            cache_path(cx.dist, bi, kind).map(|p| Req::new(Method::Get, scheme, &p))
        };
        if let Some(r) = get("hit", Scheme::Https) {
            wanted.push(Wanted::new(
                "hit",
                r,
                None,
                None,
                vec![R::CacheHitServed, R::VppHttpsServed],
            ));
        }
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
                let (rule, elsewhere) = match policy {
                    P::RedirectToHttps => (R::VppRedirectSafe, redirect_elsewhere),
                    _ => (R::VppHttpsOnly, https_only_elsewhere),
                };
                let skip = elsewhere && Some(b.origin) == default_origin;
                for (kind, m) in [
                    ("policy-first", Method::Get),
                    ("policy-first-head", Method::Head),
                ] {
                    if let Some(p) = cache_path(cx.dist, bi, kind).filter(|_| !skip) {
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
        for m in [Method::Post, Method::Put] {
            if !b.allowed_methods.contains(&m) {
                continue;
            }
            let kind = format!("never-unsafe-{}", m.as_str().to_ascii_lowercase());
            if let Some(p) = cache_path(cx.dist, bi, &kind) {
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
                if let Some(p) = cache_path(cx.dist, bi, &format!("{kind}-again")) {
                    let r = Req::new(m, Scheme::Https, &p);
                    wanted.push(Wanted::new("never-unsafe-again", r, None, None, rules));
                }
            }
        }
        for Wanted {
            kind,
            req,
            method,
            scheme,
            rules,
        } in wanted
        {
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
    }
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
