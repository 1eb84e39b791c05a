//! One derived scenario ([`Probe`]) and how it is written as suite YAML. Every probe leaves its
//! expectations to the model (no `expect:`), so a derived suite can never disagree with it.
//!
//! ```yaml
//!   - id: images-star-redirect-get
//!     name: "An HTTP GET of /images/a/b (behavior /images/*, redirect-to-https) gets 301 to the same URL over HTTPS"
//!     rules: [VPP-REDIRECT-SAFE, LOC-SCHEME, LOC-EDGE-ONLY]
//!     request: {method: GET, scheme: http, path: "/images/a/b"}
//! ```

use crate::request::{HttpVersion, Method, Scheme};
use crate::rules::RuleId;
use crate::yaml::write::{header_map, quote};
use std::fmt::Write;

/// A request as a suite writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Req {
    pub method: Method,
    pub scheme: Scheme,
    pub path: String,
    pub host: Option<String>,
    pub omit_host: bool,
    pub version: Option<HttpVersion>,
    pub headers: Vec<(String, String)>,
    pub body_size: Option<u64>,
    pub pad_header: Option<u64>,
    pub pad_path: Option<u64>,
}

impl Req {
    pub fn new(method: Method, scheme: Scheme, path: &str) -> Req {
        Req {
            method,
            scheme,
            path: path.to_string(),
            host: None,
            omit_host: false,
            version: None,
            headers: Vec::new(),
            body_size: None,
            pad_header: None,
            pad_path: None,
        }
    }

    pub fn host(mut self, h: &str) -> Req {
        self.host = Some(h.to_string());
        self
    }

    pub fn version(mut self, v: HttpVersion) -> Req {
        self.version = Some(v);
        self
    }

    pub fn header(mut self, n: &str, v: &str) -> Req {
        self.headers.push((n.to_string(), v.to_string()));
        self
    }

    pub fn body(mut self, n: u64) -> Req {
        self.body_size = Some(n);
        self
    }

    /// The request the model decides on (padding applied, as the loader applies it).
    pub fn to_request(&self, domain: &str) -> crate::Request {
        let mut target = self.path.clone();
        if let Some(n) = self.pad_path {
            let at = target.find('?').unwrap_or(target.len());
            target.insert_str(at, &"a".repeat(n as usize));
        }
        let mut headers = self.headers.clone();
        if let Some(n) = self.pad_header {
            headers.push((
                crate::spec::format::PAD_HEADER.to_string(),
                "a".repeat(n as usize),
            ));
        }
        let (body_len, content_length) =
            crate::request::client_body(&self.method, self.body_size, None);
        crate::Request {
            method: self.method.clone(),
            scheme: self.scheme,
            host: if self.omit_host {
                None
            } else {
                Some(self.host.clone().unwrap_or_else(|| domain.to_string()))
            },
            target,
            version: self.version.unwrap_or(HttpVersion::Http11),
            headers,
            body_len,
            content_length,
        }
    }
}

/// One derived scenario. Expectations all come from the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub id: String,
    pub name: String,
    pub rules: Vec<RuleId>,
    /// `info` where the model itself leaves the answer open (the `current` ruleset's 307 or 403).
    pub info: bool,
    pub tags: Vec<&'static str>,
    pub request: Req,
    pub follow: bool,
    pub object_size: Option<u64>,
    /// `refused` or `timeout`.
    pub origin_failure: Option<&'static str>,
    pub access_log: bool,
    /// A priming request sent first (`prime:`): the probe's own request with this method and
    /// scheme where given.
    pub prime: Option<(Option<Method>, Option<Scheme>)>,
    /// The origin lets caches keep the answers to this probe's requests (`cacheable: true`).
    pub cacheable: bool,
}

impl Probe {
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        rules: &[RuleId],
        request: Req,
    ) -> Probe {
        Probe {
            id: id.into(),
            name: name.into(),
            rules: rules.to_vec(),
            info: false,
            tags: Vec::new(),
            request,
            follow: false,
            object_size: None,
            origin_failure: None,
            access_log: false,
            prime: None,
            cacheable: false,
        }
    }

    pub fn tag(mut self, t: &'static str) -> Probe {
        self.tags.push(t);
        self
    }

    /// Writes the probe as one item of a `scenarios:` list.
    pub fn write_yaml(&self, out: &mut String) {
        let _ = writeln!(out, "  - id: {}", self.id);
        let _ = writeln!(out, "    name: {}", quote(&self.name));
        let rules: Vec<&str> = self.rules.iter().map(|r| r.as_str()).collect();
        let _ = writeln!(out, "    rules: [{}]", rules.join(", "));
        if self.info {
            out.push_str("    level: info\n");
        }
        if !self.tags.is_empty() {
            let _ = writeln!(out, "    tags: [{}]", self.tags.join(", "));
        }
        let _ = writeln!(out, "    request: {}", request_yaml(&self.request));
        if self.follow {
            out.push_str("    follow: true\n");
        }
        if let Some(n) = self.object_size {
            let _ = writeln!(out, "    object_size: {n}");
        }
        if let Some(f) = self.origin_failure {
            let _ = writeln!(out, "    origin_failure: {f}");
        }
        if self.access_log {
            out.push_str("    access_log: true\n");
        }
        if let Some((method, scheme)) = &self.prime {
            let mut parts = Vec::new();
            if let Some(m) = method {
                parts.push(format!("method: {}", plain_or_quoted(m.as_str())));
            }
            if let Some(s) = scheme {
                parts.push(format!("scheme: {s}"));
            }
            let _ = writeln!(out, "    prime: {{{}}}", parts.join(", "));
        }
        if self.cacheable {
            out.push_str("    cacheable: true\n");
        }
    }
}

fn request_yaml(r: &Req) -> String {
    let mut parts = vec![
        format!("method: {}", plain_or_quoted(r.method.as_str())),
        format!("scheme: {}", r.scheme),
        format!("path: {}", quote(&r.path)),
    ];
    if let Some(h) = &r.host {
        parts.push(format!("host: {}", quote(h)));
    }
    if r.omit_host {
        parts.push("omit_host: true".into());
    }
    if let Some(v) = r.version {
        parts.push(format!("version: {}", quote(v.as_str())));
    }
    if !r.headers.is_empty() {
        parts.push(format!("headers: {}", header_map(&r.headers)));
    }
    if let Some(n) = r.body_size {
        parts.push(format!("body_size: {n}"));
    }
    let mut pad = Vec::new();
    if let Some(n) = r.pad_header {
        pad.push(format!("header_bytes: {n}"));
    }
    if let Some(n) = r.pad_path {
        pad.push(format!("path_bytes: {n}"));
    }
    if !pad.is_empty() {
        parts.push(format!("pad: {{{}}}", pad.join(", ")));
    }
    format!("{{{}}}", parts.join(", "))
}

/// A method token as written: plain when it is letters only, else quoted.
fn plain_or_quoted(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic()) {
        s.to_string()
    } else {
        quote(s)
    }
}
