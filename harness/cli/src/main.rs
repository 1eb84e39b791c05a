//! The `edgeconform` binary: one subcommand per job. Exit codes (DESIGN.md): 0 every `must` passed,
//! 1 conformance failure, 2 usage, spec or config error, 3 target unreachable or harness fault.

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// Every request the runner sends and the edge serves allocates a few dozen small blocks; mimalloc
/// serves them in a fraction of glibc malloc's instructions (see `make bench`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Decide(edgeconform::cmd::decide::DecideArgs),
    /// Derive the full conformance suite for a distribution (every rule it lets a request reach,
    /// expectations from the model) and print it, or write it with -o.
    Derive(edgeconform::cmd::derive::DeriveArgs),
    /// Run the suites against the embedded reference edge, or --target/--target-https; write reports.
    // Boxed: its many options would make every other variant as large.
    Run(Box<edgeconform::cmd::run::RunArgs>),
    /// Load and validate suites, and check every stated expectation against the model (exit 2 on a
    /// spec problem, 1 when a spec and the model disagree).
    Check(edgeconform::cmd::spec::CheckArgs),
    /// List the cases of the suites, selected by tag or id (selecting nothing is an error, exit 2).
    List(edgeconform::cmd::spec::ListArgs),
    /// Print, per rule ID, the scenarios that check it (exit 1 if a request-checkable rule has none).
    Coverage(edgeconform::cmd::spec::CoverageArgs),
    /// Start the reference edge: answer as CloudFront would for a distribution, print its
    /// listeners as JSON lines, forward to the instrumented origin, write an access log.
    Edge(edgeconform::cmd::edge::EdgeArgs),
    /// Start the instrumented origin: print its listeners as JSON lines, record every request.
    Origin(edgeconform::cmd::origin::OriginArgs),
    /// List the mutants of the reference edge (deliberate bugs) with the rules each breaks.
    Mutants(edgeconform::cmd::mutants::MutantsArgs),
    /// Run the suite against the reference edge and every mutant of it: each mutant must fail
    /// for exactly the rules it breaks (exit 1 otherwise).
    Selftest(edgeconform::cmd::selftest::SelftestArgs),
    /// Render several report.json files as a rules × targets matrix (HTML, optionally Markdown),
    /// or with --merge put the shards of one run (report.json) or one fuzz (fuzz.json) together.
    Report(edgeconform::cmd::report::ReportArgs),
    /// Turn a crash input of the decide, location or pattern fuzz target into a ready-to-review
    /// scenario suite under specs/found/ (distribution, request, expectation, broken rules).
    Promote(edgeconform::cmd::promote::PromoteArgs),
    /// Fuzz a live edge: generated requests judged by the model, failures grouped by rule,
    /// shrunk, and written as scenarios under specs/found/ (exit 1 when something was found).
    Fuzz(Box<edgeconform::cmd::fuzz::FuzzArgs>),
    /// Import a real CloudFront configuration (AWS CLI JSON, CloudFormation, Terraform HCL or
    /// `terraform show -json`) as distribution YAML, with positioned warnings and scanner findings.
    Import(edgeconform::cmd::import::ImportArgs),
}

fn main() -> ExitCode {
    // Errors are reported on one line and never with a backtrace, yet with RUST_BACKTRACE set
    // (common in CI) every `anyhow` error captured one: ~60,000 instructions for each case a
    // failing target fails. Library backtraces are turned off unless asked for by name; panics
    // still print theirs (they follow RUST_BACKTRACE only). Set before any thread starts.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Command::Run(args) = &mut cli.command {
        // `run --distribution FILE` without suite paths runs the derived suite; the flag's
        // default never does.
        args.distribution_given = matches
            .subcommand_matches("run")
            .and_then(|m| m.value_source("distribution"))
            == Some(ValueSource::CommandLine);
    }
    let code = match cli.command {
        Command::Derive(args) => edgeconform::cmd::derive::run(&args),
        Command::Decide(args) => edgeconform::cmd::decide::run(&args),
        Command::Run(args) => edgeconform::cmd::run::run(*args),
        Command::Check(args) => edgeconform::cmd::spec::check(&args),
        Command::List(args) => edgeconform::cmd::spec::list(&args),
        Command::Coverage(args) => edgeconform::cmd::spec::coverage(&args),
        Command::Edge(args) => edgeconform::cmd::edge::run_blocking(args),
        Command::Origin(args) => edgeconform::cmd::origin::run_blocking(args),
        Command::Mutants(args) => edgeconform::cmd::mutants::run(&args),
        Command::Selftest(args) => edgeconform::cmd::selftest::run(&args),
        Command::Report(args) => edgeconform::cmd::report::run(&args),
        Command::Promote(args) => edgeconform::cmd::promote::run(&args),
        Command::Import(args) => edgeconform::cmd::import::run(&args),
        Command::Fuzz(args) => edgeconform::cmd::fuzz::run(*args),
    };
    ExitCode::from(code)
}
