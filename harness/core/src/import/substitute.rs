//! Resolves what a file resolves itself: a CloudFormation `!Ref` to a parameter with a
//! `Default`, a Terraform `var.x` with a `default` or a `local.x` set to a literal. Each
//! substitution is a warning, since a deployment may pass another value.

use super::tree::{Node, Value};
use super::warnings::Warning;

/// What a reference resolves to, and the warning to give (none when the file fixes the value).
pub type Lookup<'a> = &'a dyn Fn(&Node) -> Option<(Node, Option<String>)>;

/// Replaces, anywhere under `node`, each node `lookup` resolves; returns the warning of each
/// replacement that has one, at the reference.
pub fn substitute(node: &mut Node, lookup: Lookup) -> Vec<Warning> {
    let mut warnings = Vec::new();
    walk(node, lookup, &mut warnings, 0);
    warnings
}

fn walk(node: &mut Node, lookup: Lookup, warnings: &mut Vec<Warning>, depth: usize) {
    if depth > 200 {
        return;
    }
    if let Some((mut v, note)) = lookup(node) {
        v.pos = node.pos;
        if let Some(note) = note {
            warnings.push(Warning::new(node.pos, note));
        }
        *node = v;
        return;
    }
    // Arguments of other intrinsics (`!If`, `!Sub`, `!Join`) are not evaluated, so a
    // parameter inside them is left as it is.
    if node.intrinsic().is_some() {
        return;
    }
    match &mut node.value {
        Value::List(items) => items
            .iter_mut()
            .for_each(|n| walk(n, lookup, warnings, depth + 1)),
        Value::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, n)| walk(n, lookup, warnings, depth + 1)),
        _ => {}
    }
}

/// Whether a value is spelled out (no expression anywhere in it).
pub fn is_literal(n: &Node) -> bool {
    match &n.value {
        Value::Expr(_) => false,
        Value::List(l) => l.iter().all(is_literal),
        Value::Map(m) => n.intrinsic().is_none() && m.iter().all(|(_, v)| is_literal(v)),
        _ => true,
    }
}
