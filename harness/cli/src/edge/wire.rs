//! From the wire to the model: the core [`Request`] the edge decides on, built from what hyper
//! parsed, with the raw request-target kept byte for byte; the real size of the request head
//! (LIM-SIZE); the body length (MTH-GET-BODY); and the ids the edge stamps on a response.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use edgeconform_core::{HttpVersion, Method, Request, Scheme};
use http_body_util::{BodyExt, Either, Full};
use hyper::body::{Body, Incoming};
use hyper::header::{HeaderMap, HeaderName, CONTENT_LENGTH, HOST};
use hyper::http::request::Parts;
use hyper::Version;

/// The body sent on to the origin: the viewer's, streamed, or the one the edge had to read
/// whole to learn its length (chunked uploads).
pub(crate) type ForwardBody = Either<Incoming, Full<Bytes>>;

/// A viewer request as the model sees it, plus what only the wire knows.
pub(crate) struct ViewerRequest {
    /// The model's request; `body_len` is filled in by [`read_body`].
    pub request: Request,
    /// Bytes of the request line and header block, counted from the raw header bytes in
    /// HTTP/1.1 form (`Name: value` lines, the `Host` line included; for HTTP/2 the
    /// `:authority` counts as a `Host` line). Unlike [`Request::head_len`] it never counts a
    /// non-UTF-8 header byte as a 3-byte replacement character.
    pub head_bytes: usize,
}

/// Builds the model's request from hyper's parse of the request head.
///
/// - The request-target is `uri().path_and_query()` exactly as received, never normalised
///   (LOC-TARGET, ORG-PATH). An absolute-form target (`GET http://h/x HTTP/1.1`) contributes its
///   path and query, and its authority replaces the `Host` header (RFC 9112 §3.2.2). The
///   asterisk form (`OPTIONS *`) stays `*`, which the model refuses with 400.
/// - The host is the `Host` header (HTTP/2: `:authority`, else `Host`); two `Host` fields make
///   it malformed, which the model treats as missing (HOST-ROUTE → 403).
/// - Every other header is kept in the order hyper yields them (names lowercased by hyper).
pub(crate) fn viewer_request(parts: &Parts, scheme: Scheme) -> ViewerRequest {
    let uri = &parts.uri;
    let target = match uri.path_and_query() {
        Some(pq) => pq.as_str().to_string(),
        None => uri.to_string(),
    };
    let version = match parts.version {
        Version::HTTP_10 | Version::HTTP_09 => HttpVersion::Http10,
        Version::HTTP_2 => HttpVersion::Http2,
        _ => HttpVersion::Http11,
    };
    let mut hosts = parts.headers.get_all(HOST).iter();
    let host_header = match (hosts.next(), hosts.next()) {
        (Some(h), None) => Some(lossy(h.as_bytes())),
        _ => None,
    };
    let host = match uri.authority() {
        Some(a) => Some(a.as_str().to_string()),
        None => host_header,
    };
    let headers = parts
        .headers
        .iter()
        .filter(|(name, _)| *name != HOST)
        .map(|(name, value)| (name.as_str().to_string(), lossy(value.as_bytes())))
        .collect();
    let method = Method::parse(parts.method.as_str());
    let mut head_bytes = method.as_str().len() + 1 + target.len() + " HTTP/1.1\r\n".len();
    for (name, value) in &parts.headers {
        head_bytes += name.as_str().len() + 2 + value.len() + 2;
    }
    if !parts.headers.contains_key(HOST) {
        if let Some(a) = uri.authority() {
            head_bytes += "Host: ".len() + a.as_str().len() + 2;
        }
    }
    head_bytes += 2;
    ViewerRequest {
        request: Request {
            method,
            scheme,
            host,
            target,
            version,
            content_length: parts.headers.contains_key(hyper::header::CONTENT_LENGTH),
            headers,
            body_len: 0,
        },
        head_bytes,
    }
}

/// A field value as text, invalid UTF-8 replaced; the plain check first, since nearly every
/// value is ASCII.
pub(crate) fn lossy(bytes: &[u8]) -> String {
    let mut text = String::new();
    lossy_into(bytes, &mut text);
    text
}

/// [`lossy`] appended to `out`.
pub(crate) fn lossy_into(bytes: &[u8], out: &mut String) {
    match std::str::from_utf8(bytes) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// The viewer's body and its length: `Content-Length` when the viewer sent one (the body then
/// streams on to the origin untouched), else the exact size hyper knows (an empty body, an
/// HTTP/2 stream that ended with its headers), else the body read whole (a chunked upload).
/// `Err` when the viewer broke off while sending it.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Incoming,
) -> Result<(ForwardBody, u64), hyper::Error> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(len) = declared.or_else(|| body.size_hint().exact()) {
        return Ok((Either::Left(body), len));
    }
    let bytes = body.collect().await?.to_bytes();
    let len = bytes.len() as u64;
    Ok((Either::Right(Full::new(bytes)), len))
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) a proxy never forwards, in either direction, plus the
/// fields named by `Connection`.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(hyper::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|token| HeaderName::from_bytes(token.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in [
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ] {
        headers.remove(name);
    }
}

/// The request id of a response: the viewer's correlation header when it is
/// [`usable_as_request_id`], else a new [`random_request_id_into`].
pub(crate) fn request_id_for(correlation: Option<&[u8]>) -> String {
    let mut id = String::new();
    request_id_into(correlation, &mut id);
    id
}

/// [`request_id_for`] in `out`, which is cleared first (a buffer reused for every request).
pub(crate) fn request_id_into(correlation: Option<&[u8]>, out: &mut String) {
    out.clear();
    match correlation {
        Some(id) if usable_as_request_id(id) => lossy_into(id, out),
        _ => random_request_id_into(out),
    }
}

/// A correlation id the edge may reuse as its request id: 1–128 characters of the base64url
/// alphabet plus `.~=+/:`, so it is safe in a header, an HTML page and a log field as is.
pub(crate) fn usable_as_request_id(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~=+/:".contains(b))
}

/// Random bytes without a dependency: each `RandomState` is seeded from the OS once per
/// thread and then stepped, and a process-wide counter makes every call distinct.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(t.as_nanos());
    }
    hasher.finish()
}

/// Appends an `X-Amz-Cf-Id` in CloudFront's shape: 40 random bytes in base64url, 56 characters
/// ending in `==`. Each thread seeds a SplitMix64 stream once from [`random_u64`] and takes five
/// steps per id: ids must differ, not resist guessing, and this runs for every response.
fn random_request_id_into(out: &mut String) {
    thread_local! {
        static STATE: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
    }
    let mut bytes = [0u8; 40];
    STATE.with(|cell| {
        let mut state = cell.get().unwrap_or_else(random_u64);
        for chunk in bytes.chunks_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        cell.set(Some(state));
    });
    crate::encode::base64_into(&bytes, crate::encode::URL_SAFE, out);
}

/// One step of SplitMix64 (Steele, Lea, Flood 2014).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The host part of the `Via` value, `<32 hex>.cloudfront.net`, one per edge instance.
pub(crate) fn random_via_host() -> String {
    format!("{:016x}{:016x}.cloudfront.net", random_u64(), random_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(raw_target: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = hyper::Request::builder().method("GET").uri(raw_target);
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn target_is_kept_byte_for_byte_and_host_is_separate() {
        let p = parts(
            "/images/a/../b%2F?q",
            &[("host", "www.example.com"), ("x-a", "1")],
        );
        let v = viewer_request(&p, Scheme::Http);
        assert_eq!(v.request.target, "/images/a/../b%2F?q");
        assert_eq!(v.request.host.as_deref(), Some("www.example.com"));
        assert_eq!(v.request.headers, [("x-a".to_string(), "1".to_string())]);
        // The real head is what the model counts for a plain UTF-8 request.
        assert_eq!(v.head_bytes, v.request.head_len());
    }

    #[test]
    fn absolute_form_takes_its_authority_and_two_hosts_are_none() {
        let p = parts("http://www.example.com/x?y", &[("host", "other")]);
        let v = viewer_request(&p, Scheme::Http);
        assert_eq!(v.request.target, "/x?y");
        assert_eq!(v.request.host.as_deref(), Some("www.example.com"));
        let p = parts("/", &[("host", "a"), ("host", "b")]);
        assert_eq!(viewer_request(&p, Scheme::Http).request.host, None);
    }

    #[test]
    fn request_ids_have_cloudfronts_shape() {
        let a = request_id_for(None);
        assert_eq!(a.len(), 56, "{a}");
        assert!(a.ends_with("=="), "{a}");
        // 40 bytes: the last character before the padding carries 2 bits and 4 zero bits.
        assert!("AQgw".contains(char::from(a.as_bytes()[53])), "{a}");
        assert!(!a[..54].contains('='), "{a}");
        assert_ne!(a, request_id_for(None));
        assert!(usable_as_request_id(a.as_bytes()));
        assert!(!usable_as_request_id(b"<script>"));
        assert!(!usable_as_request_id(b""));
        assert_eq!(random_via_host().len(), 32 + ".cloudfront.net".len());
    }
}
