//! What every request handler of the edge shares, and the connection a request came on: the
//! distribution, the origins, the log, the mutant (if any), the caching mutants' store, the
//! headers CloudFront stamps. The handler, the forward, the response builders and the mutants all
//! read it; it reads none of them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::{pages, Scheme};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::StatusCode;

use super::log::LogSender;
use super::meter::Meter;
use super::mutant::Mutant;
use super::upstream::Upstream;
use super::OriginMap;

/// What every request handler shares.
pub(crate) struct Shared {
    pub dist: Distribution,
    pub origins: OriginMap,
    pub upstream: Arc<Upstream>,
    pub log: Option<LogSender>,
    /// `1.1 <id>.cloudfront.net (CloudFront)`.
    pub via: HeaderValue,
    /// A deliberate bug (a mutant of the self-test); `None` for the reference edge.
    pub mutant: Option<Mutant>,
    /// [`crate::edge::EdgeConfig::quiet`].
    pub quiet: bool,
    /// The caching mutants' cache (empty for every other edge).
    pub cache: Arc<Store>,
    /// The redirect pages by status, made once: they depend on nothing else.
    pub redirect_pages: RedirectPages,
}

/// [`pages::redirect_page`] for the statuses a redirect can have, as shareable bytes.
pub(crate) struct RedirectPages(Vec<(u16, Bytes)>);

impl Default for RedirectPages {
    fn default() -> RedirectPages {
        RedirectPages(
            [301, 302, 307, 308]
                .into_iter()
                .map(|s| (s, Bytes::from(pages::redirect_page(s))))
                .collect(),
        )
    }
}

impl RedirectPages {
    pub(crate) fn get(&self, status: u16) -> Bytes {
        match self.0.iter().find(|(s, _)| *s == status) {
            Some((_, page)) => page.clone(),
            None => Bytes::from(pages::redirect_page(status)),
        }
    }
}

/// What a handler knows about the connection its request came on.
pub(crate) struct Conn {
    pub scheme: Scheme,
    pub peer: SocketAddr,
    /// (`ssl-protocol`, `ssl-cipher`) for TLS connections.
    pub tls: Option<(String, String)>,
    pub meter: Arc<Meter>,
}

pub(crate) const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
pub(crate) const X_AMZ_CF_ID: HeaderName = HeaderName::from_static("x-amz-cf-id");
pub(crate) const X_AMZ_CF_POP: HeaderName = HeaderName::from_static("x-amz-cf-pop");

/// Kept answers by cache key.
#[derive(Default)]
pub(crate) struct Store {
    pub(crate) entries: Mutex<HashMap<String, Stored>>,
}

pub(crate) struct Stored {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}
