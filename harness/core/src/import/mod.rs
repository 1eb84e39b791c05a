//! `edgeconform import`: real CloudFront configurations in, the project's distribution YAML out.
//! Pure (text in, text out), so it can be fuzzed.
//!
//! Inputs: AWS CLI JSON (`get-distribution`, `get-distribution-config`, `list-distributions`),
//! CloudFormation templates (YAML with short-form intrinsics, or JSON), Terraform HCL and
//! `terraform show -json` output. Each is read into one positioned tree ([`tree`]), then into a
//! [`raw::RawDistribution`] by a reader per format, then mapped once ([`mapping`]).
//!
//! ```text
//! detect ─▶ json | yaml_tree | hcl_tree ─▶ aws_json | cloudformation | terraform ─▶ RawDistribution
//!        ─▶ mapping (origin, policies, findings) ─▶ YAML, loaded back with Distribution::from_yaml
//! ```

pub mod aws_json;
mod behavior;
pub mod cf_config;
pub mod cloudformation;
pub mod detect;
pub mod emit;
pub mod error;
pub mod findings;
pub mod hcl_tree;
pub mod json;
pub mod mapping;
pub mod origin;
pub mod policies;
pub mod raw;
pub mod substitute;
pub mod terraform;
pub mod tf_config;
pub mod tree;
pub mod warnings;
pub mod yaml_tree;

pub use error::ImportError;
pub use warnings::{Finding, Warning};

use crate::distribution::Distribution;
use std::fmt;

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// AWS CLI output (`get-distribution`, `get-distribution-config`, `list-distributions`).
    Aws,
    /// A CloudFormation template, YAML or JSON.
    CloudFormation,
    /// Terraform HCL.
    Terraform,
    /// `terraform show -json` output (state or plan).
    TerraformJson,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::Aws,
        Format::CloudFormation,
        Format::Terraform,
        Format::TerraformJson,
    ];

    /// The `--format` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Aws => "aws",
            Format::CloudFormation => "cloudformation",
            Format::Terraform => "terraform",
            Format::TerraformJson => "terraform-json",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the caller chose.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Overrides format detection.
    pub format: Option<Format>,
    /// The distribution's domain (CloudFormation and Terraform never know it).
    pub domain: Option<String>,
    /// Which distribution, when the file has several: logical id, Terraform address or
    /// distribution id.
    pub resource: Option<String>,
}

/// One imported distribution.
#[derive(Debug, Clone)]
pub struct Imported {
    pub format: Format,
    /// The resource it came from (logical id, Terraform address, distribution id).
    pub resource: String,
    /// The distribution YAML body (no comments).
    pub yaml: String,
    /// The same, as loaded back with the project's own loader.
    pub distribution: Distribution,
    pub warnings: Vec<Warning>,
    pub findings: Vec<Finding>,
}

/// Imports the one distribution of `text` (or the one `options.resource` names).
pub fn import(text: &str, options: &Options) -> Result<Imported, ImportError> {
    let (format, tree) = detect::parse(text, options.format)?;
    let found = match format {
        Format::Aws => aws_json::read(&tree),
        Format::CloudFormation => cloudformation::read(&tree),
        Format::Terraform => terraform::read_hcl(&tree),
        Format::TerraformJson => terraform::read_json(&tree),
    };
    let what = match format {
        Format::Aws => {
            "a CloudFront distribution (Distribution, DistributionConfig or DistributionList.Items)"
        }
        Format::CloudFormation => "an AWS::CloudFront::Distribution resource",
        Format::Terraform | Format::TerraformJson => "an aws_cloudfront_distribution resource",
    };
    let names: Vec<String> = found.iter().map(|r| r.name.clone()).collect();
    let raw = match (&options.resource, found.len()) {
        (_, 0) => {
            return Err(ImportError::NoDistribution {
                pos: tree.pos,
                message: format!(
                    "no CloudFront distribution in this {format} file; expected {what}"
                ),
            })
        }
        (Some(name), _) => match found
            .iter()
            .find(|r| &r.name == name || short(&r.name) == name)
        {
            Some(r) => r,
            None => {
                return Err(ImportError::Ambiguous {
                    pos: tree.pos,
                    message: format!(
                        "--resource `{name}` names no distribution here; expected one of: {}",
                        names.join(", ")
                    ),
                    names,
                })
            }
        },
        (None, 1) => &found[0],
        (None, _) => {
            return Err(ImportError::Ambiguous {
                pos: found[1].pos,
                message: format!(
                    "{} distributions in this file; pick one with --resource NAME: {}",
                    found.len(),
                    names.join(", ")
                ),
                names,
            })
        }
    };
    let mapped = mapping::map(raw, options.domain.as_deref())?;
    Ok(Imported {
        format,
        resource: raw.name.clone(),
        yaml: mapped.yaml,
        distribution: mapped.distribution,
        warnings: mapped.warnings,
        findings: mapped.findings,
    })
}

/// `aws_cloudfront_distribution.cdn` → `cdn`, so `--resource cdn` works for Terraform too.
fn short(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

impl Imported {
    /// The file `edgeconform import` writes: the schema modeline, a header naming the source,
    /// every warning and finding as a comment, then the distribution.
    pub fn render(&self, source: &str, schema: &str) -> String {
        let mut out = format!("# yaml-language-server: $schema={schema}\n#\n");
        out.push_str(&crate::yaml::write::comment(&format!(
            "Imported by `edgeconform import` from {source} ({}, resource {}).",
            self.format, self.resource
        )));
        if !self.warnings.is_empty() {
            out.push_str("#\n# Warnings (what this file cannot say but a viewer would see):\n");
            for w in &self.warnings {
                out.push_str(&crate::yaml::write::comment(&format!(
                    "  {}:{}: {}",
                    source, w.pos, w.message
                )));
            }
        }
        if !self.findings.is_empty() {
            out.push_str("#\n# Static findings (scanner IDs), and the rules of a live run that settle them:\n");
            for f in &self.findings {
                out.push_str(&crate::yaml::write::comment(&format!(
                    "  {}:{}: {}",
                    source,
                    f.pos,
                    f.text()
                )));
            }
        }
        out.push_str(&self.yaml);
        out
    }
}
