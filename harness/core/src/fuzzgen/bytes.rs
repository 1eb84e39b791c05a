//! The primitives of the fuzz input format: single bytes, variable-length numbers and strings,
//! read from an [`Unstructured`] (which yields zeros once the input is used up, so decoding never
//! fails) and written back by [`Out`].

use arbitrary::Unstructured;

/// One byte; 0 once the input is used up.
pub(crate) fn byte(u: &mut Unstructured) -> u8 {
    u.bytes(1).map_or(0, |b| b[0])
}

/// A number: one byte below 255 is the number itself; 255 is followed by a little-endian `u16`.
pub(crate) fn varlen(u: &mut Unstructured) -> usize {
    match byte(u) {
        255 => usize::from(byte(u)) | usize::from(byte(u)) << 8,
        b => usize::from(b),
    }
}

/// A little-endian `u16`.
pub(crate) fn word(u: &mut Unstructured) -> u16 {
    u16::from(byte(u)) | u16::from(byte(u)) << 8
}

/// A [`varlen`] length, then that many bytes (fewer when the input ends first).
pub(crate) fn raw<'a>(u: &mut Unstructured<'a>) -> &'a [u8] {
    let n = varlen(u).min(u.len());
    u.bytes(n).unwrap_or(&[])
}

/// [`raw`] bytes as text; invalid UTF-8 becomes U+FFFD.
pub(crate) fn string(u: &mut Unstructured) -> String {
    String::from_utf8_lossy(raw(u)).into_owned()
}

/// Writes the format [`byte`], [`varlen`], [`word`] and [`raw`] read.
#[derive(Debug, Default)]
pub(crate) struct Out(pub Vec<u8>);

impl Out {
    pub fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    /// `None` when `n` does not fit a `u16`.
    pub fn varlen(&mut self, n: usize) -> Option<()> {
        if n < 255 {
            self.byte(n as u8);
        } else {
            let w = u16::try_from(n).ok()?;
            self.byte(255);
            self.word(w);
        }
        Some(())
    }

    pub fn word(&mut self, w: u16) {
        self.0.extend_from_slice(&w.to_le_bytes());
    }

    pub fn raw(&mut self, b: &[u8]) -> Option<()> {
        self.varlen(b.len())?;
        self.0.extend_from_slice(b);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_values_read_back() {
        let mut o = Out::default();
        o.byte(7);
        o.varlen(254).unwrap();
        o.varlen(255).unwrap();
        o.varlen(65535).unwrap();
        assert!(o.varlen(65536).is_none());
        o.word(8080);
        o.raw("héllo".as_bytes()).unwrap();
        let mut u = Unstructured::new(&o.0);
        assert_eq!(byte(&mut u), 7);
        assert_eq!(varlen(&mut u), 254);
        assert_eq!(varlen(&mut u), 255);
        assert_eq!(varlen(&mut u), 65535);
        assert_eq!(word(&mut u), 8080);
        assert_eq!(string(&mut u), "héllo");
        // Past the end: zeros and empty strings, never an error.
        assert_eq!(byte(&mut u), 0);
        assert_eq!(string(&mut u), "");
    }

    #[test]
    fn a_short_input_gives_what_is_left() {
        let mut u = Unstructured::new(&[5, b'a', b'b']);
        assert_eq!(raw(&mut u), b"ab");
    }
}
