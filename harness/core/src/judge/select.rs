//! Behavior selection (PAT-ORDER) and, when the outcome fits another behavior than the selected
//! one, the misreading of the patterns ([`Misreading`]) that explains it.

use super::behavior::behavior_checks;
use super::expect::{consistent, expect, Expect, Seen};
use super::{describe, note, unobserved, v, Violation};
use crate::distribution::{Behavior, Distribution};
use crate::misread::Misreading;
use crate::normalize::normalize_path;
use crate::outcome::Outcome;
use crate::request::{Request, Scheme};
use crate::RuleId;

/// The behavior the patterns select for `req` (PAT-ORDER: first match on the normalised path).
pub(super) fn selected_behavior(dist: &Distribution, req: &Request) -> usize {
    let norm = normalize_path(req.path().as_bytes());
    dist.behaviors
        .iter()
        .position(|b| b.is_default || b.path_pattern.matches(&norm))
        .unwrap_or(dist.behaviors.len() - 1)
}

/// A request sent without a length, as no real client sends it, or a HEAD or DELETE with
/// content, may be refused for that alone before the behavior's rules apply (see
/// [`super::unexercised`]): a note on the rule it would have exercised, never a violation.
pub(super) fn length_note(
    dist: &Distribution,
    b: &Behavior,
    req: &Request,
    o: &Outcome,
) -> Violation {
    let rule = match expect(dist, b, req) {
        Expect::Refuse(rule) => rule,
        Expect::Redirect301 => RuleId::VppRedirectSafe,
        Expect::Redirect307 | Expect::Redirect307Or403 => RuleId::VppRedirectUnsafe,
        Expect::Forward(_) if req.scheme == Scheme::Https => RuleId::VppHttpsServed,
        Expect::Forward(_) => RuleId::VppAllowAll,
    };
    let why = if super::content_refused(req, o) {
        format!(
            "{} to a {} with {} bytes of content (RFC 9110 section 9.3: such content might lead an implementation to reject the request)",
            o.status, req.method, req.body_len
        )
    } else if o.status == 411 {
        format!(
            "411 Length Required to a {} sent without Content-Length (as no real client sends it)",
            req.method
        )
    } else {
        format!(
            "{} to an HTTP/1.0 {} sent without Content-Length (RFC 1945 section 7.2.2 asks for one, and for 400 without it)",
            o.status, req.method
        )
    };
    note(
        rule,
        format!("the target answered {why}: {rule} was not exercised"),
    )
}

/// The outcome fits another behavior than `bi`, the selected one: the misreading of the patterns
/// that explains it is named (or, for an answer from an unidentified origin, kept as an
/// alternative of the selected behavior's own rules). Returns whether the outcome was judged
/// here; otherwise the selected behavior's rules judge it.
pub(super) fn misreading_checks(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    s: Seen,
    bi: usize,
    out: &mut Vec<Violation>,
) -> bool {
    let b = &dist.behaviors[bi];
    if matches!(s, Seen::Other(_)) || consistent(dist, b, req, s) {
        return false;
    }
    let fitting: Vec<(Misreading, usize)> = Misreading::ALL
        .into_iter()
        .filter_map(|m| {
            let alt = m.select(dist, req)?;
            (alt != bi && consistent(dist, &dist.behaviors[alt], req, s)).then_some((m, alt))
        })
        .collect();
    // An answer served by an origin nobody identified (viewer-only, a cache hit without a
    // mark) cannot show which behavior served it: the selected behavior's own rules are
    // named, and the misreadings that give the same answer are their alternatives.
    if matches!(s, Seen::Forwarded(None)) && !fitting.is_empty() {
        own_rules_first(dist, req, o, s, b, &fitting, out);
        return true;
    }
    if fitting.is_empty() {
        return false;
    }
    name_misreading(dist, req, o, s, b, &fitting, out);
    true
}

/// The selected behavior's own rules for an answer whose origin nobody identified, the first
/// failure carrying the `fitting` misreadings as alternatives.
fn own_rules_first(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    s: Seen,
    b: &Behavior,
    fitting: &[(Misreading, usize)],
    out: &mut Vec<Violation>,
) {
    let mut direct = Vec::new();
    behavior_checks(dist, req, o, s, b, &mut direct);
    let misread: Vec<RuleId> = fitting.iter().map(|(m, _)| m.rule()).collect();
    if let Some(first) = direct.iter_mut().find(|d| d.is_failure()) {
        for r in misread {
            if r != first.rule && !first.alternatives.contains(&r) {
                first.alternatives.push(r);
            }
        }
    }
    out.extend(direct);
}

/// The first of the `fitting` misreadings (each with the behavior it selects) named for the
/// outcome; the others and the selected behavior's own failures are its alternatives.
fn name_misreading(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    s: Seen,
    b: &Behavior,
    fitting: &[(Misreading, usize)],
    out: &mut Vec<Violation>,
) {
    let (m, alt) = fitting[0];
    // The same outcome read against the selected behavior: what a target that selects
    // correctly but breaks that behavior's own rules shows. The misreading is named; the
    // rest stay as alternatives that this request alone cannot rule out.
    let mut direct = Vec::new();
    behavior_checks(dist, req, o, s, b, &mut direct);
    let mut alternatives: Vec<RuleId> = Vec::new();
    let others = fitting[1..].iter().map(|(m, _)| m.rule());
    for r in others.chain(direct.iter().filter(|d| d.is_failure()).map(|d| d.rule)) {
        if r != m.rule() && !alternatives.contains(&r) {
            alternatives.push(r);
        }
    }
    let mut message = format!(
        "the request should use behavior `{}` ({}); the target answered {} {}, which behavior `{}` ({}) gives",
        b.path_pattern, b.viewer_protocol_policy, describe(o), m.describe(),
        dist.behaviors[alt].path_pattern, dist.behaviors[alt].viewer_protocol_policy
    );
    if !alternatives.is_empty() {
        let names: Vec<&str> = alternatives.iter().map(|r| r.as_str()).collect();
        message.push_str(&format!(
            " (this request alone does not rule out {})",
            names.join(", ")
        ));
    }
    out.push(Violation {
        alternatives,
        ..v(m.rule(), message)
    });
}

/// A served answer whose origin nobody identified (viewer-only, a cache hit without a mark)
/// cannot show which behavior's origin served it: a misreading that would select a behavior
/// forwarding to another origin is not observed, not ruled out.
pub(super) fn open_misreadings(
    dist: &Distribution,
    req: &Request,
    s: Seen,
    bi: usize,
    out: &mut Vec<Violation>,
) {
    if !matches!(s, Seen::Forwarded(None)) {
        return;
    }
    let b = &dist.behaviors[bi];
    let mut open: Vec<(RuleId, usize)> = Vec::new();
    for m in Misreading::ALL {
        let Some(alt) = m.select(dist, req) else {
            continue;
        };
        let other = &dist.behaviors[alt];
        if alt != bi
            && other.origin != b.origin
            && consistent(dist, other, req, s)
            && !open.iter().any(|(r, _)| *r == m.rule())
        {
            open.push((m.rule(), alt));
        }
    }
    for (rule, alt) in open {
        out.push(unobserved(rule, format!(
            "the answer was served, but by no origin the run could identify: a target reading the patterns this way would serve it too, from behavior `{}`'s origin",
            dist.behaviors[alt].path_pattern
        )));
    }
}
