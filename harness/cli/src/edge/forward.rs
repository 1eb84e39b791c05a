//! A forward (ORG-*): the request the origin receives, the exchange, and the origin's answer as
//! the viewer gets it.

use edgeconform_core::accesslog::ResultType;
use edgeconform_core::decide::Forward;
use edgeconform_core::Request;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, HOST, VIA};
use hyper::http::request::Parts;
use hyper::{Response, Uri, Version};

use super::context::{Conn, Shared, X_AMZ_CF_ID, X_CACHE};
use super::log::ResponseFacts;
use super::meter::EdgeBody;
use super::respond::{failure, stamp};
use super::upstream::UpstreamError;
use super::wire::{strip_hop_by_hop, ForwardBody};

const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const CF_FORWARDED_PROTO: HeaderName = HeaderName::from_static("cloudfront-forwarded-proto");

/// Forwards to the mapped origin listener and streams its answer back.
pub(super) async fn forward(
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
                detailed_result_type: result.as_str().into(),
                content_type: head
                    .headers
                    .get(CONTENT_TYPE)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned().into())
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
            if !shared.quiet {
                eprintln!(
                    "edgeconform edge: origin {} over {}: {reason}",
                    origin.id, f.protocol
                );
            }
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
    if shared.mutant.is_none_or(|m| m.strips_x_forwarded_proto()) {
        headers.remove(X_FORWARDED_PROTO);
    }
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
