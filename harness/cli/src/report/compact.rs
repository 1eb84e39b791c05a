//! Compact JSON, byte for byte what `serde_json::to_writer` writes, for the spool's one line per
//! case. serde_json escapes strings one byte at a time through a table; a case line is ~1 KiB of
//! which most is names, ids, URLs and keys that need no escape, and that loop was the largest
//! single cost of a spooled case. Here a string is checked eight bytes at a time and copied in one
//! piece when nothing in it needs escaping.
//!
//! Anything this writer does not handle the way serde_json does (floats, 128-bit integers,
//! `RawValue`, map keys that are not strings or integers, a value whose `Serialize` fails) makes [`to_vec`] write the
//! whole value again with serde_json, so the bytes are always serde_json's.

use edgeconform_core::accesslog::decimal;
use serde::ser::{self, Serialize};

/// Appends `value` as compact JSON to `out`, exactly as `serde_json::to_writer` would.
pub fn to_vec<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> serde_json::Result<()> {
    let start = out.len();
    match value.serialize(&mut Writer { out: &mut *out }) {
        Ok(()) => Ok(()),
        Err(Fallback) => {
            out.truncate(start);
            serde_json::to_writer(out, value)
        }
    }
}

/// The writer's only error: "let serde_json write this".
#[derive(Debug)]
pub struct Fallback;

impl std::fmt::Display for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("written by serde_json instead")
    }
}

impl std::error::Error for Fallback {}

impl ser::Error for Fallback {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Fallback
    }
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

/// The name serde_json gives the struct a `RawValue` serializes as.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `w` is a control byte, `"` or `\` (the bytes JSON escapes).
fn word_needs_escape(w: u64) -> bool {
    let control = w.wrapping_sub(LO * 0x20) & !w;
    let q = w ^ (LO * u64::from(b'"'));
    let quote = q.wrapping_sub(LO) & !q;
    let b = w ^ (LO * u64::from(b'\\'));
    let backslash = b.wrapping_sub(LO) & !b;
    (control | quote | backslash) & HI != 0
}

/// `s` as a JSON string, escaped as serde_json escapes: `\"`, `\\`, the short forms of
/// backspace, tab, line feed, form feed and carriage return, `\u00xx` (lower-case hex) for the
/// other control bytes; everything else (DEL and non-ASCII included) as it is.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if clean(bytes) {
        out.extend_from_slice(bytes);
    } else {
        push_escaped(out, bytes);
    }
    out.push(b'"');
}

/// Whether no byte of `bytes` needs an escape: eight bytes a test, the last eight overlapping
/// the block before them; a string under eight bytes one table look-up a byte.
fn clean(bytes: &[u8]) -> bool {
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    let n = bytes.len();
    if n < 8 {
        return bytes.iter().fold(0, |any, &b| any | ESCAPE[usize::from(b)]) == 0;
    }
    let mut at = 0;
    while at + 8 < n {
        if word_needs_escape(word(at)) {
            return false;
        }
        at += 8;
    }
    !word_needs_escape(word(n - 8))
}

/// What follows the backslash for each byte: 0 when it needs no escape, `u` for `\u00xx`.
static ESCAPE: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[b'\t' as usize] = b't';
    table[b'\n' as usize] = b'n';
    table[0x0c] = b'f';
    table[b'\r' as usize] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// The escaping loop, for a string that has something to escape.
fn push_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let e = ESCAPE[usize::from(b)];
        if e == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        run = i + 1;
        match e {
            b'u' => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]),
            short => out.extend_from_slice(&[b'\\', short]),
        }
    }
    out.extend_from_slice(&bytes[run..]);
}

fn push_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(decimal(n, &mut [0; 20]));
}

fn push_i64(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    push_u64(out, n.unsigned_abs());
}

/// The serializer methods of the integers up to 64 bits, each widened and written by
/// `self.$emit` (a value as it is, or a map key in quotes).
macro_rules! integers {
    ($emit:ident) => {
        integers!(@ $emit; serialize_i8(i8) => push_i64(i64), serialize_i16(i16) => push_i64(i64),
            serialize_i32(i32) => push_i64(i64), serialize_i64(i64) => push_i64(i64),
            serialize_u8(u8) => push_u64(u64), serialize_u16(u16) => push_u64(u64),
            serialize_u32(u32) => push_u64(u64), serialize_u64(u64) => push_u64(u64));
    };
    (@ $emit:ident; $($method:ident($t:ty) => $push:ident($wide:ty)),*) => {$(
        fn $method(self, v: $t) -> Result<(), Fallback> {
            self.$emit(|o| $push(o, <$wide>::from(v)))
        }
    )*};
}

impl Writer<'_> {
    /// Writes a value with `f`, as it is.
    fn plain(&mut self, f: impl FnOnce(&mut Vec<u8>)) -> Result<(), Fallback> {
        f(self.out);
        Ok(())
    }
}

/// An open array, object or variant wrapper: whether an element was written, and what closes it.
struct Compound<'w, 'a> {
    w: &'w mut Writer<'a>,
    first: bool,
    close: &'static [u8],
}

impl<'w, 'a> Compound<'w, 'a> {
    fn open(w: &'w mut Writer<'a>, open: &[u8], close: &'static [u8]) -> Self {
        w.out.extend_from_slice(open);
        Compound {
            w,
            first: true,
            close,
        }
    }

    fn comma(&mut self) {
        if !self.first {
            self.w.out.push(b',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        self.comma();
        value.serialize(&mut *self.w)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Fallback> {
        self.comma();
        push_str(self.w.out, key);
        self.w.out.push(b':');
        value.serialize(&mut *self.w)
    }

    fn end(self) -> Result<(), Fallback> {
        self.w.out.extend_from_slice(self.close);
        Ok(())
    }
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = Fallback;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Fallback> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    integers!(plain);
    fn serialize_i128(self, _: i128) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_u128(self, _: u128) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_f32(self, _: f32) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_f64(self, _: f64) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_char(self, v: char) -> Result<(), Fallback> {
        push_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Fallback> {
        push_str(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Fallback> {
        let mut seq = Compound::open(self, b"[", b"]");
        for b in v {
            seq.element(b)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Fallback> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Fallback> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Fallback> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Fallback> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Fallback> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Fallback> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Fallback> {
        let mut obj = Compound::open(self, b"{", b"}");
        obj.field(variant, value)?;
        obj.end()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w, 'a>, Fallback> {
        Ok(Compound::open(self, b"[", b"]"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'w, 'a>, Fallback> {
        Ok(Compound::open(self, b"[", b"]"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, Fallback> {
        Ok(Compound::open(self, b"[", b"]"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, Fallback> {
        self.out.push(b'{');
        push_str(self.out, variant);
        Ok(Compound::open(self, b":[", b"]}"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, 'a>, Fallback> {
        Ok(Compound::open(self, b"{", b"}"))
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Compound<'w, 'a>, Fallback> {
        if name == RAW_VALUE {
            return Err(Fallback);
        }
        Ok(Compound::open(self, b"{", b"}"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, Fallback> {
        self.out.push(b'{');
        push_str(self.out, variant);
        Ok(Compound::open(self, b":{", b"}}"))
    }
}

/// The compound traits whose elements have no key ([`Compound::element`]) or a field name
/// ([`Compound::field`]).
macro_rules! compound {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Fallback;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
                self.element(value)
            }
            fn end(self) -> Result<(), Fallback> {
                Compound::end(self)
            }
        }
    )*};
    ($($trait:ident),*; fields) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Fallback;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Fallback> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Fallback> {
                Compound::end(self)
            }
        }
    )*};
}

compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);
compound!(SerializeStruct, SerializeStructVariant; fields);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Fallback;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Fallback> {
        self.comma();
        key.serialize(Key(self.w.out))?;
        self.w.out.push(b':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Fallback> {
        Compound::end(self)
    }
}

/// A map key: strings and unit variants as they are, integers quoted; any other key is left to
/// serde_json (which quotes some and refuses the rest).
struct Key<'a>(&'a mut Vec<u8>);

impl Key<'_> {
    fn quoted(self, f: impl FnOnce(&mut Vec<u8>)) -> Result<(), Fallback> {
        self.0.push(b'"');
        f(self.0);
        self.0.push(b'"');
        Ok(())
    }
}

impl ser::Serializer for Key<'_> {
    type Ok = ();
    type Error = Fallback;
    type SerializeSeq = ser::Impossible<(), Fallback>;
    type SerializeTuple = ser::Impossible<(), Fallback>;
    type SerializeTupleStruct = ser::Impossible<(), Fallback>;
    type SerializeTupleVariant = ser::Impossible<(), Fallback>;
    type SerializeMap = ser::Impossible<(), Fallback>;
    type SerializeStruct = ser::Impossible<(), Fallback>;
    type SerializeStructVariant = ser::Impossible<(), Fallback>;

    fn serialize_str(self, v: &str) -> Result<(), Fallback> {
        push_str(self.0, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Fallback> {
        push_str(self.0, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Fallback> {
        push_str(self.0, variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Fallback> {
        value.serialize(self)
    }
    integers!(quoted);
    fn serialize_i128(self, _: i128) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_u128(self, _: u128) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_bool(self, _: bool) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_f32(self, _: f32) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_f64(self, _: f64) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_none(self) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_unit(self) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Fallback> {
        Err(Fallback)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Fallback> {
        Err(Fallback)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Fallback> {
        Err(Fallback)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Fallback> {
        Err(Fallback)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Fallback> {
        Err(Fallback)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Fallback> {
        Err(Fallback)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Fallback> {
        Err(Fallback)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Fallback> {
        Err(Fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    fn same<T: Serialize + ?Sized>(v: &T) {
        let mut ours = b"prefix".to_vec();
        let theirs = serde_json::to_vec(v);
        match (to_vec(&mut ours, v), theirs) {
            (Ok(()), Ok(t)) => assert_eq!(
                String::from_utf8_lossy(&ours[6..]),
                String::from_utf8_lossy(&t)
            ),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("ours {a:?}, serde_json {b:?}"),
        }
        assert_eq!(&ours[..6], b"prefix", "what was in the buffer stays");
    }

    /// [`same`], and this writer wrote `v` itself (no fallback to serde_json).
    fn written_here<T: Serialize + ?Sized>(v: &T) {
        same(v);
        let mut out = Vec::new();
        assert!(
            v.serialize(&mut Writer { out: &mut out }).is_ok(),
            "fell back to serde_json"
        );
    }

    /// [`same`], by way of serde_json: this writer leaves `v` to it.
    fn falls_back<T: Serialize + ?Sized>(v: &T) {
        same(v);
        let mut out = Vec::new();
        assert!(
            v.serialize(&mut Writer { out: &mut out }).is_err(),
            "not left to serde_json"
        );
    }

    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case", tag = "kind")]
    enum Internally {
        Plain,
        WithUrl { url: String },
    }

    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case", tag = "kind", content = "url")]
    enum Adjacent {
        Exact(String),
        Any,
    }

    #[derive(Serialize)]
    #[serde(untagged)]
    enum Untagged {
        N(u32),
        S(String),
    }

    #[derive(Serialize)]
    enum External {
        Unit,
        New(i32),
        Tuple(u8, String),
        Struct { a: Option<u16>, b: Vec<bool> },
    }

    #[derive(Serialize)]
    struct Inner {
        x: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        y: Option<String>,
    }

    #[derive(Serialize)]
    struct Outer {
        name: String,
        #[serde(flatten)]
        inner: Inner,
        list: Vec<Inner>,
        tagged: Vec<Internally>,
        adjacent: Vec<Adjacent>,
        untagged: Vec<Untagged>,
        external: Vec<External>,
        pair: (u16, char),
        unit: (),
        by_int: BTreeMap<u32, &'static str>,
        by_neg: BTreeMap<i8, u8>,
        by_str: BTreeMap<String, Option<bool>>,
    }

    #[test]
    fn every_shape_serde_derives_matches_serde_json() {
        // Written by this writer itself: none of its fields falls back to serde_json.
        written_here(&Outer {
            name: "a \"quoted\" \\ name\twith\u{1}\u{1f}\u{7f} é 🦀".into(),
            inner: Inner { x: -7, y: None },
            list: vec![
                Inner {
                    x: i64::MIN,
                    y: Some(String::new()),
                },
                Inner {
                    x: i64::MAX,
                    y: Some("0123456789abcdef\n".into()),
                },
            ],
            tagged: vec![
                Internally::Plain,
                Internally::WithUrl {
                    url: "https://d111111abcdef8.cloudfront.net/images/a.jpg".into(),
                },
            ],
            adjacent: vec![Adjacent::Exact("x".into()), Adjacent::Any],
            untagged: vec![Untagged::N(3), Untagged::S("s".into())],
            external: vec![
                External::Unit,
                External::New(-1),
                External::Tuple(255, "t".into()),
                External::Struct {
                    a: Some(65535),
                    b: vec![true, false],
                },
            ],
            pair: (0, '"'),
            unit: (),
            by_int: [(1, "one"), (20, "twenty")].into(),
            by_neg: [(-128, 0), (127, 255)].into(),
            by_str: [("k\"ey".to_string(), Some(true)), ("z".into(), None)].into(),
        });
        written_here(&Vec::<u8>::new());
        written_here(&BTreeMap::<String, u8>::new());
        // Each fallback: 128-bit integers, floats, non-finite floats, bool keys, raw JSON.
        falls_back(&(u128::MAX, i128::MIN));
        falls_back(&("x", 1.5));
        falls_back(&f64::NAN);
        falls_back(&[f32::INFINITY, 0.1]);
        falls_back(&BTreeMap::from([(true, 1u8)]));
        falls_back(&BTreeMap::from([(vec![1u8], 1u8)]));
        let raw = serde_json::value::RawValue::from_string("{\"a\": [1, 2]}".into()).unwrap();
        falls_back(&vec![raw]);
        falls_back(&serde_json::json!({"v": [null, 1, -2, 3.25, "s", {"o": {}}]}));
    }

    #[test]
    fn a_case_of_the_report_matches_serde_json() {
        let case: crate::report::model::CaseResult =
            serde_json::from_str(include_str!("compact_case.json")).unwrap();
        same(&case);
    }

    proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in any::<String>()) {
            same(&s);
        }

        #[test]
        fn strings_with_json_specials_anywhere(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("\"".to_string()), Just("\\".to_string()), Just("\u{0}".to_string()),
                    Just("\u{1f}".to_string()), Just(" ".to_string()), Just("\u{7f}".to_string()),
                    Just("é".to_string()), "[a-z/.]{0,9}"
                ],
                0..24,
            )
        ) {
            same(&parts.concat());
        }

        #[test]
        fn integers_as_serde_json_writes_them(a in any::<i64>(), b in any::<u64>(), c in any::<i128>()) {
            same(&(a, b, c));
        }
    }
}
