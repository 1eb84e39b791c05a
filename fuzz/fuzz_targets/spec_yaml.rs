//! `spec_yaml`: arbitrary bytes as a suite file. `load_suite` must return a suite or problems
//! that each point inside the input (line and column), and never panic; a suite that loads is
//! checked against the model, and its matrix cells are built (neither may panic); a cell built
//! on demand must carry the id the suite lists for it.
#![no_main]

use edgeconform_core::spec::{load_suite, model_agreement};
use edgeconform_fuzz::{assert_positions_inside, read_distribution};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match load_suite(&text, "fuzz.yaml", &read_distribution) {
        Ok(suite) => {
            let _ = model_agreement(&suite);
            // Cells are built lazily; a big fuzzed matrix is sampled (first 64 and the last).
            let n = suite.len();
            for i in (0..n.min(64)).chain(n.checked_sub(1)) {
                assert_eq!(suite.case(i).id, suite.id(i), "case {i} of {n}");
            }
        }
        Err(problems) => {
            assert!(!problems.0.is_empty(), "an error without a problem");
            assert_positions_inside(&text, &problems);
        }
    }
});
