//! Builds the observed [`Outcome`] of one request from what the viewer got and what the origin
//! recorded for the request's correlation id; and, when the origin recorded nothing, whether the
//! response came from the edge's cache ([`cache_hit`]).

use super::client::Response;
use crate::origin::mark::{self, FETCH_HEADER};
use crate::origin::record::{OriginRecord, Protocol};
use edgeconform_core::outcome::{
    CacheHit, Fill, OriginContact, OriginEvidence, OriginFailure, Outcome,
};
use edgeconform_core::Scheme;

/// The observed outcome. `records` are the origin's records for this request (first one wins: a
/// retrying edge shows up as several).
pub fn outcome(
    resp: &Response,
    records: &[OriginRecord],
    failure: Option<OriginFailure>,
) -> Outcome {
    let origin = records.first().map(|r| OriginContact {
        origin: Some(r.listener.clone()),
        protocol: match r.protocol {
            Protocol::Https => Scheme::Https,
            Protocol::Http => Scheme::Http,
        },
        port: r.logical_port,
        target: r.target.clone(),
        headers: r.headers.clone(),
    });
    // Everything the target sent counts (billing, BIL-LOG-RECONCILE); whether it is the
    // origin's object is judged on the prefix the client kept.
    let body = resp.body_len;
    Outcome {
        status: resp.status,
        location: resp.header("location").map(str::to_string),
        origin,
        header_bytes: resp.header_bytes,
        body_bytes: body,
        object_bytes: if is_object(&resp.body) { body } else { 0 },
        closed: resp.closed,
        origin_failure: failure,
        log: None,
        cache: None,
        viewer_only: false,
        origin_evidence: origin_evidence(resp),
    }
}

/// What in a response shows an origin (or a cache holding an origin's answer) produced it: the
/// instrumented origin's fetch mark, the headers S3 puts on every answer, or a CloudFront
/// `X-Cache` naming a miss or a hit (its own errors say `Error from cloudfront`).
pub fn origin_evidence(resp: &Response) -> Option<OriginEvidence> {
    let found = |name: &'static str| resp.header(name).map(|v| (name, v));
    if let Some((n, v)) = found(FETCH_HEADER) {
        return Some(OriginEvidence {
            header: format!("{n}: {v}"),
            origin: mark::parse(v).map(|m| m.origin),
        });
    }
    let (n, v) = found("x-amz-request-id")
        .or_else(|| found("server").filter(|(_, v)| v.eq_ignore_ascii_case("AmazonS3")))
        .or_else(|| {
            found("x-cache").filter(|(_, v)| {
                v.split(',')
                    .any(|e| is_hit(e) || e.trim().to_ascii_lowercase().starts_with("miss"))
            })
        })?;
    Some(OriginEvidence {
        header: format!("{n}: {v}"),
        origin: None,
    })
}

/// Whether a body is (a prefix of) the origin's object: its bytes follow the origin's pattern.
fn is_object(body: &[u8]) -> bool {
    !body.is_empty()
        && body
            .iter()
            .enumerate()
            .all(|(i, b)| *b == crate::origin::objects::body_byte(i as u64))
}

/// Whether a response the origin saw no fetch for came from the edge's cache, and the evidence,
/// as seen: the mark of an earlier fetch (`x-edgeconform-fetch` naming another correlation id
/// than `own_id`, the id this request was sent with), else `X-Cache: Hit…` / `RefreshHit…` (any
/// case, any entry of a list: CloudFront, Squid, Traffic Server, a Varnish or nginx config that
/// sets it), else an `Age` header (RFC 9111: only a cache sends it). The mark also names the
/// origin, and `fill` finds the fetch it names when this run made it. `X-Cache` and `Age` count
/// only on a 2xx or 304 answer.
///
/// `None` when nothing shows a cache, or when the mark names this very request's fetch (the
/// origin answered it; its record was lost, which is not a hit).
pub fn cache_hit(
    resp: &Response,
    own_id: &str,
    fill: impl Fn(&str) -> Option<Fill>,
) -> Option<CacheHit> {
    let seen = |name: &'static str| {
        resp.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
    };
    if let Some((n, v, m)) = seen(FETCH_HEADER).find_map(|(n, v)| mark::parse(v).map(|m| (n, v, m)))
    {
        if m.id.as_deref() == Some(own_id) {
            return None;
        }
        return Some(CacheHit {
            evidence: format!("{n}: {v}"),
            fill: m.id.as_deref().and_then(fill),
            origin: Some(m.origin),
        });
    }
    // Without the mark, only an answer the origin could have given (it always answers 200) is
    // taken for a cached one: an edge's own 403 or 301 carrying `Age` (a cache that stamps every
    // answer) is the edge's answer, not a cached object.
    if !(200..300).contains(&resp.status) && resp.status != 304 {
        return None;
    }
    let evidence = seen("x-cache")
        .find(|(_, v)| v.split(',').any(is_hit))
        .or_else(|| seen("age").find(|(_, v)| v.trim().parse::<u64>().is_ok()))?;
    Some(CacheHit {
        evidence: format!("{}: {}", evidence.0, evidence.1),
        origin: None,
        fill: None,
    })
}

/// An `X-Cache` entry saying hit: `Hit from cloudfront`, `RefreshHit from cloudfront`,
/// `HIT from squid.example`, `hit-fresh` (Traffic Server), `HIT` (a Varnish or nginx config).
fn is_hit(entry: &str) -> bool {
    let e = entry.trim().to_ascii_lowercase();
    e.starts_with("hit") || e.starts_with("refreshhit")
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgeconform_core::Scheme;

    fn response(headers: &[(&str, &str)]) -> Response {
        Response {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            header_bytes: 0,
            body: bytes::Bytes::new(),
            body_len: 0,
            truncated: false,
            closed: false,
        }
    }

    fn none(_: &str) -> Option<Fill> {
        None
    }

    #[test]
    fn origin_evidence_is_a_header_only_an_origin_or_its_cache_sets() {
        for (h, v) in [
            ("x-amz-request-id", "4442587FB7D0A2F9"),
            ("Server", "AmazonS3"),
            ("X-Cache", "Miss from cloudfront"),
            ("x-cache", "Hit from cloudfront"),
            (FETCH_HEADER, "1-2-0; origin=assets"),
        ] {
            assert!(origin_evidence(&response(&[(h, v)])).is_some(), "{h}: {v}");
        }
        let marked = origin_evidence(&response(&[(FETCH_HEADER, "1-2-0; origin=assets")]));
        assert_eq!(marked.and_then(|e| e.origin).as_deref(), Some("assets"));
        // A CloudFront miss shows an origin answered, not which one.
        let miss = origin_evidence(&response(&[("x-cache", "Miss from cloudfront")]));
        assert_eq!(miss.and_then(|e| e.origin), None);
        for (h, v) in [
            ("X-Cache", "Error from cloudfront"),
            ("X-Cache", "Redirect from cloudfront"),
            ("Server", "CloudFront"),
        ] {
            assert_eq!(origin_evidence(&response(&[(h, v)])), None, "{h}: {v}");
        }
    }

    #[test]
    fn an_earlier_fetch_mark_is_a_hit_with_its_origin_and_fill() {
        let r = response(&[("x-edgeconform-fetch", "1-2-p; origin=assets")]);
        let known = |id: &str| {
            (id == "1-2-p").then(|| Fill {
                viewer_scheme: Scheme::Https,
                viewer_target: "/a".into(),
                contact: OriginContact {
                    origin: Some("assets".into()),
                    protocol: Scheme::Https,
                    port: 443,
                    target: "/a".into(),
                    headers: Vec::new(),
                },
            })
        };
        let hit = cache_hit(&r, "1-2-0", known).unwrap();
        assert_eq!(hit.evidence, "x-edgeconform-fetch: 1-2-p; origin=assets");
        assert_eq!(hit.origin.as_deref(), Some("assets"));
        assert_eq!(hit.fill.unwrap().viewer_target, "/a");
        let unknown = cache_hit(&r, "1-2-0", none).unwrap();
        assert!(unknown.fill.is_none());
        // Its own fetch's mark: the origin answered this request.
        assert!(cache_hit(&r, "1-2-p", none).is_none());
    }

    #[test]
    fn x_cache_hits_of_every_style_and_age_are_hits() {
        for v in [
            "Hit from cloudfront",
            "RefreshHit from cloudfront",
            "HIT from squid.example:3128",
            "hit-fresh",
            "MISS, HIT",
            "HIT",
        ] {
            let hit = cache_hit(&response(&[("X-Cache", v)]), "1", none).unwrap();
            assert_eq!(hit.evidence, format!("X-Cache: {v}"));
            assert!(hit.origin.is_none() && hit.fill.is_none());
        }
        for v in [
            "Miss from cloudfront",
            "MISS",
            "Error from cloudfront",
            "Redirect from cloudfront",
        ] {
            assert!(
                cache_hit(&response(&[("x-cache", v)]), "1", none).is_none(),
                "{v}"
            );
        }
        let mut refused = response(&[("age", "0"), ("x-cache", "HIT")]);
        refused.status = 403;
        assert!(
            cache_hit(&refused, "1", none).is_none(),
            "an edge's own 403"
        );
        refused.headers = vec![("x-edgeconform-fetch".into(), "9; origin=a".into())];
        assert!(
            cache_hit(&refused, "1", none).is_some(),
            "the mark counts on any answer"
        );
        let aged = cache_hit(&response(&[("age", "12")]), "1", none).unwrap();
        assert_eq!(aged.evidence, "age: 12");
        assert!(cache_hit(&response(&[("age", "soon")]), "1", none).is_none());
        assert!(cache_hit(&response(&[]), "1", none).is_none());
    }
}
