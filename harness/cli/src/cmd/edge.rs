//! `edgeconform edge`: the reference edge as a standalone process. It prints one JSON line per
//! listener (and the CA and access log when there are files), then serves until Ctrl-C or
//! SIGTERM:
//!
//! ```text
//! $ edgeconform edge --distribution specs/distributions/standard.yaml --ca-dir reports/.ca \
//!     --origin-control http://127.0.0.1:41234 --access-log reports/edge.log
//! {"event":"ca","cert":"reports/.ca/ca.pem"}
//! {"event":"listener","scheme":"http","addr":"127.0.0.1:40211"}
//! {"event":"listener","scheme":"https","addr":"127.0.0.1:40213"}
//! {"event":"access_log","path":"reports/edge.log"}
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::builder::TypedValueParser as _;
use edgeconform_core::distribution::Distribution;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpStream;

use crate::edge::{EdgeConfig, EdgeServer, OriginMap};
use crate::origin::BoundListener;
use crate::signals::StartupError;
use crate::tls::{TestCa, CA_CERT_FILE};

/// Start the reference edge: HTTP and HTTPS listeners answering as CloudFront would for a
/// distribution, forwarding to the instrumented origin, writing a CloudFront access log.
#[derive(clap::Args, Debug, Clone)]
pub struct EdgeArgs {
    /// Distribution file (YAML), e.g. specs/distributions/standard.yaml.
    #[arg(long, short = 'd', value_name = "FILE")]
    pub distribution: PathBuf,

    /// Address of the HTTP listener.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub http: SocketAddr,

    /// Address of the HTTPS listener.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub https: SocketAddr,

    /// Where an origin listens: NAME=http://127.0.0.1:PORT or NAME=https://127.0.0.1:PORT, NAME
    /// being the origin id in the distribution. Repeatable; overrides --origin-control.
    #[arg(long = "origin", value_name = "NAME=URL", value_parser = parse_origin_arg)]
    pub origins: Vec<(String, edgeconform_core::Scheme, SocketAddr)>,

    /// Read the origin listeners from the instrumented origin's control endpoint
    /// (`edgeconform origin` prints it), e.g. http://127.0.0.1:41234.
    #[arg(long, value_name = "URL")]
    pub origin_control: Option<String>,

    /// Keep the test CA in DIR (ca.pem + ca.key.pem, loaded if present, else generated). The
    /// edge's certificate comes from it and origins are trusted through it, so give the origin
    /// the same directory. Required when an origin is reached over HTTPS.
    #[arg(long, value_name = "DIR")]
    pub ca_dir: Option<PathBuf>,

    /// Append a CloudFront standard access log to FILE.
    #[arg(long, value_name = "FILE")]
    pub access_log: Option<PathBuf>,

    /// Seconds to wait for an origin's response head before answering 504.
    #[arg(long, value_name = "SECS", default_value_t = 5.0, value_parser = parse_secs)]
    pub origin_timeout: f64,

    /// The TLS name checked on origin certificates.
    #[arg(long, value_name = "NAME", default_value = "localhost")]
    pub origin_server_name: String,

    /// Break one rule on purpose: start a mutant of the reference edge (`edgeconform mutants`
    /// lists them with the rules each breaks).
    #[arg(long, value_name = "NAME")]
    pub mutant: Option<crate::edge::Mutant>,

    /// Close a viewer connection whose request head (TLS handshake included) has not arrived
    /// within SECS, and a keep-alive connection idle that long.
    #[arg(long, value_name = "SECS", default_value_t = crate::edge::DEFAULT_HEADER_TIMEOUT.as_secs_f64(), value_parser = parse_secs)]
    pub header_timeout: f64,

    /// At most N viewer connections open at once; more are closed as they arrive (one line on
    /// stderr when the bound is reached).
    #[arg(long, value_name = "N", default_value_t = crate::edge::DEFAULT_MAX_CONNECTIONS, value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
    pub max_connections: usize,

    /// Worker threads, each with its own event loop accepting from the same listeners
    /// (default: one per CPU).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..1025).map(usize::from))]
    pub workers: Option<usize>,

    /// Serve every plain-HTTP request through hyper. By default the edge writes the answers it
    /// makes itself (its redirects and refusals) to plain HTTP/1.1 requests directly, the same
    /// bytes with a fraction of the CPU; this flag is for comparing the two.
    #[arg(long)]
    pub no_direct: bool,
}

fn parse_origin_arg(s: &str) -> Result<(String, edgeconform_core::Scheme, SocketAddr), String> {
    OriginMap::parse_entry(s).map_err(|e| format!("{e:#}"))
}

fn parse_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "`{s}` is not a number of seconds between 0 and 86400"
        )),
    }
}

/// One line of `edgeconform edge`'s stdout.
#[derive(Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum StartupLine {
    Ca {
        cert: PathBuf,
    },
    Listener {
        scheme: &'static str,
        addr: SocketAddr,
    },
    AccessLog {
        path: PathBuf,
    },
}

/// `edgeconform edge` for a synchronous `main`: runs [`run`] on a new runtime and returns the
/// exit code; errors go to stderr. Startup errors exit 2, later ones 3.
pub fn run_blocking(args: EdgeArgs) -> u8 {
    crate::signals::run_blocking("edge", run(args))
}

/// Runs `edgeconform edge` until Ctrl-C or SIGTERM.
pub async fn run(args: EdgeArgs) -> Result<()> {
    let server = start(&args).await.map_err(StartupError)?;
    let mut lines = Vec::new();
    if let Some(dir) = &args.ca_dir {
        lines.push(StartupLine::Ca {
            cert: dir.join(CA_CERT_FILE),
        });
    }
    let addrs = server.addrs();
    lines.push(StartupLine::Listener {
        scheme: "http",
        addr: addrs.http,
    });
    lines.push(StartupLine::Listener {
        scheme: "https",
        addr: addrs.https,
    });
    if let Some(path) = &args.access_log {
        lines.push(StartupLine::AccessLog { path: path.clone() });
    }
    crate::signals::print_startup_lines("edge", &lines);
    crate::signals::wait_for_stop().await?;
    server.shutdown().await;
    Ok(())
}

/// Loads the distribution (problems as `file:line:col: ...`), the CA and the origin map.
pub async fn start(args: &EdgeArgs) -> Result<EdgeServer> {
    let shown = args.distribution.display().to_string();
    let text = std::fs::read_to_string(&args.distribution)
        .with_context(|| format!("reading the distribution {shown}"))?;
    let dist =
        Distribution::from_yaml(&text).map_err(|p| anyhow::anyhow!("{}", p.render(&shown)))?;

    let mut origins = match &args.origin_control {
        Some(url) => OriginMap::from_listeners(&fetch_listeners(url).await?),
        None => OriginMap::new(),
    };
    for (name, scheme, addr) in &args.origins {
        origins.insert(name.clone(), *scheme, *addr);
    }
    if origins.has_https() && args.ca_dir.is_none() {
        bail!(
            "an origin is reached over HTTPS, so the edge must trust the origin's CA: pass \
             --ca-dir with the directory the origin uses (edgeconform origin --ca-dir DIR)"
        );
    }
    let missing = origins.missing(&dist);
    if !missing.is_empty() {
        eprintln!(
            "edgeconform edge: no address for {}; requests forwarded there get 502",
            missing.join(", ")
        );
    }
    let ca = match &args.ca_dir {
        Some(dir) => TestCa::load_or_generate(dir)?,
        None => TestCa::generate()?,
    };
    let mut config = EdgeConfig::new(dist, &ca, origins)?;
    config.http_addr = args.http;
    config.https_addr = args.https;
    config.origin_timeout = Duration::from_secs_f64(args.origin_timeout);
    config.origin_server_name = args.origin_server_name.clone();
    config.access_log = args.access_log.clone();
    config.mutant = args.mutant;
    config.header_timeout = Duration::from_secs_f64(args.header_timeout);
    config.max_connections = args.max_connections;
    config.direct = !args.no_direct;
    config.workers = args.workers.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    if let Some(m) = args.mutant {
        eprintln!(
            "edgeconform edge: MUTANT {m}: {} (breaks {})",
            m.description(),
            m.rules()
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    EdgeServer::start(config).await
}

/// `GET <url>/listeners` on the instrumented origin's control endpoint (plain HTTP).
async fn fetch_listeners(url: &str) -> Result<Vec<BoundListener>> {
    let what = || format!("reading the origin's listeners from {url}");
    let Some(rest) = url.strip_prefix("http://") else {
        bail!("--origin-control {url:?}: expected http://HOST:PORT");
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let fetch = async {
        let tcp = TcpStream::connect(authority).await.with_context(what)?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .with_context(what)?;
        tokio::spawn(connection);
        let req = hyper::Request::get("/listeners")
            .header(hyper::header::HOST, authority)
            .body(Empty::<Bytes>::new())
            .with_context(what)?;
        let response = sender.send_request(req).await.with_context(what)?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .with_context(what)?
            .to_bytes();
        if !status.is_success() {
            bail!("{}: status {status}", what());
        }
        serde_json::from_slice::<Vec<BoundListener>>(&body)
            .with_context(|| format!("{}: expected a JSON array of listeners", what()))
    };
    tokio::time::timeout(Duration::from_secs(10), fetch)
        .await
        .map_err(|_| anyhow::anyhow!("{}: no answer in 10 s", what()))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        edge: EdgeArgs,
    }

    #[test]
    fn args_parse_with_clap() {
        let cli = Cli::try_parse_from([
            "x",
            "-d",
            "d.yaml",
            "--origin",
            "api=https://127.0.0.1:4000",
            "--origin-timeout",
            "0.5",
            "--header-timeout",
            "2.5",
            "--max-connections",
            "7",
        ])
        .unwrap();
        assert_eq!(cli.edge.origins.len(), 1);
        assert_eq!(cli.edge.origin_timeout, 0.5);
        assert_eq!(cli.edge.header_timeout, 2.5);
        assert_eq!(cli.edge.max_connections, 7);
        assert_eq!(cli.edge.workers, None);
        let defaults = Cli::try_parse_from(["x", "-d", "d.yaml"]).unwrap();
        assert_eq!(defaults.edge.header_timeout, 10.0);
        assert_eq!(defaults.edge.max_connections, 20_000);
        for bad in [["--max-connections", "0"], ["--workers", "0"]] {
            assert!(Cli::try_parse_from(["x", "-d", "d.yaml", bad[0], bad[1]]).is_err());
        }
        let err = Cli::try_parse_from(["x", "-d", "d.yaml", "--origin-timeout", "0"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not a number of seconds"), "{err}");
    }

    #[tokio::test]
    async fn a_bad_distribution_is_reported_at_its_line_and_column() {
        let dir = std::env::temp_dir().join(format!("edgeconform-edge-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.yaml");
        std::fs::write(
            &file,
            "domain: d1.cloudfront.net\norigins:\n  a: {type: s4}\n",
        )
        .unwrap();
        let cli = Cli::try_parse_from(["x", "-d", file.to_str().unwrap()]).unwrap();
        let err = format!("{:#}", start(&cli.edge).await.unwrap_err());
        assert!(err.starts_with(&format!("{}:3:", file.display())), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
