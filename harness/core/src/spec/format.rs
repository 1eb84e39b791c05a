//! The YAML form of a suite, as serde reads it: a distribution (a file or inline), scenarios with
//! structured expectations on the viewer, the origin, the bill and the access log, and an optional
//! matrix. Every value a later check may complain about keeps its position ([`Spanned`]). The JSON
//! Schema at `specs/schema.json` is generated from these types (see [`super::schema`]), so the doc
//! comments here are what an editor shows.
//!
//! ```yaml
//! # yaml-language-server: $schema=schema.json
//! distribution: distributions/standard.yaml
//! scenarios:
//!   - id: redirect-get-keeps-query
//!     name: An HTTP GET under redirect-to-https gets 301 to the same URL over HTTPS, query kept
//!     rules: [VPP-REDIRECT-SAFE, LOC-SCHEME]
//!     request: {method: GET, scheme: http, path: /images/a.jpg?x=1}
//!     expect:
//!       viewer: {status: 301, location: same-url-over-https}
//!       origin: {contacted: false}
//! ```
//!
//! Values a suite gets wrong often (rule IDs, methods, schemes, versions) are read as strings and
//! checked by the loader, so that all such problems of a file are reported at once instead of
//! serde stopping at the first one.

use crate::distribution::DistributionSpec;
use crate::request::{HttpVersion, Scheme};
use crate::rules::{Level, RuleId};
use crate::yaml::{OrderedMap, Spanned};
use crate::Method;
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// An edgeconform suite: one distribution and the scenarios run against it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "edgeconform suite")]
pub struct SuiteSpec {
    /// The distribution the scenarios run against: a YAML file, path relative to this file (e.g.
    /// `distributions/standard.yaml`), or an inline distribution.
    #[schemars(with = "DistributionRef")]
    pub distribution: Spanned<DistributionRef>,
    /// Tags added to every case of this suite (kebab-case).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub tags: Vec<Spanned<String>>,
    /// Hand-written scenarios.
    #[serde(default)]
    pub scenarios: Vec<ScenarioSpec>,
    /// A generated matrix of cases whose expectations all come from the model.
    #[serde(default)]
    pub matrix: Option<MatrixSpec>,
}

/// A distribution file (path relative to the suite) or an inline distribution.
#[derive(Debug)]
pub enum DistributionRef {
    Path(String),
    Inline(Box<DistributionSpec>),
}

impl<'de> Deserialize<'de> for DistributionRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DistributionRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a distribution file name (like distributions/standard.yaml) or an inline distribution")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DistributionRef, E> {
                Ok(DistributionRef::Path(s.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<DistributionRef, A::Error> {
                DistributionSpec::deserialize(de::value::MapAccessDeserializer::new(m))
                    .map(|s| DistributionRef::Inline(Box::new(s)))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for DistributionRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DistributionRef".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let inline = g.subschema_for::<DistributionSpec>();
        schemars::json_schema!({
            "description": "A distribution file, path relative to the suite, or an inline distribution.",
            "anyOf": [
                { "type": "string", "description": "Path of a distribution file relative to this suite.", "examples": ["distributions/standard.yaml"] },
                inline
            ]
        })
    }
}

/// One hand-written scenario: a request (or a redirect pair) and what each observer must see.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Stable kebab-case id, never a position (e.g. `redirect-get-keeps-query`).
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: Spanned<String>,
    /// The requirement, as a sentence: "An HTTP POST under redirect-to-https is refused with 403".
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The RULES.md IDs this scenario checks (at least one).
    #[schemars(with = "Vec<RuleId>")]
    pub rules: Spanned<Vec<Spanned<String>>>,
    /// `must`, `should` or `info`. Default: `must`, or `should` when a rule is inferred (I).
    #[serde(default)]
    #[schemars(with = "Option<Level>")]
    pub level: Option<Spanned<Level>>,
    /// Free tags for selection (`edgeconform list --tag T`), kebab-case.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub tags: Vec<Spanned<String>>,
    /// The viewer request.
    pub request: RequestSpec,
    /// `true` on an HTTP GET or HEAD: follow the redirect with the same request over HTTPS (a
    /// redirect pair); `expect.follow` and `expect.billing` then speak of both legs.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub follow: Option<Spanned<bool>>,
    /// Size in bytes of the object the origin serves for this request (for billing checks).
    #[serde(default)]
    pub object_size: Option<u64>,
    /// Make the origin fail for this request (ORG-FAILURE): `refused` (connection refused or TLS
    /// failure, 502) or `timeout` (no answer in time, 504).
    #[serde(default)]
    #[schemars(with = "Option<OriginFailureSpec>")]
    pub origin_failure: Option<Spanned<OriginFailureSpec>>,
    /// Read the target's access log for this request (LOG-*, BIL-LOG-RECONCILE).
    #[serde(default)]
    pub access_log: bool,
    /// Send a priming request first, so that a caching edge may hold the object when the
    /// scenario's request comes (CACHE-*). It is not judged; the report lists it after the
    /// scenario's legs with `prime: true`. `{}` sends the scenario's request itself; `method`,
    /// `scheme` and `path` change it.
    #[serde(default)]
    #[schemars(with = "Option<PrimeSpec>")]
    pub prime: Option<Spanned<PrimeSpec>>,
    /// Whether the origin lets caches keep its answers to this scenario (and to its priming
    /// request): `true` sends `Cache-Control: public, max-age=300`, `false` `no-store`. Default:
    /// the origin's own setting (`no-store` unless it runs with `--cacheable`).
    #[serde(default)]
    pub cacheable: Option<bool>,
    /// What each observer must see: `model` (the default) takes everything from the decision
    /// model; a mapping states some observers and the model fills the ones left out.
    #[serde(default)]
    #[schemars(with = "Option<ExpectSpec>")]
    pub expect: Option<Spanned<ExpectSpec>>,
}

/// The priming request of a scenario: the scenario's request, with these changes.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrimeSpec {
    /// Another method (the body is then the one a real client sends for it).
    #[serde(default)]
    #[schemars(with = "Option<Method>")]
    pub method: Option<Spanned<String>>,
    /// Another scheme: `http` or `https`.
    #[serde(default)]
    #[schemars(with = "Option<Scheme>")]
    pub scheme: Option<Spanned<String>>,
    /// Another raw request-target.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub path: Option<Spanned<String>>,
}

/// How the origin fails (ORG-FAILURE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OriginFailureSpec {
    /// Connection refused or TLS failure: 502.
    Refused,
    /// No answer in time: 504.
    Timeout,
}

/// The viewer request. Nothing is normalised: `path` goes on the wire byte for byte.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// The method token: GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE or any other token.
    #[schemars(with = "Method")]
    pub method: Spanned<String>,
    /// `http` or `https`.
    #[schemars(with = "Scheme")]
    pub scheme: Spanned<String>,
    /// The raw request-target: path, then `?` and the query if any (e.g. `/images/a.jpg?x=1`).
    #[schemars(with = "String", regex(pattern = "^/"))]
    pub path: Spanned<String>,
    /// The `Host` header, with an optional port. Default: the distribution's domain.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub host: Option<Spanned<String>>,
    /// Send no `Host` header at all (HOST-ROUTE); only over HTTP/1.0.
    #[serde(default)]
    pub omit_host: bool,
    /// HTTP version: "1.0", "1.1" (default) or "2" (HTTPS only).
    #[serde(default)]
    #[schemars(with = "Option<VersionSchema>")]
    pub version: Option<Spanned<String>>,
    /// Extra request headers, in order.
    #[serde(default)]
    #[schemars(with = "Option<OrderedMap<String, String>>")]
    pub headers: Option<Spanned<OrderedMap<String, String>>>,
    /// Request body length in bytes, sent with `Content-Length`. Default: as real clients send,
    /// a 16-byte body for POST, PUT and PATCH, none for the other methods; `0` sends an empty body
    /// with `Content-Length: 0`.
    #[serde(default)]
    pub body_size: Option<u64>,
    /// `false`: send no `Content-Length` and no body, as no real client does for POST, PUT or
    /// PATCH; a 411 Length Required is then reported as `info`, not as a policy violation.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub content_length: Option<Spanned<bool>>,
    /// Grow the request to a given size without writing it out (LIM-SIZE).
    #[serde(default)]
    pub pad: Option<PadSpec>,
}

/// Padding that makes a request large without spelling it out in the spec.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PadSpec {
    /// Add an `X-Edgeconform-Pad` header whose value is this many bytes of `a`.
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub header_bytes: Option<Spanned<u64>>,
    /// Append this many bytes of `a` to the path (before the query).
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub path_bytes: Option<Spanned<u64>>,
}

/// The largest padding a spec may ask for (1 MiB): enough for every limit, small enough to build.
pub const MAX_PAD: u64 = 1 << 20;

/// The header [`PadSpec::header_bytes`] adds.
pub const PAD_HEADER: &str = "X-Edgeconform-Pad";

/// The schema of `version`: a string, though an unquoted 1.0 or 1.1 is accepted too.
pub struct VersionSchema;

impl JsonSchema for VersionSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HttpVersion".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "HTTP version: \"1.0\", \"1.1\" or \"2\" (HTTP/2 needs https).",
            "enum": ["1.0", "1.1", "2", 1.0, 1.1, 2]
        })
    }
}

/// `model`, or a mapping of observers.
#[derive(Debug)]
pub enum ExpectSpec {
    /// Every expectation comes from the decision model.
    Model,
    /// Stated observers; the model fills the ones left out.
    Stated(Box<ExpectBlock>),
}

impl<'de> Deserialize<'de> for ExpectSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExpectSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`model` or a mapping with viewer, origin, billing, log and follow")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ExpectSpec, E> {
                if s == "model" {
                    Ok(ExpectSpec::Model)
                } else {
                    Err(E::custom(format!(
                        "`{s}` is not an expectation; expected `model` or a mapping with viewer, origin, billing, log and follow"
                    )))
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<ExpectSpec, A::Error> {
                ExpectBlock::deserialize(de::value::MapAccessDeserializer::new(m))
                    .map(|b| ExpectSpec::Stated(Box::new(b)))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for ExpectSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Expect".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let block = g.subschema_for::<ExpectBlock>();
        schemars::json_schema!({
            "description": "`model`: every expectation from the decision model; or the observers this scenario states (the model fills the others).",
            "anyOf": [ { "const": "model" }, block ]
        })
    }
}

/// Expectations on each observer of the first request; the ones left out come from the model.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectBlock {
    /// What the viewer receives.
    #[serde(default)]
    #[schemars(with = "Option<ViewerSpec>")]
    pub viewer: Option<Spanned<ViewerSpec>>,
    /// What reaches the origin.
    #[serde(default)]
    #[schemars(with = "Option<OriginExpectSpec>")]
    pub origin: Option<Spanned<OriginExpectSpec>>,
    /// The charge of the scenario, over every leg.
    #[serde(default)]
    #[schemars(with = "Option<BillingSpec>")]
    pub billing: Option<Spanned<BillingSpec>>,
    /// The target's access-log line (needs `access_log: true`).
    #[serde(default)]
    #[schemars(with = "Option<LogSpec>")]
    pub log: Option<Spanned<LogSpec>>,
    /// The HTTPS leg of a redirect pair (needs `follow: true`).
    #[serde(default)]
    #[schemars(with = "Option<LegSpec>")]
    pub follow: Option<Spanned<LegSpec>>,
}

/// Expectations on the HTTPS leg of a redirect pair.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegSpec {
    #[serde(default)]
    #[schemars(with = "Option<ViewerSpec>")]
    pub viewer: Option<Spanned<ViewerSpec>>,
    #[serde(default)]
    #[schemars(with = "Option<OriginExpectSpec>")]
    pub origin: Option<Spanned<OriginExpectSpec>>,
    #[serde(default)]
    #[schemars(with = "Option<LogSpec>")]
    pub log: Option<Spanned<LogSpec>>,
}

/// What the viewer receives.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewerSpec {
    /// The status code, or a list of acceptable ones.
    #[serde(default)]
    #[schemars(with = "Option<StatusSpec>")]
    pub status: Option<Spanned<StatusSpec>>,
    /// The `Location` header: an exact absolute URL, or `same-url-over-https` (`https://` + the
    /// Host sent without its port + the raw request-target).
    #[serde(default)]
    #[schemars(with = "Option<String>", extend("examples" = ["same-url-over-https", "https://www.example.com/images/a.jpg"]))]
    pub location: Option<Spanned<String>>,
    /// Response headers present or absent (the outcome records `Location`).
    #[serde(default)]
    pub headers: Option<HeaderPresence>,
    /// The edge closes the connection after answering (LIM-SIZE).
    #[serde(default)]
    pub connection_closed: Option<bool>,
}

/// Header names that must be present or absent.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderPresence {
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub present: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub absent: Vec<Spanned<String>>,
}

/// One status code or a list of acceptable ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSpec(pub Vec<u64>);

impl<'de> Deserialize<'de> for StatusSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StatusSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a status code like 301, or a list of acceptable codes like [307, 403]")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StatusSpec, E> {
                Ok(StatusSpec(vec![v]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StatusSpec, E> {
                Err(E::custom(format!(
                    "{v} is not a status code; expected a number from 100 to 599"
                )))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<StatusSpec, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = s.next_element::<u64>()? {
                    v.push(x);
                }
                Ok(StatusSpec(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for StatusSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Status".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A status code, or a list of acceptable ones (e.g. [307, 403] where RULES.md leaves the order open).",
            "anyOf": [
                { "type": "integer", "minimum": 100, "maximum": 599 },
                { "type": "array", "items": { "type": "integer", "minimum": 100, "maximum": 599 }, "minItems": 1 }
            ]
        })
    }
}

/// What reaches the origin: `contacted: false`, or what the request looked like there.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OriginExpectSpec {
    /// Whether the origin receives the request at all (default `true` when anything else is stated).
    #[serde(default)]
    pub contacted: Option<bool>,
    /// The id of the origin (under the distribution's `origins`) that receives it.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub id: Option<Spanned<String>>,
    /// The protocol the request arrives on: `http` or `https`.
    #[serde(default)]
    pub protocol: Option<Scheme>,
    /// The (configured) port it arrives on.
    #[serde(default)]
    pub port: Option<u16>,
    /// The request-target the origin receives, query included (OriginPath + raw path + query).
    #[serde(default)]
    pub path: Option<String>,
    /// Request headers the origin sees (name: exact value) and does not see.
    #[serde(default)]
    pub headers: Option<OriginHeaders>,
}

/// Headers at the origin.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OriginHeaders {
    /// Headers the origin must receive, with their exact value.
    #[serde(default)]
    pub seen: OrderedMap<String, String>,
    /// Headers the origin must not receive.
    #[serde(default)]
    pub not_seen: Vec<String>,
}

/// The bill of the scenario (BIL-*), computed over every leg.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingSpec {
    /// Billable requests per line item; an item left out must have none.
    #[serde(default)]
    pub requests: Option<RequestsSpec>,
    /// Bytes of the origin's object charged on each leg (edge pages are not object bytes).
    #[serde(default)]
    #[schemars(with = "Option<ObjectBytesSpec>")]
    pub object_bytes: Option<Spanned<ObjectBytesSpec>>,
}

/// Billable requests per line item.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestsSpec {
    /// HTTP GET/HEAD and any edge answer over HTTP (Requests-Tier1).
    #[serde(default)]
    pub http: u64,
    /// HTTPS GET/HEAD and any edge answer over HTTPS (Requests-Tier2-HTTPS).
    #[serde(default)]
    pub https: u64,
    /// Other methods over HTTP forwarded to the origin.
    #[serde(default, rename = "http-proxy")]
    pub http_proxy: u64,
    /// Other methods over HTTPS forwarded to the origin.
    #[serde(default, rename = "https-proxy")]
    pub https_proxy: u64,
}

/// Object bytes charged per leg.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectBytesSpec {
    /// The first request (the HTTP leg of a redirect pair).
    #[serde(default)]
    pub first: Option<u64>,
    /// The HTTPS leg of a redirect pair.
    #[serde(default)]
    pub follow: Option<u64>,
}

/// The target's access-log line for the request.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogSpec {
    /// Lines carrying this request (1; 0 for requests that are not logged, LIM-SIZE).
    #[serde(default)]
    pub lines: Option<u32>,
    /// `x-edge-result-type`: `Redirect`, `Error`, `Hit`, `Miss`, ...
    #[serde(default)]
    pub result_type: Option<String>,
    /// `x-edge-detailed-result-type`, e.g. `InvalidRequestMethod`.
    #[serde(default)]
    pub detailed_result_type: Option<String>,
    /// `cs-protocol`: the viewer's scheme.
    #[serde(default)]
    pub protocol: Option<Scheme>,
}

/// A generated matrix: every combination becomes a case whose expectations come from the model.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixSpec {
    /// Prefix of the generated ids: `<id>-<method>-<scheme>-<path>-<version>`.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: Spanned<String>,
    /// Methods (default: the seven CloudFront serves).
    #[serde(default)]
    #[schemars(with = "Option<Vec<Method>>")]
    pub methods: Option<Vec<Spanned<String>>>,
    /// Schemes (default: http and https).
    #[serde(default)]
    #[schemars(with = "Option<Vec<Scheme>>")]
    pub schemes: Option<Vec<Spanned<String>>>,
    /// Request-targets (default: one sample path per behavior, derived from its pattern).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub paths: Option<Vec<Spanned<String>>>,
    /// HTTP versions (default: "1.0" and "1.1"); HTTP/2 cells over http are skipped.
    #[serde(default)]
    #[schemars(with = "Option<Vec<VersionSchema>>")]
    pub versions: Option<Vec<Spanned<String>>>,
    /// The `Host` header (default: the distribution's domain).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub host: Option<Spanned<String>>,
    /// Tags of every generated case (`matrix` is always added).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub tags: Vec<Spanned<String>>,
    /// Object size the origin serves (for the billing expectations).
    #[serde(default)]
    pub object_size: Option<u64>,
}

/// Parses an HTTP version as written in a suite (`1.0`, `"1.1"`, `2`).
pub fn parse_version(s: &str) -> Option<HttpVersion> {
    HttpVersion::parse(s)
}

/// Parses a rule ID as written in a suite.
pub fn parse_rule(s: &str) -> Option<RuleId> {
    RuleId::parse(s)
}
