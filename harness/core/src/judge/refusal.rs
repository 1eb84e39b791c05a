//! Refusals the model has no reason for, named by what the target misread rather than by every
//! rule of the behavior the answer breaks: a routed `Host` with a trailing dot refused with 403
//! as an unknown name is (HOST-ROUTE); a path whose dot segments climb above the root refused
//! with 400 as malformed (PAT-NORMALIZE: the model normalises `/../a` to `/a`, see
//! [`above_root_checks`]); a 413 for a request within the limits (LIM-SIZE, see
//! [`too_large_within_limits`]). One such cause
//! breaks whichever behavior's rule the request reaches; naming the cause keeps it one finding.
//! The rules the same answer breaks on the selected behavior stay as alternatives.

use super::behavior::behavior_checks;
use super::expect::{consistent, Seen};
use super::{describe, v, Violation};
use crate::distribution::{Behavior, Distribution};
use crate::outcome::Outcome;
use crate::request::Request;
use crate::RuleId;

/// Names the misread cause of a refusal the selected behavior `b` does not give. Returns whether
/// it did: then the behavior's rules are only its alternatives.
/// A routed `Host` with a trailing dot refused with 403, where the selected behavior `b` gives
/// another answer: what a target that does not recognise the name answers.
pub(super) fn trailing_dot_refused(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    s: Seen,
    b: &Behavior,
) -> bool {
    o.status == 403
        && o.origin.is_none()
        && o.cache.is_none()
        && req
            .host
            .as_deref()
            .is_some_and(|h| unusual_spelling(dist, h))
        && !consistent(dist, b, req, s)
}

/// Called when no pattern misreading explains the answer (a misreading is named first, with
/// HOST-ROUTE among its alternatives when [`trailing_dot_refused`]).
pub(super) fn misrefusal_checks(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    s: Seen,
    b: &Behavior,
    out: &mut Vec<Violation>,
) -> bool {
    if o.origin.is_some() || o.cache.is_some() || consistent(dist, b, req, s) {
        return false;
    }
    let (rule, message) = match o.status {
        403 => match req.host.as_deref().filter(|h| unusual_spelling(dist, h)) {
            Some(h) => (RuleId::HostRoute, format!(
                "the Host {h:?} is a name the distribution routes (its trailing dot does not change the name); the target refused it with {} as an unknown name",
                describe(o)
            )),
            None => return false,
        },
        _ => return false,
    };
    let mut direct = Vec::new();
    behavior_checks(dist, req, o, s, b, &mut direct);
    let mut alternatives: Vec<RuleId> = Vec::new();
    for d in direct.iter().filter(|d| d.is_failure()) {
        if d.rule != rule && !alternatives.contains(&d.rule) {
            alternatives.push(d.rule);
        }
    }
    out.push(Violation {
        alternatives,
        ..v(rule, message)
    });
    true
}

/// PAT-NORMALIZE: a path whose dot segments climb above the root refused with 400: `/..`, where
/// normalising makes `/../a` `/a` (RFC 3986 section 5.2.4), or a path that climbs only once the
/// target reads it otherwise than RFC 3986 does: `/a//../..` with its slashes merged, `/..%2Fa`
/// with its escaped slash decoded (`..%2Fa` is one segment, not a dot segment, and `%2F` is
/// reserved: RFC 3986 sections 2.2 and 6.2.2.2). Checked before the other request-level rules:
/// whatever else the request carries (a valid but unknown Host, which is answered 403; a GET
/// body), the 400 is the path's. A request whose Host may itself be answered 400 (none, or not a
/// valid host name such as `[::1]`, or a port that names no TCP port) is left to HOST-ROUTE: the
/// 400 may be the Host's.
pub(super) fn above_root_checks(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    out: &mut Vec<Violation>,
) -> bool {
    if o.status != 400 || o.origin.is_some() {
        return false;
    }
    if super::request::malformed_host(req) || super::port_refused(req, o) {
        return false;
    }
    // A 400 the model gives itself (a target that is not origin form, a broken escape) is the
    // right answer, whatever dot segments the text holds.
    if let crate::decide::Action::Respond(r) = crate::decide::decide(dist, req).action {
        if r.status == 400 {
            return false;
        }
    }
    let path = req.path();
    let Some(reading) = above_root_reading(path) else {
        return false;
    };
    out.push(v(RuleId::PatNormalize, format!(
        "the path {path:?} has dot segments above the root{reading}; normalising removes them (RFC 3986 section 5.2.4: /../a is /a) and the target refused it with {}",
        describe(o)
    )));
    true
}

/// How `path` climbs above the root, as said after "dot segments above the root": as written
/// (`""`), once its slashes are merged, or once its escaped slashes are decoded; `None` when no
/// reading climbs.
fn above_root_reading(path: &str) -> Option<&'static str> {
    let merge = |p: &str| -> String {
        p.split('/')
            .filter(|s| !s.is_empty())
            .fold(String::new(), |acc, s| acc + "/" + s)
    };
    let decoded = path.replace("%2f", "/").replace("%2F", "/");
    if climbs_above_root(path) {
        Some("")
    } else if climbs_above_root(&merge(path)) {
        Some(" once its slashes are merged")
    } else if climbs_above_root(&decoded) || climbs_above_root(&merge(&decoded)) {
        Some(" once its escaped slashes (%2F) are decoded, which RFC 3986 does not do")
    } else {
        None
    }
}

/// A 413 to a request within the limits (an HTTP/1.0 GET or DELETE with a small body, to
/// HAProxy) is LIM-SIZE's, whatever the model answers instead: the failures `judged` names for
/// it become the alternatives of one LIM-SIZE finding. Other verdicts pass through unchanged.
pub(super) fn too_large_within_limits(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    judged: Vec<Violation>,
) -> Vec<Violation> {
    let within =
        req.head_len() <= dist.limits.max_head_bytes && req.url_len() <= dist.limits.max_url_bytes;
    if !within || o.status != 413 || o.origin.is_some() || !judged.iter().any(|j| j.is_failure()) {
        return judged;
    }
    let mut alternatives: Vec<RuleId> = Vec::new();
    for j in judged.iter().filter(|j| j.is_failure()) {
        for r in std::iter::once(j.rule).chain(j.alternatives.iter().copied()) {
            if r != RuleId::LimSize && !alternatives.contains(&r) {
                alternatives.push(r);
            }
        }
    }
    let message = format!(
        "refused as too large ({}) a request within the limits (head {} bytes, URL {} bytes, body {} bytes; limits {} / {})",
        describe(o), req.head_len(), req.url_len(), req.body_len,
        dist.limits.max_head_bytes, dist.limits.max_url_bytes
    );
    let mut out: Vec<Violation> = judged.into_iter().filter(|j| !j.is_failure()).collect();
    out.insert(
        0,
        Violation {
            alternatives,
            ..v(RuleId::LimSize, message)
        },
    );
    out
}

/// A routed `Host` whose name ends in a dot (`www.example.com.`, the absolute form of the name).
/// Upper case and ports are left to the behavior's rules: a pattern misreading can give the same
/// 403, and the suite tests both spellings on their own.
fn unusual_spelling(dist: &Distribution, host: &str) -> bool {
    crate::request::host_without_port(host).ends_with('.') && dist.routes_host(host)
}

/// Whether a `..` segment of `path` would climb above the root (`/..`, `/a/../..`): RFC 3986's
/// dot-segment removal drops it, a strict server refuses the request.
fn climbs_above_root(path: &str) -> bool {
    let mut depth: usize = 0;
    for seg in path.split('/').skip(1) {
        // `%2E` is an escaped `.`, an unreserved character that normalising decodes.
        let seg = match seg.len() {
            1..=6 if seg.contains('%') => seg.replace("%2e", ".").replace("%2E", "."),
            _ => seg.to_string(),
        };
        match seg.as_str() {
            ".." if depth == 0 => return true,
            ".." => depth -= 1,
            "." => {}
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{above_root_reading, climbs_above_root};

    #[test]
    fn dot_segments_above_the_root() {
        for p in [
            "/..",
            "/../a",
            "/a/../..",
            "/./..",
            "/a/../../b",
            "/.%2e/a",
            "/%2E%2e",
        ] {
            assert!(climbs_above_root(p), "{p}");
        }
        for p in ["/", "/a/..", "/a/b/../..", "/a/./b", "/..a", "/a..", "//.."] {
            assert!(!climbs_above_root(p), "{p}");
        }
    }

    /// An escaped slash decoded before dot segments are resolved (nginx: `/..%2f` refused with
    /// 400) climbs above the root; RFC 3986 keeps `..%2F` one segment.
    #[test]
    fn dot_segments_above_the_root_once_escaped_slashes_are_decoded() {
        for p in [
            "/..%2f",
            "/api/..%2f..",
            "/..%2fimages/cat.jpg",
            "/a%2F..%2F..",
            "/..%2F%2Fa",
        ] {
            assert!(
                above_root_reading(p).is_some_and(|r| r.contains("%2F")),
                "{p}"
            );
        }
        assert_eq!(above_root_reading("/../a"), Some(""));
        assert_eq!(
            above_root_reading("//a/../.."),
            Some(" once its slashes are merged")
        );
        for p in ["/public/..%2fa", "/a%2f..", "/..%2a", "/images%2Fcat.jpg"] {
            assert_eq!(above_root_reading(p), None, "{p}");
        }
    }
}
