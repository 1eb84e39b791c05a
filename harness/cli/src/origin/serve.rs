//! Accept loops: one task per listener, one per connection, graceful shutdown.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::objects::ObjectSizes;
use super::record::RecordStore;
use super::{control, handler, Behaviour};

/// How long a TLS handshake may take before the connection is dropped.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `OriginServer::shutdown` lets open connections finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// What every accept loop shares.
#[derive(Clone)]
pub(crate) struct Shared {
    pub records: Arc<RecordStore>,
    pub objects: Arc<ObjectSizes>,
    pub connections: Arc<AtomicU64>,
}

/// What an accept loop serves.
pub(crate) enum Role {
    Origin {
        ctx: Arc<handler::ListenerCtx>,
        tls: Option<TlsAcceptor>,
        behaviour: Behaviour,
    },
    Control(Arc<control::ControlState>),
}

pub(crate) async fn accept_loop(
    listener: TcpListener,
    role: Role,
    shared: Shared,
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
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            // Out of file descriptors and the like: back off instead of spinning.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let id = shared.connections.fetch_add(1, Ordering::Relaxed) + 1;
        match &role {
            Role::Origin {
                behaviour: Behaviour::Hang,
                ..
            } => {
                // Held until the task is aborted at shutdown.
                connections.spawn(async move {
                    let _tcp = tcp;
                    std::future::pending::<()>().await;
                });
            }
            Role::Origin { ctx, tls, .. } => {
                let watcher = graceful.watcher();
                let (ctx, tls, shared) = (ctx.clone(), tls.clone(), shared.clone());
                connections.spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let fut = handler::handle(
                            req,
                            ctx.clone(),
                            id,
                            shared.records.clone(),
                            shared.objects.clone(),
                        );
                        async move { Ok::<_, Infallible>(fut.await) }
                    });
                    match tls {
                        Some(acceptor) => {
                            let handshake =
                                tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(tcp));
                            if let Ok(Ok(stream)) = handshake.await {
                                serve(stream, service, watcher).await;
                            }
                        }
                        None => serve(tcp, service, watcher).await,
                    }
                });
            }
            Role::Control(state) => {
                let watcher = graceful.watcher();
                let state = state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let fut = control::handle(req, state.clone());
                        async move { Ok::<_, Infallible>(fut.await) }
                    });
                    serve(tcp, service, watcher).await;
                });
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    connections.shutdown().await;
}

/// Serves HTTP/1.1 and HTTP/2 (by ALPN over TLS, by preface on plain TCP) on one connection.
async fn serve<I, S, B>(io: I, service: S, watcher: hyper_util::server::graceful::Watcher)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::Service<
            Request<Incoming>,
            Response = hyper::Response<B>,
            Error = Infallible,
        > + Send
        + 'static,
    S::Future: Send + 'static,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    let connection = builder.serve_connection(TokioIo::new(io), service);
    // Errors here are the peer's doing (reset, garbage); nothing to report to anyone.
    let _ = watcher.watch(connection.into_owned()).await;
}
