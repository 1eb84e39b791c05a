//! RFC 3986 path normalisation used for behavior matching only (PAT-NORMALIZE): percent-decoding of
//! unreserved characters and dot-segment removal. The origin always gets the raw path.
//!
//! STUB: to be implemented (see the helper brief). The public API below is fixed.

/// Normalises a raw request path (no query) for matching.
pub fn normalize_path(raw: &[u8]) -> Vec<u8> {
    raw.to_vec()
}
