//! Selecting cases (`--tag`, `--id`), rule coverage (which scenarios check each rule), and ids
//! that clash across suites.

use super::{Case, Suite};
use crate::rules::{RuleId, CATALOG};
use serde::Serialize;
use std::collections::BTreeMap;

/// Whether `id` matches a selector: the exact id, or a prefix when the selector ends in `*`.
pub fn id_matches(selector: &str, id: &str) -> bool {
    match selector.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => selector == id,
    }
}

/// The cases that carry any of `tags` (when given) and match any of `ids` (when given; `x*`
/// selects by prefix), in input order. An empty result is for the caller to refuse: selecting
/// nothing is an error, never a pass.
pub fn select<'a>(
    cases: impl IntoIterator<Item = &'a Case>,
    tags: &[String],
    ids: &[String],
) -> Vec<&'a Case> {
    cases
        .into_iter()
        .filter(|c| tags.is_empty() || c.tags.iter().any(|t| tags.contains(t)))
        .filter(|c| ids.is_empty() || ids.iter().any(|s| id_matches(s, &c.id)))
        .collect()
}

/// One rule's coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    pub rule: RuleId,
    pub request_checkable: bool,
    /// Hand-written scenarios listing the rule, by id.
    pub scenarios: Vec<String>,
    /// Generated matrix cases whose decision rests on the rule.
    pub matrix_cases: usize,
}

/// Coverage of the whole catalog, in catalog order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub rows: Vec<CoverageRow>,
}

impl Coverage {
    /// Request-checkable rules no hand-written scenario checks.
    pub fn uncovered(&self) -> Vec<RuleId> {
        self.rows
            .iter()
            .filter(|r| r.request_checkable && r.scenarios.is_empty())
            .map(|r| r.rule)
            .collect()
    }
}

/// Which cases check each rule of the catalog.
pub fn coverage<'a>(cases: impl IntoIterator<Item = &'a Case>) -> Coverage {
    let mut rows: Vec<CoverageRow> = CATALOG
        .iter()
        .map(|r| CoverageRow {
            rule: r.id,
            request_checkable: r.request_checkable,
            scenarios: Vec::new(),
            matrix_cases: 0,
        })
        .collect();
    for c in cases {
        for r in &c.rules {
            let row = &mut rows[*r as usize];
            if c.generated {
                row.matrix_cases += 1;
            } else {
                row.scenarios.push(c.id.clone());
            }
        }
    }
    Coverage { rows }
}

/// Case ids used by more than one suite, as `file:line:column: message` lines.
pub fn duplicate_ids(suites: &[Suite]) -> Vec<String> {
    let mut first: BTreeMap<&str, &Case> = BTreeMap::new();
    let mut out = Vec::new();
    for s in suites {
        for c in &s.cases {
            match first.get(c.id.as_str()) {
                Some(o) if o.file != c.file => out.push(format!(
                    "{}:{}: scenario id `{}` is also used at {}:{}; expected ids unique across suites",
                    c.file, c.pos, c.id, o.file, o.pos
                )),
                Some(_) => {}
                None => {
                    first.insert(&c.id, c);
                }
            }
        }
    }
    out
}
