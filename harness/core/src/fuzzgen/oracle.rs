//! What the fuzz targets assert, as functions returning the rules broken, so that a target and
//! `edgeconform promote` reach the same verdict on the same input.
//!
//! Each check restates RULES.md ("What a conformant target must never do") without calling the
//! code under test for the answer: the location is rebuilt from the request, the origin protocol
//! from the origin kind, and pattern matching from a plain dynamic-programming matcher.

use super::case::PatternCase;
use crate::decide::{decide, Decision};
use crate::distribution::{Distribution, OriginKind};
use crate::judge::judge;
use crate::outcome::Outcome;
use crate::pattern::{PathPattern, PatternError, MAX_PATTERN_LEN};
use crate::request::{host_without_port, Request, Scheme};
use crate::RuleId;
use std::fmt;

/// One broken rule (or broken property, when `rule` is `None`) and what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Option<RuleId>,
    pub message: String,
}

impl Finding {
    fn new(rule: impl Into<Option<RuleId>>, message: String) -> Finding {
        Finding {
            rule: rule.into(),
            message,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rule {
            Some(r) => write!(f, "{r}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Target `decide`: the decision is deterministic, `judge()` finds no (non-`info`) violation in
/// the outcome the model predicts, and the never-do invariants hold.
pub fn check_decide(dist: &Distribution, req: &Request) -> Vec<Finding> {
    let d = decide(dist, req);
    let mut out = Vec::new();
    let again = decide(dist, req);
    if again != d {
        out.push(Finding::new(
            None,
            format!("decide() is not deterministic: {d:?} then {again:?}"),
        ));
    }
    let outcome = Outcome::from_decision(dist, req, &d, 1234);
    for v in judge(dist, req, &outcome).into_iter().filter(|v| !v.info) {
        out.push(Finding::new(v.rule, format!("judge: {}", v.message)));
    }
    out.extend(invariants(dist, req, &d));
    out.extend(check_location(dist, req, &d));
    out
}

/// The never-do invariants of RULES.md that speak of the status and the origin.
fn invariants(dist: &Distribution, req: &Request, d: &Decision) -> Vec<Finding> {
    let mut out = Vec::new();
    let behavior = d.behavior.map(|i| &dist.behaviors[i]);
    match (d.status(), d.forward()) {
        (Some(status @ (301 | 307)), _) if req.scheme == Scheme::Https => out.push(Finding::new(
            RuleId::VppHttpsServed,
            format!("an HTTPS request was redirected ({status})"),
        )),
        (Some(301), _) if !req.method.is_safe() => out.push(Finding::new(
            RuleId::VppRedirectSafe,
            format!(
                "301 answered to {} (only GET and HEAD over HTTP get a 301)",
                req.method
            ),
        )),
        (_, Some(f)) => {
            if req.scheme == Scheme::Http
                && behavior.is_some_and(|b| {
                    b.viewer_protocol_policy == crate::distribution::ViewerProtocolPolicy::HttpsOnly
                })
            {
                out.push(Finding::new(
                    RuleId::VppHttpsOnly,
                    "an HTTP request on an https-only behavior reached the origin".into(),
                ));
            }
            match dist.origins[f.origin].kind {
                OriginKind::S3Website { .. } if f.protocol == Scheme::Https => {
                    out.push(Finding::new(
                        RuleId::OrgWebsiteHttp,
                        "an S3 website origin was reached over HTTPS".into(),
                    ))
                }
                OriginKind::S3 if f.protocol != req.scheme => out.push(Finding::new(
                    RuleId::OrgS3MatchViewer,
                    format!(
                        "an S3 REST origin was reached over {} for a {} viewer",
                        f.protocol, req.scheme
                    ),
                )),
                _ => {}
            }
        }
        _ => {}
    }
    out
}

/// Target `location` (and part of `decide`): a `Location` the decision carries is `https://` +
/// the viewer's `Host` without its port + the raw request-target (LOC-SCHEME, LOC-HOST,
/// LOC-TARGET), has no control bytes, and names a host the distribution routes (LOC-SAFE).
pub fn check_location(dist: &Distribution, req: &Request, d: &Decision) -> Vec<Finding> {
    let Some(loc) = d.location() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(i) = loc.bytes().position(|b| b < 0x20 || b == 0x7f) {
        out.push(Finding::new(
            RuleId::LocSafe,
            format!(
                "Location {loc:?} has control byte {:#04x} at {i}",
                loc.as_bytes()[i]
            ),
        ));
    }
    let Some(host) = req.host.as_deref() else {
        out.push(Finding::new(
            RuleId::LocSafe,
            format!("a redirect ({loc:?}) was built for a request without Host"),
        ));
        return out;
    };
    if !dist.routes_host(host) {
        out.push(Finding::new(RuleId::LocSafe, format!("a redirect ({loc:?}) was built for Host {host:?}, which the distribution does not route")));
    }
    let Some(rest) = loc.strip_prefix("https://") else {
        out.push(Finding::new(
            RuleId::LocScheme,
            format!("Location {loc:?} is not an https:// URL"),
        ));
        return out;
    };
    let want_host = host_without_port(host);
    match rest.strip_prefix(want_host) {
        None => out.push(Finding::new(
            RuleId::LocHost,
            format!("Location {loc:?} does not name the viewer's host {want_host:?}"),
        )),
        Some(target) if target != req.target => out.push(Finding::new(
            RuleId::LocTarget,
            format!(
                "Location {loc:?} does not end in the raw request-target {:?}",
                req.target
            ),
        )),
        Some(_) => {}
    }
    // The authority a client would read from the Location is the viewer's host, and it is routed.
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority != want_host || !dist.routes_host(authority) {
        out.push(Finding::new(RuleId::LocSafe, format!("a client reads the host {authority:?} from Location {loc:?}; expected {want_host:?}, a routed name")));
    }
    if !matches!(d.status(), Some(301 | 307)) {
        out.push(Finding::new(
            RuleId::LocScheme,
            format!("a Location on status {:?}", d.status()),
        ));
    }
    out
}

/// Target `pattern`: [`PathPattern::parse`] accepts exactly what PAT-SYNTAX allows and names the
/// first bad character; a parsed pattern matches exactly what [`reference_match`] matches
/// (PAT-WILDCARD, PAT-ANCHORED, PAT-CASE, PAT-SLASH), `matches` and `match_steps` agree, and the
/// step count stays within (n+1)·(m+1) (PAT-LINEAR).
pub fn check_pattern(case: &PatternCase) -> Vec<Finding> {
    let raw = &case.pattern;
    let mut out = Vec::new();
    let bad = raw.char_indices().find(|&(_, c)| !is_pattern_char(c));
    let len = raw.chars().count();
    let want = if raw.is_empty() {
        Err(PatternError::Empty)
    } else if len > MAX_PATTERN_LEN {
        Err(PatternError::TooLong { len })
    } else if let Some((offset, ch)) = bad {
        Err(PatternError::BadChar { ch, offset })
    } else {
        Ok(())
    };
    let parsed = PathPattern::parse(raw);
    if parsed.as_ref().map(|_| ()).map_err(Clone::clone) != want {
        out.push(Finding::new(
            RuleId::PatSyntax,
            format!("parse({raw:?}) gave {parsed:?}; expected {want:?}"),
        ));
    }
    let Ok(p) = parsed else { return out };
    let path = &case.path;
    let fast = p.matches(path);
    let (counted, steps) = p.match_steps(path);
    if fast != counted {
        out.push(Finding::new(
            None,
            format!(
                "matches() says {fast} but match_steps() says {counted} for {raw:?} vs {:?}",
                String::from_utf8_lossy(path)
            ),
        ));
    }
    let reference = reference_match(raw, path);
    if fast != reference {
        let rule = if raw.contains(['*', '?']) {
            RuleId::PatWildcard
        } else {
            RuleId::PatAnchored
        };
        out.push(Finding::new(
            rule,
            format!(
            "pattern {raw:?} vs path {:?}: the matcher says {fast}, the reference says {reference}",
            String::from_utf8_lossy(path)
        ),
        ));
    }
    let bound = (path.len() as u64 + 1) * (raw.len() as u64 + 1);
    if steps > bound {
        out.push(Finding::new(RuleId::PatLinear, format!(
            "pattern {raw:?} ({} bytes) vs a path of {} bytes took {steps} steps; the bound is {bound}",
            raw.len(),
            path.len()
        )));
    }
    out
}

/// PAT-SYNTAX's characters, plus the `?` wildcard.
fn is_pattern_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-.*$/~\"'@:+&?".contains(c)
}

/// The reference for CloudFront path matching, written from the rules and nothing else: one
/// leading `/` is dropped from the pattern (PAT-SLASH) and from the path; then `*` matches any run
/// of bytes (`/` included) and `?` exactly one byte, everything else itself, case-sensitively
/// (PAT-WILDCARD, PAT-CASE), over the whole path (PAT-ANCHORED). Dynamic programming over
/// (pattern prefix, path prefix): slow and obviously right.
///
/// Deliberately independent of [`crate::pattern`] (the matcher under test) and of
/// [`crate::misread`] (the judge's and the mutants' readings): an oracle that shared their code
/// would share their bugs.
pub fn reference_match(pattern: &str, path: &[u8]) -> bool {
    let p = pattern.as_bytes();
    let p = p.strip_prefix(b"/").unwrap_or(p);
    let s = path.strip_prefix(b"/").unwrap_or(path);
    // row[j]: the pattern read so far matches s[..j].
    let mut row = vec![false; s.len() + 1];
    row[0] = true;
    for &c in p {
        let mut next = vec![false; s.len() + 1];
        for j in 0..=s.len() {
            next[j] = if c == b'*' {
                row[j] || (j > 0 && next[j - 1])
            } else {
                j > 0 && row[j - 1] && (c == b'?' || c == s[j - 1])
            };
        }
        row = next;
    }
    row[s.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Method;

    #[test]
    fn reference_reads_the_rules() {
        assert!(reference_match("/images/*.jpg", b"/images/a/b.jpg"));
        assert!(reference_match("images/*", b"/images/"));
        assert!(!reference_match("/images/*", b"/images"));
        assert!(!reference_match("/a?c", b"/ac"));
        assert!(reference_match("/a?c", b"/a/c"));
        assert!(!reference_match("*.jpg", b"/A.JPG"));
        assert!(reference_match("*", b""));
        assert!(!reference_match("//a", b"/a"));
    }

    #[test]
    fn pattern_checks_pass_on_the_core() {
        for (p, path) in [
            ("/a*b?c", &b"/axxbyc"[..]),
            ("%", b"/"),
            ("", b""),
            ("/*a*a*b", b"/aaaaaaaaaaaaaaaa"),
        ] {
            let case = PatternCase {
                pattern: p.into(),
                path: path.to_vec(),
            };
            assert!(
                check_pattern(&case).is_empty(),
                "{p:?}: {:?}",
                check_pattern(&case)
            );
        }
        let long = PatternCase {
            pattern: "a".repeat(256),
            path: Vec::new(),
        };
        assert!(check_pattern(&long).is_empty());
    }

    #[test]
    fn decide_checks_pass_on_a_plain_case() {
        let d = Distribution::from_yaml(
            "domain: d1.cloudfront.net\norigins: {o: {type: s3}}\ndefault_behavior: {viewer_protocol_policy: redirect-to-https, origin: o}\n",
        )
        .unwrap();
        let r = Request::new(Method::Get, Scheme::Http, "D1.cloudfront.net:80", "/a?b");
        assert!(
            check_decide(&d, &r).is_empty(),
            "{:?}",
            check_decide(&d, &r)
        );
        // The model's own 400 for a target that is not origin form, with a `/../` in its text
        // (found by the decide fuzz target): no dot-segment finding.
        let odd = Request::new(
            Method::Post,
            Scheme::Https,
            "d1.cloudfront.net",
            "\u{1}\0/../x",
        );
        assert_eq!(decide(&d, &odd).status(), Some(400));
        assert!(
            check_decide(&d, &odd).is_empty(),
            "{:?}",
            check_decide(&d, &odd)
        );
        let mut bad = decide(&d, &r);
        if let crate::decide::Action::Respond(e) = &mut bad.action {
            e.location = Some("https://d1.cloudfront.net.evil/a?b".into());
        }
        let f = check_location(&d, &r, &bad);
        assert!(f.iter().any(|f| f.rule == Some(RuleId::LocHost)), "{f:?}");
    }
}
