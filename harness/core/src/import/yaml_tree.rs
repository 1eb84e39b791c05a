//! CloudFormation YAML into the positioned tree, with serde-saphyr (the project's one YAML stack).
//! Short-form intrinsics (`!Ref X`, `!GetAtt B.Attr`, `!Sub …`, `!If […]`, …) come back from the
//! parser as tags ([`Tagged`]) and are rewritten to their long form (`{Ref: X}`,
//! `{"Fn::GetAtt": …}`), so the CloudFormation reader sees one spelling, as in JSON templates.

use super::error::ImportError;
use super::tree::{Key, Node, Value};
use crate::yaml::{Pos, Spanned};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Tagged;
use std::fmt;

/// Parses a YAML document into the tree.
pub fn parse(text: &str) -> Result<Node, ImportError> {
    let root: Spanned<Tagged<YNode>> = crate::yaml::from_str(text)
        .map_err(|p| ImportError::syntax(p.pos, format!("invalid YAML: {}", p.message)))?;
    let lines: Vec<&str> = text.lines().collect();
    Ok(convert(root, &lines))
}

/// Where a tagged node starts: serde-saphyr's span points past the tag, at the value; a
/// warning about `!Ref Other` should point at `!Ref`, when the tag is on the value's line.
fn tag_start(pos: Pos, tag: &str, lines: &[&str]) -> Pos {
    let Some(line) = lines.get(pos.line.saturating_sub(1) as usize) else {
        return pos;
    };
    let before: String = line
        .chars()
        .take(pos.column.saturating_sub(1) as usize)
        .collect();
    let trimmed = before.trim_end();
    match trimmed.strip_suffix(tag) {
        Some(head) if !tag.is_empty() => Pos {
            line: pos.line,
            column: head.chars().count() as u64 + 1,
        },
        _ => pos,
    }
}

/// What serde-saphyr hands us, before the tags are folded in.
enum YNode {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    List(Vec<Spanned<Tagged<YNode>>>),
    Map(Vec<(Spanned<String>, Spanned<Tagged<YNode>>)>),
}

fn convert(n: Spanned<Tagged<YNode>>, lines: &[&str]) -> Node {
    let value_pos = Pos::of(&n);
    let Tagged(inner, tag) = n.value;
    let pos = match tag.as_deref() {
        Some(t) => tag_start(value_pos, t, lines),
        None => value_pos,
    };
    let value = match inner {
        YNode::Null => Value::Null,
        YNode::Bool(b) => Value::Bool(b),
        YNode::Number(s) => Value::Number(s),
        YNode::String(s) => Value::String(s),
        YNode::List(items) => Value::List(items.into_iter().map(|i| convert(i, lines)).collect()),
        YNode::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let kpos = Pos::of(&k);
                    (
                        Key {
                            name: k.value,
                            pos: kpos,
                        },
                        convert(v, lines),
                    )
                })
                .collect(),
        ),
    };
    let node = Node::new(pos, value);
    match tag.as_deref().and_then(long_form) {
        Some(name) => Node::new(pos, Value::Map(vec![(Key { name, pos }, node)])),
        None => node,
    }
}

/// `!Ref` → `Ref`, `!GetAtt` → `Fn::GetAtt`, …; YAML's own `!!str`-style tags and anything
/// without a `!` are not intrinsics.
fn long_form(tag: &str) -> Option<String> {
    let name = tag.strip_prefix('!')?;
    if name.is_empty() || name.starts_with('!') || name.starts_with('<') || name.contains(':') {
        return None;
    }
    Some(match name {
        "Ref" | "Condition" => name.to_string(),
        _ => format!("Fn::{name}"),
    })
}

impl<'de> Deserialize<'de> for YNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(YVisitor)
    }
}

struct YVisitor;

impl<'de> Visitor<'de> for YVisitor {
    type Value = YNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<YNode, E> {
        Ok(YNode::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<YNode, E> {
        Ok(YNode::Number(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<YNode, E> {
        Ok(YNode::Number(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<YNode, E> {
        Ok(YNode::Number(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<YNode, E> {
        Ok(YNode::Number(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<YNode, E> {
        Ok(YNode::Number(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<YNode, E> {
        Ok(YNode::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<YNode, E> {
        Ok(YNode::String(v))
    }
    fn visit_unit<E>(self) -> Result<YNode, E> {
        Ok(YNode::Null)
    }
    fn visit_none<E>(self) -> Result<YNode, E> {
        Ok(YNode::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<YNode, D::Error> {
        YNode::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<YNode, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = s.next_element()? {
            items.push(v);
        }
        Ok(YNode::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<YNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(e) = m.next_entry()? {
            entries.push(e);
        }
        Ok(YNode::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::tree::Text;

    #[test]
    fn short_form_intrinsics_become_long_form() {
        let n = parse(
            "Origins:\n  - DomainName: !GetAtt Site.WebsiteURL\n    Id: !Ref Name\n    Path: !Sub '/${Env}'\n    Port: 8080\n    X: !If [IsProd, a, b]\n",
        )
        .unwrap();
        let o = &n.get("Origins").unwrap().items().unwrap()[0];
        assert_eq!(
            o.get("DomainName").unwrap().text(),
            Some(Text::Expr("!GetAtt Site.WebsiteURL".into()))
        );
        assert_eq!(
            o.get("DomainName").unwrap().pos,
            Pos {
                line: 2,
                column: 17
            }
        );
        assert_eq!(
            o.get("Id").unwrap().text(),
            Some(Text::Expr("!Ref Name".into()))
        );
        assert_eq!(
            o.get("Path").unwrap().text(),
            Some(Text::Expr("!Sub /${Env}".into()))
        );
        assert_eq!(
            o.get("Port").unwrap().text(),
            Some(Text::Lit("8080".into()))
        );
        assert_eq!(
            o.get("X").unwrap().text(),
            Some(Text::Expr("!If [IsProd, a, b]".into()))
        );
        let n = parse(
            "A: !ImportValue Shared-Domain\nB: !FindInMap [Env, prod, Domain]\nC: !!str 80\n",
        )
        .unwrap();
        assert_eq!(
            n.get("A").unwrap().text(),
            Some(Text::Expr("!ImportValue Shared-Domain".into()))
        );
        assert_eq!(n.get("A").unwrap().pos, Pos { line: 1, column: 4 });
        assert_eq!(
            n.get("B").unwrap().text(),
            Some(Text::Expr("!FindInMap [Env, prod, Domain]".into()))
        );
        assert_eq!(
            n.get("C").unwrap().text(),
            Some(Text::Lit("80".into())),
            "a YAML core tag is no intrinsic"
        );
    }

    #[test]
    fn syntax_errors_are_positioned() {
        let e = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(e.pos().line >= 1, "{e:?}");
        assert!(e.to_string().starts_with("invalid YAML"), "{e}");
    }
}
