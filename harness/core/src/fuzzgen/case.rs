//! Decoding fuzzer bytes into cases (`encode.rs` writes them back).
//!
//! The format, one field after another (`u8` one byte, `u16` two bytes little-endian, `len` a
//! byte or 255 + `u16`, `str` a `len` and that many bytes); a `sel` byte chooses between a literal
//! value (`sel == 0`, what the encoder writes) and a generated one, so that random bytes mostly give
//! well-formed, interesting values while any value stays expressible:
//!
//! ```text
//! distribution := flags:u8 domain alias_count:u8 alias* origin_count:u8 origin*
//!                 behavior_count:u8 behavior* default:settings limits
//!   flags bit 0: ruleset current
//!   behavior_count: % 76, and at most a quarter of the bytes left after it
//!   domain  := sel:u8 [str]          sel > 0: a preset domain
//!   alias   := sel:u8 [str]          sel > 0: a preset alias; invalid or repeated ones are dropped
//!   origin  := sel:u8 [id:str] kind:u8 [http_port:u16] [https_port:u16] path
//!              kind % 3: s3 | s3-website (http_port) | custom (policy (kind/3)%3, both ports)
//!   path    := sel:u8 [str]          sel % 4: literal | "" | "/v1" | "/a/b"
//!   behavior := pattern settings
//!   pattern := sel:u8 [str]          sel > 0: 1 + sel % 8 pieces; invalid characters are repaired
//!   settings := bits:u8 origin:u8    policy bits%3, allowed (bits/3)%3, cache OPTIONS (bits/9)%2,
//!                                    CloudFront-Forwarded-Proto (bits/18)%2; origin byte % count
//!   limits  := sel:u8 [head:len url:len max_behaviors:len]   sel % 8 == 1: these limits
//! request := method:u8 [token:str] scheme_version:u8 host target header_count:u8 header* body:len
//!   method % 11: GET HEAD OPTIONS PUT POST PATCH DELETE TRACE get <token> GET
//!   scheme_version: bit 0 https, (b>>1)%3 version 1.0 | 1.1 | 2 (2 over http reads as 1.1)
//!   host    := sel:u8 [...]          0: none; 1: str; else a routed name (see `routed_host`)
//!   target  := sel:u8 [...]          0: str; 1: a path that fits a behavior's pattern; else pieces
//!   header  := sel:u8 [name:str] value:str   sel % 4: literal | X-Forwarded-Proto | Accept | X-Pad
//! location request := method:u8 scheme_version:u8 host target
//!   method % 5: GET HEAD POST DELETE OPTIONS
//!   host := sel:u8 [...] str        sel % 4 == 0: the str; else a routed name + the str appended
//!   target := str
//! pattern case := pattern bytes, `\n`, path bytes (all of the rest)
//! ```

use super::bytes::{byte, string, varlen, word};
use crate::distribution::{
    valid_host_name, Behavior, Distribution, Limits, MethodSet, Origin, OriginKind,
    OriginProtocolPolicy, Ruleset, ViewerProtocolPolicy,
};
use crate::pattern::{PathPattern, MAX_PATTERN_LEN};
use crate::request::{is_tchar, HttpVersion, Method, Request, Scheme};
use arbitrary::{Result, Unstructured};

/// Domains picked when `domain.sel > 0`.
const DOMAINS: [&str; 2] = ["d111111abcdef8.cloudfront.net", "d1.cloudfront.net"];
/// Aliases picked when `alias.sel > 0`.
const ALIASES: [&str; 5] = [
    "www.example.com",
    "*.example.com",
    "*.media.example.com",
    "example.org",
    "a-b.example.net",
];
/// Pattern pieces: wildcards, slashes and a few literals the path pieces share.
const PATTERN_PIECES: [&str; 24] = [
    "/", "/", "*", "*", "?", "a", "b", "img", "images/", ".jpg", ".", "..", "-", "_", "~", "$",
    "A", "api", "v1", "'", "@", ":", "+", "&",
];
/// Path pieces: the literals above, dot segments, escapes (of unreserved and reserved bytes),
/// double slashes and a query.
pub(super) const PATH_PIECES: [&str; 28] = [
    "/", "/", "a", "b", "img", "images/", ".jpg", ".", "..", "/../", "/./", "A", "api", "v1",
    "%2E", "%2e", "%41", "%2F", "%7E", "%25", "%", "~", "-", "_", "//", "$", "@", "+",
];
/// Ids of generated origins (at most 8).
const ORIGIN_IDS: [&str; 8] = ["o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7"];
pub(super) const QUERIES: [&str; 4] = ["", "?", "?x=1", "?a=/b?c"];
/// Ports a viewer may put after a routed name: by RFC 9110's `port = *DIGIT`, an empty one and
/// one over 65535 too (the name still routes).
const PORTS: [&str; 5] = [":80", ":443", ":8080", ":", ":99999"];

fn pick<'s>(list: &[&'s str], b: u8) -> &'s str {
    list[usize::from(b) % list.len()]
}

/// A valid distribution from the fuzzer's bytes: it passes every check of
/// `DistributionSpec::validate`, so the YAML `promote` writes for it loads back equal.
pub fn arbitrary_distribution(u: &mut Unstructured) -> Result<Distribution> {
    let flags = byte(u);
    let ruleset = if flags & 1 == 1 {
        Ruleset::Current
    } else {
        Ruleset::Classic
    };
    let domain = match byte(u) {
        0 => {
            let s = string(u);
            match valid_host_name(&s) {
                Some(d) if !s.contains(':') => d,
                _ => DOMAINS[0].to_string(),
            }
        }
        sel => pick(&DOMAINS, sel - 1).to_string(),
    };
    let mut aliases: Vec<String> = Vec::new();
    for _ in 0..byte(u) % 8 {
        // Presets are valid and lowercase already: only a literal needs the validation.
        let alias = match byte(u) {
            0 => valid_alias(&string(u)),
            sel => Some(pick(&ALIASES, sel - 1).to_string()),
        };
        if let Some(a) = alias {
            if a != domain && !aliases.contains(&a) {
                aliases.push(a);
            }
        }
    }
    let n_origins = 1 + usize::from(byte(u) % 8);
    let origins = arbitrary_origins(u, n_origins);
    // Every behavior takes at least four bytes (see `encode::write_distribution`): a count the rest of
    // the input cannot hold would only build behaviors out of the zeros past its end.
    let n_behaviors = usize::from(byte(u) % 76).min(u.len() / 4);
    let mut behaviors = Vec::with_capacity(n_behaviors + 1);
    for _ in 0..n_behaviors {
        let path_pattern = pattern(u);
        behaviors.push(behavior(u, path_pattern, n_origins));
    }
    behaviors.push(Behavior {
        is_default: true,
        ..behavior(u, PathPattern::default_pattern(), n_origins)
    });
    let limits = if byte(u) % 8 == 1 {
        Limits {
            max_head_bytes: varlen(u),
            max_url_bytes: varlen(u),
            max_behaviors: varlen(u).max(n_behaviors),
        }
    } else {
        Limits::default()
    };
    Ok(Distribution {
        domain,
        aliases,
        ruleset,
        origins,
        behaviors,
        limits,
    })
}

/// `n` origins, in the order `encode::write_distribution` writes them.
fn arbitrary_origins(u: &mut Unstructured, n: usize) -> Vec<Origin> {
    let mut origins: Vec<Origin> = Vec::with_capacity(n);
    for &default_id in &ORIGIN_IDS[..n] {
        let id = match byte(u) {
            0 => string(u),
            _ => String::new(),
        };
        let mut id = if id.is_empty() {
            default_id.to_string()
        } else {
            id
        };
        // Ids are YAML keys: a repeated one would be a duplicate key.
        while origins.iter().any(|o| o.id == id) {
            id.push('_');
        }
        let kind_byte = byte(u);
        let kind = match kind_byte % 3 {
            0 => OriginKind::S3,
            1 => OriginKind::S3Website {
                http_port: port(word(u), 80),
            },
            _ => OriginKind::Custom {
                protocol_policy: OriginProtocolPolicy::ALL[usize::from(kind_byte / 3 % 3)],
                http_port: port(word(u), 80),
                https_port: port(word(u), 443),
            },
        };
        let origin_path = match byte(u) % 4 {
            0 => Some(string(u))
                .filter(|p| valid_origin_path(p))
                .unwrap_or_default(),
            1 => String::new(),
            2 => "/v1".to_string(),
            _ => "/a/b".to_string(),
        };
        origins.push(Origin {
            id,
            kind,
            origin_path,
        });
    }
    origins
}

/// An alias as `DistributionSpec::validate` accepts and stores it.
fn valid_alias(a: &str) -> Option<String> {
    let (wild, rest) = match a.strip_prefix("*.") {
        Some(r) => (true, r),
        None => (false, a),
    };
    let n = valid_host_name(rest).filter(|_| !rest.contains(':') && !rest.ends_with('.'))?;
    Some(if wild { format!("*.{n}") } else { n })
}

fn valid_origin_path(p: &str) -> bool {
    p.is_empty() || (p.starts_with('/') && !p.ends_with('/') && !p.contains(['?', '#', ' ']))
}

/// A legal origin port (80, 443, 1024–65535), else the default.
fn port(p: u16, default: u16) -> u16 {
    if p == 80 || p == 443 || p >= 1024 {
        p
    } else {
        default
    }
}

/// A valid path pattern: a literal with its invalid characters repaired, or pieces.
fn pattern(u: &mut Unstructured) -> PathPattern {
    let raw = match byte(u) {
        0 => repair_pattern(&string(u)),
        sel => {
            let mut s = String::new();
            for _ in 0..=sel % 8 {
                s.push_str(pick(&PATTERN_PIECES, byte(u)));
            }
            s
        }
    };
    PathPattern::parse(&raw).unwrap_or_else(|_| PathPattern::default_pattern())
}

/// The pattern characters (PAT-SYNTAX), for repairing a literal pattern.
const PATTERN_CHARS: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.*$/~\"'@:+&?";

/// Replaces each character PAT-SYNTAX forbids by an allowed one and cuts the pattern to 255
/// characters; a valid pattern comes back unchanged, an empty one becomes `*`.
fn repair_pattern(s: &str) -> String {
    let out: String = s
        .chars()
        .take(MAX_PATTERN_LEN)
        .map(|c| {
            if c.is_ascii() && PATTERN_CHARS.contains(&(c as u8)) {
                c
            } else {
                char::from(PATTERN_CHARS[c as usize % PATTERN_CHARS.len()])
            }
        })
        .collect();
    if out.is_empty() {
        "*".to_string()
    } else {
        out
    }
}

/// The settings of a behavior (everything but the pattern), legal per MTH-ALLOWED-SETS, given
/// the pattern (built first, so that no placeholder pattern is allocated and thrown away).
fn behavior(u: &mut Unstructured, path_pattern: PathPattern, n_origins: usize) -> Behavior {
    let bits = byte(u);
    let allowed = [
        MethodSet::GET_HEAD,
        MethodSet::GET_HEAD_OPTIONS,
        MethodSet::ALL,
    ][usize::from(bits / 3 % 3)];
    let cached = if bits / 9 % 2 == 1 && allowed != MethodSet::GET_HEAD {
        MethodSet::GET_HEAD_OPTIONS
    } else {
        MethodSet::GET_HEAD
    };
    Behavior {
        path_pattern,
        viewer_protocol_policy: ViewerProtocolPolicy::ALL[usize::from(bits % 3)],
        allowed_methods: allowed,
        cached_methods: cached,
        origin: usize::from(byte(u)) % n_origins,
        forward_cloudfront_proto: bits / 18 % 2 == 1,
        is_default: false,
    }
}

/// A valid distribution and a request aimed at it (target `decide`).
pub fn arbitrary_case(u: &mut Unstructured) -> Result<(Distribution, Request)> {
    let dist = arbitrary_distribution(u)?;
    let method = match byte(u) % 11 {
        i @ 0..=6 => Method::SUPPORTED[usize::from(i)].clone(),
        7 => Method::Other("TRACE".into()),
        8 => Method::Other("get".into()),
        9 => {
            let token: String = string(u)
                .chars()
                .filter(|&c| c.is_ascii() && is_tchar(c as u8))
                .collect();
            Method::parse(if token.is_empty() { "X" } else { &token })
        }
        _ => Method::Get,
    };
    let (scheme, version) = scheme_version(byte(u));
    let host = match byte(u) {
        0 => None,
        1 => Some(string(u)),
        sel => Some(routed_host(&dist, sel, byte(u))),
    };
    let target = match byte(u) {
        0 => string(u),
        1 => {
            let b = byte(u);
            let fit = fitting_path(&dist, b, u);
            fit + pick(&QUERIES, byte(u))
        }
        sel => {
            let mut t = String::from("/");
            for _ in 0..sel % 8 {
                t.push_str(pick(&PATH_PIECES, byte(u)));
            }
            t + pick(&QUERIES, byte(u))
        }
    };
    let mut headers = Vec::new();
    for _ in 0..byte(u) % 4 {
        let name = match byte(u) % 4 {
            0 => {
                let n: String = string(u)
                    .chars()
                    .filter(|&c| c.is_ascii() && is_tchar(c as u8))
                    .collect();
                if n.is_empty() || n.eq_ignore_ascii_case("host") {
                    "X-Fuzz".to_string()
                } else {
                    n
                }
            }
            1 => "X-Forwarded-Proto".to_string(),
            2 => "Accept".to_string(),
            _ => "X-Pad".to_string(),
        };
        let value: String = string(u)
            .chars()
            .filter(|&c| !(c < ' ' && c != '\t' || c == '\x7f'))
            .collect();
        headers.push((name, value));
    }
    let body_len = varlen(u) as u64;
    Ok((
        dist,
        Request {
            method,
            scheme,
            host,
            target,
            version,
            headers,
            body_len,
            // A body always goes with its length; an empty one with none, as the model sees it.
            content_length: body_len > 0,
        },
    ))
}

fn scheme_version(b: u8) -> (Scheme, HttpVersion) {
    let scheme = if b & 1 == 1 {
        Scheme::Https
    } else {
        Scheme::Http
    };
    let mut version = HttpVersion::ALL[usize::from(b >> 1) % 3];
    if scheme == Scheme::Http && version == HttpVersion::Http2 {
        version = HttpVersion::Http11;
    }
    (scheme, version)
}

/// A name the distribution routes (its domain or an alias, a wildcard alias given a first label),
/// spelled as a viewer might: `sel` bit 2 upper-cases it, bit 3 adds a port, bit 4 a trailing dot.
pub(super) fn routed_host(dist: &Distribution, sel: u8, which: u8) -> String {
    let n = 1 + dist.aliases.len();
    let i = usize::from(which) % n;
    let name = if i == 0 {
        dist.domain.clone()
    } else {
        dist.aliases[i - 1].clone()
    };
    let mut h = match name.strip_prefix("*.") {
        Some(rest) => format!("w{}.{rest}", which % 3),
        None => name,
    };
    if sel & 4 != 0 {
        h = h.to_ascii_uppercase();
    }
    if sel & 16 != 0 {
        h.push('.');
    }
    if sel & 8 != 0 {
        h.push_str(pick(&PORTS, sel >> 5));
    }
    h
}

/// A path that a behavior's pattern matches: each `*` becomes a few path pieces, each `?` one
/// byte, with a leading `/` added when the pattern has none.
fn fitting_path(dist: &Distribution, which: u8, u: &mut Unstructured) -> String {
    let b = &dist.behaviors[usize::from(which) % dist.behaviors.len()];
    let mut t = String::new();
    if !b.path_pattern.as_str().starts_with('/') {
        t.push('/');
    }
    for c in b.path_pattern.as_str().chars() {
        match c {
            '*' => {
                for _ in 0..byte(u) % 3 {
                    t.push_str(pick(&PATH_PIECES, byte(u)));
                }
            }
            '?' => t.push(char::from(b'a' + byte(u) % 26)),
            c => t.push(c),
        }
    }
    t
}

/// A valid distribution and a request with a hostile `Host` and request-target (target
/// `location`): the bytes as they come, or a routed name with bytes appended.
pub fn location_case(u: &mut Unstructured) -> Result<(Distribution, Request)> {
    let dist = arbitrary_distribution(u)?;
    let method = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Delete,
        Method::Options,
    ][usize::from(byte(u) % 5)]
    .clone();
    let (scheme, version) = scheme_version(byte(u));
    let sel = byte(u);
    let host = if sel.is_multiple_of(4) {
        string(u)
    } else {
        let which = byte(u);
        routed_host(&dist, sel, which) + &string(u)
    };
    let target = string(u);
    let req = Request {
        method,
        scheme,
        host: Some(host),
        target,
        version,
        headers: Vec::new(),
        body_len: 0,
        content_length: false,
    };
    Ok((dist, req))
}

/// A pattern (not necessarily valid) and a path (any bytes), for target `pattern`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternCase {
    pub pattern: String,
    pub path: Vec<u8>,
}

/// Splits the input at the first `\n`: the pattern before it (invalid UTF-8 becomes U+FFFD), the
/// path after it, byte for byte. Without a `\n` the whole input is the pattern and the path is
/// empty.
pub fn pattern_case(u: &mut Unstructured) -> Result<PatternCase> {
    let data = u.bytes(u.len())?;
    let (p, path) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    Ok(PatternCase {
        pattern: String::from_utf8_lossy(p).into_owned(),
        path: path.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Whatever the bytes, the distribution is one `DistributionSpec::validate` accepts: its
    /// values are legal and it has its default behavior last.
    #[test]
    fn any_bytes_give_a_valid_distribution() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..400 {
            let data: Vec<u8> = (0..len * 3)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let (d, r) = arbitrary_case(&mut Unstructured::new(&data)).unwrap();
            let (default, rest) = d.behaviors.split_last().unwrap();
            assert!(default.is_default && rest.iter().all(|b| !b.is_default));
            assert!(rest.len() <= 75 && rest.len() <= d.limits.max_behaviors);
            assert!(d.behaviors.iter().all(|b| b.origin < d.origins.len()
                && b.allowed_methods.is_legal_allowed()
                && b.cached_methods.is_legal_cached()
                && b.cached_methods.is_subset_of(b.allowed_methods)));
            assert!(valid_host_name(&d.domain).as_deref() == Some(d.domain.as_str()));
            for (i, o) in d.origins.iter().enumerate() {
                assert!(
                    d.origins[..i].iter().all(|p| p.id != o.id),
                    "{:?}",
                    d.origins
                );
            }
            assert!(!(r.scheme == Scheme::Http && r.version == HttpVersion::Http2));
            let again = arbitrary_case(&mut Unstructured::new(&data)).unwrap();
            assert_eq!(again, (d, r), "decoding is deterministic");
        }
    }

    #[test]
    fn repair_keeps_valid_patterns() {
        assert_eq!(repair_pattern("/Docs/?.html"), "/Docs/?.html");
        assert_eq!(repair_pattern(""), "*");
        assert!(PathPattern::parse(&repair_pattern("/a b%é\u{0}")).is_ok());
        assert_eq!(repair_pattern(&"a".repeat(300)).len(), 255);
    }

    #[test]
    fn routed_hosts_are_routed() {
        let d = standard();
        for sel in 2..=255u8 {
            for which in 0..6u8 {
                let h = routed_host(&d, sel, which);
                assert!(d.routes_host(&h), "{h}");
            }
        }
    }
}
