//! An outcome: everything observable about one request, whether the model predicted it or the
//! runner saw it on the wire. `judge()` takes an outcome and names the rules it violates.

use crate::decide::{Action, Decision};
use crate::distribution::Distribution;
use crate::request::{Request, Scheme};
use serde::{Deserialize, Serialize};

/// What reached the origin for this request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginContact {
    /// The origin id (as in the distribution) the request reached, when the observer knows it.
    pub origin: Option<String>,
    /// The protocol the request arrived on at the origin.
    pub protocol: Scheme,
    /// The configured (logical) port it arrived on.
    pub port: u16,
    /// The request-target the origin received, byte for byte.
    pub target: String,
    /// The request headers the origin received, in order.
    pub headers: Vec<(String, String)>,
}

impl OriginContact {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the harness arranged to go wrong at the origin for this request (ORG-FAILURE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OriginFailure {
    /// The origin refused the connection or failed TLS.
    Refused,
    /// The origin accepted the connection and never answered.
    Timeout,
}

/// The access-log line(s) the target wrote for this request, when the runner reads its log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogObservation {
    /// How many lines carry this request's correlation id.
    pub lines: u32,
    /// Fields of the (first) line; `None` when there is no line or the log does not carry it.
    pub result_type: Option<String>,
    pub detailed_result_type: Option<String>,
    pub protocol: Option<String>,
    pub status: Option<u16>,
    pub sc_bytes: Option<u64>,
    /// The log could not tell this request's lines from another request's (it has no request id
    /// and another request of the run has the same method, scheme, path and query): the log rules
    /// are not observed for it. `None` in a field above, with one line, is a field the log does
    /// not carry, and the rules that need it are not observed either.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unattributed: bool,
}

/// Evidence that a response came from the edge's cache (CACHE-HIT-SERVED): the origin saw no
/// fetch for this request, and the response carries an earlier fetch's mark, `X-Cache: Hit…` or
/// `Age`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheHit {
    /// What showed it, as seen: `x-edgeconform-fetch: 123-4-0; origin=assets`, `x-cache: Hit from cloudfront`, `age: 12`.
    pub evidence: String,
    /// The origin (id as in the distribution) that served the fetch filling the entry, when the
    /// mark names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The fetch that filled the entry, when its origin record is known: origin-side rules are
    /// judged on it instead of being not observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<Fill>,
}

/// The origin fetch that filled a cache entry, and the viewer request it was made for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fill {
    /// The scheme of the viewer request that caused the fetch (CACHE-KEY-PROTOCOL: it may differ
    /// from the scheme of the request served from the cache).
    pub viewer_scheme: Scheme,
    /// The request-target of that viewer request.
    pub viewer_target: String,
    pub contact: OriginContact,
}

/// Everything observable about one request. A field a report from another version lacks reads
/// as its default (nothing observed there), so older reports still load.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Outcome {
    /// The status the viewer got; 0 when no response arrived.
    pub status: u16,
    pub location: Option<String>,
    /// `None`: the origin saw no request for it.
    pub origin: Option<OriginContact>,
    /// Bytes of the response head (status line and headers).
    pub header_bytes: u64,
    /// Bytes of the response body.
    pub body_bytes: u64,
    /// How many of the body bytes are the origin's object (the rest is an edge page).
    pub object_bytes: u64,
    /// The connection was closed after the response.
    pub closed: bool,
    pub origin_failure: Option<OriginFailure>,
    pub log: Option<LogObservation>,
    /// The response came from the edge's cache (the origin saw nothing for this request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheHit>,
    /// Only the viewer side was observed (an edge wired to an origin the harness cannot read,
    /// such as CloudFront itself): `origin` is unknown, not "nothing reached it", and whether an
    /// answer was forwarded is read from the viewer's side.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub viewer_only: bool,
    /// What in the response shows an origin produced it (our origin's fetch mark, S3's
    /// `x-amz-request-id`, `X-Cache: Miss from cloudfront`, ...): in a viewer-only run, an error
    /// status with such evidence was forwarded, one without it is the edge's own answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_evidence: Option<OriginEvidence>,
}

/// A response header showing an origin produced the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginEvidence {
    /// The header as received, e.g. `x-amz-request-id: 4442587FB7D0A2F9`.
    pub header: String,
    /// The origin it names, when it names one (the instrumented origin's fetch mark does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl Outcome {
    /// The outcome the model predicts for a decision, with an origin that answers 200 and an
    /// object of `object_size` bytes (none for HEAD).
    pub fn from_decision(
        dist: &Distribution,
        req: &Request,
        d: &Decision,
        object_size: u64,
    ) -> Outcome {
        match &d.action {
            Action::Respond(r) => {
                let body = if req.method == crate::Method::Head {
                    0
                } else if r.location.is_some() {
                    crate::pages::redirect_page(r.status).len() as u64
                } else {
                    crate::pages::error_page(r.status, r.detailed_result_type, "").len() as u64
                };
                Outcome {
                    status: r.status,
                    location: r.location.clone(),
                    origin: None,
                    header_bytes: 0,
                    body_bytes: body,
                    object_bytes: 0,
                    closed: r.close,
                    origin_failure: None,
                    log: None,
                    cache: None,
                    viewer_only: false,
                    origin_evidence: None,
                }
            }
            Action::Forward(f) => {
                // ORG-XFP-STRIPPED; and a viewer's CloudFront-Forwarded-Proto is never passed on
                // (the edge sets its own where the behavior asks, ORG-CF-PROTO).
                let mut headers: Vec<(String, String)> = req
                    .headers
                    .iter()
                    .filter(|(n, _)| {
                        !n.eq_ignore_ascii_case("x-forwarded-proto")
                            && !n.eq_ignore_ascii_case("cloudfront-forwarded-proto")
                    })
                    .cloned()
                    .collect();
                if let Some(s) = f.cloudfront_forwarded_proto {
                    headers.push(("CloudFront-Forwarded-Proto".into(), s.as_str().into()));
                }
                let object = if req.method == crate::Method::Head {
                    0
                } else {
                    object_size
                };
                Outcome {
                    status: 200,
                    location: None,
                    origin: Some(OriginContact {
                        origin: Some(dist.origins[f.origin].id.clone()),
                        protocol: f.protocol,
                        port: f.port,
                        target: f.target.clone(),
                        headers,
                    }),
                    header_bytes: 0,
                    body_bytes: object,
                    object_bytes: object,
                    closed: false,
                    origin_failure: None,
                    log: None,
                    cache: None,
                    viewer_only: false,
                    origin_evidence: None,
                }
            }
        }
    }
}
