//! Writes the distribution YAML in the layout of `specs/distributions/*.yaml`: one flow mapping
//! per origin, one block per behavior, scalars quoted only where YAML needs it.

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
