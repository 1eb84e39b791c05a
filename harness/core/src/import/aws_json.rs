//! AWS CLI output: `aws cloudfront get-distribution` (`Distribution.DomainName` and
//! `Distribution.DistributionConfig`), `get-distribution-config` (`DistributionConfig`, often with
//! `ETag`) and `list-distributions` (`DistributionList.Items`, one summary per distribution), and
//! a bare DistributionConfig as `create-distribution --distribution-config file://…` reads it.

use super::cf_config;
use super::raw::RawDistribution;
use super::tree::Node;

/// Whether a JSON document looks like AWS CLI CloudFront output.
pub fn recognizes(root: &Node) -> bool {
    root.get_any(&["Distribution", "DistributionConfig", "DistributionList"])
        .is_some()
        || is_bare_config(root)
}

fn is_bare_config(root: &Node) -> bool {
    root.get("Origins").is_some() && root.get("DefaultCacheBehavior").is_some()
}

/// Every distribution in the document.
pub fn read(root: &Node) -> Vec<RawDistribution> {
    if let Some(d) = root.get("Distribution") {
        let name = id(d).unwrap_or_else(|| "Distribution".into());
        let config = d.get("DistributionConfig").unwrap_or(d);
        return vec![cf_config::read(name, config, d.get("DomainName").cloned())];
    }
    if let Some(c) = root.get("DistributionConfig") {
        return vec![cf_config::read("DistributionConfig".into(), c, None)];
    }
    if is_bare_config(root) {
        return vec![cf_config::read("DistributionConfig".into(), root, None)];
    }
    root.get("DistributionList")
        .and_then(|l| l.items())
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let name = id(s).unwrap_or_else(|| format!("DistributionList.Items[{i}]"));
            cf_config::read(name, s, s.get("DomainName").cloned())
        })
        .collect()
}

fn id(n: &Node) -> Option<String> {
    n.get("Id").and_then(|i| i.as_str()).map(str::to_string)
}
