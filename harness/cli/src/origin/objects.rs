//! Object sizes, whether a cache may keep an object, and the deterministic bodies the origin
//! serves.
//!
//! Every object is the same repeating 64-byte pattern cut to the object's size, so a body is
//! never built: it is served as slices of one static 64 KiB buffer.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::RwLock;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use serde::{Deserialize, Serialize};

/// Size of an object no override names.
pub const DEFAULT_OBJECT_SIZE: u64 = 1000;

const PATTERN: &[u8; 64] = b"edgeconform origin object 0123456789abcdefghijklmnopqrstuvwxyz.\n";
const CHUNK: usize = 64 * 1024;
static BODY: [u8; CHUNK] = body_buffer();

const fn body_buffer() -> [u8; CHUNK] {
    let mut buf = [0u8; CHUNK];
    let mut i = 0;
    while i < CHUNK {
        buf[i] = PATTERN[i % PATTERN.len()];
        i += 1;
    }
    buf
}

/// The byte at `offset` of every object body (for checking what a client received).
pub fn body_byte(offset: u64) -> u8 {
    PATTERN[(offset % PATTERN.len() as u64) as usize]
}

/// The first `len` bytes of every object body.
pub fn body_bytes(len: usize) -> Vec<u8> {
    (0..len as u64).map(body_byte).collect()
}

/// A response body of `len` pattern bytes, streamed in slices of the static buffer.
#[derive(Debug)]
pub struct PatternBody {
    remaining: u64,
}

impl PatternBody {
    /// A body of exactly `len` bytes.
    pub fn new(len: u64) -> PatternBody {
        PatternBody { remaining: len }
    }
}

impl Body for PatternBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        // CHUNK is a multiple of the pattern length, so every slice starts in phase.
        let n = self.remaining.min(CHUNK as u64) as usize;
        self.remaining -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&BODY[..n])))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// The object sizes: one default and overrides by exact path (the request-target without its
/// query); and whether an answer may be kept by a cache: one default and overrides by
/// correlation id.
#[derive(Debug)]
pub struct ObjectSizes {
    inner: RwLock<Sizes>,
}

#[derive(Debug, Clone)]
struct Sizes {
    default: u64,
    paths: HashMap<String, u64>,
    /// Size by correlation id (`x-edgeconform-id`): wins over the path, so cases that share a path
    /// can still ask for different objects.
    ids: HashMap<String, u64>,
    /// Answers carry `Cache-Control: public, max-age=300` instead of `no-store`.
    cacheable: bool,
    /// Cacheability by correlation id: wins over `cacheable`.
    cacheable_ids: HashMap<String, bool>,
}

/// The JSON shape of the control endpoint's `/objects`: what `GET` returns and what `PUT`
/// merges (both fields optional in a `PUT`; a path mapped to `null` loses its override).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectsUpdate {
    /// New default size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<u64>,
    /// Size per exact path; `null` removes the override.
    #[serde(default)]
    pub paths: BTreeMap<String, Option<u64>>,
    /// Size per correlation id (wins over `paths`); `null` removes it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ids: BTreeMap<String, Option<u64>>,
    /// Whether answers may be kept by a cache, unless `cacheable_ids` says otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cacheable: Option<bool>,
    /// Cacheability per correlation id (wins over `cacheable`); `null` removes it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cacheable_ids: BTreeMap<String, Option<bool>>,
}

impl ObjectSizes {
    /// Every object is `default` bytes until an override says otherwise.
    pub fn new(default: u64) -> ObjectSizes {
        ObjectSizes {
            inner: RwLock::new(Sizes {
                default,
                paths: HashMap::new(),
                ids: HashMap::new(),
                cacheable: false,
                cacheable_ids: HashMap::new(),
            }),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Sizes> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Sizes> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Size of the object for a request: by its correlation id if one was sized, else by path.
    pub fn size_for_request(&self, id: Option<&str>, target: &str) -> u64 {
        if let Some(size) = id.and_then(|id| self.read().ids.get(id).copied()) {
            return size;
        }
        self.size_for(target)
    }

    /// Sizes the object served to the request with correlation id `id`.
    pub fn set_for_id(&self, id: impl Into<String>, size: u64) {
        self.write().ids.insert(id.into(), size);
    }

    /// Whether the answer to the request with correlation id `id` may be kept by a cache.
    pub fn cacheable_for_request(&self, id: Option<&str>) -> bool {
        let sizes = self.read();
        id.and_then(|id| sizes.cacheable_ids.get(id).copied())
            .unwrap_or(sizes.cacheable)
    }

    /// Makes every answer cacheable (or not) unless its correlation id says otherwise.
    pub fn set_cacheable(&self, cacheable: bool) {
        self.write().cacheable = cacheable;
    }

    /// Makes the answer to the request with correlation id `id` cacheable (or not).
    pub fn set_cacheable_for_id(&self, id: impl Into<String>, cacheable: bool) {
        self.write().cacheable_ids.insert(id.into(), cacheable);
    }

    /// Size of the object at request-target `target` (its query is ignored).
    pub fn size_for(&self, target: &str) -> u64 {
        let path = target.split_once('?').map_or(target, |(p, _)| p);
        let sizes = self.read();
        sizes.paths.get(path).copied().unwrap_or(sizes.default)
    }

    /// Sets the default size.
    pub fn set_default(&self, size: u64) {
        self.write().default = size;
    }

    /// Sets the size of the object at `path` (exact match, no query).
    pub fn set(&self, path: impl Into<String>, size: u64) {
        self.write().paths.insert(path.into(), size);
    }

    /// Removes every per-path override.
    pub fn clear_overrides(&self) {
        self.write().paths.clear();
    }

    /// Applies a control-endpoint update.
    pub fn apply(&self, update: &ObjectsUpdate) {
        let mut sizes = self.write();
        if let Some(default) = update.default {
            sizes.default = default;
        }
        for (path, size) in &update.paths {
            match size {
                Some(size) => sizes.paths.insert(path.clone(), *size),
                None => sizes.paths.remove(path),
            };
        }
        for (id, size) in &update.ids {
            match size {
                Some(size) => sizes.ids.insert(id.clone(), *size),
                None => sizes.ids.remove(id),
            };
        }
        if let Some(c) = update.cacheable {
            sizes.cacheable = c;
        }
        for (id, c) in &update.cacheable_ids {
            match c {
                Some(c) => sizes.cacheable_ids.insert(id.clone(), *c),
                None => sizes.cacheable_ids.remove(id),
            };
        }
    }

    /// The current state, in the `/objects` JSON shape.
    pub fn snapshot(&self) -> ObjectsUpdate {
        let sizes = self.read();
        ObjectsUpdate {
            default: Some(sizes.default),
            paths: sizes
                .paths
                .iter()
                .map(|(p, s)| (p.clone(), Some(*s)))
                .collect(),
            ids: sizes
                .ids
                .iter()
                .map(|(p, s)| (p.clone(), Some(*s)))
                .collect(),
            cacheable: Some(sizes.cacheable),
            cacheable_ids: sizes
                .cacheable_ids
                .iter()
                .map(|(id, c)| (id.clone(), Some(*c)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn pattern_body_has_the_exact_size_and_content() {
        for len in [0u64, 1, 63, 64, 65_536, 65_537, 200_000] {
            let body = PatternBody::new(len);
            assert_eq!(body.size_hint().exact(), Some(len));
            let bytes = body.collect().await.unwrap().to_bytes();
            assert_eq!(bytes.len() as u64, len);
            assert_eq!(&bytes[..], &body_bytes(len as usize)[..]);
        }
    }

    #[test]
    fn overrides_match_the_path_without_query() {
        let sizes = ObjectSizes::new(10);
        sizes.apply(&serde_json::from_str(r#"{"paths": {"/big": 5000}}"#).unwrap());
        assert_eq!(sizes.size_for("/big?x=1"), 5000);
        assert_eq!(sizes.size_for("/big/"), 10);
        sizes.apply(&serde_json::from_str(r#"{"default": 7, "paths": {"/big": null}}"#).unwrap());
        assert_eq!(sizes.size_for("/big"), 7);
        assert!(serde_json::from_str::<ObjectsUpdate>(r#"{"size": 1}"#).is_err());
    }

    #[test]
    fn cacheability_has_a_default_and_overrides_by_correlation_id() {
        let sizes = ObjectSizes::new(10);
        assert!(!sizes.cacheable_for_request(Some("a")));
        sizes.apply(&serde_json::from_str(r#"{"cacheable_ids": {"a": true}}"#).unwrap());
        assert!(sizes.cacheable_for_request(Some("a")));
        assert!(!sizes.cacheable_for_request(Some("b")));
        sizes.apply(
            &serde_json::from_str(r#"{"cacheable": true, "cacheable_ids": {"a": false}}"#).unwrap(),
        );
        assert!(!sizes.cacheable_for_request(Some("a")));
        assert!(sizes.cacheable_for_request(Some("b")));
        assert!(sizes.cacheable_for_request(None));
        assert_eq!(sizes.snapshot().cacheable, Some(true));
    }
}
