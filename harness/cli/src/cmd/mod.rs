//! The subcommands of `edgeconform`, one module each, and the flags several of them share.

pub mod target;
