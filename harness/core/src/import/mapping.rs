//! A [`RawDistribution`] (any input format) to the distribution YAML: origins by kind, behaviors
//! in order then the default one, aliases, method sets, CloudFront-Forwarded-Proto. What the YAML
//! cannot say becomes a [`Warning`]; static scanner findings come out as [`Finding`]s. The YAML is
//! loaded back with the project's own loader before it is returned.

use super::error::ImportError;
use super::origin;
use super::raw::RawDistribution;
use super::tree::{Node, Text};
use super::warnings::{Finding, Warning};
use crate::distribution::{
    valid_host_name, Distribution, MethodSet, OriginKind, ViewerProtocolPolicy,
};
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
    let origins = map_origins(raw, &mut warnings)?;
    let groups = origin_groups(raw, &origins, &mut warnings)?;
    let Some(default) = &raw.default_behavior else {
        return Err(ImportError::invalid(
            raw.pos,
            format!("distribution `{}` has no default cache behavior (DefaultCacheBehavior / default_cache_behavior); CloudFront requires one{}", raw.name, dynamic_hint(raw, "default_cache_behavior")),
        ));
    };
    let mut behaviors = Vec::new();
    for b in &raw.behaviors {
        if let Some(beh) =
            super::behavior::behavior(b, false, &origins, &groups, &raw.policies, &mut warnings)?
        {
            behaviors.push(beh);
        }
    }
    let default = super::behavior::behavior(
        default,
        true,
        &origins,
        &groups,
        &raw.policies,
        &mut warnings,
    )?
    .expect("the default behavior is never left out");

    error_response_warnings(raw, &mut warnings);
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

/// The origins, each with a distinct id, its type, OriginPath and domain; at least one.
fn map_origins(
    raw: &RawDistribution,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Origin>, ImportError> {
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
        let kind = origin::kind(o, &id, warnings)?;
        let path = origin_path(o.origin_path.as_ref(), &id, warnings)?;
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
    Ok(origins)
}

/// Origin groups as (id, index of the primary origin), with a warning each: the YAML has no
/// failover, so a group is its primary origin.
fn origin_groups(
    raw: &RawDistribution,
    origins: &[Origin],
    warnings: &mut Vec<Warning>,
) -> Result<Vec<(String, usize)>, ImportError> {
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
            return Err(unknown_origin(&g.members[0], primary, origins, &[]));
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
    Ok(groups)
}

/// A custom error response for 403 replaces CloudFront's own 403s, which the YAML cannot say.
fn error_response_warnings(raw: &RawDistribution, warnings: &mut Vec<Warning>) {
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
pub(super) fn text_of(n: &Node) -> String {
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

pub(super) fn unknown_origin(
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

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
