//! The percent-escapes inside log values (LOG-FORMAT): [`escape`] gives the exact text of a value,
//! [`unescape`] and [`unescape_bytes`] read it back.

/// LOG-FORMAT: whether a byte must be percent-encoded in a value: bytes 0–32 and 127–255, and
/// `<>"#%{}|\^~[]'` and the backtick.
pub(super) fn needs_escape(b: u8) -> bool {
    ESCAPED[usize::from(b)]
}

/// [`needs_escape`] as a table: it runs for every byte of every field of every line a server
/// writes.
static ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b <= b' ' as usize || b >= 0x7f;
        b += 1;
    }
    let specials = b"<>\"#%{}|\\^~[]'`";
    let mut i = 0;
    while i < specials.len() {
        table[specials[i] as usize] = true;
        i += 1;
    }
    table
};

/// LOG-FORMAT: the exact text a value takes in a log field. Bytes 0–32 and 127–255 and the
/// characters `<>"#%{}|\^~[]'` and backtick become `%XX` (upper-case hex; a non-ASCII character's
/// UTF-8 bytes one by one); the empty value is `-`, and a value that is literally `-` becomes `%2D`
/// so the two stay apart. The result is never empty and has no tab, space or line break.
pub fn escape(value: &str) -> String {
    let mut out = Vec::with_capacity(value.len().max(3));
    escape_into(&mut out, value);
    // Never empty: the escaped text is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// [`escape`] appended to `out`. What it appends is ASCII: plain runs are (every other byte is
/// escaped), and so is each `%XX`.
pub fn escape_into(out: &mut Vec<u8>, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = value.as_bytes();
    // Most values need no escape: a look-up a byte without a branch, then one copy.
    if bytes.len() > 1 && !bytes.iter().fold(false, |any, &b| any | needs_escape(b)) {
        out.extend_from_slice(bytes);
        return;
    }
    match bytes {
        b"" => out.push(b'-'),
        b"-" => out.extend_from_slice(b"%2D"),
        bytes => {
            let mut plain = 0;
            while plain < bytes.len() {
                let i = plain + plain_run(&bytes[plain..]);
                out.extend_from_slice(&bytes[plain..i]);
                let Some(&b) = bytes.get(i) else { break };
                out.push(b'%');
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
                plain = i + 1;
            }
        }
    }
}

/// How many bytes at the start of `bytes` need no escape: eight table lookups at a time with
/// one branch, then byte by byte (every byte of every field of every line goes through here).
fn plain_run(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut n = 0;
    for c in &mut chunks {
        let any = c.iter().fold(false, |any, &b| any | needs_escape(b));
        if any {
            break;
        }
        n += 8;
    }
    n + bytes[n..]
        .iter()
        .position(|&b| needs_escape(b))
        .unwrap_or(bytes.len() - n)
}

/// What is wrong with the text of a field, found by [`unescape`] or [`unescape_bytes`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscapeError {
    #[error("the field is empty; expected `-` for an empty value (LOG-FORMAT)")]
    Empty,
    /// A `%` not followed by two hex digits; `offset` counts characters from the field's start.
    #[error("`{}` is not a percent-escape; expected `%` and two hex digits (`%25` for a literal `%`)", show(.found))]
    BadEscape { offset: usize, found: String },
    /// A character the log must percent-encode appears as is.
    #[error("{} is not percent-encoded; expected `{}` (LOG-FORMAT)", describe_char(*.found), escape(&.found.to_string()))]
    NotEncoded { offset: usize, found: char },
    /// The escapes are well formed but the bytes they give are not UTF-8.
    #[error("the escapes decode to bytes that are not UTF-8; expected percent-encoded UTF-8 text")]
    NotUtf8,
}

impl EscapeError {
    /// Where the problem starts, in characters from the start of the field.
    pub fn offset(&self) -> Option<usize> {
        match self {
            EscapeError::BadEscape { offset, .. } | EscapeError::NotEncoded { offset, .. } => {
                Some(*offset)
            }
            EscapeError::Empty | EscapeError::NotUtf8 => None,
        }
    }
}

/// The inverse of [`escape`] down to bytes: `-` is the empty value, `%XX` (either hex case) is the
/// byte XX. Rejects an empty field, a malformed `%`, and any character that LOG-FORMAT says must be
/// escaped but is not.
pub fn unescape_bytes(field: &str) -> Result<Vec<u8>, EscapeError> {
    match field {
        "" => return Err(EscapeError::Empty),
        "-" => return Ok(Vec::new()),
        _ => {}
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let (mut i, mut offset) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).and_then(|&h| char::from(h).to_digit(16));
            let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
                let found = field[i..].chars().take(3).collect();
                return Err(EscapeError::BadEscape { offset, found });
            };
            // Both digits are below 16, so the byte fits.
            out.push((hi * 16 + lo) as u8);
            i += 3;
            offset += 3;
        } else if needs_escape(b) {
            let found = field[i..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            return Err(EscapeError::NotEncoded { offset, found });
        } else {
            out.push(b);
            i += 1;
            offset += 1;
        }
    }
    Ok(out)
}

/// The inverse of [`escape`]: `unescape(&escape(v)) == Ok(v)` for every `v`. Errors as
/// [`unescape_bytes`], plus [`EscapeError::NotUtf8`] when the bytes are not UTF-8.
pub fn unescape(field: &str) -> Result<String, EscapeError> {
    String::from_utf8(unescape_bytes(field)?).map_err(|_| EscapeError::NotUtf8)
}

/// A value quoted in a message: at most 40 characters, control characters spelled out.
pub(super) fn show(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 40 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}` (U+{:04X})", u32::from(c))
    }
}
