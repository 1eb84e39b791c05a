//! The target-selection flags `run` and `fuzz` share (where the requests go, what is started for
//! them, how its certificate is checked), and the one step that turns them into the runner's
//! target ([`TargetArgs::start`]). A command whose help speaks of a flag differently says so
//! with `mut_arg` on its own arguments.

use crate::runner::target::{self, Serves, Started, TargetOpts};
use crate::tls::TestCa;
use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args, Debug, Clone)]
pub struct TargetArgs {
    /// Plain-HTTP address of an external target, e.g. http://127.0.0.1:8080. Without it the
    /// embedded reference edge is started.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// HTTPS address of the external target, e.g. https://127.0.0.1:8443.
    #[arg(long, value_name = "URL")]
    pub target_https: Option<String>,
    /// With --target: the distribution the target implements; only suites on it are run. Given
    /// without suite paths: run the suite derived from it (`edgeconform derive`).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "specs/distributions/standard.yaml"
    )]
    pub distribution: PathBuf,
    /// With --target: read the origin's records from a standalone `edgeconform origin` at this
    /// control address (e.g. 127.0.0.1:41234) instead of starting one; configure the target with
    /// the listener addresses that origin printed.
    #[arg(long, value_name = "ADDR", requires = "target")]
    pub origin_control: Option<std::net::SocketAddr>,
    /// Judge the viewer side only, for an edge wired to an origin of its own (a real CloudFront
    /// distribution, any edge): no origin is started or read, "forwarded" is judged from what
    /// the viewer got, and origin-side and billing rules are reported as not observed (never
    /// passed); with --access-log, BIL-PER-RESPONSE and the log rules are judged on the target's
    /// log. With the embedded edge or a recipe, their origin still runs but is not read.
    #[arg(long, conflicts_with = "origin_control")]
    pub viewer_only: bool,
    /// Run against a mutant of the embedded reference edge (`edgeconform mutants` lists them):
    /// the suite should fail for exactly the rules it breaks.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["target", "recipe"])]
    pub mutant: Option<crate::edge::Mutant>,
    /// Run against a third-party recipe from targets/ (e.g. nginx): started before the run,
    /// stopped after it, and judged against its baseline targets/NAME/expected.yaml.
    #[arg(long, value_name = "NAME", conflicts_with = "target")]
    pub recipe: Option<String>,
    /// Where recipes live.
    #[arg(long, value_name = "DIR", default_value = "targets")]
    pub targets: PathBuf,
    /// A short name for the target in reports (default: `reference`, or the target's host:port).
    #[arg(long)]
    pub name: Option<String>,
    /// Also trust this CA (PEM) for the target's HTTPS.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Do not verify the target's certificate (recorded in the report).
    #[arg(long)]
    pub insecure: bool,
}

impl TargetArgs {
    /// The runner's view of these flags.
    pub fn opts(&self) -> TargetOpts {
        TargetOpts {
            target: self.target.clone(),
            target_https: self.target_https.clone(),
            recipe: self.recipe.clone(),
            targets: self.targets.clone(),
            origin_control: self.origin_control,
            viewer_only: self.viewer_only,
            mutant: self.mutant,
            name: self.name.clone(),
            insecure: self.insecure,
        }
    }

    /// Whether the target is someone else's (an external address or a recipe).
    pub fn is_external(&self) -> bool {
        self.opts().is_external()
    }

    /// The client's TLS settings: the run's test CA and --ca as roots, or none with --insecure.
    pub fn client_tls(&self, ca: &TestCa) -> Result<Arc<rustls::ClientConfig>> {
        target::client_tls(ca, self.ca.as_deref(), self.insecure)
    }

    /// Starts what the target needs (see [`target::start`]).
    pub async fn start(
        &self,
        ca: &TestCa,
        serves: Serves,
        log_dir: Option<&Path>,
    ) -> Result<Started> {
        target::start(&self.opts(), ca, serves, log_dir).await
    }
}
