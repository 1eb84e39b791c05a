//! The servers a run starts on loopback: per distribution an instrumented origin and (without
//! `--target`) a reference edge, plus, for cases that need a failing origin (ORG-FAILURE), an edge
//! whose origins refuse connections and one whose origins never answer.

use super::client::Endpoint;
use super::records::{BoxFuture, Records};
use crate::edge::{origin_listener_specs, EdgeConfig, EdgeServer, Mutant, OriginMap};
use crate::origin::{
    ListenerSpec, ObjectSizes, OriginOptions, OriginRecord, OriginServer, RecordStore,
};
use crate::report::model::TargetInfo;
use crate::tls::TestCa;
use anyhow::Result;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::outcome::OriginFailure;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Origin timeout of the edge that serves timeout cases: short, so the suite stays fast.
const FAILURE_TIMEOUT: Duration = Duration::from_millis(800);

struct Site {
    dist: Arc<Distribution>,
    origin: OriginServer,
    normal: Endpoint,
    edges: Vec<EdgeServer>,
    refused: Option<Endpoint>,
    timeout: Option<Endpoint>,
    /// The reference edge's access log.
    log: Option<PathBuf>,
    /// The origin that never answers (timeout cases), stopped with the site.
    hang: Option<OriginServer>,
    /// The refusing origin addresses: bound, never listening, held for the run so that no
    /// server started meanwhile (another run in the same process) gets those ports.
    refusing: Vec<tokio::net::TcpSocket>,
}

/// Everything started for a run.
pub struct Env {
    sites: Vec<Site>,
    external: bool,
    /// An external target whose origin the run did not start: (where the target listens, the
    /// control address of the standalone `edgeconform origin` it forwards to, if any; none in a
    /// viewer-only run).
    remote: Option<(Endpoint, Option<std::net::SocketAddr>)>,
}

/// No origin to read (a viewer-only run): every request's records are empty.
pub(crate) struct NoRecords;

impl Records for NoRecords {
    fn records_for<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Vec<OriginRecord>> {
        Box::pin(async { Vec::new() })
    }

    fn size_object<'a>(&'a self, _: &'a str, _: u64) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }

    fn set_cacheable<'a>(&'a self, _: Option<&'a str>, _: bool) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// The origins of the run, in process (correlation ids are unique across them).
struct AllRecords(Vec<(Arc<RecordStore>, Arc<ObjectSizes>)>);

impl Records for AllRecords {
    fn records_for<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Vec<OriginRecord>> {
        // Each leg's records are read once, right after its response: taking them keeps the
        // origins' stores near empty however many cases run.
        Box::pin(async move { self.0.iter().flat_map(|(s, _)| s.take_for(id)).collect() })
    }

    fn size_object<'a>(&'a self, id: &'a str, size: u64) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            for (_, o) in &self.0 {
                o.set_for_id(id, size);
            }
        })
    }

    fn set_cacheable<'a>(&'a self, id: Option<&'a str>, cacheable: bool) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            for (_, o) in &self.0 {
                match id {
                    Some(id) => o.set_cacheable_for_id(id, cacheable),
                    None => o.set_cacheable(cacheable),
                }
            }
        })
    }
}

async fn start_origin(ca: &TestCa, dist: &Distribution, hang: bool) -> Result<OriginServer> {
    let mut specs = origin_listener_specs(dist);
    if hang {
        specs = specs.into_iter().map(ListenerSpec::hang).collect();
    }
    // Objects are empty unless a case sizes them (billing cases), so every other case expects
    // no object bytes whatever path it uses.
    let options = OriginOptions {
        default_object_size: 0,
        // The runner takes a case's records as soon as its response is in; the bound only
        // matters for records nobody takes.
        max_records: 50_000,
        cacheable: false,
    };
    OriginServer::start_with_options(specs, ca, vec![], None, options).await
}

async fn start_edge(
    ca: &TestCa,
    dist: &Distribution,
    map: OriginMap,
    timeout: Option<Duration>,
    log: Option<PathBuf>,
    mutant: Option<Mutant>,
) -> Result<EdgeServer> {
    let mut cfg = EdgeConfig::new(dist.clone(), ca, map)?;
    if let Some(t) = timeout {
        cfg.origin_timeout = t;
        // Only the failure edges get a timeout: their origins fail on purpose, so say nothing.
        cfg.quiet = true;
    }
    cfg.access_log = log;
    cfg.mutant = mutant;
    EdgeServer::start(cfg).await
}

fn endpoint(edge: &EdgeServer, dist: &Distribution) -> Endpoint {
    let a = edge.addrs();
    Endpoint {
        http: a.http,
        https: a.https,
        tls_name: dist.domain.clone(),
    }
}

/// Starts origin + reference edge for every distinct distribution of the cases; the edges write
/// their access logs into `log_dir` (`access-N.log`), or none without one (a run that never
/// reads them). With a `mutant`, every edge (the failure edges too) has that bug.
pub async fn start(
    ca: &TestCa,
    cases: impl IntoIterator<Item = (Option<OriginFailure>, Arc<Distribution>)>,
    log_dir: Option<&Path>,
    mutant: Option<Mutant>,
) -> Result<Env> {
    let mut sites: Vec<Site> = Vec::new();
    let mut needs: Vec<(Arc<Distribution>, bool, bool)> = Vec::new();
    for (failure, d) in cases {
        let i = match needs.iter().position(|(x, _, _)| **x == *d) {
            Some(i) => i,
            None => {
                needs.push((d, false, false));
                needs.len() - 1
            }
        };
        match failure {
            Some(OriginFailure::Refused) => needs[i].1 = true,
            Some(OriginFailure::Timeout) => needs[i].2 = true,
            None => {}
        }
    }
    if let Some(d) = log_dir {
        std::fs::create_dir_all(d)?;
    }
    for (n, (dist, refused, timeout)) in needs.into_iter().enumerate() {
        let origin = start_origin(ca, &dist, false).await?;
        let log = log_dir.map(|d| d.join(format!("access-{n}.log")));
        if let Some(l) = &log {
            let _ = std::fs::remove_file(l);
        }
        let edge = start_edge(
            ca,
            &dist,
            OriginMap::from_listeners(&origin.listeners()),
            None,
            log.clone(),
            mutant,
        )
        .await?;
        let normal = endpoint(&edge, &dist);
        let mut edges = vec![edge];
        let mut refusing = Vec::new();
        let refused = if refused {
            // Every origin address is a bound socket that does not listen: connections are refused.
            let mut map = OriginMap::new();
            for o in &dist.origins {
                for s in edgeconform_core::Scheme::ALL {
                    let socket = tokio::net::TcpSocket::new_v4()?;
                    socket.bind(([127, 0, 0, 1], 0).into())?;
                    map.insert(o.id.clone(), s, socket.local_addr()?);
                    refusing.push(socket);
                }
            }
            let e = start_edge(ca, &dist, map, Some(FAILURE_TIMEOUT), None, mutant).await?;
            let ep = endpoint(&e, &dist);
            edges.push(e);
            Some(ep)
        } else {
            None
        };
        let mut hang_origin = None;
        let timeout = if timeout {
            let hang = start_origin(ca, &dist, true).await?;
            let e = start_edge(
                ca,
                &dist,
                OriginMap::from_listeners(&hang.listeners()),
                Some(FAILURE_TIMEOUT),
                None,
                mutant,
            )
            .await?;
            let ep = endpoint(&e, &dist);
            edges.push(e);
            // The hanging origin lives as long as the run.
            hang_origin = Some(hang);
            Some(ep)
        } else {
            None
        };
        sites.push(Site {
            dist,
            origin,
            normal,
            edges,
            refused,
            timeout,
            log,
            hang: hang_origin,
            refusing,
        });
    }
    Ok(Env {
        sites,
        external: false,
        remote: None,
    })
}

/// Starts only the instrumented origin for an external target, and prints its listeners so the
/// target can be pointed at them. [`Env::set_target`] says where the target listens.
pub async fn start_origin_for_target(
    ca: &TestCa,
    dist: &Distribution,
    target: Endpoint,
) -> Result<Env> {
    let origin = start_origin(ca, dist, false).await?;
    for l in origin.listeners() {
        eprintln!(
            "edgeconform: origin {} {} (logical port {}) listens on {}",
            l.name,
            if l.tls { "https" } else { "http" },
            l.logical_port,
            l.addr
        );
    }
    Ok(Env {
        sites: vec![Site {
            dist: Arc::new(dist.clone()),
            origin,
            normal: target,
            edges: vec![],
            refused: None,
            timeout: None,
            log: None,
            hang: None,
            refusing: Vec::new(),
        }],
        external: true,
        remote: None,
    })
}

/// An external target pointed at a standalone `edgeconform origin` (started by the user, who
/// configured the target with its ports); records are read from its control endpoint.
pub fn remote_origin(target: Endpoint, control: std::net::SocketAddr) -> Env {
    Env {
        sites: Vec::new(),
        external: true,
        remote: Some((target, Some(control))),
    }
}

/// An external target wired to an origin of its own (CloudFront, any edge): nothing is started
/// and no record is read.
pub fn viewer_only(target: Endpoint) -> Env {
    Env {
        sites: Vec::new(),
        external: true,
        remote: Some((target, None)),
    }
}

impl Env {
    /// The first (for an external target: the only) instrumented origin.
    pub fn origin(&self) -> &OriginServer {
        &self.sites[0].origin
    }

    /// Points the run at an external target started after the origin (a recipe).
    pub fn set_target(&mut self, target: Endpoint) {
        if let Some(s) = self.sites.first_mut() {
            s.normal = target;
        }
    }

    /// Where a case goes: the reference edge (or target), or a failure edge.
    pub fn endpoint_for(&self, dist: &Distribution, failure: Option<OriginFailure>) -> Endpoint {
        if let Some((ep, _)) = &self.remote {
            return ep.clone();
        }
        let site = self
            .sites
            .iter()
            .find(|s| *s.dist == *dist)
            .unwrap_or(&self.sites[0]);
        match failure {
            Some(OriginFailure::Refused) => {
                site.refused.clone().unwrap_or_else(|| site.normal.clone())
            }
            Some(OriginFailure::Timeout) => {
                site.timeout.clone().unwrap_or_else(|| site.normal.clone())
            }
            None => site.normal.clone(),
        }
    }

    /// The reference edges' access logs (embedded runs only), with every line of the answers
    /// given so far written out.
    pub fn access_logs(&self) -> Vec<PathBuf> {
        for e in self.sites.iter().flat_map(|s| &s.edges) {
            e.flush_log();
        }
        self.sites.iter().filter_map(|s| s.log.clone()).collect()
    }

    pub fn records(&self) -> Arc<dyn Records> {
        match self.remote {
            Some((_, Some(control))) => return Arc::new(super::records::Remote { control }),
            Some((_, None)) => return Arc::new(NoRecords),
            None => {}
        }
        Arc::new(AllRecords(
            self.sites
                .iter()
                .map(|s| (s.origin.record_store(), s.origin.objects_handle()))
                .collect(),
        ))
    }

    pub fn http_desc(&self, t: &TargetInfo) -> String {
        if self.external {
            t.http.clone()
        } else {
            self.sites
                .first()
                .map_or(String::new(), |s| format!("http://{}", s.normal.http))
        }
    }

    pub fn https_desc(&self, t: &TargetInfo) -> String {
        if self.external {
            t.https.clone()
        } else {
            self.sites
                .first()
                .map_or(String::new(), |s| format!("https://{}", s.normal.https))
        }
    }

    pub async fn shutdown(self) {
        for s in self.sites {
            for e in s.edges {
                e.shutdown().await;
            }
            // The failing origins go once no edge can reach them.
            drop(s.hang);
            drop(s.refusing);
            s.origin.shutdown().await;
        }
    }
}
