//! Per behavior: its viewer protocol policy over HTTP for GET, HEAD and the unsafe methods, HTTPS
//! served, its AllowedMethods (a refused method does not fall through to a later behavior, an
//! allowed one is forwarded) and the billing of each (a redirect pair, a refusal, a proxy
//! request).

use super::probe::{Probe, Req};
use super::sample::pattern_text;
use super::{Ctx, OBJECT_SIZE, UNSAFE};
use crate::decide::Action;
use crate::distribution::ViewerProtocolPolicy as P;
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
        let b = cx.dist.behaviors[bi].clone();
        let s = cx.slugs[bi].clone();
        let about = format!("{} ({})", pattern_text(&b), b.viewer_protocol_policy);
        let policy_probe = |cx: &Ctx, id: String, req: Req, extra: &[R]| {
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
            Probe::new(id, format!("Under behavior {about}"), &rules, req).tag("vpp")
        };

        // HTTP: GET and HEAD always; the unsafe methods too where the policy answers them itself.
        let mut http: Vec<Method> = vec![Method::Get, Method::Head, Method::Post];
        if b.viewer_protocol_policy != P::AllowAll {
            http.extend([Method::Put, Method::Patch, Method::Delete, Method::Options]);
        }
        for m in http {
            let req = Req::new(m.clone(), Scheme::Http, &path);
            let mut extra = vec![];
            let mut object = None;
            if m == Method::Get {
                // The policy's answer is also a billable response: one HTTP request, no object
                // bytes unless the origin served it.
                extra.extend([R::BilPerResponse]);
                if b.viewer_protocol_policy == P::HttpsOnly {
                    extra.push(R::BilRefusal);
                }
                object = Some(OBJECT_SIZE);
            }
            let id = format!("{s}-http-{}", m.as_str().to_ascii_lowercase());
            let mut p = policy_probe(cx, id, req, &extra);
            p.object_size = object;
            cx.push(p);
        }
        // HTTP/1.0: the same answer (under `current`, the 403 for unsafe methods).
        for m in [Method::Get, Method::Post] {
            let req = Req::new(m.clone(), Scheme::Http, &path).version(HttpVersion::Http10);
            let id = format!("{s}-http10-{}", m.as_str().to_ascii_lowercase());
            let p = policy_probe(cx, id, req, &[]);
            cx.push(p);
        }

        // HTTPS: served, whatever the policy; a forwarded GET carries the object.
        let mut p = policy_probe(
            cx,
            format!("{s}-https-get"),
            Req::new(Method::Get, Scheme::Https, &path),
            &[R::BilPerResponse],
        );
        p.object_size = Some(OBJECT_SIZE);
        cx.push(p);
        // Allowed methods beyond GET and HEAD are forwarded (and billed as proxy requests).
        for m in UNSAFE.iter().filter(|m| b.allowed_methods.contains(m)) {
            let req = Req::new(m.clone(), Scheme::Https, &path);
            let id = format!("{s}-https-{}", m.as_str().to_ascii_lowercase());
            let p = policy_probe(cx, id, req, &[R::MthAllowed, R::BilPerResponse]);
            cx.push(p);
        }
        // A method outside AllowedMethods is refused over HTTPS and never falls through to a
        // later behavior that would allow it.
        if let Some(m) = UNSAFE.iter().find(|m| !b.allowed_methods.contains(m)) {
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
            let req = Req::new(m.clone(), Scheme::Https, &path);
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

        // redirect-to-https: the redirect pair, billed as two requests with the object only on
        // the HTTPS leg; a HEAD pair carries no object at all.
        if b.viewer_protocol_policy == P::RedirectToHttps {
            for (m, id) in [
                (Method::Get, "redirect-pair"),
                (Method::Head, "redirect-pair-head"),
            ] {
                let req = Req::new(m, Scheme::Http, &path);
                if !matches!(cx.decide(&req).action, Action::Respond(ref e) if e.location.is_some())
                {
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
}
