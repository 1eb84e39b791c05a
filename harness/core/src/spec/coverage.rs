//! Selecting cases (`--tag`, `--id`), rule coverage (which scenarios check each rule), and ids
//! that clash across suites.

use super::{Case, Suite};
use crate::rules::{RuleId, CATALOG};
use serde::Serialize;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Whether `id` matches a selector: the exact id, or a prefix when the selector ends in `*`.
pub fn id_matches(selector: &str, id: &str) -> bool {
    match selector.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => selector == id,
    }
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
pub fn coverage<C: Borrow<Case>>(cases: impl IntoIterator<Item = C>) -> Coverage {
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
        let c = c.borrow();
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

/// Case ids used by more than one suite, as `file:line:column: message` lines. Ids are compared
/// by hash first, so the check holds one word per case, not every id.
pub fn duplicate_ids(suites: &[Suite]) -> Vec<String> {
    let hash = |id: &str| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut h);
        h.finish()
    };
    let mut first: HashMap<u64, Vec<(usize, usize)>> = HashMap::new();
    let mut out = Vec::new();
    for (si, s) in suites.iter().enumerate() {
        for ci in 0..s.len() {
            let id = s.id(ci);
            let seen = first.entry(hash(&id)).or_default();
            let earlier = seen
                .iter()
                .find(|&&(sj, cj)| suites[sj].id(cj) == id)
                .copied();
            match earlier {
                Some((sj, cj)) if suites[sj].file != s.file => out.push(format!(
                    "{}:{}: scenario id `{id}` is also used at {}:{}; expected ids unique across suites",
                    s.file,
                    pos_of(s, ci),
                    suites[sj].file,
                    pos_of(&suites[sj], cj)
                )),
                Some(_) => {}
                None => seen.push((si, ci)),
            }
        }
    }
    out
}

/// Where case `i` of `s` is written (a matrix cell: its block).
fn pos_of(s: &Suite, i: usize) -> crate::yaml::Pos {
    match s.scenarios.get(i) {
        Some(c) => c.pos,
        None => s.matrix.as_ref().map(|m| m.pos()).unwrap_or_default(),
    }
}
