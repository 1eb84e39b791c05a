//! Text helpers shared by the reporters: making target-controlled strings safe to print, shortening,
//! and one-line renderings of a leg's expectation or outcome.
//!
//! A target's responses are hostile input: a `Location` may carry CR/LF, ANSI escapes or bidi
//! overrides. [`printable`] turns every such character into a visible escape, so
//! `"https://x/\r\nSet-Cookie: a"` prints as `https://x/\r\nSet-Cookie: a` on one line.

use super::model::{RunResult, Verdict};
use edgeconform_core::billing::Totals;

/// `s` with every control character (C0, DEL, C1) and every bidi override or isolate replaced by a
/// visible escape (`\r`, `\n`, `\t`, `\u{1b}`), so it prints on one line and cannot drive a
/// terminal or reorder the text around it. Everything else, Unicode included, is kept.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` cut to at most `max` characters, ending in `…` when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A leg's expected or observed value on one line (compact JSON; strings without their quotes).
pub fn one_line<T: serde::Serialize + ?Sized>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => printable(&s),
        // serde_json escapes control characters inside strings, so compact JSON is one line.
        Ok(other) => other.to_string(),
        Err(e) => format!("(cannot be shown: {e})"),
    }
}

/// A leg's value pretty-printed over several lines (for HTML `<pre>`).
pub fn pretty<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("(cannot be shown: {e})"))
}

/// A rule's statement from the catalog, trimmed (doc comments start with a space).
pub fn statement(r: edgeconform_core::rules::RuleId) -> &'static str {
    r.statement().trim()
}

/// `s` broken into lines of at most `width` characters at spaces, each line prefixed by `indent`.
pub fn wrap(s: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in s.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The wire ledger as rows (line item, totals), then `total`; empty when nothing was billed.
pub fn ledger_rows(run: &RunResult) -> Vec<(&'static str, Totals)> {
    if run.ledger.items.is_empty() {
        return Vec::new();
    }
    let mut rows: Vec<(&'static str, Totals)> = run
        .ledger
        .items
        .iter()
        .map(|(k, t)| (k.as_str(), *t))
        .collect();
    rows.push(("total", run.ledger.total()));
    rows
}

/// One line on the access-log reconciliation (BIL-LOG-RECONCILE), when the log was read.
pub fn reconcile_line(run: &RunResult) -> Option<String> {
    let r = run.log_reconcile.as_ref()?;
    let verdict = if r.ok {
        "matches the wire ledger".to_string()
    } else {
        format!(
            "does NOT match the wire ledger ({} requests, {} bytes): {}",
            r.wire_requests,
            r.wire_bytes,
            printable(&r.problems.join("; "))
        )
    };
    let notes = if r.notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", printable(&r.notes.join("; ")))
    };
    Some(format!(
        "Access log {}: {} requests, {} bytes; {verdict}{notes}",
        printable(&r.log_file),
        r.log_requests,
        r.log_sc_bytes
    ))
}

/// The word for a verdict, as reports print it.
pub fn verdict_word(v: Verdict) -> &'static str {
    v.as_str()
}

/// The rule IDs of a list, joined with `, ` (`-` for none).
pub fn rule_list(rules: &[edgeconform_core::rules::RuleId]) -> String {
    if rules.is_empty() {
        return "-".to_string();
    }
    rules
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_and_bidi() {
        assert_eq!(printable("a\r\nb\tc"), "a\\r\\nb\\tc");
        assert_eq!(printable("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(printable("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(printable("café ✓ 日本"), "café ✓ 日本");
        assert_eq!(printable("\u{85}"), "\\u{85}");
    }

    #[test]
    fn shorten_cuts_on_chars() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("日本語です", 3), "日本…");
    }
}
