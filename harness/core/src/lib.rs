//! edgeconform-core: what CloudFront does with a viewer request, as a pure function, and the rule
//! catalog that judges any outcome — the model's or one observed on the wire. No I/O, no async.

pub mod accesslog;
pub mod billing;
pub mod date;
pub mod decide;
pub mod derive;
pub mod distribution;
#[cfg(feature = "arbitrary")]
pub mod fuzzgen;
pub mod import;
pub mod judge;
pub mod logline;
pub mod misread;
pub mod normalize;
pub mod outcome;
pub mod pages;
pub mod pattern;
pub mod request;
pub mod rule_list;
pub mod rules;
pub mod spec;
pub mod verdict;
pub mod yaml;

pub use request::{HttpVersion, Method, Request, Scheme};
pub use rule_list::RuleList;
pub use rules::{Level, RuleId, CATALOG};
