//! Reports: one result model ([`model::RunResult`]) and one module per output format.

pub mod model;
