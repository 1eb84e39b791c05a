//! Exit codes shared by every subcommand (DESIGN.md, "Reports and exit codes").

/// Every `must` passed.
pub const OK: u8 = 0;
/// A conformance failure.
pub const FAIL: u8 = 1;
/// Usage, spec or config error (including "no case selected").
pub const USAGE: u8 = 2;
/// Target unreachable or harness fault.
pub const HARNESS: u8 = 3;

/// An error that is the user's to fix (a flag, a file, a config): exit [`USAGE`], not
/// [`HARNESS`]. Carried inside `anyhow::Error` and found with `downcast_ref`.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// The exit code for an error that ended a command: [`USAGE`] for a [`Usage`] error anywhere in
/// its chain, else [`HARNESS`].
pub fn of_error(e: &anyhow::Error) -> u8 {
    if e.chain().any(|c| c.downcast_ref::<Usage>().is_some()) {
        USAGE
    } else {
        HARNESS
    }
}
