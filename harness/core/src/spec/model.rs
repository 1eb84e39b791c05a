//! The model's prediction for a case: `decide()` on the first request, `Outcome::from_decision`,
//! the origin failing as the case says, and the HTTPS follow-up when the case follows a redirect.

use super::expect::ModelLegs;
use crate::decide::{decide, origin_failure_status, Action};
use crate::distribution::Distribution;
use crate::outcome::{LogObservation, OriginFailure, Outcome};
use crate::request::Request;

/// Predicts every leg of a case.
pub(crate) fn predict(
    dist: &Distribution,
    req: &Request,
    follow: bool,
    object_size: Option<u64>,
    failure: Option<OriginFailure>,
) -> ModelLegs {
    let mut requests = vec![req.clone()];
    let d = decide(dist, req);
    let ambiguous = is_ambiguous(dist, req, &d);
    let mut outcomes = vec![outcome(dist, req, &d, object_size, failure)];
    let mut decisions = vec![d];
    if follow && outcomes[0].location.is_some() && (300..400).contains(&outcomes[0].status) {
        let f = super::follow_of(req);
        let d = decide(dist, &f);
        outcomes.push(outcome(dist, &f, &d, object_size, failure));
        decisions.push(d);
        requests.push(f);
    }
    let host_routed = requests
        .iter()
        .map(|r| r.host.as_deref().is_some_and(|h| dist.routes_host(h)))
        .collect();
    ModelLegs {
        requests,
        outcomes,
        decisions,
        host_routed,
        object_known: object_size.is_some(),
        ambiguous,
    }
}

/// RULES.md, decision order step 6: under `current`, an unsafe method over HTTP/1.1 that the
/// behavior does not allow may get 307 or 403 — the order of steps 5 and 6 is unknown there.
pub(crate) fn is_ambiguous(
    dist: &Distribution,
    req: &Request,
    d: &crate::decide::Decision,
) -> bool {
    d.status() == Some(307)
        && d.behavior
            .is_some_and(|b| !dist.behaviors[b].allowed_methods.contains(&req.method))
}

fn outcome(
    dist: &Distribution,
    req: &Request,
    d: &crate::decide::Decision,
    object_size: Option<u64>,
    failure: Option<OriginFailure>,
) -> Outcome {
    let mut o = Outcome::from_decision(dist, req, d, object_size.unwrap_or(0));
    if let (Action::Forward(_), Some(f)) = (&d.action, failure) {
        // ORG-FAILURE: the edge answers with its own error page; nothing of the object is sent.
        let status = origin_failure_status(f == OriginFailure::Timeout);
        let page = if req.method == crate::Method::Head {
            0
        } else {
            crate::pages::error_page(status, "Error", "").len() as u64
        };
        o = Outcome {
            status,
            location: None,
            origin: None,
            header_bytes: 0,
            body_bytes: page,
            object_bytes: 0,
            closed: false,
            origin_failure: Some(f),
            log: None,
            cache: None,
            viewer_only: false,
            origin_evidence: None,
        };
    }
    o.log = Some(log_line(req, d, o.status));
    o
}

/// The access-log line the model predicts (LOG-RESULT-TYPE; LIM-SIZE: an oversized request is
/// not logged). The result type of a forwarded request (Hit, Miss, ...) is not modelled.
fn log_line(req: &Request, d: &crate::decide::Decision, status: u16) -> LogObservation {
    let (logged, result, detailed) = match &d.action {
        Action::Respond(r) => (
            r.logged,
            Some(r.result_type.as_str().to_string()),
            Some(r.detailed_result_type.to_string()),
        ),
        Action::Forward(_) => (true, None, None),
    };
    LogObservation {
        lines: u32::from(logged),
        result_type: result.filter(|_| logged),
        detailed_result_type: detailed.filter(|_| logged),
        protocol: logged.then(|| req.scheme.as_str().to_string()),
        status: logged.then_some(status),
        sc_bytes: None,
        unattributed: false,
    }
}
