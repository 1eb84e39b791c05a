//! Per behavior: its viewer protocol policy over HTTP for GET, HEAD and the unsafe methods, HTTPS
//! served, its AllowedMethods (a refused method does not fall through to a later behavior, an
//! allowed one is forwarded) and the billing of each (a redirect pair, a refusal, a proxy
//! request).

use super::probe::{Probe, Req};
use super::sample::pattern_text;
use super::{Ctx, OBJECT_SIZE, UNSAFE};
use crate::decide::Action;
use crate::distribution::{MethodSet, ViewerProtocolPolicy as P};
use crate::normalize::normalize_path;
use crate::request::{HttpVersion, Method, Scheme};
use crate::rules::RuleId as R;

/// The rules a policy probe rests on, as the model's decision names them.
const VPP: [R; 9] = [
    R::VppAllowAll,
    R::VppRedirectSafe,
    R::VppRedirectUnsafe,
    R::VppHttpsOnly,
    R::VppHttpsServed,
    R::VppPerBehavior,
    R::MthAllowed,
    R::LocScheme,
    R::LocEdgeOnly,
];

pub(super) fn probes(cx: &mut Ctx) {
    for (bi, path) in cx.reachable() {
        let b = &cx.dist.behaviors[bi];
        let on = On {
            bi,
            s: cx.slugs[bi].clone(),
            about: format!("{} ({})", pattern_text(b), b.viewer_protocol_policy),
            policy: b.viewer_protocol_policy,
            allowed: b.allowed_methods,
        };
        http(cx, &on, &path);
        https(cx, &on, &path);
        not_allowed(cx, &on, &path);
        redirect_pair(cx, &on, &path);
    }
}

/// The behavior a run of probes is about.
struct On {
    bi: usize,
    /// Its slug (probe ids start with it) and how the names show it: pattern (policy).
    s: String,
    about: String,
    policy: P,
    allowed: MethodSet,
}

impl On {
    /// A probe of the policy: its rules are those of [`VPP`] the model's decision names, and
    /// `extra`.
    fn policy_probe(&self, cx: &Ctx, id: String, req: Req, extra: &[R]) -> Probe {
        let d = cx.decide(&req);
        let mut rules: Vec<R> = d
            .rules
            .iter()
            .copied()
            .filter(|r| VPP.contains(r))
            .collect();
        for r in extra {
            if !rules.contains(r) {
                rules.push(*r);
            }
        }
        Probe::new(id, format!("Under behavior {}", self.about), &rules, req).tag("vpp")
    }
}

/// HTTP: GET and HEAD always; the unsafe methods too where the policy answers them itself;
/// HTTP/1.0 gets the same answer (under `current`, the 403 for unsafe methods).
fn http(cx: &mut Ctx, b: &On, path: &str) {
    let s = &b.s;
    let mut http: Vec<Method> = vec![Method::Get, Method::Head, Method::Post];
    if b.policy != P::AllowAll {
        http.extend([Method::Put, Method::Patch, Method::Delete, Method::Options]);
    }
    for m in http {
        let req = Req::new(m.clone(), Scheme::Http, path);
        let mut extra = vec![];
        let mut object = None;
        if m == Method::Get {
            // The policy's answer is also a billable response: one HTTP request, no object
            // bytes unless the origin served it.
            extra.extend([R::BilPerResponse]);
            if b.policy == P::HttpsOnly {
                extra.push(R::BilRefusal);
            }
            object = Some(OBJECT_SIZE);
        }
        let id = format!("{s}-http-{}", m.as_str().to_ascii_lowercase());
        let mut p = b.policy_probe(cx, id, req, &extra);
        p.object_size = object;
        cx.push(p);
    }
    // HTTP/1.0: the same answer (under `current`, the 403 for unsafe methods).
    for m in [Method::Get, Method::Post] {
        let req = Req::new(m.clone(), Scheme::Http, path).version(HttpVersion::Http10);
        let id = format!("{s}-http10-{}", m.as_str().to_ascii_lowercase());
        let p = b.policy_probe(cx, id, req, &[]);
        cx.push(p);
    }
}

/// HTTPS: served, whatever the policy; a forwarded GET carries the object. Allowed methods
/// beyond GET and HEAD are forwarded (and billed as proxy requests).
fn https(cx: &mut Ctx, b: &On, path: &str) {
    let s = &b.s;
    let mut p = b.policy_probe(
        cx,
        format!("{s}-https-get"),
        Req::new(Method::Get, Scheme::Https, path),
        &[R::BilPerResponse],
    );
    p.object_size = Some(OBJECT_SIZE);
    cx.push(p);
    // Allowed methods beyond GET and HEAD are forwarded (and billed as proxy requests).
    for m in UNSAFE.iter().filter(|m| b.allowed.contains(m)) {
        let req = Req::new(m.clone(), Scheme::Https, path);
        let id = format!("{s}-https-{}", m.as_str().to_ascii_lowercase());
        let p = b.policy_probe(cx, id, req, &[R::MthAllowed, R::BilPerResponse]);
        cx.push(p);
    }
}

/// A method outside AllowedMethods is refused over HTTPS and never falls through to a later
/// behavior that would allow it.
fn not_allowed(cx: &mut Ctx, b: &On, path: &str) {
    let (s, about, bi) = (&b.s, &b.about, b.bi);
    if let Some(m) = UNSAFE.iter().find(|m| !b.allowed.contains(m)) {
        let norm = normalize_path(path.as_bytes());
        let later = cx.dist.behaviors[bi + 1..].iter().find(|l| {
            (l.is_default || l.path_pattern.matches(&norm)) && l.allowed_methods.contains(m)
        });
        let what = match later {
            Some(l) => format!(
                "Under behavior {about}, {m} is not allowed and does not fall through to {}, which allows it",
                pattern_text(l)
            ),
            None => format!("Under behavior {about}, {m} is not allowed"),
        };
        let req = Req::new(m.clone(), Scheme::Https, path);
        let id = format!("{s}-https-{}-not-allowed", m.as_str().to_ascii_lowercase());
        let mut p = Probe::new(
            id,
            what,
            &[
                R::MthAllowed,
                R::LocEdgeOnly,
                R::BilRefusal,
                R::BilPerResponse,
            ],
            req,
        )
        .tag("methods");
        p.object_size = Some(OBJECT_SIZE);
        cx.push(p);
    }
}

/// redirect-to-https: the redirect pair, billed as two requests with the object only on the
/// HTTPS leg; a HEAD pair carries no object at all.
fn redirect_pair(cx: &mut Ctx, b: &On, path: &str) {
    let (s, about) = (&b.s, &b.about);
    if b.policy == P::RedirectToHttps {
        for (m, id) in [
            (Method::Get, "redirect-pair"),
            (Method::Head, "redirect-pair-head"),
        ] {
            let req = Req::new(m, Scheme::Http, path);
            if !matches!(cx.decide(&req).action, Action::Respond(ref e) if e.location.is_some()) {
                continue;
            }
            let mut p = Probe::new(
                format!("{s}-{id}"),
                format!("Under behavior {about}, a redirect pair is two billable requests and only the HTTPS leg carries the object"),
                &[R::BilRedirectPair, R::BilPerResponse, R::LocEdgeOnly],
                req,
            )
            .tag("redirect-pair");
            p.follow = true;
            p.object_size = Some(5000);
            cx.push(p);
        }
    }
}
