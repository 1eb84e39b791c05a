//! CloudFormation templates (YAML or JSON): every `AWS::CloudFront::Distribution` resource, named
//! by its logical id, with `!Ref` to a parameter that has a `Default` resolved to that default.

use super::cf_config;
use super::raw::{RawDistribution, RawPolicy};
use super::substitute::{is_literal, substitute};
use super::tree::{Node, Value};

pub const TYPE: &str = "AWS::CloudFront::Distribution";

/// Whether a document looks like a CloudFormation template.
pub fn recognizes(root: &Node) -> bool {
    root.get_any(&["Resources", "AWSTemplateFormatVersion"])
        .is_some()
}

/// Every distribution resource in the template, in source order.
pub fn read(root: &Node) -> Vec<RawDistribution> {
    let params = root.get("Parameters").cloned();
    let lookup = |n: &Node| -> Option<(Node, Option<String>)> {
        let Value::Map(m) = &n.value else { return None };
        if m.len() != 1 || m[0].0.name != "Ref" {
            return None;
        }
        let name = m[0].1.as_str()?;
        let default = params.as_ref()?.get(name)?.get("Default")?;
        if !is_literal(default) {
            return None;
        }
        Some((
            default.clone(),
            Some(format!(
                "`!Ref {name}` read as the parameter's default `{}`; a stack deployed with another value behaves differently",
                default.render_short()
            )),
        ))
    };
    let policies = policies(root);
    let mut out = Vec::new();
    for (key, res) in root.get("Resources").map(|r| r.entries()).unwrap_or(&[]) {
        if res.get("Type").and_then(|t| t.as_str()) != Some(TYPE) {
            continue;
        }
        let mut config = match res
            .get("Properties")
            .and_then(|p| p.get("DistributionConfig"))
        {
            Some(c) => c.clone(),
            None => Node::new(key.pos, Value::Map(Vec::new())),
        };
        let warnings = substitute(&mut config, &lookup);
        let mut raw = cf_config::read(key.name.clone(), &config, None);
        raw.pos = key.pos;
        raw.keep_relevant(warnings);
        raw.policies = policies.clone();
        out.push(raw);
    }
    out
}

/// The template's `AWS::CloudFront::OriginRequestPolicy` and `AWS::CloudFront::CachePolicy`
/// resources, with the headers each sends to the origin.
fn policies(root: &Node) -> Vec<RawPolicy> {
    let mut out = Vec::new();
    for (key, res) in root.get("Resources").map(|r| r.entries()).unwrap_or(&[]) {
        let props = res.get("Properties");
        let headers = match res.get("Type").and_then(|t| t.as_str()) {
            Some("AWS::CloudFront::OriginRequestPolicy") => props
                .and_then(|p| p.get("OriginRequestPolicyConfig"))
                .and_then(|c| c.get("HeadersConfig")),
            Some("AWS::CloudFront::CachePolicy") => props
                .and_then(|p| p.get("CachePolicyConfig"))
                .and_then(|c| c.get("ParametersInCacheKeyAndForwardedToOrigin"))
                .and_then(|c| c.get("HeadersConfig")),
            _ => continue,
        };
        let name = &key.name;
        out.push(RawPolicy {
            refs: vec![
                format!("!Ref {name}"),
                format!("!GetAtt {name}.Id"),
                format!("!GetAtt [{name}, Id]"),
            ],
            header_behavior: headers
                .and_then(|h| h.get("HeaderBehavior"))
                .and_then(|b| b.as_str())
                .map(str::to_string),
            headers: headers
                .and_then(|h| h.get("Headers"))
                .and_then(|h| h.items())
                .unwrap_or(&[])
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect(),
        });
    }
    out
}
