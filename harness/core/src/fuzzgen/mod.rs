//! Structure-aware fuzz inputs and the oracles that judge them (feature `arbitrary`).
//!
//! The fuzz targets in `fuzz/` and `edgeconform promote` decode a fuzzer input with the same
//! functions, so a crash artifact means the same case to both:
//!
//! - [`arbitrary_case`]: a *valid* distribution (up to 75 behaviors, every origin kind, both
//!   rulesets, optional small limits) and a request aimed at it (target `decide`);
//! - [`location_case`]: a valid distribution and a request whose `Host` and request-target are
//!   arbitrary bytes, or a routed host name with arbitrary bytes appended (target `location`);
//! - [`pattern_case`]: a pattern and a path, split at the first `\n` (target `pattern`).
//!
//! The byte format (see `case.rs`) is read one byte at a time with fixed meanings rather than
//! through `Arbitrary` derives, so it can be written back: [`encode_case`], [`encode_location`]
//! and [`encode_pattern`] turn the cases of `specs/` into seed inputs (`make fuzz-seeds`), and
//! decoding an encoded case gives the case back.
//!
//! [`live`] generates requests for a live edge from the distribution it implements, and
//! [`shrink`] lists simpler variants of one (`edgeconform fuzz`).
//!
//! The oracles ([`check_decide`], [`check_location`], [`check_pattern`]) state the invariants of
//! RULES.md ("What a conformant target must never do") independently of `decide()`, plus a
//! deliberately simple dynamic-programming pattern matcher ([`reference_match`]). They live here
//! rather than in the targets so that `promote` names the same violated rules the target found.

mod bytes;
mod case;
mod encode;
pub mod live;
mod oracle;
pub mod shrink;

pub use case::{arbitrary_case, arbitrary_distribution, location_case, pattern_case, PatternCase};
pub use encode::{encode_case, encode_distribution, encode_location, encode_pattern};
pub use oracle::{check_decide, check_location, check_pattern, reference_match, Finding};

use crate::distribution::Distribution;
use crate::request::Request;
use arbitrary::Unstructured;

/// A whole `decide` input, read as the target reads it ([`arbitrary_case`]).
pub fn decode_case(data: &[u8]) -> Option<(Distribution, Request)> {
    arbitrary_case(&mut Unstructured::new(data)).ok()
}

/// A whole `location` input, read as the target reads it ([`location_case`]).
pub fn decode_location(data: &[u8]) -> Option<(Distribution, Request)> {
    location_case(&mut Unstructured::new(data)).ok()
}

/// A whole `pattern` input, read as the target reads it ([`pattern_case`]).
pub fn decode_pattern(data: &[u8]) -> Option<PatternCase> {
    pattern_case(&mut Unstructured::new(data)).ok()
}
