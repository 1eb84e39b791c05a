//! Mutants of the reference edge (the self-test's deliberate bugs): each variant of [`Mutant`] is one small, realistic bug
//! of a proxy config, breaking one rule (a few break two, and say so). `edgeconform edge --mutant
//! NAME` and `edgeconform run --mutant NAME` start an edge with it; the self-test
//! (`make selftest`) runs the suite against every mutant and checks that it fails for exactly the
//! rules the mutant declares.
//!
//! A mutant is consulted where its bug lives, never by forking the edge:
//!
//! - **the decision** (`decide`): most mutants. The core's `decide()` runs on what the buggy
//!   edge sees (a distribution with its behaviors rewritten, the one behavior the buggy matcher
//!   picks, a request with the body ignored), then the buggy step edits the decision (the
//!   status, the `Location`, the protocol towards the origin, the path it receives);
//! - **the wire**: `handler` (the head size limit, contacting the origin for a redirect, the log
//!   facts of a redirect, the status of an origin timeout), `forward` (`X-Forwarded-Proto`) and
//!   `cache` (the caching mutants' cache key and lookup).
//!
//! ```text
//! $ edgeconform mutants
//! MUTANT                       BREAKS                                BUG
//! redirect-302                 VPP-REDIRECT-SAFE                     answers 302 Found instead of 301 to HTTP GET/HEAD under redirect-to-https
//! ...
//! ```

mod decision;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use edgeconform_core::accesslog::ResultType;
use edgeconform_core::RuleId;

use super::log::ResponseFacts;
pub(crate) use decision::decide;

/// The mutant table: each variant with its doc, kebab-case name, the rules it breaks and the
/// description `edgeconform mutants` prints. One list gives the enum, [`Mutant::ALL`] (in this
/// order) and the per-mutant row, so they cannot drift apart.
macro_rules! mutants {
    ($( $(#[$doc:meta])* $variant:ident => ($name:literal, [$($rule:ident),+ $(,)?], $description:literal), )+) => {
        /// One deliberate bug of the edge. Names are kebab-case (`Mutant::name`), stable like rule IDs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Mutant {
            $( $(#[$doc])* $variant, )+
        }

        impl Mutant {
            /// How many mutants there are.
            pub const COUNT: usize = [$( stringify!($variant), )+].len();

            /// Every mutant, in the order `edgeconform mutants` lists them.
            pub const ALL: [Mutant; Mutant::COUNT] = [ $( Mutant::$variant, )+ ];

            /// (name, rules broken, description): one row per mutant, so each reads in one place.
            fn row(self) -> (&'static str, &'static [RuleId], &'static str) {
                match self {
                    $( Mutant::$variant => ($name, &[$(RuleId::$rule),+], $description), )+
                }
            }
        }
    };
}

mutants! {
    /// 302 Found instead of 301 for HTTP GET/HEAD under redirect-to-https.
    Redirect302 => (
        "redirect-302",
        [VppRedirectSafe],
        "answers 302 Found instead of 301 to HTTP GET/HEAD under redirect-to-https"
    ),
    /// 307 Temporary Redirect instead of 301.
    Redirect307 => (
        "redirect-307",
        [VppRedirectSafe],
        "answers 307 Temporary Redirect instead of 301"
    ),
    /// 308 Permanent Redirect instead of 301.
    Redirect308 => (
        "redirect-308",
        [VppRedirectSafe],
        "answers 308 Permanent Redirect instead of 301"
    ),
    /// Redirects HTTP POST, PUT, ... (301) instead of refusing them (403): nginx's
    /// `return 301 https://$host$request_uri` for every method.
    RedirectsUnsafeMethods => (
        "redirects-unsafe-methods",
        [VppRedirectUnsafe],
        "redirects HTTP POST/PUT/PATCH/DELETE/OPTIONS with 301 instead of refusing them"
    ),
    /// Refuses HTTP HEAD (403) under redirect-to-https: only GET counted as safe.
    RefusesHead => (
        "refuses-head",
        [VppRedirectSafe],
        "refuses HTTP HEAD with 403 under redirect-to-https: only GET counts as safe"
    ),
    /// Builds `Location` from the path alone: the query is lost.
    LocationDropsQuery => (
        "location-drops-query",
        [LocTarget],
        "builds Location from the path alone: the query is lost"
    ),
    /// Copies the viewer's `Host` into `Location` port and all (`www.example.com:80`).
    LocationKeepsPort => (
        "location-keeps-port",
        [LocHost],
        "copies the viewer's Host into Location with its port"
    ),
    /// Writes the HTTPS port into `Location` (`https://host:443/...`).
    LocationAddsPort => (
        "location-adds-port",
        [LocHost],
        "writes :443 into Location"
    ),
    /// Builds `Location` from the configured domain instead of the viewer's `Host`.
    LocationConfiguredDomain => (
        "location-configured-domain",
        [LocHost],
        "builds Location from the distribution's domain instead of the viewer's Host"
    ),
    /// Builds `Location` from the request's scheme (`$scheme://`): `http://`, a redirect loop.
    LocationHttpScheme => (
        "location-http-scheme",
        [LocScheme],
        "builds Location from the request's scheme: http://, a redirect loop"
    ),
    /// Treats https-only like redirect-to-https: HTTP GET/HEAD get 301 instead of 403.
    HttpsOnlyRedirects => (
        "https-only-redirects",
        [VppHttpsOnly],
        "treats https-only like redirect-to-https: HTTP GET/HEAD get 301 instead of 403"
    ),
    /// Refuses only HTTP GET under https-only; HEAD and the other methods reach the origin.
    HttpsOnlyRefusesGetOnly => (
        "https-only-refuses-get-only",
        [VppHttpsOnly],
        "refuses only HTTP GET under https-only; HEAD and other methods reach the origin"
    ),
    /// Ignores every viewer protocol policy: allow-all everywhere.
    AllowAllEverywhere => (
        "allow-all-everywhere",
        [VppRedirectSafe, VppRedirectUnsafe, VppHttpsOnly],
        "ignores every viewer protocol policy: HTTP is forwarded everywhere"
    ),
    /// The last matching behavior wins instead of the first.
    LastMatchWins => (
        "last-match-wins",
        [PatOrder],
        "selects the last matching behavior instead of the first"
    ),
    /// Path patterns match case-insensitively.
    CaseInsensitivePatterns => (
        "case-insensitive-patterns",
        [PatCase],
        "matches path patterns case-insensitively"
    ),
    /// `*` stops at `/` (shell glob semantics).
    StarStopsAtSlash => (
        "star-stops-at-slash",
        [PatWildcard],
        "lets `*` match within one path segment only"
    ),
    /// A pattern matching a prefix of the path is enough (no anchoring at the end).
    UnanchoredPatterns => (
        "unanchored-patterns",
        [PatAnchored],
        "accepts a pattern that matches a prefix of the path"
    ),
    /// A pattern without a leading `/` never matches.
    LeadingSlashRequired => (
        "leading-slash-required",
        [PatSlash],
        "never matches a pattern written without its leading /"
    ),
    /// The query string takes part in matching.
    QueryInMatching => (
        "query-in-matching",
        [PatQuery],
        "matches patterns against the path and the query"
    ),
    /// Patterns are matched against the raw path, without normalisation.
    RawPathMatching => (
        "raw-path-matching",
        [PatNormalize],
        "matches patterns against the raw path, without normalising it"
    ),
    /// Ignores AllowedMethods: every method is forwarded.
    IgnoresAllowedMethods => (
        "ignores-allowed-methods",
        [MthAllowed],
        "ignores AllowedMethods: every supported method is forwarded"
    ),
    /// Forwards a GET with a body instead of refusing it.
    ForwardsGetBody => (
        "forwards-get-body",
        [MthGetBody],
        "forwards a GET that carries a body instead of refusing it"
    ),
    /// Answers any `Host` (nginx's `server_name _`) and echoes it in `Location`.
    AnyHost => (
        "any-host",
        [HostRoute, LocSafe],
        "answers any Host (server_name _) and echoes it in Location"
    ),
    /// No limit on the request head or URL size.
    NoSizeLimits => (
        "no-size-limits",
        [LimSize],
        "enforces no limit on the request head or URL"
    ),
    /// Reaches the S3 website origin over the viewer's protocol (HTTPS for HTTPS viewers).
    WebsiteOriginHttps => (
        "website-origin-https",
        [OrgWebsiteHttp],
        "reaches the S3 website origin over HTTPS when the viewer used HTTPS"
    ),
    /// Always reaches the S3 REST origin over HTTP.
    S3OriginAlwaysHttp => (
        "s3-origin-always-http",
        [OrgS3MatchViewer],
        "always reaches the S3 REST origin over HTTP"
    ),
    /// Always reaches the S3 REST origin over HTTPS.
    S3OriginAlwaysHttps => (
        "s3-origin-always-https",
        [OrgS3MatchViewer],
        "always reaches the S3 REST origin over HTTPS"
    ),
    /// Reaches every custom origin over the viewer's protocol, whatever its protocol policy.
    CustomOriginMatchViewer => (
        "custom-origin-match-viewer",
        [OrgCustomPolicy],
        "reaches custom origins over the viewer's protocol, whatever their protocol policy"
    ),
    /// Sends the normalised path to the origin instead of the raw one.
    NormalizesOriginPath => (
        "normalizes-origin-path",
        [OrgPath],
        "sends the normalised path to the origin instead of the raw one"
    ),
    /// Passes the viewer's `X-Forwarded-Proto` on to the origin.
    PassesXForwardedProto => (
        "passes-x-forwarded-proto",
        [OrgXfpStripped],
        "passes the viewer's X-Forwarded-Proto on to the origin"
    ),
    /// `CloudFront-Forwarded-Proto` carries the protocol towards the origin, not the viewer's.
    CfProtoOriginScheme => (
        "cf-proto-origin-scheme",
        [OrgCfProto],
        "sets CloudFront-Forwarded-Proto to the origin's protocol instead of the viewer's"
    ),
    /// Sends the request to the origin, discards the answer, then redirects.
    OriginBeforeRedirect => (
        "origin-before-redirect",
        [LocEdgeOnly],
        "sends the request to the origin, discards the answer, then redirects"
    ),
    /// Fetches the object and sends it as the body of the redirect.
    RedirectCarriesObject => (
        "redirect-carries-object",
        [LocEdgeOnly, BilRedirectPair],
        "fetches the object from the origin and sends it as the redirect's body"
    ),
    /// Logs a redirect with x-edge-result-type `Miss`.
    RedirectLoggedAsMiss => (
        "redirect-logged-as-miss",
        [LogResultType],
        "logs a redirect with x-edge-result-type Miss"
    ),
    /// Writes no access-log line for a redirect: a redirect pair counts as one request.
    RedirectNotLogged => (
        "redirect-not-logged",
        [BilPerResponse, BilLogReconcile],
        "writes no access-log line for a redirect: a redirect pair counts as one request"
    ),
    /// Answers 502 instead of 504 when the origin does not answer in time.
    TimeoutAs502 => (
        "timeout-as-502",
        [OrgFailure],
        "answers 502 instead of 504 when the origin does not answer in time"
    ),
    /// Keeps cacheable GET answers by request-target (scheme and Host ignored) and answers from
    /// that cache before the viewer protocol policy: an HTTP GET under redirect-to-https or
    /// https-only gets the object an HTTPS GET cached.
    CacheBeforePolicy => (
        "cache-before-policy",
        [VppRedirectSafe, VppHttpsOnly, CachePolicyFirst],
        "answers GET/HEAD from a cache keyed by path alone before applying the viewer protocol policy"
    ),
    /// Keeps cacheable answers to every method, POST and PUT included, and answers a repeated
    /// one from the cache.
    CachesUnsafeMethods => (
        "caches-unsafe-methods",
        [CacheNeverUnsafe],
        "caches answers to POST/PUT/PATCH/DELETE and answers a repeated one from the cache"
    ),
}

impl Mutant {
    /// The stable kebab-case name (`--mutant NAME`).
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// The rules this mutant breaks: what the suite must report, and nothing else.
    pub fn rules(self) -> &'static [RuleId] {
        self.row().1
    }

    /// The bug, in one line.
    pub fn description(self) -> &'static str {
        self.row().2
    }

    /// The mutant called `name`.
    pub fn parse(name: &str) -> Option<Mutant> {
        Mutant::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Mutant {
    type Err = String;

    fn from_str(s: &str) -> Result<Mutant, String> {
        Mutant::parse(s)
            .ok_or_else(|| format!("unknown mutant `{s}`; `edgeconform mutants` lists them"))
    }
}

// ---------------------------------------------------------------------------------------------
// The wire.

impl Mutant {
    /// Whether this mutant contacts the origin for a redirect.
    pub(super) fn fetches_for_redirect(self) -> bool {
        matches!(
            self,
            Mutant::OriginBeforeRedirect | Mutant::RedirectCarriesObject
        )
    }

    /// Whether the edge enforces the head size limit (LIM-SIZE).
    pub(super) fn limits_head(self) -> bool {
        self != Mutant::NoSizeLimits
    }

    /// Whether a viewer's `X-Forwarded-Proto` is removed before the origin sees the request.
    pub(super) fn strips_x_forwarded_proto(self) -> bool {
        self != Mutant::PassesXForwardedProto
    }

    /// Whether an origin timeout is told apart from a refused origin (504 vs 502).
    pub(super) fn reports_timeouts(self) -> bool {
        self != Mutant::TimeoutAs502
    }

    /// The access-log facts of a redirect.
    pub(super) fn redirect_log(self, facts: Option<ResponseFacts>) -> Option<ResponseFacts> {
        match self {
            Mutant::RedirectNotLogged => None,
            Mutant::RedirectLoggedAsMiss => facts.map(|f| ResponseFacts {
                result_type: ResultType::Miss,
                detailed_result_type: "Miss".into(),
                ..f
            }),
            _ => facts,
        }
    }
}
