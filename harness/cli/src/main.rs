//! The `edgeconform` binary: one subcommand per job. Exit codes (DESIGN.md): 0 every `must` passed,
//! 1 conformance failure, 2 usage, spec or config error, 3 target unreachable or harness fault.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "edgeconform",
    version,
    about = "Conformance harness and fuzzer for CDN viewer-protocol-policy behaviour as Amazon CloudFront defines it",
    long_about = "Conformance harness and fuzzer for CDN viewer-protocol-policy behaviour as Amazon CloudFront \
defines it.\n\nRules are named by their stable IDs from RULES.md (VPP-REDIRECT-SAFE, LOC-TARGET, ...).\n\n\
Exit codes: 0 every `must` passed; 1 a conformance failure; 2 usage, spec or config error; \
3 target unreachable or harness fault."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print what CloudFront does with one request (the model's decision) as JSON.
    Decide(edgeconform::decide_cmd::DecideArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Decide(args) => edgeconform::decide_cmd::run(&args),
    };
    ExitCode::from(code)
}
