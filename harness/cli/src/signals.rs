//! Waiting for the signals that stop a long-running command: Ctrl-C, and SIGTERM on Unix (what CI
//! and `kill` send). The servers shut down gracefully on it; `edgeconform run` stops starting
//! cases and still writes its reports.

use anyhow::{Context, Result};
use std::future::Future;

/// Returns when Ctrl-C or (on Unix) SIGTERM arrives.
pub async fn wait_for_stop() -> Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("listening for Ctrl-C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("listening for Ctrl-C")?;
    Ok(())
}

/// An error while a server starts (bad CA files, a port in use, a bad distribution): a config error,
/// exit 2, where anything after startup is a harness fault, exit 3.
#[derive(Debug)]
pub struct StartupError(pub anyhow::Error);

impl std::fmt::Display for StartupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for StartupError {}

/// Runs a server subcommand (`edgeconform edge`, `edgeconform origin`) on a new tokio runtime for a
/// synchronous `main`; errors go to stderr as `edgeconform CMD: ...`. Returns the exit code.
pub fn run_blocking(cmd: &str, server: impl Future<Output = Result<()>>) -> u8 {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("edgeconform {cmd}: starting the async runtime: {e}");
            return crate::exit::HARNESS;
        }
    };
    match runtime.block_on(server) {
        Ok(()) => crate::exit::OK,
        Err(e) => {
            eprintln!("edgeconform {cmd}: {e:#}");
            if e.is::<StartupError>() {
                crate::exit::USAGE
            } else {
                crate::exit::HARNESS
            }
        }
    }
}

/// Prints a server's startup lines (JSON, one a line) on stdout. A stdout nobody reads any more
/// (a supervisor that took the listeners and closed the pipe) does not stop the server: the
/// failure is said on stderr and serving goes on.
pub fn print_startup_lines<T: serde::Serialize>(cmd: &str, lines: &[T]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = lines
        .iter()
        .try_for_each(|line| {
            serde_json::to_writer(&mut out, line)?;
            out.write_all(b"\n").map_err(serde_json::Error::io)
        })
        .and_then(|()| out.flush().map_err(serde_json::Error::io));
    if let Err(e) = written {
        eprintln!("edgeconform {cmd}: cannot write the startup lines to stdout ({e}); serving on");
    }
}
