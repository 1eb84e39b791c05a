//! Base64 (RFC 4648 §4, and §5's URL-safe alphabet) and PEM (RFC 7468): the binary's one encoder
//! of each, for the certificates handed to third-party recipes and the edge's request ids.

/// RFC 4648 §4.
pub const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// RFC 4648 §5 (`-` and `_` for `+` and `/`).
pub const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `data` in base64 with `alphabet`, padded with `=`.
pub fn base64(data: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    base64_into(data, alphabet, &mut out);
    out
}

/// [`base64`] appended to `out`. Up to 48 bytes at a time are encoded in a buffer on the
/// stack, whole groups with fixed stores, and pushed at once: the edge makes a request id with
/// it for every answer.
pub fn base64_into(data: &[u8], alphabet: &[u8; 64], out: &mut String) {
    let sextet = |n: u32, shift: u32| alphabet[(n >> shift & 63) as usize];
    out.reserve(data.len().div_ceil(3) * 4);
    // 48 is a multiple of 3: only the last chunk can end in a partial group.
    for chunk in data.chunks(48) {
        let mut text = [0u8; 64];
        let mut len = 0;
        let mut groups = chunk.chunks_exact(3);
        for g in &mut groups {
            let n = u32::from(g[0]) << 16 | u32::from(g[1]) << 8 | u32::from(g[2]);
            text[len..len + 4].copy_from_slice(&[
                sextet(n, 18),
                sextet(n, 12),
                sextet(n, 6),
                sextet(n, 0),
            ]);
            len += 4;
        }
        let last = match *groups.remainder() {
            [a] => {
                let n = u32::from(a) << 16;
                Some([sextet(n, 18), sextet(n, 12), b'=', b'='])
            }
            [a, b] => {
                let n = u32::from(a) << 16 | u32::from(b) << 8;
                Some([sextet(n, 18), sextet(n, 12), sextet(n, 6), b'='])
            }
            _ => None,
        };
        if let Some(last) = last {
            text[len..len + 4].copy_from_slice(&last);
            len += 4;
        }
        // Both alphabets are ASCII.
        out.push_str(std::str::from_utf8(&text[..len]).unwrap_or_default());
    }
}

/// A PEM block: `label`, then `der` in base64 at 64 characters a line.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b = base64(der, STANDARD);
    let mut s = format!("-----BEGIN {label}-----\n");
    for line in b.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(line).unwrap_or_default());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Base64 bit by bit, as RFC 4648 §4 defines it.
    fn reference(data: &[u8], alphabet: &[u8; 64]) -> String {
        let bits: Vec<u8> = data
            .iter()
            .flat_map(|b| (0..8).rev().map(move |i| b >> i & 1))
            .collect();
        let mut out: String = bits
            .chunks(6)
            .map(|c| {
                let v = (0..6).fold(0, |v, i| v << 1 | c.get(i).copied().unwrap_or(0));
                char::from(alphabet[usize::from(v)])
            })
            .collect();
        while !out.len().is_multiple_of(4) {
            out.push('=');
        }
        out
    }

    #[test]
    fn base64_of_every_length_is_the_bitwise_definition() {
        let data: Vec<u8> = (0..=200u8).map(|i| i.wrapping_mul(97)).collect();
        for n in 0..data.len() {
            for alphabet in [STANDARD, URL_SAFE] {
                let mut appended = String::from("x");
                base64_into(&data[..n], alphabet, &mut appended);
                assert_eq!(appended[1..], reference(&data[..n], alphabet), "{n} bytes");
            }
        }
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes(), STANDARD), o);
        }
        assert_eq!(base64(&[0xfb, 0xff], URL_SAFE), "-_8=");
        assert_eq!(base64(&[0xfb, 0xff], STANDARD), "+/8=");
    }

    #[test]
    fn pem_lines_are_64_characters() {
        let p = pem("CERTIFICATE", &[7; 100]);
        let lines: Vec<&str> = p.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        // 100 bytes are 136 characters: 64 + 64 + 8.
        let lens: Vec<usize> = lines[1..4].iter().map(|l| l.len()).collect();
        assert_eq!(lens, [64, 64, 8]);
        assert_eq!(lines[4], "-----END CERTIFICATE-----");
    }
}
