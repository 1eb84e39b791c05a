//! Writes the distribution YAML in the layout of `specs/distributions/*.yaml`: one flow mapping
//! per origin, one block per behavior, scalars quoted only where YAML needs it.

use super::mapping::{names, Behavior, Origin};
use crate::distribution::{MethodSet, OriginKind};

/// A scalar as YAML: plain when it cannot be misread, double-quoted (JSON escapes) otherwise.
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
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
    }
}

/// `[A, B, C]`.
pub fn flow_list<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items.iter().map(|s| scalar(s.as_ref())).collect();
    format!("[{}]", parts.join(", "))
}

/// A YAML comment block: each line prefixed with `# ` (control characters replaced).
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

/// The distribution YAML body.
pub(super) fn distribution(
    domain: &str,
    aliases: &[String],
    origins: &[Origin],
    behaviors: &[Behavior],
    default: &Behavior,
) -> String {
    let mut y = String::new();
    y.push_str(&format!("domain: {}\n", scalar(domain)));
    if !aliases.is_empty() {
        y.push_str(&format!("aliases: {}\n", flow_list(aliases)));
    }
    y.push_str("origins:\n");
    for o in origins {
        let mut fields = vec![format!("type: {}", o.kind.type_str())];
        match o.kind {
            OriginKind::S3 => {}
            OriginKind::S3Website { http_port } => {
                if http_port != 80 {
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
        if !o.path.is_empty() {
            fields.push(format!("origin_path: {}", scalar(&o.path)));
        }
        if let Some(d) = &o.domain {
            fields.push(format!("domain_name: {}", scalar(d)));
        }
        y.push_str(&format!("  {}: {{{}}}\n", scalar(&o.id), fields.join(", ")));
    }
    if !behaviors.is_empty() {
        y.push_str("behaviors:\n");
        for b in behaviors {
            y.push_str(&format!("  - path_pattern: {}\n", scalar(&b.pattern)));
            behavior_fields(&mut y, b, origins, "    ");
        }
    }
    y.push_str("default_behavior:\n");
    behavior_fields(&mut y, default, origins, "  ");
    if behaviors.len() > crate::distribution::Limits::default().max_behaviors {
        y.push_str(&format!("limits: {{max_behaviors: {}}}\n", behaviors.len()));
    }
    y
}

fn behavior_fields(y: &mut String, b: &Behavior, origins: &[Origin], indent: &str) {
    y.push_str(&format!(
        "{indent}viewer_protocol_policy: {}\n",
        b.vpp.as_str()
    ));
    if b.allowed != MethodSet::GET_HEAD {
        y.push_str(&format!("{indent}allowed_methods: {}\n", names(b.allowed)));
    }
    if b.cached != MethodSet::GET_HEAD {
        y.push_str(&format!("{indent}cached_methods: {}\n", names(b.cached)));
    }
    y.push_str(&format!(
        "{indent}origin: {}\n",
        scalar(&origins[b.origin].id)
    ));
    if b.proto {
        y.push_str(&format!("{indent}forward_cloudfront_proto: true\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
