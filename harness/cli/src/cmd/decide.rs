//! `edgeconform decide`: the model's decision for one request, as one JSON object.
//!
//! ```text
//! $ edgeconform decide --distribution specs/distributions/standard.yaml --method POST \
//!     --url 'http://www.example.com/images/a.jpg?x=1'
//! {"status":403,"location":null,"behavior":"/images/*","origin":null,"origin_protocol":null,
//!  "origin_port":null,"origin_path":null,"rules":["PAT-ORDER",...]}
//! ```

use crate::exit;
use anyhow::Context;
use clap::Args;
use edgeconform_core::decide::{decide, Action};
use edgeconform_core::distribution::Distribution;
use edgeconform_core::{HttpVersion, Method, Request, Scheme};
use serde_json::json;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct DecideArgs {
    /// Distribution file (YAML), e.g. specs/distributions/standard.yaml.
    #[arg(long, short = 'd', value_name = "FILE")]
    pub distribution: PathBuf,
    /// Request method; any token (unsupported ones are refused by MTH-SUPPORTED).
    #[arg(long, short = 'X', default_value = "GET")]
    pub method: String,
    /// The request URL: scheme, Host (with an optional port) and the raw request-target, kept byte
    /// for byte (no normalisation), e.g. 'http://www.example.com/images/a.jpg?x=1'.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// HTTP version of the request: 1.0, 1.1 or 2 (2 only over https).
    #[arg(long, default_value = "1.1", value_parser = parse_version)]
    pub http_version: HttpVersion,
    /// A request header `Name: value`; repeatable.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Body length in bytes (a GET with a body is refused, MTH-GET-BODY).
    #[arg(long, default_value_t = 0)]
    pub body_len: u64,
}

fn parse_version(s: &str) -> Result<HttpVersion, String> {
    HttpVersion::parse(s)
        .ok_or_else(|| format!("`{s}` is not an HTTP version; expected 1.0, 1.1 or 2"))
}

/// Splits `scheme://host/target` without normalising anything (the `url` crate would rewrite
/// `/a/../b` and percent-escapes).
pub fn split_url(url: &str) -> anyhow::Result<(Scheme, String, String)> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        anyhow::anyhow!(
            "`{url}` is not an absolute URL; expected http://HOST/PATH or https://HOST/PATH"
        )
    })?;
    let scheme = Scheme::parse(&scheme.to_ascii_lowercase()).ok_or_else(|| {
        anyhow::anyhow!("scheme `{scheme}` is not supported; expected http or https")
    })?;
    let (host, target) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    if host.is_empty() {
        anyhow::bail!("`{url}` has no host; expected http://HOST/PATH");
    }
    if let Some(i) = target.find('#') {
        anyhow::bail!("`{url}` has a fragment at byte {i}; clients never send one, remove it");
    }
    Ok((scheme, host.to_string(), target))
}

pub fn run(args: &DecideArgs) -> u8 {
    match run_inner(args) {
        Ok(v) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&v).expect("JSON values always serialise")
            );
            exit::OK
        }
        Err(msg) => {
            eprintln!("edgeconform decide: {msg:#}");
            exit::USAGE
        }
    }
}

fn run_inner(args: &DecideArgs) -> anyhow::Result<serde_json::Value> {
    let file = args.distribution.display().to_string();
    let text = std::fs::read_to_string(&args.distribution)
        .with_context(|| format!("cannot read {file}"))?;
    let dist = Distribution::from_yaml(&text).map_err(|p| anyhow::anyhow!(p.render(&file)))?;
    let (scheme, host, target) = split_url(&args.url)?;
    if scheme == Scheme::Http && args.http_version == HttpVersion::Http2 {
        anyhow::bail!("HTTP/2 needs TLS: use an https:// URL or --http-version 1.1");
    }
    let mut headers = Vec::new();
    for h in &args.headers {
        let (n, v) = h
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("header `{h}` has no `:`; expected `Name: value`"))?;
        headers.push((n.trim().to_string(), v.trim().to_string()));
    }
    let req = Request {
        method: Method::parse(&args.method),
        scheme,
        host: Some(host),
        target,
        version: args.http_version,
        headers,
        body_len: args.body_len,
        content_length: args.body_len > 0,
    };
    let d = decide(&dist, &req);
    let behavior = d
        .behavior
        .map(|i| dist.behaviors[i].path_pattern.to_string());
    let rules: Vec<&str> = d.rules.iter().map(|r| r.as_str()).collect();
    Ok(match &d.action {
        Action::Respond(r) => json!({
            "status": r.status,
            "location": r.location,
            "behavior": behavior,
            "origin": null,
            "origin_protocol": null,
            "origin_port": null,
            "origin_path": null,
            "result_type": r.result_type,
            "detailed_result_type": r.detailed_result_type,
            "close_connection": r.close,
            "rules": rules,
        }),
        Action::Forward(f) => json!({
            "status": null,
            "location": null,
            "behavior": behavior,
            "origin": dist.origins[f.origin].id,
            "origin_protocol": f.protocol.as_str(),
            "origin_port": f.port,
            "origin_path": f.target,
            "cloudfront_forwarded_proto": f.cloudfront_forwarded_proto.map(|s| s.as_str()),
            "rules": rules,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::split_url;
    use edgeconform_core::Scheme;

    #[test]
    fn urls_are_split_without_normalising() {
        assert_eq!(
            split_url("http://www.example.com:8080/a/../b%2F?x=1").unwrap(),
            (
                Scheme::Http,
                "www.example.com:8080".into(),
                "/a/../b%2F?x=1".into()
            )
        );
        assert_eq!(
            split_url("https://h").unwrap(),
            (Scheme::Https, "h".into(), "/".into())
        );
        assert_eq!(
            split_url("https://h?q").unwrap(),
            (Scheme::Https, "h".into(), "/?q".into())
        );
        assert!(split_url("ftp://h/")
            .unwrap_err()
            .to_string()
            .contains("expected http or https"));
        assert!(split_url("www.example.com/")
            .unwrap_err()
            .to_string()
            .contains("not an absolute URL"));
        assert!(split_url("http:///x")
            .unwrap_err()
            .to_string()
            .contains("no host"));
        assert!(split_url("http://h/x#f")
            .unwrap_err()
            .to_string()
            .contains("fragment"));
    }
}
