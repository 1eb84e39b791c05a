//! The quick checks of a compiled pattern: conditions every matching path meets (its length, its
//! first and last literal bytes, compared eight at a time as words) and the pattern's shape, which
//! decides `*`, `lit`, `lit*` and `*lit` without the general matcher.

/// Necessary conditions for a match, and the pattern's shape (see the `pattern` module documentation).
/// `head`/`tail` hold up to eight bytes of the leading/trailing literal in the layout of
/// [`PreparedPath`]; the masks select those bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Filter {
    /// Non-`*` bytes of `prog`: the fewest bytes a matching path (without its leading `/`) has.
    min_len: usize,
    /// How many more it may have: 0 without a `*`, any number with one (`usize::MAX`).
    extra_len: usize,
    pub(super) head: u64,
    pub(super) head_mask: u64,
    tail: u64,
    tail_mask: u64,
    pub(super) shape: Shape,
}

/// Patterns whose answer follows from the filter's checks, and the rest.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Shape {
    /// `*`: every path.
    Any,
    /// Literal bytes only: the path is exactly `prog`.
    Literal,
    /// Literal bytes then one trailing `*`: the path starts with them.
    Prefix,
    /// One leading `*` then literal bytes: the path ends with them.
    Suffix,
    /// Anything else: the general matcher decides.
    General,
}

impl Filter {
    pub(super) fn new(prog: &[u8]) -> Filter {
        let is_wild = |b: &u8| matches!(b, b'*' | b'?');
        let lead = prog.iter().position(is_wild).unwrap_or(prog.len());
        let trail = prog.len() - prog.iter().rposition(is_wild).map_or(0, |i| i + 1);
        let (head, head_mask) = head_word(&prog[..lead.min(8)]);
        let (tail, tail_mask) = tail_word(&prog[prog.len() - trail.min(8)..]);
        let stars = prog.iter().filter(|&&b| b == b'*').count();
        let questions = prog.iter().filter(|&&b| b == b'?').count();
        let shape = match (stars, questions) {
            (0, 0) => Shape::Literal,
            (1, 0) if prog.len() == 1 => Shape::Any,
            (1, 0) if prog.last() == Some(&b'*') => Shape::Prefix,
            (1, 0) if prog.first() == Some(&b'*') => Shape::Suffix,
            _ => Shape::General,
        };
        Filter {
            min_len: prog.len() - stars,
            extra_len: if stars == 0 { 0 } else { usize::MAX },
            head,
            head_mask,
            tail,
            tail_mask,
            shape,
        }
    }

    /// Whether `path` meets every condition; `false` proves the pattern does not match it.
    #[inline(always)]
    pub(super) fn admits(&self, path: &PreparedPath) -> bool {
        // The first bytes first: they reject most paths. Each check holds on its own (a path
        // shorter than the literal has zero padding where the pattern has a byte, and pattern
        // bytes are never zero), so their order is free.
        path.head & self.head_mask == self.head
            && path.body.len().wrapping_sub(self.min_len) <= self.extra_len
            && path.tail & self.tail_mask == self.tail
    }
}

/// Up to eight bytes as a little-endian word (first byte lowest), zero-padded, and the mask of the
/// bytes present.
fn head_word(bytes: &[u8]) -> (u64, u64) {
    let mut word = [0u8; 8];
    let mut mask = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    mask[..bytes.len()].fill(0xff);
    (u64::from_le_bytes(word), u64::from_le_bytes(mask))
}

/// Up to eight bytes as a little-endian word aligned to its top (last byte highest), zero-padded
/// below, and the mask of the bytes present.
fn tail_word(bytes: &[u8]) -> (u64, u64) {
    let mut word = [0u8; 8];
    let mut mask = [0u8; 8];
    word[8 - bytes.len()..].copy_from_slice(bytes);
    mask[8 - bytes.len()..].fill(0xff);
    (u64::from_le_bytes(word), u64::from_le_bytes(mask))
}

/// A request path prepared once for matching against many patterns
/// ([`PathPattern::matches_prepared`](super::PathPattern::matches_prepared)): the leading `/` dropped (PAT-SLASH) and its first and last
/// eight bytes kept as words for the patterns' quick checks.
#[derive(Debug, Clone, Copy)]
pub struct PreparedPath<'a> {
    pub(super) body: &'a [u8],
    pub(super) head: u64,
    tail: u64,
}

impl<'a> PreparedPath<'a> {
    /// Prepares the normalised request path without query (any bytes).
    pub fn new(path: &'a [u8]) -> PreparedPath<'a> {
        let body = path.strip_prefix(b"/").unwrap_or(path);
        let k = body.len().min(8);
        PreparedPath {
            body,
            head: head_word(&body[..k]).0,
            tail: tail_word(&body[body.len() - k..]).0,
        }
    }
}
