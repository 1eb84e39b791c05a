//! Third-party recipes as targets (`edgeconform run --recipe NAME`, `make conformance
//! TARGET=recipe:NAME`): starts `targets/NAME/start` with the contract of targets/README.md
//! (origin listeners, edge ports, certificate, WORKDIR in the environment), stops it with
//! `targets/NAME/stop`, and compares the rules the run found violated with the recipe's baseline
//! `targets/NAME/expected.yaml`. A recipe asks things of the harness's origin in
//! `targets/NAME/origin.yaml` (optional): `cacheable: true` for a caching edge.

use crate::origin::OriginServer;
use crate::tls::TestCa;
use anyhow::{anyhow, bail, Context, Result};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::RuleId;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

/// A started recipe: the handle on what its `start` script left running. Stopped once, by
/// [`Recipe::stop`] or else when dropped, so that a run that ends early (an error, a panic, a
/// usage error found after the start) does not leave the recipe's servers behind.
pub struct Recipe {
    pub name: String,
    dir: PathBuf,
    env: Vec<(String, String)>,
    pub http: SocketAddr,
    pub https: SocketAddr,
    workdir: PathBuf,
    /// `stop` has run (it runs once, however often it is asked for).
    stopped: AtomicBool,
}

/// One entry of `expected.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    pub rule: RuleId,
    pub reason: String,
    /// The software shows the deviation in some runs and not in others (a bound it checks on
    /// buffered reads, a race): a run that does not show it leaves the entry standing instead
    /// of calling it stale. The reason must say what varies.
    #[serde(default)]
    pub intermittent: bool,
}

/// A recipe's baseline file (`targets/NAME/expected.yaml`): each rule it is known to break, with
/// the reason. A file of comments only (no known deviation) is YAML null: an empty baseline. The one
/// reader of these files (`edgeconform run --recipe` and `edgeconform report --targets`).
pub fn read_baseline(path: &Path) -> Result<BTreeMap<RuleId, String>, String> {
    Ok(read_deviations(path)?
        .into_iter()
        .map(|d| (d.rule, d.reason))
        .collect())
}

/// The entries of a baseline file, each with a reason.
pub fn read_deviations(path: &Path) -> Result<Vec<Deviation>, String> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    parse_deviations(&text, &shown)
}

fn parse_deviations(text: &str, shown: &str) -> Result<Vec<Deviation>, String> {
    let list: Option<Vec<Deviation>> =
        edgeconform_core::yaml::from_str(text).map_err(|p| p.render(shown))?;
    let list = list.unwrap_or_default();
    if let Some(d) = list.iter().find(|d| d.reason.trim().is_empty()) {
        return Err(format!("{shown}: the deviation {} has no reason", d.rule));
    }
    Ok(list)
}

/// What a recipe asks of the instrumented origin (`targets/NAME/origin.yaml`, optional).
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OriginWish {
    /// Answers carry `Cache-Control: public, max-age=300` instead of `no-store`, as
    /// `edgeconform run --cacheable` (a caching edge, tested as one).
    #[serde(default)]
    pub cacheable: bool,
}

/// Reads `dir/origin.yaml`; no file asks for nothing.
pub fn origin_wish(dir: &Path) -> Result<OriginWish> {
    let path = dir.join("origin.yaml");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OriginWish::default()),
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    let wish: Option<OriginWish> = edgeconform_core::yaml::from_str(&text)
        .map_err(|p| anyhow!(p.render(&path.display().to_string())))?;
    Ok(wish.unwrap_or_default())
}

/// The rules recipe `dir` is known to break.
pub fn expected(dir: &Path) -> Result<BTreeSet<RuleId>> {
    let baseline = read_baseline(&dir.join("expected.yaml")).map_err(|e| anyhow!(e))?;
    Ok(baseline.into_keys().collect())
}

/// The rules of recipe `dir`'s baseline marked `intermittent`.
pub fn intermittent(dir: &Path) -> Result<BTreeSet<RuleId>> {
    let list = read_deviations(&dir.join("expected.yaml")).map_err(|e| anyhow!(e))?;
    Ok(list
        .into_iter()
        .filter(|d| d.intermittent)
        .map(|d| d.rule)
        .collect())
}

/// A loopback port for the recipe's edge to listen on. Bound without SO_REUSEADDR (which std's
/// `TcpListener::bind` sets), the kernel skips ports that a closed connection still holds in
/// TIME_WAIT; with it, it could hand out such a port, on which a server that does not set the
/// option (or sets it differently) then fails with "Address already in use".
fn free_port() -> Result<SocketAddr> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(false)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    Ok(socket.local_addr()?)
}

impl Recipe {
    /// Starts recipe `name` from `targets/` against `origin`, with a certificate from `ca`.
    pub fn start(
        targets: &Path,
        name: &str,
        origin: &OriginServer,
        ca: &TestCa,
        dist: &Distribution,
    ) -> Result<Recipe> {
        let dir = targets.join(name);
        if !dir.join("start").is_file() {
            let known: Vec<String> = std::fs::read_dir(targets)
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .filter(|e| e.path().join("start").is_file())
                        .filter_map(|e| e.file_name().into_string().ok())
                        .collect()
                })
                .unwrap_or_default();
            bail!(
                "no recipe `{name}` in {} (known: {})",
                targets.display(),
                known.join(", ")
            );
        }
        if origin_wish(&dir)?.cacheable {
            origin.objects().set_cacheable(true);
        }
        let workdir =
            std::env::temp_dir().join(format!("edgeconform-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&workdir);
        std::fs::create_dir_all(&workdir)?;
        let mut names = vec![dist.domain.clone()];
        names.extend(dist.aliases.iter().cloned());
        let (chain, key) = ca.issue(&names)?;
        let cert_pem: String = chain
            .iter()
            .map(|c| crate::encode::pem("CERTIFICATE", c.as_ref()))
            .collect();
        let key_pem = crate::encode::pem("PRIVATE KEY", key.secret_der());
        std::fs::write(workdir.join("edge.pem"), cert_pem)?;
        std::fs::write(workdir.join("edge.key"), key_pem)?;
        std::fs::write(workdir.join("ca.pem"), ca.ca_pem())?;
        let (http, https) = (free_port()?, free_port()?);
        let mut env = vec![
            ("EDGE_HTTP_PORT".to_string(), http.port().to_string()),
            ("EDGE_HTTPS_PORT".to_string(), https.port().to_string()),
            (
                "EDGE_CERT".to_string(),
                workdir.join("edge.pem").display().to_string(),
            ),
            (
                "EDGE_KEY".to_string(),
                workdir.join("edge.key").display().to_string(),
            ),
            (
                "EDGE_CA".to_string(),
                workdir.join("ca.pem").display().to_string(),
            ),
            ("WORKDIR".to_string(), workdir.display().to_string()),
        ];
        for l in origin.listeners() {
            let var = format!(
                "ORIGIN_{}_{}",
                l.name.to_ascii_uppercase(),
                if l.tls { "HTTPS" } else { "HTTP" }
            );
            env.push((var, l.addr.to_string()));
        }
        let status = Command::new(dir.join("start"))
            .envs(env.iter().cloned())
            .status()
            .with_context(|| format!("cannot run {}/start", dir.display()))?;
        let recipe = Recipe {
            name: name.to_string(),
            dir,
            env,
            http,
            https,
            workdir,
            stopped: AtomicBool::new(false),
        };
        if !status.success() {
            recipe.stop();
            bail!("{}/start failed ({status})", recipe.dir.display());
        }
        Ok(recipe)
    }

    /// Stops the recipe (its `stop` script) and removes its WORKDIR; once only, so that the
    /// drop that follows an orderly stop does nothing.
    pub fn stop(&self) {
        if self.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        let _ = Command::new(self.dir.join("stop"))
            .envs(self.env.iter().cloned())
            .status();
        let _ = std::fs::remove_dir_all(&self.workdir);
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// The safety net: a recipe nobody stopped is stopped when it goes out of scope.
impl Drop for Recipe {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How a run compares with the baseline: rules violated but not expected, and expected but no
/// longer violated.
pub fn compare(
    violated: &BTreeSet<RuleId>,
    expected: &BTreeSet<RuleId>,
) -> (Vec<RuleId>, Vec<RuleId>) {
    (
        violated.difference(expected).copied().collect(),
        expected.difference(violated).copied().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_committed_baseline_parses() {
        let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../targets");
        let mut n = 0;
        for e in std::fs::read_dir(&targets).unwrap().flatten() {
            if e.path().join("expected.yaml").is_file() {
                expected(&e.path()).unwrap();
                n += 1;
            }
        }
        assert!(n >= 5, "only {n} recipes have a baseline");
    }

    #[test]
    fn every_committed_origin_wish_parses_and_none_is_nothing() {
        let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../targets");
        let mut cacheable = Vec::new();
        for e in std::fs::read_dir(&targets).unwrap().flatten() {
            if e.path().join("start").is_file() && origin_wish(&e.path()).unwrap().cacheable {
                cacheable.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        assert_eq!(cacheable, ["nginx-cache"]);
        assert_eq!(
            origin_wish(&targets.join("no-such-recipe")).unwrap(),
            OriginWish::default()
        );
    }

    #[test]
    fn intermittent_entries_are_read_and_reasons_required() {
        let list = parse_deviations(
            "- rule: LIM-SIZE\n  reason: served in one run, refused in another\n  intermittent: true\n- rule: PAT-CASE\n  reason: r\n",
            "t.yaml",
        )
        .unwrap();
        let flags: Vec<(RuleId, bool)> = list.iter().map(|d| (d.rule, d.intermittent)).collect();
        assert_eq!(flags, [(RuleId::LimSize, true), (RuleId::PatCase, false)]);
        let e = parse_deviations("- rule: LIM-SIZE\n  reason: ' '\n", "t.yaml").unwrap_err();
        assert!(e.contains("LIM-SIZE has no reason"), "{e}");
    }

    /// A recipe over a real server process (`sleep 30`) that its `stop` script kills, as a
    /// recipe's stop script stops its edge; the script also notes each time it runs.
    fn recipe_over_a_process(tag: &str) -> (Recipe, std::process::Child, PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let dir =
            std::env::temp_dir().join(format!("edgeconform-recipe-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let stop = dir.join("stop");
        std::fs::write(
            &stop,
            "#!/bin/sh\nkill \"$SERVER_PID\"\necho stopped >> \"$(dirname \"$0\")/stops\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&stop, std::fs::Permissions::from_mode(0o755)).unwrap();
        let server = Command::new("sleep").arg("30").spawn().unwrap();
        let recipe = Recipe {
            name: tag.into(),
            dir: dir.clone(),
            env: vec![("SERVER_PID".into(), server.id().to_string())],
            http: ([127, 0, 0, 1], 9).into(),
            https: ([127, 0, 0, 1], 9).into(),
            workdir: dir.join("work"),
            stopped: AtomicBool::new(false),
        };
        (recipe, server, dir)
    }

    /// Whether `server` exits within five seconds.
    fn exits(server: &mut std::process::Child) -> bool {
        for _ in 0..100 {
            if server.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    }

    fn stops(dir: &Path) -> usize {
        std::fs::read_to_string(dir.join("stops")).map_or(0, |t| t.lines().count())
    }

    #[test]
    fn a_recipe_is_stopped_when_an_error_follows_its_start() {
        let (recipe, mut server, dir) = recipe_over_a_process("error");
        // What a run does after the start, failing half-way with `?`.
        fn after_start(recipe: Recipe, dir: &Path) -> Result<usize> {
            let text = std::fs::read_to_string(dir.join("no-such-baseline.yaml"))?;
            Ok(text.len() + usize::from(recipe.http.port()))
        }
        assert!(after_start(recipe, &dir).is_err());
        let stopped = exits(&mut server);
        if !stopped {
            let _ = server.kill();
        }
        assert!(stopped, "the recipe's server still runs after the error");
        assert_eq!(stops(&dir), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_orderly_stop_runs_the_stop_script_once() {
        let (recipe, mut server, dir) = recipe_over_a_process("orderly");
        recipe.stop();
        assert!(exits(&mut server), "stop did not stop the server");
        drop(recipe);
        assert_eq!(stops(&dir), 1, "the drop after a stop ran `stop` again");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn compare_names_new_and_fixed_deviations() {
        let v: BTreeSet<RuleId> = [RuleId::LocHost, RuleId::PatCase].into();
        let e: BTreeSet<RuleId> = [RuleId::PatCase, RuleId::HostRoute].into();
        assert_eq!(
            compare(&v, &e),
            (vec![RuleId::LocHost], vec![RuleId::HostRoute])
        );
    }
}
