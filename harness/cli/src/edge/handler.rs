//! One viewer request through the edge: wire → [`Request`] → [`decide`] → an edge response or a
//! forward to the origin → a log line. Each step that a rule constrains is its own function
//! ([`respond`], [`origin_request`], [`origin_response`], [`failure`]), so a deliberately broken
//! edge can swap one step without touching the others.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use edgeconform_core::accesslog::ResultType;
use edgeconform_core::decide::{
    decide, origin_failure_status, Action, Decision, EdgeResponse, Forward,
};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::{pages, Method, Request, RuleId, Scheme};
use hyper::body::Incoming;
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION,
    SERVER, VIA,
};
use hyper::http::request::Parts;
use hyper::{Response, Uri, Version};

use super::log::{record, LogContext, LogSender, ResponseFacts, EDGE_LOCATION};
use super::meter::{head_len_h1, EdgeBody, Meter, Pending};
use super::upstream::{Upstream, UpstreamError};
use super::wire::{
    random_request_id, read_body, strip_hop_by_hop, usable_as_request_id, viewer_request,
    ForwardBody,
};
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
}

/// What a handler knows about the connection its request came on.
pub(crate) struct Conn {
    pub scheme: Scheme,
    pub peer: SocketAddr,
    /// (`ssl-protocol`, `ssl-cipher`) for TLS connections.
    pub tls: Option<(String, String)>,
    pub meter: Arc<Meter>,
}

const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
const X_AMZ_CF_ID: HeaderName = HeaderName::from_static("x-amz-cf-id");
const X_AMZ_CF_POP: HeaderName = HeaderName::from_static("x-amz-cf-pop");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const CF_FORWARDED_PROTO: HeaderName = HeaderName::from_static("cloudfront-forwarded-proto");

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
    let (decision, forward_body) = if viewer.head_bytes > limits.max_head_bytes {
        (lim_size(), None)
    } else {
        match read_body(&parts.headers, body).await {
            Ok((body, len)) => {
                request.body_len = len;
                (decide(&shared.dist, &request), Some(body))
            }
            Err(_) => (unreadable_body(), None),
        }
    };

    let (response, facts) = match (&decision.action, forward_body) {
        (Action::Forward(f), Some(body)) => {
            forward(&shared, &conn, &parts, body, &request, f, &request_id).await
        }
        (Action::Respond(r), _) => respond(&shared, &request, r, &request_id),
        (Action::Forward(_), None) => {
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
        body.on_done(move |sent| log.send(&record(&ctx, &facts, head_len + sent)))
    } else {
        let meter = conn.meter.clone();
        body.on_done(move |_| {
            meter.defer(Pending {
                start: start_bytes,
                finish: Box::new(move |bytes| log.send(&record(&ctx, &facts, bytes))),
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
        rules: vec![RuleId::LimSize],
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
        rules: Vec::new(),
    }
}

fn result_type(s: &str) -> ResultType {
    ResultType::parse(s).unwrap_or(ResultType::Error)
}

/// An answer generated at the edge (LOC-EDGE-ONLY): the redirect or error page (no body for
/// HEAD, the page's `Content-Length` all the same), CloudFront's headers, `Connection: close`
/// and a closed connection when the decision says so.
fn respond(
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
        pages::redirect_page(r.status)
    } else {
        pages::error_page(r.status, r.detailed_result_type, request_id)
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
    (response, facts)
}

#[allow(clippy::too_many_arguments)]
fn edge_page(
    shared: &Shared,
    req: &Request,
    status: u16,
    page: String,
    location: Option<HeaderValue>,
    x_cache: &'static str,
    close: bool,
    request_id: &str,
) -> Response<EdgeBody> {
    let len = page.len();
    let body = (req.method != Method::Head).then(|| Bytes::from(page));
    let mut response = Response::new(EdgeBody::page(body));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_GATEWAY);
    let h = response.headers_mut();
    h.insert(SERVER, HeaderValue::from_static("CloudFront"));
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    if close {
        h.insert(CONNECTION, HeaderValue::from_static("close"));
    } else if req.version == edgeconform_core::HttpVersion::Http11 {
        h.insert(CONNECTION, HeaderValue::from_static("keep-alive"));
    }
    if let Some(location) = location {
        h.insert(LOCATION, location);
    }
    h.insert(X_CACHE, HeaderValue::from_static(x_cache));
    stamp(h, shared, request_id);
    response
}

/// `Via`, `X-Amz-Cf-Pop` and `X-Amz-Cf-Id` on a response to the viewer.
fn stamp(h: &mut HeaderMap, shared: &Shared, request_id: &str) {
    h.append(VIA, shared.via.clone());
    h.insert(X_AMZ_CF_POP, HeaderValue::from_static(EDGE_LOCATION));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        h.insert(X_AMZ_CF_ID, id);
    }
}

fn content_len(h: &HeaderMap) -> u64 {
    h.get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// ORG-FAILURE: 502 when the origin refused, failed TLS or broke the exchange, 504 when it
/// gave no response head in time.
fn failure(
    shared: &Shared,
    req: &Request,
    timed_out: bool,
    request_id: &str,
) -> (Response<EdgeBody>, Option<ResponseFacts>) {
    let status = origin_failure_status(timed_out);
    let detailed = if timed_out {
        "OriginCommError"
    } else {
        "OriginConnectError"
    };
    let page = pages::error_page(status, detailed, request_id);
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

/// Forwards to the mapped origin listener and streams its answer back.
async fn forward(
    shared: &Shared,
    conn: &Conn,
    parts: &Parts,
    body: ForwardBody,
    req: &Request,
    f: &Forward,
    request_id: &str,
) -> (Response<EdgeBody>, Option<ResponseFacts>) {
    let origin = &shared.dist.origins[f.origin];
    let Some(addr) = shared.origins.get(&origin.id, f.protocol) else {
        return failure(shared, req, false, request_id);
    };
    let Some(outgoing) = origin_request(shared, conn, parts, body, req, f, request_id) else {
        return failure(shared, req, false, request_id);
    };
    match shared.upstream.send(addr, f.protocol, outgoing).await {
        Ok((response, pooled)) => {
            let (head, body) = origin_response(shared, response, request_id).into_parts();
            let status = head.status.as_u16();
            let result = if status >= 400 {
                ResultType::Error
            } else {
                ResultType::Miss
            };
            let facts = ResponseFacts {
                status,
                result_type: result,
                detailed_result_type: result.as_str().to_string(),
                content_type: head
                    .headers
                    .get(CONTENT_TYPE)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .unwrap_or_default(),
                content_len: head
                    .headers
                    .get(CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok()),
                first_byte_ms: 0,
            };
            (
                Response::from_parts(head, EdgeBody::origin(body, pooled)),
                Some(facts),
            )
        }
        Err(UpstreamError::TimedOut) => failure(shared, req, true, request_id),
        Err(UpstreamError::Failed(reason)) => {
            // A misconfigured origin (wrong CA, wrong TLS name) shows up here and nowhere else.
            eprintln!(
                "edgeconform edge: origin {} over {}: {reason}",
                origin.id, f.protocol
            );
            failure(shared, req, false, request_id)
        }
    }
}

/// The request the origin receives: the viewer's method, ORG-PATH's target (OriginPath + the
/// raw request-target, byte for byte), HTTP/1.1, the viewer's end-to-end headers with
///
/// - `Host`: the viewer's host (HTTP/2: its `:authority`), as CloudFront sends when the origin
///   request policy forwards `Host` — the instrumented origin records which name was used;
/// - `X-Forwarded-Proto` removed (ORG-XFP-STRIPPED), and a viewer-sent
///   `CloudFront-Forwarded-Proto` removed too: only the edge may set it;
/// - `CloudFront-Forwarded-Proto: <viewer scheme>` when the behavior enables it (ORG-CF-PROTO);
/// - `X-Forwarded-For` extended with the viewer's address, `Via` and `X-Amz-Cf-Id` added;
/// - `x-edgeconform-id` kept as sent (it is an ordinary end-to-end header).
///
/// `None` when the target is not a valid URI (cannot happen for a target the model forwards).
fn origin_request(
    shared: &Shared,
    conn: &Conn,
    parts: &Parts,
    body: ForwardBody,
    req: &Request,
    f: &Forward,
    request_id: &str,
) -> Option<hyper::Request<ForwardBody>> {
    let uri: Uri = f.target.parse().ok()?;
    let mut headers = parts.headers.clone();
    strip_hop_by_hop(&mut headers);
    headers.remove(X_FORWARDED_PROTO);
    headers.remove(CF_FORWARDED_PROTO);
    headers.remove(HOST);
    if let Some(host) = req
        .host
        .as_deref()
        .and_then(|h| HeaderValue::from_str(h).ok())
    {
        headers.insert(HOST, host);
    }
    if let Some(scheme) = f.cloudfront_forwarded_proto {
        headers.insert(
            CF_FORWARDED_PROTO,
            HeaderValue::from_static(scheme.as_str()),
        );
    }
    let peer = conn.peer.ip().to_string();
    let xff = match headers.get(X_FORWARDED_FOR).map(|v| v.as_bytes()) {
        Some(prior) => [prior, b", ", peer.as_bytes()].concat(),
        None => peer.into_bytes(),
    };
    if let Ok(xff) = HeaderValue::from_bytes(&xff) {
        headers.insert(X_FORWARDED_FOR, xff);
    }
    headers.append(VIA, shared.via.clone());
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert(X_AMZ_CF_ID, id);
    }
    let mut out = hyper::Request::new(body);
    *out.method_mut() = parts.method.clone();
    *out.uri_mut() = uri;
    *out.version_mut() = Version::HTTP_11;
    *out.headers_mut() = headers;
    Some(out)
}

/// The origin's answer as the viewer gets it: status, end-to-end headers and body unchanged,
/// plus `Via`, `X-Cache: Miss from cloudfront`, `X-Amz-Cf-Pop` and `X-Amz-Cf-Id`.
fn origin_response(
    shared: &Shared,
    response: Response<Incoming>,
    request_id: &str,
) -> Response<Incoming> {
    let (mut head, body) = response.into_parts();
    strip_hop_by_hop(&mut head.headers);
    head.headers
        .insert(X_CACHE, HeaderValue::from_static("Miss from cloudfront"));
    stamp(&mut head.headers, shared, request_id);
    Response::from_parts(head, body)
}
