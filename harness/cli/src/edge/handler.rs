//! One viewer request through the edge: wire → [`Request`] → [`decide`] → an edge response or a
//! forward to the origin → a log line. Each step that a rule constrains is its own function
//! ([`respond`] and [`failure`] here, `origin_request` and `origin_response` in `forward`), so a
//! deliberately broken edge can swap one step without touching the others.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use edgeconform_core::accesslog::ResultType;
use edgeconform_core::decide::{origin_failure_status, Action, Decision, EdgeResponse};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::{pages, Method, Request, RuleId, RuleList, Scheme};
use hyper::body::Incoming;
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, SERVER,
    VIA,
};
use hyper::Response;

use super::cache;
use super::forward::forward;
use super::log::{record, LogContext, LogSender, ResponseFacts, EDGE_LOCATION};
use super::meter::{head_len_h1, EdgeBody, Meter, Pending};
use super::mutant::{self, Mutant};
use super::upstream::Upstream;
use super::wire::{random_request_id, read_body, usable_as_request_id, viewer_request};
use super::OriginMap;
use crate::origin::CORRELATION_HEADER;

/// What every request handler shares.
pub(crate) struct Shared {
    pub dist: Distribution,
    pub origins: OriginMap,
    pub upstream: Arc<Upstream>,
    pub log: Option<LogSender>,
    /// `1.1 <id>.cloudfront.net (CloudFront)`.
    pub via: HeaderValue,
    /// A deliberate bug (a mutant of the self-test); `None` for the reference edge.
    pub mutant: Option<Mutant>,
    /// [`crate::edge::EdgeConfig::quiet`].
    pub quiet: bool,
    /// The caching mutants' cache (empty for every other edge).
    pub cache: Arc<cache::Store>,
    /// The redirect pages by status, made once: they depend on nothing else.
    pub redirect_pages: RedirectPages,
}

/// [`pages::redirect_page`] for the statuses a redirect can have, as shareable bytes.
pub(crate) struct RedirectPages(Vec<(u16, Bytes)>);

impl Default for RedirectPages {
    fn default() -> RedirectPages {
        RedirectPages(
            [301, 302, 307, 308]
                .into_iter()
                .map(|s| (s, Bytes::from(pages::redirect_page(s))))
                .collect(),
        )
    }
}

impl RedirectPages {
    fn get(&self, status: u16) -> Bytes {
        match self.0.iter().find(|(s, _)| *s == status) {
            Some((_, page)) => page.clone(),
            None => Bytes::from(pages::redirect_page(status)),
        }
    }
}

/// What a handler knows about the connection its request came on.
pub(crate) struct Conn {
    pub scheme: Scheme,
    pub peer: SocketAddr,
    /// (`ssl-protocol`, `ssl-cipher`) for TLS connections.
    pub tls: Option<(String, String)>,
    pub meter: Arc<Meter>,
}

pub(super) const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
pub(super) const X_AMZ_CF_ID: HeaderName = HeaderName::from_static("x-amz-cf-id");
const X_AMZ_CF_POP: HeaderName = HeaderName::from_static("x-amz-cf-pop");

/// Handles one request; never fails (every problem is an HTTP answer).
pub(crate) async fn handle(
    req: hyper::Request<Incoming>,
    conn: Arc<Conn>,
    shared: Arc<Shared>,
) -> Response<EdgeBody> {
    // HTTP/1.x: the previous response on this connection is on the wire by now.
    conn.meter.settle();
    let start_bytes = conn.meter.written();
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let viewer = viewer_request(&parts, conn.scheme);
    let mut request = viewer.request;
    let request_id = match parts.headers.get(CORRELATION_HEADER) {
        Some(v) if usable_as_request_id(v.as_bytes()) => {
            String::from_utf8_lossy(v.as_bytes()).into_owned()
        }
        _ => random_request_id(),
    };

    // LIM-SIZE on the head as it came over the wire, then whatever else decide() finds.
    let limits = shared.dist.limits;
    let limit_head = shared.mutant.is_none_or(Mutant::limits_head);
    let (decision, forward_body) = if limit_head && viewer.head_bytes > limits.max_head_bytes {
        (lim_size(), None)
    } else {
        match read_body(&parts.headers, body).await {
            Ok((body, len)) => {
                request.body_len = len;
                let decision = mutant::decide(shared.mutant, &shared.dist, &request);
                (decision, Some(body))
            }
            Err(_) => (unreadable_body(), None),
        }
    };

    let fetches = shared.mutant.filter(|m| m.fetches_for_redirect());
    // The caching mutants: a hit is answered from their cache (before the policy, for one of
    // them), a forward may fill it.
    let cache_key = shared.mutant.and_then(|m| m.cache_key(&request));
    let hit = match (&cache_key, &decision.action, &forward_body) {
        (Some(key), action, Some(_))
            if matches!(action, Action::Forward(_))
                || shared.mutant.is_some_and(Mutant::caches_before_policy) =>
        {
            cache::lookup(&shared, key, &request, &request_id)
        }
        _ => None,
    };
    let (response, facts) = match (hit, &decision.action, forward_body, fetches) {
        (Some(hit), _, _, _) => hit,
        (None, Action::Forward(f), Some(body), _) => {
            let (response, facts) =
                forward(&shared, &conn, &parts, body, &request, f, &request_id).await;
            match cache_key {
                Some(key) => (cache::keep(&shared, key, &request, response).await, facts),
                None => (response, facts),
            }
        }
        (None, Action::Respond(r), Some(body), Some(m)) if r.location.is_some() => {
            mutant::redirect_after_fetch(m, &shared, &conn, &parts, body, &request, r, &request_id)
                .await
        }
        (None, Action::Respond(r), _, _) => respond(&shared, &request, r, &request_id),
        (None, Action::Forward(_), None, _) => {
            respond(&shared, &request, &unreadable_response(), &request_id)
        }
    };
    let (Some(log), Some(mut facts)) = (shared.log.clone(), facts) else {
        return response;
    };
    facts.first_byte_ms = started.elapsed().as_millis() as u64;
    let ctx = LogContext::new(
        started,
        &request,
        conn.peer,
        &shared.dist.domain,
        viewer.head_bytes,
        &request_id,
        conn.tls.clone(),
    );
    let (head, body) = response.into_parts();
    let body = if request.version == edgeconform_core::HttpVersion::Http2 {
        // Multiplexed: count the head in HTTP/1.1 form plus the body bytes sent.
        let head_len = head_len_h1(&head);
        body.on_done(move |sent| log.send(&record(ctx, facts, head_len + sent)))
    } else {
        let meter = conn.meter.clone();
        body.on_done(move |_| {
            meter.defer(Pending {
                start: start_bytes,
                finish: Box::new(move |bytes| log.send(&record(ctx, facts, bytes))),
            })
        })
    };
    Response::from_parts(head, body)
}

/// LIM-SIZE → 413, connection closed, not logged (what `decide()` answers for an oversized head).
fn lim_size() -> Decision {
    Decision {
        action: Action::Respond(EdgeResponse {
            status: 413,
            location: None,
            close: true,
            result_type: "Error",
            detailed_result_type: "Error",
            logged: false,
        }),
        behavior: None,
        rules: RuleList::from([RuleId::LimSize]),
    }
}

/// The viewer broke off while sending its body.
fn unreadable_response() -> EdgeResponse {
    EdgeResponse {
        status: 400,
        location: None,
        close: true,
        result_type: "Error",
        detailed_result_type: "InvalidRequest",
        logged: true,
    }
}

fn unreadable_body() -> Decision {
    Decision {
        action: Action::Respond(unreadable_response()),
        behavior: None,
        rules: RuleList::new(),
    }
}

fn result_type(s: &str) -> ResultType {
    ResultType::parse(s).unwrap_or(ResultType::Error)
}

/// An answer generated at the edge (LOC-EDGE-ONLY): the redirect or error page (no body for
/// HEAD, the page's `Content-Length` all the same), CloudFront's headers, `Connection: close`
/// and a closed connection when the decision says so.
pub(super) fn respond(
    shared: &Shared,
    req: &Request,
    r: &EdgeResponse,
    request_id: &str,
) -> (Response<EdgeBody>, Option<ResponseFacts>) {
    let location = r
        .location
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok());
    if r.location.is_some() && location.is_none() {
        // Unreachable for targets the model accepts (LOC-SAFE); never send a broken Location.
        return respond(shared, req, &unreadable_response(), request_id);
    }
    let page = if location.is_some() {
        shared.redirect_pages.get(r.status)
    } else {
        Bytes::from(pages::error_page(
            r.status,
            r.detailed_result_type,
            request_id,
        ))
    };
    let x_cache = if location.is_some() {
        "Redirect from cloudfront"
    } else {
        "Error from cloudfront"
    };
    let response = edge_page(
        shared, req, r.status, page, location, x_cache, r.close, request_id,
    );
    let facts = r.logged.then(|| ResponseFacts {
        status: r.status,
        result_type: result_type(r.result_type),
        detailed_result_type: r.detailed_result_type.to_string(),
        content_type: "text/html".to_string(),
        content_len: Some(content_len(response.headers())),
        first_byte_ms: 0,
    });
    let facts = match shared.mutant {
        Some(m) if r.location.is_some() => m.redirect_log(facts),
        _ => facts,
    };
    (response, facts)
}

#[allow(clippy::too_many_arguments)]
fn edge_page(
    shared: &Shared,
    req: &Request,
    status: u16,
    page: Bytes,
    location: Option<HeaderValue>,
    x_cache: &'static str,
    close: bool,
    request_id: &str,
) -> Response<EdgeBody> {
    let len = page.len();
    let body = (req.method != Method::Head).then_some(page);
    let mut response = Response::new(EdgeBody::page(body));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_GATEWAY);
    let h = response.headers_mut();
    h.insert(SERVER, HeaderValue::from_static("CloudFront"));
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    if close {
        h.insert(CONNECTION, HeaderValue::from_static("close"));
    } else if req.version == edgeconform_core::HttpVersion::Http11 && !viewer_closes(req) {
        // CloudFront says so explicitly; hyper would write `keep-alive, close` if the viewer
        // asked to close, hence the check.
        h.insert(CONNECTION, HeaderValue::from_static("keep-alive"));
    }
    if let Some(location) = location {
        h.insert(LOCATION, location);
    }
    h.insert(X_CACHE, HeaderValue::from_static(x_cache));
    stamp(h, shared, request_id);
    response
}

/// Whether the viewer sent `Connection: close`.
fn viewer_closes(req: &Request) -> bool {
    req.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
        .flat_map(|(_, v)| v.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("close"))
}

/// `Via`, `X-Amz-Cf-Pop` and `X-Amz-Cf-Id` on a response to the viewer.
pub(super) fn stamp(h: &mut HeaderMap, shared: &Shared, request_id: &str) {
    h.append(VIA, shared.via.clone());
    h.insert(X_AMZ_CF_POP, HeaderValue::from_static(EDGE_LOCATION));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        h.insert(X_AMZ_CF_ID, id);
    }
}

pub(super) fn content_len(h: &HeaderMap) -> u64 {
    h.get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// ORG-FAILURE: 502 when the origin refused, failed TLS or broke the exchange, 504 when it
/// gave no response head in time.
pub(super) fn failure(
    shared: &Shared,
    req: &Request,
    timed_out: bool,
    request_id: &str,
) -> (Response<EdgeBody>, Option<ResponseFacts>) {
    let status =
        origin_failure_status(timed_out && shared.mutant.is_none_or(Mutant::reports_timeouts));
    let detailed = if timed_out {
        "OriginCommError"
    } else {
        "OriginConnectError"
    };
    let page = Bytes::from(pages::error_page(status, detailed, request_id));
    let response = edge_page(
        shared,
        req,
        status,
        page,
        None,
        "Error from cloudfront",
        false,
        request_id,
    );
    let facts = ResponseFacts {
        status,
        result_type: ResultType::Error,
        detailed_result_type: detailed.to_string(),
        content_type: "text/html".to_string(),
        content_len: Some(content_len(response.headers())),
        first_byte_ms: 0,
    };
    (response, Some(facts))
}
