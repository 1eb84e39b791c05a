//! Expectations as a case carries them: structured, one part per observer (viewer, origin, bill,
//! access log), each either written in the spec or filled from the decision model. `None` on a
//! field means "not checked".

use crate::billing::{charge, Ledger, LineItem};
use crate::outcome::Outcome;
use crate::request::{Request, Scheme};
use crate::RuleId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the observers must see for one case.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Expectation {
    /// The first request's response.
    pub viewer: ViewerExpect,
    /// What reached the origin for the first request.
    pub origin: OriginExpect,
    /// The charge over every leg.
    pub billing: BillingExpect,
    /// The access-log line of the first request (cases with `access_log: true`).
    pub log: Option<LogExpect>,
    /// The HTTPS leg of a redirect pair (`follow: true`).
    pub follow: Option<Box<LegExpect>>,
}

/// Expectations on one leg other than the first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LegExpect {
    pub viewer: ViewerExpect,
    pub origin: OriginExpect,
    pub log: Option<LogExpect>,
}

/// What the viewer receives.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewerExpect {
    /// Acceptable status codes (one, or several where RULES.md leaves the answer open).
    pub status: Option<Vec<u16>>,
    pub location: Option<LocationExpect>,
    /// Response headers that must be present / absent (names, case-insensitive).
    pub headers_present: Vec<String>,
    pub headers_absent: Vec<String>,
    /// The edge closes the connection after the response (LIM-SIZE).
    pub connection_closed: Option<bool>,
}

/// The `Location` a redirect must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "url")]
pub enum LocationExpect {
    /// Exactly this URL.
    Exact(String),
    /// `https://` + the `Host` sent without its port + the raw request-target (LOC-*).
    SameUrlOverHttps,
}

impl LocationExpect {
    /// The URL this expectation stands for, given the request it answers.
    pub fn url(&self, req: &Request) -> String {
        match self {
            LocationExpect::Exact(u) => u.clone(),
            LocationExpect::SameUrlOverHttps => crate::decide::redirect_location(req),
        }
    }
}

/// What reaches the origin.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum OriginExpect {
    /// Not checked (e.g. an origin made to fail).
    #[default]
    Unchecked,
    /// The origin sees no request.
    NotContacted,
    /// The origin sees the request, as described.
    Contacted(OriginSeen),
}

/// The request as the origin must see it; `None` fields are not checked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OriginSeen {
    /// The origin's id in the distribution.
    pub id: Option<String>,
    pub protocol: Option<Scheme>,
    pub port: Option<u16>,
    /// The request-target received (path and query).
    pub path: Option<String>,
    /// Headers received with exactly this value.
    pub headers_seen: Vec<(String, String)>,
    /// Headers that must not be received.
    pub headers_not_seen: Vec<String>,
}

/// The bill of a case.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BillingExpect {
    /// Billable requests per line item over every leg; items not listed must have none. `None`:
    /// not checked.
    pub requests: Option<BTreeMap<LineItem, u64>>,
    /// Object bytes charged per leg (index 0: the first request, 1: the follow-up); `None`: not
    /// checked for that leg.
    pub object_bytes: Vec<Option<u64>>,
}

/// The access-log line of a request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogExpect {
    pub lines: Option<u32>,
    pub result_type: Option<String>,
    pub detailed_result_type: Option<String>,
    pub protocol: Option<Scheme>,
}

/// The model's predictions for one case, from which missing expectations are filled.
pub(crate) struct ModelLegs {
    pub requests: Vec<Request>,
    pub outcomes: Vec<Outcome>,
    pub decisions: Vec<crate::decide::Decision>,
    /// Per leg, whether the distribution routes its `Host`.
    pub host_routed: Vec<bool>,
    /// Whether the object size is known (billing of forwarded legs is checked only then).
    pub object_known: bool,
    /// The 307-or-403 cell of the `current` ruleset (RULES.md, decision order step 6).
    pub ambiguous: bool,
}

impl ModelLegs {
    pub fn viewer(&self, leg: usize) -> ViewerExpect {
        let o = &self.outcomes[leg];
        if leg == 0 && self.ambiguous {
            return ViewerExpect {
                status: Some(vec![307, 403]),
                ..ViewerExpect::default()
            };
        }
        let edge = o.origin.is_none();
        let rfc = self.rfc_statuses(leg);
        ViewerExpect {
            status: Some(rfc.clone().unwrap_or_else(|| vec![o.status])),
            location: o.location.clone().map(LocationExpect::Exact),
            headers_present: Vec::new(),
            headers_absent: if edge && o.location.is_none() {
                vec!["Location".into()]
            } else {
                Vec::new()
            },
            // Closing after the model's 413 is the model's; an RFC status may keep the
            // connection open, so the close is only expected where one answer is.
            connection_closed: (o.closed && rfc.is_none()).then_some(true),
        }
    }

    /// The statuses that conform for leg `leg` when an RFC names another answer than the
    /// model's for the same malformed input (LIM-SIZE, HOST-ROUTE, MTH-SUPPORTED); `None` when
    /// only the model's status does.
    fn rfc_statuses(&self, leg: usize) -> Option<Vec<u16>> {
        self.rfc_status_set(leg).map(|set| {
            let mut v: Vec<u16> = set.to_vec();
            // An oversized request with another fault may get that fault's answer (the judge's
            // LIM-SIZE note): an unknown method's 405/501, an unknown Host's 403.
            if v == crate::judge::TOO_LARGE {
                let req = &self.requests[leg];
                if !req.method.is_supported() {
                    v.extend([405, 501]);
                }
                if !self.host_routed[leg] {
                    v.push(403);
                }
            }
            v
        })
    }

    fn rfc_status_set(&self, leg: usize) -> Option<&'static [u16]> {
        use crate::judge::{MALFORMED_HOST, TOO_LARGE, UNKNOWN_METHOD};
        let d = &self.decisions[leg];
        let req = &self.requests[leg];
        let first = d.rules.first()?;
        match first {
            RuleId::LimSize => Some(&TOO_LARGE),
            RuleId::MthSupported => Some(&UNKNOWN_METHOD),
            // An unknown Host with an unknown method token too: the method's RFC answers
            // (400, 405, 501) are refusals as good as the Host's 403.
            RuleId::HostRoute if !req.method.is_supported() => Some(&UNKNOWN_METHOD),
            RuleId::HostRoute
                if req
                    .host
                    .as_deref()
                    .is_none_or(|h| crate::distribution::valid_host_name(h).is_none()) =>
            {
                Some(&MALFORMED_HOST)
            }
            _ => None,
        }
    }

    pub fn origin(&self, leg: usize) -> OriginExpect {
        let o = &self.outcomes[leg];
        if o.origin_failure.is_some() {
            return OriginExpect::Unchecked;
        }
        match &o.origin {
            None => OriginExpect::NotContacted,
            Some(c) => {
                let req = &self.requests[leg];
                let fwd = self.decisions[leg].forward();
                let mut seen = Vec::new();
                if let Some(p) = fwd.and_then(|f| f.cloudfront_forwarded_proto) {
                    seen.push((
                        "CloudFront-Forwarded-Proto".to_string(),
                        p.as_str().to_string(),
                    ));
                }
                let mut not_seen = Vec::new();
                if req.header("x-forwarded-proto").is_some() {
                    not_seen.push("X-Forwarded-Proto".to_string());
                }
                OriginExpect::Contacted(OriginSeen {
                    id: c.origin.clone(),
                    protocol: Some(c.protocol),
                    port: Some(c.port),
                    path: Some(c.target.clone()),
                    headers_seen: seen,
                    headers_not_seen: not_seen,
                })
            }
        }
    }

    pub fn billing(&self) -> BillingExpect {
        let mut ledger = Ledger::default();
        let mut object_bytes = Vec::new();
        for (i, (req, o)) in self.requests.iter().zip(&self.outcomes).enumerate() {
            let c = charge(req, o);
            if let Some(c) = &c {
                ledger.add(c);
            }
            // A forwarded GET (not HEAD) carries the object, whose size the spec may leave open.
            let forwarded_object = o.origin.is_some() && req.method != crate::Method::Head;
            let known = !forwarded_object || self.object_known;
            object_bytes.push(if known && !(i == 0 && self.ambiguous) {
                Some(c.map_or(0, |c| c.object_bytes))
            } else {
                None
            });
        }
        BillingExpect {
            requests: Some(ledger.items.iter().map(|(k, t)| (*k, t.requests)).collect()),
            object_bytes,
        }
    }

    pub fn log(&self, leg: usize) -> LogExpect {
        let req = &self.requests[leg];
        match &self.decisions[leg].action {
            crate::decide::Action::Respond(r) if !(leg == 0 && self.ambiguous) => LogExpect {
                lines: Some(u32::from(r.logged)),
                result_type: r.logged.then(|| r.result_type.as_str().to_string()),
                detailed_result_type: (r.logged
                    && r.detailed_result_type == "InvalidRequestMethod")
                    .then(|| r.detailed_result_type.to_string()),
                protocol: r.logged.then_some(req.scheme),
            },
            _ => LogExpect {
                lines: Some(1),
                result_type: None,
                detailed_result_type: None,
                protocol: Some(req.scheme),
            },
        }
    }

    pub fn leg(&self, leg: usize, log: bool) -> LegExpect {
        LegExpect {
            viewer: self.viewer(leg),
            origin: self.origin(leg),
            log: log.then(|| self.log(leg)),
        }
    }
}
