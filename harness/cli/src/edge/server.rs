//! The edge's listeners: accept loops, TLS, hyper's connection settings, graceful shutdown.
//!
//! **Workers.** With [`EdgeConfig::workers`] = 0 the accept loops and connections run on the
//! caller's tokio runtime (the runner's embedded edge, tests). With N ≥ 1 (the `edgeconform edge`
//! command: one per core) each worker is a thread with its own single-threaded runtime and, on
//! Linux, listening sockets of its own on the same two ports (SO_REUSEPORT: the kernel spreads
//! new connections over the workers): a connection then lives on the thread that accepted it,
//! with no work stealing and no wake-ups across threads, as nginx's workers do. Each worker has its own pool of origin connections; the access log, the connection
//! bound and the caching mutants' cache are shared.
//!
//! **Bounds.** A connection whose request head has not fully arrived within
//! [`EdgeConfig::header_timeout`] is closed: the TLS handshake, then each HTTP/1.x head (hyper's
//! `header_read_timeout`, which also ends a keep-alive connection idle that long). At most
//! [`EdgeConfig::max_connections`] viewer connections are open at once ([`ConnectionBound`]).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
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
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use super::bound::{ConnectionBound, Slot};
use super::context::{Conn, Shared};
use super::direct::{self, Prefixed, Served};
use super::handler;
use super::log::AccessLog;
use super::meter::{Meter, MeteredIo};
use super::upstream::Upstream;
use super::wire::random_via_host;
use super::EdgeConfig;

const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// hyper's read buffer: heads up to this size reach the model (and its 413).
const MAX_HEAD_BUFFER: usize = 1 << 20;
/// Connections the kernel queues for `accept` (capped by `net.core.somaxconn`).
const BACKLOG: u32 = 4096;

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
    direct_answers: Arc<AtomicU64>,
    /// Connections accepted, by worker.
    accepted: Vec<Arc<AtomicU64>>,
}

impl std::fmt::Debug for EdgeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeServer")
            .field("addrs", &self.addrs)
            .finish_non_exhaustive()
    }
}

impl EdgeServer {
    /// Binds both listeners and starts serving. Every socket, file and runtime is made before
    /// anything serves, so an error leaves nothing running.
    pub async fn start(config: EdgeConfig) -> Result<EdgeServer> {
        // Workers get a listening socket each on the same port (SO_REUSEPORT), so the kernel
        // spreads new connections over them; on one shared socket the worker that wakes first
        // takes a whole burst (wrk's 64 connections all went to one worker of two).
        let spread = config.workers > 1;
        let http = bind(config.http_addr, spread)
            .with_context(|| format!("binding the edge's HTTP listener to {}", config.http_addr))?;
        let https = bind(config.https_addr, spread).with_context(|| {
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
        let via = HeaderValue::from_str(&format!("1.1 {} (CloudFront)", random_via_host()))
            .context("building the Via header")?;
        let cache: Arc<super::context::Store> = Arc::default();
        let shared = || -> Result<Arc<Shared>> {
            let upstream = Upstream::new(
                &config.origin_tls,
                &config.origin_server_name,
                config.origin_timeout,
            )?;
            Ok(Arc::new(Shared {
                dist: config.distribution.clone(),
                origins: config.origins.clone(),
                upstream: Arc::new(upstream),
                log: log.as_ref().and_then(AccessLog::sender),
                via: via.clone(),
                mutant: config.mutant,
                quiet: config.quiet,
                cache: cache.clone(),
                redirect_pages: Default::default(),
            }))
        };
        let settings = Settings {
            tls: TlsAcceptor::from(config.server_tls.clone()),
            header_timeout: config.header_timeout,
            direct: (config.direct && config.mutant.is_none()).then(Arc::default),
            bound: ConnectionBound::new(config.max_connections.max(1), config.quiet),
            accepted: Arc::default(),
        };
        let direct_answers = settings.direct.clone().unwrap_or_default();
        let accepted: Vec<Arc<AtomicU64>> =
            (0..config.workers.max(1)).map(|_| Arc::default()).collect();
        let (shutdown, _) = watch::channel(false);
        let mut tasks = Vec::new();
        if config.workers == 0 {
            let shared = shared()?;
            let (http, https) = (http.into_tokio()?, https.into_tokio()?);
            tasks.push(tokio::spawn(serve_both(
                http,
                https,
                shared,
                Settings {
                    accepted: accepted[0].clone(),
                    ..settings
                },
                shutdown.subscribe(),
            )));
        } else {
            let mut workers = Vec::new();
            for i in 0..config.workers {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .context("starting an edge worker's runtime")?;
                let listeners = if i == 0 {
                    (http.try_clone()?, https.try_clone()?)
                } else {
                    (http.sibling()?, https.sibling()?)
                };
                workers.push((i, runtime, listeners, shared()?));
            }
            for (i, runtime, (http, https), shared) in workers {
                let settings = Settings {
                    accepted: accepted[i].clone(),
                    ..settings.clone()
                };
                let stop = shutdown.subscribe();
                let (done, finished) = oneshot::channel::<()>();
                std::thread::Builder::new()
                    .name(format!("edge-worker-{i}"))
                    .spawn(move || {
                        runtime.block_on(async move {
                            match (http.into_tokio(), https.into_tokio()) {
                                (Ok(http), Ok(https)) => {
                                    serve_both(http, https, shared, settings, stop).await
                                }
                                (Err(e), _) | (_, Err(e)) => {
                                    eprintln!("edgeconform edge: worker {i}: {e:#}")
                                }
                            }
                        });
                        let _ = done.send(());
                    })
                    .context("starting an edge worker thread")?;
                tasks.push(tokio::spawn(async move {
                    let _ = finished.await;
                }));
            }
        }
        Ok(EdgeServer {
            addrs,
            shutdown,
            tasks,
            log,
            direct_answers,
            accepted,
        })
    }

    pub fn addrs(&self) -> EdgeAddrs {
        self.addrs
    }

    /// How many answers the direct path wrote (see `direct.rs`).
    pub fn direct_answers(&self) -> u64 {
        self.direct_answers.load(Ordering::Relaxed)
    }

    /// Connections accepted so far by each worker (one entry when the edge runs on the
    /// caller's runtime).
    pub fn accepted_per_worker(&self) -> Vec<u64> {
        self.accepted
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .collect()
    }

    /// The access log file, if there is one.
    pub fn access_log(&self) -> Option<&std::path::Path> {
        self.log.as_ref().map(AccessLog::path)
    }

    /// Waits until every access-log line of the answers given so far is in the file (a few
    /// milliseconds: lines are written in batches), so that the file can be read now.
    pub fn flush_log(&self) {
        if let Some(log) = &self.log {
            if !log.flush(std::time::Duration::from_secs(5)) {
                eprintln!(
                    "edgeconform edge: the access log {} was not written out within 5 s",
                    log.path().display()
                );
            }
        }
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

/// A listening socket, not yet tied to a runtime.
struct Listener(std::net::TcpListener);

/// A non-blocking listening socket on `addr` with a deep accept queue.
fn bind(addr: SocketAddr, spread: bool) -> Result<Listener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    #[cfg(target_os = "linux")]
    socket.set_reuseport(spread)?;
    #[cfg(not(target_os = "linux"))]
    let _ = spread;
    socket.bind(addr)?;
    let listener = socket.listen(BACKLOG)?;
    Ok(Listener(listener.into_std()?))
}

impl Listener {
    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// A listening socket of its own on the same address, for another worker: the kernel
    /// balances new connections over the sockets of a port (SO_REUSEPORT, Linux). Elsewhere,
    /// another handle on the same socket.
    fn sibling(&self) -> Result<Listener> {
        #[cfg(target_os = "linux")]
        {
            let addr = self.local_addr()?;
            bind(addr, true).with_context(|| format!("opening a worker's listener on {addr}"))
        }
        #[cfg(not(target_os = "linux"))]
        self.try_clone()
    }

    /// Another handle on the same socket, for another worker to accept from.
    fn try_clone(&self) -> Result<Listener> {
        Ok(Listener(
            self.0.try_clone().context("sharing a listening socket")?,
        ))
    }

    /// Registers the socket with the current runtime.
    fn into_tokio(self) -> Result<TcpListener> {
        TcpListener::from_std(self.0).context("registering a listening socket")
    }
}

/// What every accept loop of one edge shares.
#[derive(Clone)]
struct Settings {
    tls: TlsAcceptor,
    header_timeout: Duration,
    /// Plain HTTP/1.1 heads the edge answers itself take the direct path (never with a mutant:
    /// mutants change steps of hyper's path), counted here.
    direct: Option<Arc<AtomicU64>>,
    bound: Arc<ConnectionBound>,
    /// Connections this worker accepted.
    accepted: Arc<AtomicU64>,
}

/// Both listeners' accept loops until shutdown.
async fn serve_both(
    http: TcpListener,
    https: TcpListener,
    shared: Arc<Shared>,
    settings: Settings,
    shutdown: watch::Receiver<bool>,
) {
    tokio::join!(
        accept_loop(
            http,
            Scheme::Http,
            shared.clone(),
            settings.clone(),
            shutdown.clone()
        ),
        accept_loop(https, Scheme::Https, shared, settings, shutdown),
    );
}

async fn accept_loop(
    listener: TcpListener,
    scheme: Scheme,
    shared: Arc<Shared>,
    settings: Settings,
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
        settings.accepted.fetch_add(1, Ordering::Relaxed);
        let Some(slot) = settings.bound.try_open() else {
            drop(tcp);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let watcher = graceful.watcher();
        let (settings, shared) = (settings.clone(), shared.clone());
        let mut stop = shutdown.clone();
        connections.spawn(async move {
            let _slot: Slot = slot;
            let meter = Arc::new(Meter::default());
            match scheme {
                Scheme::Http => {
                    let conn = Conn {
                        scheme: Scheme::Http,
                        peer,
                        tls: None,
                        meter: meter.clone(),
                    };
                    let mut io = MeteredIo::new(tcp, meter);
                    let read = if let Some(count) = &settings.direct {
                        let timeout = settings.header_timeout;
                        let limits = (timeout, MAX_HEAD_BUFFER);
                        match direct::serve(&mut io, &conn, &shared, limits, count, &mut stop).await
                        {
                            Served::Closed => return,
                            Served::HandOver(read) => read,
                        }
                    } else {
                        bytes::Bytes::new()
                    };
                    let io = Prefixed::new(read, io);
                    serve(io, Arc::new(conn), shared, watcher, &settings, false).await;
                }
                Scheme::Https => {
                    // The head timeout covers the handshake too: a viewer that stalls in it
                    // has sent no request head either.
                    let handshake =
                        tokio::time::timeout(settings.header_timeout, settings.tls.accept(tcp));
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
                    serve(io, Arc::new(conn), shared, watcher, &settings, true).await;
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
    settings: &Settings,
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
        .header_read_timeout(settings.header_timeout)
        .title_case_headers(true)
        // hyper's default field limit (100) is kept: any other value makes it allocate and
        // fill a table of that many fields for every request head it parses.
        .max_buf_size(MAX_HEAD_BUFFER);
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
