//! What a run talks to, set up and torn down in one place: the test CA, the client's TLS
//! settings, and the started target (the embedded reference edge or a mutant of it with its
//! origin, a recipe from `targets/` with the harness's origin, or an external target). Shared by
//! `edgeconform run` and the self-test, whose every edge is a session of its own.
//!
//! A session ends with [`Session::finish`]: the recipe stopped, then the embedded servers shut
//! down, after the caller has read what it needs from them (the access logs). A session dropped
//! unfinished, by an early return, an error or a panic, still stops its recipe
//! ([`Recipe`]'s drop).

use crate::cmd::target::TargetArgs;
use crate::report::model::TargetInfo;
use crate::runner::embedded::Env;
use crate::runner::recipe::Recipe;
use crate::runner::target::{self, Serves, Started, TargetOpts};
use crate::tls::TestCa;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The run's test CA, which the started servers' certificates come from, and the client's TLS
/// settings that trust it. Made before anything is started.
pub struct Trust {
    ca: TestCa,
    tls: Arc<rustls::ClientConfig>,
}

impl Trust {
    /// A new test CA, saved into `keep_ca` when given, and the client settings of `target`'s
    /// flags (`--ca` also trusted, or nothing checked with `--insecure`).
    pub fn new(target: &TargetArgs, keep_ca: Option<&Path>) -> Result<Trust> {
        let ca = TestCa::generate()?;
        if let Some(dir) = keep_ca {
            ca.save(dir)?;
        }
        let tls = target.client_tls(&ca)?;
        Ok(Trust { ca, tls })
    }

    /// A new test CA that the client trusts alone (the self-test's edges).
    pub fn test_ca() -> Result<Trust> {
        let ca = TestCa::generate()?;
        let tls = target::client_tls(&ca, None, false)?;
        Ok(Trust { ca, tls })
    }
}

/// A started target with the trust it was started with.
pub struct Session {
    tls: Arc<rustls::ClientConfig>,
    env: Env,
    info: TargetInfo,
    /// Stopped by [`Session::finish`], or when the session is dropped.
    recipe: Option<Recipe>,
    no_https: Option<String>,
    /// The CA the started servers' certificates come from (nothing reads it after the start).
    _ca: TestCa,
}

impl Session {
    /// Starts what `opts` asks for, serving `serves`; an embedded edge writes its access logs
    /// into `log_dir`. The target's addresses in [`Session::info`] are those the run uses.
    pub async fn start(
        trust: Trust,
        opts: &TargetOpts,
        serves: Serves,
        log_dir: Option<&Path>,
    ) -> Result<Session> {
        let Started {
            env,
            info,
            recipe,
            no_https,
        } = target::start(opts, &trust.ca, serves, log_dir).await?;
        let info = TargetInfo {
            http: env.http_desc(&info),
            https: env.https_desc(&info),
            ..info
        };
        Ok(Session {
            tls: trust.tls,
            env,
            info,
            recipe,
            no_https,
            _ca: trust.ca,
        })
    }

    /// Where requests go and where the origin's records come from.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The client's TLS settings.
    pub fn tls(&self) -> Arc<rustls::ClientConfig> {
        self.tls.clone()
    }

    /// The target as the reports name it.
    pub fn info(&self) -> &TargetInfo {
        &self.info
    }

    /// Why HTTPS cases are not run, when the target has no HTTPS listener.
    pub fn no_https(&self) -> Option<String> {
        self.no_https.clone()
    }

    /// Ends the session in order: the recipe stopped (its `stop` script), then the embedded
    /// servers shut down. Gives the recipe's folder (where its baseline is), if it was one.
    pub async fn finish(self) -> Option<PathBuf> {
        let dir = self.recipe.map(|r| {
            r.stop();
            r.dir().to_path_buf()
        });
        self.env.shutdown().await;
        dir
    }
}
