//! The request fields of a scenario or matrix, each read as written and checked here so that
//! every problem of a file is reported at once: ids and tags, method, scheme, version, path, Host,
//! headers and padding.

use super::format::{RequestSpec, MAX_PAD, PAD_HEADER};
use crate::distribution::Distribution;
use crate::request::{is_tchar, HttpVersion, Method, Request, Scheme};
use crate::yaml::{Pos, Problem, Spanned};

pub(crate) fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

pub(crate) fn tags(ts: &[Spanned<String>], ps: &mut Vec<Problem>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in ts {
        if !is_kebab(&t.value) {
            ps.push(Problem::new(Pos::of(t), format!("tag `{}` is not kebab-case; expected lowercase words joined by `-`, like `redirect-pair`", t.value)));
        } else if !out.contains(&t.value) {
            out.push(t.value.clone());
        }
    }
    out
}

pub(crate) fn method(m: &Spanned<String>, ps: &mut Vec<Problem>) -> Option<Method> {
    if m.value.is_empty() || !m.value.bytes().all(is_tchar) {
        ps.push(Problem::new(Pos::of(m), format!("`{}` is not an HTTP method token; expected GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE or another token", m.value)));
        return None;
    }
    Some(Method::parse(&m.value))
}

pub(crate) fn scheme(s: &Spanned<String>, ps: &mut Vec<Problem>) -> Option<Scheme> {
    let r = Scheme::parse(&s.value);
    if r.is_none() {
        ps.push(Problem::new(
            Pos::of(s),
            format!("`{}` is not a scheme; expected http or https", s.value),
        ));
    }
    r
}

pub(crate) fn version(v: &Spanned<String>, ps: &mut Vec<Problem>) -> Option<HttpVersion> {
    let r = HttpVersion::parse(&v.value);
    if r.is_none() {
        ps.push(Problem::new(
            Pos::of(v),
            format!(
                "`{}` is not an HTTP version; expected \"1.0\", \"1.1\" or \"2\"",
                v.value
            ),
        ));
    }
    r
}

pub(crate) fn check_path(p: &Spanned<String>, ps: &mut Vec<Problem>) -> bool {
    let ok = crate::decide::valid_target(&p.value);
    if !ok {
        ps.push(Problem::new(Pos::of(p), format!("path {:?} is not a request-target a client can send; expected `/` first, then printable ASCII without spaces or `#` (percent-encode the rest)", p.value)));
    }
    ok
}

pub(crate) fn check_host(h: &Spanned<String>, ps: &mut Vec<Problem>) -> bool {
    let ok = !h.value.is_empty() && h.value.bytes().all(|b| (0x21..0x7f).contains(&b));
    if !ok {
        ps.push(Problem::new(Pos::of(h), format!("host {:?} cannot be sent in a Host header; expected printable ASCII without spaces, like www.example.com:8080", h.value)));
    }
    ok
}

pub(crate) fn request(
    r: &RequestSpec,
    dist: Option<&Distribution>,
    ps: &mut Vec<Problem>,
) -> Option<Request> {
    let before = ps.len();
    let method = method(&r.method, ps);
    let scheme = scheme(&r.scheme, ps);
    check_path(&r.path, ps);
    let version = match &r.version {
        Some(v) => version(v, ps),
        None => Some(HttpVersion::Http11),
    };
    if let (Some(Scheme::Http), Some(HttpVersion::Http2), Some(v)) = (scheme, version, &r.version) {
        ps.push(Problem::new(Pos::of(v), "HTTP/2 needs TLS, so it cannot be sent over http; expected scheme https or version \"1.0\" / \"1.1\""));
    }
    let host = match (&r.host, r.omit_host) {
        (Some(h), true) => {
            ps.push(Problem::new(
                Pos::of(h),
                "`host` and `omit_host: true` contradict each other; expected one of them",
            ));
            None
        }
        (Some(h), false) => {
            check_host(h, ps);
            Some(h.value.clone())
        }
        (None, true) => {
            if version != Some(HttpVersion::Http10) {
                ps.push(Problem::new(Pos::of(&r.method), "`omit_host: true` on an HTTP/1.1 or HTTP/2 request, which always carries a Host; expected version \"1.0\""));
            }
            None
        }
        (None, false) => Some(dist.map_or(String::new(), |d| d.domain.clone())),
    };
    let mut headers = Vec::new();
    if let Some(hs) = &r.headers {
        for (n, v) in &hs.value.0 {
            if n.is_empty() || !n.bytes().all(is_tchar) {
                ps.push(Problem::new(Pos::of(hs), format!("header name {n:?} is not a token; expected letters, digits and !#$%&'*+-.^_`|~")));
            } else if n.eq_ignore_ascii_case("host") {
                ps.push(Problem::new(Pos::of(hs), "the Host header is set under `headers`; expected it as `request.host` (or `omit_host: true`)"));
            }
            if v.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7f) {
                ps.push(Problem::new(Pos::of(hs), format!("the value of header `{n}` has control bytes; expected a value a client can send")));
            }
            headers.push((n.clone(), v.clone()));
        }
    }
    let mut target = r.path.value.clone();
    if let Some(pad) = &r.pad {
        for n in [&pad.header_bytes, &pad.path_bytes].into_iter().flatten() {
            if n.value > MAX_PAD {
                ps.push(Problem::new(Pos::of(n), format!("padding of {} bytes is over the limit of {MAX_PAD}; expected at most 1 MiB", n.value)));
            }
        }
        if let Some(n) = pad.header_bytes.as_ref().filter(|n| n.value <= MAX_PAD) {
            headers.push((PAD_HEADER.to_string(), "a".repeat(n.value as usize)));
        }
        if let Some(n) = pad.path_bytes.as_ref().filter(|n| n.value <= MAX_PAD) {
            let at = target.find('?').unwrap_or(target.len());
            target.insert_str(at, &"a".repeat(n.value as usize));
        }
    }
    if let Some(cl) = r.content_length.as_ref().filter(|c| !c.value) {
        if r.body_size.is_some_and(|n| n > 0) {
            ps.push(Problem::new(Pos::of(cl), "content_length: false sends no body; expected no body_size (or body_size: 0) with it"));
        }
    }
    if ps.len() > before {
        return None;
    }
    let method = method?;
    let (body_len, content_length) = client_body(&method, r);
    Some(Request {
        method,
        scheme: scheme?,
        host,
        target,
        version: version?,
        headers,
        body_len,
        content_length,
    })
}

/// The body and length a request spec asks for, real-client defaults filled in.
fn client_body(method: &Method, r: &RequestSpec) -> (u64, bool) {
    crate::request::client_body(
        method,
        r.body_size,
        r.content_length.as_ref().map(|c| c.value),
    )
}
