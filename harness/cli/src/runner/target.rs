//! Where a run's requests go, and what is started for it: the embedded reference edge (or one of
//! its mutants) with its origin, a third-party recipe from `targets/` with the harness's origin,
//! or an external target with the harness's origin, a standalone one (`--origin-control`) or none
//! (`--viewer-only`). Shared by `edgeconform run` and `edgeconform fuzz`.

use super::client::Endpoint;
use super::embedded::{self, Env};
use super::recipe::Recipe;
use crate::edge::Mutant;
use crate::exit;
use crate::report::model::TargetInfo;
use crate::tls::TestCa;
use anyhow::Result;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::outcome::OriginFailure;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The target options `run` and `fuzz` share.
#[derive(Debug, Clone, Default)]
pub struct TargetOpts {
    /// Plain-HTTP address of an external target.
    pub target: Option<String>,
    /// Its HTTPS address.
    pub target_https: Option<String>,
    /// A recipe from `targets` to start and stop.
    pub recipe: Option<String>,
    pub targets: PathBuf,
    /// The control address of a standalone `edgeconform origin` the external target uses.
    pub origin_control: Option<SocketAddr>,
    pub viewer_only: bool,
    /// A mutant of the embedded edge.
    pub mutant: Option<Mutant>,
    /// The target's name in reports.
    pub name: Option<String>,
    pub insecure: bool,
}

impl TargetOpts {
    /// Whether the target is someone else's (an external address or a recipe): its
    /// distribution is the one given, and origin failures cannot be arranged.
    pub fn is_external(&self) -> bool {
        self.target.is_some() || self.recipe.is_some()
    }
}

/// What was started.
pub struct Started {
    pub env: Env,
    pub info: TargetInfo,
    /// The recipe, to be stopped after the run.
    pub recipe: Option<Recipe>,
    /// Set when the target has no HTTPS listener (why).
    pub no_https: Option<String>,
}

/// The distributions an embedded run needs edges for (with the origin failures to arrange), or
/// the one distribution an external target implements.
pub enum Serves {
    Embedded(Vec<(Option<OriginFailure>, Arc<Distribution>)>),
    External(Distribution),
}

/// Starts what the target needs. An embedded edge writes its access logs into `log_dir` (none
/// without one).
pub async fn start(
    opts: &TargetOpts,
    ca: &TestCa,
    serves: Serves,
    log_dir: Option<&Path>,
) -> Result<Started> {
    let mut recipe = None;
    let mut no_https = None;
    let (env, info) = match (&opts.target, &opts.recipe, serves) {
        (None, Some(name), Serves::External(dist)) => {
            let (env, info, r) = start_recipe(opts, ca, name, &dist).await?;
            recipe = Some(r);
            (env, info)
        }
        (Some(t), _, Serves::External(dist)) => {
            let (env, info, why) = start_external(opts, ca, t, &dist).await?;
            no_https = why;
            (env, info)
        }
        (_, _, Serves::Embedded(needs)) => {
            let env = embedded::start(ca, needs, log_dir, opts.mutant).await?;
            let default_name = match opts.mutant {
                Some(m) => format!("mutant-{m}"),
                None => "reference".into(),
            };
            let info = TargetInfo {
                name: opts.name.clone().unwrap_or(default_name),
                http: String::new(),
                https: String::new(),
                insecure: opts.insecure,
            };
            (env, info)
        }
        (None, None, Serves::External(dist)) => {
            let env = embedded::start(ca, [(None, Arc::new(dist))], log_dir, opts.mutant).await?;
            let info = TargetInfo {
                name: opts.name.clone().unwrap_or_else(|| match opts.mutant {
                    Some(m) => format!("mutant-{m}"),
                    None => "reference".into(),
                }),
                http: String::new(),
                https: String::new(),
                insecure: opts.insecure,
            };
            (env, info)
        }
    };
    Ok(Started {
        env,
        info,
        recipe,
        no_https,
    })
}

/// A recipe from `targets/`, with the embedded origin it forwards to.
async fn start_recipe(
    opts: &TargetOpts,
    ca: &TestCa,
    name: &str,
    dist: &Distribution,
) -> Result<(Env, TargetInfo, Recipe)> {
    let placeholder = Endpoint {
        http: ([127, 0, 0, 1], 9).into(),
        https: ([127, 0, 0, 1], 9).into(),
        tls_name: dist.domain.clone(),
    };
    let mut env = embedded::start_origin_for_target(ca, dist, placeholder).await?;
    let r = Recipe::start(&opts.targets, name, env.origin(), ca, dist)?;
    env.set_target(Endpoint {
        http: r.http,
        https: r.https,
        tls_name: dist.domain.clone(),
    });
    let info = TargetInfo {
        name: opts.name.clone().unwrap_or_else(|| name.to_string()),
        http: format!("http://{}", r.http),
        https: format!("https://{}", r.https),
        insecure: opts.insecure,
    };
    Ok((env, info, r))
}

/// A target given by address (`--target`, `--target-https`), with the origin it is judged by:
/// one it reaches here, a remote one (`--origin-control`) or none (`--viewer-only`). The third
/// value says why HTTPS cases are not run, when they are not.
async fn start_external(
    opts: &TargetOpts,
    ca: &TestCa,
    t: &str,
    dist: &Distribution,
) -> Result<(Env, TargetInfo, Option<String>)> {
    let mut no_https = None;
    let http = addr_of(t)?;
    // A plain-HTTP-only target is legitimate: its HTTPS requests are not run.
    let https_addr = match &opts.target_https {
        Some(u) => addr_of(u)?,
        None => {
            no_https =
                Some("the target has no HTTPS address (--target-https not given)".to_string());
            http
        }
    };
    let https = opts.target_https.clone().unwrap_or_else(|| "(none)".into());
    let endpoint = Endpoint {
        http,
        https: https_addr,
        tls_name: dist.domain.clone(),
    };
    let env = match opts.origin_control {
        Some(control) => embedded::remote_origin(endpoint, control),
        None if opts.viewer_only => embedded::viewer_only(endpoint),
        None => embedded::start_origin_for_target(ca, dist, endpoint).await?,
    };
    let name = opts
        .name
        .clone()
        .unwrap_or_else(|| t.split_once("://").map_or(t, |(_, r)| r).to_string());
    let info = TargetInfo {
        name,
        http: t.to_string(),
        https,
        insecure: opts.insecure,
    };
    Ok((env, info, no_https))
}

/// The client's TLS settings: the test CA and `extra_ca` (PEM) as roots, or no verification at
/// all with `insecure` (recorded in the report).
pub fn client_tls(
    ca: &TestCa,
    extra_ca: Option<&Path>,
    insecure: bool,
) -> Result<Arc<rustls::ClientConfig>> {
    let mut roots = vec![ca.ca_pem().to_string()];
    if let Some(p) = extra_ca {
        roots.push(std::fs::read_to_string(p).map_err(|e| {
            anyhow::Error::new(exit::Usage(format!(
                "cannot read --ca {}: {e}",
                p.display()
            )))
        })?);
    }
    let root_refs: Vec<&str> = roots.iter().map(String::as_str).collect();
    Ok(Arc::new(if insecure {
        super::insecure::client_config(crate::tls::ALPN_H2_H1)?
    } else {
        crate::tls::client_config(&root_refs, crate::tls::ALPN_H2_H1)?
    }))
}

/// The socket address of `http(s)://HOST:PORT[/...]` (a usage error otherwise).
pub fn addr_of(url: &str) -> Result<SocketAddr> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let hostport = rest.split('/').next().unwrap_or(rest);
    use std::net::ToSocketAddrs;
    let usage = |why: String| anyhow::Error::new(exit::Usage(why));
    hostport
        .to_socket_addrs()
        .map_err(|e| usage(format!("`{url}`: {e}; expected http(s)://HOST:PORT")))?
        .next()
        .ok_or_else(|| usage(format!("`{url}` resolves to no address")))
}

/// Reads a distribution file; problems are a usage error pointing at file:line:column.
pub fn read_distribution(path: &Path) -> Result<Distribution> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::Error::new(exit::Usage(format!("cannot read {}: {e}", path.display())))
    })?;
    Distribution::from_yaml(&text).map_err(|p| {
        anyhow::Error::new(exit::Usage(
            p.render(&path.display().to_string()).to_string(),
        ))
    })
}
