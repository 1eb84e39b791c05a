//! `decide`: an arbitrary valid distribution (up to 75 behaviors, every origin kind, both
//! rulesets) and a request aimed at it. `decide()` must not panic, must be deterministic, and
//! neither `judge()` nor the never-do invariants of RULES.md may find anything wrong with the
//! outcome it predicts (`edgeconform_core::fuzzgen::check_decide`).
//!
//! A crash input becomes a scenario with `edgeconform promote ARTIFACT --target decide`.
#![no_main]

use edgeconform_core::fuzzgen::{check_decide, decode_case};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((dist, req)) = decode_case(data) else {
        return;
    };
    let findings = check_decide(&dist, &req);
    if !findings.is_empty() {
        let list: Vec<String> = findings.iter().map(|f| format!("  {f}")).collect();
        panic!(
            "the model breaks {} rule(s):\n{}\nrequest: {req:?}\ndistribution: {dist:?}",
            findings.len(),
            list.join("\n")
        );
    }
});
