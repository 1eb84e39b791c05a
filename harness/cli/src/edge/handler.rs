//! One viewer request through the edge: wire → [`Request`] → [`decide`] → an edge response or a
//! forward to the origin → a log line. Each step that a rule constrains is its own function
//! (`respond` and `failure` in `respond`, `origin_request` and `origin_response` in `forward`), so
//! a deliberately broken edge can swap one step without touching the others.

use std::sync::Arc;
use std::time::Instant;

use edgeconform_core::accesslog::ResultType;
use edgeconform_core::decide::{decide as core_decide, Action, Decision, EdgeResponse};
use edgeconform_core::{Request, RuleId, RuleList, Scheme};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, LOCATION};
use hyper::http::request::Parts;
use hyper::Response;

use super::cache;
use super::context::{Conn, Shared, X_CACHE};
use super::forward::forward;
use super::log::{LogContext, ResponseFacts};
use super::meter::{head_len_h1, EdgeBody, Pending};
use super::mutant::{self, Mutant};
use super::respond::{respond, unreadable_response};
use super::wire::{read_body, request_id_for, viewer_request, ForwardBody};
use crate::origin::CORRELATION_HEADER;

/// Handles one request; never fails (every problem is an HTTP answer).
pub(crate) async fn handle(
    req: hyper::Request<Incoming>,
    conn: Arc<Conn>,
    shared: Arc<Shared>,
) -> Response<EdgeBody> {
    // HTTP/1.x: the previous response on this connection is on the wire by now.
    conn.meter.settle();
    let start_bytes = conn.meter.written();
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let viewer = viewer_request(&parts, conn.scheme);
    let mut request = viewer.request;
    let request_id = request_id_for(
        parts
            .headers
            .get(CORRELATION_HEADER)
            .map(HeaderValue::as_bytes),
    );

    // LIM-SIZE on the head as it came over the wire, then whatever else decide() finds.
    let limits = shared.dist.limits;
    let limit_head = shared.mutant.is_none_or(Mutant::limits_head);
    let (decision, forward_body) = if limit_head && viewer.head_bytes > limits.max_head_bytes {
        (lim_size(), None)
    } else {
        match read_body(&parts.headers, body).await {
            Ok((body, len)) => {
                request.body_len = len;
                let decision = mutant::decide(shared.mutant, &shared.dist, &request);
                (decision, Some(body))
            }
            Err(_) => (unreadable_body(), None),
        }
    };

    let fetches = shared.mutant.filter(|m| m.fetches_for_redirect());
    // The caching mutants: a hit is answered from their cache (before the policy, for one of
    // them), a forward may fill it.
    let cache_key = shared.mutant.and_then(|m| m.cache_key(&request));
    let hit = match (&cache_key, &decision.action, &forward_body) {
        (Some(key), action, Some(_))
            if matches!(action, Action::Forward(_))
                || shared.mutant.is_some_and(Mutant::caches_before_policy) =>
        {
            cache::lookup(&shared, key, &request, &request_id)
        }
        _ => None,
    };
    let (response, facts) = match (hit, &decision.action, forward_body, fetches) {
        (Some(hit), _, _, _) => hit,
        (None, Action::Forward(f), Some(body), _) => {
            let (response, facts) =
                forward(&shared, &conn, &parts, body, &request, f, &request_id).await;
            match cache_key {
                Some(key) => (cache::keep(&shared, key, &request, response).await, facts),
                None => (response, facts),
            }
        }
        (None, Action::Respond(r), Some(body), Some(m)) if r.location.is_some() => {
            redirect_after_fetch(m, &shared, &conn, &parts, body, &request, r, &request_id).await
        }
        (None, Action::Respond(r), _, _) => respond(&shared, &request, r, &request_id),
        (None, Action::Forward(_), None, _) => {
            respond(&shared, &request, &unreadable_response(), &request_id)
        }
    };
    let (Some(log), Some(mut facts)) = (shared.log.clone(), facts) else {
        return response;
    };
    facts.first_byte_ms = started.elapsed().as_millis() as u64;
    let h2 = request.version == edgeconform_core::HttpVersion::Http2;
    let ctx = LogContext {
        started,
        peer: conn.peer,
        request,
        domain: shared.dist.domain.clone(),
        head_bytes: viewer.head_bytes,
        request_id,
        tls: conn.tls.clone(),
    };
    let (head, body) = response.into_parts();
    let body = if h2 {
        // Multiplexed: count the head in HTTP/1.1 form plus the body bytes sent.
        let head_len = head_len_h1(&head);
        body.on_done(move |sent| ctx.log(&log, &facts, head_len + sent))
    } else {
        let meter = conn.meter.clone();
        body.on_done(move |_| {
            meter.defer(Pending {
                start: start_bytes,
                finish: Box::new(move |bytes| ctx.log(&log, &facts, bytes)),
            })
        })
    };
    Response::from_parts(head, body)
}

/// LIM-SIZE → 413, connection closed, not logged (what `decide()` answers for an oversized head).
fn lim_size() -> Decision {
    Decision {
        action: Action::Respond(EdgeResponse::oversized()),
        behavior: None,
        rules: RuleList::from([RuleId::LimSize]),
    }
}

fn unreadable_body() -> Decision {
    Decision {
        action: Action::Respond(unreadable_response()),
        behavior: None,
        rules: RuleList::new(),
    }
}

/// A redirect for which the origin is contacted first ([`Mutant::fetches_for_redirect`]): the
/// request goes to the origin the HTTPS leg would reach; its answer is discarded
/// ([`Mutant::OriginBeforeRedirect`]) or becomes the redirect, body and all
/// ([`Mutant::RedirectCarriesObject`]).
#[allow(clippy::too_many_arguments)]
async fn redirect_after_fetch(
    mutant: Mutant,
    shared: &Shared,
    conn: &Conn,
    parts: &Parts,
    body: ForwardBody,
    req: &Request,
    r: &EdgeResponse,
    request_id: &str,
) -> (Response<EdgeBody>, Option<ResponseFacts>) {
    let https = Request {
        scheme: Scheme::Https,
        ..req.clone()
    };
    let Action::Forward(f) = core_decide(&shared.dist, &https).action else {
        return respond(shared, req, r, request_id);
    };
    let (mut response, facts) = forward(shared, conn, parts, body, req, &f, request_id).await;
    let location = r
        .location
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok());
    let (Mutant::RedirectCarriesObject, Some(location)) = (mutant, location) else {
        drop(response);
        return respond(shared, req, r, request_id);
    };
    *response.status_mut() =
        hyper::StatusCode::from_u16(r.status).unwrap_or(hyper::StatusCode::MOVED_PERMANENTLY);
    response.headers_mut().insert(LOCATION, location);
    response.headers_mut().insert(
        X_CACHE,
        HeaderValue::from_static("Redirect from cloudfront"),
    );
    let facts = facts.map(|f| ResponseFacts {
        status: r.status,
        result_type: ResultType::Redirect,
        detailed_result_type: "Redirect".into(),
        ..f
    });
    (response, facts)
}
