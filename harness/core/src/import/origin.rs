//! Which kind of origin a CloudFront origin is, from its config block and its domain:
//! S3OriginConfig or an OAC-only S3 REST endpoint → `s3`; a custom origin whose domain is an S3
//! website endpoint → `s3-website` (CloudFront reaches it over HTTP only); any other custom origin
//! → `custom` with its protocol policy and ports.

use super::error::ImportError;
use super::raw::{RawCustom, RawOrigin};
use super::tree::{Node, Text};
use super::warnings::Warning;
use crate::distribution::{OriginKind, OriginProtocolPolicy};
use crate::yaml::Pos;
use crate::RuleId;

/// An S3 website endpoint: `b.s3-website-us-east-1.amazonaws.com` (dash) or
/// `b.s3-website.eu-west-3.amazonaws.com` (dot), optionally `http://…/`.
pub fn is_s3_website(domain: &str) -> bool {
    let d = bare(domain);
    d.ends_with(".amazonaws.com") && (d.contains(".s3-website-") || d.contains(".s3-website."))
}

/// An S3 REST endpoint: `b.s3.amazonaws.com`, `b.s3.us-east-2.amazonaws.com`, the legacy
/// `b.s3-us-west-2.amazonaws.com`, and the dual-stack names.
pub fn is_s3_rest(domain: &str) -> bool {
    let d = bare(domain);
    if !d.ends_with(".amazonaws.com") || is_s3_website(&d) {
        return false;
    }
    let labels: Vec<&str> = d.split('.').collect();
    labels[..labels.len() - 2]
        .iter()
        .any(|l| *l == "s3" || l.starts_with("s3-") || *l == "s3-accelerate")
}

fn bare(domain: &str) -> String {
    let d = domain.trim().to_ascii_lowercase();
    let d = d
        .strip_prefix("https://")
        .or_else(|| d.strip_prefix("http://"))
        .unwrap_or(&d);
    d.trim_end_matches('/').to_string()
}

/// Whether an unresolved domain expression names a website endpoint (`!GetAtt B.WebsiteURL`,
/// `aws_s3_bucket.b.website_endpoint`, `…website_domain`).
fn expr_looks_website(e: &str) -> bool {
    e.to_ascii_lowercase().contains("website")
}

/// The origin's kind, with the warnings its guesses need.
pub fn kind(
    o: &RawOrigin,
    id: &str,
    warnings: &mut Vec<Warning>,
) -> Result<OriginKind, ImportError> {
    let domain = o.domain.as_ref().and_then(|d| d.text());
    let dpos = o.domain.as_ref().map(|d| d.pos).unwrap_or(o.pos);
    let at = Domain { domain, dpos };
    if o.s3_config {
        s3_config(o, id, &at, warnings);
        return Ok(OriginKind::S3);
    }
    if let Some(c) = &o.custom {
        return custom(o, c, id, &at, warnings);
    }
    let Domain { domain, dpos } = at;
    match &domain {
        Some(Text::Lit(d)) if is_s3_website(d) => Ok(OriginKind::S3Website { http_port: 80 }),
        Some(Text::Lit(d)) if is_s3_rest(d) => Ok(OriginKind::S3),
        Some(Text::Expr(e)) => {
            warnings.push(Warning::new(
                dpos,
                format!("origin `{id}`: no S3 or custom origin config, and domain `{e}` is not resolved in this file; imported as type: s3 (a guess{}: an S3 REST endpoint reached over the viewer's protocol)", if o.oac { " from its origin access control" } else { "" }),
            ));
            Ok(OriginKind::S3)
        }
        Some(Text::Lit(d)) => Err(ImportError::invalid(
            dpos,
            format!("origin `{id}`: `{d}` is not an S3 endpoint, so it needs a custom origin config (CustomOriginConfig / custom_origin_config) with its protocol policy"),
        )),
        None => Err(ImportError::invalid(
            o.pos,
            format!("origin `{id}` has no domain name; expected DomainName / domain_name"),
        )),
    }
}

/// An origin's domain, if the input gives it, and where it stands (the origin's place without).
struct Domain {
    domain: Option<Text>,
    dpos: Pos,
}

/// S3OriginConfig: `s3` as configured, with a warning when the domain is a website endpoint.
fn s3_config(o: &RawOrigin, id: &str, at: &Domain, warnings: &mut Vec<Warning>) {
    let Domain { domain, dpos } = at;
    let dpos = *dpos;
    let website = match &domain {
        Some(Text::Lit(d)) => is_s3_website(d),
        Some(Text::Expr(e)) => e.to_ascii_lowercase().contains("s3-website"),
        None => no_domain(o, id, warnings),
    };
    if website {
        warnings.push(Warning::new(
            dpos,
            format!("origin `{id}`: S3OriginConfig, but the domain is an S3 website endpoint, which speaks HTTP only and not the S3 REST API: CloudFront treats it as an S3 REST origin reached over the viewer's protocol, so HTTPS fetches from it fail; imported as type: s3 as configured (ORG-S3-MATCH-VIEWER, ORG-WEBSITE-HTTP)"),
        ));
    }
}

/// A custom origin config: `s3-website` when its domain is (or looks like) a website endpoint,
/// `custom` with its protocol policy and ports otherwise.
fn custom(
    o: &RawOrigin,
    c: &RawCustom,
    id: &str,
    at: &Domain,
    warnings: &mut Vec<Warning>,
) -> Result<OriginKind, ImportError> {
    let Domain { domain, dpos } = at;
    let dpos = *dpos;
    let http_port = port(c.http_port.as_ref(), 80, id, "HTTPPort", warnings)?;
    let https_port = port(c.https_port.as_ref(), 443, id, "HTTPSPort", warnings)?;
    let policy_node = c.policy.as_ref();
    let policy = protocol_policy(c, id, warnings)?;
    let website = match &domain {
        Some(Text::Lit(d)) => is_s3_website(d),
        Some(Text::Expr(e)) => {
            let guess = expr_looks_website(e);
            warnings.push(Warning::new(
                dpos,
                if guess {
                    format!("origin `{id}`: domain `{e}` is not resolved in this file; imported as type: s3-website (a guess from its name: an S3 website endpoint, HTTP only); if it is not a website endpoint, make it type: custom")
                } else {
                    format!("origin `{id}`: domain `{e}` is not resolved in this file; imported as type: custom (a guess: if it is an S3 website endpoint, CloudFront reaches it over HTTP only, make it type: s3-website)")
                },
            ));
            guess
        }
        None => no_domain(o, id, warnings),
    };
    if website {
        if let Some(p) = policy.filter(|p| *p != OriginProtocolPolicy::HttpOnly) {
            warnings.push(Warning::new(
                policy_node.map(|n| n.pos).unwrap_or(c.pos),
                format!("origin `{id}`: an S3 website endpoint only speaks HTTP, but the origin protocol policy is {}: CloudFront's HTTPS requests to it fail; imported as type: s3-website (HTTP only; ORG-WEBSITE-HTTP)", p.as_str()),
            ));
        }
        return Ok(OriginKind::S3Website { http_port });
    }
    Ok(OriginKind::Custom {
        protocol_policy: policy.unwrap_or(OriginProtocolPolicy::HttpsOnly),
        http_port,
        https_port,
    })
}

/// An origin whose domain the input does not give (a Terraform plan's): a warning, and not a
/// website endpoint.
fn no_domain(o: &RawOrigin, id: &str, warnings: &mut Vec<Warning>) -> bool {
    warnings.push(Warning::new(
        o.pos,
        format!("origin `{id}` has no domain name in the input (a Terraform plan leaves it unknown until apply); imported as type: custom (a guess: if it is an S3 website endpoint, CloudFront reaches it over HTTP only, make it type: s3-website)"),
    ));
    false
}

/// The custom origin's protocol policy (ORG-CUSTOM-POLICY), `None` when this file does not
/// resolve it (a warning says so).
fn protocol_policy(
    c: &RawCustom,
    id: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<OriginProtocolPolicy>, ImportError> {
    let policy_node = c.policy.as_ref();
    Ok(match policy_node.and_then(|p| p.text()) {
        Some(Text::Lit(p)) => Some(match p.as_str() {
            "http-only" => OriginProtocolPolicy::HttpOnly,
            "https-only" => OriginProtocolPolicy::HttpsOnly,
            "match-viewer" => OriginProtocolPolicy::MatchViewer,
            other => {
                return Err(ImportError::invalid_rule(
                    policy_node.map(|n| n.pos).unwrap_or(c.pos),
                    format!("origin `{id}`: origin protocol policy `{other}` is not one CloudFront knows; expected http-only, https-only or match-viewer"),
                    RuleId::OrgCustomPolicy,
                ))
            }
        }),
        Some(Text::Expr(e)) => {
            warnings.push(Warning::new(
                policy_node.map(|n| n.pos).unwrap_or(c.pos),
                format!("origin `{id}`: origin protocol policy `{e}` is not resolved in this file; imported as https-only (a guess; ORG-CUSTOM-POLICY)"),
            ));
            None
        }
        None => {
            return Err(ImportError::invalid_rule(
                c.pos,
                format!("origin `{id}`: the custom origin config has no origin protocol policy; expected http-only, https-only or match-viewer"),
                RuleId::OrgCustomPolicy,
            ))
        }
    })
}

fn port(
    n: Option<&Node>,
    default: u16,
    id: &str,
    what: &str,
    warnings: &mut Vec<Warning>,
) -> Result<u16, ImportError> {
    let Some(n) = n else { return Ok(default) };
    match n.text() {
        Some(Text::Lit(s)) => match s.parse::<u16>() {
            Ok(p) if p == 80 || p == 443 || p >= 1024 => Ok(p),
            _ => Err(ImportError::invalid_rule(
                n.pos,
                format!(
                    "origin `{id}`: {what} `{s}` is not allowed; expected 80, 443 or 1024-65535"
                ),
                RuleId::OrgCustomPolicy,
            )),
        },
        Some(Text::Expr(e)) => {
            warnings.push(Warning::new(
                n.pos,
                format!("origin `{id}`: {what} `{e}` is not resolved in this file; imported as {default}"),
            ));
            Ok(default)
        }
        None => Ok(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_endpoints_are_told_apart() {
        assert!(is_s3_website("b.s3-website-us-east-1.amazonaws.com"));
        assert!(is_s3_website("b.s3-website.eu-west-3.amazonaws.com"));
        assert!(is_s3_website(
            "http://B.s3-website.eu-west-3.amazonaws.com/"
        ));
        assert!(!is_s3_website("b.s3.amazonaws.com"));
        assert!(is_s3_rest("b.s3.amazonaws.com"));
        assert!(is_s3_rest("b.s3.us-east-2.amazonaws.com"));
        assert!(is_s3_rest("b.s3-us-west-2.amazonaws.com"));
        assert!(!is_s3_rest("b.s3-website-us-east-1.amazonaws.com"));
        assert!(!is_s3_rest("api.example.com"));
        assert!(!is_s3_rest("s3.example.com"));
        assert!(is_s3_rest("s3.amazonaws.com"));
        assert!(is_s3_rest("b.s3.dualstack.eu-west-1.amazonaws.com"));
        assert!(!is_s3_rest("elb.us-east-1.amazonaws.com"));
    }
}
