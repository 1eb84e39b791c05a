//! Builds the observed [`Outcome`] of one request from what the viewer got and what the origin
//! recorded for the request's correlation id.

use super::client::Response;
use crate::origin::record::{OriginRecord, Protocol};
use edgeconform_core::outcome::{OriginContact, OriginFailure, Outcome};
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
    }
}

/// Whether a body is (a prefix of) the origin's object: its bytes follow the origin's pattern.
fn is_object(body: &[u8]) -> bool {
    !body.is_empty()
        && body
            .iter()
            .enumerate()
            .all(|(i, b)| *b == crate::origin::objects::body_byte(i as u64))
}
