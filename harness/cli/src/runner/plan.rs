//! What a run sends: the selected cases as (suite, case) indices over the loaded suites, so matrix
//! cells are built only when a worker takes them, and each case's endpoint looked up once per
//! distribution. Memory per selected case is one index pair.

use super::client::Endpoint;
use super::{Job, Jobs};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::outcome::OriginFailure;
use edgeconform_core::spec::{Case, Suite};
use std::borrow::Cow;
use std::sync::Arc;

/// The selected cases of some suites, in input order.
pub struct Selection {
    suites: Vec<(Suite, Arc<Distribution>)>,
    picks: Vec<(u32, u32)>,
}

impl Selection {
    /// The cases of `suites` for which `keep(suite index, suite, case index)` holds, in order.
    pub fn new(suites: Vec<Suite>, keep: impl Fn(usize, &Suite, usize) -> bool) -> Selection {
        let mut picks = Vec::new();
        for (si, s) in suites.iter().enumerate() {
            for ci in 0..s.len() {
                if keep(si, s, ci) {
                    picks.push((si as u32, ci as u32));
                }
            }
        }
        picks.shrink_to_fit();
        let suites = suites
            .into_iter()
            .map(|s| {
                let d = Arc::new(s.distribution.clone());
                (s, d)
            })
            .collect();
        Selection { suites, picks }
    }

    pub fn len(&self) -> usize {
        self.picks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.picks.is_empty()
    }

    /// Selected case `i` and its distribution.
    pub fn get(&self, i: usize) -> (Cow<'_, Case>, &Arc<Distribution>) {
        let (si, ci) = self.picks[i];
        let (s, d) = &self.suites[si as usize];
        (s.case(ci as usize), d)
    }

    /// Keeps only the selected cases for which `keep` holds; only hand-written scenarios are
    /// looked at in full (matrix cells are plain requests: `keep_generated` decides for them).
    pub fn retain(&mut self, keep: impl Fn(&Case) -> bool, keep_generated: bool) {
        let suites = &self.suites;
        self.picks.retain(
            |&(si, ci)| match suites[si as usize].0.scenarios.get(ci as usize) {
                Some(c) => keep(c),
                None => keep_generated,
            },
        );
    }

    /// The selected hand-written scenarios with their distributions (matrix cells need no
    /// origin failure and no access log).
    pub fn scenarios(&self) -> impl Iterator<Item = (&Case, &Arc<Distribution>)> {
        self.picks.iter().filter_map(|&(si, ci)| {
            let (s, d) = &self.suites[si as usize];
            s.scenarios.get(ci as usize).map(|c| (c, d))
        })
    }

    /// What the embedded edges must offer: every distribution with a selected case, and the
    /// origin failures its selected scenarios arrange.
    pub fn needs(&self) -> Vec<(Option<OriginFailure>, Arc<Distribution>)> {
        let mut out: Vec<(Option<OriginFailure>, Arc<Distribution>)> = Vec::new();
        let mut used = vec![false; self.suites.len()];
        for &(si, _) in &self.picks {
            used[si as usize] = true;
        }
        for (u, (_, d)) in used.into_iter().zip(&self.suites) {
            if u {
                out.push((None, d.clone()));
            }
        }
        out.extend(
            self.scenarios()
                .filter(|(c, _)| c.origin_failure.is_some())
                .map(|(c, d)| (c.origin_failure, d.clone())),
        );
        out
    }

    /// The ruleset of the first selected case's distribution.
    pub fn ruleset(&self) -> edgeconform_core::distribution::Ruleset {
        self.picks.first().map_or(Default::default(), |&(si, _)| {
            self.suites[si as usize].1.ruleset
        })
    }

    /// The jobs of this selection: `endpoint(dist, failure)` is asked once per distribution and
    /// failure kind, not once per case.
    pub fn into_jobs(
        self,
        endpoint: impl Fn(&Distribution, Option<OriginFailure>) -> Endpoint,
    ) -> Planned {
        let kinds = [
            None,
            Some(OriginFailure::Refused),
            Some(OriginFailure::Timeout),
        ];
        let endpoints = self
            .suites
            .iter()
            .map(|(_, d)| kinds.map(|k| endpoint(d, k)))
            .collect();
        Planned {
            sel: self,
            endpoints,
        }
    }
}

/// A selection with its endpoints: the runner's [`Jobs`].
pub struct Planned {
    sel: Selection,
    endpoints: Vec<[Endpoint; 3]>,
}

impl Jobs for Planned {
    fn len(&self) -> usize {
        self.sel.len()
    }

    fn job(&self, i: usize) -> Job {
        let (si, ci) = self.sel.picks[i];
        let (case, dist) = self.sel.get(i);
        let kind = match case.origin_failure {
            None => 0,
            Some(OriginFailure::Refused) => 1,
            Some(OriginFailure::Timeout) => 2,
        };
        Job {
            seq: (u64::from(si) << 32) | u64::from(ci),
            endpoint: self.endpoints[si as usize][kind].clone(),
            dist: dist.clone(),
            case: case.into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgeconform_core::spec::load_suite;

    const SUITE: &str = "\
distribution:
  domain: d1.cloudfront.net
  origins: {o: {type: s3}}
  default_behavior: {viewer_protocol_policy: redirect-to-https, origin: o}
scenarios:
  - id: get-is-redirected
    name: An HTTP GET under redirect-to-https gets 301
    rules: [VPP-REDIRECT-SAFE]
    request: {method: GET, scheme: http, path: /a}
  - id: failing-origin
    name: A refused origin connection gets 502
    rules: [ORG-FAILURE]
    request: {method: GET, scheme: https, path: /a}
    origin_failure: refused
matrix:
  id: m
  methods: [GET, POST]
  paths: [/x, /y]
";

    fn suite() -> Suite {
        load_suite(SUITE, "t.yaml", &|_| Err("no files".into())).unwrap()
    }

    #[test]
    fn picks_are_in_order_and_cells_are_built_on_demand() {
        let sel = Selection::new(vec![suite()], |_, s, i| s.id(i).starts_with("m-post-http-"));
        assert_eq!(sel.len(), 4);
        let ids: Vec<String> = (0..sel.len()).map(|i| sel.get(i).0.id.clone()).collect();
        assert_eq!(
            ids,
            [
                "m-post-http-x-1.0",
                "m-post-http-x-1.1",
                "m-post-http-y-1.0",
                "m-post-http-y-1.1"
            ]
        );
        assert!(sel.scenarios().next().is_none());
        assert_eq!(sel.needs().len(), 1);
    }

    #[test]
    fn retain_and_needs_see_the_scenarios() {
        let mut sel = Selection::new(vec![suite()], |_, _, _| true);
        assert_eq!(sel.len(), 2 + 2 * 2 * 2 * 2);
        let needs = sel.needs();
        assert_eq!(
            needs.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
            [None, Some(OriginFailure::Refused)]
        );
        sel.retain(|c| c.origin_failure.is_none(), true);
        assert_eq!(sel.len(), 1 + 16);
        sel.retain(|_| true, false);
        assert_eq!(sel.len(), 1);
        assert_eq!(sel.get(0).0.id, "get-is-redirected");
    }

    #[test]
    fn jobs_get_the_endpoint_of_their_failure_kind() {
        let sel = Selection::new(vec![suite()], |_, _, _| true);
        let port = |f: Option<OriginFailure>| match f {
            None => 1,
            Some(OriginFailure::Refused) => 2,
            Some(OriginFailure::Timeout) => 3,
        };
        let jobs = sel.into_jobs(|_, f| Endpoint {
            http: ([127, 0, 0, 1], port(f)).into(),
            https: ([127, 0, 0, 1], port(f)).into(),
            tls_name: "d1.cloudfront.net".into(),
        });
        assert_eq!(jobs.len(), 18);
        assert_eq!(jobs.job(0).endpoint.http.port(), 1);
        assert_eq!(jobs.job(1).endpoint.http.port(), 2);
        assert_eq!(jobs.job(17).endpoint.http.port(), 1);
        assert!(jobs.job(17).case.generated);
    }
}
