//! One cache behavior as the importer resolves it: its path pattern (PAT-SYNTAX), viewer
//! protocol policy, method sets, target origin (or origin group) and whether it forwards
//! `CloudFront-Forwarded-Proto`, with a warning for whatever the YAML cannot express.

use super::error::ImportError;
use super::mapping::{text_of, unknown_origin, Behavior, Origin};
use super::policies::forwards_proto;
use super::raw::{RawBehavior, RawPolicy};
use super::tree::{Node, Text};
use super::warnings::Warning;
use crate::distribution::{MethodSet, ViewerProtocolPolicy};
use crate::pattern::PathPattern;
use crate::request::Method;
use crate::yaml::write::method_list;
use crate::yaml::Pos;
use crate::RuleId;

/// The behavior `b` maps to, or `None` (with a warning) when its pattern is not resolved in
/// this file.
pub(super) fn behavior(
    b: &RawBehavior,
    is_default: bool,
    origins: &[Origin],
    groups: &[(String, usize)],
    policies: &[RawPolicy],
    warnings: &mut Vec<Warning>,
) -> Result<Option<Behavior>, ImportError> {
    let pattern = if is_default {
        "*".to_string()
    } else {
        match path_pattern(b, warnings)? {
            Some(p) => p,
            None => return Ok(None),
        }
    };
    let label = if is_default {
        "*".to_string()
    } else {
        pattern.clone()
    };
    let (vpp, vpp_pos) = viewer_policy(b, &label, warnings)?;
    let (allowed, cached) = method_sets(b, &label, warnings)?;
    let origin = target_origin(b, &label, origins, groups)?;
    function_warnings(b, &label, warnings);
    let proto = forwards_proto(
        &label,
        b.forwarded_headers.as_ref(),
        b.origin_request_policy.as_ref(),
        b.cache_policy.as_ref(),
        policies,
        warnings,
    );
    Ok(Some(Behavior {
        pattern,
        vpp,
        vpp_pos,
        allowed,
        cached,
        origin,
        proto,
    }))
}

/// A cache behavior's path pattern (PAT-SYNTAX), or `None` (with a warning) when this file
/// does not resolve it: the behavior is left out.
fn path_pattern(
    b: &RawBehavior,
    warnings: &mut Vec<Warning>,
) -> Result<Option<String>, ImportError> {
    Ok(Some(match b.path_pattern.as_ref().map(|p| (p, p.text())) {
            Some((p, Some(Text::Lit(s)))) => {
            if let Err(e) = PathPattern::parse(&s) {
                return Err(ImportError::invalid_rule(
                    p.pos,
                    format!("path pattern `{s}`: {e}"),
                    RuleId::PatSyntax,
                ));
            }
            s
        }
        Some((p, _)) => {
            warnings.push(Warning::new(
                p.pos,
                format!("cache behavior with path pattern `{}`, not resolved in this file: left out, so the requests it would take go to later behaviors (PAT-ORDER)", p.render_short()),
            ));
            return Ok(None);
        }
        None => {
            return Err(ImportError::invalid_rule(
                b.pos,
                "a cache behavior has no path pattern (PathPattern / path_pattern); only the default behavior has none",
                RuleId::PatSyntax,
            ))
        }
    }))
}

/// The viewer protocol policy (VPP-PER-BEHAVIOR) and where it stands; an unresolved one is
/// imported as redirect-to-https, with a warning.
fn viewer_policy(
    b: &RawBehavior,
    label: &str,
    warnings: &mut Vec<Warning>,
) -> Result<(ViewerProtocolPolicy, Pos), ImportError> {
    let vpp_node = b.viewer_protocol_policy.as_ref();
    let vpp_pos = vpp_node.map(|n| n.pos).unwrap_or(b.pos);
    let vpp = match vpp_node.and_then(|n| n.text()) {
        Some(Text::Lit(v)) => match v.as_str() {
            "allow-all" => ViewerProtocolPolicy::AllowAll,
            "redirect-to-https" => ViewerProtocolPolicy::RedirectToHttps,
            "https-only" => ViewerProtocolPolicy::HttpsOnly,
            other => {
                return Err(ImportError::invalid_rule(
                    vpp_pos,
                    format!("behavior `{label}`: viewer protocol policy `{other}` is not one CloudFront knows; expected allow-all, redirect-to-https or https-only"),
                    RuleId::VppPerBehavior,
                ))
            }
        },
        Some(Text::Expr(e)) => {
            warnings.push(Warning::new(
                vpp_pos,
                format!("behavior `{label}`: viewer protocol policy `{e}` is not resolved in this file; imported as redirect-to-https (a guess; VPP-PER-BEHAVIOR)"),
            ));
            ViewerProtocolPolicy::RedirectToHttps
        }
        None => {
            return Err(ImportError::invalid_rule(
                b.pos,
                format!("behavior `{label}` has no viewer protocol policy (ViewerProtocolPolicy / viewer_protocol_policy); expected allow-all, redirect-to-https or https-only"),
                RuleId::VppPerBehavior,
            ))
        }
    };
    Ok((vpp, vpp_pos))
}

/// AllowedMethods and CachedMethods, each a set CloudFront accepts and the cached ones among the
/// allowed (MTH-ALLOWED-SETS).
fn method_sets(
    b: &RawBehavior,
    label: &str,
    warnings: &mut Vec<Warning>,
) -> Result<(MethodSet, MethodSet), ImportError> {
    let allowed = methods(b.allowed_methods.as_ref(), label, "allowed", warnings)?;
    if !allowed.is_legal_allowed() {
        let at = b.allowed_methods.as_ref().map(|n| n.pos).unwrap_or(b.pos);
        return Err(ImportError::invalid_rule(
            at,
            format!("behavior `{label}`: AllowedMethods {} is not a set CloudFront accepts; expected [GET, HEAD], [GET, HEAD, OPTIONS] or all seven [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE]", method_list(allowed)),
            RuleId::MthAllowedSets,
        ));
    }
    let cached = methods(b.cached_methods.as_ref(), label, "cached", warnings)?;
    let cached_at = b.cached_methods.as_ref().map(|n| n.pos).unwrap_or(b.pos);
    if !cached.is_legal_cached() {
        return Err(ImportError::invalid_rule(
            cached_at,
            format!("behavior `{label}`: CachedMethods {} is not a set CloudFront accepts; expected [GET, HEAD] or [GET, HEAD, OPTIONS]", method_list(cached)),
            RuleId::MthAllowedSets,
        ));
    }
    if !cached.is_subset_of(allowed) {
        return Err(ImportError::invalid_rule(
            cached_at,
            format!(
                "behavior `{label}`: CachedMethods {} must be a subset of AllowedMethods {}",
                method_list(cached),
                method_list(allowed)
            ),
            RuleId::MthAllowedSets,
        ));
    }
    Ok((allowed, cached))
}

/// The index of the origin (or origin group) the behavior targets.
fn target_origin(
    b: &RawBehavior,
    label: &str,
    origins: &[Origin],
    groups: &[(String, usize)],
) -> Result<usize, ImportError> {
    let Some(target) = &b.target_origin else {
        return Err(ImportError::invalid(
            b.pos,
            format!("behavior `{label}` has no target origin (TargetOriginId / target_origin_id)"),
        ));
    };
    let tid = text_of(target);
    Ok(match origins.iter().position(|o| o.id == tid) {
        Some(i) => i,
        None => match groups.iter().find(|(g, _)| *g == tid) {
            Some((_, i)) => *i,
            None => return Err(unknown_origin(target, &tid, origins, groups)),
        },
    })
}

/// A warning per function association: what the YAML cannot express may change what a live run
/// sees.
fn function_warnings(b: &RawBehavior, label: &str, warnings: &mut Vec<Warning>) {
    for f in &b.functions {
        let event = f
            .event_type
            .as_ref()
            .map(text_of)
            .unwrap_or_else(|| "?".into());
        let why = match event.as_str() {
            "viewer-request" => {
                "runs on viewer requests before the cache and can answer, redirect or rewrite them"
            }
            "viewer-response" => {
                "can change every response the viewer gets, redirects and 403s included"
            }
            "origin-request" => {
                "can change the request the origin gets, its protocol and path included"
            }
            "origin-response" => "can change what the origin's response looks like to the viewer",
            _ => "can change what the viewer sees",
        };
        let when = f
            .condition
            .as_ref()
            .map(|c| format!(" (when condition `{c}` holds)"))
            .unwrap_or_default();
        warnings.push(Warning::new(
            f.pos,
            format!("behavior `{label}`: a {} association on {event}{when} {why}; the YAML cannot express it, so a live run may disagree with the model", f.kind),
        ));
    }
}

/// A method list in any order and case; absent → {GET, HEAD}; unresolved → {GET, HEAD} with a
/// warning.
fn methods(
    n: Option<&Node>,
    label: &str,
    what: &str,
    warnings: &mut Vec<Warning>,
) -> Result<MethodSet, ImportError> {
    let Some(n) = n else {
        return Ok(MethodSet::GET_HEAD);
    };
    let Some(items) = n.items() else {
        warnings.push(Warning::new(
            n.pos,
            format!("behavior `{label}`: {what} methods `{}` are not resolved in this file; imported as [GET, HEAD] (a guess; MTH-ALLOWED)", n.render_short()),
        ));
        return Ok(MethodSet::GET_HEAD);
    };
    if items.is_empty() && n.is_null() {
        return Ok(MethodSet::GET_HEAD);
    }
    let mut set = MethodSet(0);
    for m in items {
        let name = match m.text() {
            Some(Text::Lit(s)) => s.to_ascii_uppercase(),
            _ => {
                warnings.push(Warning::new(
                    m.pos,
                    format!("behavior `{label}`: {what} method `{}` is not resolved in this file; imported as [GET, HEAD] (a guess; MTH-ALLOWED)", m.render_short()),
                ));
                return Ok(MethodSet::GET_HEAD);
            }
        };
        let method = Method::parse(&name);
        match method.bit() {
            Some(b) if set.0 & b == 0 => set.0 |= b,
            Some(_) => {
                return Err(ImportError::invalid_rule(
                    m.pos,
                    format!("behavior `{label}`: method {name} is listed twice in the {what} methods"),
                    RuleId::MthAllowedSets,
                ))
            }
            None => {
                return Err(ImportError::invalid_rule(
                    m.pos,
                    format!("behavior `{label}`: `{name}` is not a method CloudFront supports; expected GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE"),
                    RuleId::MthAllowedSets,
                ))
            }
        }
    }
    Ok(set)
}
