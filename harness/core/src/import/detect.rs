//! Which format a file is in, from its content: JSON (AWS CLI output, a CloudFormation template,
//! `terraform show -json`), HCL (Terraform), or YAML (a CloudFormation template).

use super::error::ImportError;
use super::tree::Node;
use super::{aws_json, cloudformation, hcl_tree, json, terraform, yaml_tree, Format};

/// Parses `text` in the given format, or in the one its content shows.
pub fn parse(text: &str, format: Option<Format>) -> Result<(Format, Node), ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(f) = format {
        let tree = match f {
            Format::Aws | Format::TerraformJson => json::parse(text)?,
            Format::CloudFormation if looks_json(text) => json::parse(text)?,
            Format::CloudFormation => yaml_tree::parse(text)?,
            Format::Terraform => hcl_tree::parse(text)?,
        };
        return Ok((f, tree));
    }
    if looks_json(text) {
        let tree = json::parse(text)?;
        let f = if cloudformation::recognizes(&tree) {
            Format::CloudFormation
        } else if terraform::recognizes_json(&tree) {
            Format::TerraformJson
        } else if aws_json::recognizes(&tree) {
            Format::Aws
        } else {
            return Err(ImportError::NoDistribution {
                pos: tree.pos,
                message: "JSON, but not AWS CLI CloudFront output (Distribution / DistributionConfig / DistributionList), a CloudFormation template (Resources) or `terraform show -json` output (values.root_module); pass --format if it is one of them".into(),
            });
        };
        return Ok((f, tree));
    }
    if looks_hcl(text) {
        return Ok((Format::Terraform, hcl_tree::parse(text)?));
    }
    match yaml_tree::parse(text) {
        Ok(tree) if cloudformation::recognizes(&tree) => Ok((Format::CloudFormation, tree)),
        Ok(tree) => Err(ImportError::NoDistribution {
            pos: tree.pos,
            message: "YAML, but not a CloudFormation template (no Resources); expected AWS CLI JSON, a CloudFormation template, Terraform HCL or `terraform show -json` output".into(),
        }),
        Err(e) => Err(ImportError::syntax(
            e.pos(),
            format!("not JSON, YAML or HCL: {e}"),
        )),
    }
}

fn looks_json(text: &str) -> bool {
    text.trim_start().starts_with(['{', '['])
}

/// A Terraform file starts its top-level blocks with one of these words at the start of a line.
fn looks_hcl(text: &str) -> bool {
    text.lines().any(|l| {
        let mut words = l.split_whitespace();
        matches!(
            words.next(),
            Some(
                "resource"
                    | "variable"
                    | "locals"
                    | "provider"
                    | "module"
                    | "terraform"
                    | "data"
                    | "output"
            )
        ) && words
            .next()
            .is_some_and(|w| w.starts_with('"') || w.starts_with('{'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_from_content() {
        let f = |t: &str| parse(t, None).map(|(f, _)| f);
        assert_eq!(f("{\"DistributionConfig\": {}}"), Ok(Format::Aws));
        assert_eq!(f("{\"Resources\": {}}"), Ok(Format::CloudFormation));
        assert_eq!(
            f("{\"format_version\": \"1.0\", \"values\": {\"root_module\": {}}}"),
            Ok(Format::TerraformJson)
        );
        assert_eq!(
            f("resource \"aws_cloudfront_distribution\" \"a\" {}\n"),
            Ok(Format::Terraform)
        );
        assert_eq!(
            f("Resources:\n  A: {Type: X}\n"),
            Ok(Format::CloudFormation)
        );
        assert!(matches!(f("a: [1,\n"), Err(ImportError::Syntax { .. })));
        assert!(matches!(
            f("just: yaml\n"),
            Err(ImportError::NoDistribution { .. })
        ));
        assert!(matches!(
            f("{\"x\": 1}"),
            Err(ImportError::NoDistribution { .. })
        ));
        assert_eq!(
            parse("{\"Resources\": {}}", Some(Format::CloudFormation)).map(|(f, _)| f),
            Ok(Format::CloudFormation)
        );
    }
}
