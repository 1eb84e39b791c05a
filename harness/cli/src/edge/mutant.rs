//! Mutants of the reference edge (the self-test's deliberate bugs): each variant of [`Mutant`] is one small, realistic bug
//! of a proxy config, breaking one rule (a few break two, and say so). `edgeconform edge --mutant
//! NAME` and `edgeconform run --mutant NAME` start an edge with it; the self-test
//! (`make selftest`) runs the suite against every mutant and checks that it fails for exactly the
//! rules the mutant declares.
//!
//! A mutant is consulted where its bug lives, never by forking the edge:
//!
//! - **the decision** (`decide`): most mutants. The core's `decide()` runs on what the buggy
//!   edge sees (a distribution with its behaviors rewritten, the one behavior the buggy matcher
//!   picks, a request with the body ignored), then the buggy step edits the decision (the
//!   status, the `Location`, the protocol towards the origin, the path it receives);
//! - **the wire**: `handler` (the head size limit, contacting the origin for a redirect, the log
//!   facts of a redirect, the status of an origin timeout), `forward` (`X-Forwarded-Proto`) and
//!   `cache` (the caching mutants' cache key and lookup).
//!
//! ```text
//! $ edgeconform mutants
//! MUTANT                       BREAKS                                BUG
//! redirect-302                 VPP-REDIRECT-SAFE                     answers 302 Found instead of 301 to HTTP GET/HEAD under redirect-to-https
//! ...
//! ```

use std::fmt;
use std::str::FromStr;

use edgeconform_core::accesslog::ResultType;
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
use edgeconform_core::{Method, Request, RuleId, Scheme};

use super::log::ResponseFacts;

/// The mutant table: each variant with its doc, kebab-case name, the rules it breaks and the
/// description `edgeconform mutants` prints. One list gives the enum, [`Mutant::ALL`] (in this
/// order) and the per-mutant row, so they cannot drift apart.
macro_rules! mutants {
    ($( $(#[$doc:meta])* $variant:ident => ($name:literal, [$($rule:ident),+ $(,)?], $description:literal), )+) => {
        /// One deliberate bug of the edge. Names are kebab-case (`Mutant::name`), stable like rule IDs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Mutant {
            $( $(#[$doc])* $variant, )+
        }

        impl Mutant {
            /// How many mutants there are.
            pub const COUNT: usize = [$( stringify!($variant), )+].len();

            /// Every mutant, in the order `edgeconform mutants` lists them.
            pub const ALL: [Mutant; Mutant::COUNT] = [ $( Mutant::$variant, )+ ];

            /// (name, rules broken, description): one row per mutant, so each reads in one place.
            fn row(self) -> (&'static str, &'static [RuleId], &'static str) {
                match self {
                    $( Mutant::$variant => ($name, &[$(RuleId::$rule),+], $description), )+
                }
            }
        }
    };
}

mutants! {
    /// 302 Found instead of 301 for HTTP GET/HEAD under redirect-to-https.
    Redirect302 => (
        "redirect-302",
        [VppRedirectSafe],
        "answers 302 Found instead of 301 to HTTP GET/HEAD under redirect-to-https"
    ),
    /// 307 Temporary Redirect instead of 301.
    Redirect307 => (
        "redirect-307",
        [VppRedirectSafe],
        "answers 307 Temporary Redirect instead of 301"
    ),
    /// 308 Permanent Redirect instead of 301.
    Redirect308 => (
        "redirect-308",
        [VppRedirectSafe],
        "answers 308 Permanent Redirect instead of 301"
    ),
    /// Redirects HTTP POST, PUT, ... (301) instead of refusing them (403): nginx's
    /// `return 301 https://$host$request_uri` for every method.
    RedirectsUnsafeMethods => (
        "redirects-unsafe-methods",
        [VppRedirectUnsafe],
        "redirects HTTP POST/PUT/PATCH/DELETE/OPTIONS with 301 instead of refusing them"
    ),
    /// Refuses HTTP HEAD (403) under redirect-to-https: only GET counted as safe.
    RefusesHead => (
        "refuses-head",
        [VppRedirectSafe],
        "refuses HTTP HEAD with 403 under redirect-to-https: only GET counts as safe"
    ),
    /// Builds `Location` from the path alone: the query is lost.
    LocationDropsQuery => (
        "location-drops-query",
        [LocTarget],
        "builds Location from the path alone: the query is lost"
    ),
    /// Copies the viewer's `Host` into `Location` port and all (`www.example.com:80`).
    LocationKeepsPort => (
        "location-keeps-port",
        [LocHost],
        "copies the viewer's Host into Location with its port"
    ),
    /// Writes the HTTPS port into `Location` (`https://host:443/...`).
    LocationAddsPort => (
        "location-adds-port",
        [LocHost],
        "writes :443 into Location"
    ),
    /// Builds `Location` from the configured domain instead of the viewer's `Host`.
    LocationConfiguredDomain => (
        "location-configured-domain",
        [LocHost],
        "builds Location from the distribution's domain instead of the viewer's Host"
    ),
    /// Builds `Location` from the request's scheme (`$scheme://`): `http://`, a redirect loop.
    LocationHttpScheme => (
        "location-http-scheme",
        [LocScheme],
        "builds Location from the request's scheme: http://, a redirect loop"
    ),
    /// Treats https-only like redirect-to-https: HTTP GET/HEAD get 301 instead of 403.
    HttpsOnlyRedirects => (
        "https-only-redirects",
        [VppHttpsOnly],
        "treats https-only like redirect-to-https: HTTP GET/HEAD get 301 instead of 403"
    ),
    /// Refuses only HTTP GET under https-only; HEAD and the other methods reach the origin.
    HttpsOnlyRefusesGetOnly => (
        "https-only-refuses-get-only",
        [VppHttpsOnly],
        "refuses only HTTP GET under https-only; HEAD and other methods reach the origin"
    ),
    /// Ignores every viewer protocol policy: allow-all everywhere.
    AllowAllEverywhere => (
        "allow-all-everywhere",
        [VppRedirectSafe, VppRedirectUnsafe, VppHttpsOnly],
        "ignores every viewer protocol policy: HTTP is forwarded everywhere"
    ),
    /// The last matching behavior wins instead of the first.
    LastMatchWins => (
        "last-match-wins",
        [PatOrder],
        "selects the last matching behavior instead of the first"
    ),
    /// Path patterns match case-insensitively.
    CaseInsensitivePatterns => (
        "case-insensitive-patterns",
        [PatCase],
        "matches path patterns case-insensitively"
    ),
    /// `*` stops at `/` (shell glob semantics).
    StarStopsAtSlash => (
        "star-stops-at-slash",
        [PatWildcard],
        "lets `*` match within one path segment only"
    ),
    /// A pattern matching a prefix of the path is enough (no anchoring at the end).
    UnanchoredPatterns => (
        "unanchored-patterns",
        [PatAnchored],
        "accepts a pattern that matches a prefix of the path"
    ),
    /// A pattern without a leading `/` never matches.
    LeadingSlashRequired => (
        "leading-slash-required",
        [PatSlash],
        "never matches a pattern written without its leading /"
    ),
    /// The query string takes part in matching.
    QueryInMatching => (
        "query-in-matching",
        [PatQuery],
        "matches patterns against the path and the query"
    ),
    /// Patterns are matched against the raw path, without normalisation.
    RawPathMatching => (
        "raw-path-matching",
        [PatNormalize],
        "matches patterns against the raw path, without normalising it"
    ),
    /// Ignores AllowedMethods: every method is forwarded.
    IgnoresAllowedMethods => (
        "ignores-allowed-methods",
        [MthAllowed],
        "ignores AllowedMethods: every supported method is forwarded"
    ),
    /// Forwards a GET with a body instead of refusing it.
    ForwardsGetBody => (
        "forwards-get-body",
        [MthGetBody],
        "forwards a GET that carries a body instead of refusing it"
    ),
    /// Answers any `Host` (nginx's `server_name _`) and echoes it in `Location`.
    AnyHost => (
        "any-host",
        [HostRoute, LocSafe],
        "answers any Host (server_name _) and echoes it in Location"
    ),
    /// No limit on the request head or URL size.
    NoSizeLimits => (
        "no-size-limits",
        [LimSize],
        "enforces no limit on the request head or URL"
    ),
    /// Reaches the S3 website origin over the viewer's protocol (HTTPS for HTTPS viewers).
    WebsiteOriginHttps => (
        "website-origin-https",
        [OrgWebsiteHttp],
        "reaches the S3 website origin over HTTPS when the viewer used HTTPS"
    ),
    /// Always reaches the S3 REST origin over HTTP.
    S3OriginAlwaysHttp => (
        "s3-origin-always-http",
        [OrgS3MatchViewer],
        "always reaches the S3 REST origin over HTTP"
    ),
    /// Always reaches the S3 REST origin over HTTPS.
    S3OriginAlwaysHttps => (
        "s3-origin-always-https",
        [OrgS3MatchViewer],
        "always reaches the S3 REST origin over HTTPS"
    ),
    /// Reaches every custom origin over the viewer's protocol, whatever its protocol policy.
    CustomOriginMatchViewer => (
        "custom-origin-match-viewer",
        [OrgCustomPolicy],
        "reaches custom origins over the viewer's protocol, whatever their protocol policy"
    ),
    /// Sends the normalised path to the origin instead of the raw one.
    NormalizesOriginPath => (
        "normalizes-origin-path",
        [OrgPath],
        "sends the normalised path to the origin instead of the raw one"
    ),
    /// Passes the viewer's `X-Forwarded-Proto` on to the origin.
    PassesXForwardedProto => (
        "passes-x-forwarded-proto",
        [OrgXfpStripped],
        "passes the viewer's X-Forwarded-Proto on to the origin"
    ),
    /// `CloudFront-Forwarded-Proto` carries the protocol towards the origin, not the viewer's.
    CfProtoOriginScheme => (
        "cf-proto-origin-scheme",
        [OrgCfProto],
        "sets CloudFront-Forwarded-Proto to the origin's protocol instead of the viewer's"
    ),
    /// Sends the request to the origin, discards the answer, then redirects.
    OriginBeforeRedirect => (
        "origin-before-redirect",
        [LocEdgeOnly],
        "sends the request to the origin, discards the answer, then redirects"
    ),
    /// Fetches the object and sends it as the body of the redirect.
    RedirectCarriesObject => (
        "redirect-carries-object",
        [LocEdgeOnly, BilRedirectPair],
        "fetches the object from the origin and sends it as the redirect's body"
    ),
    /// Logs a redirect with x-edge-result-type `Miss`.
    RedirectLoggedAsMiss => (
        "redirect-logged-as-miss",
        [LogResultType],
        "logs a redirect with x-edge-result-type Miss"
    ),
    /// Writes no access-log line for a redirect: a redirect pair counts as one request.
    RedirectNotLogged => (
        "redirect-not-logged",
        [BilPerResponse, BilLogReconcile],
        "writes no access-log line for a redirect: a redirect pair counts as one request"
    ),
    /// Answers 502 instead of 504 when the origin does not answer in time.
    TimeoutAs502 => (
        "timeout-as-502",
        [OrgFailure],
        "answers 502 instead of 504 when the origin does not answer in time"
    ),
    /// Keeps cacheable GET answers by request-target (scheme and Host ignored) and answers from
    /// that cache before the viewer protocol policy: an HTTP GET under redirect-to-https or
    /// https-only gets the object an HTTPS GET cached.
    CacheBeforePolicy => (
        "cache-before-policy",
        [VppRedirectSafe, VppHttpsOnly, CachePolicyFirst],
        "answers GET/HEAD from a cache keyed by path alone before applying the viewer protocol policy"
    ),
    /// Keeps cacheable answers to every method, POST and PUT included, and answers a repeated
    /// one from the cache.
    CachesUnsafeMethods => (
        "caches-unsafe-methods",
        [CacheNeverUnsafe],
        "caches answers to POST/PUT/PATCH/DELETE and answers a repeated one from the cache"
    ),
}

impl Mutant {
    /// The stable kebab-case name (`--mutant NAME`).
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// The rules this mutant breaks: what the suite must report, and nothing else.
    pub fn rules(self) -> &'static [RuleId] {
        self.row().1
    }

    /// The bug, in one line.
    pub fn description(self) -> &'static str {
        self.row().2
    }

    /// The mutant called `name`.
    pub fn parse(name: &str) -> Option<Mutant> {
        Mutant::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Mutant {
    type Err = String;

    fn from_str(s: &str) -> Result<Mutant, String> {
        Mutant::parse(s)
            .ok_or_else(|| format!("unknown mutant `{s}`; `edgeconform mutants` lists them"))
    }
}

// ---------------------------------------------------------------------------------------------
// The decision.

/// What the edge decides for `req`: the core's decision, or the mutant's.
pub(crate) fn decide(mutant: Option<Mutant>, dist: &Distribution, req: &Request) -> Decision {
    match mutant {
        None => core_decide(dist, req),
        Some(m) => m.decide(dist, req),
    }
}

impl Mutant {
    fn decide(self, dist: &Distribution, req: &Request) -> Decision {
        use Mutant::*;
        let mut d = match self {
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
                return d;
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
        };
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
                        *r = redirect_301(redirect_location(req));
                    }
                    RefusesHead if http_redirect_behavior && req.method == Method::Head => {
                        *r = EdgeResponse {
                            status: 403,
                            location: None,
                            close: false,
                            result_type: ResultType::Error,
                            detailed_result_type: "Error",
                            logged: true,
                        };
                    }
                    _ => {}
                }
                if let Some(l) = &mut r.location {
                    self.rewrite_location(dist, req, l);
                }
            }
            Action::Forward(f) => self.rewrite_forward(dist, req, f),
        }
        d
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

fn redirect_301(location: String) -> EdgeResponse {
    EdgeResponse {
        status: 301,
        location: Some(location),
        close: false,
        result_type: ResultType::Redirect,
        detailed_result_type: "Redirect",
        logged: true,
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

// ---------------------------------------------------------------------------------------------
// The wire.

impl Mutant {
    /// Whether this mutant contacts the origin for a redirect.
    pub(super) fn fetches_for_redirect(self) -> bool {
        matches!(
            self,
            Mutant::OriginBeforeRedirect | Mutant::RedirectCarriesObject
        )
    }

    /// Whether the edge enforces the head size limit (LIM-SIZE).
    pub(super) fn limits_head(self) -> bool {
        self != Mutant::NoSizeLimits
    }

    /// Whether a viewer's `X-Forwarded-Proto` is removed before the origin sees the request.
    pub(super) fn strips_x_forwarded_proto(self) -> bool {
        self != Mutant::PassesXForwardedProto
    }

    /// Whether an origin timeout is told apart from a refused origin (504 vs 502).
    pub(super) fn reports_timeouts(self) -> bool {
        self != Mutant::TimeoutAs502
    }

    /// The access-log facts of a redirect.
    pub(super) fn redirect_log(self, facts: Option<ResponseFacts>) -> Option<ResponseFacts> {
        match self {
            Mutant::RedirectNotLogged => None,
            Mutant::RedirectLoggedAsMiss => facts.map(|f| ResponseFacts {
                result_type: ResultType::Miss,
                detailed_result_type: "Miss".into(),
                ..f
            }),
            _ => facts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> Distribution {
        let text = include_str!("../../../../specs/distributions/standard.yaml");
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
}
