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

use crate::exit;
use clap::{Args, ValueEnum};
use edgeconform_core::decide::{decide, valid_target, Action};
use edgeconform_core::distribution::{
    Behavior, Distribution, Limits, MethodSet, Origin, OriginKind, Ruleset, ViewerProtocolPolicy,
};
use edgeconform_core::fuzzgen::{self, Finding};
use edgeconform_core::normalize::normalize_path;
use edgeconform_core::pattern::PathPattern;
use edgeconform_core::request::is_tchar;
use edgeconform_core::spec::{load_suite, model_agreement};
use edgeconform_core::{HttpVersion, Method, Request, RuleId, Scheme};
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
        FuzzTarget::Decide | FuzzTarget::Location => request_case(target, data)?,
        FuzzTarget::Pattern => pattern_case(data)?,
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
    if suite.distribution != case.dist || suite.cases.first().map(|c| &c.request) != Some(&case.req)
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
struct Case {
    dist: Distribution,
    req: Request,
    expect: Expect,
    rules: Vec<RuleId>,
    findings: Vec<Finding>,
    /// Where the expectation comes from, for the header comment.
    basis: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    /// The edge answers itself.
    Edge { status: u16, redirect: bool },
    /// The request reaches an origin.
    Forward {
        origin: String,
        protocol: Scheme,
        port: u16,
        path: String,
    },
}

fn request_case(target: FuzzTarget, data: &[u8]) -> Result<Case, Failure> {
    let decoded = match target {
        FuzzTarget::Location => fuzzgen::decode_location(data),
        _ => fuzzgen::decode_case(data),
    };
    let (mut dist, req) =
        decoded.ok_or_else(|| Failure::Usage("the input does not decode as a case".into()))?;
    // Origin ids only name origins; readable ones make the scenario reviewable.
    for i in 0..dist.origins.len() {
        let id = &dist.origins[i].id;
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            let mut fresh = format!("o{i}");
            while dist.origins.iter().any(|o| o.id == fresh) {
                fresh.push('_');
            }
            dist.origins[i].id = fresh;
        }
    }
    let oracle = move |d: &Distribution, r: &Request| match target {
        FuzzTarget::Location => fuzzgen::check_location(d, r, &decide(d, r)),
        _ => fuzzgen::check_decide(d, r),
    };
    let findings = guarded(|| oracle(&dist, &req)).map_err(|m| {
        Failure::Usage(format!("decide() panics on this input, so no scenario can state what the model does: {m}\nfix the core first (a unit test with this request, see harness/core/tests/properties.rs), then promote again"))
    })?;
    let verdict = |d: &Distribution, r: &Request| guarded(|| verdict(d, r, &oracle(d, r))).ok();
    let (dist, req) = reduce(dist, req, &verdict);
    let findings = guarded(|| oracle(&dist, &req)).unwrap_or(findings);
    let d = decide(&dist, &req);
    let expect = match &d.action {
        Action::Respond(r) => Expect::Edge {
            status: r.status,
            redirect: r.location.is_some(),
        },
        Action::Forward(f) => Expect::Forward {
            origin: dist.origins[f.origin].id.clone(),
            protocol: f.protocol,
            port: f.port,
            path: f.target.clone(),
        },
    };
    let mut rules = checkable(findings.iter().filter_map(|f| f.rule));
    if rules.is_empty() {
        rules = checkable(d.rules.iter().copied());
    }
    let basis = match target {
        FuzzTarget::Location => "the model's status and, for a redirect, `same-url-over-https` (LOC-SCHEME, LOC-HOST, LOC-TARGET)",
        _ => "the model's decision (where the oracle found something, decide whether the model or the oracle is wrong)",
    };
    Ok(Case {
        dist,
        req,
        expect,
        rules,
        findings,
        basis,
    })
}

/// What the oracle says and what the model decides, as one comparable value: a reduction step is
/// kept only when it leaves this unchanged.
fn verdict(d: &Distribution, r: &Request, findings: &[Finding]) -> String {
    let dec = decide(d, r);
    let mut rules: Vec<String> = findings.iter().map(|f| format!("{:?}", f.rule)).collect();
    rules.sort();
    let behavior = dec.behavior.map(|i| {
        let b = &d.behaviors[i];
        format!(
            "{} {} {:?}",
            b.path_pattern, b.viewer_protocol_policy, b.allowed_methods
        )
    });
    let action = match &dec.action {
        Action::Respond(e) => format!("{} {:?}", e.status, e.location),
        Action::Forward(f) => format!(
            "{} {} {} {}",
            d.origins[f.origin].id, f.protocol, f.port, f.target
        ),
    };
    format!("{rules:?} {behavior:?} {action} {:?}", dec.rules)
}

/// Drops behaviors, aliases, headers and origins one at a time while `verdict` stays the same.
fn reduce(
    mut dist: Distribution,
    mut req: Request,
    verdict: &dyn Fn(&Distribution, &Request) -> Option<String>,
) -> (Distribution, Request) {
    let Some(want) = verdict(&dist, &req) else {
        return (dist, req);
    };
    let keeps = |d: &Distribution, r: &Request| verdict(d, r).as_ref() == Some(&want);
    for i in (0..dist.behaviors.len().saturating_sub(1)).rev() {
        let mut t = dist.clone();
        t.behaviors.remove(i);
        if keeps(&t, &req) {
            dist = t;
        }
    }
    for i in (0..dist.aliases.len()).rev() {
        let mut t = dist.clone();
        t.aliases.remove(i);
        if keeps(&t, &req) {
            dist = t;
        }
    }
    for i in (0..req.headers.len()).rev() {
        let mut t = req.clone();
        t.headers.remove(i);
        if keeps(&dist, &t) {
            req = t;
        }
    }
    for i in (0..dist.origins.len()).rev() {
        if dist.origins.len() == 1 || dist.behaviors.iter().any(|b| b.origin == i) {
            continue;
        }
        let mut t = dist.clone();
        t.origins.remove(i);
        for b in &mut t.behaviors {
            if b.origin > i {
                b.origin -= 1;
            }
        }
        if keeps(&t, &req) {
            dist = t;
        }
    }
    (dist, req)
}

fn pattern_case(data: &[u8]) -> Result<Case, Failure> {
    let case = fuzzgen::decode_pattern(data)
        .ok_or_else(|| Failure::Usage("the input does not decode as a pattern case".into()))?;
    let findings = fuzzgen::check_pattern(&case);
    let no_request = |why: &str| {
        Failure::Usage(format!("{why}; no request can show it. Reproduce with `cargo +nightly fuzz run pattern ARTIFACT` and add a unit test to harness/core/src/pattern.rs instead"))
    };
    if findings.iter().any(|f| f.rule == Some(RuleId::PatSyntax)) {
        return Err(no_request(
            "the finding is about which patterns parse (PAT-SYNTAX), a configuration error",
        ));
    }
    if !findings.is_empty()
        && findings
            .iter()
            .all(|f| f.rule == Some(RuleId::PatLinear) || f.rule.is_none())
    {
        return Err(no_request("the finding is about the matcher's cost (PAT-LINEAR) or its two entry points disagreeing"));
    }
    let pattern = PathPattern::parse(&case.pattern).map_err(|e| {
        Failure::Usage(format!(
            "pattern {:?} does not parse ({e}), so no distribution can hold it",
            case.pattern
        ))
    })?;
    let mut path = case.path.clone();
    if !path.starts_with(b"/") {
        // PAT-SLASH: the matcher drops one leading `/` from the path, so `/x` reads as `x` does.
        path.insert(0, b'/');
    }
    let target = String::from_utf8(path.clone())
        .ok()
        .filter(|t| valid_target(t) && !t.contains('?'));
    let Some(target) = target.filter(|_| normalize_path(&path) == path) else {
        return Err(no_request(&format!(
            "path {:?} is not a request-target a client can send as is (printable ASCII without `?`, `#` or space, already normalised)",
            String::from_utf8_lossy(&case.path)
        )));
    };
    let origin = Origin {
        id: "o0".into(),
        kind: OriginKind::S3,
        origin_path: String::new(),
    };
    let behavior = Behavior {
        path_pattern: pattern,
        viewer_protocol_policy: ViewerProtocolPolicy::HttpsOnly,
        allowed_methods: MethodSet::GET_HEAD,
        cached_methods: MethodSet::GET_HEAD,
        origin: 0,
        forward_cloudfront_proto: false,
        is_default: false,
    };
    let default = Behavior {
        path_pattern: PathPattern::default_pattern(),
        viewer_protocol_policy: ViewerProtocolPolicy::AllowAll,
        is_default: true,
        ..behavior.clone()
    };
    let dist = Distribution {
        domain: "d111111abcdef8.cloudfront.net".into(),
        aliases: Vec::new(),
        ruleset: Ruleset::Classic,
        origins: vec![origin],
        behaviors: vec![behavior, default],
        limits: Limits::default(),
    };
    let req = Request::new(Method::Get, Scheme::Http, &dist.domain, &target);
    let expect = if fuzzgen::reference_match(&case.pattern, target.as_bytes()) {
        Expect::Edge {
            status: 403,
            redirect: false,
        }
    } else {
        Expect::Forward {
            origin: "o0".into(),
            protocol: Scheme::Http,
            port: 80,
            path: target.clone(),
        }
    };
    let mut rules = checkable(findings.iter().filter_map(|f| f.rule));
    if rules.is_empty() {
        rules = vec![if case.pattern.contains(['*', '?']) {
            RuleId::PatWildcard
        } else {
            RuleId::PatAnchored
        }];
    }
    let basis = "the reference matcher (edgeconform_core::fuzzgen::reference_match): the pattern's https-only behavior (403) when it matches, else the allow-all default (forwarded)";
    Ok(Case {
        dist,
        req,
        expect,
        rules,
        findings,
        basis,
    })
}

/// Request-checkable rules, deduplicated, in catalog order (a scenario may list no other kind).
fn checkable(rules: impl Iterator<Item = RuleId>) -> Vec<RuleId> {
    let mut v: Vec<RuleId> = rules.filter(|r| r.rule().request_checkable).collect();
    v.sort();
    v.dedup();
    v
}

/// Whether a spec can send this request (the rules of the spec loader, `spec/fields.rs`).
fn expressible(r: &Request) -> Result<(), Failure> {
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
            } => format!("is redirected with {status}"),
            Expect::Edge { status, .. } => format!("is refused with {status}"),
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

fn write_suite(c: &Case, target: FuzzTarget, stem: &str, name: &str, artifact: &str) -> String {
    let t = target.as_str();
    let mut y = String::new();
    let _ = writeln!(y, "# yaml-language-server: $schema=../schema.json");
    let _ = writeln!(y, "#");
    let _ = writeln!(y, "# Found by the `{t}` fuzzer: {}", one_line(artifact));
    let _ = writeln!(y, "# Written by `edgeconform promote`; reproduce with `cargo +nightly fuzz run {t} <artifact>`.");
    if c.findings.is_empty() {
        let _ = writeln!(y, "# The oracle finds nothing wrong with this case any more; it stays as a regression scenario.");
    } else {
        let _ = writeln!(y, "# What the fuzzer's oracle found:");
        for f in &c.findings {
            let _ = writeln!(y, "#   - {}", one_line(&f.to_string()));
        }
    }
    let _ = writeln!(y, "# The expectation states {}.", c.basis);
    let _ = writeln!(y, "# Review it against RULES.md, give the scenario a descriptive id, then move it out of found/.");
    write_distribution(&mut y, &c.dist);
    let _ = writeln!(y, "tags: [fuzz, found]");
    let _ = writeln!(y, "scenarios:");
    let _ = writeln!(y, "  - id: found-{stem}");
    let _ = writeln!(y, "    name: {}", quote(name));
    let rules: Vec<&str> = c.rules.iter().map(|r| r.as_str()).collect();
    let _ = writeln!(y, "    rules: [{}]", rules.join(", "));
    let _ = writeln!(y, "    request: {}", request_yaml(&c.req));
    let _ = writeln!(y, "    expect:");
    match &c.expect {
        Expect::Edge { status, redirect } => {
            let loc = if *redirect {
                ", location: same-url-over-https"
            } else {
                ""
            };
            let _ = writeln!(y, "      viewer: {{status: {status}{loc}}}");
            let _ = writeln!(y, "      origin: {{contacted: false}}");
        }
        Expect::Forward {
            origin,
            protocol,
            port,
            path,
        } => {
            let _ = writeln!(
                y,
                "      origin: {{id: {}, protocol: {protocol}, port: {port}, path: {}}}",
                quote(origin),
                quote(path)
            );
        }
    }
    y
}

fn write_distribution(y: &mut String, d: &Distribution) {
    let _ = writeln!(y, "distribution:");
    let _ = writeln!(y, "  domain: {}", quote(&d.domain));
    if !d.aliases.is_empty() {
        let aliases: Vec<String> = d.aliases.iter().map(|a| quote(a)).collect();
        let _ = writeln!(y, "  aliases: [{}]", aliases.join(", "));
    }
    let _ = writeln!(y, "  ruleset: {}", d.ruleset.as_str());
    let _ = writeln!(y, "  origins:");
    for o in &d.origins {
        let mut fields = vec![format!("type: {}", o.kind.type_str())];
        match o.kind {
            OriginKind::S3 => {}
            OriginKind::S3Website { http_port } => fields.push(format!("http_port: {http_port}")),
            OriginKind::Custom {
                protocol_policy,
                http_port,
                https_port,
            } => {
                fields.push(format!("protocol_policy: {}", protocol_policy.as_str()));
                fields.push(format!("http_port: {http_port}"));
                fields.push(format!("https_port: {https_port}"));
            }
        }
        if !o.origin_path.is_empty() {
            fields.push(format!("origin_path: {}", quote(&o.origin_path)));
        }
        let _ = writeln!(y, "    {}: {{{}}}", quote(&o.id), fields.join(", "));
    }
    let (default, rest) = d
        .behaviors
        .split_last()
        .expect("a distribution has its default behavior");
    if !rest.is_empty() {
        let _ = writeln!(y, "  behaviors:");
        for b in rest {
            let _ = writeln!(
                y,
                "    - {{path_pattern: {}, {}}}",
                quote(b.path_pattern.as_str()),
                settings_yaml(d, b)
            );
        }
    }
    let _ = writeln!(y, "  default_behavior: {{{}}}", settings_yaml(d, default));
    if d.limits != Limits::default() {
        let l = d.limits;
        let _ = writeln!(
            y,
            "  limits: {{max_behaviors: {}, max_head_bytes: {}, max_url_bytes: {}}}",
            l.max_behaviors, l.max_head_bytes, l.max_url_bytes
        );
    }
}

fn settings_yaml(d: &Distribution, b: &Behavior) -> String {
    let mut s = format!(
        "viewer_protocol_policy: {}",
        b.viewer_protocol_policy.as_str()
    );
    let methods = |m: MethodSet| {
        m.methods()
            .iter()
            .map(|m| m.as_str().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if b.allowed_methods != MethodSet::GET_HEAD {
        let _ = write!(s, ", allowed_methods: [{}]", methods(b.allowed_methods));
    }
    if b.cached_methods != MethodSet::GET_HEAD {
        let _ = write!(s, ", cached_methods: [{}]", methods(b.cached_methods));
    }
    let _ = write!(s, ", origin: {}", quote(&d.origins[b.origin].id));
    if b.forward_cloudfront_proto {
        s.push_str(", forward_cloudfront_proto: true");
    }
    s
}

fn request_yaml(r: &Request) -> String {
    let mut s = format!(
        "{{method: {}, scheme: {}, path: {}",
        quote(r.method.as_str()),
        r.scheme,
        quote(&r.target)
    );
    match &r.host {
        Some(h) => {
            let _ = write!(s, ", host: {}", quote(h));
        }
        None => s.push_str(", omit_host: true"),
    }
    let _ = write!(s, ", version: \"{}\"", r.version);
    if !r.headers.is_empty() {
        let hs: Vec<String> = r
            .headers
            .iter()
            .map(|(n, v)| format!("{}: {}", quote(n), quote(v)))
            .collect();
        let _ = write!(s, ", headers: {{{}}}", hs.join(", "));
    }
    if r.body_len > 0 {
        let _ = write!(s, ", body_size: {}", r.body_len);
    }
    s.push('}');
    s
}

/// A YAML double-quoted scalar: printable ASCII as is, `"` and `\` escaped, everything else as
/// `\uXXXX` / `\UXXXXXXXX`, so any string survives the round trip whatever it holds.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            ' '..='~' => q.push(c),
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(q, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(q, "\\U{:08X}", c as u32);
            }
        }
    }
    q.push('"');
    q
}

/// Text for one comment or message line: control characters escaped.
fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// At most 60 characters for a name, control characters escaped.
fn shorten(s: &str) -> String {
    let s = one_line(s);
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// FNV-1a, 64 bits: a stable id for the artifact's bytes.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs `f`, turning a panic into its message (with where it happened) instead of unwinding,
/// and without printing it.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let seen = Arc::new(Mutex::new(String::new()));
    let slot = Arc::clone(&seen);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(mut s) = slot.lock() {
            *s = info.to_string();
        }
    }));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.map_err(|_| seen.lock().map(|s| one_line(&s)).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_any_string() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("é\r\u{1F600}"), r#""\u00E9\u000D\U0001F600""#);
    }

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

    #[test]
    fn names_are_short_and_printable() {
        assert_eq!(shorten(&"a".repeat(70)).chars().count(), 61);
        assert_eq!(one_line("a\nb"), "a\\nb");
    }
}
