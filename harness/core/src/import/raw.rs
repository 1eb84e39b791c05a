//! A CloudFront distribution as any input format spells it, before interpretation: each field is
//! the input's own node (so it keeps its position), and the mapping (`mapping.rs`) is written once
//! for all formats.

use super::tree::Node;
use super::warnings::Warning;
use crate::yaml::Pos;

/// One distribution found in a file.
#[derive(Debug, Clone)]
pub struct RawDistribution {
    /// How `--resource` names it: a CloudFormation logical id, a Terraform address, a
    /// distribution id.
    pub name: String,
    pub pos: Pos,
    /// The `d….cloudfront.net` name when the input knows it (AWS CLI output, Terraform state).
    pub domain: Option<Node>,
    pub aliases: Vec<Node>,
    /// Where the alias list is (for a warning about an alias list that is an expression).
    pub aliases_expr: Option<Node>,
    pub origins: Vec<RawOrigin>,
    pub origin_groups: Vec<RawGroup>,
    pub default_behavior: Option<RawBehavior>,
    pub behaviors: Vec<RawBehavior>,
    /// The `ErrorCode` of each custom error response, with the template condition it depends on.
    pub error_codes: Vec<(Node, Option<String>)>,
    /// What the reader already noticed (dynamic blocks, parameter defaults used, …).
    pub warnings: Vec<Warning>,
    /// Terraform `dynamic "…"` block kinds, which only Terraform expands.
    pub dynamic_blocks: Vec<String>,
    /// Cache and origin request policies defined in the same file.
    pub policies: Vec<RawPolicy>,
}

/// A cache or origin request policy defined in the same file: which headers it sends to the
/// origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPolicy {
    /// The spellings a behavior refers to it by: `!Ref P`, `!GetAtt P.Id`,
    /// `aws_cloudfront_origin_request_policy.p.id`.
    pub refs: Vec<String>,
    /// HeaderBehavior / header_behavior: `none`, `whitelist`, `allViewer`,
    /// `allViewerAndWhitelistCloudFront`, `allExcept`.
    pub header_behavior: Option<String>,
    /// The header names it lists.
    pub headers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RawOrigin {
    pub pos: Pos,
    pub id: Option<Node>,
    pub domain: Option<Node>,
    pub origin_path: Option<Node>,
    /// S3OriginConfig / s3_origin_config is present.
    pub s3_config: bool,
    pub custom: Option<RawCustom>,
    /// An origin access control is attached (S3 REST origins reached through OAC only).
    pub oac: bool,
}

#[derive(Debug, Clone)]
pub struct RawCustom {
    pub pos: Pos,
    pub policy: Option<Node>,
    pub http_port: Option<Node>,
    pub https_port: Option<Node>,
}

#[derive(Debug, Clone)]
pub struct RawGroup {
    pub pos: Pos,
    pub id: Option<Node>,
    /// Member origin ids, primary first.
    pub members: Vec<Node>,
}

#[derive(Debug, Clone)]
pub struct RawBehavior {
    pub pos: Pos,
    pub path_pattern: Option<Node>,
    pub viewer_protocol_policy: Option<Node>,
    pub allowed_methods: Option<Node>,
    pub cached_methods: Option<Node>,
    pub target_origin: Option<Node>,
    /// Legacy ForwardedValues header names.
    pub forwarded_headers: Option<Node>,
    pub origin_request_policy: Option<Node>,
    pub cache_policy: Option<Node>,
    pub functions: Vec<RawFunction>,
}

/// A Lambda@Edge or CloudFront Functions association.
#[derive(Debug, Clone)]
pub struct RawFunction {
    pub pos: Pos,
    pub kind: &'static str,
    pub event_type: Option<Node>,
    /// The CloudFormation condition the association depends on (`!If [Cond, {…}, …]`).
    pub condition: Option<String>,
}

impl RawDistribution {
    /// Where every node this distribution holds starts (nested ones included): a substitution
    /// elsewhere in the file does not matter to the import and is not worth a warning.
    pub fn positions(&self) -> std::collections::BTreeSet<Pos> {
        fn walk(n: &Node, out: &mut std::collections::BTreeSet<Pos>, depth: usize) {
            out.insert(n.pos);
            if depth > 100 {
                return;
            }
            match &n.value {
                super::tree::Value::List(l) => l.iter().for_each(|x| walk(x, out, depth + 1)),
                super::tree::Value::Map(m) => m.iter().for_each(|(_, x)| walk(x, out, depth + 1)),
                _ => {}
            }
        }
        let mut out = std::collections::BTreeSet::new();
        let mut add = |n: &Option<Node>| {
            if let Some(n) = n {
                walk(n, &mut out, 0);
            }
        };
        add(&self.domain);
        add(&self.aliases_expr);
        for a in &self.aliases {
            add(&Some(a.clone()));
        }
        for o in &self.origins {
            add(&o.id);
            add(&o.domain);
            add(&o.origin_path);
            if let Some(c) = &o.custom {
                add(&c.policy);
                add(&c.http_port);
                add(&c.https_port);
            }
        }
        for g in &self.origin_groups {
            add(&g.id);
            g.members.iter().for_each(|m| add(&Some(m.clone())));
        }
        for b in self.default_behavior.iter().chain(&self.behaviors) {
            for n in [
                &b.path_pattern,
                &b.viewer_protocol_policy,
                &b.allowed_methods,
                &b.cached_methods,
                &b.target_origin,
                &b.forwarded_headers,
                &b.origin_request_policy,
                &b.cache_policy,
            ] {
                add(n);
            }
            b.functions.iter().for_each(|f| add(&f.event_type));
        }
        self.error_codes
            .iter()
            .for_each(|(c, _)| add(&Some(c.clone())));
        out
    }

    /// Adds the substitution warnings that concern what this distribution holds.
    pub fn keep_relevant(&mut self, substitutions: Vec<Warning>) {
        let used = self.positions();
        self.warnings
            .extend(substitutions.into_iter().filter(|w| used.contains(&w.pos)));
    }
}
