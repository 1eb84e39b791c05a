//! The import corpus (`tests/import_corpus/`, sources in its SOURCES.md): real CloudFront
//! configurations in every input format, each imported and snapshotted (the written YAML with its
//! warnings and findings, or the positioned error), and every YAML written loaded back with the
//! project's own distribution loader.

use edgeconform_core::distribution::Distribution;
use edgeconform_core::import::{import, Format, Options};
use std::path::Path;

/// One corpus file and the options a user would pass for it.
struct Case {
    file: &'static str,
    format: Format,
    resource: Option<&'static str>,
    /// Whether the import must fail (the snapshot is then the error).
    fails: bool,
}

const fn ok(file: &'static str, format: Format) -> Case {
    Case {
        file,
        format,
        resource: None,
        fails: false,
    }
}

const CASES: &[Case] = &[
    ok("aws--aws-cli-get-distribution.json", Format::Aws),
    ok("aws--aws-cli-list-distributions.json", Format::Aws),
    ok("aws--custodian-custom-origin.json", Format::Aws),
    ok("aws--custodian-post-finding.json", Format::Aws),
    ok("aws--custodian-waf.json", Format::Aws),
    ok("aws--dorelo-s3-website-config.json", Format::Aws),
    ok(
        "cfn--checkov-encryption-failed.yaml",
        Format::CloudFormation,
    ),
    Case {
        resource: Some("ExampleFailOneGoodOneBadDistribution"),
        ..ok(
            "cfn--checkov-origin-not-https-only.yaml",
            Format::CloudFormation,
        )
    },
    ok("cfn--widdix-static-website.yaml", Format::CloudFormation),
    ok(
        "cfn--aws-templates-custom-origin-lambda-edge.yaml",
        Format::CloudFormation,
    ),
    Case {
        resource: Some("CloudFrontDistributionRedirect"),
        ..ok(
            "cfnjson--widdix-static-website.json",
            Format::CloudFormation,
        )
    },
    ok("cfnjson--aws-templates-gitlab.json", Format::CloudFormation),
    ok(
        "cfnjson--aws-templates-compliant-static-website.json",
        Format::CloudFormation,
    ),
    ok("tf--wellcome-api.tf", Format::Terraform),
    Case {
        fails: true,
        ..ok("tf--wellcome-iiif-dynamic.tf", Format::Terraform)
    },
    ok("tf--media-cloudfront.tf", Format::Terraform),
    ok("tf--itsyndicate-demo-cdn.tf", Format::Terraform),
    ok("tf--shift-left-allow-all-ordered.tf", Format::Terraform),
    ok("tf--serverless-cv-builder-dynamic.tf", Format::Terraform),
    ok(
        "tfjson--wellcome-iiif-prod-state.json",
        Format::TerraformJson,
    ),
    ok(
        "tfjson--itsyndicate-demo-cdn-plan.json",
        Format::TerraformJson,
    ),
    ok("tfjson--media-cloudfront-state.json", Format::TerraformJson),
    Case {
        fails: true,
        ..ok(
            "tfjson--checkov-plan-after-unknown.json",
            Format::TerraformJson,
        )
    },
];

fn corpus(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import_corpus")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_corpus_file_imports_as_snapshotted_and_loads_back() {
    let listed: Vec<&str> = CASES.iter().map(|c| c.file).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import_corpus");
    for entry in std::fs::read_dir(&dir).expect("the corpus directory") {
        let name = entry.expect("a directory entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            name == "SOURCES.md" || listed.contains(&name.as_ref()),
            "{name} is in the corpus but not in CASES"
        );
    }
    for case in CASES {
        let text = corpus(case.file);
        let options = Options {
            resource: case.resource.map(str::to_string),
            ..Options::default()
        };
        let result = import(&text, &options);
        let snapshot = match (&result, case.fails) {
            (Ok(imported), false) => {
                assert_eq!(
                    imported.format, case.format,
                    "{}: detected format",
                    case.file
                );
                let written = imported.render(case.file, "../distribution.schema.json");
                let loaded = Distribution::from_yaml(&written).unwrap_or_else(|p| {
                    panic!(
                        "{}: does not load back:\n{}",
                        case.file,
                        p.render(case.file)
                    )
                });
                assert_eq!(loaded, imported.distribution, "{}: round trip", case.file);
                // The format flag gives the same result as detection.
                let forced = import(
                    &text,
                    &Options {
                        format: Some(case.format),
                        ..options.clone()
                    },
                )
                .expect("the forced format imports too");
                assert_eq!(forced.yaml, imported.yaml, "{}: --format", case.file);
                written
            }
            (Err(e), true) => e.render(case.file),
            (Ok(_), true) => panic!("{}: imported, but it should fail", case.file),
            (Err(e), false) => panic!("{}", e.render(case.file)),
        };
        insta::assert_snapshot!(case.file, snapshot);
    }
}

#[test]
fn several_distributions_need_a_resource_and_list_them() {
    let text = corpus("cfn--checkov-origin-not-https-only.yaml");
    let e = import(&text, &Options::default()).unwrap_err();
    let msg = e.render("t.yaml");
    assert!(msg.starts_with("t.yaml:"), "{msg}");
    assert!(
        msg.contains("7 distributions in this file; pick one with --resource NAME"),
        "{msg}"
    );
    assert!(msg.contains("ExampleFailDistribution"), "{msg}");
    let e = import(
        &text,
        &Options {
            resource: Some("Nope".into()),
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("--resource `Nope` names no distribution here"),
        "{e}"
    );
}

#[test]
fn terraform_resources_are_found_by_their_short_name_too() {
    let text = corpus("tf--wellcome-api.tf");
    let i = import(
        &text,
        &Options {
            resource: Some("wellcomecollection".into()),
            domain: Some("d111111abcdef8.cloudfront.net".into()),
            ..Options::default()
        },
    )
    .expect("imports");
    assert_eq!(i.resource, "aws_cloudfront_distribution.wellcomecollection");
    assert!(i
        .warnings
        .iter()
        .all(|w| !w.message.contains("placeholder")));
}
