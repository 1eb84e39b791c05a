//! The answers the edge makes itself: its redirect and error pages (LOC-EDGE-ONLY), the 502/504
//! of a failed origin (ORG-FAILURE), and the headers CloudFront puts on every answer. Each is its
//! own function, so a mutant can swap one step without touching the others.

use bytes::Bytes;
use edgeconform_core::accesslog::ResultType;
use edgeconform_core::decide::{origin_failure_status, EdgeResponse};
use edgeconform_core::{pages, Method, Request};
use hyper::header::{
    HeaderMap, HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, SERVER, VIA,
};
use hyper::Response;

use super::context::{Shared, X_AMZ_CF_ID, X_AMZ_CF_POP, X_CACHE};
use super::log::{ResponseFacts, EDGE_LOCATION};
use super::meter::EdgeBody;
use super::mutant::Mutant;

/// The viewer broke off while sending its body.
pub(super) fn unreadable_response() -> EdgeResponse {
    EdgeResponse {
        status: 400,
        location: None,
        close: true,
        result_type: ResultType::Error,
        detailed_result_type: "InvalidRequest",
        logged: true,
    }
}

/// An answer generated at the edge (LOC-EDGE-ONLY): the redirect or error page (no body for
/// HEAD, the page's `Content-Length` all the same), CloudFront's headers, `Connection: close`
/// and a closed connection when the decision says so.
pub(crate) fn respond(
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
        result_type: r.result_type,
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
pub(crate) fn stamp(h: &mut HeaderMap, shared: &Shared, request_id: &str) {
    h.append(VIA, shared.via.clone());
    h.insert(X_AMZ_CF_POP, HeaderValue::from_static(EDGE_LOCATION));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        h.insert(X_AMZ_CF_ID, id);
    }
}

pub(crate) fn content_len(h: &HeaderMap) -> u64 {
    h.get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// ORG-FAILURE: 502 when the origin refused, failed TLS or broke the exchange, 504 when it
/// gave no response head in time.
pub(crate) fn failure(
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
