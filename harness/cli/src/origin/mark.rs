//! The mark the origin puts on every answer, naming the fetch that produced it, and the
//! `Cache-Control` it sends.
//!
//! ```text
//! x-edgeconform-fetch: 1733170000-17-0; origin=assets
//! cache-control: no-store
//! ```
//!
//! The mark is a header of its own rather than the echoed `x-edgeconform-id` and
//! `x-origin-name`: those echo what the origin *saw* (an edge may set or rewrite the request's
//! correlation header, and a recipe may copy it into its own answers), while the mark is only
//! ever written by the origin and names the fetch and the listener in one value, which a cache
//! keeps or drops as a whole. A response whose mark names another request's fetch was served
//! from an edge's cache (`runner::cache`).

use hyper::header::HeaderValue;

/// The response header naming the fetch that produced the answer.
pub const FETCH_HEADER: &str = "x-edgeconform-fetch";

/// `Cache-Control` of an answer a cache must not keep (the default).
pub const NO_STORE: &str = "no-store";

/// `Cache-Control` of an answer a cache may keep (`--cacheable`, or `cacheable: true` on a
/// scenario): long enough for any run.
pub const CACHEABLE: &str = "public, max-age=300";

/// What a mark says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchMark {
    /// The correlation id of the request the origin answered; `None` when it carried none.
    pub id: Option<String>,
    /// The listener (origin id) that answered.
    pub origin: String,
}

/// The mark for a fetch with correlation id `id` (`-` when there is none) answered by `origin`.
pub fn mark(id: Option<&HeaderValue>, origin: &str) -> HeaderValue {
    let id = id.map_or(&b"-"[..], HeaderValue::as_bytes);
    let value = [id, b"; origin=", origin.as_bytes()].concat();
    // Both parts come from header values and checked names; never fails in practice.
    HeaderValue::from_bytes(&value).unwrap_or_else(|_| HeaderValue::from_static("-"))
}

/// Reads a mark: `ID; origin=NAME`. `None` when the value is not one.
pub fn parse(value: &str) -> Option<FetchMark> {
    let (id, rest) = value.split_once(';')?;
    let origin = rest.trim().strip_prefix("origin=")?.trim();
    let id = id.trim();
    if id.is_empty() || origin.is_empty() {
        return None;
    }
    Some(FetchMark {
        id: (id != "-").then(|| id.to_string()),
        origin: origin.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_reads_back() {
        let v = mark(Some(&HeaderValue::from_static("123-4-0")), "assets");
        assert_eq!(v, "123-4-0; origin=assets");
        assert_eq!(
            parse(v.to_str().unwrap()),
            Some(FetchMark {
                id: Some("123-4-0".into()),
                origin: "assets".into()
            })
        );
        let anonymous = mark(None, "site");
        assert_eq!(parse(anonymous.to_str().unwrap()).unwrap().id, None);
        assert_eq!(parse("a;origin=b").unwrap().origin, "b");
        for bad in ["", "123", "123; name=x", "; origin=x", "1; origin="] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
