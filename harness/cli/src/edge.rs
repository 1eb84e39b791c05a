//! The reference edge: what CloudFront does with viewer requests, on real sockets. Every answer
//! comes from the core's [`decide`](edgeconform_core::decide::decide); this module only moves
//! bytes, so a conformance run against it must come out clean, and a deliberately broken edge
//! (the self-test's mutants) differs from it in one step of `handler` or `forward` only.
//!
//! An [`EdgeServer`] has an HTTP and an HTTPS listener (HTTP/1.0 and 1.1 on the first; HTTP/2 or
//! HTTP/1.1 by ALPN on the second, with a leaf from the test CA for the distribution's domain
//! and aliases). Each request becomes a core `Request` built from the wire — method, scheme (which
//! listener), `Host` (HTTP/2: `:authority`), the raw request-target exactly as received, version,
//! headers, body length — and then:
//!
//! - **an edge answer** (redirect, refusal): status, `Location`, the page from
//!   [`pages`](edgeconform_core::pages) (no body for HEAD, its `Content-Length` all the same), and
//!   for 413 `Connection: close` and a closed connection. HTTP/1.1, as sent:
//!
//!   ```text
//!   HTTP/1.1 301 Moved Permanently
//!   Server: CloudFront
//!   Content-Type: text/html
//!   Content-Length: 167
//!   Connection: keep-alive
//!   Location: https://www.example.com/images/a.jpg?x=1
//!   X-Cache: Redirect from cloudfront
//!   Via: 1.1 d640d18abf783dedc0e20a66348e4de7.cloudfront.net (CloudFront)
//!   X-Amz-Cf-Pop: LCL1-C1
//!   X-Amz-Cf-Id: case-17
//!   Date: Sat, 28 Nov 2026 15:56:01 GMT
//!   ```
//!
//! - **a forward**: HTTP/1.1 over the decided protocol to the loopback listener the origin is
//!   mapped to ([`OriginMap`]; the distribution's ports are logical, e.g. origin `api` https:443
//!   → 127.0.0.1:41234), keep-alive pooled, the raw target byte for byte. `Host` is the viewer's
//!   (what CloudFront sends when the origin request policy forwards `Host`; the distribution
//!   model has no origin domain), `X-Forwarded-Proto` is stripped, `CloudFront-Forwarded-Proto`
//!   added where the behavior asks, `Via`, `X-Amz-Cf-Id` and `X-Forwarded-For` added (details on
//!   `forward::origin_request`). The origin's status, headers and body stream back with `Via`,
//!   `X-Cache: Miss from cloudfront`, `X-Amz-Cf-Pop`, `X-Amz-Cf-Id`. No response head within the
//!   origin timeout → 504; refused, TLS failure or a broken exchange → 502 (ORG-FAILURE).
//!
//! **Correlation.** When a request carries `x-edgeconform-id` made of 1–128 characters of
//! `A-Za-z0-9-_.~=+/:`, the edge uses it as its request id: the `X-Amz-Cf-Id` sent to the viewer
//! and the origin, the `Request ID` of an error page, and the log's `x-edge-request-id`. So a
//! runner finds the log line of a case by its id. Otherwise the id is random, in CloudFront's
//! shape (56 characters of base64url ending in `==`).
//!
//! **Access log** (optional, [`EdgeConfig::access_log`]): one CloudFront standard log line per
//! response but the LIM-SIZE 413s, appended as responses finish. `cs-protocol` is the viewer's
//! scheme, `x-edge-result-type` is `Redirect`, `Error` or `Miss` (forwarded; `Error` when the
//! origin's status is 4xx/5xx), `x-edge-detailed-result-type` comes from the decision
//! (`InvalidRequestMethod`, ...; `OriginConnectError` for 502, `OriginCommError` for 504),
//! `cs(Host)` is the distribution's domain and `x-host-header` the viewer's `Host`. `sc-bytes`
//! is what the response took on the wire: over HTTP/1.x the bytes written on the connection
//! (TLS plaintext), over HTTP/2 the head in HTTP/1.1 form plus the body. `cs-bytes` is the head
//! in HTTP/1.1 form plus the body length. A line (tabs shown as `→`):
//!
//! ```text
//! 2026-11-28→15:56:01→LCL1-C1→531→127.0.0.1→GET→d111111abcdef8.cloudfront.net→/images/a.jpg→301→-→curl/7.88.1→x=1→-→Redirect→case-17→www.example.com→http→122→0.000→-→-→-→Redirect→HTTP/1.1→-→-→44136→0.000→Redirect→text/html→167→-→-
//! ```
//!
//! **Mutants** (the self-test's deliberate bugs, [`Mutant`], `mutant/`): one enum held in `handler::Shared` and
//! consulted where each bug lives, without forking the edge: the decision (`mutant::decide`
//! wraps the core's `decide()`: behavior selection, policy, methods, `Location`, the origin's
//! protocol and path), the head size limit, contacting the origin for a redirect, the log facts
//! of a redirect (`respond`), origin timeouts (`failure`) and `X-Forwarded-Proto`
//! (`origin_request`). `edgeconform mutants` lists them with the rules each breaks.
//!
//! **Limits of hyper.** A head over hyper's read buffer (1 MiB here) or with more than 100
//! fields (hyper's default: a larger limit costs a table of that many fields filled for every
//! head parsed, ~10 % of a 301's CPU) is answered by hyper itself (431), not 413; anything
//! between the distribution's limit and that gets the model's 413.
//!
//! **Bounds.** A viewer connection that has not delivered a request head within
//! [`EdgeConfig::header_timeout`] (10 s by default; TLS handshake included; a keep-alive
//! connection idle as long too) is closed, and at most [`EdgeConfig::max_connections`] (20,000)
//! are open at once: more are closed as they arrive, with one line on stderr when the bound is
//! reached. HTTP/2 connections have no idle timeout once their handshake is done. LIM-SIZE counts the head as `Name: value` lines: a viewer that
//! writes `Name:value` is counted one byte longer per field than it sent.

mod bound;
mod cache;
mod context;
mod direct;
mod forward;
mod handler;
mod log;
mod meter;
pub mod mutant;
mod respond;
mod server;
mod upstream;
mod wire;

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use edgeconform_core::distribution::{Distribution, OriginKind};
use edgeconform_core::Scheme;
use rustls::{ClientConfig, ServerConfig};

use crate::origin::{BoundListener, ListenerSpec};
use crate::tls::{TestCa, ALPN_H2_H1};

pub use log::EDGE_LOCATION;
pub use mutant::Mutant;
pub use server::{EdgeAddrs, EdgeServer};

/// Default origin timeout (no response head in time → 504).
pub const DEFAULT_ORIGIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Default time a viewer connection may take to deliver a request head (its TLS handshake
/// included) before the edge closes it; it also ends keep-alive connections idle that long.
/// CloudFront's viewer-side idle timeout is not in our notes; 10 s is below hyper's default
/// (30 s) and nginx's `client_header_timeout` (60 s) and far above what a loopback viewer needs.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Default bound on open viewer connections per edge process.
pub const DEFAULT_MAX_CONNECTIONS: usize = 20_000;

/// Where each logical origin listens on loopback: (origin id, protocol) → address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginMap(HashMap<(String, Scheme), SocketAddr>);

impl OriginMap {
    pub fn new() -> OriginMap {
        OriginMap::default()
    }

    /// Maps origin `id` reached over `scheme` to `addr`; replaces an earlier mapping.
    pub fn insert(&mut self, id: impl Into<String>, scheme: Scheme, addr: SocketAddr) {
        self.0.insert((id.into(), scheme), addr);
    }

    /// The address of origin `id` over `scheme`.
    pub fn get(&self, id: &str, scheme: Scheme) -> Option<SocketAddr> {
        self.0.get(&(id.to_string(), scheme)).copied()
    }

    /// One mapping per listener of the instrumented origin (its name is the origin id).
    pub fn from_listeners(listeners: &[BoundListener]) -> OriginMap {
        let mut map = OriginMap::new();
        for l in listeners {
            let scheme = if l.tls { Scheme::Https } else { Scheme::Http };
            map.insert(l.name.clone(), scheme, l.addr);
        }
        map
    }

    /// Parses `NAME=http://ADDR:PORT` or `NAME=https://ADDR:PORT` (the `--origin` flag).
    pub fn parse_entry(s: &str) -> Result<(String, Scheme, SocketAddr)> {
        const SYNTAX: &str = "expected NAME=http://127.0.0.1:PORT or NAME=https://127.0.0.1:PORT";
        let (name, url) = s
            .split_once('=')
            .with_context(|| format!("{s:?}: {SYNTAX}"))?;
        crate::origin::check_name(name).with_context(|| format!("{s:?}"))?;
        let (scheme, addr) = url
            .split_once("://")
            .with_context(|| format!("{s:?}: {SYNTAX}"))?;
        let Some(scheme) = Scheme::parse(scheme) else {
            bail!("{s:?}: scheme {scheme:?} is neither http nor https");
        };
        let addr = addr.strip_suffix('/').unwrap_or(addr);
        let addr: SocketAddr = addr
            .parse()
            .map_err(|_| anyhow::anyhow!("{s:?}: {addr:?} is not IP:PORT; {SYNTAX}"))?;
        Ok((name.to_string(), scheme, addr))
    }

    /// Origins of `dist` that a forward could need and that have no address, as `id/scheme`.
    pub fn missing(&self, dist: &Distribution) -> Vec<String> {
        let mut out = Vec::new();
        for o in &dist.origins {
            for (scheme, _) in protocols(&o.kind) {
                if self.get(&o.id, scheme).is_none() {
                    out.push(format!("{}/{scheme}", o.id));
                }
            }
        }
        out
    }

    /// Whether any origin is reached over HTTPS.
    pub fn has_https(&self) -> bool {
        self.0.keys().any(|(_, s)| *s == Scheme::Https)
    }
}

/// The (protocol, logical port) pairs the model can send to an origin of this kind (ORG-*).
fn protocols(kind: &OriginKind) -> Vec<(Scheme, u16)> {
    use edgeconform_core::distribution::OriginProtocolPolicy as P;
    match *kind {
        OriginKind::S3 => vec![(Scheme::Http, 80), (Scheme::Https, 443)],
        OriginKind::S3Website { http_port } => vec![(Scheme::Http, http_port)],
        OriginKind::Custom {
            protocol_policy,
            http_port,
            https_port,
        } => match protocol_policy {
            P::HttpOnly => vec![(Scheme::Http, http_port)],
            P::HttpsOnly => vec![(Scheme::Https, https_port)],
            P::MatchViewer => vec![(Scheme::Http, http_port), (Scheme::Https, https_port)],
        },
    }
}

/// The instrumented-origin listeners a distribution needs: one per origin and protocol, with
/// the configured port as the logical port. Both protocols for every origin, even those the
/// rules never use (the S3 website origin over HTTPS, an `http-only` origin over HTTPS), so an
/// edge that breaks ORG-* reaches a listener that records it instead of failing with 502.
pub fn origin_listener_specs(dist: &Distribution) -> Vec<ListenerSpec> {
    let mut specs = Vec::new();
    for o in &dist.origins {
        let (http, https) = match o.kind {
            OriginKind::S3 => (80, 443),
            OriginKind::S3Website { http_port } => (http_port, 443),
            OriginKind::Custom {
                http_port,
                https_port,
                ..
            } => (http_port, https_port),
        };
        specs.push(ListenerSpec::http(o.id.clone(), http));
        specs.push(ListenerSpec::https(o.id.clone(), https));
    }
    specs
}

/// Everything an [`EdgeServer`] needs.
pub struct EdgeConfig {
    pub distribution: Distribution,
    /// Default 127.0.0.1:0.
    pub http_addr: SocketAddr,
    /// Default 127.0.0.1:0.
    pub https_addr: SocketAddr,
    /// The viewer-facing certificate (distribution domain and aliases); ALPN h2 + http/1.1.
    pub server_tls: Arc<ServerConfig>,
    pub origins: OriginMap,
    /// Trusts the origins' CA (its ALPN is replaced with http/1.1).
    pub origin_tls: Arc<ClientConfig>,
    /// The name checked on origin certificates (the instrumented origin's default leaf has
    /// `localhost` and `127.0.0.1`).
    pub origin_server_name: String,
    /// No response head from the origin in this time → 504.
    pub origin_timeout: Duration,
    /// Append the access log here.
    pub access_log: Option<PathBuf>,
    /// Break one rule on purpose ([`Mutant`], the self-test); `None`: the reference edge.
    pub mutant: Option<Mutant>,
    /// Do not print origin failures on stderr (edges whose origins fail on purpose).
    pub quiet: bool,
    /// Close a viewer connection whose request head (TLS handshake included) has not arrived
    /// in this time, and a keep-alive connection idle this long.
    pub header_timeout: Duration,
    /// At most this many viewer connections open at once; more are closed as they arrive.
    pub max_connections: usize,
    /// 0: serve on the caller's tokio runtime. N: N worker threads, each with its own
    /// single-threaded runtime, accepting from the same listeners (see `server.rs`).
    pub workers: usize,
    /// Answer plain HTTP/1.1 requests that the edge answers itself without hyper (see
    /// `direct.rs`); on by default (`edgeconform edge --no-direct` turns it off), off: every
    /// request goes through hyper (for comparison). Mutants never use it.
    pub direct: bool,
}

impl EdgeConfig {
    /// Defaults around `ca`: a leaf for the distribution's domain, its aliases, `localhost`
    /// and `127.0.0.1`; origins trusted through the same CA; both listeners on 127.0.0.1:0.
    pub fn new(distribution: Distribution, ca: &TestCa, origins: OriginMap) -> Result<EdgeConfig> {
        let server_tls = ca.server_config(&certificate_names(&distribution), ALPN_H2_H1)?;
        let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Ok(EdgeConfig {
            distribution,
            http_addr: any,
            https_addr: any,
            server_tls,
            origins,
            origin_tls: Arc::new(ca.client_config(&[])?),
            origin_server_name: "localhost".to_string(),
            origin_timeout: DEFAULT_ORIGIN_TIMEOUT,
            access_log: None,
            mutant: None,
            quiet: false,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            workers: 0,
            direct: true,
        })
    }
}

/// The names on the edge's certificate: domain, aliases (wildcards as they are), and the
/// loopback names.
pub fn certificate_names(dist: &Distribution) -> Vec<String> {
    let mut names = vec![dist.domain.clone()];
    names.extend(dist.aliases.iter().cloned());
    names.extend(["localhost".to_string(), "127.0.0.1".to_string()]);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> Distribution {
        let text = include_str!("../../../specs/distributions/standard.yaml");
        Distribution::from_yaml(text).unwrap()
    }

    #[test]
    fn origin_entries_parse_and_errors_say_what_was_expected() {
        let (name, scheme, addr) = OriginMap::parse_entry("api=https://127.0.0.1:41234").unwrap();
        assert_eq!((name.as_str(), scheme), ("api", Scheme::Https));
        assert_eq!(addr, "127.0.0.1:41234".parse().unwrap());
        for (input, expected) in [
            ("api", "expected NAME=http"),
            ("api=ftp://127.0.0.1:1", "neither http nor https"),
            ("api=http://localhost:1", "is not IP:PORT"),
            ("a b=http://127.0.0.1:1", "contains ' '"),
        ] {
            let err = format!("{:#}", OriginMap::parse_entry(input).unwrap_err());
            assert!(err.contains(expected), "{input}: {err}");
        }
    }

    /// Listening sockets in /proc/net/tcp on `port` (state 0A, LISTEN).
    #[cfg(target_os = "linux")]
    fn listening_sockets(port: u16) -> usize {
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        let local = format!(":{port:04X}");
        table
            .lines()
            .skip(1)
            .filter(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.len() > 3 && f[1].ends_with(&local) && f[3] == "0A"
            })
            .count()
    }

    /// Each worker accepts on a socket of its own (the kernel spreads connections over them),
    /// and a burst of connections reaches every worker: on one shared socket the worker that
    /// woke first took them all.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn every_worker_has_its_own_listener_and_gets_connections() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let ca = TestCa::generate().unwrap();
        let mut cfg = EdgeConfig::new(standard(), &ca, OriginMap::new()).unwrap();
        cfg.workers = 2;
        cfg.quiet = true;
        let edge = EdgeServer::start(cfg).await.unwrap();
        let addrs = edge.addrs();
        assert_eq!(listening_sockets(addrs.http.port()), 2);
        assert_eq!(listening_sockets(addrs.https.port()), 2);
        let mut conns = Vec::new();
        for _ in 0..64 {
            let mut c = tokio::net::TcpStream::connect(addrs.http).await.unwrap();
            c.write_all(
                b"GET /images/a.jpg HTTP/1.1\r\nHost: d111111abcdef8.cloudfront.net\r\n\r\n",
            )
            .await
            .unwrap();
            conns.push(c);
        }
        for c in &mut conns {
            let mut head = [0u8; 12];
            c.read_exact(&mut head).await.unwrap();
            assert_eq!(&head, b"HTTP/1.1 301");
        }
        let per_worker = edge.accepted_per_worker();
        assert_eq!(per_worker.iter().sum::<u64>(), 64, "{per_worker:?}");
        // 64 connections hashed over two sockets: each gets some (all on one has odds 2^-63).
        assert!(per_worker.iter().all(|n| *n > 0), "{per_worker:?}");
        edge.shutdown().await;
    }

    #[test]
    fn listener_specs_cover_every_origin_and_missing_names_the_gaps() {
        let dist = standard();
        let specs = origin_listener_specs(&dist);
        assert_eq!(specs.len(), 2 * dist.origins.len());
        let legacy = specs.iter().find(|s| s.name == "legacy" && !s.tls).unwrap();
        assert_eq!(legacy.logical_port, 8080);
        let mut map = OriginMap::new();
        map.insert("assets", Scheme::Http, "127.0.0.1:1".parse().unwrap());
        let missing = map.missing(&dist);
        assert!(missing.contains(&"assets/https".to_string()), "{missing:?}");
        assert!(!missing.contains(&"assets/http".to_string()));
        assert!(
            !missing.contains(&"site/https".to_string()),
            "website origins are HTTP only"
        );
    }
}
