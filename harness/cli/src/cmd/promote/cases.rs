//! Building the case to promote from a fuzz input: decoding it as the target did, running the
//! oracle, cutting the distribution down while the verdict holds (`decide`, `location`), or
//! setting up the one-pattern distribution whose answer shows a match (`pattern`).

use super::{checkable, Case, Expect, Failure, FuzzTarget};
use edgeconform_core::decide::{decide, valid_target, Action};
use edgeconform_core::distribution::{
    Behavior, Distribution, Limits, MethodSet, Origin, OriginKind, Ruleset, ViewerProtocolPolicy,
};
use edgeconform_core::fuzzgen::{self, Finding};
use edgeconform_core::normalize::normalize_path;
use edgeconform_core::pattern::PathPattern;
use edgeconform_core::{Method, Request, RuleId, Scheme};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

pub(super) fn request_case(target: FuzzTarget, data: &[u8]) -> Result<Case, Failure> {
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
    let expect = Expect::of_decision(&dist, &d, None);
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

pub(super) fn pattern_case(data: &[u8]) -> Result<Case, Failure> {
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
            status: vec![403],
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
    result.map_err(|_| seen.lock().map(|s| super::one_line(&s)).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::guarded;

    #[test]
    fn a_panic_becomes_its_message_and_place() {
        let err = guarded(|| -> u8 { panic!("boom at {}", 7) }).unwrap_err();
        assert!(
            err.contains("boom at 7") && err.contains("cases.rs"),
            "{err}"
        );
        assert_eq!(guarded(|| 5), Ok(5));
    }
}
