//! A viewer request as the edge sees it: method, scheme, `Host`, the raw request-target, the HTTP
//! version, extra headers and the body size. Nothing here is normalised: the request-target stays
//! byte for byte what the viewer sent (LOC-TARGET, ORG-PATH).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The viewer's scheme (also used for the protocol the edge uses towards an origin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub const ALL: [Scheme; 2] = [Scheme::Http, Scheme::Https];

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// The well-known port of the scheme (80 or 443).
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    pub fn parse(s: &str) -> Option<Scheme> {
        match s {
            "http" => Some(Scheme::Http),
            "https" => Some(Scheme::Https),
            _ => None,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request method. The seven CloudFront supports have their own variants (MTH-SUPPORTED); any
/// other token is kept verbatim in `Other` so it can be refused and reported as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Head,
    Options,
    Put,
    Post,
    Patch,
    Delete,
    Other(String),
}

impl Method {
    /// The seven methods CloudFront serves, in the order its documentation lists them.
    pub const SUPPORTED: [Method; 7] = [
        Method::Get,
        Method::Head,
        Method::Options,
        Method::Put,
        Method::Post,
        Method::Patch,
        Method::Delete,
    ];

    /// Parses a method token exactly (methods are case-sensitive: `get` is not `GET`).
    pub fn parse(token: &str) -> Method {
        match token {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "OPTIONS" => Method::Options,
            "PUT" => Method::Put,
            "POST" => Method::Post,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            other => Method::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Other(s) => s,
        }
    }

    /// MTH-SUPPORTED: one of the seven methods CloudFront serves.
    pub fn is_supported(&self) -> bool {
        !matches!(self, Method::Other(_))
    }

    /// GET and HEAD: the methods a `redirect-to-https` behavior answers with 301.
    pub fn is_safe(&self) -> bool {
        matches!(self, Method::Get | Method::Head)
    }

    /// Bit of the method in a [`crate::distribution::MethodSet`]; `None` for unsupported methods.
    pub fn bit(&self) -> Option<u8> {
        Some(match self {
            Method::Get => 1,
            Method::Head => 2,
            Method::Options => 4,
            Method::Put => 8,
            Method::Post => 16,
            Method::Patch => 32,
            Method::Delete => 64,
            Method::Other(_) => return None,
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() || !s.bytes().all(is_tchar) {
            return Err(serde::de::Error::custom(format!(
                "`{s}` is not an HTTP method token; expected GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE or another token"
            )));
        }
        Ok(Method::parse(&s))
    }
}

impl schemars::JsonSchema for Method {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Method".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An HTTP method token. CloudFront serves GET, HEAD, OPTIONS, PUT, POST, PATCH and DELETE; any other token is refused (MTH-SUPPORTED).",
            "pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
            "examples": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
        })
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Method {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let i = u.int_in_range(0..=8)?;
        Ok(match i {
            0..=6 => Method::SUPPORTED[i as usize].clone(),
            7 => Method::Other("TRACE".into()),
            _ => Method::Other(String::arbitrary(u)?),
        })
    }
}

/// RFC 9110 `tchar`: the bytes allowed in a method token.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The viewer's HTTP version. HTTP/2 needs TLS, so over plain HTTP only 1.0 and 1.1 occur.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(schemars::JsonSchema)]
pub enum HttpVersion {
    #[serde(rename = "1.0")]
    Http10,
    #[default]
    #[serde(rename = "1.1")]
    Http11,
    #[serde(rename = "2")]
    Http2,
}

impl HttpVersion {
    pub const ALL: [HttpVersion; 3] =
        [HttpVersion::Http10, HttpVersion::Http11, HttpVersion::Http2];

    pub fn as_str(self) -> &'static str {
        match self {
            HttpVersion::Http10 => "1.0",
            HttpVersion::Http11 => "1.1",
            HttpVersion::Http2 => "2",
        }
    }

    /// The protocol string as written on a request line or in a log (`HTTP/1.1`, `HTTP/2.0`).
    pub fn protocol_str(self) -> &'static str {
        match self {
            HttpVersion::Http10 => "HTTP/1.0",
            HttpVersion::Http11 => "HTTP/1.1",
            HttpVersion::Http2 => "HTTP/2.0",
        }
    }

    pub fn parse(s: &str) -> Option<HttpVersion> {
        match s {
            "1.0" | "HTTP/1.0" => Some(HttpVersion::Http10),
            "1.1" | "HTTP/1.1" => Some(HttpVersion::Http11),
            "2" | "2.0" | "HTTP/2" | "HTTP/2.0" => Some(HttpVersion::Http2),
            _ => None,
        }
    }
}

impl fmt::Display for HttpVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One viewer request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Request {
    pub method: Method,
    pub scheme: Scheme,
    /// The `Host` header as sent, port included; `None` when the viewer sent none.
    pub host: Option<String>,
    /// The raw request-target in origin form: path, then `?` and the query if any. Never decoded.
    pub target: String,
    pub version: HttpVersion,
    /// Other request headers, in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// Body length in bytes (0: no body).
    pub body_len: u64,
    /// A `Content-Length: body_len` header is sent. Real clients always send one with a body,
    /// and with an empty POST, PUT or PATCH; `false` with an empty body sends no length at all
    /// (which some servers answer with 411 before any configuration applies).
    #[serde(default)]
    pub content_length: bool,
}

impl Request {
    /// A request with no extra headers and no body, for tests and the CLI.
    pub fn new(method: Method, scheme: Scheme, host: &str, target: &str) -> Request {
        Request {
            method,
            scheme,
            host: Some(host.to_string()),
            target: target.to_string(),
            version: HttpVersion::Http11,
            headers: Vec::new(),
            body_len: 0,
            content_length: false,
        }
    }

    /// The same request with the body a real client sends for its method when the spec says
    /// nothing: see [`client_body`].
    pub fn with_client_body(mut self) -> Request {
        (self.body_len, self.content_length) = client_body(&self.method, None, None);
        self
    }

    /// The path part of the request-target (before the first `?`).
    pub fn path(&self) -> &str {
        split_target(&self.target).0
    }

    /// The query (after the first `?`), if any.
    pub fn query(&self) -> Option<&str> {
        split_target(&self.target).1
    }

    /// The first value of a header, name compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Bytes of the request line and header block as HTTP/1.1 would put them on the wire
    /// (`METHOD SP target SP HTTP/1.1 CRLF`, `Host`, each header, the empty line): what LIM-SIZE counts.
    pub fn head_len(&self) -> usize {
        let mut n = self.method.as_str().len() + 1 + self.target.len() + 1 + 8 + 2;
        if let Some(h) = &self.host {
            n += "Host: ".len() + h.len() + 2;
        }
        for (k, v) in &self.headers {
            n += k.len() + 2 + v.len() + 2;
        }
        n + 2
    }

    /// Length of the URL the edge constructs: `scheme://host` + the request-target (LIM-SIZE).
    pub fn url_len(&self) -> usize {
        self.scheme.as_str().len()
            + 3
            + self.host.as_deref().map_or(0, str::len)
            + self.target.len()
    }
}

/// The body length POST, PUT and PATCH carry by default: a small form, as a browser or curl
/// sends it.
pub const DEFAULT_BODY_LEN: u64 = 16;

/// The body a request carries and whether it sends a `Content-Length`, as real clients do:
/// browsers, curl and SDKs always send a length with POST, PUT and PATCH (a small body unless told
/// otherwise), and neither a body nor a length with the other methods. `body_size` states the body
/// (`0`: an empty body with `Content-Length: 0`); `content_length: Some(false)` sends no length and
/// no body, which no real client does.
pub fn client_body(
    method: &Method,
    body_size: Option<u64>,
    content_length: Option<bool>,
) -> (u64, bool) {
    match (body_size, content_length) {
        (_, Some(false)) => (0, false),
        (Some(n), _) => (n, true),
        (None, Some(true)) => (0, true),
        (None, None) if matches!(method, Method::Post | Method::Put | Method::Patch) => {
            (DEFAULT_BODY_LEN, true)
        }
        (None, None) => (0, false),
    }
}

/// Splits a request-target into path and optional query at the first `?`. A `#` fragment is never
/// sent by a client, so it is not treated specially.
pub fn split_target(target: &str) -> (&str, Option<&str>) {
    // A byte search: `?` is ASCII, so the split falls on a character boundary.
    match find_byte(target.as_bytes(), b'?') {
        Some(i) => (&target[..i], Some(&target[i + 1..])),
        None => (target, None),
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// Index of the first `needle` in `hay`, eight bytes at a time.
///
/// A word `x` (`word ^ needle` in every byte) has a zero byte exactly where the needle is; in
/// `(x - ONES) & !x` the top bit of that byte is set, no borrow reaches the bytes before it, so the
/// lowest set bit is the first match (later bytes may show false matches; they are never read).
pub(crate) fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let first_match = |word: [u8; 8]| {
        let x = u64::from_le_bytes(word) ^ (ONES * u64::from(needle));
        let m = x.wrapping_sub(ONES) & !x & (ONES << 7);
        (m != 0).then_some(m.trailing_zeros() as usize / 8)
    };
    let (words, rest) = hay.as_chunks::<8>();
    for (k, word) in words.iter().enumerate() {
        if let Some(i) = first_match(*word) {
            return Some(k * 8 + i);
        }
    }
    if rest.is_empty() {
        return None;
    }
    // The last eight bytes again (those before the rest hold no match), or a padded short `hay`.
    let (start, word) = match hay.last_chunk::<8>() {
        Some(last) => (hay.len() - 8, *last),
        None => {
            let mut padded = [!needle; 8];
            padded[..rest.len()].copy_from_slice(rest);
            (0, padded)
        }
    };
    first_match(word).map(|i| start + i)
}

/// The host part of a `Host` header value: an IPv6 literal keeps its brackets; a `:port` suffix is
/// removed. No case folding (callers compare case-insensitively where the rule says so).
pub fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(i) => &host[..=i],
            None => host,
        };
    }
    if find_byte(host.as_bytes(), b':').is_none() {
        return host;
    }
    match host.bytes().rposition(|b| b == b':') {
        Some(i) if host[i + 1..].bytes().all(|b| b.is_ascii_digit()) => &host[..i],
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_case_sensitive_tokens() {
        assert_eq!(Method::parse("GET"), Method::Get);
        assert_eq!(Method::parse("get"), Method::Other("get".into()));
        assert!(!Method::parse("TRACE").is_supported());
        assert!(Method::Head.is_safe());
        assert!(!Method::Options.is_safe());
    }

    #[test]
    fn target_split_keeps_raw_bytes() {
        assert_eq!(split_target("/a%2Fb?x=1?y"), ("/a%2Fb", Some("x=1?y")));
        assert_eq!(split_target("/a"), ("/a", None));
        assert_eq!(split_target("/a?"), ("/a", Some("")));
    }

    proptest::proptest! {
        /// The word-at-a-time search finds what a plain search finds, at every length around the
        /// word size and with the needle anywhere or nowhere (0x00 and 0xff included, the bytes
        /// the bit trick could confuse).
        #[test]
        fn find_byte_agrees(hay in proptest::collection::vec(proptest::sample::select(vec![b'a', b'?', 0, 0xff, 0xc0]), 0..70)) {
            proptest::prop_assert_eq!(find_byte(&hay, b'?'), hay.iter().position(|&b| b == b'?'));
            proptest::prop_assert_eq!(find_byte(&hay, 0xc0), hay.iter().position(|&b| b == 0xc0));
            proptest::prop_assert_eq!(find_byte(&hay, 0), hay.iter().position(|&b| b == 0));
        }
    }

    #[test]
    fn host_port_is_removed() {
        assert_eq!(host_without_port("www.example.com:8080"), "www.example.com");
        assert_eq!(host_without_port("www.example.com"), "www.example.com");
        assert_eq!(host_without_port("[::1]:443"), "[::1]");
        assert_eq!(host_without_port("a:b"), "a:b");
    }

    #[test]
    fn bodies_and_lengths_are_what_real_clients_send() {
        assert_eq!(
            client_body(&Method::Post, None, None),
            (DEFAULT_BODY_LEN, true)
        );
        assert_eq!(
            client_body(&Method::Patch, None, None),
            (DEFAULT_BODY_LEN, true)
        );
        assert_eq!(client_body(&Method::Get, None, None), (0, false));
        assert_eq!(client_body(&Method::Delete, None, None), (0, false));
        assert_eq!(client_body(&Method::Put, Some(0), None), (0, true));
        assert_eq!(client_body(&Method::Get, Some(5), None), (5, true));
        assert_eq!(client_body(&Method::Post, None, Some(false)), (0, false));
    }

    #[test]
    fn head_len_counts_the_wire_bytes() {
        let r = Request::new(Method::Get, Scheme::Http, "h", "/");
        // "GET / HTTP/1.1\r\n" 16 + "Host: h\r\n" 9 + "\r\n" 2
        assert_eq!(r.head_len(), 27);
        assert_eq!(r.url_len(), "http://h/".len());
    }
}
