//! `edgeconform promote ARTIFACT [--target decide|location|pattern] [-o specs/found]`: turns a
//! crash input of a core fuzz target into a ready-to-review suite: the distribution (inline),
//! the request, the expected answer and the rules the fuzzer's oracle found broken.
//!
//! The artifact is decoded with the functions the target used (`edgeconform_core::fuzzgen`), so
//! it means the same case here as in the fuzzer. The oracle runs again to name the broken rules;
//! the distribution is then cut down (behaviors, aliases, origins and headers the verdict does
//! not depend on are dropped) so the scenario is small enough to review. Where the expectation
//! comes from depends on the target: `decide` states the model's decision (the fuzzer found the
//! model and `judge()` at odds, so a reviewer decides which one is wrong); `location` states
//! `same-url-over-https` for a redirect, what LOC-* require; `pattern` states what the reference
//! matcher says, so the scenario fails against the model until the matcher is fixed.
//!
//! ```text
//! $ edgeconform promote fuzz/artifacts/decide/crash-5be1...
//! wrote specs/found/decide-1f0c3a9b2d7e.yaml: GET http://www.example.com/a (HTTP/1.1) is refused with 403 (found by the decide fuzzer)
//!   finding: VPP-REDIRECT-SAFE: judge: expected 301 for HTTP GET on a redirect-to-https behavior; got 403 ...
//! ```

mod cases;
pub(crate) mod yaml;

use crate::exit;
use clap::{Args, ValueEnum};
use edgeconform_core::decide::valid_target;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::fuzzgen::Finding;
use edgeconform_core::request::is_tchar;
use edgeconform_core::spec::{load_suite, model_agreement};
use edgeconform_core::yaml::write::one_line;
use edgeconform_core::{HttpVersion, Method, Request, RuleId, Scheme};
use std::path::{Path, PathBuf};
use yaml::{shorten, write_suite};

#[derive(Args, Debug)]
pub struct PromoteArgs {
    /// A crash input of a fuzz target, e.g. fuzz/artifacts/decide/crash-5be1....
    #[arg(value_name = "ARTIFACT")]
    pub artifact: PathBuf,
    /// The fuzz target that wrote it. Default: the directory the artifact is in
    /// (fuzz/artifacts/<target>/).
    #[arg(long, value_enum)]
    pub target: Option<FuzzTarget>,
    /// The directory the suite is written to (created when missing).
    #[arg(long, short = 'o', value_name = "DIR", default_value = "specs/found")]
    pub out: PathBuf,
}

/// The fuzz targets whose inputs are requests a scenario can replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FuzzTarget {
    Decide,
    Location,
    Pattern,
}

impl FuzzTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            FuzzTarget::Decide => "decide",
            FuzzTarget::Location => "location",
            FuzzTarget::Pattern => "pattern",
        }
    }
}

/// Why promoting failed: the input or the arguments (exit 2), or promote itself (exit 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Usage(String),
    Harness(String),
}

/// A promoted scenario.
#[derive(Debug, Clone)]
pub struct Promoted {
    /// `<target>-<hash>`: the file name without `.yaml`; the scenario id is `found-` + this.
    pub stem: String,
    pub yaml: String,
    /// The scenario's name (a sentence).
    pub name: String,
    /// What the oracle finds on the case as written.
    pub findings: Vec<Finding>,
    /// Stated expectations the model does not meet, rendered (`edgeconform check` shows the same).
    pub disagreements: Vec<String>,
}

pub fn run(args: &PromoteArgs) -> u8 {
    match run_inner(args) {
        Ok((path, p)) => {
            println!("wrote {}: {}", path.display(), p.name);
            for f in &p.findings {
                println!("  finding: {}", one_line(&f.to_string()));
            }
            if p.findings.is_empty() {
                println!("  the oracle finds nothing on this case any more: it is kept as a regression scenario");
            }
            for d in &p.disagreements {
                println!("  the model disagrees: {d}");
            }
            exit::OK
        }
        Err(Failure::Usage(m)) => {
            eprintln!("edgeconform promote: {m}");
            exit::USAGE
        }
        Err(Failure::Harness(m)) => {
            eprintln!("edgeconform promote: {m}");
            exit::HARNESS
        }
    }
}

fn run_inner(args: &PromoteArgs) -> Result<(PathBuf, Promoted), Failure> {
    let shown = args.artifact.display().to_string();
    let target = match args.target {
        Some(t) => t,
        None => target_of(&args.artifact).ok_or_else(|| {
            Failure::Usage(format!("cannot tell which fuzz target wrote {shown}; expected --target decide, location or pattern (or an artifact under fuzz/artifacts/<target>/)"))
        })?,
    };
    let data = std::fs::read(&args.artifact)
        .map_err(|e| Failure::Usage(format!("cannot read {shown}: {e}")))?;
    let p = promote(target, &data, &shown)?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| Failure::Harness(format!("cannot create {}: {e}", args.out.display())))?;
    let path = args.out.join(format!("{}.yaml", p.stem));
    std::fs::write(&path, &p.yaml)
        .map_err(|e| Failure::Harness(format!("cannot write {}: {e}", path.display())))?;
    Ok((path, p))
}

/// The target named by the directory an artifact is in (`fuzz/artifacts/decide/crash-…`).
fn target_of(artifact: &Path) -> Option<FuzzTarget> {
    let dir = artifact.parent()?.file_name()?.to_str()?;
    FuzzTarget::from_str(dir, false).ok()
}

/// Decodes `data` as `target` did and writes the scenario (not to disk); `artifact` only names
/// the input in the file's header comment.
pub fn promote(target: FuzzTarget, data: &[u8], artifact: &str) -> Result<Promoted, Failure> {
    let case = match target {
        FuzzTarget::Decide | FuzzTarget::Location => cases::request_case(target, data)?,
        FuzzTarget::Pattern => cases::pattern_case(data)?,
    };
    expressible(&case.req)?;
    let stem = format!("{}-{:012x}", target.as_str(), fnv1a(data) >> 16);
    let name = case.name(target);
    let yaml = write_suite(&case, target, &stem, &name, artifact);
    let file = format!("found/{stem}.yaml");
    let no_file = |p: &str| -> Result<String, String> {
        Err(format!("{p}: promote writes inline distributions"))
    };
    let suite = load_suite(&yaml, &file, &no_file).map_err(|ps| {
        Failure::Harness(format!(
            "the suite written for this input does not load (a bug in promote):\n{}\n{yaml}",
            ps.render(&file)
        ))
    })?;
    if suite.distribution != case.dist
        || suite.scenarios.first().map(|c| &c.request) != Some(&case.req)
    {
        return Err(Failure::Harness(format!("the suite written for this input does not read back as the case (a bug in promote):\n{yaml}")));
    }
    let disagreements = model_agreement(&suite)
        .iter()
        .map(|d| one_line(&d.to_string()))
        .collect();
    Ok(Promoted {
        stem,
        yaml,
        name,
        findings: case.findings,
        disagreements,
    })
}

/// The scenario to write: the case, what to expect and why.
pub(crate) struct Case {
    dist: Distribution,
    req: Request,
    expect: Expect,
    rules: Vec<RuleId>,
    findings: Vec<Finding>,
    /// Where the expectation comes from, for the header comment.
    basis: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expect {
    /// The edge answers itself.
    Edge { status: Vec<u16>, redirect: bool },
    /// The request reaches an origin.
    Forward {
        origin: String,
        protocol: Scheme,
        port: u16,
        path: String,
    },
}

impl Expect {
    /// What the model's decision expects: the edge's answer (with `statuses` where several
    /// conform, else the decision's own), or where the request reaches the origin.
    pub(crate) fn of_decision(
        dist: &Distribution,
        d: &edgeconform_core::decide::Decision,
        statuses: Option<Vec<u16>>,
    ) -> Expect {
        use edgeconform_core::decide::Action;
        match &d.action {
            Action::Respond(r) => Expect::Edge {
                status: statuses.unwrap_or_else(|| vec![r.status]),
                redirect: r.location.is_some(),
            },
            Action::Forward(f) => Expect::Forward {
                origin: dist.origins[f.origin].id.clone(),
                protocol: f.protocol,
                port: f.port,
                path: f.target.clone(),
            },
        }
    }
}

/// Request-checkable rules, deduplicated, in catalog order (a scenario may list no other kind).
pub(crate) fn checkable(rules: impl Iterator<Item = RuleId>) -> Vec<RuleId> {
    let mut v: Vec<RuleId> = rules.filter(|r| r.rule().request_checkable).collect();
    v.sort();
    v.dedup();
    v
}

/// Whether a spec can send this request (the rules of the spec loader, `spec/fields.rs`).
pub(crate) fn expressible(r: &Request) -> Result<(), Failure> {
    let fail = |why: String| {
        Failure::Usage(format!("{why}, which a spec cannot state; reproduce the finding with `cargo +nightly fuzz run` and add a unit test next to the code instead"))
    };
    if let Method::Other(m) = &r.method {
        if m.is_empty() || !m.bytes().all(is_tchar) {
            return Err(fail(format!("method {m:?} is not a token")));
        }
    }
    match &r.host {
        None if r.version != HttpVersion::Http10 => {
            return Err(fail(format!(
                "the request has no Host over HTTP/{}",
                r.version
            )))
        }
        Some(h) if h.is_empty() || !h.bytes().all(|b| (0x21..0x7f).contains(&b)) => {
            return Err(fail(format!("Host {h:?} is not printable ASCII")))
        }
        _ => {}
    }
    if !valid_target(&r.target) {
        return Err(fail(format!(
            "request-target {:?} is not origin form in printable ASCII",
            r.target
        )));
    }
    for (i, (n, v)) in r.headers.iter().enumerate() {
        if n.is_empty() || !n.bytes().all(is_tchar) || n.eq_ignore_ascii_case("host") {
            return Err(fail(format!(
                "header name {n:?} is not a token other than Host"
            )));
        }
        if v.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7f) {
            return Err(fail(format!("the value of header {n:?} has control bytes")));
        }
        if r.headers[..i].iter().any(|(m, _)| m == n) {
            return Err(fail(format!("header {n:?} is sent twice")));
        }
    }
    Ok(())
}

impl Case {
    /// The requirement, as a sentence.
    fn name(&self, target: FuzzTarget) -> String {
        let r = &self.req;
        let host = r.host.as_deref().unwrap_or("(no Host)");
        let what = match &self.expect {
            Expect::Edge {
                status,
                redirect: true,
            } => format!("is redirected with {}", yaml::statuses(status)),
            Expect::Edge { status, .. } => format!("is refused with {}", yaml::statuses(status)),
            Expect::Forward {
                origin, protocol, ..
            } => format!("is forwarded to origin `{origin}` over {protocol}"),
        };
        format!(
            "{} {}://{}{} (HTTP/{}) {what} (found by the {} fuzzer)",
            shorten(r.method.as_str()),
            r.scheme,
            shorten(host),
            shorten(&r.target),
            r.version,
            target.as_str()
        )
    }
}

/// FNV-1a, 64 bits: a stable id for the artifact's bytes.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_comes_from_the_artifact_directory() {
        assert_eq!(
            target_of(Path::new("fuzz/artifacts/location/crash-1")),
            Some(FuzzTarget::Location)
        );
        assert_eq!(target_of(Path::new("crash-1")), None);
        assert_eq!(
            target_of(Path::new("fuzz/artifacts/normalize/crash-1")),
            None
        );
    }
}
