//! The one tree every input format is read into: JSON, YAML and HCL values with the line:column
//! each started at, so every reader, warning and error can point into the user's file.
//!
//! A value the input does not spell out (a CloudFormation intrinsic such as `!GetAtt B.Arn`, a
//! Terraform reference such as `aws_s3_bucket.b.website_endpoint`) is kept as [`Value::Expr`]
//! with its source text, never guessed.

use crate::yaml::Pos;

/// A value and where it starts in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// The shapes a configuration value can take.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number as written (ports, status codes).
    Number(String),
    String(String),
    List(Vec<Node>),
    /// A mapping in source order; each key carries its own position.
    Map(Vec<(Key, Node)>),
    /// An expression the input does not resolve: its source text (HCL) or a short rendering
    /// (a CloudFormation intrinsic).
    Expr(String),
}

/// A mapping key and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

/// A scalar read as text: either spelled out, or an expression that only the deploying tool
/// resolves.
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    Lit(String),
    Expr(String),
}

impl Node {
    pub fn new(pos: Pos, value: Value) -> Node {
        Node { pos, value }
    }

    /// The entry `key` of a mapping (exact spelling).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The first entry found among several spellings of one key.
    pub fn get_any(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().find_map(|k| self.get(k))
    }

    /// The entries of a mapping, or none.
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as text: strings, numbers and booleans as written, expressions and CloudFormation
    /// intrinsics (`{"Ref": …}`, `{"Fn::GetAtt": …}`) as [`Text::Expr`]; `None` for null, lists
    /// and other mappings.
    pub fn text(&self) -> Option<Text> {
        match &self.value {
            Value::String(s) => Some(Text::Lit(s.clone())),
            Value::Number(n) => Some(Text::Lit(n.clone())),
            Value::Bool(b) => Some(Text::Lit(b.to_string())),
            Value::Expr(e) => Some(Text::Expr(e.clone())),
            Value::Map(_) => self.intrinsic().map(Text::Expr),
            Value::Null | Value::List(_) => None,
        }
    }

    /// A CloudFormation intrinsic function (a one-key mapping `Ref` or `Fn::…`, the long form of
    /// `!Ref`/`!GetAtt`/…), rendered short: `!GetAtt Bucket.WebsiteURL`.
    pub fn intrinsic(&self) -> Option<String> {
        let m = match &self.value {
            Value::Map(m) if m.len() == 1 => m,
            _ => return None,
        };
        let (k, v) = &m[0];
        let name = if k.name == "Ref" || k.name == "Condition" {
            k.name.as_str()
        } else {
            k.name.strip_prefix("Fn::")?
        };
        Some(format!("!{name} {}", v.render_short()))
    }

    /// A compact one-line rendering for messages, at most about 80 characters.
    pub fn render_short(&self) -> String {
        let mut s = String::new();
        self.render_into(&mut s, 0);
        if s.chars().count() > 80 {
            let cut: String = s.chars().take(77).collect();
            format!("{cut}...")
        } else {
            s
        }
    }

    fn render_into(&self, out: &mut String, depth: usize) {
        if depth > 8 || out.len() > 200 {
            out.push('…');
            return;
        }
        match &self.value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(n),
            Value::String(s) if s.is_empty() => out.push_str("''"),
            Value::String(s) => out.push_str(s),
            Value::Expr(e) => out.push_str(e),
            Value::List(items) => {
                out.push('[');
                for (i, n) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    n.render_into(out, depth + 1);
                }
                out.push(']');
            }
            Value::Map(_) => match self.intrinsic() {
                Some(i) => out.push_str(&i),
                None => {
                    out.push('{');
                    for (i, (k, v)) in self.entries().iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(&k.name);
                        out.push_str(": ");
                        v.render_into(out, depth + 1);
                    }
                    out.push('}');
                }
            },
        }
    }

    /// The items of a list, either a plain list (CloudFormation, Terraform) or the API's
    /// `{Quantity, Items}` wrapper (AWS JSON); null and a missing `Items` are empty.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::List(l) => Some(l),
            Value::Null => Some(&[]),
            Value::Map(_) if self.intrinsic().is_none() => match self.get("Items") {
                Some(Node {
                    value: Value::List(l),
                    ..
                }) => Some(l),
                Some(Node {
                    value: Value::Null, ..
                })
                | None => Some(&[]),
                Some(_) => None,
            },
            _ => None,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn pos_at(text: &str, offset: usize) -> Pos {
    let offset = offset.min(text.len());
    let mut line = 1u64;
    let mut line_start = 0usize;
    for (i, b) in text.as_bytes()[..offset].iter().enumerate() {
        if *b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    let column = text
        .get(line_start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(offset - line_start) as u64
        + 1;
    Pos { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u64, column: u64) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn positions_count_lines_and_characters() {
        assert_eq!(pos_at("ab\ncé d", 0), p(1, 1));
        assert_eq!(pos_at("ab\ncé d", 3), p(2, 1));
        assert_eq!(pos_at("ab\ncé d", 7), p(2, 4));
        assert_eq!(pos_at("ab", 99), p(1, 3));
    }

    #[test]
    fn intrinsics_render_short() {
        let n = Node::new(
            p(1, 1),
            Value::Map(vec![(
                Key {
                    name: "Fn::GetAtt".into(),
                    pos: p(1, 2),
                },
                Node::new(
                    p(1, 3),
                    Value::List(vec![
                        Node::new(p(1, 4), Value::String("B".into())),
                        Node::new(p(1, 5), Value::String("WebsiteURL".into())),
                    ]),
                ),
            )]),
        );
        assert_eq!(n.text(), Some(Text::Expr("!GetAtt [B, WebsiteURL]".into())));
        assert_eq!(n.items(), None);
    }
}
