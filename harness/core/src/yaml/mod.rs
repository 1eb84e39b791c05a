//! YAML plumbing shared by the distribution and spec loaders: serde-saphyr with strict options,
//! positioned errors, and an order-keeping map type; and, in [`write`], the one writer of YAML
//! text (scalars, lists, comments, a distribution's parts) for whatever writes distributions or
//! suites.

pub mod write;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

pub use serde_saphyr::Spanned;

/// A 1-based position in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl Pos {
    pub fn of<T>(s: &Spanned<T>) -> Pos {
        Pos {
            line: s.referenced.line(),
            column: s.referenced.column(),
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One problem in an input file: where, what is wrong and what was expected, and the rule it
/// rests on when there is one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub pos: Pos,
    pub message: String,
    pub rule: Option<crate::RuleId>,
}

impl Problem {
    pub fn new(pos: Pos, message: impl Into<String>) -> Problem {
        Problem {
            pos,
            message: message.into(),
            rule: None,
        }
    }

    pub fn rule(mut self, rule: crate::RuleId) -> Problem {
        self.rule = Some(rule);
        self
    }

    /// `file:line:column: message (RULE)`.
    pub fn render(&self, file: &str) -> String {
        match self.rule {
            Some(r) => format!("{file}:{}: {} ({r})", self.pos, self.message),
            None => format!("{file}:{}: {}", self.pos, self.message),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render("<input>"))
    }
}

/// All problems found in one file, in source order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_all(.0))]
pub struct Problems(pub Vec<Problem>);

fn render_all(ps: &[Problem]) -> String {
    ps.iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl Problems {
    pub fn render(&self, file: &str) -> String {
        self.0
            .iter()
            .map(|p| p.render(file))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Limits on what a YAML input may make the parser do (alias bombs, deep nesting, huge inputs).
fn options() -> serde_saphyr::Options {
    serde_saphyr::Options::default()
}

/// Parses YAML into `T`; a syntax or type error becomes one positioned [`Problem`].
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Problem> {
    serde_saphyr::from_str_with_options(text, options()).map_err(|e| {
        let pos = e
            .location()
            .map(|l| Pos {
                line: l.line(),
                column: l.column(),
            })
            .unwrap_or(Pos { line: 1, column: 1 });
        Problem::new(pos, clean_message(&e))
    })
}

/// The error's text without serde-saphyr's snippet and position suffix (we print our own
/// `file:line:column:` prefix).
fn clean_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("").trim().to_string();
    // serde-saphyr appends " at line L, column C"; drop it, the prefix already says where.
    let first = match first.rfind(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first,
    };
    if let Some(rest) = first.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return format!("duplicate key `{key}`; each key may appear only once in a mapping");
    }
    if first.is_empty() {
        "invalid YAML".to_string()
    } else {
        first
    }
}

/// A YAML mapping kept in source order (duplicate keys are already rejected by the parser).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedMap<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for V2<K, V> {
            type Value = OrderedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry()? {
                    v.push((k, val));
                }
                Ok(OrderedMap(v))
            }
        }
        d.deserialize_map(V2(PhantomData))
    }
}

impl<K: schemars::JsonSchema, V: schemars::JsonSchema> schemars::JsonSchema for OrderedMap<K, V> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let v = g.subschema_for::<V>();
        schemars::json_schema!({ "type": "object", "additionalProperties": v })
    }
}
