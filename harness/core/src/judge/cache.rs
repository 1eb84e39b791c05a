//! A response served from the edge's cache for a request the selected behavior forwards
//! (CACHE-*).

use super::origin::{origin_checks, origin_unobserved, Viewer};
use super::{unobserved, v, Violation};
use crate::distribution::{Behavior, Distribution};
use crate::outcome::CacheHit;
use crate::request::{Method, Request};
use crate::RuleId;

/// A response served from the cache for a request the behavior forwards (CACHE-*): served, as
/// far as the viewer protocol policy goes; never for an unsafe method; the origin side is judged
/// on the fetch that filled the entry when it is known, and is not observed otherwise.
pub(super) fn cache_hit_checks(
    dist: &Distribution,
    req: &Request,
    b: &Behavior,
    origin: usize,
    hit: &CacheHit,
    out: &mut Vec<Violation>,
) {
    if matches!(
        req.method,
        Method::Post | Method::Put | Method::Patch | Method::Delete
    ) {
        out.push(v(RuleId::CacheNeverUnsafe, format!(
            "a {} must reach the origin, never be answered from the cache; the origin saw nothing and the response carries {}",
            req.method, hit.evidence
        )));
        return;
    }
    if let Some(fill) = &hit.fill {
        // CACHE-KEY-PROTOCOL: the entry may have been filled for a viewer of the other scheme;
        // the fetch is judged against the viewer it was made for.
        let viewer = Viewer {
            scheme: fill.viewer_scheme,
            target: &fill.viewer_target,
            sent_xfp: None,
        };
        origin_checks(dist, b, origin, &viewer, &fill.contact, out);
        // What this viewer sent of its own was never forwarded: whether the edge strips or
        // overwrites it shows only on a fetch made for a request that carried it.
        let why = format!(
            "served from the cache ({}): the fetch that filled the entry was made for another request",
            hit.evidence
        );
        if req.header("x-forwarded-proto").is_some() {
            out.push(unobserved(RuleId::OrgXfpStripped, why.clone()));
        }
        if b.forward_cloudfront_proto && req.header("cloudfront-forwarded-proto").is_some() {
            out.push(unobserved(RuleId::OrgCfProto, why));
        }
        return;
    }
    let why = format!(
        "served from the cache ({}): the origin saw no fetch for this request and the one that filled the entry is unknown",
        hit.evidence
    );
    origin_unobserved(dist, req, b, origin, &why, out);
}
