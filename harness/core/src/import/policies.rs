//! Whether `CloudFront-Forwarded-Proto` reaches the origin (ORG-CF-PROTO): listed in the legacy
//! ForwardedValues headers, or included by a managed origin request policy whose header set AWS
//! documents. A policy defined elsewhere cannot be read from the file.

use super::raw::RawPolicy;
use super::tree::{Node, Text};
use super::warnings::Warning;

/// Managed origin request policies, by id: whether each sends `CloudFront-Forwarded-Proto`.
const MANAGED_ORIGIN_REQUEST: [(&str, &str, bool); 6] = [
    (
        "33f36d7e-f396-46d9-90e0-52428a34d9dc",
        "AllViewerAndCloudFrontHeaders-2022-06",
        true,
    ),
    ("216adef6-5c7f-47e4-b989-5492eafa07d3", "AllViewer", false),
    (
        "59781a5b-3903-41f3-afcb-af62929ccde1",
        "CORS-CustomOrigin",
        false,
    ),
    (
        "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        "CORS-S3Origin",
        false,
    ),
    (
        "acba4595-bd28-49b8-b9fe-13317c0390fa",
        "UserAgentRefererHeaders",
        false,
    ),
    (
        "775133bc-15f2-49f9-abea-afb2e0bf67d2",
        "Elemental-MediaTailor-PersonalizedManifests",
        false,
    ),
];

/// Managed cache policies, none of which has `CloudFront-Forwarded-Proto` in its cache key.
const MANAGED_CACHE: [&str; 7] = [
    "658327ea-f89d-4fab-a63d-7e88639e58f6", // CachingOptimized
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", // CachingDisabled
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d", // CachingOptimizedForUncompressedObjects
    "08627262-05a9-4f76-9ded-b50ca2e3a84f", // Elemental-MediaPackage
    "2e54312d-136d-493c-8eb9-b001f22f67d2", // Amplify
    "83da9c7e-98b4-4e11-a168-04f0df8e2c65", // UseOriginCacheControlHeaders
    "4cc15a8a-d715-48a4-82b8-cc0b614638fe", // UseOriginCacheControlHeaders-QueryStrings
];

const HEADER: &str = "cloudfront-forwarded-proto";

/// Whether the behavior forwards `CloudFront-Forwarded-Proto`; `false` with a warning when the
/// file does not say.
pub fn forwards_proto(
    label: &str,
    headers: Option<&Node>,
    origin_request_policy: Option<&Node>,
    cache_policy: Option<&Node>,
    policies: &[RawPolicy],
    warnings: &mut Vec<Warning>,
) -> bool {
    if let Some(h) = headers {
        match h.items() {
            Some(items) => {
                let names: Vec<Text> = items.iter().filter_map(|n| n.text()).collect();
                if names
                    .iter()
                    .any(|t| matches!(t, Text::Lit(s) if s.eq_ignore_ascii_case(HEADER)))
                {
                    return true;
                }
                if names.iter().any(|t| matches!(t, Text::Lit(s) if s == "*")) {
                    warnings.push(Warning::new(
                        h.pos,
                        format!("behavior `{label}`: forwards all headers (`*`); whether that includes CloudFront-Forwarded-Proto is not documented, imported as forward_cloudfront_proto: false (ORG-CF-PROTO)"),
                    ));
                    return false;
                }
                if let Some(e) = names.iter().find_map(|t| match t {
                    Text::Expr(e) => Some(e),
                    Text::Lit(_) => None,
                }) {
                    unknown(label, h.pos, &format!("forwarded header `{e}`"), warnings);
                }
            }
            None => unknown(
                label,
                h.pos,
                &format!("forwarded headers `{}`", h.render_short()),
                warnings,
            ),
        }
    }
    let mut found = false;
    if let Some(p) = origin_request_policy {
        match p.text() {
            Some(Text::Lit(id)) if id.is_empty() => {}
            Some(Text::Lit(id)) => match MANAGED_ORIGIN_REQUEST.iter().find(|(m, _, _)| *m == id) {
                Some((_, _, proto)) => found |= *proto,
                None => unknown(
                    label,
                    p.pos,
                    &format!(
                        "origin request policy `{id}` (not a managed policy this import knows)"
                    ),
                    warnings,
                ),
            },
            Some(Text::Expr(e)) => match in_file(&e, policies) {
                Some(proto) => found |= proto,
                None => unknown(
                    label,
                    p.pos,
                    &format!("origin request policy `{e}`"),
                    warnings,
                ),
            },
            None => {}
        }
    }
    if let Some(p) = cache_policy {
        match p.text() {
            Some(Text::Lit(id)) if id.is_empty() || MANAGED_CACHE.contains(&id.as_str()) => {}
            Some(Text::Lit(id)) => unknown(
                label,
                p.pos,
                &format!("cache policy `{id}` (not a managed policy this import knows)"),
                warnings,
            ),
            Some(Text::Expr(e)) => match in_file(&e, policies) {
                Some(proto) => found |= proto,
                None => unknown(label, p.pos, &format!("cache policy `{e}`"), warnings),
            },
            None => {}
        }
    }
    found
}

/// A policy defined in the same file, by the reference a behavior uses: whether its header
/// settings send `CloudFront-Forwarded-Proto` (`None` when the file does not say).
fn in_file(reference: &str, policies: &[RawPolicy]) -> Option<bool> {
    let p = policies
        .iter()
        .find(|p| p.refs.iter().any(|r| r == reference))?;
    let listed = p.headers.iter().any(|h| h.eq_ignore_ascii_case(HEADER));
    match p.header_behavior.as_deref()?.to_ascii_lowercase().as_str() {
        // CloudFront headers are never viewer headers: only a list can name one.
        "whitelist" | "allviewerandwhitelistcloudfront" => Some(listed),
        "none" | "allviewer" | "allexcept" => Some(false),
        _ => None,
    }
}

fn unknown(label: &str, pos: crate::yaml::Pos, what: &str, warnings: &mut Vec<Warning>) {
    warnings.push(Warning::new(
        pos,
        format!("behavior `{label}`: {what} is defined outside what this import reads, so whether CloudFront-Forwarded-Proto reaches the origin is unknown; imported as forward_cloudfront_proto: false (ORG-CF-PROTO)"),
    ));
}
