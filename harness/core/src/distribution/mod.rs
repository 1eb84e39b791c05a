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
//!
//! The model is here; the YAML form is in `format`, its validation into the model in `load` (as
//! in `spec/`), and host-name checks in `host`.

mod format;
mod host;
mod load;
#[cfg(test)]
mod tests;

pub use format::{BehaviorSpec, DistributionSpec, OriginSpec, OriginType};
pub use host::{unusable_port, valid_host_name};

use crate::pattern::{PathPattern, PreparedPath};
use crate::request::{host_without_port, Method};
use crate::yaml::Problems;
use host::{host_name, lowercase_eq};
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
