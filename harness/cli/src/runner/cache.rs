//! What a run remembers about the origin's fetches, so a response served from an edge's cache
//! can be judged on the fetch that filled the entry (CACHE-HIT-SERVED, CACHE-KEY-PROTOCOL).
//!
//! The origin's records are taken when a case reads them, so the run keeps, per correlation id,
//! the origin contact of each fetch and the viewer request it was made for: the last
//! [`MAX_FETCHES`] of them. A later response whose mark (`x-edgeconform-fetch`) names one of those
//! ids was filled by that fetch.

use super::records::Records;
use edgeconform_core::outcome::{Fill, OriginContact};
use edgeconform_core::Request;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// How many fetches a run remembers (the oldest are forgotten: a hit on one of those is judged
/// without its fill, its origin side not observed).
pub const MAX_FETCHES: usize = 50_000;

/// The origin request headers the origin-side rules read (ORG-XFP-STRIPPED, ORG-CF-PROTO).
const JUDGED_HEADERS: [&str; 2] = ["x-forwarded-proto", "cloudfront-forwarded-proto"];

/// The origin as a run sees it: its records by correlation id, and the fetches already read.
pub struct Fetches {
    records: Arc<dyn Records>,
    kept: Mutex<Kept>,
    cap: usize,
}

#[derive(Default)]
struct Kept {
    by_id: HashMap<String, Fill>,
    order: VecDeque<String>,
}

impl Fetches {
    pub fn new(records: Arc<dyn Records>) -> Fetches {
        Fetches::with_capacity(records, MAX_FETCHES)
    }

    pub fn with_capacity(records: Arc<dyn Records>, cap: usize) -> Fetches {
        Fetches {
            records,
            kept: Mutex::new(Kept::default()),
            cap: cap.max(1),
        }
    }

    /// Where the origin's records come from.
    pub fn records(&self) -> &dyn Records {
        self.records.as_ref()
    }

    /// Keeps the fetch the origin recorded for correlation id `id`, made for viewer request `req`:
    /// of its headers only those an origin-side rule reads (`X-Forwarded-Proto`,
    /// `CloudFront-Forwarded-Proto`), so that 50,000 fills stay a few MiB.
    pub fn remember(&self, id: &str, req: &Request, contact: &OriginContact) {
        let fill = Fill {
            viewer_scheme: req.scheme,
            viewer_target: req.target.clone(),
            contact: OriginContact {
                headers: contact
                    .headers
                    .iter()
                    .filter(|(n, _)| JUDGED_HEADERS.iter().any(|j| n.eq_ignore_ascii_case(j)))
                    .cloned()
                    .collect(),
                ..contact.clone()
            },
        };
        let mut k = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if k.by_id.insert(id.to_string(), fill).is_none() {
            k.order.push_back(id.to_string());
        }
        while k.order.len() > self.cap {
            if let Some(old) = k.order.pop_front() {
                k.by_id.remove(&old);
            }
        }
    }

    /// The fetch with correlation id `id`, if this run read it and still remembers it.
    pub fn fill(&self, id: &str) -> Option<Fill> {
        let k = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        k.by_id.get(id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgeconform_core::{Method, Scheme};

    use crate::runner::embedded::NoRecords;

    fn contact(target: &str) -> OriginContact {
        OriginContact {
            origin: Some("assets".into()),
            protocol: Scheme::Https,
            port: 443,
            target: target.into(),
            headers: vec![
                ("host".into(), "www.example.com".into()),
                ("CloudFront-Forwarded-Proto".into(), "https".into()),
            ],
        }
    }

    #[test]
    fn remembers_the_last_fetches_with_their_viewer_request() {
        let f = Fetches::with_capacity(Arc::new(NoRecords), 2);
        let req = |t: &str| Request::new(Method::Get, Scheme::Https, "www.example.com", t);
        f.remember("a", &req("/a"), &contact("/a"));
        f.remember("b", &req("/b?x"), &contact("/b?x"));
        let b = f.fill("b").unwrap();
        assert_eq!(
            (b.viewer_scheme, b.viewer_target.as_str()),
            (Scheme::Https, "/b?x")
        );
        assert_eq!(b.contact.target, "/b?x");
        // Only the headers a rule reads are kept.
        assert_eq!(b.contact.headers.len(), 1);
        assert_eq!(
            b.contact.header("cloudfront-forwarded-proto"),
            Some("https")
        );
        f.remember("c", &req("/c"), &contact("/c"));
        assert!(
            f.fill("a").is_none(),
            "the oldest is forgotten past the bound"
        );
        assert!(f.fill("b").is_some() && f.fill("c").is_some());
    }
}
