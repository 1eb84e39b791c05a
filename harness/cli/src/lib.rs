//! edgeconform's I/O side: everything that touches sockets or files, as a library so the binary
//! and the integration tests share it.

pub mod cmd;
pub mod decide_cmd;
pub mod derive_cmd;
pub mod edge;
pub mod exit;
pub mod fuzz_cmd;
pub mod import_cmd;
pub mod mutants_cmd;
pub mod origin;
pub mod promote_cmd;
pub mod report;
pub mod report_cmd;
pub mod run_cmd;
pub mod runner;
pub mod selftest;
pub mod signals;
pub mod spec_cmd;
pub mod tls;
