//! The edge's client towards the origins: HTTP/1.1 over plain TCP or TLS to the loopback address
//! an origin is mapped to, with a keep-alive pool per (address, protocol). hyper's connection
//! API rather than reqwest or the `url` crate, so the request-target goes out byte for byte
//! (ORG-PATH: `/a/../b` stays `/a/../b`).
//!
//! ORG-FAILURE: a refused connection, a failed TLS handshake or a broken exchange is
//! [`UpstreamError::Failed`] (502); no response head within the origin timeout, connection and
//! handshake included, is [`UpstreamError::TimedOut`] (504).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use edgeconform_core::Scheme;
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::wire::ForwardBody;

/// An idle connection older than this is not reused (the instrumented origin, like hyper's
/// server, drops connections idle for 30 s).
const MAX_IDLE_AGE: Duration = Duration::from_secs(20);
/// Idle connections kept per origin listener.
const MAX_IDLE_PER_KEY: usize = 64;
/// How long a pooled connection may take to report itself ready before it is discarded.
const READY_WAIT: Duration = Duration::from_millis(200);

/// Why the origin gave no response.
#[derive(Debug)]
pub(crate) enum UpstreamError {
    /// Refused, TLS failure, reset or garbage: 502.
    Failed(String),
    /// No response head in time: 504.
    TimedOut,
}

type Key = (SocketAddr, Scheme);
/// Idle connections by listener, each with the time it went idle.
type Idle = HashMap<Key, Vec<(SendRequest<ForwardBody>, Instant)>>;

/// Connections to the origins, pooled.
pub(crate) struct Upstream {
    tls: TlsConnector,
    server_name: ServerName<'static>,
    timeout: Duration,
    idle: Mutex<Idle>,
}

/// A connection lent to one exchange; [`Pooled::release`] returns it once the response body was
/// read to the end. Dropping it instead closes the connection.
pub(crate) struct Pooled {
    upstream: Arc<Upstream>,
    key: Key,
    sender: SendRequest<ForwardBody>,
}

impl Pooled {
    pub fn release(self) {
        let mut idle = self.upstream.lock();
        let list = idle.entry(self.key).or_default();
        if list.len() < MAX_IDLE_PER_KEY {
            list.push((self.sender, Instant::now()));
        }
    }
}

impl Upstream {
    /// `tls` must trust the origins' CA; its ALPN is replaced with `http/1.1` (CloudFront
    /// speaks HTTP/1.1 to origins). `server_name` is the TLS name checked on every origin
    /// certificate.
    pub fn new(
        tls: &ClientConfig,
        server_name: &str,
        timeout: Duration,
    ) -> anyhow::Result<Upstream> {
        let mut tls = tls.clone();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let server_name = ServerName::try_from(server_name.to_string()).map_err(|e| {
            anyhow::anyhow!("origin TLS name {server_name:?} is not a DNS name or IP address: {e}")
        })?;
        Ok(Upstream {
            tls: TlsConnector::from(Arc::new(tls)),
            server_name,
            timeout,
            idle: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Idle> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take_idle(&self, key: Key) -> Option<SendRequest<ForwardBody>> {
        let mut idle = self.lock();
        let list = idle.get_mut(&key)?;
        while let Some((sender, since)) = list.pop() {
            if since.elapsed() < MAX_IDLE_AGE && !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    /// Sends `req` to `addr` over `scheme` and waits for the response head.
    pub async fn send(
        self: &Arc<Self>,
        addr: SocketAddr,
        scheme: Scheme,
        req: Request<ForwardBody>,
    ) -> Result<(Response<Incoming>, Pooled), UpstreamError> {
        let key = (addr, scheme);
        let exchange = async {
            let mut req = req;
            // A pooled connection the origin closed meanwhile gives the request back unsent.
            while let Some(mut sender) = self.take_idle(key) {
                match tokio::time::timeout(READY_WAIT, sender.ready()).await {
                    Ok(Ok(())) => {}
                    _ => continue,
                }
                match sender.try_send_request(req).await {
                    Ok(response) => return Ok((response, self.pooled(key, sender))),
                    Err(mut e) => match e.take_message() {
                        Some(unsent) => req = unsent,
                        None => return Err(UpstreamError::Failed(e.into_error().to_string())),
                    },
                }
            }
            let mut sender = self.connect(addr, scheme).await?;
            let response = sender
                .send_request(req)
                .await
                .map_err(|e| UpstreamError::Failed(format!("exchange with {addr}: {e}")))?;
            Ok((response, self.pooled(key, sender)))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(UpstreamError::TimedOut),
        }
    }

    fn pooled(self: &Arc<Self>, key: Key, sender: SendRequest<ForwardBody>) -> Pooled {
        Pooled {
            upstream: self.clone(),
            key,
            sender,
        }
    }

    async fn connect(
        &self,
        addr: SocketAddr,
        scheme: Scheme,
    ) -> Result<SendRequest<ForwardBody>, UpstreamError> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| UpstreamError::Failed(format!("connecting to {addr}: {e}")))?;
        let _ = tcp.set_nodelay(true);
        match scheme {
            Scheme::Http => handshake(tcp, addr).await,
            Scheme::Https => {
                let tls = self
                    .tls
                    .connect(self.server_name.clone(), tcp)
                    .await
                    .map_err(|e| UpstreamError::Failed(format!("TLS with {addr}: {e}")))?;
                handshake(tls, addr).await
            }
        }
    }
}

async fn handshake<T>(io: T, addr: SocketAddr) -> Result<SendRequest<ForwardBody>, UpstreamError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) = http1::Builder::new()
        .handshake(TokioIo::new(io))
        .await
        .map_err(|e| UpstreamError::Failed(format!("HTTP/1.1 with {addr}: {e}")))?;
    // Ends when the connection closes; its errors surface on the exchange.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}
