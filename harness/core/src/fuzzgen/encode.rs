//! Writing cases back in the byte format `case.rs` reads: how `make fuzz-seeds` turns the
//! scenarios of `specs/` into seed inputs. Decoding an encoded case gives the case back.

use super::bytes::Out;
use crate::distribution::{
    Behavior, Distribution, Limits, MethodSet, OriginKind, OriginProtocolPolicy, Ruleset,
    ViewerProtocolPolicy,
};
use crate::request::{HttpVersion, Method, Request, Scheme};

fn scheme_version_byte(scheme: Scheme, version: HttpVersion) -> u8 {
    let v = HttpVersion::ALL
        .iter()
        .position(|&x| x == version)
        .unwrap_or(1) as u8;
    v << 1 | u8::from(scheme == Scheme::Https)
}

/// The bytes [`pattern_case`] reads back as `pattern` and `path`; `None` when the pattern holds a
/// `\n`.
pub fn encode_pattern(pattern: &str, path: &[u8]) -> Option<Vec<u8>> {
    if pattern.contains('\n') {
        return None;
    }
    let mut v = pattern.as_bytes().to_vec();
    v.push(b'\n');
    v.extend_from_slice(path);
    Some(v)
}

/// The bytes [`arbitrary_distribution`] reads back as `dist`, or `None` when `dist` is outside
/// what the format holds (more than 7 aliases, 8 origins or 75 behaviors; a value over 65535).
pub fn encode_distribution(dist: &Distribution) -> Option<Vec<u8>> {
    let mut o = Out::default();
    write_distribution(&mut o, dist)?;
    Some(o.0)
}

fn write_distribution(o: &mut Out, dist: &Distribution) -> Option<()> {
    o.byte(u8::from(dist.ruleset == Ruleset::Current));
    o.byte(0);
    o.raw(dist.domain.as_bytes())?;
    let n_aliases = u8::try_from(dist.aliases.len()).ok().filter(|&n| n < 8)?;
    o.byte(n_aliases);
    for a in &dist.aliases {
        o.byte(0);
        o.raw(a.as_bytes())?;
    }
    let n_origins = u8::try_from(dist.origins.len())
        .ok()
        .filter(|&n| (1..=8).contains(&n))?;
    o.byte(n_origins - 1);
    for origin in &dist.origins {
        o.byte(0);
        o.raw(origin.id.as_bytes())?;
        match origin.kind {
            OriginKind::S3 => o.byte(0),
            OriginKind::S3Website { http_port } => {
                o.byte(1);
                o.word(http_port);
            }
            OriginKind::Custom {
                protocol_policy,
                http_port,
                https_port,
            } => {
                let p = OriginProtocolPolicy::ALL
                    .iter()
                    .position(|&x| x == protocol_policy)? as u8;
                o.byte(2 + 3 * p);
                o.word(http_port);
                o.word(https_port);
            }
        }
        o.byte(0);
        o.raw(origin.origin_path.as_bytes())?;
    }
    let (default, rest) = dist.behaviors.split_last()?;
    let n_behaviors = u8::try_from(rest.len()).ok().filter(|&n| n <= 75)?;
    o.byte(n_behaviors);
    for b in rest {
        o.byte(0);
        o.raw(b.path_pattern.as_str().as_bytes())?;
        write_settings(o, b)?;
    }
    write_settings(o, default)?;
    if dist.limits == Limits::default() {
        o.byte(0);
    } else {
        o.byte(1);
        o.varlen(dist.limits.max_head_bytes)?;
        o.varlen(dist.limits.max_url_bytes)?;
        o.varlen(dist.limits.max_behaviors)?;
    }
    Some(())
}

fn write_settings(o: &mut Out, b: &Behavior) -> Option<()> {
    let policy = ViewerProtocolPolicy::ALL
        .iter()
        .position(|&p| p == b.viewer_protocol_policy)?;
    let allowed = [
        MethodSet::GET_HEAD,
        MethodSet::GET_HEAD_OPTIONS,
        MethodSet::ALL,
    ]
    .iter()
    .position(|&s| s == b.allowed_methods)?;
    let cached = usize::from(b.cached_methods == MethodSet::GET_HEAD_OPTIONS);
    let fwd = usize::from(b.forward_cloudfront_proto);
    o.byte((policy + 3 * allowed + 9 * cached + 18 * fwd) as u8);
    o.byte(u8::try_from(b.origin).ok()?);
    Some(())
}

/// The bytes [`arbitrary_case`] reads back as `(dist, req)`, or `None` when the case is outside
/// what the format holds (see [`encode_distribution`]; a header or body over 65535 bytes).
pub fn encode_case(dist: &Distribution, req: &Request) -> Option<Vec<u8>> {
    let mut o = Out::default();
    write_distribution(&mut o, dist)?;
    match &req.method {
        Method::Other(s) => {
            o.byte(9);
            o.raw(s.as_bytes())?;
        }
        m => o.byte(Method::SUPPORTED.iter().position(|x| x == m)? as u8),
    }
    o.byte(scheme_version_byte(req.scheme, req.version));
    match &req.host {
        None => o.byte(0),
        Some(h) => {
            o.byte(1);
            o.raw(h.as_bytes())?;
        }
    }
    o.byte(0);
    o.raw(req.target.as_bytes())?;
    let n_headers = u8::try_from(req.headers.len()).ok().filter(|&n| n < 4)?;
    o.byte(n_headers);
    for (name, value) in &req.headers {
        o.byte(0);
        o.raw(name.as_bytes())?;
        o.raw(value.as_bytes())?;
    }
    if req.content_length != (req.body_len > 0) {
        return None;
    }
    o.varlen(usize::try_from(req.body_len).ok()?)?;
    Some(o.0)
}

/// The bytes [`location_case`] reads back as `(dist, req)`; `None` for a method it does not draw
/// from, a request without `Host`, or extra headers or a body.
pub fn encode_location(dist: &Distribution, req: &Request) -> Option<Vec<u8>> {
    let mut o = Out::default();
    write_distribution(&mut o, dist)?;
    let methods = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Delete,
        Method::Options,
    ];
    o.byte(methods.iter().position(|m| *m == req.method)? as u8);
    o.byte(scheme_version_byte(req.scheme, req.version));
    if !req.headers.is_empty() || req.body_len != 0 || req.content_length {
        return None;
    }
    o.byte(0);
    o.raw(req.host.as_deref()?.as_bytes())?;
    o.raw(req.target.as_bytes())?;
    Some(o.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzgen::case::{arbitrary_case, location_case, pattern_case, PatternCase};
    use arbitrary::Unstructured;

    fn standard() -> Distribution {
        Distribution::from_yaml(
            "domain: d1.cloudfront.net
aliases: [www.example.com, '*.media.example.com']
ruleset: current
origins:
  assets: {type: s3}
  site: {type: s3-website, http_port: 8080}
  api: {type: custom, protocol_policy: match-viewer, http_port: 80, https_port: 8443, origin_path: /v1}
behaviors:
  - {path_pattern: /images/*, viewer_protocol_policy: redirect-to-https, origin: assets}
  - {path_pattern: api/*, viewer_protocol_policy: https-only, origin: api, allowed_methods: [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE], cached_methods: [GET, HEAD, OPTIONS], forward_cloudfront_proto: true}
default_behavior: {viewer_protocol_policy: allow-all, origin: site}
limits: {max_head_bytes: 400, max_url_bytes: 300}
",
        )
        .unwrap()
    }

    #[test]
    fn an_encoded_case_decodes_to_itself() {
        let dist = standard();
        let mut req = Request::new(
            Method::Other("TRACE".into()),
            Scheme::Https,
            "WWW.example.com:80",
            "/a/%2e%2E/b?x",
        );
        req.version = HttpVersion::Http2;
        req.headers
            .push(("X-Forwarded-Proto".into(), "https".into()));
        req.body_len = 300;
        req.content_length = true;
        let bytes = encode_case(&dist, &req).unwrap();
        let got = arbitrary_case(&mut Unstructured::new(&bytes)).unwrap();
        assert_eq!(got, (dist.clone(), req));

        let req = Request::new(Method::Head, Scheme::Http, "evil\r\n.example", "/\x00x");
        let bytes = encode_location(&dist, &req).unwrap();
        assert_eq!(
            location_case(&mut Unstructured::new(&bytes)).unwrap(),
            (dist, req)
        );

        let bytes = encode_pattern("/a*", b"/a\nb").unwrap();
        let got = pattern_case(&mut Unstructured::new(&bytes)).unwrap();
        assert_eq!(
            got,
            PatternCase {
                pattern: "/a*".into(),
                path: b"/a\nb".to_vec()
            }
        );
    }
}
