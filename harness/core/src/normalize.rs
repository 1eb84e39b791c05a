//! RFC 3986 path normalisation used for behavior matching only (PAT-NORMALIZE): percent-decoding of
//! unreserved characters and dot-segment removal. The origin always gets the raw path.
//!
//! What is done, in order, on raw bytes (invalid UTF-8 is fine):
//!
//! 1. every valid escape `%XY` whose byte is unreserved (`A-Z a-z 0-9 - . _ ~`) is decoded
//!    (RFC 3986 §6.2.2.2); every other valid escape gets uppercase hex digits (§6.2.2.1); a `%` not
//!    followed by two hex digits is left as it is;
//! 2. dot segments are removed (§5.2.4), so `/a/%2E%2E/b` becomes `/b`.
//!
//! What is not done, because RFC 3986 does not call for it and CloudFront's exact behaviour is open
//! (OQ-6 in the notes): `//` is kept, `%2F` stays encoded (it is reserved), case is kept.
//!
//! ```
//! use edgeconform_core::normalize::normalize_path;
//! assert_eq!(normalize_path(b"/a/./b/%2e%2E/%7euser/%2f"), b"/a/~user/%2F");
//! ```

use std::borrow::Cow;

/// PAT-NORMALIZE: the path is normalised (percent-decoding of unreserved characters, dot-segment
/// removal per RFC 3986) for matching only; the raw path is what the origin receives.
///
/// Normalises a raw request path (no query) for matching. Never panics; the result is a fixed point
/// (`normalize_path(&normalize_path(x)) == normalize_path(x)`), and for a path starting with `/` it
/// starts with `/` and has no `.` or `..` segment, so it can never climb above the root.
pub fn normalize_path(raw: &[u8]) -> Vec<u8> {
    remove_dot_segments(&normalize_escapes(raw))
}

/// [`normalize_path`], borrowing `raw` when it is certainly normal already: no `%` (nothing to
/// decode or uppercase) and no segment starting with `.` (so no dot segment to remove), which is
/// most request paths. A path with dot segments and no `%` skips the first step, which would
/// copy it unchanged; anything else goes through [`normalize_path`].
pub fn normalized(raw: &[u8]) -> Cow<'_, [u8]> {
    if surely_normal(raw) {
        Cow::Borrowed(raw)
    } else if !raw.contains(&b'%') {
        Cow::Owned(remove_dot_segments(raw))
    } else {
        Cow::Owned(normalize_path(raw))
    }
}

/// No `%` and no `.` at the start of a segment. Without an escape the first step changes nothing,
/// and without a dot segment every step of the second is rule E, which copies. Written without an
/// early exit so that it compiles to a few wide comparisons.
fn surely_normal(raw: &[u8]) -> bool {
    let Some(&first) = raw.first() else {
        return true;
    };
    let mut suspect = first == b'%' || first == b'.';
    for (&a, &b) in raw.iter().zip(&raw[1..]) {
        suspect |= (b == b'%') | ((a == b'/') & (b == b'.'));
    }
    !suspect
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// RFC 3986 §2.3 unreserved characters.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 §6.2.2.1 and §6.2.2.2: decode escapes of unreserved bytes, uppercase the others.
fn normalize_escapes(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let escape = match (b, raw.get(i + 1), raw.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex_value(h).zip(hex_value(l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        let Some(decoded) = escape else {
            // Not an escape, or a malformed one (`%`, `%4`, `%zz`): kept byte for byte.
            out.push(b);
            i += 1;
            continue;
        };
        if is_unreserved(decoded) && !completes_stray_escape(&out, decoded) {
            out.push(decoded);
        } else {
            out.extend_from_slice(&[
                b'%',
                raw[i + 1].to_ascii_uppercase(),
                raw[i + 2].to_ascii_uppercase(),
            ]);
        }
        i += 3;
    }
    out
}

/// Whether appending `decoded` to `out` could turn a stray `%` already in `out` into a valid escape
/// on a second pass (`%%34%31` would become `%41`, then `A`). Such an escape is kept encoded instead,
/// which is what makes normalisation idempotent. A `%` near the end of `out` is always a stray one:
/// an escape kept encoded ends in two hex digits, never in `%` or `%X`.
fn completes_stray_escape(out: &[u8], decoded: u8) -> bool {
    if hex_value(decoded).is_none() {
        return false;
    }
    match out {
        [.., b'%'] => true,
        [.., b'%', x] => hex_value(*x).is_some(),
        _ => false,
    }
}

/// RFC 3986 §5.2.4 remove_dot_segments, on bytes. Each rule below is the RFC's letter; the input
/// buffer is a cursor into `path`, and "replace the prefix `/./` with `/`" is done by skipping the
/// bytes before that `/`.
fn remove_dot_segments(path: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(path.len());
    let mut input = path;
    // Removes the last segment of `out` and the `/` before it (rule C).
    fn pop_segment(out: &mut Vec<u8>) {
        let keep = out.iter().rposition(|&b| b == b'/').unwrap_or(0);
        out.truncate(keep);
    }
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix(b"../") {
            input = rest; // A
        } else if let Some(rest) = input.strip_prefix(b"./") {
            input = rest; // A
        } else if input.starts_with(b"/./") {
            input = &input[2..]; // B
        } else if input == b"/." {
            input = b"/"; // B
        } else if input.starts_with(b"/../") {
            input = &input[3..]; // C
            pop_segment(&mut out);
        } else if input == b"/.." {
            input = b"/"; // C
            pop_segment(&mut out);
        } else if input == b"." || input == b".." {
            input = b""; // D
        } else {
            // E: move the first segment, with its leading `/` if any, to the output.
            let from = usize::from(input.starts_with(b"/"));
            let end = input[from..]
                .iter()
                .position(|&b| b == b'/')
                .map_or(input.len(), |p| p + from);
            out.extend_from_slice(&input[..end]);
            input = &input[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(s: &str) -> String {
        String::from_utf8(normalize_path(s.as_bytes())).expect("ASCII in, ASCII out")
    }

    fn check(cases: &[(&str, &str)]) {
        for &(raw, expected) in cases {
            assert_eq!(norm(raw), expected, "normalize_path({raw:?})");
            assert_eq!(&*normalized(raw.as_bytes()), expected.as_bytes(), "{raw:?}");
            assert_eq!(norm(expected), expected, "not idempotent on {expected:?}");
        }
    }

    /// PAT-NORMALIZE, decoding: unreserved escapes are decoded, any case of hex digits.
    #[test]
    fn decodes_unreserved() {
        check(&[
            ("/%41%62%7E%7e%2D%2E%5F%30", "/Ab~~-._0"),
            ("/%69mages/a.jpg", "/images/a.jpg"),
            ("/caf%C3%A9", "/caf%C3%A9"), // non-ASCII stays encoded
        ]);
    }

    /// PAT-NORMALIZE, decoding: other escapes keep their byte and get uppercase hex (§6.2.2.1).
    #[test]
    fn uppercases_reserved_escapes() {
        check(&[
            ("/a%2fb", "/a%2Fb"), // `%2F` is reserved: never decoded, so never a segment break
            ("/a%2Fb", "/a%2Fb"),
            ("/%3f%23%25%20%c3%a9", "/%3F%23%25%20%C3%A9"),
            ("/%2541", "/%2541"), // `%25` is `%`: kept, so `41` is not decoded later
        ]);
    }

    /// PAT-NORMALIZE, decoding: a malformed `%` is left as it is.
    #[test]
    fn keeps_malformed_escapes() {
        check(&[
            ("/%", "/%"),
            ("/%4", "/%4"),
            ("/%zz/%4g/%%", "/%zz/%4g/%%"),
            ("/100%", "/100%"),
            // A stray `%` followed by escapes of hex digits: decoding `%34` would create `%41`,
            // which the next pass would decode, so it stays encoded; `%31` is safe to decode.
            ("/%%34%31", "/%%341"),
            ("/%4%31", "/%4%31"),
            ("/%%7E", "/%~"), // `~` is not a hex digit: no escape can form, so it is decoded
        ]);
    }

    /// PAT-NORMALIZE, dot segments: RFC 3986 §5.2.4 (examples from §5.2.4 and §5.4.2).
    #[test]
    fn removes_dot_segments() {
        check(&[
            ("/a/b/c/./../../g", "/a/g"),
            ("mid/content=5/../6", "mid/6"),
            ("/a/./b/../c", "/a/c"),
            ("/../a", "/a"),
            ("/../../../a", "/a"),
            ("/a/..", "/"),
            ("/a/.", "/a/"),
            ("/.", "/"),
            ("/..", "/"),
            ("/./", "/"),
            ("/a/b/..", "/a/"),
            ("/..a/.b/a../b.", "/..a/.b/a../b."), // dots inside a segment are not dot segments
            ("/...", "/..."),
            ("", ""),
            (".", ""),
            ("..", ""),
            ("../a", "a"),
        ]);
    }

    /// PAT-NORMALIZE: decoding happens first, so encoded dots are dot segments too.
    #[test]
    fn encoded_dot_segments() {
        check(&[
            ("/a/%2E%2E/b", "/b"),
            ("/a/%2e%2e/b", "/b"),
            ("/a/.%2E/b", "/b"),
            ("/a/%2E/b", "/a/b"),
            ("/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd"),
            ("/a/%2E%2E%2Fb", "/a/..%2Fb"), // `%2F` is not a `/`: `..%2Fb` is one ordinary segment
        ]);
    }

    /// PAT-NORMALIZE: no `//` collapsing and no case folding.
    #[test]
    fn keeps_what_rfc3986_keeps() {
        check(&[
            ("//a//b", "//a//b"),
            ("/A/B.JPG", "/A/B.JPG"),
            ("/a//../b", "/a/b"), // `..` removes the empty segment between the two slashes
            ("/a/b?c", "/a/b?c"), // a `?` here is just a byte (the caller strips the query)
        ]);
    }

    /// PAT-NORMALIZE: arbitrary bytes, invalid UTF-8 included, pass through untouched when not `%`.
    #[test]
    fn arbitrary_bytes() {
        assert_eq!(normalize_path(b"/\xff\xfe/%ff/\x00"), b"/\xff\xfe/%FF/\x00");
        assert_eq!(normalize_path(b"/\xc3\xa9/./x"), b"/\xc3\xa9/x");
    }

    fn has_dot_segment(path: &[u8]) -> bool {
        path.split(|&b| b == b'/')
            .any(|seg| seg == b"." || seg == b"..")
    }

    /// Paths built from pieces that exercise the interesting cases far more often than uniform bytes
    /// would: dots and slashes, stray `%`, escapes of hex digits, of dots and of reserved bytes.
    fn tricky_bytes() -> impl Strategy<Value = Vec<u8>> {
        fn pieces(list: &[&'static str]) -> impl Strategy<Value = Vec<u8>> {
            prop::sample::select(list.to_vec()).prop_map(|p| p.as_bytes().to_vec())
        }
        let piece = prop_oneof![
            4 => pieces(&["/", ".", "..", "%"]),
            3 => pieces(&["%2e", "%2E", "%34", "%41", "%61", "%7e", "%2F", "%25"]),
            2 => pieces(&["4", "1", "a", "F", "~", "?", "#"]),
            1 => any::<u8>().prop_map(|b| vec![b]),
        ];
        prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    fn any_path() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![tricky_bytes(), prop::collection::vec(any::<u8>(), 0..64)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// The borrowing shortcut gives what the full normalisation gives.
        #[test]
        fn shortcut_agrees(raw in any_path()) {
            let full = normalize_path(&raw);
            prop_assert_eq!(&*normalized(&raw), full.as_slice());
        }

        /// PAT-NORMALIZE: normalising twice is normalising once.
        #[test]
        fn idempotent(raw in any_path()) {
            let once = normalize_path(&raw);
            prop_assert_eq!(normalize_path(&once), once);
        }

        /// PAT-NORMALIZE: an absolute path stays absolute and never keeps a `.` or `..` segment.
        #[test]
        fn never_escapes_root(tail in any_path()) {
            let mut raw = vec![b'/'];
            raw.extend_from_slice(&tail);
            let out = normalize_path(&raw);
            prop_assert!(out.starts_with(b"/"), "{:?}", String::from_utf8_lossy(&out));
            prop_assert!(!has_dot_segment(&out), "{:?}", String::from_utf8_lossy(&out));
        }

        /// No dot segment survives even in a relative path, and nothing grows.
        #[test]
        fn no_dot_segments_at_all(raw in any_path()) {
            let out = normalize_path(&raw);
            prop_assert!(!has_dot_segment(&out), "{:?}", String::from_utf8_lossy(&out));
            prop_assert!(out.len() <= raw.len());
        }
    }
}
