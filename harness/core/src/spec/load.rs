//! Loading a suite: parse (serde, one positioned problem for a syntax or type error), resolve the
//! distribution, then validate every scenario and collect all semantic problems of the file at
//! once — unknown rule IDs, bad ids and tags, bad methods, schemes and versions, impossible
//! combinations, expectations that cannot be checked — before expanding the matrix.

use super::fields::{check_path, is_kebab, method, request, scheme, tags};
use super::format::{DistributionRef, OriginFailureSpec, PrimeSpec, ScenarioSpec, SuiteSpec};
use super::stated::expectation;
use super::{model, Case, Suite};
use crate::distribution::Distribution;
use crate::outcome::OriginFailure;
use crate::request::{HttpVersion, Request, Scheme};
use crate::rules::{Level, RuleId, Strength};
use crate::yaml::{Pos, Problem, Problems, Spanned};
use std::collections::BTreeMap;

/// Loads, validates and expands one suite. `file` names it in every problem; `read` reads the
/// distribution file the suite names, given its path joined to the suite's directory.
pub fn load_suite(
    text: &str,
    file: &str,
    read: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Suite, Problems> {
    let spec: SuiteSpec =
        crate::yaml::from_str(text).map_err(|p| Problems(vec![super::schema::explain(p)]))?;
    let mut ps = Vec::new();
    let dist_pos = Pos::of(&spec.distribution);
    let dist = distribution(spec.distribution, file, read, &mut ps);
    let suite_tags = tags(&spec.tags, &mut ps);
    let mut cases = Vec::new();
    for s in &spec.scenarios {
        if let Some(c) = scenario(s, file, dist.as_ref(), &suite_tags, &mut ps) {
            cases.push(c);
        }
    }
    let matrix = match (&spec.matrix, &dist) {
        (Some(m), Some(d)) => super::matrix::expand(m, file, d, &suite_tags, &mut ps),
        _ => None,
    };
    if spec.scenarios.is_empty() && spec.matrix.is_none() {
        ps.push(Problem::new(dist_pos, "the suite has no scenarios and no matrix; expected a `scenarios:` list or a `matrix:` block"));
    }
    // Ids are checked as written, so a scenario with other problems still counts. Matrix ids are
    // unique among themselves by construction (distinct axes, distinct path slugs); each is
    // checked against the scenarios' ids without keeping it.
    let mut seen: BTreeMap<&str, Pos> = BTreeMap::new();
    for s in &spec.scenarios {
        let (id, pos) = (s.id.value.as_str(), Pos::of(&s.id));
        if let Some(first) = seen.get(id) {
            ps.push(duplicate(id, pos, *first));
        } else {
            seen.insert(id, pos);
        }
    }
    if let Some(m) = matrix.as_ref().filter(|_| !seen.is_empty()) {
        for i in 0..m.len() {
            let id = m.id(i);
            if let Some(first) = seen.get(id.as_str()) {
                ps.push(duplicate(&id, m.pos(), *first));
            }
        }
    }
    match (dist, ps.is_empty()) {
        (Some(distribution), true) => Ok(Suite {
            file: file.to_string(),
            distribution,
            scenarios: cases,
            matrix,
        }),
        _ => {
            ps.sort_by_key(|p| p.pos);
            Err(Problems(ps))
        }
    }
}

fn duplicate(id: &str, pos: Pos, first: Pos) -> Problem {
    Problem::new(
        pos,
        format!("duplicate scenario id `{id}` (first used at {first}); expected ids unique in the suite"),
    )
}

/// The path of a file named relative to the suite `file`.
pub(crate) fn sibling(file: &str, rel: &str) -> String {
    let base = std::path::Path::new(file).parent();
    match base {
        Some(b) if !rel.starts_with('/') && !b.as_os_str().is_empty() => {
            b.join(rel).to_string_lossy().into_owned()
        }
        _ => rel.to_string(),
    }
}

fn distribution(
    r: Spanned<DistributionRef>,
    file: &str,
    read: &dyn Fn(&str) -> Result<String, String>,
    ps: &mut Vec<Problem>,
) -> Option<Distribution> {
    let pos = Pos::of(&r);
    match r.value {
        DistributionRef::Path(rel) => {
            let path = sibling(file, &rel);
            let text = match read(&path) {
                Ok(t) => t,
                Err(e) => {
                    ps.push(Problem::new(pos, format!("cannot read distribution `{path}`: {e}; expected a distribution file, path relative to this suite")));
                    return None;
                }
            };
            match Distribution::from_yaml(&text) {
                Ok(d) => Some(d),
                Err(inner) => {
                    for p in inner.0 {
                        let mut q = Problem::new(pos, format!("distribution {}", p.render(&path)));
                        q.rule = None;
                        ps.push(q);
                    }
                    None
                }
            }
        }
        DistributionRef::Inline(spec) => match spec.validate() {
            Ok(d) => Some(d),
            Err(inner) => {
                ps.extend(inner.0);
                None
            }
        },
    }
}

fn rules(s: &ScenarioSpec, ps: &mut Vec<Problem>) -> Vec<RuleId> {
    let mut out = Vec::new();
    if s.rules.value.is_empty() {
        ps.push(Problem::new(Pos::of(&s.rules), "`rules` is empty; expected the RULES.md IDs this scenario checks, like [VPP-REDIRECT-SAFE]"));
    }
    for r in &s.rules.value {
        match RuleId::parse(&r.value) {
            None => ps.push(Problem::new(Pos::of(r), format!("unknown rule ID `{}`; expected an ID from RULES.md such as {}", r.value, suggest(&r.value)))),
            Some(id) if !id.rule().request_checkable => ps.push(
                Problem::new(Pos::of(r), format!("{id} is a configuration or project rule that no request can exercise; expected a request-checkable rule (config errors are tested on distributions)")),
            ),
            Some(id) if out.contains(&id) => {
                ps.push(Problem::new(Pos::of(r), format!("rule {id} is listed twice; expected each rule once")))
            }
            Some(id) => out.push(id),
        }
    }
    out
}

/// The catalog ID closest to a misspelt one (same group first), for error messages.
fn suggest(bad: &str) -> &'static str {
    let up = bad.to_ascii_uppercase();
    crate::CATALOG
        .iter()
        .map(|r| r.id.as_str())
        .min_by_key(|id| edit_distance(id, &up))
        .unwrap_or("VPP-REDIRECT-SAFE")
}

/// Levenshtein distance over bytes (IDs are ASCII), for "did you mean" suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(x != y))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn scenario(
    s: &ScenarioSpec,
    file: &str,
    dist: Option<&Distribution>,
    suite_tags: &[String],
    ps: &mut Vec<Problem>,
) -> Option<Case> {
    let before = ps.len();
    let pos = Pos::of(&s.id);
    if !is_kebab(&s.id.value) {
        ps.push(Problem::new(pos, format!("scenario id `{}` is not kebab-case; expected lowercase words joined by `-`, like `redirect-get-keeps-query`", s.id.value)));
    }
    if s.name.value.trim().is_empty() {
        ps.push(Problem::new(Pos::of(&s.name), "`name` is empty; expected the requirement as a sentence, like \"An HTTP POST under redirect-to-https is refused with 403\""));
    }
    let rules = rules(s, ps);
    let level = level(s, &rules, ps);
    let mut case_tags = suite_tags.to_vec();
    for t in tags(&s.tags, ps) {
        if !case_tags.contains(&t) {
            case_tags.push(t);
        }
    }
    let req = request(&s.request, dist, ps);
    let follow = s.follow.as_ref().is_some_and(|f| f.value);
    follow_problems(s, req.as_ref(), ps);
    let failure = s.origin_failure.as_ref().map(|f| match f.value {
        OriginFailureSpec::Refused => OriginFailure::Refused,
        OriginFailureSpec::Timeout => OriginFailure::Timeout,
    });
    needs_problems(s, &rules, failure, ps);
    let prime = match (&s.prime, &req) {
        (Some(p), Some(r)) => prime_request(p, r, ps),
        _ => None,
    };
    prime_problems(s, ps);
    let ok_so_far = ps.len() == before;
    let (dist, req) = (dist?, req?);
    let model = model::predict(dist, &req, follow, s.object_size, failure);
    if follow && ok_so_far && model.outcomes.len() < 2 {
        let f = s.follow.as_ref().map_or(pos, Pos::of);
        ps.push(Problem::new(f, format!("`follow: true`, but the model answers this request with {} and no redirect to follow; expected a request the distribution redirects", model.outcomes[0].status)));
    }
    if let (Some(f), false) = (&s.origin_failure, model.decisions[0].forward().is_some()) {
        ps.push(Problem::new(Pos::of(f), format!("`origin_failure` has no effect: the model answers this request at the edge with {}; expected a request that is forwarded to the origin", model.outcomes[0].status)));
    }
    let (expect, stated) = expectation(s, dist, &model, follow, ps);
    if ps.len() > before {
        return None;
    }
    Some(Case {
        id: s.id.value.clone(),
        name: s.name.value.trim().to_string(),
        file: file.to_string(),
        pos,
        rules,
        level,
        tags: case_tags,
        request: req,
        follow,
        object_size: s.object_size,
        origin_failure: failure,
        access_log: s.access_log,
        prime,
        cacheable: s.cacheable,
        explicit: !stated.is_empty(),
        expect,
        stated,
        generated: false,
    })
}

/// The scenario's level: as stated, or the weakest its rules allow; `must` on an inferred rule
/// is a problem (and the weakest level is used).
fn level(s: &ScenarioSpec, rules: &[RuleId], ps: &mut Vec<Problem>) -> Level {
    let weakest = rules
        .iter()
        .map(|r| r.strength().default_level())
        .min()
        .unwrap_or(Level::Must);
    match &s.level {
        Some(l) if l.value > weakest => {
            let inferred: Vec<&str> = rules
                .iter()
                .filter(|r| r.strength() == Strength::Inferred)
                .map(|r| r.as_str())
                .collect();
            ps.push(Problem::new(Pos::of(l), format!("level must is not allowed: {} rests on an inferred rule (strength I); expected should or info", inferred.join(", "))));
            weakest
        }
        Some(l) => l.value,
        None => weakest,
    }
}

/// `follow: true` only on a GET or HEAD over http (the requests redirected with 301).
fn follow_problems(s: &ScenarioSpec, req: Option<&Request>, ps: &mut Vec<Problem>) {
    if let (Some(f), Some(r)) = (&s.follow, req) {
        if f.value && !r.method.is_safe() {
            ps.push(Problem::new(Pos::of(f), format!("`follow: true` on a {} request; expected GET or HEAD, the methods redirected with 301", r.method)));
        } else if f.value && r.scheme == Scheme::Https {
            ps.push(Problem::new(Pos::of(f), "`follow: true` on an https request, which is never redirected (VPP-HTTPS-SERVED); expected scheme http"));
        }
    }
}

/// A log rule needs `access_log: true`, ORG-FAILURE an `origin_failure`.
fn needs_problems(
    s: &ScenarioSpec,
    rules: &[RuleId],
    failure: Option<OriginFailure>,
    ps: &mut Vec<Problem>,
) {
    let needs_log = [
        RuleId::LogFormat,
        RuleId::LogResultType,
        RuleId::BilLogReconcile,
    ];
    if let Some(r) = rules.iter().find(|r| needs_log.contains(r)) {
        if !s.access_log {
            ps.push(Problem::new(Pos::of(&s.rules), format!("{r} is checked on the target's access log; expected `access_log: true` on this scenario")));
        }
    }
    if rules.contains(&RuleId::OrgFailure) && failure.is_none() {
        ps.push(Problem::new(Pos::of(&s.rules), "ORG-FAILURE needs an origin that fails; expected `origin_failure: refused` or `origin_failure: timeout`"));
    }
}

/// `prime` goes with neither `access_log: true` nor `origin_failure`.
fn prime_problems(s: &ScenarioSpec, ps: &mut Vec<Problem>) {
    if let Some(p) = &s.prime {
        if s.access_log {
            ps.push(Problem::new(Pos::of(p), "`prime` with `access_log: true`: the priming request would be logged as one of the case's; expected one of them"));
        }
        if s.origin_failure.is_some() {
            ps.push(Problem::new(Pos::of(p), "`prime` with `origin_failure`: a failing origin fills no cache; expected one of them"));
        }
    }
}

/// The priming request of a scenario: its request `req` with what `prime` changes.
fn prime_request(p: &Spanned<PrimeSpec>, req: &Request, ps: &mut Vec<Problem>) -> Option<Request> {
    let before = ps.len();
    let m = p.value.method.as_ref().and_then(|m| method(m, ps));
    let sch = p.value.scheme.as_ref().and_then(|s| scheme(s, ps));
    if let Some(path) = &p.value.path {
        check_path(path, ps);
    }
    if ps.len() > before {
        return None;
    }
    let mut r = req.clone();
    if let Some(m) = m.filter(|m| *m != req.method) {
        r.method = m;
        r = r.with_client_body();
    }
    if let Some(s) = sch {
        r.scheme = s;
    }
    if let Some(path) = &p.value.path {
        r.target = path.value.clone();
    }
    if r.scheme == Scheme::Http && r.version == HttpVersion::Http2 {
        ps.push(Problem::new(
            Pos::of(p),
            "the priming request is HTTP/2 over http, which needs TLS; expected scheme https",
        ));
        return None;
    }
    Some(r)
}
