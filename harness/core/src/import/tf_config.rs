//! Reads an `aws_cloudfront_distribution` as Terraform spells it: the HCL resource body (blocks
//! grouped into lists by `hcl_tree`) and the `values` of `terraform show -json` have one shape.

use super::raw::{RawBehavior, RawCustom, RawDistribution, RawFunction, RawGroup, RawOrigin};
use super::tree::{Node, Text};
use super::warnings::Warning;

/// The distribution in a resource body.
pub fn read(name: String, r: &Node, domain: Option<Node>) -> RawDistribution {
    let mut warnings = Vec::new();
    let dynamic_blocks = dynamic_blocks(r, &mut warnings);
    let aliases_node = r.get("aliases");
    let aliases_expr = aliases_node.filter(|n| n.items().is_none()).cloned();
    let origins = blocks(r, "origin").iter().map(origin).collect();
    RawDistribution {
        name,
        pos: r.pos,
        domain,
        aliases: aliases_node
            .and_then(|n| n.items())
            .map(|l| l.to_vec())
            .unwrap_or_default(),
        aliases_expr,
        origins,
        origin_groups: blocks(r, "origin_group")
            .iter()
            .map(|g| RawGroup {
                pos: g.pos,
                id: g.get("origin_id").cloned(),
                members: blocks(g, "member")
                    .iter()
                    .filter_map(|m| m.get("origin_id").cloned())
                    .collect(),
            })
            .collect(),
        default_behavior: first(r, "default_cache_behavior").map(|b| behavior(&b)),
        behaviors: blocks(r, "ordered_cache_behavior")
            .iter()
            .map(behavior)
            .collect(),
        error_codes: blocks(r, "custom_error_response")
            .iter()
            .filter_map(|e| e.get("error_code").cloned().map(|n| (n, None)))
            .collect(),
        warnings,
        dynamic_blocks,
        policies: Vec::new(),
    }
}

/// The blocks `key` of `n`, in order.
fn blocks(n: &Node, key: &str) -> Vec<Node> {
    n.get(key)
        .and_then(|b| b.items())
        .map(|l| l.to_vec())
        .unwrap_or_default()
}

/// The first block `key` of `n`.
fn first(n: &Node, key: &str) -> Option<Node> {
    blocks(n, key).into_iter().next()
}

/// The labels of the `dynamic` blocks, each with a warning: only Terraform expands them.
fn dynamic_blocks(r: &Node, warnings: &mut Vec<Warning>) -> Vec<String> {
    let mut dynamic_blocks = Vec::new();
    for d in blocks(r, "dynamic") {
        let label = d
            .get(super::hcl_tree::LABELS)
            .and_then(|l| l.items())
            .and_then(|l| l.first())
            .and_then(|l| l.as_str())
            .unwrap_or("?")
            .to_string();
        dynamic_blocks.push(label.clone());
        warnings.push(Warning::new(
            d.pos,
            format!("dynamic \"{label}\" block not expanded: its `for_each` is only known to Terraform, so the {label} blocks it makes are missing here; import the `terraform show -json` output instead"),
        ));
    }
    dynamic_blocks
}

/// One `origin` block.
fn origin(o: &Node) -> RawOrigin {
    let custom = first(o, "custom_origin_config");
    RawOrigin {
        pos: o.pos,
        id: o.get("origin_id").cloned(),
        domain: o.get("domain_name").cloned(),
        origin_path: o.get("origin_path").cloned(),
        s3_config: first(o, "s3_origin_config").is_some(),
        custom: custom.map(|c| RawCustom {
            pos: c.pos,
            policy: c.get("origin_protocol_policy").cloned(),
            http_port: c.get("http_port").cloned(),
            https_port: c.get("https_port").cloned(),
        }),
        oac: o
            .get("origin_access_control_id")
            .and_then(|n| n.text())
            .is_some_and(|t| t != Text::Lit(String::new())),
    }
}

/// One `default_cache_behavior` or `ordered_cache_behavior` block, with its function
/// associations.
fn behavior(b: &Node) -> RawBehavior {
    let mut functions = Vec::new();
    for (key, kind) in [
        ("lambda_function_association", "Lambda@Edge"),
        ("function_association", "CloudFront Functions"),
    ] {
        for f in blocks(b, key) {
            functions.push(RawFunction {
                pos: f.pos,
                kind,
                event_type: f.get("event_type").cloned(),
                condition: None,
            });
        }
    }
    RawBehavior {
        pos: b.pos,
        path_pattern: b.get("path_pattern").cloned(),
        viewer_protocol_policy: b.get("viewer_protocol_policy").cloned(),
        allowed_methods: b.get("allowed_methods").cloned(),
        cached_methods: b.get("cached_methods").cloned(),
        target_origin: b.get("target_origin_id").cloned(),
        forwarded_headers: first(b, "forwarded_values").and_then(|f| f.get("headers").cloned()),
        origin_request_policy: b.get("origin_request_policy_id").cloned(),
        cache_policy: b.get("cache_policy_id").cloned(),
        functions,
    }
}
