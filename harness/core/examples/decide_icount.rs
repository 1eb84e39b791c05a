//! Runs `decide()` on the worst case (75 behaviors, fall-through to the default behavior, HTTP →
//! 301) N times inside `probe`, for `valgrind --tool=callgrind --toggle-collect=…probe`
//! (`scripts/callgrind-decide.sh`): the collected instruction count divided by N is the cost of
//! one decision, dropping it included. Instruction counts do not depend on the machine's load.
//!
//! `cargo run --release -p edgeconform-core --example decide_icount -- [N] [BEHAVIORS] [CASE]`,
//! CASE one of `http-301` (default), `https-forward`, `middle-normalised`.

#[path = "../benches/fixtures/mod.rs"]
mod fixtures;

use edgeconform_core::decide::decide;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::{Method, Request, Scheme};
use std::hint::black_box;

/// One decision, built and dropped.
#[inline(never)]
fn probe(d: &Distribution, r: &Request) -> Option<u16> {
    let decision = decide(black_box(d), black_box(r));
    black_box(&decision);
    decision.status()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .map_or(10_000, |a| a.parse().expect("N is a count"));
    let behaviors: usize = args
        .next()
        .map_or(75, |a| a.parse().expect("BEHAVIORS is a count"));
    let case = args.next().unwrap_or_else(|| "http-301".into());
    let d = fixtures::distribution(behaviors);
    let r = match case.as_str() {
        "http-301" => fixtures::worst_case(),
        "https-forward" => Request::new(
            Method::Get,
            Scheme::Https,
            "www.example.com",
            fixtures::FALLTHROUGH_TARGET,
        ),
        "middle-normalised" => Request::new(
            Method::Get,
            Scheme::Https,
            "x.media.example.com",
            &format!("/section{}/a/../b/img-01.jpg", behaviors / 2),
        ),
        other => panic!("unknown case {other:?}"),
    };
    let mut statuses = 0u64;
    for _ in 0..n {
        statuses += u64::from(probe(&d, &r).unwrap_or(0));
    }
    println!("{n} decisions, {behaviors} behaviors, case {case}: status sum {statuses}");
}
