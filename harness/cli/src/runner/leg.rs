//! One request of a case on the wire: sent with its correlation id, then observed from what the
//! viewer got and what the origin recorded (or, when the origin recorded nothing, whether the
//! edge's cache answered).

use super::cache::Fetches;
use super::client::Client;
use super::observe;
use super::Job;
use crate::report::model::RequestInfo;
use edgeconform_core::outcome::Outcome;
use edgeconform_core::Request;

/// What the report shows of a request sent with correlation id `id`.
pub fn request_info(req: &Request, id: &str) -> RequestInfo {
    RequestInfo {
        correlation_id: id.to_string(),
        method: req.method.as_str().to_string(),
        url: format!(
            "{}://{}{}",
            req.scheme,
            req.host.as_deref().unwrap_or(""),
            req.target
        ),
        http_version: req.version.as_str().to_string(),
        headers: req.headers.clone(),
        prime: false,
    }
}

/// Sends one request of a case with correlation id `id` and observes it: what the origin
/// recorded (kept in `fetches` for later cache hits), else whether the edge's cache answered.
pub async fn send(
    client: &mut Client,
    fetches: &Fetches,
    job: &Job,
    req: &Request,
    id: &str,
) -> anyhow::Result<(RequestInfo, Outcome)> {
    let case = &job.case;
    // SNI: the Host when the distribution answers to it, else its domain (a client reaching the
    // distribution with another Host, which HOST-ROUTE must refuse).
    let sni = req
        .host
        .as_deref()
        .filter(|h| job.dist.routes_host(h))
        .and_then(edgeconform_core::distribution::valid_host_name)
        .unwrap_or_else(|| job.dist.domain.clone());
    let records = fetches.records();
    if let Some(size) = case.object_size {
        records.size_object(id, size).await;
    }
    if let Some(c) = case.cacheable {
        records.set_cacheable(Some(id), c).await;
    }
    let resp = client
        .send(
            req,
            &sni,
            &[(
                crate::origin::CORRELATION_HEADER.to_string(),
                id.to_string(),
            )],
        )
        .await?;
    let recs = records.records_for(id).await;
    let mut o = observe::outcome(&resp, &recs, case.origin_failure);
    match &o.origin {
        Some(contact) => fetches.remember(id, req, contact),
        None => o.cache = observe::cache_hit(&resp, id, |f| fetches.fill(f)),
    }
    Ok((request_info(req, id), o))
}
