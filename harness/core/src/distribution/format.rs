//! The YAML form of a distribution (`specs/distributions/*.yaml`), as written: every value keeps
//! its position for the problems [`DistributionSpec::validate`] reports.

use super::{Limits, OriginProtocolPolicy, Ruleset, ViewerProtocolPolicy};
use crate::request::Method;
use crate::yaml::{OrderedMap, Spanned};
use serde::Deserialize;

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
