//! `spec_yaml`: arbitrary bytes as a suite file. `load_suite` must return a suite or problems
//! that each point inside the input (line and column), and never panic; a suite that loads is
//! expanded and checked against the model (which must not panic either).
#![no_main]

use edgeconform_core::spec::{load_suite, model_agreement};
use edgeconform_fuzz::{assert_positions_inside, read_distribution};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match load_suite(&text, "fuzz.yaml", &read_distribution) {
        Ok(suite) => {
            let _ = model_agreement(&suite);
        }
        Err(problems) => {
            assert!(!problems.0.is_empty(), "an error without a problem");
            assert_positions_inside(&text, &problems);
        }
    }
});
