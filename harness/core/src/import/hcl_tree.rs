//! Terraform HCL into the positioned tree, with hcl-edit (which keeps byte spans, so warnings and
//! errors get line:column). A body becomes a mapping: attributes by name, repeated blocks of one
//! kind as a list under that name (the shape `terraform show -json` gives them), a block's labels
//! under the key `@labels`. Any expression that is not a literal (a reference, a template with
//! interpolations, a function call, a conditional) is kept as its source text.

use super::error::ImportError;
use super::tree::{pos_at, Key, Node, Value};
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{BlockLabel, Body};
use hcl_edit::Span;

/// The key under which a block's labels are kept.
pub const LABELS: &str = "@labels";

/// Parses an HCL file into the tree of its top-level body.
pub fn parse(text: &str) -> Result<Node, ImportError> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let loc = e.location();
        ImportError::syntax(
            crate::yaml::Pos {
                line: loc.line() as u64,
                column: loc.column() as u64,
            },
            format!("invalid HCL: {}", e.message()),
        )
    })?;
    Ok(Node::new(pos_at(text, 0), body_value(text, &body, 0)))
}

fn pos(text: &str, span: Option<std::ops::Range<usize>>) -> crate::yaml::Pos {
    pos_at(text, span.map(|s| s.start).unwrap_or(0))
}

fn body_value(text: &str, body: &Body, depth: usize) -> Value {
    let mut entries: Vec<(Key, Node)> = Vec::new();
    for s in body.iter() {
        if let Some(a) = s.as_attribute() {
            entries.push((
                Key {
                    name: a.key.value().as_str().to_string(),
                    pos: pos(text, a.key.span()),
                },
                expr(text, &a.value, depth + 1),
            ));
        } else if let Some(b) = s.as_block() {
            let bpos = pos(text, b.span());
            let mut value = body_value(text, &b.body, depth + 1);
            if !b.labels.is_empty() {
                let labels = b
                    .labels
                    .iter()
                    .map(|l| {
                        let (s, span) = match l {
                            BlockLabel::Ident(i) => (i.value().as_str().to_string(), i.span()),
                            BlockLabel::String(s) => (s.value().to_string(), s.span()),
                        };
                        Node::new(pos(text, span), Value::String(s))
                    })
                    .collect();
                if let Value::Map(m) = &mut value {
                    m.insert(
                        0,
                        (
                            Key {
                                name: LABELS.into(),
                                pos: bpos,
                            },
                            Node::new(bpos, Value::List(labels)),
                        ),
                    );
                }
            }
            let name = b.ident.value().as_str().to_string();
            let block = Node::new(bpos, value);
            match entries.iter_mut().find(|(k, _)| k.name == name) {
                Some((
                    _,
                    Node {
                        value: Value::List(l),
                        ..
                    },
                )) => l.push(block),
                _ => entries.push((
                    Key { name, pos: bpos },
                    Node::new(bpos, Value::List(vec![block])),
                )),
            }
        }
    }
    Value::Map(entries)
}

fn expr(text: &str, e: &Expression, depth: usize) -> Node {
    let span = e.span();
    let p = pos(text, span.clone());
    let source = || {
        span.clone()
            .and_then(|s| text.get(s))
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let value = if depth > 64 {
        Value::Expr(source())
    } else {
        match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => Value::Number(n.value().to_string()),
            Expression::String(s) => Value::String(s.value().to_string()),
            Expression::Array(a) => {
                Value::List(a.iter().map(|x| expr(text, x, depth + 1)).collect())
            }
            Expression::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| {
                        let (name, kspan) = match k {
                            ObjectKey::Ident(i) => (i.value().as_str().to_string(), i.span()),
                            ObjectKey::Expression(Expression::String(s)) => {
                                (s.value().to_string(), s.span())
                            }
                            ObjectKey::Expression(x) => {
                                let sp = x.span();
                                let src = sp.clone().and_then(|s| text.get(s)).unwrap_or("");
                                (src.to_string(), sp)
                            }
                        };
                        (
                            Key {
                                name,
                                pos: pos(text, kspan),
                            },
                            expr(text, v.expr(), depth + 1),
                        )
                    })
                    .collect(),
            ),
            Expression::Parenthesis(p) => return expr(text, p.inner(), depth + 1),
            _ => Value::Expr(source()),
        }
    };
    Node::new(p, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::tree::Text;
    use crate::yaml::Pos;

    #[test]
    fn blocks_group_by_kind_and_keep_labels() {
        let n = parse(
            "resource \"aws_cloudfront_distribution\" \"cdn\" {\n  origin {\n    domain_name = aws_s3_bucket.b.website_endpoint\n    origin_id = \"a\"\n  }\n  origin {\n    domain_name = \"x.example.com\"\n    origin_id = \"b-${var.env}\"\n  }\n  aliases = [\"a.example.com\"]\n}\n",
        )
        .unwrap();
        let r = &n.get("resource").unwrap().items().unwrap()[0];
        let labels = r.get(LABELS).unwrap().items().unwrap();
        assert_eq!(labels[1].as_str(), Some("cdn"));
        let origins = r.get("origin").unwrap().items().unwrap();
        assert_eq!(origins.len(), 2);
        let d = origins[0].get("domain_name").unwrap();
        assert_eq!(
            d.text(),
            Some(Text::Expr("aws_s3_bucket.b.website_endpoint".into()))
        );
        assert_eq!(
            d.pos,
            Pos {
                line: 3,
                column: 19
            }
        );
        assert_eq!(
            origins[1].get("origin_id").unwrap().text(),
            Some(Text::Expr("\"b-${var.env}\"".into()))
        );
    }

    #[test]
    fn syntax_errors_are_positioned() {
        let e = parse("resource \"a\" \"b\" {\n  x = \n}\n").unwrap_err();
        assert_eq!(e.pos(), Pos { line: 2, column: 7 }, "{e:?}");
        assert!(e.to_string().starts_with("invalid HCL"), "{e}");
    }
}
