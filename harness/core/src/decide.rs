//! `decide(distribution, request)`: what CloudFront does with one viewer request, as a pure
//! function following the pipeline of RULES.md ("Decision order"):
//!
//! 1. LIM-SIZE → 413; 2. HOST-ROUTE → 403; 3. MTH-SUPPORTED, MTH-GET-BODY → 403;
//! 4. behavior selection (PAT-*); 5. viewer protocol policy for HTTP (VPP-*) → 301 / 307 / 403;
//! 6. AllowedMethods (MTH-ALLOWED) → 403; 7. forward to the origin over the protocol ORG-* gives.
//!
//! The decision names the rules that produced it. It never panics and is deterministic.

use crate::accesslog::ResultType;
use crate::distribution::{
    Behavior, Distribution, OriginKind, OriginProtocolPolicy, Ruleset, ViewerProtocolPolicy,
};
use crate::normalize::normalized;
use crate::request::{host_without_port, split_target, HttpVersion, Request, Scheme};
use crate::{RuleId, RuleList};
use serde::Serialize;

/// What the edge does with the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    #[serde(flatten)]
    pub action: Action,
    /// Index of the selected behavior in [`Distribution::behaviors`], once step 4 was reached.
    pub behavior: Option<usize>,
    /// The rules that produced this decision, in pipeline order.
    pub rules: RuleList,
}

/// The edge answers itself, or forwards to an origin (which then answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum Action {
    Respond(EdgeResponse),
    Forward(Forward),
}

/// A response generated at the edge (LOC-EDGE-ONLY): a redirect or a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeResponse {
    pub status: u16,
    pub location: Option<String>,
    /// LIM-SIZE: the edge closes the connection after answering.
    pub close: bool,
    /// `x-edge-result-type` of the access log line (LOG-RESULT-TYPE): `Redirect` or `Error`.
    pub result_type: ResultType,
    /// `x-edge-detailed-result-type`, e.g. `InvalidRequestMethod` for MTH-ALLOWED.
    pub detailed_result_type: &'static str,
    /// Whether the access log gets a line for it (LIM-SIZE: oversized requests are not logged).
    pub logged: bool,
}

impl EdgeResponse {
    /// A refusal (`Error` in the log). LIM-SIZE's 413 closes the connection and is not logged.
    pub fn refusal(status: u16, detailed: &'static str) -> EdgeResponse {
        EdgeResponse {
            status,
            location: None,
            close: status == 413,
            result_type: ResultType::Error,
            detailed_result_type: detailed,
            logged: status != 413,
        }
    }

    /// LIM-SIZE: 413, the connection closed, no log line.
    pub fn oversized() -> EdgeResponse {
        EdgeResponse::refusal(413, "Error")
    }

    /// A redirect to `location` (`Redirect` in the log).
    pub fn redirect(status: u16, location: String) -> EdgeResponse {
        EdgeResponse {
            status,
            location: Some(location),
            close: false,
            result_type: ResultType::Redirect,
            detailed_result_type: "Redirect",
            logged: true,
        }
    }

    /// The same answer, with the connection closed after it.
    pub fn closing(self) -> EdgeResponse {
        EdgeResponse {
            close: true,
            ..self
        }
    }
}

/// How the request goes to the origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forward {
    /// Index into [`Distribution::origins`].
    pub origin: usize,
    /// ORG-*: the protocol towards the origin.
    pub protocol: Scheme,
    /// The configured port (80/443 or the custom origin's HTTPPort/HTTPSPort).
    pub port: u16,
    /// ORG-PATH: OriginPath + the raw request-target (path and query, byte for byte).
    pub target: String,
    /// ORG-CF-PROTO: the `CloudFront-Forwarded-Proto` value sent, when the behavior enables it.
    pub cloudfront_forwarded_proto: Option<Scheme>,
}

/// Status of a forward whose origin failed (ORG-FAILURE): refused or TLS failure → 502, no
/// answer in time → 504.
pub fn origin_failure_status(timed_out: bool) -> u16 {
    if timed_out {
        504
    } else {
        502
    }
}

fn refuse(
    status: u16,
    detailed: &'static str,
    rules: impl Into<RuleList>,
    behavior: Option<usize>,
) -> Decision {
    Decision {
        action: Action::Respond(EdgeResponse::refusal(status, detailed)),
        behavior,
        rules: rules.into(),
    }
}

/// LOC-SCHEME, LOC-HOST, LOC-TARGET: `https://` + the viewer's `Host` without its port + the raw
/// request-target.
pub fn redirect_location(req: &Request) -> String {
    let host = req.host.as_deref().map(host_without_port).unwrap_or("");
    location(host, &req.target)
}

/// [`redirect_location`] from the `Host` without its port.
fn location(authority: &str, target: &str) -> String {
    concat(&["https://", authority, target])
}

/// The pieces joined into a string allocated once, at its final size.
fn concat(pieces: &[&str]) -> String {
    let mut s = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for p in pieces {
        s.push_str(p);
    }
    s
}

/// A request-target the model accepts: origin form (`/` first), no control bytes, no space, no
/// bytes outside ASCII (what an HTTP/1.1 parser lets through). Anything else is answered 400 before
/// the pipeline starts, which is how LOC-SAFE holds for hostile targets.
pub fn valid_target(target: &str) -> bool {
    // No early exit, so that the loop compiles to wide comparisons.
    target.starts_with('/')
        && target
            .bytes()
            .fold(true, |ok, b| ok & (0x21..0x7f).contains(&b) & (b != b'#'))
}

/// The decision for one request. Pure and deterministic; never panics.
///
/// Steps 1–3, 5 and 7 are functions of their own, each `#[inline(always)]` so that they compile
/// into this one body, and each hands back a small value (a rule, a `Vpp`, a [`Forward`])
/// rather than a whole [`Decision`]: steps returning a `Decision` through an `Option` or a
/// `Result` cost ~30 instructions a decision more (callgrind, `scripts/callgrind-decide.sh`);
/// these cost about 10 more than the same code in one body.
pub fn decide(dist: &Distribution, req: &Request) -> Decision {
    // 1.–3., and a target fit for a Location.
    let authority = match admit(dist, req) {
        Ok(authority) => authority,
        Err(rule) => return refused_before_selection(rule),
    };
    // 4. PAT-*: first match on the normalised path; the query plays no part.
    // At most 3 rules so far, and at most 5 more below: RuleList::CAPACITY is 8.
    let path = split_target(&req.target).0.as_bytes();
    let normalized = normalized(path);
    let bi = dist.select_behavior(&normalized);
    let b = &dist.behaviors[bi];
    let mut rules = RuleList::from([RuleId::PatOrder]);
    if *normalized != *path {
        rules.push(RuleId::PatNormalize);
    }
    rules.push(RuleId::VppPerBehavior);
    // 5. VPP for HTTP requests.
    if req.scheme == Scheme::Http {
        match viewer_protocol(dist, req, b, &mut rules) {
            Vpp::Serve => {}
            Vpp::Refuse => return refuse(403, "Error", rules, Some(bi)),
            Vpp::Redirect(status) => {
                return redirect(status, location(authority, &req.target), rules, bi)
            }
        }
    }
    // 6. MTH-ALLOWED.
    if !b.allowed_methods.contains(&req.method) {
        rules.extend(&[RuleId::MthAllowed, RuleId::LocEdgeOnly]);
        return refuse(403, "InvalidRequestMethod", rules, Some(bi));
    }
    // 7. Forward.
    Decision {
        action: Action::Forward(forward(dist, req, b, &mut rules)),
        behavior: Some(bi),
        rules,
    }
}

/// Steps 1 to 3 (LIM-SIZE, HOST-ROUTE, MTH-SUPPORTED, MTH-GET-BODY) and LOC-SAFE's check of the
/// target: the routed authority (the `Host` without its port), or the rule that refuses the
/// request ([`refused_before_selection`] gives the answer).
#[inline(always)]
fn admit<'r>(dist: &Distribution, req: &'r Request) -> Result<&'r str, RuleId> {
    // 1. LIM-SIZE.
    if req.head_len() > dist.limits.max_head_bytes || req.url_len() > dist.limits.max_url_bytes {
        return Err(RuleId::LimSize);
    }
    // 2. HOST-ROUTE.
    let Some(authority) = req
        .host
        .as_deref()
        .map(|h| (h, host_without_port(h)))
        .filter(|&(h, a)| dist.routes_authority(h, a))
        .map(|(_, a)| a)
    else {
        return Err(RuleId::HostRoute);
    };
    // A target that is not origin-form or carries control bytes never reaches a Location.
    if !valid_target(&req.target) {
        return Err(RuleId::LocSafe);
    }
    // 3. MTH-SUPPORTED, MTH-GET-BODY.
    if !req.method.is_supported() {
        return Err(RuleId::MthSupported);
    }
    if req.method == crate::Method::Get && req.body_len > 0 {
        return Err(RuleId::MthGetBody);
    }
    Ok(authority)
}

/// The edge's answer to a request that [`admit`] refused by `rule`, before any behavior is
/// selected: LIM-SIZE 413 (connection closed, not logged), LOC-SAFE 400, MTH-SUPPORTED 403
/// `InvalidRequestMethod`, HOST-ROUTE and MTH-GET-BODY 403 `InvalidRequest`. Cold, so that
/// the admitted path does not pay for building it.
#[cold]
fn refused_before_selection(rule: RuleId) -> Decision {
    let (status, detailed) = match rule {
        RuleId::LimSize => (413, "Error"),
        RuleId::LocSafe => (400, "InvalidRequest"),
        RuleId::MthSupported => (403, "InvalidRequestMethod"),
        // HOST-ROUTE, MTH-GET-BODY: admit refuses by no other rule.
        _ => (403, "InvalidRequest"),
    };
    refuse(status, detailed, [rule], None)
}

/// What the viewer protocol policy does with an HTTP request.
enum Vpp {
    /// Goes on to AllowedMethods and the origin.
    Serve,
    /// 403 at the edge.
    Refuse,
    /// A redirect to HTTPS with this status.
    Redirect(u16),
}

/// Step 5 (VPP-*) for an HTTP request on behavior `b`, the rules that decide it added to `rules`.
#[inline(always)]
fn viewer_protocol(dist: &Distribution, req: &Request, b: &Behavior, rules: &mut RuleList) -> Vpp {
    match b.viewer_protocol_policy {
        ViewerProtocolPolicy::HttpsOnly => {
            rules.extend(&[RuleId::VppHttpsOnly, RuleId::LocEdgeOnly]);
            Vpp::Refuse
        }
        ViewerProtocolPolicy::RedirectToHttps if req.method.is_safe() => {
            rules.extend(&[
                RuleId::VppRedirectSafe,
                RuleId::LocScheme,
                RuleId::LocHost,
                RuleId::LocTarget,
                RuleId::LocEdgeOnly,
            ]);
            Vpp::Redirect(301)
        }
        ViewerProtocolPolicy::RedirectToHttps => {
            rules.push(RuleId::VppRedirectUnsafe);
            let temporary = dist.ruleset == Ruleset::Current && req.version != HttpVersion::Http10;
            if temporary {
                // Under `current`, whether VPP or AllowedMethods wins for a disallowed method is
                // unknown (RULES.md step 6): the model takes pipeline order, the judge accepts both.
                rules.extend(&[
                    RuleId::LocScheme,
                    RuleId::LocHost,
                    RuleId::LocTarget,
                    RuleId::LocEdgeOnly,
                ]);
                return Vpp::Redirect(307);
            }
            rules.push(RuleId::LocEdgeOnly);
            Vpp::Refuse
        }
        ViewerProtocolPolicy::AllowAll => Vpp::Serve,
    }
}

/// Step 7 (VPP-HTTPS-SERVED / VPP-ALLOW-ALL, ORG-*): how the request goes to behavior `b`'s
/// origin, the rules that say so added to `rules`.
#[inline(always)]
fn forward(dist: &Distribution, req: &Request, b: &Behavior, rules: &mut RuleList) -> Forward {
    rules.push(match (req.scheme, b.viewer_protocol_policy) {
        (Scheme::Https, _) => RuleId::VppHttpsServed,
        (Scheme::Http, _) => RuleId::VppAllowAll,
    });
    let origin = &dist.origins[b.origin];
    let (protocol, port, rule) = origin_protocol(&origin.kind, req.scheme);
    rules.extend(&[rule, RuleId::OrgPath]);
    if req.header("x-forwarded-proto").is_some() {
        rules.push(RuleId::OrgXfpStripped);
    }
    let cloudfront_forwarded_proto = b.forward_cloudfront_proto.then_some(req.scheme);
    if cloudfront_forwarded_proto.is_some() {
        rules.push(RuleId::OrgCfProto);
    }
    Forward {
        origin: b.origin,
        protocol,
        port,
        target: concat(&[&origin.origin_path, &req.target]),
        cloudfront_forwarded_proto,
    }
}

/// ORG-S3-MATCH-VIEWER, ORG-WEBSITE-HTTP, ORG-CUSTOM-POLICY: protocol and port towards an origin.
pub fn origin_protocol(kind: &OriginKind, viewer: Scheme) -> (Scheme, u16, RuleId) {
    match *kind {
        OriginKind::S3 => (viewer, viewer.default_port(), RuleId::OrgS3MatchViewer),
        OriginKind::S3Website { http_port } => (Scheme::Http, http_port, RuleId::OrgWebsiteHttp),
        OriginKind::Custom {
            protocol_policy,
            http_port,
            https_port,
        } => {
            let scheme = match protocol_policy {
                OriginProtocolPolicy::HttpOnly => Scheme::Http,
                OriginProtocolPolicy::HttpsOnly => Scheme::Https,
                OriginProtocolPolicy::MatchViewer => viewer,
            };
            let port = match scheme {
                Scheme::Http => http_port,
                Scheme::Https => https_port,
            };
            (scheme, port, RuleId::OrgCustomPolicy)
        }
    }
}

fn redirect(status: u16, location: String, rules: RuleList, bi: usize) -> Decision {
    Decision {
        action: Action::Respond(EdgeResponse::redirect(status, location)),
        behavior: Some(bi),
        rules,
    }
}

impl Decision {
    /// The status the edge itself sends, or `None` when the origin answers.
    pub fn status(&self) -> Option<u16> {
        match &self.action {
            Action::Respond(r) => Some(r.status),
            Action::Forward(_) => None,
        }
    }

    pub fn location(&self) -> Option<&str> {
        match &self.action {
            Action::Respond(r) => r.location.as_deref(),
            Action::Forward(_) => None,
        }
    }

    pub fn forward(&self) -> Option<&Forward> {
        match &self.action {
            Action::Forward(f) => Some(f),
            Action::Respond(_) => None,
        }
    }
}
