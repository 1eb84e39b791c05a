//! Billing (BIL-*): the charge for one response and a ledger that sums a run. A redirect pair is
//! two charges: the HTTP leg (request + response headers + the edge's small page, no object bytes)
//! and the HTTPS leg (request, headers and the object).

use crate::outcome::Outcome;
use crate::request::{Request, Scheme};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The request line items of a CloudFront bill (BIL-PER-RESPONSE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LineItem {
    /// `Requests-Tier1`: HTTP GET/HEAD (and any edge answer over HTTP).
    #[serde(rename = "http")]
    Http,
    /// `Requests-Tier2-HTTPS`: HTTPS GET/HEAD (and any edge answer over HTTPS).
    #[serde(rename = "https")]
    Https,
    /// `Requests-HTTP-Proxy`: other methods over HTTP forwarded to the origin.
    #[serde(rename = "http-proxy")]
    HttpProxy,
    /// `Requests-HTTPS-Proxy`: other methods over HTTPS forwarded to the origin.
    #[serde(rename = "https-proxy")]
    HttpsProxy,
}

impl LineItem {
    pub fn as_str(self) -> &'static str {
        match self {
            LineItem::Http => "http",
            LineItem::Https => "https",
            LineItem::HttpProxy => "http-proxy",
            LineItem::HttpsProxy => "https-proxy",
        }
    }

    /// BIL-PER-RESPONSE: the line item of a response by viewer scheme, method class and whether the
    /// origin was contacted.
    pub fn of(scheme: Scheme, safe_method: bool, forwarded: bool) -> LineItem {
        match (scheme, !safe_method && forwarded) {
            (Scheme::Http, false) => LineItem::Http,
            (Scheme::Https, false) => LineItem::Https,
            (Scheme::Http, true) => LineItem::HttpProxy,
            (Scheme::Https, true) => LineItem::HttpsProxy,
        }
    }
}

/// What one response costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Charge {
    pub line_item: LineItem,
    pub requests: u64,
    /// Response head bytes.
    pub header_bytes: u64,
    /// Body bytes that are not the object (an edge redirect or error page).
    pub page_bytes: u64,
    /// Body bytes of the origin's object.
    pub object_bytes: u64,
}

/// BIL-PER-RESPONSE, BIL-REDIRECT-PAIR, BIL-REFUSAL: the charge for one response, or `None` when no
/// response reached the viewer (nothing is billed).
pub fn charge(req: &Request, outcome: &Outcome) -> Option<Charge> {
    if outcome.status == 0 {
        return None;
    }
    let object = outcome.object_bytes.min(outcome.body_bytes);
    Some(Charge {
        line_item: LineItem::of(req.scheme, req.method.is_safe(), outcome.origin.is_some()),
        requests: 1,
        header_bytes: outcome.header_bytes,
        page_bytes: outcome.body_bytes - object,
        object_bytes: object,
    })
}

/// Totals of one line item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    pub requests: u64,
    pub header_bytes: u64,
    pub page_bytes: u64,
    pub object_bytes: u64,
}

impl Totals {
    /// Bytes sent to viewers (what `sc-bytes` sums in an access log).
    pub fn bytes_out(&self) -> u64 {
        self.header_bytes + self.page_bytes + self.object_bytes
    }
}

/// The sum of a run's charges, per line item.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ledger {
    pub items: BTreeMap<LineItem, Totals>,
}

impl Ledger {
    pub fn add(&mut self, c: &Charge) {
        let t = self.items.entry(c.line_item).or_default();
        t.requests += c.requests;
        t.header_bytes += c.header_bytes;
        t.page_bytes += c.page_bytes;
        t.object_bytes += c.object_bytes;
    }

    pub fn merge(&mut self, other: &Ledger) {
        for (k, t) in &other.items {
            let e = self.items.entry(*k).or_default();
            e.requests += t.requests;
            e.header_bytes += t.header_bytes;
            e.page_bytes += t.page_bytes;
            e.object_bytes += t.object_bytes;
        }
    }

    pub fn total(&self) -> Totals {
        let mut all = Totals::default();
        for t in self.items.values() {
            all.requests += t.requests;
            all.header_bytes += t.header_bytes;
            all.page_bytes += t.page_bytes;
            all.object_bytes += t.object_bytes;
        }
        all
    }

    pub fn requests(&self, item: LineItem) -> u64 {
        self.items.get(&item).map_or(0, |t| t.requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::OriginContact;
    use crate::Method;

    fn outcome(status: u16, body: u64, object: u64, forwarded: bool) -> Outcome {
        Outcome {
            status,
            location: None,
            origin: forwarded.then(|| OriginContact {
                origin: None,
                protocol: Scheme::Https,
                port: 443,
                target: "/".into(),
                headers: vec![],
            }),
            header_bytes: 300,
            body_bytes: body,
            object_bytes: object,
            closed: false,
            origin_failure: None,
            cache: None,
            viewer_only: false,
            origin_evidence: None,
            log: None,
        }
    }

    #[test]
    fn redirect_pair_is_two_requests_and_the_http_leg_has_no_object() {
        let http = Request::new(Method::Get, Scheme::Http, "h", "/a");
        let https = Request::new(Method::Get, Scheme::Https, "h", "/a");
        let mut l = Ledger::default();
        let leg1 = charge(&http, &outcome(301, 167, 0, false)).unwrap();
        let leg2 = charge(&https, &outcome(200, 5000, 5000, true)).unwrap();
        assert_eq!(leg1.object_bytes, 0);
        assert_eq!(leg1.page_bytes, 167);
        assert_eq!(leg2.object_bytes, 5000);
        l.add(&leg1);
        l.add(&leg2);
        assert_eq!(l.requests(LineItem::Http), 1);
        assert_eq!(l.requests(LineItem::Https), 1);
        assert_eq!(l.total().requests, 2);
        assert_eq!(l.total().bytes_out(), 300 + 167 + 300 + 5000);
    }

    #[test]
    fn unsafe_methods_forwarded_are_proxy_requests() {
        let post = Request::new(Method::Post, Scheme::Http, "h", "/a");
        assert_eq!(
            charge(&post, &outcome(200, 10, 10, true))
                .unwrap()
                .line_item,
            LineItem::HttpProxy
        );
        // An edge refusal of the same POST is not forwarded: a plain request of its scheme.
        assert_eq!(
            charge(&post, &outcome(403, 900, 0, false))
                .unwrap()
                .line_item,
            LineItem::Http
        );
        let put = Request::new(Method::Put, Scheme::Https, "h", "/a");
        assert_eq!(
            charge(&put, &outcome(200, 0, 0, true)).unwrap().line_item,
            LineItem::HttpsProxy
        );
    }

    #[test]
    fn no_response_is_not_billed() {
        let r = Request::new(Method::Get, Scheme::Http, "h", "/a");
        assert_eq!(charge(&r, &outcome(0, 0, 0, false)), None);
    }
}
