//! The decision of a mutant edge: the core's `decide()` on what the buggy edge sees (a
//! distribution with its behaviors rewritten, the one behavior the buggy matcher picks, a request
//! with the body ignored), then the buggy step's edit of the decision (the status, the
//! `Location`, the protocol towards the origin, the path it receives).

use edgeconform_core::decide::{
    decide as core_decide, redirect_location, Action, Decision, EdgeResponse, Forward,
};
use edgeconform_core::distribution::{
    Behavior, Distribution, MethodSet, OriginKind, ViewerProtocolPolicy,
};
use edgeconform_core::misread::Misreading;
use edgeconform_core::normalize::normalize_path;
use edgeconform_core::pattern::PathPattern;
use edgeconform_core::request::host_without_port;
use edgeconform_core::{Method, Request, Scheme};

use super::Mutant;

/// What the edge decides for `req`: the core's decision, or the mutant's.
pub(crate) fn decide(mutant: Option<Mutant>, dist: &Distribution, req: &Request) -> Decision {
    match mutant {
        None => core_decide(dist, req),
        Some(m) => m.decide(dist, req),
    }
}

impl Mutant {
    fn decide(self, dist: &Distribution, req: &Request) -> Decision {
        let mut d = self.decide_as_seen(dist, req);
        self.edit(dist, req, &mut d);
        d
    }

    /// The core's decision on what the buggy edge sees: another host routed, no size limits,
    /// a GET's body ignored, the behavior a buggy matcher picks, the behaviors rewritten.
    fn decide_as_seen(self, dist: &Distribution, req: &Request) -> Decision {
        use Mutant::*;
        match self {
            AnyHost if !req.host.as_deref().is_some_and(|h| dist.routes_host(h)) => {
                // Served as if the domain had been asked for; Location still echoes the Host.
                let routed = Request {
                    host: Some(dist.domain.clone()),
                    ..req.clone()
                };
                let mut d = core_decide(dist, &routed);
                if let Action::Respond(r) = &mut d.action {
                    r.location = r.location.as_ref().map(|_| redirect_location(req));
                }
                d
            }
            NoSizeLimits => {
                let mut unlimited = dist.clone();
                unlimited.limits.max_head_bytes = usize::MAX;
                unlimited.limits.max_url_bytes = usize::MAX;
                core_decide(&unlimited, req)
            }
            ForwardsGetBody if req.method == Method::Get => core_decide(
                dist,
                &Request {
                    body_len: 0,
                    ..req.clone()
                },
            ),
            LastMatchWins
            | CaseInsensitivePatterns
            | StarStopsAtSlash
            | UnanchoredPatterns
            | LeadingSlashRequired
            | QueryInMatching
            | RawPathMatching => {
                let bi = self.select(dist, req);
                decide_as(dist, bi, req)
            }
            AllowAllEverywhere => core_decide(
                &rewrite(dist, |b| {
                    b.viewer_protocol_policy = ViewerProtocolPolicy::AllowAll
                }),
                req,
            ),
            HttpsOnlyRedirects => core_decide(
                &rewrite(dist, |b| {
                    if b.viewer_protocol_policy == ViewerProtocolPolicy::HttpsOnly {
                        b.viewer_protocol_policy = ViewerProtocolPolicy::RedirectToHttps;
                    }
                }),
                req,
            ),
            HttpsOnlyRefusesGetOnly if req.method != Method::Get => core_decide(
                &rewrite(dist, |b| {
                    if b.viewer_protocol_policy == ViewerProtocolPolicy::HttpsOnly {
                        b.viewer_protocol_policy = ViewerProtocolPolicy::AllowAll;
                    }
                }),
                req,
            ),
            IgnoresAllowedMethods => {
                core_decide(&rewrite(dist, |b| b.allowed_methods = MethodSet::ALL), req)
            }
            _ => core_decide(dist, req),
        }
    }

    /// The buggy step's edit of the decision: the status, the `Location`, the protocol and
    /// path towards the origin.
    fn edit(self, dist: &Distribution, req: &Request, d: &mut Decision) {
        use Mutant::*;
        let policy = d.behavior.map(|b| dist.behaviors[b].viewer_protocol_policy);
        let http_redirect_behavior =
            req.scheme == Scheme::Http && policy == Some(ViewerProtocolPolicy::RedirectToHttps);
        match &mut d.action {
            Action::Respond(r) => {
                match self {
                    Redirect302 | Redirect307 | Redirect308 if r.status == 301 => {
                        r.status = match self {
                            Redirect302 => 302,
                            Redirect307 => 307,
                            _ => 308,
                        };
                    }
                    RedirectsUnsafeMethods if http_redirect_behavior && !req.method.is_safe() => {
                        *r = EdgeResponse::redirect(301, redirect_location(req));
                    }
                    RefusesHead if http_redirect_behavior && req.method == Method::Head => {
                        *r = EdgeResponse::refusal(403, "Error");
                    }
                    _ => {}
                }
                if let Some(l) = &mut r.location {
                    self.rewrite_location(dist, req, l);
                }
            }
            Action::Forward(f) => self.rewrite_forward(dist, req, f),
        }
    }

    /// The behavior a buggy matcher selects (the default when nothing else matches): the
    /// core's reading of the patterns that the judge names for this bug.
    fn select(self, dist: &Distribution, req: &Request) -> usize {
        let reading = match self {
            Mutant::LastMatchWins => Misreading::LastMatch,
            Mutant::CaseInsensitivePatterns => Misreading::CaseInsensitive,
            Mutant::StarStopsAtSlash => Misreading::StarStopsAtSlash,
            Mutant::UnanchoredPatterns => Misreading::Unanchored,
            Mutant::LeadingSlashRequired => Misreading::SlashRequired,
            Mutant::QueryInMatching => Misreading::MatchesQuery,
            Mutant::RawPathMatching => Misreading::RawPath,
            _ => return dist.select_behavior(&normalize_path(req.path().as_bytes())),
        };
        reading
            .select(dist, req)
            .unwrap_or(dist.behaviors.len() - 1)
    }

    fn rewrite_location(self, dist: &Distribution, req: &Request, location: &mut String) {
        let host = req.host.as_deref().unwrap_or("");
        match self {
            Mutant::LocationDropsQuery => {
                if let Some(i) = location.find('?') {
                    location.truncate(i);
                }
            }
            Mutant::LocationKeepsPort => *location = format!("https://{host}{}", req.target),
            Mutant::LocationAddsPort => {
                *location = format!("https://{}:443{}", host_without_port(host), req.target)
            }
            Mutant::LocationConfiguredDomain => {
                *location = format!("https://{}{}", dist.domain, req.target)
            }
            Mutant::LocationHttpScheme => {
                *location = format!("{}://{}{}", req.scheme, host_without_port(host), req.target)
            }
            _ => {}
        }
    }

    fn rewrite_forward(self, dist: &Distribution, req: &Request, f: &mut Forward) {
        let kind = &dist.origins[f.origin].kind;
        match (self, kind) {
            (Mutant::WebsiteOriginHttps, OriginKind::S3Website { .. }) => {
                (f.protocol, f.port) = (req.scheme, req.scheme.default_port());
            }
            (Mutant::S3OriginAlwaysHttp, OriginKind::S3) => {
                (f.protocol, f.port) = (Scheme::Http, 80)
            }
            (Mutant::S3OriginAlwaysHttps, OriginKind::S3) => {
                (f.protocol, f.port) = (Scheme::Https, 443)
            }
            (
                Mutant::CustomOriginMatchViewer,
                OriginKind::Custom {
                    http_port,
                    https_port,
                    ..
                },
            ) => {
                f.protocol = req.scheme;
                f.port = match req.scheme {
                    Scheme::Http => *http_port,
                    Scheme::Https => *https_port,
                };
            }
            (Mutant::NormalizesOriginPath, _) => {
                let path = normalize_path(req.path().as_bytes());
                let query = req.query().map(|q| format!("?{q}")).unwrap_or_default();
                f.target = format!(
                    "{}{}{query}",
                    dist.origins[f.origin].origin_path,
                    String::from_utf8_lossy(&path)
                );
            }
            (Mutant::CfProtoOriginScheme, _) => {
                if let Some(p) = &mut f.cloudfront_forwarded_proto {
                    *p = f.protocol;
                }
            }
            _ => {}
        }
    }
}

/// The distribution with every behavior passed through `edit`.
fn rewrite(dist: &Distribution, edit: impl Fn(&mut Behavior)) -> Distribution {
    let mut d = dist.clone();
    d.behaviors.iter_mut().for_each(edit);
    d
}

/// The core's decision as if behavior `bi` were the only one (whatever the path).
fn decide_as(dist: &Distribution, bi: usize, req: &Request) -> Decision {
    let mut only = dist.clone();
    only.behaviors = vec![Behavior {
        path_pattern: PathPattern::default_pattern(),
        is_default: true,
        ..dist.behaviors[bi].clone()
    }];
    let mut d = core_decide(&only, req);
    d.behavior = d.behavior.map(|_| bi);
    d
}
