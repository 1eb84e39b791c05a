//! Reads a `DistributionConfig` as the CloudFront API spells it (AWS CLI JSON, with
//! `{Quantity, Items}` lists and CachedMethods inside AllowedMethods) or as CloudFormation does
//! (plain lists, CachedMethods beside AllowedMethods): the field names are the same.

use super::raw::{RawBehavior, RawCustom, RawDistribution, RawFunction, RawGroup, RawOrigin};
use super::tree::{Node, Value};
use super::warnings::Warning;

/// The items of a list that CloudFormation may make conditional: `!If [Cond, [..], [..]]` around
/// the list gives the items of both branches, `!If [Cond, {..}, !Ref AWS::NoValue]` as an item
/// gives its mapping; each with the condition it depends on (`Cond` or `!Cond`).
pub fn conditional_items(n: Option<&Node>) -> Vec<(Node, Option<String>)> {
    let Some(n) = n else { return Vec::new() };
    if let Some((cond, yes, no)) = fn_if(n) {
        let mut out = Vec::new();
        for (branch, c) in [(yes, cond.clone()), (no, format!("!{cond}"))] {
            for (item, inner) in conditional_items(Some(branch)) {
                out.push((item, Some(inner.unwrap_or_else(|| c.clone()))));
            }
        }
        return out;
    }
    let Some(items) = n.items() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match fn_if(item) {
            Some((cond, yes, no)) => {
                for (branch, c) in [(yes, cond.clone()), (no, format!("!{cond}"))] {
                    if matches!(branch.value, Value::Map(_)) && branch.intrinsic().is_none() {
                        out.push((branch.clone(), Some(c)));
                    }
                }
            }
            None => out.push((item.clone(), None)),
        }
    }
    out
}

/// `{"Fn::If": [cond, a, b]}` → (cond, a, b).
fn fn_if(n: &Node) -> Option<(String, &Node, &Node)> {
    let args = n.get("Fn::If").filter(|_| n.entries().len() == 1)?;
    let Value::List(l) = &args.value else {
        return None;
    };
    match l.as_slice() {
        [c, a, b] => Some((c.as_str()?.to_string(), a, b)),
        _ => None,
    }
}

fn conditional(what: &str, n: &Node, cond: &Option<String>, warnings: &mut Vec<Warning>) {
    if let Some(c) = cond {
        warnings.push(Warning::new(
            n.pos,
            format!(
                "{what} imported although the template only deploys it when condition `{c}` holds"
            ),
        ));
    }
}

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
    let mut warnings = Vec::new();
    let mut origins = Vec::new();
    for (o, cond) in conditional_items(config.get("Origins")) {
        conditional("this origin is", &o, &cond, &mut warnings);
        origins.push(origin(&o));
    }
    let mut behaviors = Vec::new();
    for (b, cond) in conditional_items(config.get("CacheBehaviors")) {
        conditional("this cache behavior is", &b, &cond, &mut warnings);
        behaviors.push(behavior(&b));
    }
    RawDistribution {
        name,
        pos: config.pos,
        domain,
        aliases,
        aliases_expr,
        origins,
        origin_groups: list("OriginGroups").iter().map(group).collect(),
        default_behavior: config.get("DefaultCacheBehavior").map(behavior),
        behaviors,
        error_codes: conditional_items(config.get("CustomErrorResponses"))
            .into_iter()
            .filter_map(|(e, c)| e.get("ErrorCode").cloned().map(|n| (n, c)))
            .collect(),
        warnings,
        dynamic_blocks: Vec::new(),
        policies: Vec::new(),
    }
}

fn origin(o: &Node) -> RawOrigin {
    RawOrigin {
        pos: o.pos,
        id: o.get("Id").cloned(),
        domain: o.get("DomainName").cloned(),
        origin_path: o.get("OriginPath").cloned(),
        s3_config: o.get("S3OriginConfig").is_some_and(|n| !n.is_null()),
        custom: o
            .get("CustomOriginConfig")
            .filter(|n| !n.is_null())
            .map(|c| RawCustom {
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
        for (f, condition) in conditional_items(b.get(key)) {
            functions.push(RawFunction {
                pos: f.pos,
                kind,
                event_type: f.get("EventType").cloned(),
                condition,
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
