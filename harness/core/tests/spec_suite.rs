//! The committed suite in `specs/`: every file loads, every stated expectation agrees with the
//! model, every case passes against the model's own outcomes, every request-checkable rule has a
//! hand-written scenario, and `Case::check` names the right observer and rule when an outcome is
//! broken the way a faulty edge would break it.

use edgeconform_core::spec::{coverage, load_suite, model_agreement, Case, Suite};
use edgeconform_core::{Level, RuleId};
use std::path::{Path, PathBuf};

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

fn suites() -> Vec<Suite> {
    let dir = specs_dir();
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("specs/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let name = f.display().to_string();
            let text = std::fs::read_to_string(f).expect("readable suite");
            load_suite(&text, &name, &read).unwrap_or_else(|p| panic!("{}", p.render(&name)))
        })
        .collect()
}

fn case<'a>(suites: &'a [Suite], id: &str) -> (&'a Suite, Case) {
    suites
        .iter()
        .find_map(|s| {
            (0..s.len())
                .find(|&i| s.id(i) == id)
                .map(|i| (s, s.case(i).into_owned()))
        })
        .unwrap_or_else(|| panic!("no case `{id}` in specs/"))
}

/// Every case of every suite, matrix cells built.
fn all_cases(suites: &[Suite]) -> Vec<Case> {
    suites
        .iter()
        .flat_map(|s| s.cases().map(|c| c.into_owned()))
        .collect()
}

/// The ids `Suite::select` picks across `suites`.
fn select(suites: &[Suite], tags: &[String], ids: &[String]) -> Vec<Case> {
    suites
        .iter()
        .flat_map(|s| {
            s.select(tags, ids)
                .map(|i| s.case(i).into_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_stated_expectation_agrees_with_the_model() {
    let mut all = Vec::new();
    for s in &suites() {
        all.extend(model_agreement(s).iter().map(|d| d.to_string()));
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}

#[test]
fn every_case_passes_against_the_model() {
    for s in &suites() {
        for c in s.cases() {
            let legs = c.model_legs(&s.distribution);
            let m = c.check(&legs);
            assert!(m.is_empty(), "{}: {:?}", c.id, m);
        }
    }
}

#[test]
fn every_request_checkable_rule_has_a_scenario() {
    let suites = suites();
    let cov = coverage(suites.iter().flat_map(|s| s.cases()));
    let missing = cov.uncovered();
    assert!(
        missing.is_empty(),
        "rules without a hand-written scenario: {missing:?}"
    );
}

#[test]
fn suite_shape() {
    let suites = suites();
    let cases = all_cases(&suites);
    let hand: Vec<&Case> = cases.iter().filter(|c| !c.generated).collect();
    assert!(hand.len() >= 100, "{} hand-written scenarios", hand.len());
    // Both rulesets are exercised.
    assert!(suites
        .iter()
        .any(|s| s.distribution.ruleset.as_str() == "current"));
    assert!(suites
        .iter()
        .any(|s| s.distribution.ruleset.as_str() == "classic"));
    // The standard matrix: 7 methods x 2 schemes x one path per behavior x HTTP/1.0 and 1.1, and
    // HTTP/2 over https only.
    let (std_suite, _) = case(&suites, "matrix-post-http-images-a-1.0");
    let behaviors = std_suite.distribution.behaviors.len();
    let matrix = std_suite.cases().filter(|c| c.generated).count();
    assert_eq!(matrix, std_suite.generated());
    assert_eq!(matrix, 7 * 2 * behaviors * 2 + 7 * behaviors);
    // Names read as requirements and ids are unique across suites.
    let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), cases.len());
    assert!(edgeconform_core::spec::duplicate_ids(&suites).is_empty());
}

#[test]
fn levels_follow_rule_strength() {
    let suites = suites();
    // LOC-TARGET is inferred: a scenario resting on it is `should`.
    assert_eq!(
        case(&suites, "redirect-get-keeps-query").1.level,
        Level::Should
    );
    assert_eq!(case(&suites, "redirect-get-301").1.level, Level::Must);
    // The 307-or-403 cell of `current` is info.
    assert_eq!(
        case(&suites, "matrix-current-post-http-images-a-1.1")
            .1
            .level,
        Level::Info
    );
    assert_eq!(
        case(&suites, "current-disallowed-method-307-or-403")
            .1
            .level,
        Level::Info
    );
}

#[test]
fn selection_by_tag_and_id() {
    let suites = suites();
    let pairs = select(&suites, &["redirect-pair".into()], &[]);
    assert!(
        pairs.iter().all(|c| c.follow),
        "{:?}",
        pairs.iter().map(|c| &c.id).collect::<Vec<_>>()
    );
    assert!(pairs.len() >= 3);
    let one = select(&suites, &[], &["redirect-get-301".into()]);
    assert_eq!(one.len(), 1);
    let prefix = select(&suites, &[], &["https-only-*".into()]);
    assert_eq!(prefix.len(), 8);
    assert!(select(&suites, &["no-such-tag".into()], &[]).is_empty());
}

// ----- Case::check against broken outcomes --------------------------------------------------

#[test]
fn a_302_is_a_viewer_status_mismatch_on_the_redirect_rule() {
    let suites = suites();
    let (s, c) = case(&suites, "redirect-get-301");
    let mut legs = c.model_legs(&s.distribution);
    legs[0].status = 302;
    let m = c.check(&legs);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!((m[0].observer, m[0].field.as_str()), ("viewer", "status"));
    assert_eq!(
        (m[0].expected.as_str(), m[0].observed.as_str()),
        ("301", "302")
    );
    assert_eq!(m[0].rules, vec![RuleId::VppRedirectSafe]);
    assert_eq!(c.mismatch_level(&m[0]), Level::Must);
}

#[test]
fn a_location_without_its_query_is_a_loc_target_mismatch() {
    let suites = suites();
    let (s, c) = case(&suites, "redirect-get-keeps-query");
    let mut legs = c.model_legs(&s.distribution);
    legs[0].location = Some("https://d111111abcdef8.cloudfront.net/images/cat.jpg".into());
    let m = c.check(&legs);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].field, "location");
    assert_eq!(m[0].rules, vec![RuleId::LocTarget]);
    assert_eq!(c.mismatch_level(&m[0]), Level::Should);
}

#[test]
fn a_redirect_that_reaches_the_origin_is_an_origin_mismatch() {
    let suites = suites();
    let (s, c) = case(&suites, "redirect-get-301");
    let forwarded = case(&suites, "https-get-served-under-redirect");
    let mut legs = c.model_legs(&s.distribution);
    legs[0].origin = forwarded.1.model_legs(&s.distribution)[0].origin.clone();
    let m = c.check(&legs);
    assert!(
        m.iter().any(|m| m.observer == "origin"
            && m.field == "contacted"
            && m.rules.contains(&RuleId::LocEdgeOnly)),
        "{m:?}"
    );
}

#[test]
fn object_bytes_on_the_http_leg_are_a_billing_mismatch() {
    let suites = suites();
    let (s, c) = case(&suites, "redirect-pair-billing");
    let mut legs = c.model_legs(&s.distribution);
    assert_eq!(legs.len(), 2);
    legs[0].body_bytes = 5000;
    legs[0].object_bytes = 5000;
    let m = c.check(&legs);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(
        (m[0].observer, m[0].field.as_str(), m[0].leg),
        ("billing", "object bytes", 0)
    );
    assert!(m[0].rules.contains(&RuleId::BilRedirectPair));
}

#[test]
fn a_missing_follow_up_is_reported() {
    let suites = suites();
    let (s, c) = case(&suites, "redirect-pair-billing");
    let legs = c.model_legs(&s.distribution);
    let m = c.check(&legs[..1]);
    assert!(
        m.iter()
            .any(|m| m.leg == 1 && m.observed.contains("no HTTPS follow-up")),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|m| m.observer == "billing" && m.field == "requests"),
        "{m:?}"
    );
}

#[test]
fn a_forwarded_x_forwarded_proto_is_an_origin_header_mismatch() {
    let suites = suites();
    let (s, c) = case(&suites, "xfp-stripped-http");
    let mut legs = c.model_legs(&s.distribution);
    legs[0]
        .origin
        .as_mut()
        .unwrap()
        .headers
        .push(("X-Forwarded-Proto".into(), "https".into()));
    let m = c.check(&legs);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(
        (m[0].observer, m[0].field.as_str()),
        ("origin", "header X-Forwarded-Proto")
    );
    assert_eq!(m[0].rules, vec![RuleId::OrgXfpStripped]);
}

#[test]
fn an_origin_over_the_wrong_protocol_is_an_org_mismatch() {
    let suites = suites();
    let (s, c) = case(&suites, "website-origin-http-for-https-viewer");
    let mut legs = c.model_legs(&s.distribution);
    let o = legs[0].origin.as_mut().unwrap();
    o.protocol = edgeconform_core::Scheme::Https;
    o.port = 443;
    let m = c.check(&legs);
    let fields: Vec<&str> = m.iter().map(|m| m.field.as_str()).collect();
    assert_eq!(fields, ["protocol", "port"]);
    assert!(m.iter().all(|m| m.rules == vec![RuleId::OrgWebsiteHttp]));
}

#[test]
fn either_status_is_accepted_in_the_open_cell() {
    let suites = suites();
    let (s, c) = case(&suites, "current-disallowed-method-307-or-403");
    let mut legs = c.model_legs(&s.distribution);
    legs[0].status = 403;
    legs[0].location = None;
    assert!(c.check(&legs).is_empty());
    legs[0].status = 405;
    assert_eq!(c.check(&legs)[0].expected, "307 or 403");
}

#[test]
fn no_response_at_all_is_a_mismatch_not_a_panic() {
    let suites = suites();
    for s in &suites {
        for c in s.cases().take(20) {
            assert!(!c.check(&[]).is_empty(), "{}", c.id);
        }
    }
}

/// The origin serves one object per path, so two cases must not ask for different sizes at the
/// path the model forwards them to (the runner sizes objects by path).
#[test]
fn object_sizes_agree_per_origin_path() {
    let mut sized: std::collections::BTreeMap<(String, String), (u64, String)> = Default::default();
    let mut clashes = Vec::new();
    for s in &suites() {
        for c in s.cases() {
            let Some(size) = c.object_size else { continue };
            for req in c.leg_requests() {
                let d = edgeconform_core::decide::decide(&s.distribution, &req);
                let Some(f) = d.forward() else { continue };
                let path = f.target.split('?').next().unwrap_or("").to_string();
                let key = (
                    s.distribution.domain.clone() + s.distribution.ruleset.as_str(),
                    path,
                );
                match sized.get(&key) {
                    Some((other, id)) if *other != size => {
                        clashes.push(format!("{} and {id} size {} differently", c.id, key.1))
                    }
                    _ => {
                        sized.insert(key, (size, c.id.clone()));
                    }
                }
            }
        }
    }
    assert!(clashes.is_empty(), "{}", clashes.join("\n"));
}
