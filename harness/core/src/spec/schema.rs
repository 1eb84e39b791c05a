//! The JSON Schemas of the suite and distribution formats, generated from the serde types
//! (draft-07, what yaml-language-server reads), and the wording of parse errors: serde's terse
//! type errors get the "what was expected" half a user needs.

use super::format::SuiteSpec;
use crate::distribution::DistributionSpec;
use crate::yaml::Problem;

fn render<T: schemars::JsonSchema>() -> String {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut s = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
    s.push('\n');
    s
}

/// `specs/schema.json`: the schema of a suite file.
pub fn suite_schema() -> String {
    render::<SuiteSpec>()
}

/// `specs/distribution.schema.json`: the schema of a distribution file.
pub fn distribution_schema() -> String {
    render::<DistributionSpec>()
}

/// Adds what was expected to serde's type errors that do not say it.
pub(crate) fn explain(mut p: Problem) -> Problem {
    let m = p.message.as_str();
    let hint = if m.starts_with("invalid u64") || m.starts_with("invalid u32") {
        Some("expected a whole number of 0 or more")
    } else if m.starts_with("invalid u16") {
        Some("expected a whole number from 0 to 65535")
    } else if m.starts_with("invalid boolean") || m.contains("expected a boolean") {
        Some("expected true or false")
    } else if m.starts_with("expected string scalar") {
        Some("expected a string (quote a value that starts with `[` or `{` or contains `: `)")
    } else if m.starts_with("unclosed quote") {
        Some("expected the closing quote before the end of the value")
    } else if m.starts_with("unexpected end of input") {
        Some("expected a suite: a mapping with `distribution:` and `scenarios:` or `matrix:`")
    } else if m.starts_with("expected mapping start") {
        Some("a suite is a mapping with `distribution:` and `scenarios:` or `matrix:`")
    } else if m.starts_with("cannot deserialize null") {
        Some("expected a value (remove the key to use the default)")
    } else {
        None
    };
    if m.starts_with("expected string scalar") {
        p.message = "a list or mapping where a string belongs".into();
    }
    if let Some(h) = hint {
        if !p.message.contains("; expected") {
            p.message = format!("{}; {h}", p.message);
        }
    }
    if p.message.starts_with("missing field") && !p.message.contains("expected") {
        p.message = format!("{}; expected it in this mapping", p.message);
    } else if !p.message.contains("expected") && !p.message.starts_with("duplicate key") {
        p.message = format!("{}; expected valid YAML here", p.message);
    }
    p
}
