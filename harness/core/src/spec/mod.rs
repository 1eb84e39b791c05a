//! Scenario suites: the YAML format (`format`), loading and validation (`load`), matrix expansion
//! (`matrix`), the model's predictions (`model`), expectation vs outcome (`check`), selection and
//! rule coverage (`coverage`), and the JSON Schemas of the format (`schema`).
//!
//! Data flows one way: text → [`SuiteSpec`](format::SuiteSpec) → [`Suite`] of [`Case`]s (matrix
//! cells built on demand), each with a complete [`Expectation`]; a runner (or the model) produces
//! [`Outcome`]s and [`Case::check`] names the [`Mismatch`]es. Nothing here does I/O: the distribution file a suite names is read through
//! the `read` callback of [`load_suite`].
//!
//! ```
//! use edgeconform_core::spec::load_suite;
//! let text = "\
//! distribution:
//!   domain: d1.cloudfront.net
//!   origins: {o: {type: s3}}
//!   default_behavior: {viewer_protocol_policy: redirect-to-https, origin: o}
//! scenarios:
//!   - id: get-is-redirected
//!     name: An HTTP GET under redirect-to-https gets 301
//!     rules: [VPP-REDIRECT-SAFE]
//!     request: {method: GET, scheme: http, path: /a?b}
//!     expect: {viewer: {status: 301, location: same-url-over-https}}
//! ";
//! let suite = load_suite(text, "inline.yaml", &|_| Err("no files".into()))
//!     .unwrap();
//! let case = suite.case(0);
//! let legs = case.model_legs(&suite.distribution);
//! assert!(case.check(&legs).is_empty());
//! assert!(edgeconform_core::spec::model_agreement(&suite).is_empty());
//! ```

mod check;
mod coverage;
mod expect;
mod fields;
pub mod format;
mod load;
mod matrix;
mod model;
pub mod schema;
mod stated;
#[cfg(test)]
mod tests;

pub use check::{model_agreement, Disagreement, Mismatch};
pub use coverage::{coverage, duplicate_ids, id_matches, Coverage, CoverageRow};
pub use expect::{
    BillingExpect, Expectation, LegExpect, LocationExpect, LogExpect, OriginExpect, OriginSeen,
    ViewerExpect,
};
pub use load::load_suite;
pub(crate) use matrix::slug as path_slug;
pub use matrix::{Matrix, ModelCase};

use crate::distribution::Distribution;
use crate::outcome::OriginFailure;
use crate::request::{host_without_port, Request, Scheme};
use crate::rules::{Level, RuleId};
use crate::yaml::Pos;
use serde::Serialize;
use std::borrow::Cow;

/// A loaded suite: its distribution, its hand-written scenarios, and its matrix, whose cells are
/// built on demand. Cases are numbered scenarios first (file order), then matrix cells.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The suite file, as given to [`load_suite`].
    pub file: String,
    pub distribution: Distribution,
    /// The hand-written scenarios, in file order.
    pub scenarios: Vec<Case>,
    /// The `matrix:` block.
    pub matrix: Option<Matrix>,
}

impl Suite {
    /// Number of cases: scenarios and matrix cells.
    pub fn len(&self) -> usize {
        self.scenarios.len() + self.generated()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of matrix cells.
    pub fn generated(&self) -> usize {
        self.matrix.as_ref().map_or(0, Matrix::len)
    }

    /// Case `i` (`i < len()`): a scenario is borrowed, a matrix cell built.
    pub fn case(&self, i: usize) -> Cow<'_, Case> {
        match self.scenarios.get(i) {
            Some(c) => Cow::Borrowed(c),
            None => Cow::Owned(
                self.cell()
                    .case(i - self.scenarios.len(), &self.distribution),
            ),
        }
    }

    /// Every case, in order; matrix cells are built one at a time as the iterator advances.
    pub fn cases(&self) -> impl Iterator<Item = Cow<'_, Case>> + '_ {
        (0..self.len()).map(|i| self.case(i))
    }

    /// The id of case `i`, without building a matrix cell.
    pub fn id(&self, i: usize) -> Cow<'_, str> {
        match self.scenarios.get(i) {
            Some(c) => Cow::Borrowed(c.id.as_str()),
            None => Cow::Owned(self.cell().id(i - self.scenarios.len())),
        }
    }

    /// The tags of case `i`.
    pub fn tags(&self, i: usize) -> &[String] {
        match self.scenarios.get(i) {
            Some(c) => &c.tags,
            None => self.cell().tags(),
        }
    }

    /// The indices of the cases that carry any of `tags` (when given) and match any of `ids`
    /// (when given; `x*` selects by prefix), in order, without building matrix cells.
    pub fn select<'a>(
        &'a self,
        tags: &'a [String],
        ids: &'a [String],
    ) -> impl Iterator<Item = usize> + 'a {
        (0..self.len()).filter(move |&i| self.selects(i, tags, ids))
    }

    /// Whether case `i` is selected by `tags` and `ids` (see [`Suite::select`]); its id is only
    /// built when `ids` are given.
    pub fn selects(&self, i: usize, tags: &[String], ids: &[String]) -> bool {
        (tags.is_empty() || self.tags(i).iter().any(|t| tags.contains(t)))
            && (ids.is_empty() || {
                let id = self.id(i);
                ids.iter().any(|s| id_matches(s, &id))
            })
    }

    fn cell(&self) -> &Matrix {
        self.matrix
            .as_ref()
            .expect("a case index beyond the scenarios is a matrix cell")
    }
}

/// One runnable case: a request (or a redirect pair) and what each observer must see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// Stable kebab-case id; matrix cases get a deterministic suffix
    /// (`matrix-post-http-images-a-1.0`).
    pub id: String,
    /// The requirement, as a sentence.
    pub name: String,
    /// The suite file the case comes from, and where in it.
    pub file: String,
    pub pos: Pos,
    /// The rules the case checks.
    pub rules: Vec<RuleId>,
    pub level: Level,
    pub tags: Vec<String>,
    /// The first request. Its `Host` defaults to the distribution's domain.
    pub request: Request,
    /// Follow the redirect over HTTPS (a redirect pair): legs[1] is [`Case::follow_request`].
    pub follow: bool,
    /// Size of the object the origin serves, when the case depends on it (billing).
    pub object_size: Option<u64>,
    /// Make the origin fail (ORG-FAILURE).
    pub origin_failure: Option<OriginFailure>,
    /// Read the target's access log for this case (LOG-*, BIL-LOG-RECONCILE).
    pub access_log: bool,
    /// A request sent before the case's own, not judged: it lets a caching edge fill its cache
    /// (CACHE-*).
    pub prime: Option<Request>,
    /// Whether the origin lets caches keep its answers to this case (`None`: the origin's own
    /// setting).
    pub cacheable: Option<bool>,
    pub expect: Expectation,
    /// The spec wrote some expectations itself (see [`Case::stated`]); `false`: all from the model.
    pub explicit: bool,
    /// The observers the spec stated, which `edgeconform check` compares with the model.
    pub stated: Vec<StatedPart>,
    /// Generated by a `matrix:` block.
    pub generated: bool,
}

/// One observer of one leg whose expectation the spec wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatedPart {
    /// 0: the first request; 1: the HTTPS follow-up. Billing spans every leg and is listed as 0.
    pub leg: usize,
    /// `viewer`, `origin`, `billing` or `log`.
    pub observer: &'static str,
    pub pos: Pos,
}

impl Case {
    /// The HTTPS follow-up of a redirect pair: the same request over HTTPS to the host the
    /// `Location` names (the `Host` without its port), or `None` when the case does not follow.
    pub fn follow_request(&self) -> Option<Request> {
        self.follow.then(|| follow_of(&self.request))
    }

    /// The requests of every leg, in order.
    pub fn leg_requests(&self) -> Vec<Request> {
        self.legs().map(std::borrow::Cow::into_owned).collect()
    }

    /// The requests of every leg, in order, the first one borrowed (only a redirect pair's
    /// HTTPS leg is built).
    pub fn legs(&self) -> impl Iterator<Item = std::borrow::Cow<'_, Request>> {
        std::iter::once(std::borrow::Cow::Borrowed(&self.request))
            .chain(self.follow_request().map(std::borrow::Cow::Owned))
    }

    /// The outcomes the model predicts for each leg (one, or two for a redirect pair the model
    /// redirects), with the origin failing as the case says.
    pub fn model_legs(&self, dist: &Distribution) -> Vec<Outcome> {
        model::predict(
            dist,
            &self.request,
            self.follow,
            self.object_size,
            self.origin_failure,
        )
        .outcomes
    }

    /// The level of a mismatch: the case's level, lowered to `should` when every rule the mismatch
    /// rests on is inferred (RULES.md: a scenario resting on an I rule is reported at `should`).
    pub fn mismatch_level(&self, m: &Mismatch) -> Level {
        let weakest = m
            .rules
            .iter()
            .map(|r| r.strength().default_level())
            .max()
            .unwrap_or(Level::Must);
        self.level.min(weakest)
    }
}

pub(crate) fn follow_of(req: &Request) -> Request {
    let host = req
        .host
        .as_deref()
        .map(|h| host_without_port(h).to_string());
    Request {
        scheme: Scheme::Https,
        host,
        ..req.clone()
    }
}

pub use crate::outcome::Outcome;
