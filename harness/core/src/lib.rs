//! edgeconform-core: what CloudFront does with a viewer request, as a pure function, and the rule
//! catalog that judges any outcome — the model's or one observed on the wire. No I/O, no async.

pub mod normalize;
pub mod pattern;
pub mod request;
pub mod rules;

pub use request::{HttpVersion, Method, Request, Scheme};
pub use rules::{Level, RuleId, CATALOG};
