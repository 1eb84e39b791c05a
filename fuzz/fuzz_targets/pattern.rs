//! `pattern`: a pattern and a path, split at the first `\n` (the path is any bytes). The core's
//! matcher must agree with a deliberately simple dynamic-programming reference written from
//! PAT-WILDCARD, PAT-ANCHORED, PAT-CASE and PAT-SLASH alone
//! (`edgeconform_core::fuzzgen::reference_match`), `parse` must accept exactly PAT-SYNTAX, and
//! matching must stay within (n+1)·(m+1) steps (PAT-LINEAR).
//!
//! A crash input becomes a scenario with `edgeconform promote ARTIFACT --target pattern`.
#![no_main]

use edgeconform_core::fuzzgen::{check_pattern, decode_pattern};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(case) = decode_pattern(data) else {
        return;
    };
    let findings = check_pattern(&case);
    if !findings.is_empty() {
        let list: Vec<String> = findings.iter().map(|f| format!("  {f}")).collect();
        panic!("{}", list.join("\n"));
    }
});
