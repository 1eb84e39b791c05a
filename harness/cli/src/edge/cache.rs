//! The cache of the mutants that cache wrongly ([`Mutant::CacheBeforePolicy`],
//! [`Mutant::CachesUnsafeMethods`]); the reference edge does not cache. Both honour the origin's
//! `Cache-Control` (only a 200 with `public` or `max-age` and without `no-store` or `private` is
//! kept), as real caches do: with the instrumented origin's `no-store` default, only the cache
//! scenarios (`cacheable: true`) ever fill it, so the bug shows where those look and nowhere else.
//!
//! A hit is sent as the stored answer, the origin's headers (its fetch mark included) and body,
//! with `X-Cache: Hit from cloudfront` and `Age`, and logged as a `Hit`.

use std::time::Instant;

use edgeconform_core::accesslog::ResultType;
use edgeconform_core::{Method, Request};
use http_body_util::BodyExt;
use hyper::header::{HeaderMap, HeaderValue, AGE, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Response, StatusCode};

use super::context::{Shared, Stored, X_CACHE};
use super::log::ResponseFacts;
use super::meter::EdgeBody;
use super::mutant::Mutant;
use super::respond::{content_len, stamp};

impl Mutant {
    /// The cache key of `req` for a mutant that caches, `None` when it does not cache `req`:
    /// `CacheBeforePolicy` keeps GET/HEAD by request-target alone (no scheme, no Host);
    /// `CachesUnsafeMethods` keeps every method, by method and request-target.
    pub(super) fn cache_key(self, req: &Request) -> Option<String> {
        match self {
            Mutant::CacheBeforePolicy if matches!(req.method, Method::Get | Method::Head) => {
                Some(req.target.clone())
            }
            Mutant::CachesUnsafeMethods => {
                let method = match req.method {
                    // HEAD is answered from the GET entry, as caches do.
                    Method::Head => "GET",
                    ref m => m.as_str(),
                };
                Some(format!("{method} {}", req.target))
            }
            _ => None,
        }
    }

    /// Whether the cache is looked up before the viewer protocol policy is applied.
    pub(super) fn caches_before_policy(self) -> bool {
        self == Mutant::CacheBeforePolicy
    }
}

/// The stored answer for `key`, sent to `req` as a hit.
pub(super) fn lookup(
    shared: &Shared,
    key: &str,
    req: &Request,
    request_id: &str,
) -> Option<(Response<EdgeBody>, Option<ResponseFacts>)> {
    let entries = shared
        .cache
        .entries
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let s = entries.get(key)?;
    let body = (req.method != Method::Head).then(|| s.body.clone());
    let mut response = Response::new(EdgeBody::page(body));
    *response.status_mut() = s.status;
    *response.headers_mut() = s.headers.clone();
    let h = response.headers_mut();
    h.insert(X_CACHE, HeaderValue::from_static("Hit from cloudfront"));
    h.insert(AGE, HeaderValue::from(s.at.elapsed().as_secs()));
    h.remove(hyper::header::VIA);
    stamp(h, shared, request_id);
    let facts = ResponseFacts {
        status: s.status.as_u16(),
        result_type: ResultType::Hit,
        detailed_result_type: ResultType::Hit.as_str().into(),
        content_type: h
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned().into())
            .unwrap_or_default(),
        content_len: Some(content_len(h)),
        first_byte_ms: 0,
    };
    Some((response, Some(facts)))
}

/// Keeps the origin's answer under `key` when it may be cached, and gives it back to send. A
/// HEAD answer has no body to keep and is never stored.
pub(super) async fn keep(
    shared: &Shared,
    key: String,
    req: &Request,
    response: Response<EdgeBody>,
) -> Response<EdgeBody> {
    if req.method == Method::Head
        || response.status() != StatusCode::OK
        || !cacheable(response.headers())
    {
        return response;
    }
    let (head, body) = response.into_parts();
    let Ok(collected) = body.collect().await else {
        // The origin broke off: nothing to keep, and the viewer gets the head and no body.
        return Response::from_parts(head, EdgeBody::page(None));
    };
    let bytes = collected.to_bytes();
    shared
        .cache
        .entries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(
            key,
            Stored {
                status: head.status,
                headers: head.headers.clone(),
                body: bytes.clone(),
                at: Instant::now(),
            },
        );
    Response::from_parts(head, EdgeBody::page(Some(bytes)))
}

/// `Cache-Control` lets a shared cache keep the answer: `public` or `max-age`, and neither
/// `no-store` nor `private`.
fn cacheable(h: &HeaderMap) -> bool {
    let directives: Vec<String> = h
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|d| d.trim().to_ascii_lowercase())
        .collect();
    let has = |name: &str| {
        directives
            .iter()
            .any(|d| d == name || d.starts_with(&format!("{name}=")))
    };
    (has("public") || has("max-age") || has("s-maxage")) && !has("no-store") && !has("private")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_answers_a_shared_cache_may_keep_are_cacheable() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(CACHE_CONTROL, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(cacheable(&h("public, max-age=300")));
        assert!(cacheable(&h("max-age=60")));
        assert!(!cacheable(&h("no-store")));
        assert!(!cacheable(&h("private, max-age=60")));
        assert!(!cacheable(&HeaderMap::new()));
    }

    #[test]
    fn keys_ignore_the_scheme_and_host_and_head_shares_the_get_entry() {
        use edgeconform_core::Scheme;
        let get = Request::new(Method::Get, Scheme::Https, "a.example", "/x?y");
        let head = Request::new(Method::Head, Scheme::Http, "b.example", "/x?y");
        let post = Request::new(Method::Post, Scheme::Https, "a.example", "/x?y");
        let m = Mutant::CacheBeforePolicy;
        assert_eq!(m.cache_key(&get), m.cache_key(&head));
        assert_eq!(m.cache_key(&post), None);
        let u = Mutant::CachesUnsafeMethods;
        assert_eq!(u.cache_key(&get), u.cache_key(&head));
        assert_eq!(u.cache_key(&post).as_deref(), Some("POST /x?y"));
    }
}
