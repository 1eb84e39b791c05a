//! `edgeconform origin`: the instrumented origin as a standalone process.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::origin::{BoundListener, ListenerSpec, OriginOptions, OriginServer};
use crate::origin::{DEFAULT_MAX_RECORDS, DEFAULT_OBJECT_SIZE};
use crate::signals::StartupError;
use crate::tls::{TestCa, CA_CERT_FILE};

/// Start the instrumented origin, print its ports as JSON lines, serve until Ctrl-C or SIGTERM.
#[derive(clap::Args, Debug, Clone)]
pub struct OriginArgs {
    /// A listener: `NAME=PROTO[:LOGICALPORT][@PORT|@ADDR:PORT][,hang]`. PROTO is http or https;
    /// LOGICALPORT is the port the distribution names (default 80 or 443); the listener binds
    /// 127.0.0.1 on a free port unless @ says where; `hang` accepts and never answers.
    /// Repeat for each listener, e.g. `--listen s3=http --listen s3=https --listen site=http:80`.
    #[arg(
        long = "listen",
        value_name = "NAME=PROTO[:PORT]",
        value_parser = parse_listen_arg,
        required_unless_present = "distribution"
    )]
    pub listen: Vec<ListenerSpec>,

    /// Add the listeners a distribution needs: an HTTP and an HTTPS listener for every origin, on
    /// the logical ports its config names (what `edgeconform run` starts for a target).
    #[arg(long, value_name = "FILE")]
    pub distribution: Option<PathBuf>,

    /// Address of the control endpoint (JSON records and listeners over HTTP).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub control: SocketAddr,

    /// Size in bytes of objects without a per-path override.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_OBJECT_SIZE)]
    pub object_size: u64,

    /// Keep the test CA in DIR: load ca.pem + ca.key.pem if present, else generate and save them.
    #[arg(long, value_name = "DIR")]
    pub ca_dir: Option<PathBuf>,

    /// A name (DNS name or IP address) in the TLS listeners' certificate; repeatable.
    #[arg(long = "cert-name", value_name = "NAME", default_values_t = ["localhost".to_string(), "127.0.0.1".to_string()])]
    pub cert_names: Vec<String>,

    /// How many records to keep; the oldest are dropped past it.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_RECORDS)]
    pub max_records: usize,

    /// Let caches keep the answers: `Cache-Control: public, max-age=300` instead of `no-store`
    /// (to test a caching edge; a scenario's `cacheable:` still decides for its own requests).
    #[arg(long)]
    pub cacheable: bool,
}

fn parse_listen_arg(s: &str) -> Result<ListenerSpec, String> {
    parse_listen(s).map_err(|e| format!("{e:#}"))
}

/// Parses `NAME=PROTO[:LOGICALPORT][@PORT|@ADDR:PORT][,hang]` (the `--listen` syntax).
pub fn parse_listen(s: &str) -> Result<ListenerSpec> {
    const SYNTAX: &str = "expected NAME=http[:LOGICALPORT] or NAME=https[:LOGICALPORT], \
                          optionally followed by @PORT and ,hang";
    let (name, rest) = s
        .split_once('=')
        .with_context(|| format!("{s:?}: {SYNTAX}"))?;
    crate::origin::check_name(name).with_context(|| format!("{s:?}"))?;
    let (rest, hang) = match rest.split_once(',') {
        Some((rest, "hang")) => (rest, true),
        Some((_, other)) => {
            anyhow::bail!("{s:?}: unknown option {other:?} after ','; the only one is hang")
        }
        None => (rest, false),
    };
    let (rest, bind) = match rest.split_once('@') {
        Some((rest, bind)) => (rest, Some(bind)),
        None => (rest, None),
    };
    let (proto, logical) = match rest.split_once(':') {
        Some((proto, port)) => (proto, Some(port)),
        None => (rest, None),
    };
    let mut spec = match proto {
        "http" => ListenerSpec::http(name, 80),
        "https" => ListenerSpec::https(name, 443),
        other => anyhow::bail!("{s:?}: protocol {other:?} is neither http nor https"),
    };
    if let Some(port) = logical {
        spec.logical_port = port
            .parse()
            .ok()
            .filter(|&p: &u16| p != 0)
            .with_context(|| format!("{s:?}: logical port {port:?} is not a port (1-65535)"))?;
    }
    if let Some(bind) = bind {
        spec = match bind.parse::<u16>() {
            Ok(port) => spec.on_port(port),
            Err(_) => {
                let addr: SocketAddr = bind.parse().map_err(|_| {
                    anyhow::anyhow!("{s:?}: {bind:?} after '@' is neither a port nor ADDR:PORT")
                })?;
                ListenerSpec {
                    bind: Some(addr),
                    ..spec
                }
            }
        };
    }
    if hang {
        spec = spec.hang();
    }
    Ok(spec)
}

/// One line of `edgeconform origin`'s stdout.
#[derive(Serialize)]
#[serde(tag = "event", rename_all = "lowercase")]
enum StartupLine<'a> {
    Ca {
        cert: PathBuf,
    },
    Listener {
        #[serde(flatten)]
        listener: &'a BoundListener,
    },
    Control {
        addr: SocketAddr,
    },
}

/// `edgeconform origin` for a synchronous `main`: runs [`run`] on a new tokio runtime and
/// returns the exit code; errors go to stderr. A startup error (bad CA files, a port in use) is
/// a config error (2), anything later a harness fault (3).
pub fn run_blocking(args: OriginArgs) -> u8 {
    crate::signals::run_blocking("origin", run(args))
}

/// Runs `edgeconform origin` until Ctrl-C or SIGTERM.
pub async fn run(args: OriginArgs) -> Result<()> {
    let server = start(&args).await.map_err(StartupError)?;
    print_startup(&args, &server)?;
    crate::signals::wait_for_stop().await?;
    server.shutdown().await;
    Ok(())
}

async fn start(args: &OriginArgs) -> Result<OriginServer> {
    let ca = match &args.ca_dir {
        Some(dir) => TestCa::load_or_generate(dir)?,
        None => TestCa::generate()?,
    };
    let mut listen = args.listen.clone();
    if let Some(path) = &args.distribution {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let dist = edgeconform_core::distribution::Distribution::from_yaml(&text)
            .map_err(|p| anyhow::anyhow!("{}", p.render(&path.display().to_string())))?;
        listen.extend(crate::edge::origin_listener_specs(&dist));
    }
    OriginServer::start_with_options(
        listen,
        &ca,
        args.cert_names.clone(),
        Some(args.control),
        OriginOptions {
            default_object_size: args.object_size,
            max_records: args.max_records,
            cacheable: args.cacheable,
        },
    )
    .await
}

fn print_startup(args: &OriginArgs, server: &OriginServer) -> Result<()> {
    let mut lines = Vec::new();
    if let Some(dir) = &args.ca_dir {
        lines.push(StartupLine::Ca {
            cert: dir.join(CA_CERT_FILE),
        });
    }
    let listeners = server.listeners();
    lines.extend(
        listeners
            .iter()
            .map(|listener| StartupLine::Listener { listener }),
    );
    if let Some(addr) = server.control_addr() {
        lines.push(StartupLine::Control { addr });
    }
    crate::signals::print_startup_lines("origin", &lines);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::Behaviour;

    #[test]
    fn listen_syntax() {
        let spec = parse_listen("assets=https").unwrap();
        assert_eq!(spec, ListenerSpec::https("assets", 443));
        let spec = parse_listen("custom=http:8080@18080,hang").unwrap();
        assert_eq!(spec.logical_port, 8080);
        assert_eq!(spec.bind, Some("127.0.0.1:18080".parse().unwrap()));
        assert_eq!(spec.behaviour, Behaviour::Hang);
        let spec = parse_listen("site=http@127.0.0.1:0").unwrap();
        assert_eq!(spec.bind, Some("127.0.0.1:0".parse().unwrap()));
    }

    #[test]
    fn listen_errors_say_what_was_expected() {
        for (input, expected) in [
            ("assets", "expected NAME=http"),
            ("=http", "must not be empty"),
            ("a b=http", "contains ' '"),
            ("assets=ftp", "neither http nor https"),
            ("assets=http:0", "not a port"),
            ("assets=http:99999", "not a port"),
            ("assets=http@x", "neither a port nor ADDR:PORT"),
            ("assets=http,slow", "unknown option"),
        ] {
            let err = format!("{:#}", parse_listen(input).unwrap_err());
            assert!(err.contains(expected), "{input}: {err}");
        }
    }

    #[test]
    fn origin_args_parse_with_clap() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            origin: OriginArgs,
        }
        let cli =
            Cli::try_parse_from(["x", "--listen", "s3=http", "--listen", "s3=https"]).unwrap();
        assert_eq!(cli.origin.listen.len(), 2);
        assert_eq!(cli.origin.object_size, DEFAULT_OBJECT_SIZE);
        let err = Cli::try_parse_from(["x", "--listen", "s3=gopher"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("neither http nor https"), "{err}");
    }
}
