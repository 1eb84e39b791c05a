//! `edgeconform import`: a real CloudFront configuration in (AWS CLI JSON, CloudFormation,
//! Terraform HCL or `terraform show -json`), the distribution YAML out, with what it cannot carry
//! as positioned warnings and static scanner findings on stderr.
//!
//! ```text
//! $ edgeconform import infra/cdn.tf --domain d111111abcdef8.cloudfront.net -o specs/distributions/cdn.yaml
//! infra/cdn.tf:48:5: warning: behavior `/api/*`: a Lambda@Edge association on viewer-request …
//! infra/cdn.tf:31:30: warning: [CKV_AWS_34, AVD-AWS-0012, CloudFront.3] behavior `* (default)` serves viewers over plain HTTP (allow-all) (a live run settles it: VPP-ALLOW-ALL)
//! wrote specs/distributions/cdn.yaml (aws_cloudfront_distribution.cdn: 2 origins, 4 behaviors; 1 warning, 1 finding)
//! ```

use crate::exit;
use clap::Args;
use edgeconform_core::import::{import, Format, Options};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
#[command(
    after_help = "Writes the distribution YAML that edgeconform runs against \
(specs/distributions/*.yaml).\n\n\
Formats (detected from the content; --format overrides):\n  \
aws             `aws cloudfront get-distribution`, `get-distribution-config` or `list-distributions` \
JSON, or a DistributionConfig file\n  \
cloudformation  a template with AWS::CloudFront::Distribution, YAML (short-form !Ref, !GetAtt, … \
accepted) or JSON\n  \
terraform       HCL with resource \"aws_cloudfront_distribution\"\n  \
terraform-json  `terraform show -json` output (state or plan)\n\n\
Warnings (file:line:column on stderr, and as comments in the file): what the YAML cannot say but a \
viewer would see: Lambda@Edge or CloudFront Functions associations, a custom error response for \
403, origin groups (failover), a value the file does not resolve (the guess is named), a missing \
distribution domain (CloudFormation and Terraform HCL never know the d….cloudfront.net name: pass \
--domain).\n\n\
Static findings, by their scanners' IDs, with the rules a live run settles them by: allow-all \
(checkov CKV_AWS_34, tfsec/Trivy AVD-AWS-0012, Security Hub CloudFront.3; VPP-ALLOW-ALL); origin \
traffic not encrypted (checkov CKV2_AWS_72, Security Hub CloudFront.9; ORG-CUSTOM-POLICY, \
ORG-WEBSITE-HTTP).\n\n\
Examples:\n  \
aws cloudfront get-distribution --id E123 > dist.json && edgeconform import dist.json -o specs/distributions/prod.yaml\n  \
edgeconform import template.yaml --resource CDN --domain d111111abcdef8.cloudfront.net\n  \
terraform show -json > state.json && edgeconform import state.json\n\n\
Exit: 0 imported (warnings do not fail it); 2 bad input (not JSON/YAML/HCL, no or several \
distributions, no default behavior, an unknown origin, an AllowedMethods set CloudFront rejects, …) \
printed as file:line:column: error: …, or a file that cannot be read or written."
)]
pub struct ImportArgs {
    /// The configuration file to import.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The input format, when detection from the content is not wanted.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub format: Option<Format>,
    /// The distribution's own domain (d….cloudfront.net); overrides the input's. Without it and
    /// without one in the input, a placeholder is used and a warning printed.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// Which distribution, when the file has several: a CloudFormation logical id, a Terraform
    /// address (or its last part) or a distribution id.
    #[arg(long, value_name = "NAME")]
    pub resource: Option<String>,
    /// Where to write the YAML (default: standard output).
    #[arg(long, short = 'o', value_name = "OUT.yaml")]
    pub output: Option<PathBuf>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| {
        format!("`{s}` is not a format; expected aws, cloudformation, terraform or terraform-json")
    })
}

pub fn run(args: &ImportArgs) -> u8 {
    let file = args.file.display().to_string();
    let text = match std::fs::read(&args.file) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let valid = String::from_utf8_lossy(&e.as_bytes()[..at]);
                let pos = edgeconform_core::import::tree::pos_at(&valid, valid.len());
                eprintln!(
                    "{file}:{pos}: error: not UTF-8 text (byte offset {at}); expected JSON, YAML or HCL"
                );
                return exit::USAGE;
            }
        },
        Err(e) => {
            eprintln!("edgeconform import: cannot read {file}: {e}");
            return exit::USAGE;
        }
    };
    let options = Options {
        format: args.format,
        domain: args.domain.clone(),
        resource: args.resource.clone(),
    };
    let imported = match import(&text, &options) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{}", e.render(&file));
            return exit::USAGE;
        }
    };
    for w in &imported.warnings {
        eprintln!("{}", w.render(&file));
    }
    for f in &imported.findings {
        eprintln!("{}", f.render(&file));
    }
    let schema = schema_path(args.output.as_deref());
    let yaml = imported.render(&file, &schema);
    let summary = format!(
        "{}: {} origin(s), {} behavior(s) with the default; {} warning(s), {} finding(s)",
        imported.resource,
        imported.distribution.origins.len(),
        imported.distribution.behaviors.len(),
        imported.warnings.len(),
        imported.findings.len()
    );
    match &args.output {
        Some(out) => {
            if let Err(e) = std::fs::write(out, &yaml) {
                eprintln!("edgeconform import: cannot write {}: {e}", out.display());
                return exit::USAGE;
            }
            eprintln!("wrote {} ({summary})", out.display());
        }
        None => {
            print!("{yaml}");
            eprintln!("imported {summary}");
        }
    }
    exit::OK
}

/// The modeline's schema: `specs/distribution.schema.json` of the checkout the command runs in,
/// relative to where the YAML goes; its bare name when there is no checkout around.
fn schema_path(output: Option<&Path>) -> String {
    const SCHEMA: &str = "specs/distribution.schema.json";
    let Ok(cwd) = std::env::current_dir() else {
        return "distribution.schema.json".into();
    };
    let Some(root) = cwd.ancestors().find(|d| d.join(SCHEMA).is_file()) else {
        return "distribution.schema.json".into();
    };
    let schema = root.join(SCHEMA);
    let dir = match output.and_then(|o| o.parent()) {
        Some(p) if !p.as_os_str().is_empty() => cwd.join(p),
        _ => cwd.clone(),
    };
    let dir = dir.canonicalize().unwrap_or(dir);
    let schema = schema.canonicalize().unwrap_or(schema);
    relative(&dir, &schema)
}

/// `to` relative to the directory `from` (both absolute).
fn relative(from: &Path, to: &Path) -> String {
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn schema_paths_are_relative_to_the_output() {
        assert_eq!(
            relative(
                Path::new("/r/specs/distributions"),
                Path::new("/r/specs/distribution.schema.json")
            ),
            "../distribution.schema.json"
        );
        assert_eq!(
            relative(
                Path::new("/r"),
                Path::new("/r/specs/distribution.schema.json")
            ),
            "specs/distribution.schema.json"
        );
    }
}
