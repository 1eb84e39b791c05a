//! One request of a case on the wire: sent with its correlation id, then observed from what the
//! viewer got and what the origin recorded (or, when the origin recorded nothing, whether the
//! edge's cache answered).

use super::cache::Fetches;
use super::client::Client;
use super::observe;
use super::Job;
use crate::report::model::RequestInfo;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::outcome::Outcome;
use edgeconform_core::{HttpVersion, Request};

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
        edge_request_id: None,
    }
}

/// Sends one request of a case with correlation id `id` and observes it: what the origin
/// recorded (kept in `fetches` for later cache hits), else whether the edge's cache answered.
/// `viewer_only`: the origin is not read (a run that sees the viewer's side only); a response
/// still shows a cache hit by its own headers.
pub async fn send(
    client: &mut Client,
    fetches: &Fetches,
    job: &Job,
    req: &Request,
    id: &str,
    viewer_only: bool,
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
    let recs = if viewer_only {
        Vec::new()
    } else {
        records.records_for(id).await
    };
    let mut o = observe::outcome(&resp, &recs, case.origin_failure);
    o.viewer_only = viewer_only;
    if poisons_connection(&job.dist, req, &o) {
        client.renew(req.scheme);
    }
    match &o.origin {
        Some(contact) => fetches.remember(id, req, contact),
        None => o.cache = hit(&resp, id, fetches).await,
    }
    let mut info = request_info(req, id);
    // The edge's own request id, which its log carries (logcheck matches by it).
    info.edge_request_id = resp
        .header("x-amz-cf-id")
        .filter(|cf| *cf != id)
        .map(str::to_string);
    Ok((info, o))
}

/// Whether the next request like `req` must go out on a new connection: `req` went over HTTP/2
/// and was oversized, or the edge answered it with an error of its own (no origin reached),
/// which it may have decided before reading the whole field block. A server that stops decoding
/// a field block it refuses loses the connection's HPACK state (RFC 9113 section 4.3 asks it to
/// decode the whole block), and the next request on that connection is then read with the wrong
/// fields (lighttpd 1.4.69, after its 431 to a 22 KB field or its 501 to `FOO`: 400 to the next
/// request, or GOAWAY with COMPRESSION_ERROR). That answer would be the previous request's
/// doing; every case and every generated request is judged on its own answer.
pub(crate) fn poisons_connection(dist: &Distribution, req: &Request, o: &Outcome) -> bool {
    let oversized =
        req.head_len() > dist.limits.max_head_bytes || req.url_len() > dist.limits.max_url_bytes;
    let refused = o.status >= 400 && o.origin.is_none();
    req.version == HttpVersion::Http2 && (oversized || refused)
}

/// Whether the response came from the edge's cache, with the fetch that filled the entry when
/// this run made it. A fetch of another case still in flight is read by that case a moment after
/// its response (which the edge cached first): a mark naming this run's fetch that is not kept
/// yet is looked up again a few times (at most about 0.3 s) before the fill is left unknown.
async fn hit(
    resp: &super::client::Response,
    id: &str,
    fetches: &Fetches,
) -> Option<edgeconform_core::outcome::CacheHit> {
    let found = observe::cache_hit(resp, id, |f| fetches.fill(f))?;
    let run = id.split('-').next().unwrap_or(id);
    let ours = resp
        .header(crate::origin::mark::FETCH_HEADER)
        .and_then(crate::origin::mark::parse)
        .and_then(|m| m.id)
        .filter(|f| f.split('-').next() == Some(run));
    let Some(fetch) = ours.filter(|_| found.fill.is_none()) else {
        return Some(found);
    };
    for wait in [10, 40, 100, 150] {
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        if let Some(fill) = fetches.fill(&fetch) {
            return Some(edgeconform_core::outcome::CacheHit {
                fill: Some(fill),
                ..found
            });
        }
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::poisons_connection;
    use edgeconform_core::decide::decide;
    use edgeconform_core::distribution::Distribution;
    use edgeconform_core::outcome::Outcome;
    use edgeconform_core::{HttpVersion, Method, Request, Scheme};

    /// Found by fuzzing lighttpd: after its 431 to an HTTP/2 request with a 22,000-byte field,
    /// or its 501 to `FOO`, the next request on the connection got 400 or GOAWAY
    /// (COMPRESSION_ERROR).
    #[test]
    fn a_refused_or_oversized_http2_request_gets_the_next_one_a_new_connection() {
        let d = Distribution::from_yaml(include_str!(
            "../../../../specs/distributions/standard.yaml"
        ))
        .expect("standard distribution");
        let answered = |r: &Request, status: u16| {
            let mut o = Outcome::from_decision(&d, r, &decide(&d, r), 500);
            o.status = status;
            if status >= 400 {
                o.origin = None;
            }
            o
        };
        let mut r = Request::new(Method::Get, Scheme::Https, "www.example.com", "/a");
        r.version = HttpVersion::Http2;
        assert!(!poisons_connection(&d, &r, &answered(&r, 200)));
        r.headers.push(("X-Pad".into(), "p".repeat(22_000)));
        assert!(poisons_connection(&d, &r, &answered(&r, 431)));
        assert!(poisons_connection(&d, &r, &answered(&r, 200)));
        let mut r = Request::new(
            Method::Other("FOO".into()),
            Scheme::Https,
            "WWW.EXAMPLE.COM.:80",
            "/Docs/x.ht%6Dl",
        );
        r.version = HttpVersion::Http2;
        assert!(poisons_connection(&d, &r, &answered(&r, 501)));
        r.version = HttpVersion::Http11;
        assert!(!poisons_connection(&d, &r, &answered(&r, 501)));
    }
}
