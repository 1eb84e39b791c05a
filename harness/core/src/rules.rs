//! The rule catalog of `RULES.md` as data: every rule's stable ID, group, strength and statement.
//! Code, specs and reports name rules by [`RuleId`]; the judge (`judge.rs`) holds one predicate per
//! request-checkable rule.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How well a rule is established (`RULES.md`): documented by AWS, observed in public traces,
/// inferred, a rule this project sets for itself, or a security property (always `must`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Strength {
    Documented,
    Observed,
    Inferred,
    Project,
    /// A security property: always level `must`, whatever the evidence behind the statuses.
    Security,
}

impl Strength {
    /// The verdict level a scenario resting on this rule gets by default: `must` for documented and
    /// observed rules and the project's own, `should` for inferred ones.
    pub fn default_level(self) -> Level {
        match self {
            Strength::Inferred => Level::Should,
            _ => Level::Must,
        }
    }
}

/// How much a failed check matters: `must` fails the run, `should` is reported, `info` is noted.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Should,
    Must,
}

/// Rule groups, in catalog order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Group {
    #[serde(rename = "VPP")]
    Vpp,
    #[serde(rename = "LOC")]
    Loc,
    #[serde(rename = "MTH")]
    Mth,
    #[serde(rename = "PAT")]
    Pat,
    #[serde(rename = "ORG")]
    Org,
    #[serde(rename = "BIL")]
    Bil,
    #[serde(rename = "LOG")]
    Log,
    #[serde(rename = "HOST")]
    Host,
    #[serde(rename = "LIM")]
    Lim,
    #[serde(rename = "CACHE")]
    Cache,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Vpp => "VPP",
            Group::Loc => "LOC",
            Group::Mth => "MTH",
            Group::Pat => "PAT",
            Group::Org => "ORG",
            Group::Bil => "BIL",
            Group::Log => "LOG",
            Group::Host => "HOST",
            Group::Lim => "LIM",
            Group::Cache => "CACHE",
        }
    }

    /// A heading for reports.
    pub fn title(self) -> &'static str {
        match self {
            Group::Vpp => "Viewer protocol policy",
            Group::Loc => "The redirect",
            Group::Mth => "Methods",
            Group::Pat => "Path patterns",
            Group::Org => "Origin side",
            Group::Bil => "Billing",
            Group::Log => "Access logs",
            Group::Host => "Hosts",
            Group::Lim => "Limits",
            Group::Cache => "Caching",
        }
    }
}

/// One entry of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: RuleId,
    pub group: Group,
    pub strength: Strength,
    /// What a request can exercise (`false` for config-only and project-process rules).
    pub request_checkable: bool,
    pub statement: &'static str,
}

macro_rules! catalog {
    ($( $(#[doc = $doc:literal])* $variant:ident = $id:literal, $group:ident, $strength:ident, $checkable:literal; )*) => {
        /// A rule's stable ID, as written in `RULES.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        pub enum RuleId {
            $( $(#[doc = $doc])* $variant, )*
        }

        /// Every rule of `RULES.md`, in catalog order.
        pub const CATALOG: &[Rule] = &[
            $( Rule {
                id: RuleId::$variant,
                group: Group::$group,
                strength: Strength::$strength,
                request_checkable: $checkable,
                statement: concat!($($doc),*),
            }, )*
        ];

        impl RuleId {
            pub fn as_str(self) -> &'static str {
                match self { $( RuleId::$variant => $id, )* }
            }

            pub fn parse(s: &str) -> Option<RuleId> {
                match s { $( $id => Some(RuleId::$variant), )* _ => None }
            }
        }
    };
}

catalog! {
    /// `allow-all`: HTTP and HTTPS requests are both forwarded to the origin.
    VppAllowAll = "VPP-ALLOW-ALL", Vpp, Documented, true;
    /// `redirect-to-https`: an HTTP GET or HEAD gets 301 with a `Location` built by LOC-*; the origin is not contacted.
    VppRedirectSafe = "VPP-REDIRECT-SAFE", Vpp, Documented, true;
    /// `redirect-to-https`: an HTTP DELETE, OPTIONS, PATCH, POST or PUT is not redirected under `classic`: 403, origin not contacted. Under `current`: 307 (HTTP/1.1) or 403 (HTTP/1.0).
    VppRedirectUnsafe = "VPP-REDIRECT-UNSAFE", Vpp, Documented, true;
    /// `https-only`: every HTTP request, any method, gets 403 and no object; origin not contacted.
    VppHttpsOnly = "VPP-HTTPS-ONLY", Vpp, Documented, true;
    /// No policy redirects or refuses an HTTPS request.
    VppHttpsServed = "VPP-HTTPS-SERVED", Vpp, Documented, true;
    /// The policy applied is the one of the behavior selected by PAT-*, not a global one.
    VppPerBehavior = "VPP-PER-BEHAVIOR", Vpp, Documented, true;
    /// `Location` is an absolute URL with scheme `https`.
    LocScheme = "LOC-SCHEME", Loc, Documented, true;
    /// Its host is the `Host` the viewer sent (an alias or the distribution domain), any port removed; no port is added.
    LocHost = "LOC-HOST", Loc, Observed, true;
    /// Its path and query are the viewer's raw request-target, byte for byte (no decoding, no normalising, query kept, no fragment).
    LocTarget = "LOC-TARGET", Loc, Inferred, true;
    /// `Location` never contains CR, LF or other control bytes, and never names a host other than the viewer's; a `Host` that is not a valid host name never reaches a `Location`. An open redirect is a security failure.
    LocSafe = "LOC-SAFE", Loc, Security, true;
    /// Redirects and VPP/method refusals are produced at the edge: the origin sees no request for them.
    LocEdgeOnly = "LOC-EDGE-ONLY", Loc, Documented, true;
    /// Only GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE are served; any other method token gets 403.
    MthSupported = "MTH-SUPPORTED", Mth, Inferred, true;
    /// A method outside the selected behavior's AllowedMethods gets 403; the request never falls through to a later behavior.
    MthAllowed = "MTH-ALLOWED", Mth, Observed, true;
    /// Config: AllowedMethods is one of {GET,HEAD}, {GET,HEAD,OPTIONS}, all seven; CachedMethods is {GET,HEAD} or {GET,HEAD,OPTIONS} and a subset of AllowedMethods.
    MthAllowedSets = "MTH-ALLOWED-SETS", Mth, Documented, false;
    /// A GET carrying a body gets 403.
    MthGetBody = "MTH-GET-BODY", Mth, Documented, true;
    /// Behaviors are tried in list order; the first match wins; the default behavior (`*`) is always last.
    PatOrder = "PAT-ORDER", Pat, Documented, true;
    /// `*` matches zero or more characters including `/`; `?` matches exactly one character.
    PatWildcard = "PAT-WILDCARD", Pat, Documented, true;
    /// The whole path must match (both ends anchored).
    PatAnchored = "PAT-ANCHORED", Pat, Documented, true;
    /// Matching is case-sensitive.
    PatCase = "PAT-CASE", Pat, Documented, true;
    /// A leading `/` in the pattern is optional: `/img/*` is the same as `img/*`.
    PatSlash = "PAT-SLASH", Pat, Documented, true;
    /// The query string (and Host, cookies) play no part in matching.
    PatQuery = "PAT-QUERY", Pat, Documented, true;
    /// The path is normalised (unreserved percent-decoding, dot-segment removal) for matching only; the raw path is what the origin receives.
    PatNormalize = "PAT-NORMALIZE", Pat, Documented, true;
    /// Config: a pattern is at most 255 characters from `A-Za-z0-9_-.*$/~"'@:+&`; at most 75 behaviors.
    PatSyntax = "PAT-SYNTAX", Pat, Documented, false;
    /// Matching a path of n bytes against a pattern of m bytes costs O(n*m) at worst.
    PatLinear = "PAT-LINEAR", Pat, Project, false;
    /// An S3 REST origin is reached over the viewer's protocol; this cannot be configured.
    OrgS3MatchViewer = "ORG-S3-MATCH-VIEWER", Org, Documented, true;
    /// An S3 website-endpoint origin is reached over HTTP only; a config that asks for HTTPS to it is a config error.
    OrgWebsiteHttp = "ORG-WEBSITE-HTTP", Org, Documented, true;
    /// A custom origin is reached per its OriginProtocolPolicy (`http-only`, `https-only`, `match-viewer`) on HTTPPort/HTTPSPort.
    OrgCustomPolicy = "ORG-CUSTOM-POLICY", Org, Documented, true;
    /// The origin receives OriginPath + the raw viewer path + the query.
    OrgPath = "ORG-PATH", Org, Documented, true;
    /// Origin refused or failed TLS gets 502; no answer in time gets 504.
    OrgFailure = "ORG-FAILURE", Org, Documented, true;
    /// A viewer-sent `X-Forwarded-Proto` never reaches the origin.
    OrgXfpStripped = "ORG-XFP-STRIPPED", Org, Documented, true;
    /// When enabled on the behavior, `CloudFront-Forwarded-Proto` carries the viewer's scheme (not the origin's).
    OrgCfProto = "ORG-CF-PROTO", Org, Documented, true;
    /// Every response sent to a viewer is one billable request, in the line item of the viewer's scheme; non-GET/HEAD requests forwarded to the origin are the proxy class of that scheme.
    BilPerResponse = "BIL-PER-RESPONSE", Bil, Documented, true;
    /// A redirect pair is two billable requests: the HTTP leg is charged for request and response headers only (no object bytes); the HTTPS leg for request, headers and object.
    BilRedirectPair = "BIL-REDIRECT-PAIR", Bil, Documented, true;
    /// An edge 403 is billed as one request plus the bytes sent (headers and the error page).
    BilRefusal = "BIL-REFUSAL", Bil, Inferred, true;
    /// Requests and bytes in the target's access log equal the wire ledger for the same run.
    BilLogReconcile = "BIL-LOG-RECONCILE", Bil, Project, true;
    /// Standard logs: `#Version: 1.0`, `#Fields:` line, 33 tab-separated fields in AWS's order, `-` for empty, RFC 1738-style escaping.
    LogFormat = "LOG-FORMAT", Log, Documented, true;
    /// A VPP redirect is logged with result type `Redirect`; an edge 403 with `Error`; `cs-protocol` is the viewer's scheme.
    LogResultType = "LOG-RESULT-TYPE", Log, Documented, true;
    /// The `Host` (port ignored, case-insensitive) must be the distribution's domain or one of its aliases; a valid but unknown `Host` gets 403. A malformed `Host`, more than one, or none on HTTP/1.1 gets 400 (RFC 9112) or 403.
    HostRoute = "HOST-ROUTE", Host, Documented, true;
    /// Request line + headers over 20,480 bytes, or a URL over 8,192 bytes, is refused at the edge and not logged: 413 (the model), or 400, 414 or 431 (the RFC statuses).
    LimSize = "LIM-SIZE", Lim, Documented, true;
    /// A GET/HEAD a behavior serves may be answered from the cache: "forwarded" means forwarded or served from the cache; origin-side rules are not observed for a hit unless the fetch that filled it is known.
    CacheHitServed = "CACHE-HIT-SERVED", Cache, Documented, true;
    /// The default cache key does not include the viewer's protocol: an HTTPS viewer may be served an object fetched for an HTTP viewer.
    CacheKeyProtocol = "CACHE-KEY-PROTOCOL", Cache, Documented, true;
    /// A response to PUT, POST, PATCH or DELETE is never served from the cache; those always reach the origin.
    CacheNeverUnsafe = "CACHE-NEVER-UNSAFE", Cache, Documented, true;
    /// The viewer protocol policy is applied before the cache is consulted: a cached object never answers an HTTP request under redirect-to-https or https-only.
    CachePolicyFirst = "CACHE-POLICY-FIRST", Cache, Documented, true;
}

impl RuleId {
    /// The catalog entry of this ID.
    pub fn rule(self) -> &'static Rule {
        // The catalog lists the variants in declaration order, so the discriminant is the index.
        &CATALOG[self as usize]
    }

    pub fn group(self) -> Group {
        self.rule().group
    }

    pub fn strength(self) -> Strength {
        self.rule().strength
    }

    pub fn statement(self) -> &'static str {
        self.rule().statement
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RuleId::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown rule ID `{s}`; expected an ID from RULES.md such as VPP-REDIRECT-SAFE"
            ))
        })
    }
}

impl schemars::JsonSchema for RuleId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RuleId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let ids: Vec<&str> = CATALOG.iter().map(|r| r.id.as_str()).collect();
        schemars::json_schema!({
            "type": "string",
            "description": "A rule ID from RULES.md.",
            "enum": ids
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_index_is_the_discriminant() {
        for (i, r) in CATALOG.iter().enumerate() {
            assert_eq!(r.id as usize, i);
            assert_eq!(RuleId::parse(r.id.as_str()), Some(r.id));
            assert!(r.id.as_str().starts_with(r.group.as_str()));
            assert!(!r.statement.is_empty());
        }
    }

    /// The rule rows of a catalog file: (ID, strength column), in order.
    fn rows(text: &str) -> Vec<(&str, &str)> {
        text.lines()
            .filter_map(|l| l.strip_prefix("| "))
            .filter_map(|l| {
                let cells: Vec<&str> = l.split(" | ").collect();
                let id = cells[0].trim_end_matches(" |");
                let is_id = id.contains('-')
                    && id
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
                (is_id && cells.len() >= 3)
                    .then(|| (id, cells[cells.len() - 1].trim_end_matches(" |")))
            })
            .collect()
    }

    /// The strength a catalog row's `str` column names: its first word decides (`D (details I)`
    /// is documented, with inferred details).
    fn strength_of(column: &str) -> Option<Strength> {
        let c = column.trim();
        if c.starts_with("security") {
            Some(Strength::Security)
        } else if c.starts_with("project") {
            Some(Strength::Project)
        } else {
            match c.chars().next()? {
                'D' => Some(Strength::Documented),
                'O' => Some(Strength::Observed),
                'I' => Some(Strength::Inferred),
                _ => None,
            }
        }
    }

    #[test]
    fn catalog_matches_docs_rules_md() {
        // The catalog users read lives in the repository: every rule there is in CATALOG with the
        // same strength, in the same order, and the other way round.
        let text = include_str!("../../../docs/RULES.md");
        let rows = rows(text);
        let theirs: Vec<(&str, Option<Strength>)> =
            rows.iter().map(|(id, s)| (*id, strength_of(s))).collect();
        let ours: Vec<(&str, Option<Strength>)> = CATALOG
            .iter()
            .map(|r| (r.id.as_str(), Some(r.strength)))
            .collect();
        assert_eq!(theirs, ours);
    }

    #[test]
    fn rows_and_strengths_are_read_as_written() {
        let text = "| ID | rule | str |\n|---|---|---|\n| VPP-A | a rule | D |\n| LOC-B | x | b | security (`must`) |\n| not a row\n";
        assert_eq!(
            rows(text),
            vec![("VPP-A", "D"), ("LOC-B", "security (`must`)")]
        );
        assert_eq!(strength_of("D (details I)"), Some(Strength::Documented));
        assert_eq!(strength_of("project rule"), Some(Strength::Project));
        assert_eq!(strength_of("I"), Some(Strength::Inferred));
        assert_eq!(strength_of("?"), None);
    }

    #[test]
    fn docs_rules_md_follows_the_team_catalog() {
        // The team's catalog beside the repository (when present: CI and developers have it) is
        // the input for new rules; the repository's copy must carry the same rule rows.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/RULES.md");
        let Ok(shared) = std::fs::read_to_string(path) else {
            eprintln!("note: {path} is absent; only docs/RULES.md is checked against the code");
            return;
        };
        let docs = include_str!("../../../docs/RULES.md");
        let row_lines = |t: &str| -> Vec<String> {
            t.lines()
                .filter(|l| rows(l).len() == 1)
                .map(str::to_string)
                .collect()
        };
        assert_eq!(row_lines(docs), row_lines(&shared));
    }
}
