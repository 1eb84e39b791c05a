//! The subcommands of `edgeconform`, one module each, and the flags several of them share.

pub mod decide;
pub mod derive;
pub mod edge;
pub mod fuzz;
pub mod import;
pub mod mutants;
pub mod origin;
pub mod promote;
pub mod report;
pub mod run;
pub mod selftest;
pub mod shard;
pub mod spec;
pub mod target;
