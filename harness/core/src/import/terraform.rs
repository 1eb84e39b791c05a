//! Terraform: `aws_cloudfront_distribution` resources in HCL (named `aws_cloudfront_distribution.NAME`,
//! with `var.x` defaults and literal `local.x` values resolved) and in the JSON of
//! `terraform show -json` (state: `values`, plan: `planned_values`; root and child modules).

use super::hcl_tree::LABELS;
use super::raw::{RawDistribution, RawPolicy};
use super::substitute::{is_literal, substitute};
use super::tf_config;
use super::tree::{Node, Value};

pub const TYPE: &str = "aws_cloudfront_distribution";

/// Every distribution resource of an HCL file, in source order.
pub fn read_hcl(root: &Node) -> Vec<RawDistribution> {
    let blocks = |key: &str| -> Vec<Node> {
        root.get(key)
            .and_then(|b| b.items())
            .map(|l| l.to_vec())
            .unwrap_or_default()
    };
    let first = |n: &Node, key: &str| -> Option<Node> {
        n.get(key)
            .and_then(|b| b.items())
            .and_then(|l| l.first())
            .cloned()
    };
    let label = |b: &Node, i: usize| -> Option<String> {
        b.get(LABELS)?.items()?.get(i)?.as_str().map(str::to_string)
    };
    let mut vars: Vec<(String, Node)> = Vec::new();
    for v in blocks("variable") {
        if let (Some(name), Some(d)) = (label(&v, 0), v.get("default")) {
            if is_literal(d) {
                vars.push((format!("var.{name}"), d.clone()));
            }
        }
    }
    for l in blocks("locals") {
        for (k, v) in l.entries() {
            if is_literal(v) && k.name != LABELS {
                vars.push((format!("local.{}", k.name), v.clone()));
            }
        }
    }
    // A local is fixed by the file itself; a variable's default is only what applies when
    // nothing else is passed, so only that is worth a warning.
    let lookup = |n: &Node| -> Option<(Node, Option<String>)> {
        let Value::Expr(e) = &n.value else {
            return None;
        };
        let (name, v) = vars.iter().find(|(name, _)| name == e)?;
        let note = name.starts_with("var.").then(|| {
            format!(
                "`{name}` read as the variable's default `{}`; a deployment that sets another value behaves differently",
                v.render_short()
            )
        });
        Some((v.clone(), note))
    };
    let mut policies = Vec::new();
    for r in blocks("resource") {
        let kind = label(&r, 0).unwrap_or_default();
        let headers = match kind.as_str() {
            "aws_cloudfront_origin_request_policy" => first(&r, "headers_config"),
            "aws_cloudfront_cache_policy" => {
                first(&r, "parameters_in_cache_key_and_forwarded_to_origin")
                    .and_then(|p| first(&p, "headers_config"))
            }
            _ => continue,
        };
        policies.push(RawPolicy {
            refs: vec![format!("{kind}.{}.id", label(&r, 1).unwrap_or_default())],
            header_behavior: headers
                .as_ref()
                .and_then(|h| h.get("header_behavior"))
                .and_then(|b| b.as_str())
                .map(str::to_string),
            headers: headers
                .as_ref()
                .and_then(|h| first(h, "headers"))
                .and_then(|h| h.get("items").and_then(|i| i.items()).map(|l| l.to_vec()))
                .unwrap_or_default()
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect(),
        });
    }
    let mut out = Vec::new();
    for r in blocks("resource") {
        if label(&r, 0).as_deref() != Some(TYPE) {
            continue;
        }
        let name = format!("{TYPE}.{}", label(&r, 1).unwrap_or_default());
        let mut body = r.clone();
        let warnings = substitute(&mut body, &lookup);
        let mut raw = tf_config::read(name, &body, None);
        raw.keep_relevant(warnings);
        raw.policies = policies.clone();
        out.push(raw);
    }
    out
}

/// Whether a JSON document looks like `terraform show -json` output.
pub fn recognizes_json(root: &Node) -> bool {
    root.get_any(&["values", "planned_values"])
        .and_then(|v| v.get("root_module"))
        .is_some()
        || root.get("format_version").is_some() && root.get("terraform_version").is_some()
}

/// Every distribution resource of `terraform show -json` output, root module first.
pub fn read_json(root: &Node) -> Vec<RawDistribution> {
    let mut out = Vec::new();
    if let Some(m) = root
        .get_any(&["values", "planned_values"])
        .and_then(|v| v.get("root_module"))
    {
        module(m, &mut out, 0);
    }
    out
}

fn module(m: &Node, out: &mut Vec<RawDistribution>, depth: usize) {
    if depth > 50 {
        return;
    }
    for r in m.get("resources").and_then(|r| r.items()).unwrap_or(&[]) {
        if r.get("type").and_then(|t| t.as_str()) != Some(TYPE)
            || r.get("mode").and_then(|t| t.as_str()) == Some("data")
        {
            continue;
        }
        let name = r
            .get("address")
            .and_then(|a| a.as_str())
            .unwrap_or(TYPE)
            .to_string();
        let Some(values) = r.get("values") else {
            continue;
        };
        let domain = values
            .get("domain_name")
            .filter(|d| d.as_str().is_some_and(|s| !s.is_empty()))
            .cloned();
        let mut raw = tf_config::read(name, values, domain);
        raw.pos = r.pos;
        out.push(raw);
    }
    for c in m
        .get("child_modules")
        .and_then(|c| c.items())
        .unwrap_or(&[])
    {
        module(c, out, depth + 1);
    }
}
