//! `distribution_yaml`: arbitrary bytes as a distribution file. `Distribution::from_yaml` must
//! return a distribution that holds the model's invariants (default behavior last, legal method
//! sets, origin indexes in range, the behavior quota kept) or problems that each point inside the
//! input, and never panic.
#![no_main]

use edgeconform_core::decide::decide;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::{Method, Request, Scheme};
use edgeconform_fuzz::assert_positions_inside;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Distribution::from_yaml(&text) {
        Ok(d) => {
            let (default, rest) = d
                .behaviors
                .split_last()
                .expect("a distribution has its default behavior");
            assert!(
                default.is_default && rest.iter().all(|b| !b.is_default),
                "{d:?}"
            );
            assert!(rest.len() <= d.limits.max_behaviors, "{d:?}");
            assert!(!d.origins.is_empty(), "{d:?}");
            for b in &d.behaviors {
                assert!(b.origin < d.origins.len(), "{d:?}");
                assert!(
                    b.allowed_methods.is_legal_allowed() && b.cached_methods.is_legal_cached(),
                    "{d:?}"
                );
                assert!(b.cached_methods.is_subset_of(b.allowed_methods), "{d:?}");
            }
            for scheme in Scheme::ALL {
                let _ = decide(
                    &d,
                    &Request::new(Method::Get, scheme, &d.domain.clone(), "/a/b?c"),
                );
            }
        }
        Err(problems) => {
            assert!(!problems.0.is_empty(), "an error without a problem");
            assert_positions_inside(&text, &problems);
        }
    }
});
