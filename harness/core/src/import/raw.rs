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
