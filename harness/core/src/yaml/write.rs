//! Writing YAML that the loaders read back exactly: scalars double-quoted so that any string
//! survives the round trip (or plain where nothing can misread them), flow lists, comment
//! blocks, and the parts of a distribution every writer spells the same way (an origin's type
//! and ports, a method set). `edgeconform import`, `derive` and `promote` (and the fuzzer's
//! found scenarios) all write through here.
//!
//! ```
//! use edgeconform_core::yaml::write::{quote, scalar};
//! assert_eq!(scalar("allow-all"), "allow-all");
//! assert_eq!(scalar("/images/*"), "\"/images/*\"");
//! assert_eq!(quote("é\n"), r#""\u00E9\u000A""#);
//! ```

use crate::distribution::{MethodSet, OriginKind};
use std::fmt::Write as _;

/// A YAML double-quoted scalar: printable ASCII as is, `"` and `\` escaped, everything else as
/// `\uXXXX` / `\UXXXXXXXX`, so any string survives the round trip whatever it holds.
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            ' '..='~' => q.push(c),
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(q, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(q, "\\U{:08X}", c as u32);
            }
        }
    }
    q.push('"');
    q
}

/// A scalar as YAML: plain when it cannot be misread (letters, digits, `-_./`, not a number,
/// boolean or null, not starting with `-` or `.`), [`quote`]d otherwise.
pub fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !s.starts_with(['-', '.'])
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        )
        && s.parse::<f64>().is_err()
        && !s.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        s.to_string()
    } else {
        quote(s)
    }
}

/// `[A, B, C]`, each a [`scalar`].
pub fn flow_list<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items.iter().map(|s| scalar(s.as_ref())).collect();
    format!("[{}]", parts.join(", "))
}

/// A YAML comment block: each line prefixed with `# ` (control characters replaced by spaces).
pub fn comment(text: &str) -> String {
    text.lines()
        .map(|l| {
            let clean: String = l
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            format!("# {clean}\n")
        })
        .collect()
}

/// Text for one comment or message line: control characters escaped.
pub fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// A method set as the loaders read it: `[GET, HEAD, OPTIONS]`.
pub fn method_list(s: MethodSet) -> String {
    let methods = s.methods();
    let ms: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
    format!("[{}]", ms.join(", "))
}

/// Headers as a flow mapping, names and values [`quote`]d: `{"X-A": "1", "X-B": "2"}`.
pub fn header_map(headers: &[(String, String)]) -> String {
    let hs: Vec<String> = headers
        .iter()
        .map(|(n, v)| format!("{}: {}", quote(n), quote(v)))
        .collect();
    format!("{{{}}}", hs.join(", "))
}

/// Whether an S3 website endpoint's HTTP port is written when it is the default, 80.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebsitePort {
    Always,
    UnlessDefault,
}

/// An origin's type and ports as flow-mapping fields: `type: s3`, `type: s3-website` (with its
/// `http_port`), or `type: custom` with `protocol_policy`, `http_port` and `https_port`.
pub fn origin_kind_fields(kind: &OriginKind, website_port: WebsitePort) -> Vec<String> {
    let mut fields = vec![format!("type: {}", kind.type_str())];
    match *kind {
        OriginKind::S3 => {}
        OriginKind::S3Website { http_port } => {
            if http_port != 80 || website_port == WebsitePort::Always {
                fields.push(format!("http_port: {http_port}"));
            }
        }
        OriginKind::Custom {
            protocol_policy,
            http_port,
            https_port,
        } => {
            fields.push(format!("protocol_policy: {}", protocol_policy.as_str()));
            fields.push(format!("http_port: {http_port}"));
            fields.push(format!("https_port: {https_port}"));
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_any_string() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("é\r\u{1F600}"), r#""\u00E9\u000D\U0001F600""#);
    }

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        assert_eq!(scalar("allow-all"), "allow-all");
        assert_eq!(scalar("/images/*"), "\"/images/*\"");
        assert_eq!(scalar("*"), "\"*\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("8080"), "\"8080\"");
        assert_eq!(scalar("S3-my bucket"), "\"S3-my bucket\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(comment("a\nb\u{7}"), "# a\n# b \n");
    }

    #[test]
    fn lines_are_printable() {
        assert_eq!(one_line("a\nb"), "a\\nb");
    }
}
