//! `edgeconform run`: the main job. Loads the suites, starts the instrumented origin (and, without
//! `--target`, the embedded reference edge), runs every selected case, prints a verdict per rule and
//! writes the reports.
//!
//! ```text
//! $ edgeconform run specs/
//! edgeconform: reference edge http=127.0.0.1:40001 https=127.0.0.1:40002
//! ...
//! 412 passed, 0 failed
//! reports: reports/20261128T171500Z-reference/ (and reports/latest/)
//! ```

mod baseline;
mod logs;
mod select;
mod session;
mod steps;

pub use logs::{check_logs, LogOpts};
pub use session::{Session, Trust};

use crate::cmd::target::TargetArgs;
use crate::exit;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Suite files or folders (folders are searched for *.yaml; `distributions/` is skipped).
    /// Default: `specs`; with --distribution and no paths, the suite derived from that
    /// distribution (`edgeconform derive`).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Run only cases with this tag (repeatable: any of them).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Run only the case with this id (repeatable).
    #[arg(long = "id")]
    pub ids: Vec<String>,
    /// Run only shard I of N (`--shard 1/4`): cases are split by a stable hash of their id, so a CI
    /// matrix of N jobs covers the suite once.
    #[arg(long, value_name = "I/N", value_parser = crate::cmd::shard::parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Requests in flight at once.
    #[arg(long, short = 'j', default_value_t = 16)]
    pub jobs: usize,
    /// Seconds to wait for one complete response.
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
    /// Bytes of each response body kept for judging; the rest is read, counted (billing, byte
    /// totals) and dropped, so an endless or huge body cannot exhaust memory.
    #[arg(long, value_name = "BYTES", default_value_t = crate::runner::client::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: u64,
    /// Seconds for the whole run; cases not started by then are left out and the report says so.
    #[arg(long)]
    pub global_timeout: Option<f64>,
    /// Where reports go (a run folder plus `latest/`).
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Keep the test CA under reports/.ca/ so an external target can be configured with it.
    #[arg(long)]
    pub keep_ca: bool,
    /// With --target: the target's access logs, read after the run (LOG-*, BIL-LOG-RECONCILE): a
    /// file or a folder (searched recursively), repeatable; each plain or gzipped, in the legacy
    /// standard format or standard logging v2 (JSON, W3C, plain). Only the run's lines are used.
    /// The embedded edge always writes and checks its own.
    #[arg(long, value_name = "FILE|DIR")]
    pub access_log: Vec<PathBuf>,
    /// The v2 field selection of plain (header-less) logs, in order, separated by commas or
    /// spaces, as configured for the delivery; by default the legacy 33 fields.
    #[arg(long, value_name = "NAMES", requires = "access_log")]
    pub log_fields: Option<String>,
    /// The field delimiter of the v2 delivery (W3C and plain), when it is not a tab or a space.
    #[arg(long, value_name = "TEXT", requires = "access_log")]
    pub log_delimiter: Option<String>,
    /// Let caches keep the origin's answers (`Cache-Control: public, max-age=300` instead of
    /// `no-store`), to test a caching edge: a response served from its cache passes the policy
    /// rules, and the origin-side rules are judged on the fetch that filled it or are reported
    /// not observed. A scenario's `cacheable:` still decides for its own requests.
    #[arg(long)]
    pub cacheable: bool,
    /// --distribution was given on the command line (set by `main`).
    #[arg(skip)]
    pub distribution_given: bool,
}

pub fn run(args: RunArgs) -> u8 {
    let suites = match crate::cmd::derive::suites_for_run(
        &args.paths,
        &args.target.distribution,
        args.distribution_given,
    ) {
        Ok(s) => s,
        Err(problems) => {
            for p in problems {
                eprintln!("{p}");
            }
            return exit::USAGE;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("edgeconform run: cannot start the runtime: {e}");
            return exit::HARNESS;
        }
    };
    match rt.block_on(steps::run_async(args, suites)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("edgeconform run: {e:#}");
            exit::of_error(&e)
        }
    }
}
