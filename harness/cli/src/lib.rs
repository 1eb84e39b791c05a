//! edgeconform's I/O side: everything that touches sockets or files, as a library so the binary
//! and the integration tests share it.

pub mod cmd;
pub mod edge;
pub mod encode;
pub mod exit;
pub mod origin;
pub mod report;
pub mod runner;
pub mod signals;
pub mod tls;
