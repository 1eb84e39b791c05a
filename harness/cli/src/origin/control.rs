//! The control endpoint: the origin's records, listeners and object sizes as JSON over plain
//! HTTP on a loopback port of its own, for a runner in another process. The routes and body
//! formats are documented on the parent module.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;

use super::objects::{ObjectSizes, ObjectsUpdate};
use super::record::RecordStore;
use super::BoundListener;

/// Largest `PUT /objects` body accepted.
const MAX_CONTROL_BODY: usize = 1024 * 1024;

/// Everything the control endpoint serves.
#[derive(Debug)]
pub(crate) struct ControlState {
    pub listeners: Vec<BoundListener>,
    pub records: Arc<RecordStore>,
    pub objects: Arc<ObjectSizes>,
}

pub(crate) async fn handle(
    req: Request<Incoming>,
    state: Arc<ControlState>,
) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let method = req.method().clone();
    match (path.as_str(), method) {
        ("/listeners", Method::GET) => json(StatusCode::OK, &state.listeners),
        ("/listeners", _) => not_allowed("GET"),
        ("/records", Method::GET) => records(&state, &query),
        ("/records", Method::DELETE) => {
            let cleared = state.records.clear();
            json(StatusCode::OK, &serde_json::json!({ "cleared": cleared }))
        }
        ("/records", _) => not_allowed("GET, DELETE"),
        ("/objects", Method::GET) => json(StatusCode::OK, &state.objects.snapshot()),
        ("/objects", Method::PUT) => put_objects(req, &state).await,
        ("/objects", Method::DELETE) => {
            state.objects.clear_overrides();
            json(StatusCode::OK, &state.objects.snapshot())
        }
        ("/objects", _) => not_allowed("GET, PUT, DELETE"),
        _ => error(
            StatusCode::NOT_FOUND,
            format!(
                "no route {path}; routes: GET /listeners, GET /records[?id=ID][&after=SEQ], \
                 DELETE /records, GET|PUT|DELETE /objects"
            ),
        ),
    }
}

fn records(state: &ControlState, query: &str) -> Response<Full<Bytes>> {
    let mut id = None;
    let mut after = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "id" => id = Some(value.into_owned()),
            "after" => match value.parse::<u64>() {
                Ok(n) => after = Some(n),
                Err(_) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("after={value}: expected a sequence number"),
                    )
                }
            },
            other => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("unknown query parameter {other:?}; expected id or after"),
                )
            }
        }
    }
    let mut found = match &id {
        Some(id) => state.records.records_for(id),
        None => match after {
            Some(after) => state.records.records_after(after),
            None => state.records.records(),
        },
    };
    if let (Some(_), Some(after)) = (&id, after) {
        found.retain(|r| r.seq > after);
    }
    json(StatusCode::OK, &found)
}

async fn put_objects(req: Request<Incoming>, state: &ControlState) -> Response<Full<Bytes>> {
    let body = match Limited::new(req.into_body(), MAX_CONTROL_BODY)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("reading the body: {e}")),
    };
    let update: ObjectsUpdate = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "expected {{\"default\": BYTES, \"paths\": {{\"/path\": BYTES|null}}}}: {e}"
                ),
            )
        }
    };
    state.objects.apply(&update);
    json(StatusCode::OK, &state.objects.snapshot())
}

fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response<Full<Bytes>> {
    match serde_json::to_vec(value) {
        Ok(mut body) => {
            body.push(b'\n');
            let mut response = Response::new(Full::new(Bytes::from(body)));
            *response.status_mut() = status;
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(e) => {
            let mut response = Response::new(Full::new(Bytes::from(format!(
                "{{\"error\":\"serializing: {e}\"}}\n"
            ))));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
    }
}

fn error(status: StatusCode, message: String) -> Response<Full<Bytes>> {
    json(status, &serde_json::json!({ "error": message }))
}

fn not_allowed(allow: &'static str) -> Response<Full<Bytes>> {
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method not allowed; allowed: {allow}"),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}
