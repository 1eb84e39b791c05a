//! The request as a real client puts it on the wire, from the model's [`Request`].
//!
//! - HTTP/1.x: the request-target in origin form byte for byte, then `Host` (the scenario's, or
//!   none), `User-Agent` and `Accept` as curl sends them (not on a head padded to probe a size
//!   limit), the scenario's headers, the runner's own (`x-edgeconform-id`), and `Content-Length`
//!   with every body.
//! - HTTP/2: `:scheme https`, `:authority` from the Host (or the TLS name when the scenario sends
//!   none), `:path` the raw request-target byte for byte; no `Host` field and none of the
//!   connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2). A target or Host that has no
//!   HTTP/2 form is [`NotRun`], never rewritten.

use super::fail::Failure;
use super::NotRun;
use bytes::Bytes;
use edgeconform_core::spec::format::PAD_HEADER;
use edgeconform_core::{HttpVersion, Request};
use http_body_util::Full;
use hyper::header::{HeaderName, ACCEPT, CONTENT_LENGTH, HOST, USER_AGENT};
use hyper::http::uri::{Authority, PathAndQuery, Scheme as UriScheme};
use hyper::Uri;

/// What the runner sends as `User-Agent` unless the scenario sets one.
pub const AGENT: &str = concat!("edgeconform/", env!("CARGO_PKG_VERSION"));

/// Fields that only mean something to one HTTP/1.1 connection; HTTP/2 forbids them (`TE` is
/// allowed with the value `trailers` only).
const CONNECTION_SPECIFIC: [&str; 5] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
];

/// The hyper request for `req`, with the runner's own headers `extra`. `tls_name` is the
/// `:authority` of an HTTP/2 request that has no Host.
pub fn build(
    req: &Request,
    extra: &[(String, String)],
    tls_name: &str,
) -> Result<hyper::Request<Full<Bytes>>, Failure> {
    let h2 = req.version == HttpVersion::Http2;
    let mut b = hyper::Request::builder()
        .method(req.method.as_str())
        .version(match req.version {
            HttpVersion::Http10 => hyper::Version::HTTP_10,
            HttpVersion::Http11 => hyper::Version::HTTP_11,
            HttpVersion::Http2 => hyper::Version::HTTP_2,
        });
    if h2 {
        b = b.uri(h2_uri(req, tls_name)?);
    } else {
        b = b.uri(origin_form(req)?);
        if let Some(h) = &req.host {
            b = b.header(HOST, h.as_str());
        }
    }
    let given = |name: &str| {
        req.headers
            .iter()
            .chain(extra)
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    // A head padded to probe a size limit (LIM-SIZE) goes out as the scenario sized it, plus
    // only the correlation id: the model's head length does not count the runner's own fields,
    // and a probe that sits a few dozen bytes from a limit must not be moved across it.
    let sized = given(PAD_HEADER);
    if !sized && !given("user-agent") {
        b = b.header(USER_AGENT, AGENT);
    }
    if !sized && !given("accept") {
        b = b.header(ACCEPT, "*/*");
    }
    for (n, v) in req.headers.iter().chain(extra) {
        if h2 && !allowed_in_h2(n, v) {
            continue;
        }
        b = b.header(n.as_str(), v.as_str());
    }
    // As real clients send it: a length with every body, and with an empty POST/PUT/PATCH.
    if req.content_length && !given("content-length") {
        b = b.header(CONTENT_LENGTH, req.body_len);
    }
    let body = if req.body_len > 0 {
        Bytes::from(vec![b'x'; req.body_len as usize])
    } else {
        Bytes::new()
    };
    b.body(Full::new(body))
        .map_err(|e| Failure::new(format!("cannot build the request: {e}")))
}

/// The request-target as hyper writes it over HTTP/1.x, which must be the scenario's byte for
/// byte: anything hyper would drop (a `#fragment`) or rewrite is refused rather than sent as
/// another target.
pub fn origin_form(req: &Request) -> Result<Uri, Failure> {
    let uri = Uri::try_from(req.target.as_str()).map_err(|e| {
        Failure::new(format!(
            "the request-target {:?} cannot be sent: {e}",
            req.target
        ))
    })?;
    // hyper writes the URI as it displays. (An origin-form target displays as its path and
    // query: compared without formatting.)
    let as_sent = match (uri.scheme(), uri.authority(), uri.path_and_query()) {
        (None, None, Some(pq)) => pq.as_str() == req.target,
        _ => uri.to_string() == req.target,
    };
    if !as_sent {
        return Err(Failure::new(format!(
            "the request-target {:?} cannot be sent byte for byte (it would go out as {:?})",
            req.target,
            uri.to_string()
        )));
    }
    Ok(uri)
}

/// `https://{authority}{target}`: hyper's HTTP/2 client takes `:scheme` and `:authority` from it
/// and sends `path_and_query` verbatim as `:path`.
fn h2_uri(req: &Request, tls_name: &str) -> Result<Uri, Failure> {
    let not_run = |reason: String| Failure::not_run(NotRun { reason });
    let host = req.host.as_deref().unwrap_or(tls_name);
    let authority = Authority::try_from(host).map_err(|_| {
        not_run(format!(
            "the Host {host:?} cannot be sent as an HTTP/2 :authority"
        ))
    })?;
    let target = req.target.as_str();
    let origin_form = target.starts_with('/') || target == "*";
    let path = PathAndQuery::try_from(target)
        .ok()
        .filter(|p| origin_form && p.as_str() == target)
        .ok_or_else(|| {
            not_run(format!(
                "the request-target {target:?} cannot be sent as an HTTP/2 :path"
            ))
        })?;
    let mut parts = hyper::http::uri::Parts::default();
    parts.scheme = Some(UriScheme::HTTPS);
    parts.authority = Some(authority);
    parts.path_and_query = Some(path);
    Uri::from_parts(parts).map_err(|e| {
        not_run(format!(
            "the request-target {target:?} cannot be sent over HTTP/2: {e}"
        ))
    })
}

/// Whether a header field may be sent over HTTP/2 (RFC 9113 §8.2.2).
fn allowed_in_h2(name: &str, value: &str) -> bool {
    let Ok(name) = HeaderName::try_from(name) else {
        return true; // the builder reports it
    };
    if name == HOST || CONNECTION_SPECIFIC.contains(&name.as_str()) {
        return false;
    }
    name != "te" || value.eq_ignore_ascii_case("trailers")
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgeconform_core::{Method, Scheme};

    fn h2(target: &str) -> Request {
        let mut r = Request::new(Method::Get, Scheme::Https, "www.example.com", target);
        r.version = HttpVersion::Http2;
        r
    }

    fn names(r: &hyper::Request<Full<Bytes>>) -> Vec<String> {
        r.headers().keys().map(|k| k.as_str().to_string()).collect()
    }

    #[test]
    fn an_h2_request_carries_scheme_authority_and_the_raw_path() {
        for target in [
            "/a/../b%2F?x=%zz",
            "/",
            "/%7e?",
            "/a?b=c&&d=/../",
            "/a//b/./c",
        ] {
            let r = build(&h2(target), &[], "d1.cloudfront.net").unwrap_or_else(|e| {
                panic!("{target}: {}", e.error);
            });
            let uri = r.uri();
            assert_eq!(uri.scheme_str(), Some("https"), "{target}");
            assert_eq!(uri.authority().map(|a| a.as_str()), Some("www.example.com"));
            assert_eq!(uri.path_and_query().unwrap().as_str(), target);
            assert!(!r.headers().contains_key(HOST));
        }
    }

    #[test]
    fn an_h2_request_without_host_takes_the_tls_name() {
        let mut req = h2("/x");
        req.host = None;
        let r = build(&req, &[], "d1.cloudfront.net").ok().unwrap();
        assert_eq!(r.uri().authority().unwrap().as_str(), "d1.cloudfront.net");
    }

    #[test]
    fn an_h2_request_sends_no_connection_specific_field() {
        let mut req = h2("/x");
        for (n, v) in [
            ("Connection", "keep-alive"),
            ("Keep-Alive", "timeout=5"),
            ("Proxy-Connection", "keep-alive"),
            ("Transfer-Encoding", "chunked"),
            ("Upgrade", "h2c"),
            ("TE", "gzip"),
            ("X-Forwarded-Proto", "http"),
        ] {
            req.headers.push((n.to_string(), v.to_string()));
        }
        let r = build(&req, &[("x-edgeconform-id".into(), "1".into())], "d")
            .ok()
            .unwrap();
        assert_eq!(
            names(&r),
            [
                "user-agent",
                "accept",
                "x-forwarded-proto",
                "x-edgeconform-id"
            ]
        );
        let mut req = h2("/x");
        req.headers.push(("te".into(), "trailers".into()));
        let r = build(&req, &[], "d").ok().unwrap();
        assert_eq!(r.headers()["te"], "trailers");
    }

    #[test]
    fn what_has_no_h2_form_is_not_run() {
        let mut bad_host = h2("/x");
        bad_host.host = Some("a b".into());
        let cases = [
            (
                bad_host,
                "the Host \"a b\" cannot be sent as an HTTP/2 :authority",
            ),
            (
                h2("http://other/x"),
                "the request-target \"http://other/x\" cannot be sent as an HTTP/2 :path",
            ),
            (
                h2("/a#frag"),
                "the request-target \"/a#frag\" cannot be sent as an HTTP/2 :path",
            ),
        ];
        for (req, reason) in cases {
            let e = build(&req, &[], "d").expect_err("refused").error;
            let n = e.downcast_ref::<NotRun>().expect("a NotRun");
            assert_eq!(n.reason, reason);
        }
    }

    #[test]
    fn http1_keeps_host_and_adds_what_curl_adds() {
        let mut req = Request::new(Method::Post, Scheme::Http, "h", "/a/../b%2F?x=%zz");
        req.body_len = 16;
        req.content_length = true;
        let r = build(&req, &[("x-edgeconform-id".into(), "7".into())], "d")
            .ok()
            .unwrap();
        assert_eq!(r.uri().to_string(), "/a/../b%2F?x=%zz");
        assert_eq!(
            names(&r),
            [
                "host",
                "user-agent",
                "accept",
                "x-edgeconform-id",
                "content-length"
            ]
        );
        assert_eq!(r.headers()[USER_AGENT], AGENT);
        assert_eq!(r.headers()[ACCEPT], "*/*");
        // A scenario's own User-Agent or Accept replaces the runner's.
        req.headers
            .push(("User-Agent".into(), "curl/7.88.1".into()));
        req.headers.push(("accept".into(), "text/html".into()));
        let r = build(&req, &[], "d").ok().unwrap();
        assert_eq!(r.headers().get_all(USER_AGENT).iter().count(), 1);
        assert_eq!(r.headers()[USER_AGENT], "curl/7.88.1");
        assert_eq!(r.headers()[ACCEPT], "text/html");
        // A head padded to a size is sent as sized: nothing of the runner's but the id.
        let mut padded = Request::new(Method::Get, Scheme::Https, "h", "/");
        padded.headers.push((PAD_HEADER.into(), "a".repeat(100)));
        let r = build(&padded, &[("x-edgeconform-id".into(), "7".into())], "d")
            .ok()
            .unwrap();
        assert_eq!(names(&r), ["host", "x-edgeconform-pad", "x-edgeconform-id"]);
    }
}
