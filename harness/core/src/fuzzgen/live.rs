//! Requests for fuzzing a live edge (`edgeconform fuzz`): generated from the distribution the edge
//! implements, so that most of them reach a behavior and the rest probe the edges of routing.
//!
//! Request `i` of seed `s` depends on `(s, i)` alone ([`LiveGen::request`]): workers may take
//! indices in any order and the run still sends the same requests, and any request of a run can
//! be rebuilt from its index.
//!
//! What is generated, per request:
//!
//! - a path for a behavior picked at random (the default one included): the pattern's literal
//!   parts with its `*` filled by nothing, one segment, several segments, a multi-byte character or
//!   dot segments, and its `?` by one character (ASCII, an escaped ASCII byte or an escaped
//!   multi-byte character); or one of the behavior's derived samples (`derive::sample`); then up to
//!   two mutations: a case flip, one byte percent-encoded, a dot segment, a `//`, a long segment
//!   (well below or well above the URL limit, never near it), an escaped non-ASCII byte;
//! - a query (none, empty, with `/` and `?` in it, escaped, long);
//! - a method: the seven CloudFront serves and a few tokens it does not (`TRACE`, `get`, ...);
//! - a version: HTTP/1.0 and 1.1, and HTTP/2 over HTTPS;
//! - a `Host`: the domain, an alias, a name under a wildcard alias, their upper-case, ported and
//!   trailing-dot spellings, a name the distribution does not route, a malformed one, or none
//!   (HTTP/1.0 only);
//! - extra headers (`X-Forwarded-Proto`, `CloudFront-Forwarded-Proto`, `X-Forwarded-For`,
//!   `Accept`, a padding header well below or above the head limit) and a body or length unlike a
//!   real client's (a body on GET, `Content-Length: 0`, no length on POST).
//!
//! Every request is one a suite can state (printable ASCII, origin-form target, no repeated
//! header), so a finding always becomes a scenario.

use super::case::{routed_host, PATH_PIECES};
use crate::derive::sample;
use crate::distribution::Distribution;
use crate::request::{client_body, HttpVersion, Method, Request, Scheme};
use std::sync::OnceLock;

/// SplitMix64: a small, fast, well-mixed generator whose whole state is one `u64`. Not for
/// secrets; here only so that a seed always means the same requests.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }
}

/// The generator of one run: the distribution's paths and names, prepared once.
#[derive(Debug, Clone)]
pub struct LiveGen {
    seed: u64,
    dist: Distribution,
    /// Per behavior, its derived samples (paths the model selects it for).
    samples: Vec<Vec<String>>,
}

/// Methods a client may send that CloudFront does not serve (MTH-SUPPORTED).
const UNKNOWN_METHODS: [&str; 5] = ["TRACE", "get", "PROPFIND", "PURGE", "FOO"];

/// What a `*` becomes.
const STAR_FILLS: [&str; 12] = [
    "",
    "a",
    "a/b",
    "a/b/c.jpg",
    "x.png",
    "%C3%A9",
    "A",
    "a.b",
    "index.html",
    "%C3%A9/b",
    "./a",
    "a/../b",
];

/// What a `?` becomes: one character, as the matcher sees it after normalisation.
const Q_FILLS: [&str; 6] = ["x", "A", "1", "%41", "%C3%A9", "-"];

const QUERY_VALUES: [&str; 9] = [
    "",
    "x=1",
    "a=/b?c",
    "q=%2F%2e",
    "utm_source=a&b=2",
    "p=/images/a.jpg",
    "e=%C3%A9",
    "X=Y",
    "a=b=c",
];

/// Names the distribution does not route (HOST-ROUTE), each a valid host name.
const UNROUTED: [&str; 4] = [
    "example.net",
    "evil.example.com",
    "www.example.com.attacker.net",
    "cloudfront.net",
];

/// `Host` values that are not host names at all.
const MALFORMED_HOSTS: [&str; 7] = [
    "www.example.com:abc",
    "bad_host",
    "a..b",
    "-x.example.com",
    "www.example.com:8o",
    "127.0.0.1",
    "[::1]",
];

/// Long segments: lengths well below the URL limit, and one well above it (never within a few
/// hundred bytes of it, where the bytes the client adds would decide).
const LONG_SEGMENTS: [usize; 5] = [64, 255, 256, 1000, 9000];

/// Escapes of non-ASCII bytes: a two- and a three-byte character, and a byte that is no UTF-8.
const NON_ASCII: [&str; 3] = ["%C3%A9", "%E2%82%AC", "%FF"];

impl LiveGen {
    pub fn new(dist: &Distribution, seed: u64) -> LiveGen {
        let samples = (0..dist.behaviors.len())
            .map(|bi| {
                sample::samples(dist, bi)
                    .into_iter()
                    .map(|(_, p)| p)
                    .collect()
            })
            .collect();
        LiveGen {
            seed,
            dist: dist.clone(),
            samples,
        }
    }

    pub fn distribution(&self) -> &Distribution {
        &self.dist
    }

    /// Request `i` of this run: the same for the same seed and index, whatever else was generated.
    pub fn request(&self, i: u64) -> Request {
        let mut rng = Rng::new(self.seed ^ i.wrapping_mul(0xd1b5_4a32_d192_ed03));
        // Warm the state so that neighbouring indices diverge from the first draw.
        rng.next_u64();
        let r = &mut rng;
        let method = method(r);
        let scheme = if r.chance(60) {
            Scheme::Http
        } else {
            Scheme::Https
        };
        // HTTP/1.0 opens a connection a request (a TLS handshake over HTTPS): one in ten.
        let version = match (scheme, r.below(20)) {
            (_, 0..=1) => HttpVersion::Http10,
            (Scheme::Https, 2..=6) => HttpVersion::Http2,
            _ => HttpVersion::Http11,
        };
        let host = self.host(r, version);
        let mut target = self.path(r);
        target.push_str(&query(r));
        let mut headers = Vec::new();
        let n = match r.below(20) {
            0..=11 => 0,
            12..=16 => 1,
            _ => 2,
        };
        for _ in 0..n {
            let (name, value) = header(r);
            if !headers.iter().any(|(h, _): &(String, String)| h == &name) {
                headers.push((name, value));
            }
        }
        let (body_len, content_length) = match r.below(20) {
            0 => (16, true),
            1 => (0, true),
            2 => (0, false),
            _ => client_body(&method, None, None),
        };
        Request {
            method,
            scheme,
            host,
            target,
            version,
            headers,
            body_len,
            content_length,
        }
    }

    fn host(&self, r: &mut Rng, version: HttpVersion) -> Option<String> {
        let d = &self.dist;
        Some(match r.below(100) {
            0..=54 => d.domain.clone(),
            55..=69 if !d.aliases.is_empty() => {
                let a = r.pick(&d.aliases);
                match a.strip_prefix("*.") {
                    Some(rest) => format!("{}.{rest}", r.pick(&["w0", "www", "a-b", "x1"])),
                    None => a.clone(),
                }
            }
            // Upper case, a port, a trailing dot (see `routed_host`).
            55..=84 => routed_host(d, 2 + r.below(254) as u8, r.below(256) as u8),
            85..=91 => r.pick(&UNROUTED).to_string(),
            92..=97 => r.pick(&MALFORMED_HOSTS).to_string(),
            _ if version == HttpVersion::Http10 => return None,
            _ => d.domain.clone(),
        })
    }

    /// A path for a behavior picked at random, mutated up to twice.
    fn path(&self, r: &mut Rng) -> String {
        let bi = r.below(self.dist.behaviors.len());
        let b = &self.dist.behaviors[bi];
        let samples = &self.samples[bi];
        let mut p = if b.is_default || (!samples.is_empty() && r.chance(30)) {
            match samples.is_empty() {
                true => format!("/{}", r.pick(pieces()).trim_start_matches('/')),
                false => r.pick(samples).clone(),
            }
        } else {
            let mut p = String::from("/");
            for c in b.path_pattern.as_str().trim_start_matches('/').chars() {
                match c {
                    '*' if r.chance(20) => {
                        for _ in 0..1 + r.below(3) {
                            p.push_str(r.pick::<&str>(pieces()));
                        }
                    }
                    '*' => p.push_str(r.pick::<&str>(&STAR_FILLS)),
                    '?' => p.push_str(r.pick::<&str>(&Q_FILLS)),
                    c => p.push(c),
                }
            }
            p
        };
        let mut long_done = false;
        for _ in 0..[0, 0, 1, 1, 2][r.below(5)] {
            mutate(r, &mut p, &mut long_done);
        }
        p
    }
}

/// The path pieces of the core fuzz targets (`case.rs`) without the lone `%`: a request-target
/// with an escape that is not `%` and two hex digits is not a URI (RFC 3986 §2.1), which a server
/// may refuse with 400 (RFC 9112 §3.2) and no rule speaks of, so sending one would only report
/// RFC-conformant answers as deviations.
fn pieces() -> &'static [&'static str] {
    static PIECES: OnceLock<Vec<&'static str>> = OnceLock::new();
    PIECES.get_or_init(|| PATH_PIECES.iter().copied().filter(|p| *p != "%").collect())
}

fn method(r: &mut Rng) -> Method {
    match r.below(20) {
        0..=6 => Method::Get,
        7..=8 => Method::Head,
        9..=17 => Method::SUPPORTED[2 + r.below(5)].clone(),
        _ => Method::parse(r.pick::<&str>(&UNKNOWN_METHODS)),
    }
}

fn query(r: &mut Rng) -> String {
    match r.below(20) {
        0..=9 => String::new(),
        10 => format!("?a={}", "q".repeat(500)),
        _ => format!("?{}", r.pick(&QUERY_VALUES)),
    }
}

fn header(r: &mut Rng) -> (String, String) {
    let (name, values): (&str, &[&str]) = match r.below(6) {
        0 | 1 => ("X-Forwarded-Proto", &["https", "http", "ftp"]),
        2 => ("CloudFront-Forwarded-Proto", &["https", "http"]),
        3 => ("X-Forwarded-For", &["203.0.113.7", "unknown"]),
        4 => ("Accept", &["text/html", "*/*", "application/json"]),
        _ => {
            // Far below or far above the 20,480-byte head limit.
            let n = *r.pick(&[16, 1000, 22_000]);
            return ("X-Pad".to_string(), "p".repeat(n));
        }
    };
    (name.to_string(), r.pick(values).to_string())
}

/// One mutation of a path (which always starts with `/` and stays so).
fn mutate(r: &mut Rng, p: &mut String, long_done: &mut bool) {
    match r.below(7) {
        // A case flip of one letter.
        0 => {
            let letters: Vec<usize> = letter_positions(p);
            if !letters.is_empty() {
                let i = *r.pick(&letters);
                let c = p.as_bytes()[i];
                let flipped = if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
                p.replace_range(i..=i, &char::from(flipped).to_string());
            }
        }
        // One byte percent-encoded, in upper- or lower-case hex (a `/` too: `%2F`).
        1 => {
            let plain: Vec<usize> = plain_positions(p);
            if !plain.is_empty() {
                let i = *r.pick(&plain);
                let b = p.as_bytes()[i];
                let esc = if r.chance(50) {
                    format!("%{b:02X}")
                } else {
                    format!("%{b:02x}")
                };
                p.replace_range(i..=i, &esc);
            }
        }
        // A dot segment after some `/`.
        2 => {
            let i = pick_slash(r, p);
            let seg = *r.pick(&["./", "../", "x/../", ".%2E/", "%2e/"]);
            p.insert_str(i + 1, seg);
        }
        // A doubled `/`.
        3 => {
            let i = pick_slash(r, p);
            p.insert(i, '/');
        }
        // A long segment (at most one a request).
        4 if !*long_done => {
            *long_done = true;
            let n = *r.pick(&LONG_SEGMENTS);
            let i = pick_slash(r, p);
            p.insert_str(i + 1, &format!("{}/", "s".repeat(n)));
        }
        // An escaped non-ASCII byte, at a `/` or at the end.
        5 => {
            let esc = r.pick(&NON_ASCII);
            if r.chance(50) {
                p.push_str(esc);
            } else {
                let i = pick_slash(r, p);
                p.insert_str(i + 1, esc);
            }
        }
        _ => p.push_str(r.pick::<&str>(&["/", ".jpg", "/index.html", "/a"])),
    }
}

/// Positions of ASCII letters outside escapes (`%2F`'s `F` is part of an escape, not a letter).
fn letter_positions(p: &str) -> Vec<usize> {
    plain_positions(p)
        .into_iter()
        .filter(|&i| p.as_bytes()[i].is_ascii_alphabetic())
        .collect()
}

/// Positions of bytes that are not part of an escape and not the leading `/`.
fn plain_positions(p: &str) -> Vec<usize> {
    let b = p.as_bytes();
    let mut out = Vec::new();
    let mut i = 1;
    while i < b.len() {
        if b[i] == b'%' {
            i += 3;
            continue;
        }
        if b[i].is_ascii() {
            out.push(i);
        }
        i += 1;
    }
    out
}

/// The position of a `/` in `p` (there is always the first one).
fn pick_slash(r: &mut Rng, p: &str) -> usize {
    let slashes: Vec<usize> = p
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'/')
        .map(|(i, _)| i)
        .collect();
    *r.pick(&slashes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::valid_target;

    fn standard() -> Distribution {
        Distribution::from_yaml(include_str!(
            "../../../../specs/distributions/standard.yaml"
        ))
        .unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_requests() {
        let d = standard();
        let (a, b) = (LiveGen::new(&d, 7), LiveGen::new(&d, 7));
        let first: Vec<Request> = (0..500).map(|i| a.request(i)).collect();
        // Another order of indices, another generator: the same requests.
        for i in (0..500).rev() {
            assert_eq!(b.request(i), first[i as usize]);
        }
        let other = LiveGen::new(&d, 8);
        let differ = (0..500).filter(|&i| other.request(i) != first[i as usize]);
        assert!(differ.count() > 450);
    }

    #[test]
    fn requests_are_ones_a_suite_can_state() {
        let d = standard();
        let g = LiveGen::new(&d, 1);
        for i in 0..5000 {
            let r = g.request(i);
            assert!(valid_target(&r.target), "{r:?}");
            assert!(r.target.starts_with('/'), "{r:?}");
            if let Some(h) = &r.host {
                assert!(
                    !h.is_empty() && h.bytes().all(|b| (0x21..0x7f).contains(&b)),
                    "{r:?}"
                );
            } else {
                assert_eq!(r.version, HttpVersion::Http10);
            }
            assert!(!(r.scheme == Scheme::Http && r.version == HttpVersion::Http2));
            for (k, (n, _)) in r.headers.iter().enumerate() {
                assert!(r.headers[..k].iter().all(|(m, _)| m != n), "{r:?}");
            }
            // Every escape is `%` and two hex digits.
            let b = r.target.as_bytes();
            for (k, _) in r.target.match_indices('%') {
                assert!(
                    k + 2 < b.len() && b[k + 1].is_ascii_hexdigit() && b[k + 2].is_ascii_hexdigit(),
                    "{r:?}"
                );
            }
            // Never within reach of the URL limit, where the client's own bytes would decide.
            let url = r.url_len();
            assert!(!(7_000..9_000).contains(&url), "{url}: {r:?}");
        }
    }

    #[test]
    fn every_behavior_and_kind_of_input_comes_up() {
        let d = standard();
        let g = LiveGen::new(&d, 3);
        let reqs: Vec<Request> = (0..3000).map(|i| g.request(i)).collect();
        let mut hit = vec![false; d.behaviors.len()];
        for r in &reqs {
            let dec = crate::decide::decide(&d, r);
            if let Some(b) = dec.behavior {
                hit[b] = true;
            }
        }
        // /images/*.png is shadowed by /images/*: never selected.
        let shadowed = d
            .behaviors
            .iter()
            .position(|b| b.path_pattern.as_str() == "/images/*.png");
        for (i, h) in hit.iter().enumerate() {
            assert!(*h || Some(i) == shadowed, "behavior {i} never selected");
        }
        let has = |f: &dyn Fn(&Request) -> bool| reqs.iter().any(f);
        assert!(has(&|r| r.version == HttpVersion::Http2));
        assert!(has(
            &|r| r.version == HttpVersion::Http10 && r.host.is_none()
        ));
        assert!(has(&|r| !r.method.is_supported()));
        assert!(has(&|r| r.target.contains("%C3%A9")));
        assert!(has(&|r| r.target.contains("//")));
        assert!(has(&|r| r.target.contains("/../")));
        assert!(has(&|r| r.target.contains("/Images/")));
        assert!(has(&|r| r.target.contains('?')));
        assert!(has(&|r| r.header("X-Forwarded-Proto").is_some()));
        assert!(has(&|r| r.method == Method::Get && r.body_len > 0));
        assert!(has(&|r| r.host.as_deref().is_some_and(|h| h.contains(':'))));
        assert!(has(&|r| r
            .host
            .as_deref()
            .is_some_and(|h| !d.routes_host(h))));
    }
}
