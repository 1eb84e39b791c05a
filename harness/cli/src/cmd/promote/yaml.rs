//! Writing the promoted suite: a header comment (artifact, findings, where the expectation comes
//! from), the inline distribution, one scenario. Every string is a double-quoted scalar with
//! non-ASCII and control characters escaped, so whatever the fuzzer put in reads back exactly.

use super::{Case, Expect, FuzzTarget};
use edgeconform_core::distribution::{Behavior, Distribution, Limits, MethodSet};
use edgeconform_core::yaml::write::{
    header_map, method_list, one_line, origin_kind_fields, quote, WebsitePort,
};
use edgeconform_core::Request;
use std::fmt::Write as _;

pub(super) fn write_suite(
    c: &Case,
    target: FuzzTarget,
    stem: &str,
    name: &str,
    artifact: &str,
) -> String {
    let t = target.as_str();
    let mut y = String::new();
    let _ = writeln!(y, "# yaml-language-server: $schema=../schema.json");
    let _ = writeln!(y, "#");
    let _ = writeln!(y, "# Found by the `{t}` fuzzer: {}", one_line(artifact));
    let _ = writeln!(y, "# Written by `edgeconform promote`; reproduce with `cargo +nightly fuzz run {t} <artifact>`.");
    if c.findings.is_empty() {
        let _ = writeln!(y, "# The oracle finds nothing wrong with this case any more; it stays as a regression scenario.");
    } else {
        let _ = writeln!(y, "# What the fuzzer's oracle found:");
        for f in &c.findings {
            let _ = writeln!(y, "#   - {}", one_line(&f.to_string()));
        }
    }
    let _ = writeln!(y, "# The expectation states {}.", c.basis);
    let _ = writeln!(y, "# Review it against RULES.md, give the scenario a descriptive id, then move it out of found/.");
    write_distribution(&mut y, &c.dist);
    let _ = writeln!(y, "tags: [fuzz, found]");
    let _ = writeln!(y, "scenarios:");
    write_scenario(
        &mut y,
        &Scenario {
            id: format!("found-{stem}"),
            name: name.to_string(),
            rules: c.rules.clone(),
            req: c.req.clone(),
            expect: c.expect.clone(),
            comments: Vec::new(),
        },
    );
    y
}

/// One scenario of a found suite: what `write_scenario` writes under `scenarios:`.
pub(crate) struct Scenario {
    pub id: String,
    pub name: String,
    pub rules: Vec<edgeconform_core::RuleId>,
    pub req: Request,
    pub expect: Expect,
    /// Comment lines written above the scenario (what was observed, where it came from).
    pub comments: Vec<String>,
}

/// Writes one scenario as an item of `scenarios:` (which the caller has written).
pub(crate) fn write_scenario(y: &mut String, s: &Scenario) {
    for c in &s.comments {
        let _ = writeln!(y, "  # {}", one_line(c));
    }
    let _ = writeln!(y, "  - id: {}", s.id);
    let _ = writeln!(y, "    name: {}", quote(&s.name));
    let rules: Vec<&str> = s.rules.iter().map(|r| r.as_str()).collect();
    let _ = writeln!(y, "    rules: [{}]", rules.join(", "));
    let _ = writeln!(y, "    request: {}", request_yaml(&s.req));
    let _ = writeln!(y, "    expect:");
    match &s.expect {
        Expect::Edge { status, redirect } => {
            let loc = if *redirect {
                ", location: same-url-over-https"
            } else {
                ""
            };
            let _ = writeln!(y, "      viewer: {{status: {}{loc}}}", statuses(status));
            let _ = writeln!(y, "      origin: {{contacted: false}}");
        }
        Expect::Forward {
            origin,
            protocol,
            port,
            path,
        } => {
            let _ = writeln!(
                y,
                "      origin: {{id: {}, protocol: {protocol}, port: {port}, path: {}}}",
                quote(origin),
                quote(path)
            );
        }
    }
}

/// `301`, or `[307, 403]` where several answers conform.
pub(crate) fn statuses(s: &[u16]) -> String {
    match s {
        [one] => one.to_string(),
        many => format!(
            "[{}]",
            many.iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Writes the distribution inline (`distribution:` and its fields).
pub(crate) fn write_distribution(y: &mut String, d: &Distribution) {
    let _ = writeln!(y, "distribution:");
    let _ = writeln!(y, "  domain: {}", quote(&d.domain));
    if !d.aliases.is_empty() {
        let aliases: Vec<String> = d.aliases.iter().map(|a| quote(a)).collect();
        let _ = writeln!(y, "  aliases: [{}]", aliases.join(", "));
    }
    let _ = writeln!(y, "  ruleset: {}", d.ruleset.as_str());
    let _ = writeln!(y, "  origins:");
    for o in &d.origins {
        let mut fields = origin_kind_fields(&o.kind, WebsitePort::Always);
        if !o.origin_path.is_empty() {
            fields.push(format!("origin_path: {}", quote(&o.origin_path)));
        }
        let _ = writeln!(y, "    {}: {{{}}}", quote(&o.id), fields.join(", "));
    }
    let (default, rest) = d
        .behaviors
        .split_last()
        .expect("a distribution has its default behavior");
    if !rest.is_empty() {
        let _ = writeln!(y, "  behaviors:");
        for b in rest {
            let _ = writeln!(
                y,
                "    - {{path_pattern: {}, {}}}",
                quote(b.path_pattern.as_str()),
                settings_yaml(d, b)
            );
        }
    }
    let _ = writeln!(y, "  default_behavior: {{{}}}", settings_yaml(d, default));
    if d.limits != Limits::default() {
        let l = d.limits;
        let _ = writeln!(
            y,
            "  limits: {{max_behaviors: {}, max_head_bytes: {}, max_url_bytes: {}}}",
            l.max_behaviors, l.max_head_bytes, l.max_url_bytes
        );
    }
}

fn settings_yaml(d: &Distribution, b: &Behavior) -> String {
    let mut s = format!(
        "viewer_protocol_policy: {}",
        b.viewer_protocol_policy.as_str()
    );
    if b.allowed_methods != MethodSet::GET_HEAD {
        let _ = write!(s, ", allowed_methods: {}", method_list(b.allowed_methods));
    }
    if b.cached_methods != MethodSet::GET_HEAD {
        let _ = write!(s, ", cached_methods: {}", method_list(b.cached_methods));
    }
    let _ = write!(s, ", origin: {}", quote(&d.origins[b.origin].id));
    if b.forward_cloudfront_proto {
        s.push_str(", forward_cloudfront_proto: true");
    }
    s
}

fn request_yaml(r: &Request) -> String {
    let mut s = format!(
        "{{method: {}, scheme: {}, path: {}",
        quote(r.method.as_str()),
        r.scheme,
        quote(&r.target)
    );
    match &r.host {
        Some(h) => {
            let _ = write!(s, ", host: {}", quote(h));
        }
        None => s.push_str(", omit_host: true"),
    }
    let _ = write!(s, ", version: \"{}\"", r.version);
    if !r.headers.is_empty() {
        let _ = write!(s, ", headers: {}", header_map(&r.headers));
    }
    // The body and length exactly as sent, whatever the loader's real-client defaults are.
    match (r.body_len, r.content_length) {
        (0, false) => {
            if edgeconform_core::request::client_body(&r.method, None, None) != (0, false) {
                s.push_str(", content_length: false");
            }
        }
        (n, _) => {
            let _ = write!(s, ", body_size: {n}");
        }
    }
    s.push('}');
    s
}

/// At most 60 characters for a name, control characters escaped.
pub(crate) fn shorten(s: &str) -> String {
    let s = one_line(s);
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_and_printable() {
        assert_eq!(shorten(&"a".repeat(70)).chars().count(), 61);
        assert_eq!(one_line("a\nb"), "a\\nb");
    }
}
