//! `location`: a valid distribution and a request whose `Host` and request-target are arbitrary
//! bytes (or a routed name with bytes appended). Any `Location` the model builds must be
//! `https://` + the viewer's host without its port + the raw request-target, carry no CR, LF or
//! other control byte, and name only a host the distribution routes (LOC-SCHEME, LOC-HOST,
//! LOC-TARGET, LOC-SAFE; `edgeconform_core::fuzzgen::check_location`).
//!
//! A crash input becomes a scenario with `edgeconform promote ARTIFACT --target location`.
#![no_main]

use edgeconform_core::decide::decide;
use edgeconform_core::fuzzgen::{check_location, decode_location};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((dist, req)) = decode_location(data) else {
        return;
    };
    let d = decide(&dist, &req);
    let findings = check_location(&dist, &req, &d);
    if !findings.is_empty() {
        let list: Vec<String> = findings.iter().map(|f| format!("  {f}")).collect();
        panic!(
            "the redirect breaks {} rule(s):\n{}\nHost: {:?}\ntarget: {:?}\ndecision: {d:?}",
            findings.len(),
            list.join("\n"),
            req.host,
            req.target
        );
    }
});
