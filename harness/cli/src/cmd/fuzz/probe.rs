//! One generated request on the wire, judged exactly as a suite case is: it becomes the case a
//! `matrix:` cell would be (`Case::from_model`), goes out through the runner's per-request path
//! (`runner::leg::send`: correlation id, origin records, cache hits) and is evaluated by
//! `edgeconform_core::verdict::evaluate` (the judge, the model's expectations, not-observed and RFC answers).

use crate::report::model::{Finding, Verdict};
use crate::runner::cache::Fetches;
use crate::runner::client::{Client, Endpoint, NotRun};
use crate::runner::{evaluate, leg, Job};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::judge::judge;
use edgeconform_core::outcome::Outcome;
use edgeconform_core::rules::Level;
use edgeconform_core::spec::{Case, ModelCase};
use edgeconform_core::{Request, RuleId};
use std::sync::Arc;
use std::time::Duration;

/// What a group of findings has in common. The judge names a misreading of the patterns by its
/// own rule (PAT-CASE for case-insensitive matching, PAT-WILDCARD for a `*` that stops at `/`, ...)
/// and otherwise the policy, location, origin or billing rule the answer breaks: that rule is the
/// group. When the judge is silent and one of the model's expectations fails, the group is that
/// expectation's rule and which expectation it is (`viewer status`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Key {
    /// `None` only for a failing expectation that names no rule.
    pub rule: Option<RuleId>,
    /// Empty when the judge named the rule; else the failing expectation (`viewer status`).
    pub misreading: String,
}

/// A failing answer.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The groups this answer belongs to, each with the rules whose breach gives this very answer
    /// too (the judge's alternatives: a request alone cannot tell them from the one named).
    pub keys: Vec<(Key, Vec<RuleId>)>,
    /// Every rule a failing finding names.
    pub rules: Vec<RuleId>,
    pub level: Level,
    pub findings: Vec<Finding>,
    pub outcome: Outcome,
}

/// What became of one request.
#[derive(Debug, Clone)]
pub enum Probe {
    Pass,
    Fail(Box<Failure>),
    /// The request could not be made as generated (no `h2` offered, a `:authority` HTTP/2 has no
    /// form for): nothing was judged.
    NotRun(String),
    /// No response (transport failure, timeout): nothing was judged.
    Error(String),
}

/// The connections of one worker: one client per TLS name and version family, so that a run
/// mixing hosts and HTTP/2 keeps its connections alive instead of reconnecting at every change.
pub struct Clients {
    endpoint: Endpoint,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
    by_name: Vec<((String, bool), Client)>,
}

impl Clients {
    pub fn new(endpoint: Endpoint, tls: Arc<rustls::ClientConfig>, timeout: Duration) -> Clients {
        Clients {
            endpoint,
            tls,
            timeout,
            by_name: Vec::new(),
        }
    }

    /// The key of the client `req` goes out on: its TLS name and whether it is HTTP/2.
    fn key(dist: &Distribution, req: &Request) -> (String, bool) {
        let name = req
            .host
            .as_deref()
            .filter(|h| dist.routes_host(h))
            .and_then(edgeconform_core::distribution::valid_host_name)
            .unwrap_or_default();
        (name, req.version == edgeconform_core::HttpVersion::Http2)
    }

    fn for_request(&mut self, dist: &Distribution, req: &Request) -> &mut Client {
        let key = Clients::key(dist, req);
        let i = match self.by_name.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                // Bodies are not judged beyond their length: keep little of them.
                let c = Client::new(self.endpoint.clone(), self.tls.clone(), self.timeout)
                    .with_max_body_bytes(4096);
                self.by_name.push((key, c));
                self.by_name.len() - 1
            }
        };
        &mut self.by_name[i].1
    }
}

/// Sends `req` with correlation id `id` and judges the answer.
pub async fn probe(
    clients: &mut Clients,
    fetches: &Fetches,
    dist: &Arc<Distribution>,
    req: &Request,
    id: &str,
    viewer_only: bool,
) -> Probe {
    let case = Case::from_model(
        dist,
        req.clone(),
        ModelCase {
            id: id.to_string(),
            file: "(fuzz)".into(),
            ..ModelCase::default()
        },
    );
    let job = Job {
        seq: 0,
        case,
        dist: dist.clone(),
        endpoint: clients.endpoint.clone(),
    };
    let client = clients.for_request(dist, req);
    let o = match leg::send(client, fetches, &job, req, id, viewer_only).await {
        Ok((_, o)) => o,
        Err(e) => {
            if let Some(n) = e.downcast_ref::<NotRun>() {
                return Probe::NotRun(n.reason.clone());
            }
            return Probe::Error(format!("{e:#}"));
        }
    };
    let (findings, verdict, level) = evaluate(&job.case, dist, std::slice::from_ref(&o), false);
    if verdict != Verdict::Fail {
        return Probe::Pass;
    }
    let failing: Vec<&Finding> = findings.iter().filter(|f| f.is_failure()).collect();
    let mut rules: Vec<RuleId> = failing.iter().flat_map(|f| f.rules.clone()).collect();
    rules.sort();
    rules.dedup();
    // Every rule the judge names is a group of its own (the judge names a misreading instead of
    // the cascade it causes, so two named rules are two breaches: an edge that answers any Host
    // and echoes it breaks HOST-ROUTE and LOC-SAFE with one response).
    let mut keys: Vec<(Key, Vec<RuleId>)> = Vec::new();
    for v in judge(dist, req, &o).into_iter().filter(|v| v.is_failure()) {
        let key = Key {
            rule: Some(v.rule),
            misreading: String::new(),
        };
        if !keys.iter().any(|(k, _)| *k == key) {
            keys.push((key, v.alternatives));
        }
    }
    if keys.is_empty() {
        let f = failing
            .iter()
            .find(|f| !f.rules.is_empty())
            .or(failing.first());
        let Some(f) = f else { return Probe::Pass };
        let key = Key {
            rule: f
                .rules
                .first()
                .copied()
                .or_else(|| job.case.rules.first().copied()),
            misreading: f.message.clone(),
        };
        keys.push((key, Vec::new()));
    }
    Probe::Fail(Box::new(Failure {
        keys,
        rules,
        level,
        findings,
        outcome: o,
    }))
}

/// What the viewer (and the origin) saw, in one line: `302 Location: https://… (origin not
/// contacted)`.
pub fn describe(o: &Outcome) -> String {
    let mut s = o.status.to_string();
    if let Some(l) = &o.location {
        s.push_str(&format!(" Location: {l}"));
    }
    match (&o.origin, &o.cache, o.viewer_only) {
        (_, _, true) => s.push_str(" (viewer side only)"),
        (Some(c), _, _) => s.push_str(&format!(
            " (origin {} reached over {} port {} with {})",
            c.origin.as_deref().unwrap_or("?"),
            c.protocol,
            c.port,
            c.target
        )),
        (None, Some(_), _) => s.push_str(" (from the edge's cache)"),
        (None, None, _) => s.push_str(" (origin not contacted)"),
    }
    s
}

impl Failure {
    /// Whether this answer fails for the group `key`.
    pub fn has(&self, key: &Key) -> bool {
        self.keys.iter().any(|(k, _)| k == key)
    }

    /// The judge's alternatives to the rule of group `key`.
    pub fn alternatives(&self, key: &Key) -> &[RuleId] {
        self.keys
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&[], |(_, a)| a.as_slice())
    }
}
