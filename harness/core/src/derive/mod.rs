//! The derived suite: the full conformance suite for any distribution, generated from it, so that
//! a distribution whose paths differ from `specs/distributions/standard.yaml` needs no
//! hand-written suite. Pure: a [`Distribution`] in, suite YAML text out (loaded by the normal
//! [`load_suite`](crate::spec::load_suite), written by `edgeconform derive` for review).
//!
//! What it generates, each family in its own module:
//!
//! - [`behaviors`]: per behavior, sample paths that select it ([`sample`]), its policy over HTTP
//!   for the safe and unsafe methods, HTTPS served, AllowedMethods (refusal, no fall-through),
//!   the redirect pair with billing; plus one `matrix:` of every method × http/https × HTTP/1.0,
//!   1.1 and 2 over each behavior's main sample;
//! - [`patterns`]: case flipped, `*` across `/` and empty, `?` one byte, shadowed behaviors,
//!   pattern without its leading `/`, escapes and dot segments, a query that looks like a path,
//!   anchoring;
//! - [`location`]: the redirect's `Location` (query, escapes, long target, aliases, wildcard
//!   aliases, a port) and the `Host` (unknown, malformed, missing; LOC-SAFE);
//! - [`origin`]: protocol and port per origin type, OriginPath, `X-Forwarded-Proto`,
//!   `CloudFront-Forwarded-Proto`, origin failures;
//! - [`global`]: unsupported methods, a GET with a body, size limits, access logs;
//! - [`cache`]: a cacheable fill, then the request under test on a path of its own (a hit is
//!   served, whatever scheme filled it; never for an unsafe method; never before the policy);
//! - [`reach`]: the rules a distribution gives no way to reach, with the reason.
//!
//! Every expectation is left to the model (no `expect:`), and every request is checked with
//! `decide()` before it is written. Scenario ids are `<behavior slug>-<probe kind>` (the slug comes
//! from the pattern text, never a position), or `<family>-<probe kind>` for probes about the
//! distribution as a whole, so they survive unrelated edits of the distribution.

mod behaviors;
mod cache;
mod global;
mod location;
mod origin;
mod patterns;
pub mod probe;
pub mod reach;
pub mod sample;
#[cfg(test)]
mod tests;

use crate::decide::{decide, Action, Decision};
use crate::distribution::{Distribution, Ruleset, ViewerProtocolPolicy};
use crate::request::{HttpVersion, Method, Scheme};
use crate::yaml::write::quote;
use probe::{Probe, Req};
use std::collections::BTreeSet;
use std::fmt::Write;

pub use reach::{shadowed, unreachable, Unreachable};

/// The id of the derived suite's matrix; its cells are `derived-<method>-<scheme>-<path>-<v>`.
pub const MATRIX_ID: &str = "derived";

/// Object size the origin serves for the matrix and the plain forwarded probes.
const OBJECT_SIZE: u64 = 1000;

/// What to derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Matrix cells over HTTP/2 (over https only), besides HTTP/1.0 and 1.1.
    pub http2: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { http2: true }
    }
}

/// A derived suite, before it is written as text.
#[derive(Debug, Clone)]
pub struct Derived {
    pub scenarios: Vec<Probe>,
    /// The matrix paths: each reachable behavior's main sample.
    pub matrix_paths: Vec<String>,
}

/// Derives the suite for `dist`; `distribution` is what the suite's `distribution:` names (a path
/// relative to where the suite will be written).
pub fn derive_suite(dist: &Distribution, distribution: &str, opts: Options) -> String {
    render(dist, &derive(dist), distribution, opts)
}

/// Derives the scenarios and matrix paths for `dist`.
pub fn derive(dist: &Distribution) -> Derived {
    let mut cx = Ctx::new(dist);
    behaviors::probes(&mut cx);
    patterns::probes(&mut cx);
    location::probes(&mut cx);
    origin::probes(&mut cx);
    global::probes(&mut cx);
    cache::probes(&mut cx);
    let mut matrix_paths: Vec<String> = Vec::new();
    let mut slugs = BTreeSet::new();
    for bi in 0..dist.behaviors.len() {
        if let Some(p) = cx.main(bi) {
            // Two paths with the same slug would give clashing cell ids; the second one is still
            // covered by its behavior's scenarios.
            if slugs.insert(crate::spec::path_slug(&p)) {
                matrix_paths.push(p);
            }
        }
    }
    Derived {
        scenarios: cx.probes,
        matrix_paths,
    }
}

fn render(dist: &Distribution, d: &Derived, distribution: &str, opts: Options) -> String {
    let mut out = String::new();
    out.push_str("# Derived by `edgeconform derive` from the distribution below: every rule it lets a request\n");
    out.push_str("# reach, with every expectation taken from the decision model. Regenerate rather than edit.\n");
    let _ = writeln!(out, "distribution: {}", quote(distribution));
    out.push_str("tags: [derived]\n");
    out.push_str("scenarios:\n");
    for p in &d.scenarios {
        p.write_yaml(&mut out);
        out.push('\n');
    }
    if !d.matrix_paths.is_empty() {
        let versions = if opts.http2 {
            "1.0, 1.1 and 2 (HTTP/2 over https only)"
        } else {
            "1.0 and 1.1"
        };
        let _ = writeln!(
            out,
            "# Every supported method × http and https × HTTP/{versions}"
        );
        let _ = writeln!(
            out,
            "# over each behavior's main sample ({} behaviors).",
            dist.behaviors.len()
        );
        out.push_str("matrix:\n");
        let _ = writeln!(out, "  id: {MATRIX_ID}");
        if opts.http2 {
            out.push_str("  versions: [\"1.0\", \"1.1\", \"2\"]\n");
        } else {
            out.push_str("  versions: [\"1.0\", \"1.1\"]\n");
        }
        out.push_str("  paths:\n");
        for p in &d.matrix_paths {
            let _ = writeln!(out, "    - {}", quote(p));
        }
        let _ = writeln!(out, "  object_size: {OBJECT_SIZE}");
    }
    out
}

/// What the generators share: the distribution, each behavior's slug and samples, and the probes
/// so far (ids kept unique).
pub(crate) struct Ctx<'a> {
    pub dist: &'a Distribution,
    pub slugs: Vec<String>,
    pub samples: Vec<Vec<(sample::Fill, String)>>,
    pub probes: Vec<Probe>,
    ids: BTreeSet<String>,
}

impl<'a> Ctx<'a> {
    fn new(dist: &'a Distribution) -> Ctx<'a> {
        Ctx {
            dist,
            slugs: sample::behavior_slugs(dist),
            samples: (0..dist.behaviors.len())
                .map(|bi| sample::samples(dist, bi))
                .collect(),
            probes: Vec::new(),
            ids: BTreeSet::new(),
        }
    }

    /// The main sample of behavior `bi` (`None`: shadowed).
    pub fn main(&self, bi: usize) -> Option<String> {
        self.samples[bi].first().map(|(_, p)| p.clone())
    }

    /// The behaviors a request can select, with their main sample.
    pub fn reachable(&self) -> Vec<(usize, String)> {
        (0..self.dist.behaviors.len())
            .filter_map(|bi| self.main(bi).map(|p| (bi, p)))
            .collect()
    }

    /// The model's decision for a request.
    pub fn decide(&self, r: &Req) -> Decision {
        decide(self.dist, &r.to_request(&self.dist.domain))
    }

    /// The behavior the model selects for a request.
    pub fn selects(&self, r: &Req) -> Option<usize> {
        self.decide(r).behavior
    }

    /// Adds a probe; its name gets the model's answer appended. A second probe with the same id
    /// is dropped (the first one already checks that request kind).
    pub fn push(&mut self, mut p: Probe) {
        if !self.ids.insert(p.id.clone()) {
            return;
        }
        // A `"` (which PAT-SYNTAX allows in patterns) is not a query character clients send
        // raw: escape it there, where it plays no part in matching.
        if let Some((path, query)) = p.request.path.split_once('?') {
            if query.contains('"') {
                p.request.path = format!("{path}?{}", query.replace('"', "%22"));
            }
        }
        let d = self.decide(&p.request);
        p.info = ambiguous(self.dist, &p.request, &d);
        let mut statement = p.name.clone();
        if let Some(c) = statement.get(..1) {
            statement.replace_range(..1, &c.to_uppercase());
        }
        // The probe's requirement, then the model's answer for its request.
        let sep = if statement.contains(':') { "; " } else { ": " };
        p.name = format!("{statement}{sep}{}", self.describe(&p.request, &d, p.info));
        self.probes.push(p);
    }

    /// "an HTTP/1.1 GET of /images/a/b is redirected with 301 ..." (the model's answer).
    fn describe(&self, r: &Req, d: &Decision, ambiguous: bool) -> String {
        let v = r.version.unwrap_or(HttpVersion::Http11);
        let what = format!(
            "{} {} over {} (HTTP/{v}) of {}",
            article(r.method.as_str()),
            r.method,
            r.scheme.as_str().to_uppercase(),
            shorten(&r.path)
        );
        let how = match &d.action {
            _ if ambiguous => {
                "gets 307 or 403 (under `current` the order of VPP and AllowedMethods is open)"
                    .to_string()
            }
            Action::Respond(e) if e.location.is_some() => {
                format!(
                    "is redirected with {} to the same URL over HTTPS, origin not contacted",
                    e.status
                )
            }
            Action::Respond(e) => {
                format!("is answered {} at the edge, origin not contacted", e.status)
            }
            Action::Forward(f) => format!(
                "is forwarded to origin `{}` over {} port {}",
                self.dist.origins[f.origin].id, f.protocol, f.port
            ),
        };
        format!("{what} {how}")
    }
}

fn article(method: &str) -> &'static str {
    if method.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A path as a name shows it: at most 80 characters.
fn shorten(p: &str) -> String {
    if p.chars().count() <= 80 {
        p.to_string()
    } else {
        let head: String = p.chars().take(77).collect();
        format!("{head}...")
    }
}

/// RULES.md decision order step 6: under `current`, an unsafe method over HTTP/1.1 that the
/// behavior does not allow may get 307 or 403; the loader expects either, and the probe is `info`.
fn ambiguous(dist: &Distribution, r: &Req, d: &Decision) -> bool {
    let Some(bi) = d.behavior else { return false };
    let b = &dist.behaviors[bi];
    dist.ruleset == Ruleset::Current
        && r.scheme == Scheme::Http
        && r.version.unwrap_or(HttpVersion::Http11) != HttpVersion::Http10
        && b.viewer_protocol_policy == ViewerProtocolPolicy::RedirectToHttps
        && !r.method.is_safe()
        && r.method.is_supported()
        && !b.allowed_methods.contains(&r.method)
}

/// The five methods that are neither GET nor HEAD, in the order probes try them.
pub(crate) const UNSAFE: [Method; 5] = [
    Method::Post,
    Method::Put,
    Method::Patch,
    Method::Delete,
    Method::Options,
];
