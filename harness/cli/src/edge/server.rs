//! The edge's listeners: accept loops, TLS, hyper's connection settings, graceful shutdown.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use edgeconform_core::Scheme;
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use super::handler::{self, Conn, Shared};
use super::log::AccessLog;
use super::meter::{Meter, MeteredIo};
use super::upstream::Upstream;
use super::wire::random_via_host;
use super::EdgeConfig;

const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// hyper's read buffer: heads up to this size reach the model (and its 413).
const MAX_HEAD_BUFFER: usize = 1 << 20;
const MAX_HEADER_FIELDS: usize = 1024;

/// The bound listener addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EdgeAddrs {
    pub http: SocketAddr,
    pub https: SocketAddr,
}

/// A running reference edge. Dropping it stops accepting; [`EdgeServer::shutdown`] also lets
/// open connections finish and flushes the access log.
pub struct EdgeServer {
    addrs: EdgeAddrs,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    log: Option<AccessLog>,
}

impl std::fmt::Debug for EdgeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeServer")
            .field("addrs", &self.addrs)
            .finish_non_exhaustive()
    }
}

impl EdgeServer {
    /// Binds both listeners and starts serving. Every socket and file is opened before anything
    /// serves, so an error leaves nothing running.
    pub async fn start(config: EdgeConfig) -> Result<EdgeServer> {
        let http = TcpListener::bind(config.http_addr)
            .await
            .with_context(|| format!("binding the edge's HTTP listener to {}", config.http_addr))?;
        let https = TcpListener::bind(config.https_addr)
            .await
            .with_context(|| {
                format!("binding the edge's HTTPS listener to {}", config.https_addr)
            })?;
        let addrs = EdgeAddrs {
            http: http.local_addr()?,
            https: https.local_addr()?,
        };
        let log = match &config.access_log {
            Some(path) => Some(AccessLog::open(path)?),
            None => None,
        };
        let upstream = Upstream::new(
            &config.origin_tls,
            &config.origin_server_name,
            config.origin_timeout,
        )?;
        let via = HeaderValue::from_str(&format!("1.1 {} (CloudFront)", random_via_host()))
            .context("building the Via header")?;
        let shared = Arc::new(Shared {
            dist: config.distribution,
            origins: config.origins,
            upstream: Arc::new(upstream),
            log: log.as_ref().and_then(AccessLog::sender),
            via,
            mutant: config.mutant,
            quiet: config.quiet,
            cache: Default::default(),
        });
        let (shutdown, _) = watch::channel(false);
        let tls = TlsAcceptor::from(config.server_tls);
        let tasks = vec![
            tokio::spawn(accept_loop(
                http,
                None,
                shared.clone(),
                shutdown.subscribe(),
            )),
            tokio::spawn(accept_loop(https, Some(tls), shared, shutdown.subscribe())),
        ];
        Ok(EdgeServer {
            addrs,
            shutdown,
            tasks,
            log,
        })
    }

    pub fn addrs(&self) -> EdgeAddrs {
        self.addrs
    }

    /// The access log file, if there is one.
    pub fn access_log(&self) -> Option<&std::path::Path> {
        self.log.as_ref().map(AccessLog::path)
    }

    /// Stops accepting, lets open connections finish for up to 3 s, closes the rest, then
    /// writes out the access log.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
        if let Some(log) = self.log.take() {
            let _ = tokio::task::spawn_blocking(move || log.close()).await;
        }
    }
}

impl Drop for EdgeServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        while connections.try_join_next().is_some() {}
        let (tcp, peer) = match accepted {
            Ok(pair) => pair,
            // Out of file descriptors and the like: back off instead of spinning.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let watcher = graceful.watcher();
        let (tls, shared) = (tls.clone(), shared.clone());
        connections.spawn(async move {
            let meter = Arc::new(Meter::default());
            match tls {
                None => {
                    let conn = Conn {
                        scheme: Scheme::Http,
                        peer,
                        tls: None,
                        meter: meter.clone(),
                    };
                    let io = MeteredIo::new(tcp, meter);
                    serve(io, Arc::new(conn), shared, watcher, false).await;
                }
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(tcp));
                    let Ok(Ok(stream)) = handshake.await else {
                        return;
                    };
                    let session = stream.get_ref().1;
                    let tls_info = Some((
                        tls_version_name(session.protocol_version()),
                        cipher_name(session.negotiated_cipher_suite()),
                    ));
                    let conn = Conn {
                        scheme: Scheme::Https,
                        peer,
                        tls: tls_info,
                        meter: meter.clone(),
                    };
                    let io = MeteredIo::new(stream, meter);
                    serve(io, Arc::new(conn), shared, watcher, true).await;
                }
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    connections.shutdown().await;
}

/// Serves one connection: HTTP/1.x only on the plain listener (no h2c: CloudFront has none),
/// HTTP/1.x or HTTP/2 on the TLS one.
async fn serve<I>(
    io: I,
    conn: Arc<Conn>,
    shared: Arc<Shared>,
    watcher: hyper_util::server::graceful::Watcher,
    allow_h2: bool,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: hyper::Request<Incoming>| {
        let fut = handler::handle(req, conn.clone(), shared.clone());
        async move { Ok::<_, Infallible>(fut.await) }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .title_case_headers(true)
        .max_buf_size(MAX_HEAD_BUFFER)
        .max_headers(MAX_HEADER_FIELDS);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(MAX_HEAD_BUFFER as u32);
    let builder = if allow_h2 {
        builder
    } else {
        builder.http1_only()
    };
    let connection = builder.serve_connection(TokioIo::new(io), service);
    // Errors here are the viewer's doing (reset, garbage); nothing to report to anyone.
    let _ = watcher.watch(connection.into_owned()).await;
}

/// `ssl-protocol` as CloudFront logs it (`TLSv1.3`).
fn tls_version_name(v: Option<rustls::ProtocolVersion>) -> String {
    match v {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".into(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".into(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

/// `ssl-cipher`: the IANA suite name, TLS 1.3 suites as CloudFront writes them
/// (`TLS_AES_128_GCM_SHA256`).
fn cipher_name(suite: Option<rustls::SupportedCipherSuite>) -> String {
    let Some(suite) = suite else {
        return String::new();
    };
    let name = suite.suite().as_str().unwrap_or("");
    match name.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => name.to_string(),
    }
}
