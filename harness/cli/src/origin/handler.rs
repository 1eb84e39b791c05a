//! The origin's answer to a request on one of its listeners: record it, then send the object.

use std::sync::Arc;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};

use super::mark::{mark, CACHEABLE, FETCH_HEADER, NO_STORE};
use super::objects::{ObjectSizes, PatternBody};
use super::record::{OriginRecord, Protocol, RecordStore, CORRELATION_HEADER};

/// What a connection knows about the listener that accepted it.
#[derive(Debug)]
pub(crate) struct ListenerCtx {
    pub name: String,
    pub protocol: Protocol,
    pub logical_port: u16,
    pub local_port: u16,
    /// The listener's name and logical port, ready to send as response headers.
    pub name_header: HeaderValue,
    pub port_header: HeaderValue,
}

impl ListenerCtx {
    pub fn new(name: &str, tls: bool, logical_port: u16, local_port: u16) -> ListenerCtx {
        ListenerCtx {
            name: name.to_string(),
            protocol: if tls { Protocol::Https } else { Protocol::Http },
            logical_port,
            local_port,
            // Names are checked to be header-safe when the listener is specified.
            name_header: HeaderValue::from_str(name)
                .unwrap_or_else(|_| HeaderValue::from_static("invalid")),
            port_header: HeaderValue::from(logical_port),
        }
    }
}

/// Handles one request: reads the body (counting it), records the request, answers 200 with the
/// object, marked with the fetch that produced it and `Cache-Control: no-store` unless the
/// object is cacheable (see [`super::mark`]). Infallible: a body that fails halfway is recorded with the bytes that did arrive.
pub(crate) async fn handle(
    req: Request<Incoming>,
    ctx: Arc<ListenerCtx>,
    connection: u64,
    records: Arc<RecordStore>,
    objects: Arc<ObjectSizes>,
) -> Response<PatternBody> {
    let (parts, mut body) = req.into_parts();
    let mut body_len = 0u64;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Some(data) = frame.data_ref() {
                    body_len += data.len() as u64;
                }
            }
            Err(_) => break,
        }
    }

    let target = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_default();
    let correlation = parts.headers.get(CORRELATION_HEADER).cloned();
    let record = OriginRecord {
        seq: 0,
        listener: ctx.name.clone(),
        protocol: ctx.protocol,
        logical_port: ctx.logical_port,
        local_port: ctx.local_port,
        connection,
        method: parts.method.as_str().to_string(),
        target,
        authority: parts.uri.authority().map(|a| a.as_str().to_string()),
        version: format!("{:?}", parts.version),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        correlation_id: correlation
            .as_ref()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        body_len,
    };
    let size = objects.size_for_request(record.correlation_id.as_deref(), &record.target);
    let cacheable = objects.cacheable_for_request(record.correlation_id.as_deref());
    let seq = records.push(record);

    let body_size = if parts.method == Method::HEAD {
        0
    } else {
        size
    };
    let mut response = Response::new(PatternBody::new(body_size));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(CONTENT_LENGTH, HeaderValue::from(size));
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert("x-origin-name", ctx.name_header.clone());
    headers.insert(
        "x-origin-protocol",
        HeaderValue::from_static(ctx.protocol.as_str()),
    );
    headers.insert("x-origin-port", ctx.port_header.clone());
    headers.insert("x-origin-seq", HeaderValue::from(seq));
    headers.insert(FETCH_HEADER, mark(correlation.as_ref(), &ctx.name));
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static(if cacheable { CACHEABLE } else { NO_STORE }),
    );
    if let Some(id) = correlation {
        headers.insert(CORRELATION_HEADER, id);
    }
    response
}
