//! `normalize`: RFC 3986 path normalisation (PAT-NORMALIZE) on arbitrary bytes is idempotent,
//! never grows its input, and turns a path starting with `/` into one that starts with `/` and
//! has no `.` or `..` segment, so it can never climb above the root. The borrowing shortcut
//! `normalized` gives the same bytes.
#![no_main]

use edgeconform_core::normalize::{normalize_path, normalized};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let once = normalize_path(data);
    assert_eq!(
        *normalized(data),
        *once,
        "the shortcut differs on {:?}",
        String::from_utf8_lossy(data)
    );
    assert_eq!(
        normalize_path(&once),
        once,
        "not idempotent on {:?}",
        String::from_utf8_lossy(data)
    );
    assert!(
        once.len() <= data.len(),
        "{:?} grew",
        String::from_utf8_lossy(data)
    );
    if data.starts_with(b"/") {
        let shown = String::from_utf8_lossy(&once);
        assert!(once.starts_with(b"/"), "{shown:?} lost its leading `/`");
        assert!(
            !once
                .split(|&b| b == b'/')
                .any(|seg| seg == b"." || seg == b".."),
            "{shown:?} keeps a dot segment"
        );
    }
});
