//! Where the runner reads the origin's records: in process (the embedded origin's store) or from a
//! standalone `edgeconform origin` over its control endpoint.

use crate::origin::OriginRecord;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A source of origin records by correlation id.
pub trait Records: Send + Sync {
    fn records_for<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Vec<OriginRecord>>;
    /// Makes the origin serve an object of `size` bytes to the request with correlation id `id`.
    fn size_object<'a>(&'a self, id: &'a str, size: u64) -> BoxFuture<'a, ()>;
    /// Makes the origin's answers cacheable or not: the answer to correlation id `id`, or with
    /// `None` every answer no id overrides.
    fn set_cacheable<'a>(&'a self, id: Option<&'a str>, cacheable: bool) -> BoxFuture<'a, ()>;
}

/// A standalone origin's control endpoint (`GET /records?id=ID`, JSON array).
pub struct Remote {
    pub control: std::net::SocketAddr,
}

impl Records for Remote {
    fn records_for<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Vec<OriginRecord>> {
        Box::pin(async move {
            let q: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("id", id)
                .finish();
            match control(self.control, "GET", &format!("/records?{q}"), None).await {
                Ok(body) => serde_json::from_slice(&body).unwrap_or_default(),
                Err(_) => Vec::new(),
            }
        })
    }

    fn size_object<'a>(&'a self, id: &'a str, size: u64) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let body = serde_json::json!({ "ids": { id: size } }).to_string();
            let _ = control(self.control, "PUT", "/objects", Some(body)).await;
        })
    }

    fn set_cacheable<'a>(&'a self, id: Option<&'a str>, cacheable: bool) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let body = match id {
                Some(id) => serde_json::json!({ "cacheable_ids": { id: cacheable } }),
                None => serde_json::json!({ "cacheable": cacheable }),
            };
            let _ = control(self.control, "PUT", "/objects", Some(body.to_string())).await;
        })
    }
}

/// One request to the control endpoint; the response body.
async fn control(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: Option<String>,
) -> anyhow::Result<bytes::Bytes> {
    use http_body_util::{BodyExt, Full};
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let (mut send, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, addr.to_string())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(bytes::Bytes::from(body.unwrap_or_default())))?;
    Ok(send
        .send_request(req)
        .await?
        .into_body()
        .collect()
        .await?
        .to_bytes())
}
