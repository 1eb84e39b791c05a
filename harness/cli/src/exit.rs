//! Exit codes shared by every subcommand (DESIGN.md, "Reports and exit codes").

/// Every `must` passed.
pub const OK: u8 = 0;
/// A conformance failure.
pub const FAIL: u8 = 1;
/// Usage, spec or config error (including "no case selected").
pub const USAGE: u8 = 2;
/// Target unreachable or harness fault.
pub const HARNESS: u8 = 3;
