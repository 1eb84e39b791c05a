//! Waiting for the signals that stop a long-running command: Ctrl-C, and SIGTERM on Unix (what CI
//! and `kill` send). The servers shut down gracefully on it; `edgeconform run` stops starting
//! cases and still writes its reports.

use anyhow::{Context, Result};

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
