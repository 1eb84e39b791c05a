//! Expectations a scenario states, read into their checked form: `viewer`, `origin`, `billing`,
//! `log` and the `follow` leg; each observer left out is filled from the model.

use super::expect::{
    BillingExpect, Expectation, LegExpect, LocationExpect, LogExpect, ModelLegs, OriginExpect,
    OriginSeen, ViewerExpect,
};
use super::format::{
    BillingSpec, ExpectSpec, LegSpec, LogSpec, OriginExpectSpec, ScenarioSpec, ViewerSpec,
};
use super::StatedPart;
use crate::billing::LineItem;
use crate::distribution::Distribution;
use crate::yaml::{Pos, Problem, Spanned};
use std::collections::BTreeMap;

pub(crate) fn expectation(
    s: &ScenarioSpec,
    dist: &Distribution,
    model: &ModelLegs,
    follow: bool,
    ps: &mut Vec<Problem>,
) -> (Expectation, Vec<StatedPart>) {
    let legs = model.outcomes.len();
    let mut exp = Expectation {
        viewer: model.viewer(0),
        origin: model.origin(0),
        billing: model.billing(),
        log: s.access_log.then(|| model.log(0)),
        follow: (follow && legs > 1).then(|| Box::new(model.leg(1, s.access_log))),
    };
    let mut stated = Vec::new();
    let Some(e) = &s.expect else {
        return (exp, stated);
    };
    let ExpectSpec::Stated(b) = &e.value else {
        return (exp, stated);
    };
    if let Some(v) = &b.viewer {
        exp.viewer = viewer(v, ps);
        stated.push(StatedPart {
            leg: 0,
            observer: "viewer",
            pos: Pos::of(v),
        });
    }
    if let Some(o) = &b.origin {
        exp.origin = origin(o, dist, ps);
        stated.push(StatedPart {
            leg: 0,
            observer: "origin",
            pos: Pos::of(o),
        });
    }
    if let Some(bl) = &b.billing {
        exp.billing = billing(bl, s, follow, ps);
        stated.push(StatedPart {
            leg: 0,
            observer: "billing",
            pos: Pos::of(bl),
        });
    }
    if let Some(l) = &b.log {
        if !s.access_log {
            ps.push(Problem::new(Pos::of(l), "`expect.log` on a scenario that does not read the access log; expected `access_log: true` on the scenario"));
        }
        exp.log = Some(log(&l.value));
        stated.push(StatedPart {
            leg: 0,
            observer: "log",
            pos: Pos::of(l),
        });
    }
    if let Some(f) = &b.follow {
        if !follow {
            ps.push(Problem::new(Pos::of(f), "`expect.follow` describes the HTTPS leg of a redirect pair; expected `follow: true` on the scenario"));
            return (exp, stated);
        }
        let leg = follow_leg(f, s, dist, exp.follow.take(), &mut stated, ps);
        exp.follow = Some(Box::new(leg));
    }
    (exp, stated)
}

/// The expectation of the HTTPS leg of a redirect pair: the model's (`modelled`), with what
/// `expect.follow` states in its place.
fn follow_leg(
    f: &Spanned<LegSpec>,
    s: &ScenarioSpec,
    dist: &Distribution,
    modelled: Option<Box<LegExpect>>,
    stated: &mut Vec<StatedPart>,
    ps: &mut Vec<Problem>,
) -> LegExpect {
    let mut leg = match modelled {
        Some(l) => *l,
        None => LegExpect {
            viewer: ViewerExpect::default(),
            origin: OriginExpect::Unchecked,
            log: None,
        },
    };
    if let Some(v) = &f.value.viewer {
        leg.viewer = viewer(v, ps);
        stated.push(StatedPart {
            leg: 1,
            observer: "viewer",
            pos: Pos::of(v),
        });
    }
    if let Some(o) = &f.value.origin {
        leg.origin = origin(o, dist, ps);
        stated.push(StatedPart {
            leg: 1,
            observer: "origin",
            pos: Pos::of(o),
        });
    }
    if let Some(l) = &f.value.log {
        if !s.access_log {
            ps.push(Problem::new(
                Pos::of(l),
                "`expect.follow.log` on a scenario that does not read the access log; expected `access_log: true` on the scenario",
            ));
        }
        leg.log = Some(log(&l.value));
        stated.push(StatedPart {
            leg: 1,
            observer: "log",
            pos: Pos::of(l),
        });
    }
    leg
}

fn viewer(v: &Spanned<ViewerSpec>, ps: &mut Vec<Problem>) -> ViewerExpect {
    let mut out = ViewerExpect {
        connection_closed: v.value.connection_closed,
        ..ViewerExpect::default()
    };
    if let Some(st) = &v.value.status {
        if st.value.0.is_empty() {
            ps.push(Problem::new(Pos::of(st), "`status` is an empty list; expected a status code like 301 or a list like [307, 403]"));
        }
        let mut codes = Vec::new();
        for &c in &st.value.0 {
            match u16::try_from(c) {
                Ok(c) if (100..=599).contains(&c) => codes.push(c),
                _ => ps.push(Problem::new(
                    Pos::of(st),
                    format!("{c} is not a status code; expected a number from 100 to 599"),
                )),
            }
        }
        out.status = Some(codes);
    }
    if let Some(l) = &v.value.location {
        out.location = if l.value == "same-url-over-https" {
            Some(LocationExpect::SameUrlOverHttps)
        } else if l.value.starts_with("https://") || l.value.starts_with("http://") {
            Some(LocationExpect::Exact(l.value.clone()))
        } else {
            ps.push(Problem::new(Pos::of(l), format!("location {:?} is not a URL a redirect can carry; expected an absolute URL like https://www.example.com/a or `same-url-over-https`", l.value)));
            None
        };
    }
    if let Some(h) = &v.value.headers {
        for (names, into) in [
            (&h.present, &mut out.headers_present),
            (&h.absent, &mut out.headers_absent),
        ] {
            for n in names {
                if !n.value.eq_ignore_ascii_case("location") {
                    ps.push(Problem::new(Pos::of(n), format!("response header `{}` cannot be checked: the outcome records only Location; expected Location", n.value)));
                } else {
                    into.push(n.value.clone());
                }
            }
        }
        let both = !out.headers_present.is_empty() && !out.headers_absent.is_empty();
        if both || (!out.headers_absent.is_empty() && out.location.is_some()) {
            ps.push(Problem::new(
                Pos::of(v),
                "Location is expected both present and absent; expected one of them",
            ));
        }
    }
    out
}

fn origin(
    o: &Spanned<OriginExpectSpec>,
    dist: &Distribution,
    ps: &mut Vec<Problem>,
) -> OriginExpect {
    let s = &o.value;
    let stated_more = s.id.is_some()
        || s.protocol.is_some()
        || s.port.is_some()
        || s.path.is_some()
        || s.headers.is_some();
    if s.contacted == Some(false) {
        if stated_more {
            ps.push(Problem::new(Pos::of(o), "`contacted: false` with details of the request the origin sees; expected either `contacted: false` alone or the details"));
        }
        return OriginExpect::NotContacted;
    }
    if let Some(id) = &s.id {
        if !dist.origins.iter().any(|x| x.id == id.value) {
            let known: Vec<&str> = dist.origins.iter().map(|x| x.id.as_str()).collect();
            ps.push(Problem::new(
                Pos::of(id),
                format!(
                    "unknown origin `{}`; expected one of: {}",
                    id.value,
                    known.join(", ")
                ),
            ));
        }
    }
    if let Some(p) = &s.path {
        if !p.starts_with('/') {
            ps.push(Problem::new(Pos::of(o), format!("origin path {p:?} must start with `/`; expected the request-target the origin receives, like /v1/api/x?y=1")));
        }
    }
    let h = s.headers.as_ref();
    OriginExpect::Contacted(OriginSeen {
        id: s.id.as_ref().map(|i| i.value.clone()),
        protocol: s.protocol,
        port: s.port,
        path: s.path.clone(),
        headers_seen: h.map(|h| h.seen.0.clone()).unwrap_or_default(),
        headers_not_seen: h.map(|h| h.not_seen.clone()).unwrap_or_default(),
    })
}

fn billing(
    b: &Spanned<BillingSpec>,
    s: &ScenarioSpec,
    follow: bool,
    ps: &mut Vec<Problem>,
) -> BillingExpect {
    let requests = b.value.requests.as_ref().map(|r| {
        [
            (LineItem::Http, r.http),
            (LineItem::Https, r.https),
            (LineItem::HttpProxy, r.http_proxy),
            (LineItem::HttpsProxy, r.https_proxy),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect::<BTreeMap<_, _>>()
    });
    let mut object_bytes = vec![None];
    if let Some(ob) = &b.value.object_bytes {
        object_bytes[0] = ob.value.first;
        if ob.value.follow.is_some() && !follow {
            ps.push(Problem::new(Pos::of(ob), "`object_bytes.follow` describes the HTTPS leg of a redirect pair; expected `follow: true` on the scenario"));
        }
        let nonzero = ob.value.first.unwrap_or(0) > 0 || ob.value.follow.unwrap_or(0) > 0;
        if nonzero && s.object_size.is_none() {
            ps.push(Problem::new(Pos::of(ob), "object bytes are stated but the object's size is not; expected `object_size` on the scenario"));
        }
        if follow {
            object_bytes.push(ob.value.follow);
        }
    } else if follow {
        object_bytes.push(None);
    }
    BillingExpect {
        requests,
        object_bytes,
    }
}

fn log(l: &LogSpec) -> LogExpect {
    LogExpect {
        lines: l.lines,
        result_type: l.result_type.clone(),
        detailed_result_type: l.detailed_result_type.clone(),
        protocol: l.protocol,
    }
}
