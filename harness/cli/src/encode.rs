//! Base64 (RFC 4648 §4, and §5's URL-safe alphabet) and PEM (RFC 7468): the binary's one encoder
//! of each, for the certificates handed to third-party recipes and the edge's request ids.

/// RFC 4648 §4.
pub const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// RFC 4648 §5 (`-` and `_` for `+` and `/`).
pub const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `data` in base64 with `alphabet`, padded with `=`. Whole groups are written with fixed
/// stores: the edge makes a request id with it for every answer.
pub fn base64(data: &[u8], alphabet: &[u8; 64]) -> String {
    let sextet = |n: u32, shift: u32| alphabet[(n >> shift & 63) as usize];
    let mut out = Vec::with_capacity(data.len().div_ceil(3) * 4);
    let mut groups = data.chunks_exact(3);
    for g in &mut groups {
        let n = u32::from(g[0]) << 16 | u32::from(g[1]) << 8 | u32::from(g[2]);
        out.extend_from_slice(&[sextet(n, 18), sextet(n, 12), sextet(n, 6), sextet(n, 0)]);
    }
    match *groups.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend_from_slice(&[sextet(n, 18), sextet(n, 12), b'=', b'=']);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend_from_slice(&[sextet(n, 18), sextet(n, 12), sextet(n, 6), b'=']);
        }
        _ => {}
    }
    // Both alphabets are ASCII.
    String::from_utf8(out).unwrap_or_default()
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
