//! The distribution model: domain and aliases, origins, cache behaviors in evaluation order, the
//! ruleset a target claims and the limits in force. Loaded from YAML (`specs/distributions/*.yaml`)
//! and validated per MTH-ALLOWED-SETS, PAT-SYNTAX, ORG-WEBSITE-HTTP; every problem carries its
//! line:column.
//!
//! ```yaml
//! domain: d111111abcdef8.cloudfront.net
//! aliases: [www.example.com]
//! origins:
//!   assets: {type: s3}
//! behaviors:
//!   - {path_pattern: /images/*, viewer_protocol_policy: redirect-to-https, origin: assets}
//! default_behavior: {viewer_protocol_policy: allow-all, origin: assets}
//! ```

use crate::pattern::{PathPattern, PreparedPath};
use crate::request::{host_without_port, Method};
use crate::yaml::{OrderedMap, Pos, Problem, Problems, Spanned};
use crate::RuleId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which answer `redirect-to-https` gives to non-GET/HEAD methods over HTTP (RULES.md, "Rulesets").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "lowercase")]
pub enum Ruleset {
    /// 403, not redirected, origin not contacted.
    #[default]
    Classic,
    /// HTTP/1.1: 307 to the same HTTPS URL; HTTP/1.0: 403.
    Current,
}

impl Ruleset {
    pub fn as_str(self) -> &'static str {
        match self {
            Ruleset::Classic => "classic",
            Ruleset::Current => "current",
        }
    }
}

/// VPP-ALLOW-ALL, VPP-REDIRECT-SAFE/UNSAFE, VPP-HTTPS-ONLY: the three policies, spelled exactly as
/// AWS spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum ViewerProtocolPolicy {
    AllowAll,
    RedirectToHttps,
    HttpsOnly,
}

impl ViewerProtocolPolicy {
    pub const ALL: [ViewerProtocolPolicy; 3] = [
        ViewerProtocolPolicy::AllowAll,
        ViewerProtocolPolicy::RedirectToHttps,
        ViewerProtocolPolicy::HttpsOnly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ViewerProtocolPolicy::AllowAll => "allow-all",
            ViewerProtocolPolicy::RedirectToHttps => "redirect-to-https",
            ViewerProtocolPolicy::HttpsOnly => "https-only",
        }
    }
}

impl fmt::Display for ViewerProtocolPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// ORG-CUSTOM-POLICY: how a custom origin is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum OriginProtocolPolicy {
    HttpOnly,
    HttpsOnly,
    MatchViewer,
}

impl OriginProtocolPolicy {
    pub const ALL: [OriginProtocolPolicy; 3] = [
        OriginProtocolPolicy::HttpOnly,
        OriginProtocolPolicy::HttpsOnly,
        OriginProtocolPolicy::MatchViewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OriginProtocolPolicy::HttpOnly => "http-only",
            OriginProtocolPolicy::HttpsOnly => "https-only",
            OriginProtocolPolicy::MatchViewer => "match-viewer",
        }
    }
}

/// What kind of origin, with the settings each kind has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum OriginKind {
    /// ORG-S3-MATCH-VIEWER: an S3 REST endpoint, reached over the viewer's scheme on 80/443.
    S3,
    /// ORG-WEBSITE-HTTP: an S3 website endpoint, HTTP only.
    S3Website { http_port: u16 },
    /// ORG-CUSTOM-POLICY: any other origin.
    Custom {
        protocol_policy: OriginProtocolPolicy,
        http_port: u16,
        https_port: u16,
    },
}

impl OriginKind {
    pub fn type_str(&self) -> &'static str {
        match self {
            OriginKind::S3 => "s3",
            OriginKind::S3Website { .. } => "s3-website",
            OriginKind::Custom { .. } => "custom",
        }
    }
}

/// One origin of the distribution.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Origin {
    pub id: String,
    #[serde(flatten)]
    pub kind: OriginKind,
    /// ORG-PATH: prefix the origin receives before the raw viewer path; empty or `/x` (no trailing `/`).
    pub origin_path: String,
}

/// A set of the seven supported methods, as a bit set (see [`Method::bit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MethodSet(pub u8);

impl MethodSet {
    /// {GET, HEAD}: the default of AllowedMethods and CachedMethods.
    pub const GET_HEAD: MethodSet = MethodSet(1 | 2);
    /// {GET, HEAD, OPTIONS}.
    pub const GET_HEAD_OPTIONS: MethodSet = MethodSet(1 | 2 | 4);
    /// All seven methods.
    pub const ALL: MethodSet = MethodSet(127);

    pub fn contains(self, m: &Method) -> bool {
        m.bit().is_some_and(|b| self.0 & b != 0)
    }

    pub fn from_methods<'a>(ms: impl IntoIterator<Item = &'a Method>) -> Option<MethodSet> {
        let mut s = 0;
        for m in ms {
            s |= m.bit()?;
        }
        Some(MethodSet(s))
    }

    pub fn methods(self) -> Vec<Method> {
        Method::SUPPORTED
            .iter()
            .filter(|m| self.contains(m))
            .cloned()
            .collect()
    }

    pub fn is_subset_of(self, other: MethodSet) -> bool {
        self.0 & !other.0 == 0
    }

    /// MTH-ALLOWED-SETS: one of the three legal AllowedMethods sets.
    pub fn is_legal_allowed(self) -> bool {
        matches!(
            self,
            MethodSet::GET_HEAD | MethodSet::GET_HEAD_OPTIONS | MethodSet::ALL
        )
    }

    /// MTH-ALLOWED-SETS: one of the two legal CachedMethods sets.
    pub fn is_legal_cached(self) -> bool {
        matches!(self, MethodSet::GET_HEAD | MethodSet::GET_HEAD_OPTIONS)
    }
}

impl Serialize for MethodSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let names: Vec<&'static str> = Method::SUPPORTED
            .iter()
            .filter(|m| self.contains(m))
            .map(|m| match m {
                Method::Get => "GET",
                Method::Head => "HEAD",
                Method::Options => "OPTIONS",
                Method::Put => "PUT",
                Method::Post => "POST",
                Method::Patch => "PATCH",
                Method::Delete => "DELETE",
                Method::Other(_) => unreachable!("SUPPORTED holds no Other"),
            })
            .collect();
        names.serialize(s)
    }
}

/// One cache behavior. The default behavior is the last entry of [`Distribution::behaviors`] with
/// pattern `*` and `is_default` set.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Behavior {
    #[serde(serialize_with = "ser_display")]
    pub path_pattern: PathPattern,
    pub viewer_protocol_policy: ViewerProtocolPolicy,
    pub allowed_methods: MethodSet,
    pub cached_methods: MethodSet,
    /// Index into [`Distribution::origins`].
    #[serde(skip)]
    pub origin: usize,
    pub forward_cloudfront_proto: bool,
    pub is_default: bool,
}

fn ser_display<T: fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// Quotas and request limits, from a profile rather than constants (cloudfront-notes OQ-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// PAT-SYNTAX: cache behaviors per distribution, the default one not counted (quota, 75).
    pub max_behaviors: usize,
    /// LIM-SIZE: request line + headers, in bytes (20,480).
    pub max_head_bytes: usize,
    /// LIM-SIZE: the constructed URL, in bytes (8,192).
    pub max_url_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_behaviors: 75,
            max_head_bytes: 20_480,
            max_url_bytes: 8_192,
        }
    }
}

/// A validated distribution.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Distribution {
    /// The distribution's own domain (`*.cloudfront.net`), lowercase.
    pub domain: String,
    /// Alternate domain names, lowercase; `*.example.com` is a wildcard alias.
    pub aliases: Vec<String>,
    pub ruleset: Ruleset,
    pub origins: Vec<Origin>,
    /// Cache behaviors in evaluation order, the default behavior last (PAT-ORDER).
    pub behaviors: Vec<Behavior>,
    pub limits: Limits,
}

impl Distribution {
    /// Loads and validates a distribution from YAML text; all problems at once, in source order.
    pub fn from_yaml(text: &str) -> Result<Distribution, Problems> {
        let spec: DistributionSpec = crate::yaml::from_str(text).map_err(|p| Problems(vec![p]))?;
        spec.validate()
    }

    pub fn origin_of(&self, b: &Behavior) -> &Origin {
        &self.origins[b.origin]
    }

    pub fn default_behavior(&self) -> &Behavior {
        self.behaviors
            .last()
            .expect("a validated distribution always has its default behavior")
    }

    /// PAT-ORDER: the first behavior whose pattern matches the normalised path; the default
    /// behavior (`*`) always matches, so this never fails. Returns the index.
    pub fn select_behavior(&self, normalized_path: &[u8]) -> usize {
        let path = PreparedPath::new(normalized_path);
        let selects = |b: &Behavior| b.is_default || b.path_pattern.matches_prepared(&path);
        // Four behaviors at a time through a necessary condition without branches (default, or
        // the pattern's first bytes fit), so a block that cannot match costs one branch; only
        // a block that may match is tried in order.
        let (blocks, rest) = self.behaviors.as_chunks::<4>();
        for (k, block) in blocks.iter().enumerate() {
            let may = block.iter().fold(false, |may, b| {
                may | b.is_default | b.path_pattern.may_match(&path)
            });
            if may {
                if let Some(i) = block.iter().position(selects) {
                    return k * 4 + i;
                }
            }
        }
        rest.iter()
            .position(selects)
            .map(|i| blocks.len() * 4 + i)
            .unwrap_or(self.behaviors.len() - 1)
    }

    /// HOST-ROUTE: whether a `Host` header value names this distribution (port ignored,
    /// case-insensitive, exact domain or alias, or a wildcard alias).
    pub fn routes_host(&self, host: &str) -> bool {
        self.routes_authority(host, host_without_port(host))
    }

    /// [`Distribution::routes_host`] given `host_without_port(host)` as well, for a caller that
    /// needs it again (a `Location`).
    pub(crate) fn routes_authority(&self, host: &str, authority: &str) -> bool {
        let Some((name, upper)) = host_name(host, authority) else {
            return false;
        };
        // The name is compared as if lowercased, without building the lowercase copy; most
        // `Host` headers have no uppercase letter, and then a plain comparison is the same.
        let name = name.as_bytes();
        let is = |part: &[u8], config: &str| match upper {
            false => part == config.as_bytes(),
            true => lowercase_eq(part, config.as_bytes()),
        };
        is(name, &self.domain)
            || self.aliases.iter().any(|a| match a.strip_prefix("*.") {
                Some(suffix) => {
                    let cut = name.len().wrapping_sub(suffix.len());
                    name.len() > suffix.len() + 1
                        && is(&name[cut..], suffix)
                        && name[cut - 1] == b'.'
                }
                None => is(name, a),
            })
    }
}

/// Whether `name`, lowercased, is `config` byte for byte.
fn lowercase_eq(name: &[u8], config: &[u8]) -> bool {
    name.len() == config.len()
        && name
            .iter()
            .zip(config)
            .all(|(n, c)| n.to_ascii_lowercase() == *c)
}

/// A `Host` header value reduced to a lowercase host name with the port removed, or `None` when it
/// is not a valid DNS host name (letters, digits, hyphens; labels of 1–63 bytes; at most 253
/// bytes; an optional trailing dot removed) with an optional numeric port.
pub fn valid_host_name(host: &str) -> Option<String> {
    host_name(host, host_without_port(host)).map(|(name, _)| name.to_ascii_lowercase())
}

/// [`valid_host_name`] before lowercasing: the name as the `Host` header spells it, and whether it
/// has an uppercase letter. `name` is `host_without_port(host)`.
fn host_name<'a>(host: &str, name: &'a str) -> Option<(&'a str, bool)> {
    if name.len() < host.len() {
        // Whatever follows the name must be `:port`; after a bracketed literal it can be any
        // character, so never assume it is one byte long.
        let port = host[name.len()..].strip_prefix(':')?;
        if port.is_empty() || port.len() > 5 || port.parse::<u16>().is_err() {
            return None;
        }
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    // Labels: 1–63 bytes of letters, digits and `-`, not starting or ending with `-`. `prev`
    // starts as a `.`, as if the name followed a label.
    let (mut prev, mut label_start, mut seen) = (DOT, 0, 0);
    for (i, &b) in name.as_bytes().iter().enumerate() {
        let class = HOST_BYTE[usize::from(b)];
        seen |= class;
        let class = class & !UPPER;
        match class {
            ALNUM => {}
            DOT if prev != ALNUM || i - label_start > 63 => return None,
            DOT => label_start = i + 1,
            HYPHEN if prev == DOT => return None,
            HYPHEN => {}
            _ => return None,
        }
        prev = class;
    }
    (prev == ALNUM && name.len() - label_start <= 63).then_some((name, seen & UPPER != 0))
}

/// Classes of the bytes of a host name ([`HOST_BYTE`]).
const OTHER: u8 = 0;
const ALNUM: u8 = 1;
const HYPHEN: u8 = 2;
const DOT: u8 = 3;
/// Added to `ALNUM` for `A`–`Z`.
const UPPER: u8 = 4;

/// The class of every byte: one table look-up per byte of a `Host`.
static HOST_BYTE: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'0'..=b'9' | b'a'..=b'z' => ALNUM,
            b'A'..=b'Z' => ALNUM | UPPER,
            b'-' => HYPHEN,
            b'.' => DOT,
            _ => OTHER,
        };
        b += 1;
    }
    t
};

// ---------------------------------------------------------------------------------------------
// The YAML form.

/// The YAML form of a distribution (`specs/distributions/*.yaml`).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributionSpec {
    /// The distribution's domain name, e.g. `d111111abcdef8.cloudfront.net`.
    #[schemars(with = "String")]
    pub domain: Spanned<String>,
    /// Alternate domain names (CNAMEs); a leading `*.` makes a wildcard alias.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub aliases: Vec<Spanned<String>>,
    /// `classic` (default): 403 for non-GET/HEAD over HTTP under redirect-to-https; `current`: 307.
    #[serde(default)]
    pub ruleset: Ruleset,
    /// Origins by id.
    pub origins: OrderedMap<String, OriginSpec>,
    /// Cache behaviors, in evaluation order.
    #[serde(default)]
    pub behaviors: Vec<BehaviorSpec>,
    /// The default behavior (`*`), always evaluated last.
    pub default_behavior: BehaviorSpec,
    /// Quotas and request limits.
    #[serde(default)]
    pub limits: Limits,
}

/// The kind of an origin in YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OriginType {
    /// An S3 REST endpoint (S3OriginConfig): reached over the viewer's protocol.
    S3,
    /// An S3 website endpoint: HTTP only.
    S3Website,
    /// A custom origin with an origin protocol policy.
    Custom,
}

/// One origin in YAML.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OriginSpec {
    /// `s3`, `s3-website` or `custom`.
    #[serde(rename = "type")]
    #[schemars(with = "OriginType")]
    pub kind: Spanned<OriginType>,
    /// Custom origins: `http-only`, `https-only` or `match-viewer` (required for `custom`).
    #[serde(default)]
    #[schemars(with = "Option<OriginProtocolPolicy>")]
    pub protocol_policy: Option<Spanned<OriginProtocolPolicy>>,
    /// HTTPPort (default 80): 80, 443 or 1024–65535.
    #[serde(default)]
    #[schemars(with = "Option<u16>")]
    pub http_port: Option<Spanned<u16>>,
    /// HTTPSPort (default 443): 80, 443 or 1024–65535. Custom origins only.
    #[serde(default)]
    #[schemars(with = "Option<u16>")]
    pub https_port: Option<Spanned<u16>>,
    /// OriginPath: `/prefix`, no trailing slash.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub origin_path: Option<Spanned<String>>,
    /// The origin's DNS name, informational (the harness maps origins to its own listeners).
    #[serde(default)]
    pub domain_name: Option<String>,
}

/// A cache behavior in YAML (also the default behavior, which has no path pattern).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BehaviorSpec {
    /// The path pattern (`*`, `?` wildcards; a leading `/` is optional). Required on every
    /// behavior but the default one, which has none (it is `*`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub path_pattern: Option<Spanned<String>>,
    /// `allow-all`, `redirect-to-https` or `https-only`.
    #[schemars(with = "ViewerProtocolPolicy")]
    pub viewer_protocol_policy: Spanned<ViewerProtocolPolicy>,
    /// AllowedMethods: [GET, HEAD] (default), [GET, HEAD, OPTIONS] or all seven.
    #[serde(default)]
    #[schemars(with = "Option<Vec<Method>>")]
    pub allowed_methods: Option<Spanned<Vec<Method>>>,
    /// CachedMethods: [GET, HEAD] (default) or [GET, HEAD, OPTIONS]; a subset of allowed_methods.
    #[serde(default)]
    #[schemars(with = "Option<Vec<Method>>")]
    pub cached_methods: Option<Spanned<Vec<Method>>>,
    /// The id of an origin under `origins`.
    #[schemars(with = "String")]
    pub origin: Spanned<String>,
    /// Send `CloudFront-Forwarded-Proto` to the origin (ORG-CF-PROTO).
    #[serde(default)]
    pub forward_cloudfront_proto: bool,
}

fn legal_port(p: u16) -> bool {
    p == 80 || p == 443 || p >= 1024
}

impl DistributionSpec {
    /// Checks every config rule and builds the model; all problems at once, sorted by position.
    pub fn validate(self) -> Result<Distribution, Problems> {
        let mut problems = Vec::new();
        let domain = match valid_host_name(&self.domain.value) {
            Some(d) if !self.domain.value.contains(':') => d,
            _ => {
                problems.push(Problem::new(
                    Pos::of(&self.domain),
                    format!("`{}` is not a valid domain name; expected a DNS name like d111111abcdef8.cloudfront.net", self.domain.value),
                ));
                String::new()
            }
        };
        let mut aliases = Vec::new();
        for a in &self.aliases {
            let (wild, rest) = match a.value.strip_prefix("*.") {
                Some(r) => (true, r),
                None => (false, a.value.as_str()),
            };
            match valid_host_name(rest) {
                Some(n) if !rest.contains(':') && !rest.ends_with('.') => {
                    let n = if wild { format!("*.{n}") } else { n };
                    if aliases.contains(&n) || n == domain {
                        problems.push(Problem::new(Pos::of(a), format!("alias `{}` is listed twice", a.value)));
                    } else {
                        aliases.push(n);
                    }
                }
                _ => problems.push(Problem::new(
                    Pos::of(a),
                    format!("`{}` is not a valid alternate domain name; expected a DNS name like www.example.com or a wildcard like *.example.com", a.value),
                )),
            }
        }

        let mut origins = Vec::new();
        for (id, o) in &self.origins.0 {
            if let Some(origin) = validate_origin(id, o, &mut problems) {
                origins.push(origin);
            }
        }
        if self.origins.0.is_empty() {
            problems.push(Problem::new(
                Pos::of(&self.domain),
                "`origins` is empty; expected at least one origin",
            ));
        }

        if self.behaviors.len() > self.limits.max_behaviors {
            let pos = Pos::of(&self.behaviors[self.limits.max_behaviors].viewer_protocol_policy);
            problems.push(
                Problem::new(
                    pos,
                    format!(
                        "{} cache behaviors exceed the quota of {} (set limits.max_behaviors to raise it)",
                        self.behaviors.len(),
                        self.limits.max_behaviors
                    ),
                )
                .rule(RuleId::PatSyntax),
            );
        }

        let mut behaviors = Vec::new();
        for b in &self.behaviors {
            let pattern = match &b.path_pattern {
                None => {
                    problems.push(Problem::new(
                        Pos::of(&b.viewer_protocol_policy),
                        "this cache behavior has no path_pattern; expected one like /images/* (only default_behavior has none)",
                    ));
                    None
                }
                Some(pp) => match PathPattern::parse(&pp.value) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        problems.push(
                            Problem::new(Pos::of(pp), format!("path pattern `{}`: {e}", pp.value))
                                .rule(RuleId::PatSyntax),
                        );
                        None
                    }
                },
            };
            if let Some(beh) = validate_behavior(b, &self.origins, &mut problems) {
                if let Some(pattern) = pattern {
                    behaviors.push(Behavior {
                        path_pattern: pattern,
                        ..beh
                    });
                }
            }
        }
        if let Some(pp) = &self.default_behavior.path_pattern {
            problems.push(Problem::new(
                Pos::of(pp),
                "default_behavior takes no path_pattern: it is always `*` and evaluated last; remove it",
            ));
        }
        if let Some(beh) = validate_behavior(&self.default_behavior, &self.origins, &mut problems) {
            behaviors.push(Behavior {
                is_default: true,
                ..beh
            });
        }

        if problems.is_empty() {
            Ok(Distribution {
                domain,
                aliases,
                ruleset: self.ruleset,
                origins,
                behaviors,
                limits: self.limits,
            })
        } else {
            problems.sort_by_key(|p| p.pos);
            Err(Problems(problems))
        }
    }
}

fn validate_origin(id: &str, o: &OriginSpec, problems: &mut Vec<Problem>) -> Option<Origin> {
    let before = problems.len();
    let mut port = |p: &Option<Spanned<u16>>, default: u16, what: &str| -> u16 {
        match p {
            Some(s) if !legal_port(s.value) => {
                problems.push(Problem::new(
                    Pos::of(s),
                    format!(
                        "origin `{id}`: {what} {} is not allowed; expected 80, 443 or 1024-65535",
                        s.value
                    ),
                ));
                default
            }
            Some(s) => s.value,
            None => default,
        }
    };
    let http_port = port(&o.http_port, 80, "http_port");
    let https_port = port(&o.https_port, 443, "https_port");
    let kind = match o.kind.value {
        OriginType::S3 => {
            if let Some(p) = &o.protocol_policy {
                problems.push(
                    Problem::new(
                        Pos::of(p),
                        format!("origin `{id}`: an S3 REST origin is always reached over the viewer's protocol, so it takes no protocol_policy; remove it or use type: custom"),
                    )
                    .rule(RuleId::OrgS3MatchViewer),
                );
            }
            for p in [&o.http_port, &o.https_port].into_iter().flatten() {
                problems.push(
                    Problem::new(Pos::of(p), format!("origin `{id}`: an S3 REST origin is reached on ports 80 and 443 only; remove the port"))
                        .rule(RuleId::OrgS3MatchViewer),
                );
            }
            OriginKind::S3
        }
        OriginType::S3Website => {
            if let Some(p) = &o.protocol_policy {
                if p.value != OriginProtocolPolicy::HttpOnly {
                    problems.push(
                        Problem::new(
                            Pos::of(p),
                            format!("origin `{id}`: an S3 website endpoint does not support HTTPS, so protocol_policy must be http-only, not {}", p.value.as_str()),
                        )
                        .rule(RuleId::OrgWebsiteHttp),
                    );
                }
            }
            if let Some(p) = &o.https_port {
                problems.push(
                    Problem::new(Pos::of(p), format!("origin `{id}`: an S3 website endpoint is reached over HTTP only; https_port has no meaning, remove it"))
                        .rule(RuleId::OrgWebsiteHttp),
                );
            }
            OriginKind::S3Website { http_port }
        }
        OriginType::Custom => match &o.protocol_policy {
            Some(p) => OriginKind::Custom {
                protocol_policy: p.value,
                http_port,
                https_port,
            },
            None => {
                problems.push(Problem::new(
                    Pos::of(&o.kind),
                    format!("origin `{id}`: a custom origin needs protocol_policy; expected http-only, https-only or match-viewer"),
                ));
                OriginKind::Custom {
                    protocol_policy: OriginProtocolPolicy::MatchViewer,
                    http_port,
                    https_port,
                }
            }
        },
    };
    let origin_path = match &o.origin_path {
        Some(p) if p.value.is_empty() => String::new(),
        Some(p)
            if !p.value.starts_with('/')
                || p.value.ends_with('/')
                || p.value.contains(['?', '#', ' ']) =>
        {
            problems.push(Problem::new(
                Pos::of(p),
                format!("origin `{id}`: origin_path `{}` is not valid; expected a path that starts with `/` and does not end with `/`, like /v1", p.value),
            ));
            String::new()
        }
        Some(p) => p.value.clone(),
        None => String::new(),
    };
    (problems.len() == before).then(|| Origin {
        id: id.to_string(),
        kind,
        origin_path,
    })
}

fn validate_behavior(
    c: &BehaviorSpec,
    origins: &OrderedMap<String, OriginSpec>,
    problems: &mut Vec<Problem>,
) -> Option<Behavior> {
    let before = problems.len();
    let origin = origins.0.iter().position(|(id, _)| *id == c.origin.value);
    if origin.is_none() {
        let known: Vec<&str> = origins.0.iter().map(|(id, _)| id.as_str()).collect();
        problems.push(Problem::new(
            Pos::of(&c.origin),
            format!(
                "unknown origin `{}`; expected one of: {}",
                c.origin.value,
                known.join(", ")
            ),
        ));
    }
    let set = |s: &Option<Spanned<Vec<Method>>>, problems: &mut Vec<Problem>| -> MethodSet {
        let Some(s) = s else {
            return MethodSet::GET_HEAD;
        };
        for (i, m) in s.value.iter().enumerate() {
            if s.value[..i].contains(m) {
                problems.push(
                    Problem::new(Pos::of(s), format!("method {m} is listed twice"))
                        .rule(RuleId::MthAllowedSets),
                );
            }
        }
        match MethodSet::from_methods(&s.value) {
            Some(set) => set,
            None => {
                let bad: Vec<&str> = s
                    .value
                    .iter()
                    .filter(|m| !m.is_supported())
                    .map(|m| m.as_str())
                    .collect();
                problems.push(
                    Problem::new(Pos::of(s), format!("{} is not a method CloudFront supports; expected GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE", bad.join(", ")))
                        .rule(RuleId::MthAllowedSets),
                );
                MethodSet::GET_HEAD
            }
        }
    };
    let n = problems.len();
    let allowed = set(&c.allowed_methods, problems);
    if problems.len() == n && !allowed.is_legal_allowed() {
        let s = c
            .allowed_methods
            .as_ref()
            .expect("the default set is legal");
        problems.push(
            Problem::new(Pos::of(s), "allowed_methods must be [GET, HEAD], [GET, HEAD, OPTIONS] or all seven methods [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE]")
                .rule(RuleId::MthAllowedSets),
        );
    }
    let n = problems.len();
    let cached = set(&c.cached_methods, problems);
    if problems.len() == n {
        if let Some(s) = &c.cached_methods {
            if !cached.is_legal_cached() {
                problems.push(
                    Problem::new(
                        Pos::of(s),
                        "cached_methods must be [GET, HEAD] or [GET, HEAD, OPTIONS]",
                    )
                    .rule(RuleId::MthAllowedSets),
                );
            } else if !cached.is_subset_of(allowed) {
                problems.push(
                    Problem::new(Pos::of(s), "cached_methods must be a subset of allowed_methods (OPTIONS cannot be cached unless it is allowed)")
                        .rule(RuleId::MthAllowedSets),
                );
            }
        }
    }
    (problems.len() == before).then(|| Behavior {
        path_pattern: PathPattern::default_pattern(),
        viewer_protocol_policy: c.viewer_protocol_policy.value,
        allowed_methods: allowed,
        cached_methods: cached,
        origin: origin.unwrap_or(0),
        forward_cloudfront_proto: c.forward_cloudfront_proto,
        is_default: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// HOST-ROUTE as first written (lowercase copy, label by label): the oracle for the version
    /// that compares without allocating.
    fn reference_valid_host_name(host: &str) -> Option<String> {
        let name = host_without_port(host);
        if name.len() < host.len() {
            let port = host[name.len()..].strip_prefix(':')?;
            if port.is_empty() || port.len() > 5 || port.parse::<u16>().is_err() {
                return None;
            }
        }
        let name = name.strip_suffix('.').unwrap_or(name);
        if name.is_empty() || name.len() > 253 {
            return None;
        }
        for label in name.split('.') {
            if label.is_empty()
                || label.len() > 63
                || label.starts_with('-')
                || label.ends_with('-')
                || !label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return None;
            }
        }
        Some(name.to_ascii_lowercase())
    }

    fn reference_routes_host(d: &Distribution, host: &str) -> bool {
        let Some(name) = reference_valid_host_name(host) else {
            return false;
        };
        name == d.domain
            || d.aliases.iter().any(|a| match a.strip_prefix("*.") {
                Some(suffix) => {
                    name.len() > suffix.len() + 1
                        && name.ends_with(suffix)
                        && name.as_bytes()[name.len() - suffix.len() - 1] == b'.'
                }
                None => *a == name,
            })
    }

    fn dist(domain: &str, aliases: &[&str]) -> Distribution {
        let mut d = Distribution::from_yaml(
            "domain: d1.cloudfront.net\norigins: {o: {type: s3}}\ndefault_behavior: {viewer_protocol_policy: allow-all, origin: o}\n",
        )
        .expect("valid distribution");
        d.domain = domain.into();
        d.aliases = aliases.iter().map(|a| a.to_string()).collect();
        d
    }

    #[test]
    fn host_route_examples() {
        let d = dist(
            "d1.cloudfront.net",
            &["www.example.com", "*.media.example.com"],
        );
        for (host, routed) in [
            ("d1.cloudfront.net", true),
            ("D1.CloudFront.NET:8080", true),
            ("d1.cloudfront.net.", true),
            ("www.example.com", true),
            ("a.media.example.com", true),
            ("A.b.MEDIA.example.com:443", true),
            ("media.example.com", false),
            (".media.example.com", false),
            ("amedia.example.com", false),
            ("d1.cloudfront.net:", false),
            ("d1.cloudfront.net:65536", false),
            ("-a.media.example.com", false),
            ("a-.media.example.com", false),
            ("a..media.example.com", false),
            ("[::1]", false),
            ("", false),
        ] {
            assert_eq!(d.routes_host(host), routed, "{host:?}");
            assert_eq!(reference_routes_host(&d, host), routed, "{host:?}");
        }
        // A configured name that is not lowercase matches nothing, even spelled the same.
        let upper = dist("D1.example.com", &["WWW.example.com"]);
        for host in ["D1.example.com", "WWW.example.com", "d1.example.com"] {
            assert!(!upper.routes_host(host), "{host:?}");
            assert!(!reference_routes_host(&upper, host), "{host:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// HOST-ROUTE: the validation and comparison without a lowercase copy agree with the
        /// original, for hosts made of the bytes that matter (case, dots, hyphens, ports, brackets,
        /// a non-ASCII character) and configurations whose names need not be lowercase.
        #[test]
        fn host_route_agrees_with_reference(
            host in "[aAbB.\\-:0-9\\[\\]é]{0,14}",
            domain in "[aAbB.-]{0,6}",
            alias in "(\\*\\.)?[aAbB.-]{0,6}",
        ) {
            let d = dist(&domain, &[&alias]);
            prop_assert_eq!(valid_host_name(&host), reference_valid_host_name(&host));
            prop_assert_eq!(d.routes_host(&host), reference_routes_host(&d, &host));
        }

        /// PAT-ORDER: the block-wise selection picks what a plain first-match scan picks, for any
        /// number of behaviors (full blocks of four and a rest), `is_default` anywhere.
        #[test]
        fn select_behavior_is_first_match(
            behaviors in proptest::collection::vec(("/?[ab]{0,9}[*?]?[ab/]{0,3}", proptest::bool::weighted(0.1)), 0..14),
            path in "/[ab/]{0,12}",
        ) {
            let mut d = dist("d1.cloudfront.net", &[]);
            let default = d.behaviors.pop().expect("the default behavior");
            for (raw, is_default) in &behaviors {
                let raw = if raw.is_empty() { "*" } else { raw.as_str() };
                d.behaviors.push(Behavior {
                    path_pattern: PathPattern::parse(raw).expect("valid pattern"),
                    is_default: *is_default,
                    ..default.clone()
                });
            }
            d.behaviors.push(default);
            let want = d
                .behaviors
                .iter()
                .position(|b| b.is_default || b.path_pattern.matches(path.as_bytes()))
                .unwrap_or(d.behaviors.len() - 1);
            prop_assert_eq!(d.select_behavior(path.as_bytes()), want);
        }

        /// Labels around the 63-byte limit, and names around the 253-byte one.
        #[test]
        fn long_labels_agree_with_reference(
            labels in proptest::collection::vec("[a-z]{1,3}|[a-z]{61,65}", 1..6),
            suffix in "\\.?(:[0-9]{1,6})?",
        ) {
            let host = labels.join(".") + &suffix;
            prop_assert_eq!(valid_host_name(&host), reference_valid_host_name(&host));
        }

        /// Routed names, including wildcard aliases, are found in any case.
        #[test]
        fn routed_names_agree(label in "[a-zA-Z0-9]{1,5}", port in proptest::option::of(0u16..)) {
            let d = dist("d1.cloudfront.net", &["*.media.example.com", "www.example.com"]);
            for base in ["d1.cloudfront.net", "media.example.com", "www.example.com"] {
                let mut host = format!("{label}.{base}");
                if let Some(p) = port {
                    host.push_str(&format!(":{p}"));
                }
                prop_assert_eq!(d.routes_host(&host), reference_routes_host(&d, &host));
                prop_assert_eq!(d.routes_host(base), reference_routes_host(&d, base));
            }
        }
    }
}
