//! The instrumented origin: the servers a CDN edge forwards to, which record every request.
//!
//! An [`OriginServer`] runs listeners described by [`ListenerSpec`]s, each bound to 127.0.0.1 (an
//! OS-chosen port unless one is given). A listener belongs to a *logical* origin (`name`, e.g.
//! `assets`) and stands for the port the distribution config names (`logical_port`, e.g. 80 or
//! 443); on loopback it has some other real port, and each record maps back to the logical one, so
//! port rules are judged against configured ports. A listener with `tls: false` never speaks TLS:
//! a ClientHello there gets hyper's answer to garbage (a 400, then close), which is how an S3
//! website endpoint behaves. A [`Behaviour::Hang`] listener accepts connections and never answers
//! (for origin-failure cases).
//!
//! Every request gets `200` with a deterministic body (see [`objects`]) of the object's size:
//! [`DEFAULT_OBJECT_SIZE`] unless changed, with overrides per exact path. `HEAD` gets the same
//! headers, `Content-Length` included, and no body. Response headers echo what the origin saw:
//! `x-origin-name`, `x-origin-protocol` (`http`/`https`), `x-origin-port` (logical),
//! `x-origin-seq` (the record's seq) and `x-edgeconform-id` (the correlation id, if sent). The
//! runner should trust the record ([`OriginRecord`]), not the echo, which the edge may alter.
//! Every answer also carries the fetch's mark, `x-edgeconform-fetch: ID; origin=NAME`, and
//! `Cache-Control: no-store`, or `public, max-age=300` for a cacheable object
//! ([`OriginOptions::cacheable`], or per correlation id through `PUT /objects`), see [`mark`].
//!
//! # Control endpoint
//!
//! Plain HTTP/1.1 or h2c on a loopback port of its own, JSON bodies:
//!
//! | Route | Answer |
//! |---|---|
//! | `GET /listeners` | array of [`BoundListener`] |
//! | `GET /records` | array of [`OriginRecord`], oldest first; `?id=ID` keeps those with that correlation id, `?after=SEQ` those with a greater seq |
//! | `DELETE /records` | `{"cleared": N}` |
//! | `GET /objects` | `{"default": 1000, "paths": {"/big.bin": 1048576}}` |
//! | `PUT /objects` | merges a body of the same shape, every key optional, a path mapped to `null` loses its override; `"cacheable": true` and `"cacheable_ids": {"ID": true}` make answers cacheable; answers the new state |
//! | `DELETE /objects` | removes every path override; answers the new state |
//!
//! Errors are `{"error": "..."}` with 400, 404 or 405.
//!
//! ```text
//! $ curl -s 127.0.0.1:41234/records?id=case-17
//! [{"seq":3,"listener":"assets","protocol":"https","logical_port":443,"local_port":40561,
//!   "connection":2,"method":"GET","target":"/img/a.png?v=1","authority":null,
//!   "version":"HTTP/1.1","headers":[["host","assets.example.com"],
//!   ["x-edgeconform-id","case-17"]],"correlation_id":"case-17","body_len":0}]
//! ```
//!
//! `edgeconform origin` ([`crate::cmd::origin`]) starts one from the command line and prints one
//! JSON line per listener, then one for the control endpoint:
//!
//! ```text
//! {"event":"listener","name":"assets","tls":false,"logical_port":80,"addr":"127.0.0.1:40123","behaviour":"normal"}
//! {"event":"listener","name":"assets","tls":true,"logical_port":443,"addr":"127.0.0.1:40125","behaviour":"normal"}
//! {"event":"control","addr":"127.0.0.1:41234"}
//! ```

mod control;
mod handler;
pub mod mark;
pub mod objects;
pub mod record;
mod serve;

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::tls::{TestCa, ALPN_H2_H1};
use serve::{accept_loop, Role, Shared};

pub use objects::{ObjectSizes, ObjectsUpdate, DEFAULT_OBJECT_SIZE};
pub use record::{OriginRecord, Protocol, RecordStore, CORRELATION_HEADER, DEFAULT_MAX_RECORDS};

/// What a listener does with a connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Behaviour {
    /// Serve HTTP (over TLS if the listener has it) and record each request.
    #[default]
    Normal,
    /// Accept the TCP connection, then never read, answer or close it (until shutdown).
    Hang,
}

/// One listener to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerSpec {
    /// Logical origin id, as the distribution config names it (`assets`, `s3-website`).
    pub name: String,
    /// Whether the listener speaks TLS.
    pub tls: bool,
    /// The port the distribution config names for this origin and protocol.
    pub logical_port: u16,
    /// Where to bind; `None` is 127.0.0.1 on a port the OS chooses.
    pub bind: Option<SocketAddr>,
    /// Normal or hanging.
    pub behaviour: Behaviour,
}

impl ListenerSpec {
    /// A plain-HTTP listener standing for `name`'s port `logical_port`.
    pub fn http(name: impl Into<String>, logical_port: u16) -> ListenerSpec {
        ListenerSpec {
            name: name.into(),
            tls: false,
            logical_port,
            bind: None,
            behaviour: Behaviour::Normal,
        }
    }

    /// A TLS listener standing for `name`'s port `logical_port`.
    pub fn https(name: impl Into<String>, logical_port: u16) -> ListenerSpec {
        ListenerSpec {
            tls: true,
            ..ListenerSpec::http(name, logical_port)
        }
    }

    /// Binds to 127.0.0.1:`port` instead of an OS-chosen port.
    pub fn on_port(mut self, port: u16) -> ListenerSpec {
        self.bind = Some(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
        self
    }

    /// Makes the listener hang every connection.
    pub fn hang(mut self) -> ListenerSpec {
        self.behaviour = Behaviour::Hang;
        self
    }

    /// `"http"` or `"https"`.
    pub fn protocol(&self) -> Protocol {
        if self.tls {
            Protocol::Https
        } else {
            Protocol::Http
        }
    }
}

/// A listener that is running, with the address it really got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundListener {
    /// Logical origin id.
    pub name: String,
    /// Whether it speaks TLS.
    pub tls: bool,
    /// The port the distribution config names.
    pub logical_port: u16,
    /// The real address to connect to.
    pub addr: SocketAddr,
    /// Normal or hanging.
    pub behaviour: Behaviour,
}

/// Knobs of [`OriginServer::start_with_options`].
#[derive(Clone, Debug)]
pub struct OriginOptions {
    /// Size of objects without a per-path override.
    pub default_object_size: u64,
    /// How many records to keep (the oldest are dropped).
    pub max_records: usize,
    /// Answers may be kept by a cache (`Cache-Control: public, max-age=300`); otherwise
    /// `no-store`, unless a correlation id is made cacheable on its own.
    pub cacheable: bool,
}

impl Default for OriginOptions {
    fn default() -> Self {
        OriginOptions {
            default_object_size: DEFAULT_OBJECT_SIZE,
            max_records: DEFAULT_MAX_RECORDS,
            cacheable: false,
        }
    }
}

/// A running instrumented origin. Dropping it stops accepting; [`OriginServer::shutdown`] also
/// lets open connections finish.
#[derive(Debug)]
pub struct OriginServer {
    listeners: Vec<BoundListener>,
    control: Option<SocketAddr>,
    records: Arc<RecordStore>,
    objects: Arc<ObjectSizes>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl OriginServer {
    /// Starts `specs` with default options; TLS listeners present a leaf from `ca` for
    /// `cert_names` (`localhost` and `127.0.0.1` if empty). `control` starts the control endpoint
    /// there (`127.0.0.1:0` for any free port).
    pub async fn start(
        specs: Vec<ListenerSpec>,
        ca: &TestCa,
        cert_names: Vec<String>,
        control: Option<SocketAddr>,
    ) -> Result<OriginServer> {
        Self::start_with_options(specs, ca, cert_names, control, OriginOptions::default()).await
    }

    /// [`OriginServer::start`] with explicit options. Every socket is bound before anything
    /// serves, so an error leaves nothing running.
    pub async fn start_with_options(
        specs: Vec<ListenerSpec>,
        ca: &TestCa,
        cert_names: Vec<String>,
        control: Option<SocketAddr>,
        options: OriginOptions,
    ) -> Result<OriginServer> {
        validate(&specs)?;
        let acceptor = if specs.iter().any(|s| s.tls) {
            let names = if cert_names.is_empty() {
                vec!["localhost".to_string(), "127.0.0.1".to_string()]
            } else {
                cert_names
            };
            Some(TlsAcceptor::from(ca.server_config(&names, ALPN_H2_H1)?))
        } else {
            None
        };

        let bound = bind_all(&specs).await?;
        let control_listener = match control {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("binding the control endpoint to {addr}"))?,
            ),
            None => None,
        };

        let objects = ObjectSizes::new(options.default_object_size);
        objects.set_cacheable(options.cacheable);
        let shared = Shared {
            records: Arc::new(RecordStore::new(options.max_records)),
            objects: Arc::new(objects),
            connections: Arc::new(AtomicU64::new(0)),
        };
        let (shutdown, _) = watch::channel(false);
        let listeners: Vec<BoundListener> = bound.iter().map(|(_, info)| info.clone()).collect();
        let mut tasks = Vec::new();
        for (listener, info) in bound {
            let ctx = Arc::new(handler::ListenerCtx::new(
                &info.name,
                info.tls,
                info.logical_port,
                info.addr.port(),
            ));
            let tls = if info.tls { acceptor.clone() } else { None };
            tasks.push(tokio::spawn(accept_loop(
                listener,
                Role::Origin {
                    ctx,
                    tls,
                    behaviour: info.behaviour,
                },
                shared.clone(),
                shutdown.subscribe(),
            )));
        }
        let control = match control_listener {
            Some(listener) => {
                let addr = listener.local_addr()?;
                let state = Arc::new(control::ControlState {
                    listeners: listeners.clone(),
                    records: shared.records.clone(),
                    objects: shared.objects.clone(),
                });
                tasks.push(tokio::spawn(accept_loop(
                    listener,
                    Role::Control(state),
                    shared.clone(),
                    shutdown.subscribe(),
                )));
                Some(addr)
            }
            None => None,
        };

        Ok(OriginServer {
            listeners,
            control,
            records: shared.records,
            objects: shared.objects,
            shutdown,
            tasks,
        })
    }

    /// The listeners, in the order of the specs.
    pub fn listeners(&self) -> Vec<BoundListener> {
        self.listeners.clone()
    }

    /// The listener of origin `name` with that TLS setting, if any.
    pub fn listener(&self, name: &str, tls: bool) -> Option<&BoundListener> {
        self.listeners
            .iter()
            .find(|l| l.name == name && l.tls == tls)
    }

    /// Address of the control endpoint, if it was started.
    pub fn control_addr(&self) -> Option<SocketAddr> {
        self.control
    }

    /// Every record kept, oldest first.
    pub fn records(&self) -> Vec<OriginRecord> {
        self.records.records()
    }

    /// Records with correlation id `id`, oldest first.
    pub fn records_for(&self, id: &str) -> Vec<OriginRecord> {
        self.records.records_for(id)
    }

    /// Forgets every record; returns how many there were.
    pub fn clear(&self) -> usize {
        self.records.clear()
    }

    /// The shared record store (for a runner in the same process).
    pub fn record_store(&self) -> Arc<RecordStore> {
        self.records.clone()
    }

    /// The object sizes, to change while running.
    pub fn objects(&self) -> &ObjectSizes {
        &self.objects
    }

    /// A shared handle to the object sizes (for a runner that sizes objects while serving).
    pub fn objects_handle(&self) -> Arc<ObjectSizes> {
        self.objects.clone()
    }

    /// Stops accepting, lets open connections finish for up to 3 s, then closes the rest.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

impl Drop for OriginServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Binds a listener per spec (loopback, any port, where the spec names no address).
async fn bind_all(specs: &[ListenerSpec]) -> Result<Vec<(TcpListener, BoundListener)>> {
    let mut bound = Vec::with_capacity(specs.len());
    for spec in specs {
        let addr = spec
            .bind
            .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let listener = TcpListener::bind(addr).await.with_context(|| {
            format!(
                "binding the {} listener of origin {:?} to {addr}",
                spec.protocol(),
                spec.name
            )
        })?;
        let info = BoundListener {
            name: spec.name.clone(),
            tls: spec.tls,
            logical_port: spec.logical_port,
            addr: listener.local_addr()?,
            behaviour: spec.behaviour,
        };
        bound.push((listener, info));
    }
    Ok(bound)
}

fn validate(specs: &[ListenerSpec]) -> Result<()> {
    let mut seen = HashSet::new();
    for spec in specs {
        check_name(&spec.name)?;
        if !seen.insert((spec.name.as_str(), spec.tls)) {
            bail!(
                "origin {:?} has two {} listeners; an origin has at most one per protocol",
                spec.name,
                spec.protocol()
            );
        }
    }
    Ok(())
}

/// An origin name must be usable as a header value and in `--listen NAME=...`.
pub(crate) fn check_name(name: &str) -> Result<()> {
    if name.is_empty() {
        bail!("an origin name must not be empty");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        bail!("origin name {name:?} contains {c:?}; use letters, digits, '-', '_' and '.'");
    }
    Ok(())
}
