//! Simpler variants of a request, for shrinking a live finding (`edgeconform fuzz`): the caller
//! sends each candidate in order and keeps the first that still fails for the same rule, then
//! asks again, until no candidate fails or its budget is spent.
//!
//! Candidates come biggest step first, and each is strictly simpler than the request by
//! [`weight`] (fewer headers, a shorter or plainer target, a plainer method, version or `Host`),
//! so a shrink always ends. The list depends on the request alone: a shrink is deterministic
//! for a deterministic target.

use crate::distribution::Distribution;
use crate::request::{client_body, split_target, HttpVersion, Method, Request};

/// How complicated a request is: what shrinking lowers. Headers and the target's length weigh
/// most; then escapes, upper-case letters, an unusual method, version, `Host` and body.
pub fn weight(r: &Request, dist: &Distribution) -> u64 {
    let headers: u64 = r
        .headers
        .iter()
        .map(|(n, v)| 1000 + (n.len() + v.len()) as u64)
        .sum();
    // A byte of the target weighs what a byte of a header does: shrinking aims at the shortest
    // request on the wire, and an oversized header may give way to an oversized URL.
    let target = r.target.len() as u64;
    let escapes = r.target.matches('%').count() as u64 * 5;
    let upper = r.target.bytes().filter(u8::is_ascii_uppercase).count() as u64;
    let method = match r.method {
        Method::Get => 0,
        Method::Head => 1,
        _ => 2,
    };
    let version = u64::from(r.version != HttpVersion::Http11);
    let host = match &r.host {
        Some(h) if *h == shortest_name(dist) => 0,
        Some(h) => 1 + h.len() as u64,
        None => 1,
    };
    let body = u64::from((r.body_len, r.content_length) != client_body(&r.method, None, None));
    headers + target + escapes + upper + method + version + host + body
}

/// Simpler variants of `r`, biggest step first; every one weighs less than `r`.
pub fn candidates(r: &Request, dist: &Distribution) -> Vec<Request> {
    let mut out: Vec<Request> = Vec::new();
    header_candidates(r, &mut out);
    target_candidates(r, &mut out);
    request_candidates(r, dist, &mut out);
    size_candidates(r, dist, &mut out);
    let w = weight(r, dist);
    let mut seen: Vec<Request> = Vec::new();
    for c in out {
        if weight(&c, dist) < w && !seen.contains(&c) && !c.target.is_empty() {
            seen.push(c);
        }
    }
    seen
}

/// Each header dropped.
fn header_candidates(r: &Request, out: &mut Vec<Request>) {
    let mut push = |c: Request| out.push(c);
    for i in 0..r.headers.len() {
        let mut c = r.clone();
        c.headers.remove(i);
        push(c);
    }
}

/// A shorter or plainer target: the query dropped or halved, segments dropped, replaced or cut, the path normalised, unescaped or lower-cased.
fn target_candidates(r: &Request, out: &mut Vec<Request>) {
    let mut push = |c: Request| out.push(c);
    let (path, query) = split_target(&r.target);
    if query.is_some() {
        push(with_target(r, path.to_string()));
    }
    if let Some(q) = query.filter(|q| q.len() > 4) {
        push(with_target(
            r,
            format!("{path}?{}", &q[..floor_char(q, q.len() / 2)]),
        ));
    }
    let q = query.map_or(String::new(), |q| format!("?{q}"));
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    // Whole segments dropped, last first (the tail of a path is usually what a pattern ignores).
    if segs.len() > 1 {
        for i in (0..segs.len()).rev() {
            let mut s = segs.clone();
            s.remove(i);
            push(with_target(r, format!("/{}{q}", s.join("/"))));
        }
    }
    // A segment replaced by a one-letter one.
    for (i, seg) in segs.iter().enumerate() {
        if seg.len() > 1 {
            let mut s = segs.clone();
            s[i] = "a";
            push(with_target(r, format!("/{}{q}", s.join("/"))));
        }
    }
    // A long segment halved, then cut to one byte.
    for (i, seg) in segs.iter().enumerate() {
        if seg.len() > 8 {
            for keep in [seg.len() / 2, 1] {
                let mut s = segs.clone();
                let cut = cut_at(seg, keep);
                s[i] = &cut;
                push(with_target(r, format!("/{}{q}", s.join("/"))));
            }
        }
    }
    let simplified = [
        path.replace("//", "/"),
        path.replace("/./", "/"),
        without_parent_segments(path),
        decode_unreserved(path),
        drop_escapes(path),
        path.to_ascii_lowercase(),
    ];
    for p in simplified {
        if p != path && p.starts_with('/') {
            push(with_target(r, format!("{p}{q}")));
        }
    }
}

/// A plainer method, version and `Host`.
fn request_candidates(r: &Request, dist: &Distribution, out: &mut Vec<Request>) {
    let mut push = |c: Request| out.push(c);
    if r.method != Method::Get {
        let mut c = r.clone();
        c.method = Method::Get;
        (c.body_len, c.content_length) = client_body(&c.method, None, None);
        push(c);
    }
    if r.version != HttpVersion::Http11 {
        let mut c = r.clone();
        c.version = HttpVersion::Http11;
        if c.host.is_none() {
            c.host = Some(shortest_name(dist).to_string());
        }
        push(c);
    }
    if let Some(h) = &r.host {
        let name = crate::request::host_without_port(h);
        let port = &h[name.len()..];
        let simpler_hosts = [
            shortest_name(dist).to_string(),
            h.to_ascii_lowercase(),
            name.to_string(),
            format!("{}{port}", name.strip_suffix('.').unwrap_or(name)),
            // The port kept, the name the shortest routed one (a failure may need the port).
            format!("{}{port}", shortest_name(dist)),
        ];
        for simpler in simpler_hosts {
            if *h != simpler {
                let mut c = r.clone();
                c.host = Some(simpler);
                push(c);
            }
        }
    }
    // A Host the distribution does not route, dropped: an HTTP/1.0 request without one is the
    // shortest request an unknown-Host failure can take.
    if r.host.as_deref().is_some_and(|h| !dist.routes_host(h)) {
        let mut c = r.clone();
        c.host = None;
        c.version = HttpVersion::Http10;
        push(c);
    }
}

/// An oversized head brought down to one byte over a limit, and a plainer body.
fn size_candidates(r: &Request, dist: &Distribution, out: &mut Vec<Request>) {
    let mut push = |c: Request| out.push(c);
    // A header longer than the head limit needs, cut to one byte over it.
    let over = r.head_len().saturating_sub(dist.limits.max_head_bytes + 1);
    if over > 0 {
        for (i, (_, v)) in r.headers.iter().enumerate() {
            if v.len() > over && v.is_ascii() {
                let mut c = r.clone();
                c.headers[i].1.truncate(v.len() - over);
                push(c);
            }
        }
    }
    // An oversized head (LIM-SIZE) shown by a long header may show as well by a URL one byte
    // over its own, lower limit, with no header at all: a shorter request.
    if r.head_len() > dist.limits.max_head_bytes && !r.headers.is_empty() {
        let mut c = r.clone();
        c.headers.clear();
        c.target = format!("/{}", "a".repeat(dist.limits.max_url_bytes));
        push(c);
    }
    let plain = client_body(&r.method, None, None);
    if (r.body_len, r.content_length) != plain {
        let mut c = r.clone();
        (c.body_len, c.content_length) = plain;
        push(c);
    }
}

/// The shortest name the distribution routes as configured (its domain or a plain alias, the
/// domain on a tie): the `Host` a shrunk request ends with, so that it is no longer than a
/// hand-written case that uses the alias.
pub fn shortest_name(dist: &Distribution) -> &str {
    dist.aliases
        .iter()
        .filter(|a| !a.starts_with("*."))
        .map(String::as_str)
        .fold(dist.domain.as_str(), |best, a| {
            if a.len() < best.len() {
                a
            } else {
                best
            }
        })
}

fn with_target(r: &Request, target: String) -> Request {
    Request {
        target,
        ..r.clone()
    }
}

/// The largest index `<= i` on a character boundary of `s`.
fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The first `keep` bytes of a segment, not cutting an escape in two.
fn cut_at(seg: &str, keep: usize) -> String {
    let mut end = floor_char(seg, keep.max(1));
    if let Some(p) = seg[..end].rfind('%') {
        if p + 3 > end {
            end = p.max(1);
        }
    }
    seg[..end].to_string()
}

/// `x/../` pairs and `.` segments removed (`/a/x/../b/.` → `/a/b/`), and a leading `/../`
/// dropped.
fn without_parent_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    for (i, seg) in segs.iter().enumerate() {
        match *seg {
            ".." => {
                out.pop();
            }
            // A last `.` leaves the `/` before it: `/a/.` is `/a/`.
            "." if i + 1 == segs.len() => out.push(""),
            "." => {}
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

/// Escapes of unreserved ASCII characters (`%41` → `A`) decoded; others kept.
fn decode_unreserved(path: &str) -> String {
    rewrite_escapes(path, |v| {
        (v.is_ascii_alphanumeric() || b"-._~".contains(&v)).then(|| char::from(v).to_string())
    })
}

/// Every escape removed (`/a%C3%A9b` → `/ab`).
fn drop_escapes(path: &str) -> String {
    rewrite_escapes(path, |_| Some(String::new()))
}

/// `path` with each escape (`%` and two hex digits) replaced by what `f` makes of its byte, or
/// kept where `f` gives `None`. A path that is not ASCII (never a valid target) comes back as is.
fn rewrite_escapes(path: &str, f: impl Fn(u8) -> Option<String>) -> String {
    if !path.is_ascii() {
        return path.to_string();
    }
    let b = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%' && i + 2 < b.len())
            .then(|| std::str::from_utf8(&b[i + 1..i + 3]).ok())
            .flatten()
            // Two hex digits (`from_str_radix` alone would take `+1`).
            .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(s) = hex.and_then(&f) {
            out.push_str(&s);
            i += 3;
            continue;
        }
        out.push(char::from(b[i]));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Scheme;

    fn dist() -> Distribution {
        Distribution::from_yaml(include_str!(
            "../../../../specs/distributions/standard.yaml"
        ))
        .unwrap()
    }

    /// Always taking the first candidate that keeps `still` ends at a fixed point.
    fn shrink(mut r: Request, d: &Distribution, still: impl Fn(&Request) -> bool) -> Request {
        'outer: loop {
            for c in candidates(&r, d) {
                if still(&c) {
                    r = c;
                    continue 'outer;
                }
            }
            return r;
        }
    }

    #[test]
    fn a_noisy_request_shrinks_to_what_matters() {
        let d = dist();
        let mut r = Request::new(
            Method::Patch,
            Scheme::Http,
            "WWW.EXAMPLE.COM:8080",
            "/Images/x/../a%41//b/ssssssssssssssss/c.jpg?utm_source=a&b=2",
        );
        r.version = HttpVersion::Http10;
        r.headers = vec![
            ("X-Forwarded-Proto".into(), "https".into()),
            ("Accept".into(), "*/*".into()),
        ];
        r.body_len = 16;
        r.content_length = true;
        // "Fails" while the path keeps `/images/` in any case.
        let got = shrink(r, &d, |c| {
            c.target.to_ascii_lowercase().starts_with("/images/")
        });
        assert_eq!(got.target, "/images/x");
        assert_eq!(got.method, Method::Get);
        assert_eq!(got.version, HttpVersion::Http11);
        // The shortest routed name: the alias www.example.com, not the 29-byte domain.
        assert_eq!(got.host.as_deref(), Some("www.example.com"));
        assert!(got.headers.is_empty());
        assert_eq!((got.body_len, got.content_length), (0, false));
    }

    #[test]
    fn the_domain_shrinks_to_the_shorter_alias() {
        let d = dist();
        let r = Request::new(Method::Get, Scheme::Http, &d.domain, "/api/");
        let got = shrink(r, &d, |c| c.target == "/api/");
        assert_eq!(got.host.as_deref(), Some("www.example.com"));
        assert_eq!(shortest_name(&d), "www.example.com");
    }

    #[test]
    fn an_oversized_head_gives_way_to_a_shorter_oversized_url() {
        let d = dist();
        let mut r = Request::new(Method::Get, Scheme::Http, &d.domain, "/a");
        r.headers.push(("X-Pad".into(), "p".repeat(22_000)));
        // A target that ignores every size limit fails for a long head and a long URL alike.
        let oversized = |c: &Request| {
            c.head_len() > d.limits.max_head_bytes || c.target.len() > d.limits.max_url_bytes
        };
        let got = shrink(r, &d, oversized);
        assert!(got.headers.is_empty(), "{:?}", got.headers);
        assert_eq!(got.target.len(), d.limits.max_url_bytes + 1);
        assert!(got.head_len() < d.limits.max_head_bytes / 2);
    }

    #[test]
    fn an_unknown_host_shrinks_to_none_and_a_long_header_to_the_limit() {
        let d = dist();
        let r = Request::new(Method::Get, Scheme::Http, "example.net", "/a");
        let got = shrink(r, &d, |c| {
            c.host.as_deref().is_none_or(|h| !d.routes_host(h))
        });
        assert_eq!((got.host, got.version), (None, HttpVersion::Http10));
        let mut r = Request::new(Method::Get, Scheme::Http, &d.domain, "/a");
        r.headers.push(("X-Pad".into(), "p".repeat(22_000)));
        let over = |c: &Request| c.head_len() > d.limits.max_head_bytes;
        let got = shrink(r, &d, over);
        assert_eq!(got.head_len(), d.limits.max_head_bytes + 1);
    }

    #[test]
    fn what_the_failure_needs_is_kept() {
        let d = dist();
        let r = Request::new(Method::Get, Scheme::Http, &d.domain, "/images/a/b.jpg?x=1");
        let got = shrink(r, &d, |c| c.query() == Some("x=1"));
        assert_eq!(got.target, "/a?x=1");
    }

    #[test]
    fn helpers_keep_escapes_whole() {
        assert_eq!(cut_at("ab%C3%A9cd", 4), "ab");
        assert_eq!(cut_at("abcdefgh", 4), "abcd");
        assert_eq!(decode_unreserved("/%41%2F%7e"), "/A%2F~");
        assert_eq!(drop_escapes("/a%C3%A9b%"), "/ab%");
        assert_eq!(drop_escapes("/a%+1"), "/a%+1");
        assert_eq!(without_parent_segments("/a/x/../b"), "/a/b");
        assert_eq!(without_parent_segments("/../a"), "/a");
        assert_eq!(without_parent_segments("/site/."), "/site/");
        assert_eq!(without_parent_segments("/a/./b"), "/a/b");
    }
}
