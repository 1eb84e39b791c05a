//! Reports: one result model ([`model::RunResult`]) and one module per output format.

pub mod cases;
pub mod compact;
pub mod console;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod merge;
pub mod model;
pub mod spool;
pub mod text;
pub mod write;
