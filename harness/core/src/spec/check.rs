//! Expectation vs outcome: [`Case::check`] compares every leg the runner (or the model) produced
//! with the case's expectation and names each [`Mismatch`] by observer, field and the rules it
//! rests on; [`model_agreement`] runs the same comparison between what a spec states and what the
//! model predicts (`edgeconform check`).

use super::expect::{LegExpect, LogExpect, OriginExpect, ViewerExpect};
use super::{Case, Suite};
use crate::billing::{charge, Ledger, LineItem};
use crate::outcome::Outcome;
use crate::request::Request;
use crate::rules::RuleId;
use crate::yaml::Pos;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// One field where the outcome differs from the expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The rules this field rests on (a subset of the case's rules when one applies).
    pub rules: Vec<RuleId>,
    /// `viewer`, `origin`, `billing` or `log`.
    pub observer: &'static str,
    /// 0: the first request; 1: the HTTPS follow-up of a redirect pair (billing: always 0).
    pub leg: usize,
    /// The field, e.g. `status`, `location`, `protocol`, `header X-Forwarded-Proto`.
    pub field: String,
    pub expected: String,
    pub observed: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let leg = if self.leg == 1 { "follow." } else { "" };
        let rules: Vec<&str> = self.rules.iter().map(|r| r.as_str()).collect();
        write!(
            f,
            "{leg}{}.{}: expected {}, observed {} ({})",
            self.observer,
            self.field,
            self.expected,
            self.observed,
            rules.join(", ")
        )
    }
}

/// Rules a field of an observer can rest on; a mismatch names those the case checks.
fn field_rules(observer: &str, field: &str) -> &'static [RuleId] {
    use RuleId::*;
    match (observer, field) {
        ("viewer", "location") | ("viewer", "header Location") => {
            &[LocScheme, LocHost, LocTarget, LocSafe]
        }
        ("viewer", "connection closed") => &[LimSize],
        ("viewer", _) => &[
            VppAllowAll,
            VppRedirectSafe,
            VppRedirectUnsafe,
            VppHttpsOnly,
            VppHttpsServed,
            VppPerBehavior,
            MthSupported,
            MthAllowed,
            MthGetBody,
            PatOrder,
            PatWildcard,
            PatAnchored,
            PatCase,
            PatSlash,
            PatQuery,
            PatNormalize,
            OrgFailure,
            HostRoute,
            LimSize,
            LocSafe,
        ],
        ("origin", "contacted") => &[
            LocEdgeOnly,
            VppAllowAll,
            VppHttpsOnly,
            VppRedirectSafe,
            VppRedirectUnsafe,
            VppHttpsServed,
            MthAllowed,
            MthSupported,
            MthGetBody,
            HostRoute,
            LimSize,
        ],
        ("origin", "protocol") | ("origin", "port") => {
            &[OrgS3MatchViewer, OrgWebsiteHttp, OrgCustomPolicy]
        }
        ("origin", "path") => &[OrgPath, PatNormalize],
        ("origin", "id") => &[
            PatOrder,
            PatWildcard,
            PatAnchored,
            PatCase,
            PatSlash,
            PatQuery,
            PatNormalize,
            VppPerBehavior,
        ],
        ("origin", _) => &[OrgXfpStripped, OrgCfProto],
        ("billing", _) => &[BilPerResponse, BilRedirectPair, BilRefusal],
        ("log", _) => &[LogResultType, LogFormat, BilLogReconcile, LimSize],
        _ => &[],
    }
}

/// The rules a field rests on when the case names none of them (a matrix case, or a scenario that
/// states more than its rules): the field's own rules where they are few and precise, else `None`
/// (the case's rules are used).
fn fallback_rules(observer: &str, field: &str) -> Option<Vec<RuleId>> {
    use RuleId::*;
    Some(match (observer, field) {
        ("viewer", "location") | ("viewer", "header Location") => {
            vec![LocScheme, LocHost, LocTarget]
        }
        ("viewer", "connection closed") => vec![LimSize],
        ("origin", "path") => vec![OrgPath],
        ("origin", f) if f.eq_ignore_ascii_case("header X-Forwarded-Proto") => vec![OrgXfpStripped],
        ("origin", f) if f.eq_ignore_ascii_case("header CloudFront-Forwarded-Proto") => {
            vec![OrgCfProto]
        }
        ("billing", "requests") => vec![BilPerResponse],
        ("billing", _) => vec![BilRedirectPair, BilRefusal],
        ("log", "lines") => vec![BilPerResponse],
        ("log", _) => vec![LogResultType],
        _ => return None,
    })
}

struct Out<'a> {
    case: &'a Case,
    leg: usize,
    list: Vec<Mismatch>,
}

impl Out<'_> {
    fn push(
        &mut self,
        observer: &'static str,
        field: impl Into<String>,
        expected: impl Into<String>,
        observed: impl Into<String>,
    ) {
        self.push_narrowed(observer, field, expected, observed, None);
    }

    /// [`Out::push`], the rules narrowed to `narrowed`, those of the part that differs (see
    /// [`location_rules`]): the case's own among them, else all of them.
    fn push_narrowed(
        &mut self,
        observer: &'static str,
        field: impl Into<String>,
        expected: impl Into<String>,
        observed: impl Into<String>,
        narrowed: Option<Vec<RuleId>>,
    ) {
        let field = field.into();
        let relevant = field_rules(observer, &field);
        let mut rules: Vec<RuleId> = self
            .case
            .rules
            .iter()
            .copied()
            .filter(|r| relevant.contains(r))
            .collect();
        if let Some(narrowed) = narrowed {
            // Of the rules the case checks, those of the part that differs; else those.
            rules.retain(|r| narrowed.contains(r));
            if rules.is_empty() {
                rules = narrowed;
            }
        } else if rules.is_empty() {
            rules = fallback_rules(observer, &field).unwrap_or_else(|| self.case.rules.clone());
        }
        self.list.push(Mismatch {
            rules,
            observer,
            leg: self.leg,
            field,
            expected: expected.into(),
            observed: observed.into(),
        });
    }
}

/// The rules of the parts in which two `Location` values differ: the scheme (LOC-SCHEME), the
/// authority (LOC-HOST, byte for byte: the viewer's spelling of its Host is kept) and what follows
/// it (LOC-TARGET). A Location whose host alone differs in case is LOC-HOST's, not LOC-SCHEME's.
fn location_rules(want: &str, got: &str) -> Vec<RuleId> {
    fn parts(l: &str) -> (&str, &str, &str) {
        let Some((scheme, rest)) = l.split_once("://") else {
            return ("", "", l);
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        (scheme, &rest[..end], &rest[end..])
    }
    let (w, g) = (parts(want), parts(got));
    let mut rules = Vec::new();
    if w.0 != g.0 {
        rules.push(RuleId::LocScheme);
    }
    if w.1 != g.1 {
        rules.push(RuleId::LocHost);
    }
    if w.2 != g.2 {
        rules.push(RuleId::LocTarget);
    }
    if rules.is_empty() {
        rules = vec![RuleId::LocScheme, RuleId::LocHost, RuleId::LocTarget];
    }
    rules
}

fn opt<T: fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "none".to_string(), |v| v.to_string())
}

impl Case {
    /// Compares the outcomes of each leg (legs[0]: the first request; legs[1]: the HTTPS
    /// follow-up when the case follows) with the expectation. Empty: the case passes.
    pub fn check(&self, legs: &[Outcome]) -> Vec<Mismatch> {
        let mut out = Out {
            case: self,
            leg: 0,
            list: Vec::new(),
        };
        let Some(first) = legs.first() else {
            out.push(
                "viewer",
                "status",
                status_text(&self.expect.viewer),
                "no response",
            );
            return out.list;
        };
        let requests = self.leg_requests();
        // A strict parser's 400 for a Host port that names no TCP port, or for a malformed
        // percent-escape, conforms (the judge notes it): the model's answer for the request, its
        // bill included, does not apply.
        if requests
            .iter()
            .zip(legs)
            .any(|(r, o)| crate::judge::port_refused(r, o) || crate::judge::escape_refused(r, o))
        {
            return out.list;
        }
        check_leg(
            &mut out,
            &requests[0],
            first,
            &self.expect.viewer,
            &self.expect.origin,
            self.expect.log.as_ref(),
        );
        if let Some(f) = &self.expect.follow {
            out.leg = 1;
            match legs.get(1) {
                Some(o) => check_follow(&mut out, &requests[1], o, f),
                None => out.push(
                    "viewer",
                    "status",
                    status_text(&f.viewer),
                    "no HTTPS follow-up (the redirect was not followed)",
                ),
            }
            out.leg = 0;
        }
        check_billing(&mut out, &requests, legs);
        out.list
    }
}

fn check_follow(out: &mut Out, req: &Request, o: &Outcome, f: &LegExpect) {
    check_leg(out, req, o, &f.viewer, &f.origin, f.log.as_ref());
}

fn status_text(v: &ViewerExpect) -> String {
    match &v.status {
        Some(s) => s
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
        None => "a response".into(),
    }
}

fn check_leg(
    out: &mut Out,
    req: &Request,
    o: &Outcome,
    v: &ViewerExpect,
    org: &OriginExpect,
    log: Option<&LogExpect>,
) {
    let observed_status = if o.status == 0 {
        "no response".to_string()
    } else {
        o.status.to_string()
    };
    if let Some(s) = &v.status {
        if !s.contains(&o.status) {
            out.push("viewer", "status", status_text(v), observed_status);
        }
    }
    if let Some(l) = &v.location {
        let want = l.url(req);
        if o.location.as_deref() != Some(want.as_str()) {
            let narrowed = o.location.as_deref().map(|got| location_rules(&want, got));
            out.push_narrowed(
                "viewer",
                "location",
                format!("{want:?}"),
                opt(o.location.as_ref().map(|l| format!("{l:?}"))),
                narrowed,
            );
        }
    }
    if !v.headers_present.is_empty() && o.location.is_none() {
        out.push("viewer", "header Location", "present", "absent");
    }
    if !v.headers_absent.is_empty() {
        if let Some(l) = &o.location {
            out.push("viewer", "header Location", "absent", format!("{l:?}"));
        }
    }
    if let Some(c) = v.connection_closed {
        if o.closed != c {
            let word = |b: bool| if b { "closed" } else { "kept open" };
            out.push("viewer", "connection closed", word(c), word(o.closed));
        }
    }
    check_origin(out, o, org);
    if let Some(l) = log {
        check_log(out, o, l);
    }
}

fn contact_text(o: &Outcome) -> String {
    match &o.origin {
        None => "no request".into(),
        Some(c) => format!(
            "a request over {} port {} for {:?}",
            c.protocol, c.port, c.target
        ),
    }
}

fn check_origin(out: &mut Out, o: &Outcome, e: &OriginExpect) {
    match e {
        OriginExpect::Unchecked => {}
        OriginExpect::NotContacted => {
            if o.origin.is_some() {
                out.push("origin", "contacted", "no request", contact_text(o));
            }
        }
        OriginExpect::Contacted(s) => {
            let Some(c) = &o.origin else {
                if o.viewer_only {
                    // The origin was not read: each expected field is open (the runner reports
                    // it not observed), rather than a request that did not happen.
                    let unseen = "not seen (viewer-only)";
                    if let Some(id) = &s.id {
                        out.push("origin", "id", format!("`{id}`"), unseen);
                    }
                    if let Some(p) = s.protocol {
                        out.push("origin", "protocol", p.to_string(), unseen);
                    }
                    if let Some(p) = s.port {
                        out.push("origin", "port", p.to_string(), unseen);
                    }
                    if let Some(p) = &s.path {
                        out.push("origin", "path", format!("{p:?}"), unseen);
                    }
                    for (n, v) in &s.headers_seen {
                        out.push("origin", format!("header {n}"), format!("{v:?}"), unseen);
                    }
                    for n in &s.headers_not_seen {
                        out.push("origin", format!("header {n}"), "not sent", unseen);
                    }
                } else {
                    out.push("origin", "contacted", "a request", "no request");
                }
                return;
            };
            if let (Some(id), Some(seen)) = (&s.id, &c.origin) {
                if id != seen {
                    out.push("origin", "id", format!("`{id}`"), format!("`{seen}`"));
                }
            }
            if let Some(p) = s.protocol {
                if p != c.protocol {
                    out.push("origin", "protocol", p.to_string(), c.protocol.to_string());
                }
            }
            if let Some(p) = s.port {
                if p != c.port {
                    out.push("origin", "port", p.to_string(), c.port.to_string());
                }
            }
            if let Some(p) = &s.path {
                if *p != c.target {
                    out.push(
                        "origin",
                        "path",
                        format!("{p:?}"),
                        format!("{:?}", c.target),
                    );
                }
            }
            for (n, v) in &s.headers_seen {
                match c.header(n) {
                    Some(x) if x == v => {}
                    x => out.push(
                        "origin",
                        format!("header {n}"),
                        format!("{v:?}"),
                        opt(x.map(|x| format!("{x:?}"))),
                    ),
                }
            }
            for n in &s.headers_not_seen {
                if let Some(x) = c.header(n) {
                    out.push(
                        "origin",
                        format!("header {n}"),
                        "not sent",
                        format!("{x:?}"),
                    );
                }
            }
        }
    }
}

fn check_log(out: &mut Out, o: &Outcome, e: &LogExpect) {
    let Some(l) = &o.log else {
        out.push("log", "lines", opt(e.lines), "no access-log observation");
        return;
    };
    // A line the log cannot attribute, or a field it does not carry, is not observed (the judge
    // says so); it is no mismatch.
    if l.unattributed {
        return;
    }
    let carried = |got: &Option<String>| l.lines != 1 || got.is_some();
    if let Some(n) = e.lines {
        if n != l.lines {
            out.push("log", "lines", n.to_string(), l.lines.to_string());
        }
    }
    let fields = [
        ("x-edge-result-type", &e.result_type, &l.result_type),
        (
            "x-edge-detailed-result-type",
            &e.detailed_result_type,
            &l.detailed_result_type,
        ),
    ];
    for (name, want, got) in fields {
        if let Some(w) = want.as_ref().filter(|_| carried(got)) {
            if got.as_deref() != Some(w.as_str()) {
                out.push("log", name, w.clone(), opt(got.clone()));
            }
        }
    }
    if let Some(p) = e.protocol.filter(|_| carried(&l.protocol)) {
        if l.protocol.as_deref() != Some(p.as_str()) {
            out.push("log", "cs-protocol", p.to_string(), opt(l.protocol.clone()));
        }
    }
}

fn ledger_text(m: &BTreeMap<LineItem, u64>) -> String {
    if m.is_empty() {
        return "no request".into();
    }
    m.iter()
        .map(|(k, n)| format!("{}: {n}", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_billing(out: &mut Out, requests: &[Request], legs: &[Outcome]) {
    let e = &out.case.expect.billing;
    let mut ledger = Ledger::default();
    let mut objects = Vec::new();
    for (req, o) in requests.iter().zip(legs) {
        let c = charge(req, o);
        if let Some(c) = &c {
            ledger.add(c);
        }
        objects.push(c.map_or(0, |c| c.object_bytes));
    }
    if let Some(want) = &e.requests {
        let got: BTreeMap<LineItem, u64> = ledger
            .items
            .iter()
            .map(|(k, t)| (*k, t.requests))
            .filter(|(_, n)| *n > 0)
            .collect();
        if *want != got {
            out.push("billing", "requests", ledger_text(want), ledger_text(&got));
        }
    }
    for (i, want) in e.object_bytes.iter().enumerate() {
        if let (Some(w), Some(g)) = (want, objects.get(i)) {
            if w != g {
                out.leg = i;
                out.push("billing", "object bytes", w.to_string(), g.to_string());
                out.leg = 0;
            }
        }
    }
}

/// A stated expectation the model does not share: a bug in the spec or in the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    pub case: String,
    pub file: String,
    /// Where the stated observer is written.
    pub pos: Pos,
    /// The field: `expected` is what the spec states, `observed` what the model predicts.
    pub mismatch: Mismatch,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.mismatch;
        let leg = if m.leg == 1 { "follow." } else { "" };
        let rules: Vec<&str> = m.rules.iter().map(|r| r.as_str()).collect();
        write!(
            f,
            "{}:{}: scenario `{}`: {leg}{}.{}: the spec expects {}, the model predicts {} ({}); a bug in the spec or the model",
            self.file,
            self.pos,
            self.case,
            m.observer,
            m.field,
            m.expected,
            m.observed,
            rules.join(", ")
        )
    }
}

/// Every stated expectation of the suite compared with the model's prediction.
pub fn model_agreement(suite: &Suite) -> Vec<Disagreement> {
    let mut out = Vec::new();
    for c in suite.scenarios.iter().filter(|c| c.explicit) {
        let legs = c.model_legs(&suite.distribution);
        for m in c.check(&legs) {
            let leg = if m.observer == "billing" { 0 } else { m.leg };
            let Some(part) = c
                .stated
                .iter()
                .find(|p| p.leg == leg && p.observer == m.observer)
            else {
                continue;
            };
            out.push(Disagreement {
                case: c.id.clone(),
                file: c.file.clone(),
                pos: part.pos,
                mismatch: m,
            });
        }
    }
    out
}
