//! Reads a `DistributionConfig` as the CloudFront API spells it (AWS CLI JSON, with
//! `{Quantity, Items}` lists and CachedMethods inside AllowedMethods) or as CloudFormation does
//! (plain lists, CachedMethods beside AllowedMethods): the field names are the same.

use super::raw::{RawBehavior, RawCustom, RawDistribution, RawFunction, RawGroup, RawOrigin};
use super::tree::Node;

/// The distribution in `config` (a `DistributionConfig`, or a list-distributions summary).
pub fn read(name: String, config: &Node, domain: Option<Node>) -> RawDistribution {
    let list = |key: &str| -> Vec<Node> {
        config
            .get(key)
            .and_then(|n| n.items())
            .map(|l| l.to_vec())
            .unwrap_or_default()
    };
    let aliases_node = config.get_any(&["Aliases", "CNAMEs"]);
    let aliases_expr = aliases_node.filter(|n| n.items().is_none()).cloned();
    let aliases = aliases_node
        .and_then(|n| n.items())
        .map(|l| l.to_vec())
        .unwrap_or_default();
    RawDistribution {
        name,
        pos: config.pos,
        domain,
        aliases,
        aliases_expr,
        origins: list("Origins").iter().map(origin).collect(),
        origin_groups: list("OriginGroups").iter().map(group).collect(),
        default_behavior: config.get("DefaultCacheBehavior").map(behavior),
        behaviors: list("CacheBehaviors").iter().map(behavior).collect(),
        error_codes: list("CustomErrorResponses")
            .iter()
            .filter_map(|e| e.get("ErrorCode").cloned())
            .collect(),
        warnings: Vec::new(),
    }
}

fn origin(o: &Node) -> RawOrigin {
    RawOrigin {
        pos: o.pos,
        id: o.get("Id").cloned(),
        domain: o.get("DomainName").cloned(),
        origin_path: o.get("OriginPath").cloned(),
        s3_config: o.get("S3OriginConfig").is_some_and(|n| !n.is_null()),
        custom: o.get("CustomOriginConfig").filter(|n| !n.is_null()).map(|c| RawCustom {
            pos: c.pos,
            policy: c.get("OriginProtocolPolicy").cloned(),
            http_port: c.get("HTTPPort").cloned(),
            https_port: c.get("HTTPSPort").cloned(),
        }),
        oac: o
            .get("OriginAccessControlId")
            .and_then(|n| n.text())
            .is_some_and(|t| t != super::tree::Text::Lit(String::new())),
    }
}

fn group(g: &Node) -> RawGroup {
    RawGroup {
        pos: g.pos,
        id: g.get("Id").cloned(),
        members: g
            .get("Members")
            .and_then(|m| m.items())
            .unwrap_or(&[])
            .iter()
            .filter_map(|m| m.get("OriginId").cloned())
            .collect(),
    }
}

fn behavior(b: &Node) -> RawBehavior {
    let allowed = b.get("AllowedMethods");
    let cached = b
        .get("CachedMethods")
        .or_else(|| allowed.and_then(|a| a.get("CachedMethods")));
    let mut functions = Vec::new();
    for (key, kind) in [
        ("LambdaFunctionAssociations", "Lambda@Edge"),
        ("FunctionAssociations", "CloudFront Functions"),
    ] {
        for f in b.get(key).and_then(|n| n.items()).unwrap_or(&[]) {
            functions.push(RawFunction {
                pos: f.pos,
                kind,
                event_type: f.get("EventType").cloned(),
            });
        }
    }
    RawBehavior {
        pos: b.pos,
        path_pattern: b.get("PathPattern").cloned(),
        viewer_protocol_policy: b.get("ViewerProtocolPolicy").cloned(),
        allowed_methods: allowed.cloned(),
        cached_methods: cached.cloned(),
        target_origin: b.get("TargetOriginId").cloned(),
        forwarded_headers: b
            .get("ForwardedValues")
            .and_then(|f| f.get("Headers"))
            .cloned(),
        origin_request_policy: b.get("OriginRequestPolicyId").cloned(),
        cache_policy: b.get("CachePolicyId").cloned(),
        functions,
    }
}
