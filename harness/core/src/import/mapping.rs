//! A [`RawDistribution`] (any input format) to the distribution YAML: origins by kind, behaviors
//! in order then the default one, aliases, method sets, CloudFront-Forwarded-Proto. What the YAML
//! cannot say becomes a [`Warning`]; static scanner findings come out as [`Finding`]s. The YAML is
//! loaded back with the project's own loader before it is returned.

use super::error::ImportError;
use super::origin;
use super::policies::forwards_proto;
use super::raw::{RawBehavior, RawDistribution, RawPolicy};
use super::tree::{Node, Text};
use super::warnings::{Finding, Warning};
use crate::distribution::{
    valid_host_name, Distribution, MethodSet, OriginKind, ViewerProtocolPolicy,
};
use crate::pattern::PathPattern;
use crate::request::Method;
use crate::yaml::write::method_list;
use crate::yaml::Pos;
use crate::RuleId;

/// The domain used when neither the input nor `--domain` gives one (AWS's documentation example).
pub const PLACEHOLDER_DOMAIN: &str = "d111111abcdef8.cloudfront.net";

/// The result of mapping one distribution.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// The distribution YAML, without header comments.
    pub yaml: String,
    pub distribution: Distribution,
    pub warnings: Vec<Warning>,
    pub findings: Vec<Finding>,
}

/// An origin as the mapping resolved it.
pub(super) struct Origin {
    pub(super) id: String,
    pub(super) kind: OriginKind,
    pub(super) path: String,
    pub(super) domain: Option<String>,
}

/// A behavior as the mapping resolved it.
pub(super) struct Behavior {
    pub(super) pattern: String,
    pub(super) vpp: ViewerProtocolPolicy,
    pub(super) vpp_pos: Pos,
    pub(super) allowed: MethodSet,
    pub(super) cached: MethodSet,
    pub(super) origin: usize,
    pub(super) proto: bool,
}

/// Maps one distribution; `domain` (from `--domain`) wins over the input's own.
pub fn map(raw: &RawDistribution, domain: Option<&str>) -> Result<Mapped, ImportError> {
    let mut warnings = raw.warnings.clone();
    let domain = pick_domain(raw, domain, &mut warnings)?;
    let aliases = aliases(raw, &domain, &mut warnings);

    let mut origins: Vec<Origin> = Vec::new();
    for o in &raw.origins {
        let Some(id_node) = &o.id else {
            return Err(ImportError::invalid(
                o.pos,
                "an origin has no Id / origin_id",
            ));
        };
        let id = text_of(id_node);
        if origins.iter().any(|x| x.id == id) {
            return Err(ImportError::invalid(
                id_node.pos,
                format!("origin id `{id}` is used twice; each origin needs its own id"),
            ));
        }
        let kind = origin::kind(o, &id, &mut warnings)?;
        let path = origin_path(o.origin_path.as_ref(), &id, &mut warnings)?;
        let domain = match o.domain.as_ref().and_then(|d| d.text()) {
            Some(Text::Lit(d)) if !d.is_empty() => Some(d),
            _ => None,
        };
        origins.push(Origin {
            id,
            kind,
            path,
            domain,
        });
    }
    if origins.is_empty() {
        return Err(ImportError::invalid(
            raw.pos,
            format!(
                "the distribution has no origins; CloudFront requires at least one{}",
                dynamic_hint(raw, "origin")
            ),
        ));
    }

    let mut groups: Vec<(String, usize)> = Vec::new();
    for g in &raw.origin_groups {
        let gid = g.id.as_ref().map(text_of).unwrap_or_default();
        let members: Vec<String> = g.members.iter().map(text_of).collect();
        let Some(primary) = members.first() else {
            return Err(ImportError::invalid(
                g.pos,
                format!("origin group `{gid}` has no members"),
            ));
        };
        let Some(idx) = origins.iter().position(|o| &o.id == primary) else {
            return Err(unknown_origin(&g.members[0], primary, &origins, &[]));
        };
        warnings.push(Warning::new(
            g.pos,
            format!(
                "origin group `{gid}` (failover from `{primary}` to {}): the YAML has no origin groups, so behaviors that use it go to the primary origin `{primary}` only; what viewers see after a failover is not modelled",
                members[1..].iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            ),
        ));
        groups.push((gid, idx));
    }

    let Some(default) = &raw.default_behavior else {
        return Err(ImportError::invalid(
            raw.pos,
            format!("distribution `{}` has no default cache behavior (DefaultCacheBehavior / default_cache_behavior); CloudFront requires one{}", raw.name, dynamic_hint(raw, "default_cache_behavior")),
        ));
    };
    let mut behaviors = Vec::new();
    for b in &raw.behaviors {
        if let Some(beh) = behavior(b, false, &origins, &groups, &raw.policies, &mut warnings)? {
            behaviors.push(beh);
        }
    }
    let default = behavior(
        default,
        true,
        &origins,
        &groups,
        &raw.policies,
        &mut warnings,
    )?
    .expect("the default behavior is never left out");

    for (code, cond) in &raw.error_codes {
        if code.text() == Some(Text::Lit("403".into())) {
            let when = cond
                .as_ref()
                .map(|c| format!(" (when condition `{c}` holds)"))
                .unwrap_or_default();
            warnings.push(Warning::new(
                code.pos,
                format!("custom error response for 403{when}: CloudFront replaces its own 403 (HTTP under https-only, a method that is not allowed) with this response; the YAML cannot say so and the harness expects the plain 403 (VPP-HTTPS-ONLY, MTH-ALLOWED)"),
            ));
        }
    }

    let mut findings = Vec::new();
    for b in behaviors.iter().chain(std::iter::once(&default)) {
        findings.extend(super::findings::for_behavior(b, &origins));
    }

    let yaml = super::emit::distribution(&domain, &aliases, &origins, &behaviors, &default);
    let distribution = Distribution::from_yaml(&yaml).map_err(|p| {
        ImportError::invalid(
            raw.pos,
            format!(
                "the imported distribution does not load back: {}",
                p.render("<imported>")
            ),
        )
    })?;
    warnings.sort_by_key(|w| w.pos);
    warnings.dedup();
    findings.sort_by_key(|f| f.pos);
    Ok(Mapped {
        yaml,
        distribution,
        warnings,
        findings,
    })
}

/// When a Terraform `dynamic` block makes what is missing, say so and what to import instead.
fn dynamic_hint(raw: &RawDistribution, kind: &str) -> String {
    if raw.dynamic_blocks.iter().any(|d| d == kind) {
        format!(" (they come from a dynamic \"{kind}\" block, which only Terraform expands: import the `terraform show -json` output instead)")
    } else {
        String::new()
    }
}

/// A scalar's text, literal or not: origin ids match by spelling, even as expressions.
fn text_of(n: &Node) -> String {
    match n.text() {
        Some(Text::Lit(s)) | Some(Text::Expr(s)) => s,
        None => n.render_short(),
    }
}

fn pick_domain(
    raw: &RawDistribution,
    flag: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> Result<String, ImportError> {
    if let Some(d) = flag {
        return match valid_host_name(d) {
            Some(name) if !d.contains(':') => Ok(name),
            _ => Err(ImportError::invalid(
                raw.pos,
                format!("--domain `{d}` is not a valid domain name; expected a DNS name like d111111abcdef8.cloudfront.net"),
            )),
        };
    }
    if let Some(Text::Lit(d)) = raw.domain.as_ref().and_then(|d| d.text()) {
        if let Some(name) = valid_host_name(&d) {
            return Ok(name);
        }
    }
    warnings.push(Warning::new(
        raw.pos,
        format!("the input does not give the distribution's own domain (only get-distribution, list-distributions and Terraform state have the d….cloudfront.net name): used the placeholder {PLACEHOLDER_DOMAIN}; pass --domain to set it (HOST-ROUTE)"),
    ));
    Ok(PLACEHOLDER_DOMAIN.to_string())
}

fn aliases(raw: &RawDistribution, domain: &str, warnings: &mut Vec<Warning>) -> Vec<String> {
    if let Some(e) = &raw.aliases_expr {
        warnings.push(Warning::new(
            e.pos,
            format!("alternate domain names `{}` are not resolved in this file: none imported, so requests for them are not routed (HOST-ROUTE)", e.render_short()),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for a in &raw.aliases {
        match a.text() {
            Some(Text::Lit(s)) => {
                let (wild, rest) = match s.strip_prefix("*.") {
                    Some(r) => (true, r),
                    None => (false, s.as_str()),
                };
                match valid_host_name(rest) {
                    Some(n) if !rest.contains(':') && !rest.ends_with('.') => {
                        let n = if wild { format!("*.{n}") } else { n };
                        if !out.contains(&n) && n != domain {
                            out.push(n);
                        }
                    }
                    _ => warnings.push(Warning::new(
                        a.pos,
                        format!("alternate domain name `{s}` is not a valid DNS name: left out, so requests for it are not routed (HOST-ROUTE)"),
                    )),
                }
            }
            _ => warnings.push(Warning::new(
                a.pos,
                format!("alternate domain name `{}` is not resolved in this file: left out, so requests for it are not routed (HOST-ROUTE)", a.render_short()),
            )),
        }
    }
    out
}

fn origin_path(
    n: Option<&Node>,
    id: &str,
    warnings: &mut Vec<Warning>,
) -> Result<String, ImportError> {
    let Some(n) = n else { return Ok(String::new()) };
    match n.text() {
        Some(Text::Lit(p)) if p.is_empty() => Ok(String::new()),
        Some(Text::Lit(p))
            if !p.starts_with('/') || p.ends_with('/') || p.contains(['?', '#', ' ']) =>
        {
            Err(ImportError::invalid_rule(
                n.pos,
                format!("origin `{id}`: origin path `{p}` is not valid; expected a path that starts with `/` and does not end with `/`, like /v1"),
                RuleId::OrgPath,
            ))
        }
        Some(Text::Lit(p)) => Ok(p),
        Some(Text::Expr(e)) => {
            warnings.push(Warning::new(
                n.pos,
                format!("origin `{id}`: origin path `{e}` is not resolved in this file: imported as none, so the origin sees paths without its prefix (ORG-PATH)"),
            ));
            Ok(String::new())
        }
        None => Ok(String::new()),
    }
}

fn unknown_origin(
    at: &Node,
    id: &str,
    origins: &[Origin],
    groups: &[(String, usize)],
) -> ImportError {
    let known: Vec<String> = origins
        .iter()
        .map(|o| format!("`{}`", o.id))
        .chain(groups.iter().map(|(g, _)| format!("`{g}` (origin group)")))
        .collect();
    ImportError::invalid(
        at.pos,
        format!(
            "unknown origin `{id}`; expected one of: {}",
            known.join(", ")
        ),
    )
}

fn behavior(
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
        match b.path_pattern.as_ref().map(|p| (p, p.text())) {
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
        }
    };
    let label = if is_default {
        "*".to_string()
    } else {
        pattern.clone()
    };

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

    let allowed = methods(b.allowed_methods.as_ref(), &label, "allowed", warnings)?;
    if !allowed.is_legal_allowed() {
        let at = b.allowed_methods.as_ref().map(|n| n.pos).unwrap_or(b.pos);
        return Err(ImportError::invalid_rule(
            at,
            format!("behavior `{label}`: AllowedMethods {} is not a set CloudFront accepts; expected [GET, HEAD], [GET, HEAD, OPTIONS] or all seven [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE]", method_list(allowed)),
            RuleId::MthAllowedSets,
        ));
    }
    let cached = methods(b.cached_methods.as_ref(), &label, "cached", warnings)?;
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

    let Some(target) = &b.target_origin else {
        return Err(ImportError::invalid(
            b.pos,
            format!("behavior `{label}` has no target origin (TargetOriginId / target_origin_id)"),
        ));
    };
    let tid = text_of(target);
    let origin = match origins.iter().position(|o| o.id == tid) {
        Some(i) => i,
        None => match groups.iter().find(|(g, _)| *g == tid) {
            Some((_, i)) => *i,
            None => return Err(unknown_origin(target, &tid, origins, groups)),
        },
    };

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

/// `[GET, HEAD, …]` in the canonical order.
#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
