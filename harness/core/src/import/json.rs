//! A small JSON reader that keeps the line:column of every value (serde_json does not), for AWS
//! CLI output, CloudFormation JSON and `terraform show -json`. Strict RFC 8259, nesting bounded so
//! hostile input cannot overflow the stack.

use super::error::ImportError;
use super::tree::{pos_at, Key, Node, Value};

/// Deeper nesting than any CloudFront configuration needs.
const MAX_DEPTH: usize = 200;

/// Parses a whole JSON document.
pub fn parse(text: &str) -> Result<Node, ImportError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        i: 0,
    };
    p.skip_ws();
    let v = p.value(0)?;
    p.skip_ws();
    if p.i < p.bytes.len() {
        return Err(p.err("unexpected text after the JSON value; expected the end of the file"));
    }
    Ok(v)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, msg: &str) -> ImportError {
        ImportError::syntax(pos_at(self.text, self.i), format!("invalid JSON: {msg}"))
    }

    fn skip_ws(&mut self) {
        while self.i < self.bytes.len()
            && matches!(self.bytes[self.i], b' ' | b'\t' | b'\n' | b'\r')
        {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ImportError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        let pos = pos_at(self.text, self.i);
        let value = match self.bytes.get(self.i) {
            None => return Err(self.err("unexpected end of input; expected a value")),
            Some(b'{') => {
                self.i += 1;
                let mut entries = Vec::new();
                self.skip_ws();
                if self.bytes.get(self.i) == Some(&b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.skip_ws();
                        let kpos = pos_at(self.text, self.i);
                        if self.bytes.get(self.i) != Some(&b'"') {
                            return Err(self.err("expected a string key"));
                        }
                        let name = self.string()?;
                        self.skip_ws();
                        if self.bytes.get(self.i) != Some(&b':') {
                            return Err(self.err("expected `:` after the key"));
                        }
                        self.i += 1;
                        self.skip_ws();
                        let v = self.value(depth + 1)?;
                        entries.push((Key { name, pos: kpos }, v));
                        self.skip_ws();
                        match self.bytes.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected `,` or `}`")),
                        }
                    }
                }
                Value::Map(entries)
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.bytes.get(self.i) == Some(&b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.skip_ws();
                        items.push(self.value(depth + 1)?);
                        self.skip_ws();
                        match self.bytes.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected `,` or `]`")),
                        }
                    }
                }
                Value::List(items)
            }
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => {
                return Err(self
                    .err("expected a value (object, array, string, number, true, false or null)"))
            }
        };
        Ok(Node::new(pos, value))
    }

    fn word(&mut self, w: &str, v: Value) -> Result<Value, ImportError> {
        if self.bytes[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(self.err("expected a value (object, array, string, number, true, false or null)"))
        }
    }

    fn number(&mut self) -> Result<Value, ImportError> {
        let start = self.i;
        if self.bytes[self.i] == b'-' {
            self.i += 1;
        }
        let digits = |p: &mut Parser| {
            let s = p.i;
            while p.i < p.bytes.len() && p.bytes[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i - s
        };
        if digits(self) == 0 {
            return Err(self.err("expected a digit"));
        }
        if self.bytes.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.err("expected a digit after `.`"));
            }
        }
        if matches!(self.bytes.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.bytes.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err("expected a digit in the exponent"));
            }
        }
        Ok(Value::Number(self.text[start..self.i].to_string()))
    }

    fn string(&mut self) -> Result<String, ImportError> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.bytes.len()
                && !matches!(self.bytes[self.i], b'"' | b'\\' | 0..=0x1f)
            {
                self.i += 1;
            }
            out.push_str(&self.text[start..self.i]);
            match self.bytes.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.bytes.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.bytes[self.i..].starts_with(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("invalid surrogate pair"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                            continue;
                        }
                        _ => return Err(self.err("invalid escape in string")),
                    };
                    self.i += 1;
                    out.push(c);
                }
                Some(_) => return Err(self.err("control character in string; escape it")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ImportError> {
        let h = self
            .bytes
            .get(self.i..self.i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("expected four hex digits after \\u"))?;
        self.i += 4;
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Pos;

    #[test]
    fn values_keep_their_positions() {
        let n = parse("{\n  \"a\": [1, \"x\\u00e9\"],\n  \"b\": null\n}").unwrap();
        let a = n.get("a").unwrap();
        assert_eq!(a.pos, Pos { line: 2, column: 8 });
        let items = a.items().unwrap();
        assert_eq!(items[1].as_str(), Some("xé"));
        assert_eq!(
            items[1].pos,
            Pos {
                line: 2,
                column: 12
            }
        );
        assert!(n.get("b").unwrap().is_null());
    }

    #[test]
    fn errors_point_at_the_fault() {
        let e = parse("{\"a\": 1,\n \"b\" 2}").unwrap_err();
        assert_eq!(e.pos(), Pos { line: 2, column: 6 });
        assert!(e.to_string().contains("expected `:`"), "{e}");
        assert!(parse("[1] x").is_err());
        assert!(parse("\"abc").is_err());
        assert!(parse(&"[".repeat(10_000)).is_err());
        assert!(parse("-").is_err());
        assert!(parse("\"\\ud800\\u0041\"").is_err());
    }
}
