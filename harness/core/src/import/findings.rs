//! Static findings by the well-known IDs of the scanners that report them (checkov, tfsec/Trivy,
//! AWS Security Hub), each with the rules of a live run that settle it: a scanner only reads the
//! configuration, the run shows what the edge does.

use super::mapping::{Behavior, Origin};
use super::warnings::Finding;
use crate::distribution::{OriginKind, OriginProtocolPolicy, ViewerProtocolPolicy};
use crate::RuleId;

/// Static scanners' findings about one behavior.
pub(super) fn for_behavior(b: &Behavior, origins: &[Origin]) -> Vec<Finding> {
    let label = if b.pattern == "*" {
        "* (default)".to_string()
    } else {
        b.pattern.clone()
    };
    let mut out = Vec::new();
    if b.vpp == ViewerProtocolPolicy::AllowAll {
        out.push(Finding {
            pos: b.vpp_pos,
            ids: vec!["CKV_AWS_34", "AVD-AWS-0012", "CloudFront.3"],
            behavior: label.clone(),
            message: format!("behavior `{label}` serves viewers over plain HTTP (allow-all)"),
            settled_by: vec![RuleId::VppAllowAll],
        });
    }
    let o = &origins[b.origin];
    let allow_all = b.vpp == ViewerProtocolPolicy::AllowAll;
    let plain = match o.kind {
        OriginKind::Custom {
            protocol_policy: OriginProtocolPolicy::HttpOnly,
            ..
        } => Some((
            vec!["CKV2_AWS_72", "CloudFront.9"],
            format!("traffic to the origin is not encrypted: custom origin `{}` is http-only", o.id),
            vec![RuleId::OrgCustomPolicy],
        )),
        OriginKind::Custom {
            protocol_policy: OriginProtocolPolicy::MatchViewer,
            ..
        } if allow_all => Some((
            vec!["CKV2_AWS_72", "CloudFront.9"],
            format!("traffic to the origin is not encrypted: custom origin `{}` is match-viewer under allow-all, so HTTP viewers are fetched over HTTP", o.id),
            vec![RuleId::OrgCustomPolicy, RuleId::VppAllowAll],
        )),
        // checkov flags every origin that is not https-only; Security Hub does not flag
        // match-viewer when viewers only arrive over HTTPS, and a live run shows which is right.
        OriginKind::Custom {
            protocol_policy: OriginProtocolPolicy::MatchViewer,
            ..
        } => Some((
            vec!["CKV2_AWS_72"],
            format!("custom origin `{}` is match-viewer, not https-only; under {} viewers only reach it over HTTPS, so the origin is only fetched over HTTPS (CloudFront.9 does not flag it)", o.id, b.vpp.as_str()),
            vec![RuleId::OrgCustomPolicy],
        )),
        OriginKind::S3Website { .. } => Some((
            vec!["CKV2_AWS_72", "CloudFront.9"],
            format!("traffic to the origin is not encrypted: origin `{}` is an S3 website endpoint, reached over HTTP only", o.id),
            vec![RuleId::OrgWebsiteHttp],
        )),
        _ => None,
    };
    if let Some((ids, what, rules)) = plain {
        out.push(Finding {
            pos: b.vpp_pos,
            ids,
            behavior: label.clone(),
            message: format!("behavior `{label}`: {what}"),
            settled_by: rules,
        });
    }
    out
}
