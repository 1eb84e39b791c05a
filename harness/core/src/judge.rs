//! `judge(distribution, request, outcome)`: the rules an outcome violates. Each rule is a predicate
//! written from RULES.md, independently of `decide()` (which it never calls), so it can judge the
//! model and a live target alike.
//!
//! Behavior selection comes first: when the outcome fits a behavior other than the one PAT-* selects,
//! the judge looks for the mis-reading of the patterns that explains it (case-insensitive matching,
//! `*` stopping at `/`, last match wins, …) and names that rule alone, instead of a cascade of policy
//! failures. Otherwise each policy, location, origin, billing and log rule is checked in turn.

use crate::distribution::{
    Behavior, Distribution, OriginKind, OriginProtocolPolicy, Ruleset, ViewerProtocolPolicy,
};
use crate::normalize::normalize_path;
use crate::outcome::{CacheHit, OriginContact, OriginFailure, Outcome};
use crate::request::{host_without_port, HttpVersion, Method, Request, Scheme};
use crate::RuleId;
use serde::Serialize;

/// One rule an outcome breaks (or, with `info`, a note that is not a failure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub rule: RuleId,
    /// Expected vs observed, in one sentence.
    pub message: String,
    /// A note for an open question (e.g. 307 vs 403 under `current`), not a failure.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub info: bool,
    /// Other rules whose breach gives this very outcome, when the request alone cannot tell
    /// them apart from `rule`: a misreading of the patterns is named, and the rules the selected
    /// behavior's own answer breaks are its alternatives (a target that ignores redirect-to-https
    /// on `/images/*` forwards `/images/a/b.jpg` just like one whose `*` stops at `/`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<RuleId>,
    /// The rule could not be observed for this request (a response from the cache says nothing
    /// about the origin side): neither a pass nor a failure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_observed: bool,
}

impl Violation {
    /// A failing check is neither a note nor a rule that went unobserved.
    pub fn is_failure(&self) -> bool {
        !self.info && !self.not_observed
    }
}

fn v(rule: RuleId, message: String) -> Violation {
    Violation {
        rule,
        message,
        info: false,
        alternatives: Vec::new(),
        not_observed: false,
    }
}

/// A note on `rule`: an answer that conforms but is worth reporting (an RFC status instead of the
/// model's, an open question).
fn note(rule: RuleId, message: String) -> Violation {
    Violation {
        info: true,
        ..v(rule, message)
    }
}

/// `rule` was not observed for this request.
fn unobserved(rule: RuleId, message: String) -> Violation {
    Violation {
        not_observed: true,
        ..v(rule, message)
    }
}

/// Statuses RFC 9110 and RFC 6585 name for a request too large to serve (400, 413, 414, 431);
/// the model answers 413 (LIM-SIZE).
pub const TOO_LARGE: [u16; 4] = [413, 400, 414, 431];

/// Statuses RFC 9110 names for a method token the server does not serve (400, 405, 501); the
/// model answers 403 (MTH-SUPPORTED).
pub const UNKNOWN_METHOD: [u16; 4] = [403, 400, 405, 501];

/// RFC 9112 section 3.2: a malformed `Host`, or none, gets 400; CloudFront's 403 conforms too
/// (HOST-ROUTE).
pub const MALFORMED_HOST: [u16; 2] = [403, 400];

/// What the edge should do under one behavior, as far as the viewer can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// 301 with a Location (VPP-REDIRECT-SAFE).
    Redirect301,
    /// 307 with a Location (VPP-REDIRECT-UNSAFE under `current`, HTTP/1.1).
    Redirect307,
    /// `current`, HTTP/1.1, an unsafe method the behavior does not allow: 307 or 403.
    Redirect307Or403,
    /// An edge 403.
    Refuse(RuleId),
    /// Forwarded to this origin.
    Forward(usize),
}

/// What the outcome shows, in the same terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen<'a> {
    Forwarded(Option<&'a str>),
    Redirect(u16),
    Refused,
    Other(u16),
}

/// A redirect is a redirect even when the origin was (wrongly) contacted for it; a 403 counts as
/// the edge's refusal only when the origin saw nothing (an origin may answer 403 itself).
/// A response from the edge's cache is served, just as a forwarded one (CACHE-HIT-SERVED). When
/// only the viewer side is observed, an answer that shows an origin produced it (see
/// [`Outcome::origin_evidence`]) or a cache served it is served; otherwise a 403 reads as the
/// edge's refusal, any other 2xx/3xx that is not a redirect as served, and any other error as
/// the edge's own answer.
fn seen(o: &Outcome) -> Seen<'_> {
    if o.viewer_only && o.origin.is_none() {
        // The origin a cache hit's mark or the response's own evidence names, if any.
        let named = o
            .cache
            .as_ref()
            .and_then(|h| h.origin.as_deref())
            .or_else(|| o.origin_evidence.as_ref().and_then(|e| e.origin.as_deref()));
        return match o.status {
            301 | 302 | 303 | 307 | 308 => Seen::Redirect(o.status),
            _ if o.origin_evidence.is_some() || o.cache.is_some() => Seen::Forwarded(named),
            403 => Seen::Refused,
            s if (200..400).contains(&s) => Seen::Forwarded(named),
            s => Seen::Other(s),
        };
    }
    match (o.status, &o.origin, &o.cache) {
        (301 | 302 | 303 | 307 | 308, _, _) => Seen::Redirect(o.status),
        (_, Some(c), _) => Seen::Forwarded(c.origin.as_deref()),
        (_, None, Some(hit)) => Seen::Forwarded(hit.origin.as_deref()),
        (403, None, None) => Seen::Refused,
        (s, None, None) => Seen::Other(s),
    }
}

/// The expectation of one behavior for a request that passed the request-level checks.
fn expect(dist: &Distribution, b: &Behavior, req: &Request) -> Expect {
    let allowed = b.allowed_methods.contains(&req.method);
    if req.scheme == Scheme::Http {
        match b.viewer_protocol_policy {
            ViewerProtocolPolicy::HttpsOnly => return Expect::Refuse(RuleId::VppHttpsOnly),
            ViewerProtocolPolicy::RedirectToHttps
                if matches!(req.method, Method::Get | Method::Head) =>
            {
                return Expect::Redirect301
            }
            ViewerProtocolPolicy::RedirectToHttps => {
                return match (dist.ruleset, req.version) {
                    (Ruleset::Classic, _) | (Ruleset::Current, HttpVersion::Http10) => {
                        Expect::Refuse(RuleId::VppRedirectUnsafe)
                    }
                    (Ruleset::Current, _) if allowed => Expect::Redirect307,
                    (Ruleset::Current, _) => Expect::Redirect307Or403,
                }
            }
            ViewerProtocolPolicy::AllowAll => {}
        }
    }
    if allowed {
        Expect::Forward(b.origin)
    } else {
        Expect::Refuse(RuleId::MthAllowed)
    }
}

fn fits(dist: &Distribution, e: Expect, s: Seen) -> bool {
    match (e, s) {
        (Expect::Forward(i), Seen::Forwarded(id)) => id.is_none_or(|id| id == dist.origins[i].id),
        (
            Expect::Redirect301 | Expect::Redirect307 | Expect::Redirect307Or403,
            Seen::Redirect(_),
        ) => true,
        (Expect::Refuse(_) | Expect::Redirect307Or403, Seen::Refused) => true,
        _ => false,
    }
}

/// Whether the observed kind of answer (forward / redirect / refusal) is what behavior `b` gives.
fn consistent(dist: &Distribution, b: &Behavior, req: &Request, s: Seen) -> bool {
    fits(dist, expect(dist, b, req), s)
}

/// Ways a target can mis-read path patterns, each named by the rule it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Misreading {
    CaseInsensitive,
    StarStopsAtSlash,
    Unanchored,
    SlashRequired,
    MatchesQuery,
    RawPath,
    FullyDecoded,
    LastMatch,
    FallThrough,
    DefaultOnly,
}

impl Misreading {
    const ALL: [Misreading; 10] = [
        Misreading::CaseInsensitive,
        Misreading::StarStopsAtSlash,
        Misreading::Unanchored,
        Misreading::SlashRequired,
        Misreading::MatchesQuery,
        Misreading::RawPath,
        Misreading::FullyDecoded,
        Misreading::LastMatch,
        Misreading::FallThrough,
        Misreading::DefaultOnly,
    ];

    fn rule(self) -> RuleId {
        match self {
            Misreading::CaseInsensitive => RuleId::PatCase,
            Misreading::StarStopsAtSlash => RuleId::PatWildcard,
            Misreading::Unanchored => RuleId::PatAnchored,
            Misreading::SlashRequired => RuleId::PatSlash,
            Misreading::MatchesQuery => RuleId::PatQuery,
            Misreading::RawPath | Misreading::FullyDecoded => RuleId::PatNormalize,
            Misreading::LastMatch => RuleId::PatOrder,
            Misreading::FallThrough => RuleId::MthAllowed,
            Misreading::DefaultOnly => RuleId::VppPerBehavior,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Misreading::CaseInsensitive => "as if patterns matched case-insensitively",
            Misreading::StarStopsAtSlash => "as if `*` did not cross `/`",
            Misreading::Unanchored => "as if a pattern matched a prefix of the path",
            Misreading::SlashRequired => "as if a pattern without its leading `/` never matched",
            Misreading::MatchesQuery => "as if the query string took part in matching",
            Misreading::RawPath => "as if the path were matched without normalisation",
            Misreading::FullyDecoded => "as if every percent-escape (even reserved ones like %2F) were decoded before matching",
            Misreading::LastMatch => "as if the last matching behavior won",
            Misreading::FallThrough => "as if a disallowed method fell through to a later behavior",
            Misreading::DefaultOnly => "as if the default behavior's settings applied to every path",
        }
    }

    /// The behavior a target that mis-reads patterns this way selects.
    fn select(self, dist: &Distribution, req: &Request) -> Option<usize> {
        let norm = normalize_path(req.path().as_bytes());
        let n = dist.behaviors.len();
        let hit = |b: &Behavior, path: &[u8]| -> bool {
            if b.is_default {
                return true;
            }
            let pat = b.path_pattern.as_str().as_bytes();
            match self {
                Misreading::CaseInsensitive => glob(
                    &pat.to_ascii_lowercase(),
                    &path.to_ascii_lowercase(),
                    true,
                    true,
                    true,
                ),
                Misreading::StarStopsAtSlash => glob(pat, path, false, true, true),
                Misreading::Unanchored => glob(pat, path, true, false, true),
                Misreading::SlashRequired => glob(pat, path, true, true, false),
                _ => glob(pat, path, true, true, true),
            }
        };
        match self {
            Misreading::LastMatch => (0..n - 1)
                .rev()
                .find(|&i| hit(&dist.behaviors[i], &norm))
                .or(Some(n - 1)),
            Misreading::MatchesQuery => {
                let mut p = norm.clone();
                if let Some(q) = req.query() {
                    p.push(b'?');
                    p.extend_from_slice(q.as_bytes());
                }
                dist.behaviors.iter().position(|b| hit(b, &p))
            }
            Misreading::RawPath => dist
                .behaviors
                .iter()
                .position(|b| hit(b, req.path().as_bytes())),
            Misreading::FullyDecoded => {
                let p = normalize_path(&percent_decode_all(req.path().as_bytes()));
                dist.behaviors.iter().position(|b| hit(b, &p))
            }
            Misreading::DefaultOnly => Some(n - 1),
            Misreading::FallThrough => dist
                .behaviors
                .iter()
                .position(|b| hit(b, &norm) && b.allowed_methods.contains(&req.method)),
            _ => dist.behaviors.iter().position(|b| hit(b, &norm)),
        }
    }
}

/// Every `%XX` decoded, reserved or not (what a proxy matching on a decoded URI does).
fn percent_decode_all(p: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        if p[i] == b'%' && i + 2 < p.len() {
            if let (Some(h), Some(l)) = (hex(p[i + 1]), hex(p[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(p[i]);
        i += 1;
    }
    out
}

/// A deliberately plain wildcard matcher for the judge's alternative readings (dynamic
/// programming, O(n·m)); `star_crosses_slash`, `anchored_end` and `strip_slash` switch off one
/// CloudFront rule each.
fn glob(
    pat: &[u8],
    path: &[u8],
    star_crosses_slash: bool,
    anchored_end: bool,
    strip_slash: bool,
) -> bool {
    // CloudFront drops one leading `/` from both; the slash-required reading compares them as written.
    let (pat, path) = if strip_slash {
        (
            pat.strip_prefix(b"/").unwrap_or(pat),
            path.strip_prefix(b"/").unwrap_or(path),
        )
    } else {
        (pat, path)
    };
    // prev[j]: pattern[..i] matches path[..j].
    let mut prev = vec![false; path.len() + 1];
    prev[0] = true;
    for &c in pat {
        let mut cur = vec![false; path.len() + 1];
        if c == b'*' {
            cur[0] = prev[0];
            for j in 1..=path.len() {
                cur[j] = prev[j] || (cur[j - 1] && (star_crosses_slash || path[j - 1] != b'/'));
            }
        } else {
            for j in 1..=path.len() {
                cur[j] = prev[j - 1] && (c == b'?' || c == path[j - 1]);
            }
        }
        prev = cur;
    }
    if anchored_end {
        prev[path.len()]
    } else {
        prev.iter().any(|&m| m)
    }
}

/// The target answered 411 Length Required to a request sent without `Content-Length` (as no
/// real client sends it): the request exercised no rule, and its expectations do not apply.
pub fn length_refused(req: &Request, o: &Outcome) -> bool {
    o.status == 411 && !req.content_length && req.body_len == 0 && o.origin.is_none()
}

/// The rules `outcome` violates for `req` on `dist`.
pub fn judge(dist: &Distribution, req: &Request, o: &Outcome) -> Vec<Violation> {
    let mut out = Vec::new();
    let s = seen(o);

    // LIM-SIZE.
    if req.head_len() > dist.limits.max_head_bytes || req.url_len() > dist.limits.max_url_bytes {
        if !TOO_LARGE.contains(&o.status) || o.origin.is_some() {
            out.push(v(RuleId::LimSize, format!(
                "expected 413 (or 400, 414, 431) for a request head of {} bytes / URL of {} bytes (limits {} / {}), origin not contacted; got {}",
                req.head_len(), req.url_len(), dist.limits.max_head_bytes, dist.limits.max_url_bytes, describe(o)
            )));
        } else if o.status != 413 {
            out.push(note(RuleId::LimSize, format!(
                "refused with {} (an RFC status for an oversized request) where the model answers 413; both conform",
                o.status
            )));
        }
        if let Some(l) = &o.log {
            if l.lines > 0 {
                out.push(v(
                    RuleId::LimSize,
                    "an oversized request must not be logged; the access log has a line for it"
                        .into(),
                ));
            }
        }
        return out;
    }
    // HOST-ROUTE.
    if !req.host.as_deref().is_some_and(|h| dist.routes_host(h)) {
        // RFC 9112 section 3.2: a malformed Host, or none, is answered 400; CloudFront's 403
        // conforms too. A valid name the distribution does not know is refused with 403.
        let malformed = req
            .host
            .as_deref()
            .is_none_or(|h| crate::distribution::valid_host_name(h).is_none());
        let ok = o.origin.is_none() && (o.status == 403 || (malformed && o.status == 400));
        if !ok {
            out.push(v(RuleId::HostRoute, format!(
                "expected {} for Host {:?}, which is not {} or an alias, origin not contacted; got {}",
                if malformed { "400 or 403" } else { "403" },
                req.host.as_deref().unwrap_or("(none)"), dist.domain, describe(o)
            )));
        }
        location_safety(dist, req, o, &mut out);
        return out;
    }
    if !crate::decide::valid_target(&req.target) {
        if (200..400).contains(&o.status) && o.status != 0 {
            out.push(v(RuleId::LocSafe, format!(
                "a request-target that is not origin form or carries control bytes ({:?}) must be refused; got {}",
                req.target, describe(o)
            )));
        }
        location_safety(dist, req, o, &mut out);
        return out;
    }
    // MTH-SUPPORTED.
    if !req.method.is_supported() {
        if !UNKNOWN_METHOD.contains(&o.status) || o.origin.is_some() {
            out.push(v(
                RuleId::MthSupported,
                format!(
                    "expected 403 (or 400, 405, 501) for unsupported method {}, origin not contacted; got {}",
                    req.method,
                    describe(o)
                ),
            ));
        } else if o.status != 403 {
            out.push(note(RuleId::MthSupported, format!(
                "refused {} with {} (an RFC status for a method the server does not serve) where the model answers 403; both conform",
                req.method, o.status
            )));
        }
        return out;
    }
    // MTH-GET-BODY.
    if req.method == Method::Get && req.body_len > 0 {
        if o.status != 403 || o.origin.is_some() {
            out.push(v(
                RuleId::MthGetBody,
                format!(
                    "expected 403 for a GET with a {}-byte body, origin not contacted; got {}",
                    req.body_len,
                    describe(o)
                ),
            ));
        }
        return out;
    }

    // Behavior selection (PAT-ORDER: first match on the normalised path).
    let norm = normalize_path(req.path().as_bytes());
    let bi = dist
        .behaviors
        .iter()
        .position(|b| b.is_default || b.path_pattern.matches(&norm))
        .unwrap_or(dist.behaviors.len() - 1);
    let b = &dist.behaviors[bi];
    // A request sent without a length, as no real client sends it, may be refused for that
    // alone before the behavior's rules apply: a note on the rule it would have exercised, never
    // a violation.
    if length_refused(req, o) {
        let rule = match expect(dist, b, req) {
            Expect::Refuse(rule) => rule,
            Expect::Redirect301 => RuleId::VppRedirectSafe,
            Expect::Redirect307 | Expect::Redirect307Or403 => RuleId::VppRedirectUnsafe,
            Expect::Forward(_) if req.scheme == Scheme::Https => RuleId::VppHttpsServed,
            Expect::Forward(_) => RuleId::VppAllowAll,
        };
        out.push(note(rule, format!(
            "the target answered 411 Length Required to a {} sent without Content-Length (as no real client sends it): {rule} was not exercised",
            req.method
        )));
        return out;
    }
    if !matches!(s, Seen::Other(_)) && !consistent(dist, b, req, s) {
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
            return out;
        }
        if let Some(&(m, alt)) = fitting.first() {
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
            return out;
        }
    }
    // A served answer whose origin nobody identified (viewer-only, a cache hit without a mark)
    // cannot show which behavior's origin served it: a misreading that would select a behavior
    // forwarding to another origin is not observed, not ruled out.
    if matches!(s, Seen::Forwarded(None)) {
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
    behavior_checks(dist, req, o, s, b, &mut out);
    out
}

/// The rules of the selected behavior `b` (policy, location, origin, billing, log) that the
/// outcome breaks.
fn behavior_checks(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    s: Seen,
    b: &Behavior,
    out: &mut Vec<Violation>,
) {
    let e = expect(dist, b, req);
    let pol = b.viewer_protocol_policy;
    let edge_answer = !matches!(e, Expect::Forward(_));
    // LOC-EDGE-ONLY: redirects and refusals never reach the origin. When the viewer did not get the
    // edge answer either, the policy rule below names the failure.
    let edge_status_ok = match e {
        Expect::Redirect301 => o.status == 301,
        Expect::Redirect307 => o.status == 307,
        Expect::Redirect307Or403 => matches!(o.status, 307 | 403),
        Expect::Refuse(_) => o.status == 403,
        Expect::Forward(_) => false,
    };
    if o.viewer_only {
        viewer_only_unobserved(req, o, e, out);
    }
    if edge_answer && edge_status_ok && o.origin.is_some() {
        out.push(v(
            RuleId::LocEdgeOnly,
            format!(
                "a {} must be answered at the edge; the origin received the request",
                match e {
                    Expect::Refuse(_) => "refusal",
                    _ => "redirect",
                }
            ),
        ));
    }
    // CACHE-POLICY-FIRST: the policy comes before the cache; a cached object never answers a
    // request the policy redirects or refuses (the policy rule below names the wrong answer too).
    if edge_answer && !edge_status_ok && o.origin.is_none() && o.cache.is_some() {
        out.push(v(
            RuleId::CachePolicyFirst,
            format!(
                "the viewer protocol policy ({pol}) applies before the cache: {} {} must get the edge's {}, not a cached object; got {}",
                req.scheme,
                req.method,
                match e {
                    Expect::Refuse(_) => "403",
                    _ => "redirect",
                },
                describe(o)
            ),
        ));
    }
    match e {
        Expect::Refuse(rule) => {
            if o.status != 403 {
                out.push(v(
                    rule,
                    format!(
                        "expected 403 ({} on a {pol} behavior over {}); got {}",
                        req.method,
                        req.scheme,
                        describe(o)
                    ),
                ));
            }
            // Only an edge 403 is billed as a refusal; a target that served the request instead
            // broke the refusal rule above, and the object it sent follows from that.
            if o.status == 403 && o.object_bytes > 0 {
                out.push(v(RuleId::BilRefusal, format!("an edge 403 is billed for headers and the error page only; it carried {} object bytes", o.object_bytes)));
            }
        }
        Expect::Redirect301 | Expect::Redirect307 => {
            let (code, rule) = if e == Expect::Redirect301 {
                (301, RuleId::VppRedirectSafe)
            } else {
                (307, RuleId::VppRedirectUnsafe)
            };
            if o.status != code {
                out.push(v(
                    rule,
                    format!(
                        "expected {code} for HTTP {} on a redirect-to-https behavior; got {}",
                        req.method,
                        describe(o)
                    ),
                ));
            } else if o.location.is_none() {
                out.push(v(
                    rule,
                    format!("a {code} must carry a Location header; there is none"),
                ));
            }
            // A target that did not redirect sent no redirect to judge (its answer broke the
            // policy rule above); a wrong 3xx still carries a Location and a body.
            if matches!(s, Seen::Redirect(_)) {
                redirect_checks(dist, req, o, out);
            }
        }
        Expect::Redirect307Or403 => {
            if o.status == 307 {
                out.push(note(RuleId::VppRedirectUnsafe, format!("{} is not allowed on this behavior: the target redirected (307) before refusing; RULES.md leaves 307 vs 403 open here", req.method)));
                redirect_checks(dist, req, o, out);
            } else if o.status == 403 {
                out.push(note(RuleId::VppRedirectUnsafe, format!("{} is not allowed on this behavior: the target refused (403) before redirecting; RULES.md leaves 307 vs 403 open here", req.method)));
            } else {
                out.push(v(
                    RuleId::VppRedirectUnsafe,
                    format!(
                        "expected 307 or 403 for HTTP/1.1 {} under `current`; got {}",
                        req.method,
                        describe(o)
                    ),
                ));
            }
        }
        Expect::Forward(origin) => {
            if let Some(f) = o.origin_failure {
                let want = if f == OriginFailure::Timeout {
                    504
                } else {
                    502
                };
                if o.status != want {
                    out.push(v(
                        RuleId::OrgFailure,
                        format!(
                            "the origin {}; expected {want}, got {}",
                            match f {
                                OriginFailure::Timeout => "never answered",
                                OriginFailure::Refused => "refused the connection",
                            },
                            describe(o)
                        ),
                    ));
                }
            }
            match (&o.origin, &o.cache) {
                (None, Some(hit)) => cache_hit_checks(dist, req, b, origin, hit, out),
                // Viewer-only: what looks served is taken as served (the origin is not read); a
                // redirect or a 403 is the edge's own answer, as in a full run.
                (None, None) if o.viewer_only && matches!(s, Seen::Forwarded(_)) => {
                    let why = "only the viewer side was observed (viewer-only run)";
                    origin_unobserved(dist, req, b, origin, why, out);
                }
                (None, None) if o.origin_failure.is_none() => {
                    let rule = match (req.scheme, pol) {
                        (Scheme::Https, _) => RuleId::VppHttpsServed,
                        (Scheme::Http, _) => RuleId::VppAllowAll,
                    };
                    let seen = if o.viewer_only {
                        "an answer of the edge's own"
                    } else {
                        "the origin saw nothing"
                    };
                    out.push(v(rule, format!(
                        "{} {} on a {pol} behavior must be forwarded to origin `{}` (or served from the cache); got {} and {seen}",
                        req.scheme, req.method, dist.origins[origin].id, describe(o)
                    )));
                }
                (None, None) => {}
                (Some(c), _) => {
                    let viewer = Viewer {
                        scheme: req.scheme,
                        target: &req.target,
                        sent_xfp: Some(req.header("x-forwarded-proto").is_some()),
                    };
                    origin_checks(dist, b, origin, &viewer, c, out);
                }
            }
        }
    }
    log_checks(req, o, e, s, out);
}

/// The viewer request an origin fetch was made for.
struct Viewer<'a> {
    scheme: Scheme,
    target: &'a str,
    /// Whether it carried `X-Forwarded-Proto`; `None` when that is not known (a cache fill).
    sent_xfp: Option<bool>,
}

/// The origin-side rules (ORG-*) a fetch from origin `origin` for `viewer` breaks.
fn origin_checks(
    dist: &Distribution,
    b: &Behavior,
    origin: usize,
    viewer: &Viewer,
    c: &OriginContact,
    out: &mut Vec<Violation>,
) {
    let org = &dist.origins[origin];
    let (want_proto, want_port, rule) = origin_route(org.kind, viewer.scheme);
    if c.protocol != want_proto || c.port != want_port {
        out.push(v(rule, format!(
            "origin `{}` ({}) must be reached over {want_proto} on port {want_port} for a {} viewer; it was reached over {} on port {}",
            org.id, org.kind.type_str(), viewer.scheme, c.protocol, c.port
        )));
    }
    let want_target = format!("{}{}", org.origin_path, viewer.target);
    if c.target != want_target {
        out.push(v(
            RuleId::OrgPath,
            format!(
                "the origin must receive {want_target:?}; it received {:?}",
                c.target
            ),
        ));
    }
    if viewer.sent_xfp == Some(true) {
        if let Some(x) = c.header("x-forwarded-proto") {
            out.push(v(RuleId::OrgXfpStripped, format!("the viewer's X-Forwarded-Proto must not reach the origin; the origin saw X-Forwarded-Proto: {x}")));
        }
    }
    match c.header("cloudfront-forwarded-proto") {
        Some(p) if p != viewer.scheme.as_str() => out.push(v(RuleId::OrgCfProto, format!(
            "CloudFront-Forwarded-Proto must carry the viewer's scheme {}; the origin saw {p}", viewer.scheme
        ))),
        None if b.forward_cloudfront_proto => out.push(v(RuleId::OrgCfProto, format!(
            "the behavior forwards CloudFront-Forwarded-Proto; the origin did not receive it (expected {})", viewer.scheme
        ))),
        _ => {}
    }
}

/// The protocol and port an origin of `kind` is reached on for a viewer over `scheme`, and the
/// rule that says so.
fn origin_route(kind: OriginKind, scheme: Scheme) -> (Scheme, u16, RuleId) {
    match kind {
        OriginKind::S3 => (scheme, scheme.default_port(), RuleId::OrgS3MatchViewer),
        OriginKind::S3Website { http_port } => (Scheme::Http, http_port, RuleId::OrgWebsiteHttp),
        OriginKind::Custom {
            protocol_policy,
            http_port,
            https_port,
        } => {
            let p = match protocol_policy {
                OriginProtocolPolicy::HttpOnly => Scheme::Http,
                OriginProtocolPolicy::HttpsOnly => Scheme::Https,
                OriginProtocolPolicy::MatchViewer => scheme,
            };
            let port = if p == Scheme::Https {
                https_port
            } else {
                http_port
            };
            (p, port, RuleId::OrgCustomPolicy)
        }
    }
}

/// A response served from the cache for a request the behavior forwards (CACHE-*): served, as
/// far as the viewer protocol policy goes; never for an unsafe method; the origin side is judged
/// on the fetch that filled the entry when it is known, and is not observed otherwise.
fn cache_hit_checks(
    dist: &Distribution,
    req: &Request,
    b: &Behavior,
    origin: usize,
    hit: &CacheHit,
    out: &mut Vec<Violation>,
) {
    if matches!(
        req.method,
        Method::Post | Method::Put | Method::Patch | Method::Delete
    ) {
        out.push(v(RuleId::CacheNeverUnsafe, format!(
            "a {} must reach the origin, never be answered from the cache; the origin saw nothing and the response carries {}",
            req.method, hit.evidence
        )));
        return;
    }
    if let Some(fill) = &hit.fill {
        // CACHE-KEY-PROTOCOL: the entry may have been filled for a viewer of the other scheme;
        // the fetch is judged against the viewer it was made for.
        let viewer = Viewer {
            scheme: fill.viewer_scheme,
            target: &fill.viewer_target,
            sent_xfp: None,
        };
        origin_checks(dist, b, origin, &viewer, &fill.contact, out);
        // What this viewer sent of its own was never forwarded: whether the edge strips or
        // overwrites it shows only on a fetch made for a request that carried it.
        let why = format!(
            "served from the cache ({}): the fetch that filled the entry was made for another request",
            hit.evidence
        );
        if req.header("x-forwarded-proto").is_some() {
            out.push(unobserved(RuleId::OrgXfpStripped, why.clone()));
        }
        if b.forward_cloudfront_proto && req.header("cloudfront-forwarded-proto").is_some() {
            out.push(unobserved(RuleId::OrgCfProto, why));
        }
        return;
    }
    let why = format!(
        "served from the cache ({}): the origin saw no fetch for this request and the one that filled the entry is unknown",
        hit.evidence
    );
    origin_unobserved(dist, req, b, origin, &why, out);
}

/// The origin-side rules a forward from `b` to `origin` exercises, each not observed for `why`.
fn origin_unobserved(
    dist: &Distribution,
    req: &Request,
    b: &Behavior,
    origin: usize,
    why: &str,
    out: &mut Vec<Violation>,
) {
    let org = &dist.origins[origin];
    let mut rules = vec![origin_route(org.kind, req.scheme).2, RuleId::OrgPath];
    if req.header("x-forwarded-proto").is_some() {
        rules.push(RuleId::OrgXfpStripped);
    }
    if b.forward_cloudfront_proto {
        rules.push(RuleId::OrgCfProto);
    }
    for rule in rules {
        out.push(unobserved(rule, why.to_string()));
    }
}

/// What a viewer-only run cannot see whatever the answer: whether the origin was asked for an
/// edge answer (LOC-EDGE-ONLY), and what the bill holds (BIL-*), which only the origin's
/// object and the target's own logs can show (BIL-PER-RESPONSE is judged on the log's line
/// when the log was read).
fn viewer_only_unobserved(req: &Request, o: &Outcome, e: Expect, out: &mut Vec<Violation>) {
    let why = "only the viewer side was observed (viewer-only run)";
    // With the target's access log read, one line per response is seen (log_checks).
    let mut rules = Vec::new();
    if o.log.as_ref().is_none_or(|l| l.unattributed) {
        rules.push(RuleId::BilPerResponse);
    }
    match e {
        Expect::Forward(_) => {}
        Expect::Refuse(_) => rules.extend([RuleId::LocEdgeOnly, RuleId::BilRefusal]),
        _ => rules.extend([RuleId::LocEdgeOnly, RuleId::BilRedirectPair]),
    }
    if matches!(
        req.method,
        Method::Post | Method::Put | Method::Patch | Method::Delete
    ) {
        rules.push(RuleId::CacheNeverUnsafe);
    }
    for rule in rules {
        out.push(unobserved(rule, why.to_string()));
    }
}

/// LOC-SCHEME, LOC-HOST, LOC-TARGET, LOC-SAFE and BIL-REDIRECT-PAIR for an edge redirect.
fn redirect_checks(dist: &Distribution, req: &Request, o: &Outcome, out: &mut Vec<Violation>) {
    if o.object_bytes > 0 {
        out.push(v(RuleId::BilRedirectPair, format!(
            "the HTTP leg of a redirect pair is billed for headers only; the redirect carried {} bytes of the object", o.object_bytes
        )));
    }
    let Some(loc) = o.location.as_deref() else {
        return;
    };
    if location_safety(dist, req, o, out) {
        return;
    }
    let Some(rest) = loc.strip_prefix("https://") else {
        out.push(v(
            RuleId::LocScheme,
            format!("Location must be an absolute https:// URL; got {loc:?}"),
        ));
        return;
    };
    let (authority, target) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let want_host = req.host.as_deref().map(host_without_port).unwrap_or("");
    if !authority.eq_ignore_ascii_case(want_host) {
        out.push(v(RuleId::LocHost, format!(
            "the Location host must be the viewer's Host without port ({want_host:?}); got {authority:?}"
        )));
    }
    if target != req.target {
        out.push(v(
            RuleId::LocTarget,
            format!(
                "the Location must end in the raw request-target {:?}; got {target:?}",
                req.target
            ),
        ));
    }
}

/// LOC-SAFE: no control bytes, and no host outside the distribution's names. Returns whether it
/// found a violation.
fn location_safety(
    dist: &Distribution,
    req: &Request,
    o: &Outcome,
    out: &mut Vec<Violation>,
) -> bool {
    let _ = req;
    let Some(loc) = o.location.as_deref() else {
        return false;
    };
    if loc.bytes().any(|b| b < 0x20 || b == 0x7f) {
        out.push(v(
            RuleId::LocSafe,
            format!("Location must not contain control bytes; got {loc:?}"),
        ));
        return true;
    }
    if o.origin.is_none() && (300..400).contains(&o.status) {
        let host = loc
            .split_once("://")
            .map(|(_, r)| r.split(['/', '?']).next().unwrap_or(""))
            .unwrap_or("");
        if !host.is_empty() && !dist.routes_host(host) {
            out.push(v(RuleId::LocSafe, format!(
                "an edge redirect must never name a host other than the distribution's; Location names {host:?}"
            )));
            return true;
        }
    }
    false
}

/// LOG-RESULT-TYPE, BIL-PER-RESPONSE and BIL-LOG-RECONCILE against the target's access log line.
///
/// The line must describe the response the target actually sent (`s`): a target that forwarded
/// a request it should have refused, and logged a `Miss`, broke the refusal rule, not the log's.
fn log_checks(req: &Request, o: &Outcome, e: Expect, s: Seen, out: &mut Vec<Violation>) {
    let Some(l) = &o.log else { return };
    if o.status == 0 {
        return;
    }
    // A log that cannot single out this request's line, or leaves out a field a rule reads, says
    // nothing about that rule: not observed, never failed.
    let absent = |rule: RuleId, field: &str, out: &mut Vec<Violation>| {
        out.push(unobserved(
            rule,
            format!("the access log does not carry {field}"),
        ));
    };
    if l.unattributed {
        for rule in [
            RuleId::BilPerResponse,
            RuleId::LogResultType,
            RuleId::BilLogReconcile,
        ] {
            out.push(unobserved(rule, "the access log cannot tell this request's line from another request's of the run (no request id, the same method, scheme and path)".into()));
        }
        return;
    }
    if l.lines != 1 {
        out.push(v(RuleId::BilPerResponse, format!(
            "every response is one billable request and one access-log line; the log has {} lines for this response", l.lines
        )));
        return;
    }
    if l.protocol.is_none() {
        absent(RuleId::LogResultType, "cs-protocol", out);
    } else if l.protocol.as_deref() != Some(req.scheme.as_str()) {
        out.push(v(
            RuleId::LogResultType,
            format!(
                "cs-protocol must be the viewer's scheme {}; the log says {:?}",
                req.scheme,
                l.protocol.as_deref().unwrap_or("-")
            ),
        ));
    }
    let want = match s {
        // An origin's own 3xx, passed on for a forward, is not an edge redirect.
        Seen::Redirect(_) if o.origin.is_none() || !matches!(e, Expect::Forward(_)) => {
            Some("Redirect")
        }
        Seen::Refused => Some("Error"),
        Seen::Redirect(_) | Seen::Forwarded(_) | Seen::Other(_) => None,
    };
    if let Some(w) = want {
        if l.result_type.is_none() {
            absent(RuleId::LogResultType, "x-edge-result-type", out);
        } else if l.result_type.as_deref() != Some(w) {
            out.push(v(
                RuleId::LogResultType,
                format!(
                    "x-edge-result-type must be {w}; the log says {:?}",
                    l.result_type.as_deref().unwrap_or("-")
                ),
            ));
        }
    } else if matches!(l.result_type.as_deref(), Some("Redirect")) {
        out.push(v(
            RuleId::LogResultType,
            "a forwarded request must not be logged as Redirect".into(),
        ));
    }
    let refused_method = e == Expect::Refuse(RuleId::MthAllowed) && s == Seen::Refused;
    if refused_method && l.detailed_result_type.is_none() {
        absent(RuleId::LogResultType, "x-edge-detailed-result-type", out);
    } else if refused_method && l.detailed_result_type.as_deref() != Some("InvalidRequestMethod") {
        out.push(v(RuleId::LogResultType, format!(
            "a method refused by AllowedMethods is logged with x-edge-detailed-result-type InvalidRequestMethod; the log says {:?}",
            l.detailed_result_type.as_deref().unwrap_or("-")
        )));
    }
    if l.sc_bytes.is_none() && o.header_bytes > 0 {
        absent(RuleId::BilLogReconcile, "sc-bytes", out);
    }
    if let Some(b) = l.sc_bytes {
        let wire = o.header_bytes + o.body_bytes;
        if o.header_bytes > 0 && b != wire {
            out.push(v(
                RuleId::BilLogReconcile,
                format!(
                "sc-bytes in the access log ({b}) must equal the bytes sent on the wire ({wire})"
            ),
            ));
        }
    }
}

fn describe(o: &Outcome) -> String {
    let mut s = if o.status == 0 {
        "no response".to_string()
    } else {
        o.status.to_string()
    };
    if let Some(l) = &o.location {
        s.push_str(&format!(" Location: {l}"));
    }
    match &o.origin {
        Some(c) => s.push_str(&format!(
            " (origin reached over {} port {})",
            c.protocol, c.port
        )),
        None => match &o.cache {
            Some(hit) => s.push_str(&format!(" (served from the cache: {})", hit.evidence)),
            None => s.push_str(" (origin not contacted)"),
        },
    }
    s
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn plain_glob_variants() {
        assert!(glob(b"/a/*", b"/a/b/c", true, true, true));
        assert!(!glob(b"/a/*", b"/a/b/c", false, true, true));
        assert!(glob(b"/a/*", b"/a/b", false, true, true));
        assert!(glob(b"/a", b"/a/b", true, false, true));
        assert!(!glob(b"a/*", b"/a/b", true, true, false));
        assert!(glob(b"/a/*", b"/a/b", true, true, false));
    }

    #[test]
    fn full_decoding_decodes_reserved_escapes() {
        assert_eq!(
            super::percent_decode_all(b"/a%2Fb%zz%4"),
            b"/a/b%zz%4".to_vec()
        );
    }
}
