//! The answers the edge makes itself: its redirect and error pages (LOC-EDGE-ONLY), the 502/504
//! of a failed origin (ORG-FAILURE), and the headers CloudFront puts on every answer. Each is its
//! own function, so a mutant can swap one step without touching the others.

use std::sync::LazyLock;

use bytes::Bytes;
use edgeconform_core::accesslog::ResultType;
use edgeconform_core::decide::{origin_failure_status, EdgeResponse};
use edgeconform_core::{pages, Method, Request};
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, SERVER,
    VIA,
};
use hyper::{Response, StatusCode};

use super::context::{Shared, X_AMZ_CF_ID, X_AMZ_CF_POP, X_CACHE};
use super::log::{ResponseFacts, EDGE_LOCATION};
use super::meter::EdgeBody;
use super::mutant::Mutant;

/// The viewer broke off while sending its body.
pub(super) fn unreadable_response() -> EdgeResponse {
    EdgeResponse::refusal(400, "InvalidRequest").closing()
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
    let (page, facts) = edge_answer(shared, req, r, request_id);
    (page.into_response(), facts)
}

/// [`respond`]'s answer before it becomes a hyper response: the direct path writes it itself.
pub(crate) fn edge_answer<'a>(
    shared: &'a Shared,
    req: &Request,
    r: &'a EdgeResponse,
    request_id: &'a str,
) -> (EdgePage<'a>, Option<ResponseFacts>) {
    static UNREADABLE: LazyLock<EdgeResponse> = LazyLock::new(unreadable_response);
    let location = r.location.as_deref().filter(|l| header_value(l.as_bytes()));
    if r.location.is_some() && location.is_none() {
        // Unreachable for targets the model accepts (LOC-SAFE); never send a broken Location.
        return edge_answer(shared, req, &UNREADABLE, request_id);
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
    let page = edge_page(
        shared, req, r.status, page, location, x_cache, r.close, request_id,
    );
    let facts = r.logged.then(|| ResponseFacts {
        status: r.status,
        result_type: r.result_type,
        detailed_result_type: r.detailed_result_type.into(),
        content_type: "text/html".into(),
        content_len: Some(page.len as u64),
        first_byte_ms: 0,
    });
    let facts = match shared.mutant {
        Some(m) if r.location.is_some() => m.redirect_log(facts),
        _ => facts,
    };
    (page, facts)
}

/// A page the edge sends itself, with CloudFront's fields.
pub(crate) struct EdgePage<'a> {
    pub status: StatusCode,
    /// The page's length, sent as `Content-Length` even when there is no body (HEAD).
    pub len: usize,
    pub body: Option<Bytes>,
    pub connection: Option<&'static str>,
    /// A valid header value ([`header_value`]).
    pub location: Option<&'a str>,
    pub x_cache: &'static str,
    pub via: &'a HeaderValue,
    pub request_id: &'a str,
}

/// A field of an [`EdgePage`] as [`EdgePage::each_field`] gives it.
pub(crate) enum FieldValue<'v> {
    Text(&'v [u8]),
    Number(usize),
}

impl EdgePage<'_> {
    /// Each field in the order CloudFront sends them: name, name as hyper writes it on
    /// HTTP/1.1 (title case), value.
    pub(crate) fn each_field(&self, mut field: impl FnMut(&HeaderName, &'static str, FieldValue)) {
        use FieldValue::{Number, Text};
        field(&SERVER, "Server", Text(b"CloudFront"));
        field(&CONTENT_TYPE, "Content-Type", Text(b"text/html"));
        field(&CONTENT_LENGTH, "Content-Length", Number(self.len));
        if let Some(c) = self.connection {
            field(&CONNECTION, "Connection", Text(c.as_bytes()));
        }
        if let Some(location) = self.location {
            field(&LOCATION, "Location", Text(location.as_bytes()));
        }
        field(&X_CACHE, "X-Cache", Text(self.x_cache.as_bytes()));
        stamp_fields(self.via, self.request_id, |name, title, value| {
            field(name, title, Text(value))
        });
    }

    pub(crate) fn into_response(self) -> Response<EdgeBody> {
        let mut h = HeaderMap::with_capacity(12);
        self.each_field(|name, _, value| {
            let value = match value {
                FieldValue::Text(t) => HeaderValue::from_bytes(t),
                FieldValue::Number(n) => Ok(HeaderValue::from(n)),
            };
            if let Ok(value) = value {
                h.append(name, value);
            }
        });
        let mut response = Response::new(EdgeBody::page(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = h;
        response
    }
}

#[allow(clippy::too_many_arguments)]
fn edge_page<'a>(
    shared: &'a Shared,
    req: &Request,
    status: u16,
    page: Bytes,
    location: Option<&'a str>,
    x_cache: &'static str,
    close: bool,
    request_id: &'a str,
) -> EdgePage<'a> {
    let connection = if close {
        Some("close")
    } else if req.version == edgeconform_core::HttpVersion::Http11 && !viewer_closes(req) {
        // CloudFront says so explicitly; hyper would write `keep-alive, close` if the viewer
        // asked to close, hence the check.
        Some("keep-alive")
    } else {
        None
    };
    EdgePage {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
        len: page.len(),
        body: (req.method != Method::Head).then_some(page),
        connection,
        location,
        x_cache,
        via: &shared.via,
        request_id,
    }
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
    stamp_fields(&shared.via, request_id, |name, _, value| {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            if name == VIA {
                h.append(name, value);
            } else {
                h.insert(name, value);
            }
        }
    });
}

/// The fields of [`stamp`] in order (name, title-case name, value); no `X-Amz-Cf-Id` for an id
/// that is no header value.
fn stamp_fields(
    via: &HeaderValue,
    request_id: &str,
    mut field: impl FnMut(&HeaderName, &'static str, &[u8]),
) {
    field(&VIA, "Via", via.as_bytes());
    field(&X_AMZ_CF_POP, "X-Amz-Cf-Pop", EDGE_LOCATION.as_bytes());
    if header_value(request_id.as_bytes()) {
        field(&X_AMZ_CF_ID, "X-Amz-Cf-Id", request_id.as_bytes());
    }
}

/// Whether `HeaderValue::from_bytes` accepts `bytes` (no control character but tab, no DEL),
/// checked without the copy it makes.
fn header_value(bytes: &[u8]) -> bool {
    // No early return, so the loop vectorizes (as hyper's check does).
    !bytes
        .iter()
        .fold(false, |bad, &b| bad | (b < 32 && b != b'\t') | (b == 127))
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
    let page = edge_page(
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
        detailed_result_type: detailed.into(),
        content_type: "text/html".into(),
        content_len: Some(page.len as u64),
        first_byte_ms: 0,
    };
    (page.into_response(), Some(facts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_value_is_what_hyper_accepts() {
        for b in 0..=255u8 {
            for bytes in [vec![b], vec![b'a', b, b'z']] {
                assert_eq!(
                    header_value(&bytes),
                    HeaderValue::from_bytes(&bytes).is_ok(),
                    "{bytes:?}"
                );
            }
        }
    }
}
