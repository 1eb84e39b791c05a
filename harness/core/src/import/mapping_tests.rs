//! One test per mapping rule and per error, each from a small snippet in the format that shows it
//! best; warnings, findings and errors are checked with their line:column.

use crate::distribution::{OriginKind, OriginProtocolPolicy, ViewerProtocolPolicy};
use crate::import::{import, ImportError, Imported, Options};
use crate::RuleId;

fn ok(text: &str) -> Imported {
    import(text, &Options::default()).unwrap_or_else(|e| panic!("{}", e.render("t")))
}

fn err(text: &str) -> ImportError {
    match import(text, &Options::default()) {
        Ok(i) => panic!("imported:\n{}", i.yaml),
        Err(e) => e,
    }
}

/// Warnings as `line:col: message`.
fn warnings(i: &Imported) -> Vec<String> {
    i.warnings
        .iter()
        .map(|w| format!("{}: {}", w.pos, w.message))
        .collect()
}

fn has(list: &[String], at: &str, text: &str) -> bool {
    list.iter().any(|w| w.starts_with(at) && w.contains(text))
}

/// A CloudFormation template around one DistributionConfig (indented by 6).
fn cfn(config: &str) -> String {
    format!("Resources:\n  CDN:\n    Type: AWS::CloudFront::Distribution\n    Properties:\n      DistributionConfig:\n{config}")
}

const S3_ORIGIN: &str = "        Origins:
          - Id: s3
            DomainName: b.s3.amazonaws.com
            S3OriginConfig: {}
";

fn cfn_default(vpp: &str) -> String {
    cfn(&format!(
        "{S3_ORIGIN}        DefaultCacheBehavior:\n          TargetOriginId: s3\n          ViewerProtocolPolicy: {vpp}\n"
    ))
}

#[test]
fn s3_origin_config_is_an_s3_origin() {
    let i = ok(&cfn_default("redirect-to-https"));
    assert_eq!(i.distribution.origins[0].kind, OriginKind::S3);
    assert_eq!(
        i.distribution.behaviors[0].viewer_protocol_policy,
        ViewerProtocolPolicy::RedirectToHttps
    );
}

#[test]
fn an_oac_only_s3_rest_domain_is_an_s3_origin() {
    let i = ok(r#"resource "aws_cloudfront_distribution" "d" {
  origin {
    domain_name              = "assets.s3.eu-west-1.amazonaws.com"
    origin_id                = "s3"
    origin_access_control_id = aws_cloudfront_origin_access_control.oac.id
  }
  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "s3"
    viewer_protocol_policy = "https-only"
  }
}
"#);
    assert_eq!(i.distribution.origins[0].kind, OriginKind::S3);
}

#[test]
fn a_custom_origin_on_a_website_endpoint_is_s3_website() {
    for domain in [
        "site.s3-website-us-east-1.amazonaws.com",
        "site.s3-website.eu-west-3.amazonaws.com",
    ] {
        let i = ok(&cfn(&format!(
            "        Origins:\n          - Id: w\n            DomainName: {domain}\n            CustomOriginConfig: {{OriginProtocolPolicy: http-only, HTTPPort: 8080}}\n        DefaultCacheBehavior: {{TargetOriginId: w, ViewerProtocolPolicy: redirect-to-https}}\n"
        )));
        assert_eq!(
            i.distribution.origins[0].kind,
            OriginKind::S3Website { http_port: 8080 },
            "{domain}"
        );
        assert_eq!(i.findings.len(), 1, "{:?}", i.findings);
        assert_eq!(i.findings[0].ids, vec!["CKV2_AWS_72", "CloudFront.9"]);
        assert_eq!(i.findings[0].settled_by, vec![RuleId::OrgWebsiteHttp]);
    }
}

#[test]
fn https_to_a_website_endpoint_is_warned() {
    let i = ok(&cfn("        Origins:
          - Id: w
            DomainName: site.s3-website-us-east-1.amazonaws.com
            CustomOriginConfig: {OriginProtocolPolicy: https-only}
        DefaultCacheBehavior: {TargetOriginId: w, ViewerProtocolPolicy: redirect-to-https}
"));
    assert!(has(
        &warnings(&i),
        "9:56",
        "only speaks HTTP, but the origin protocol policy is https-only"
    ));
}

#[test]
fn custom_origins_keep_policy_ports_and_path() {
    let i = ok(r#"{"DistributionConfig": {
  "Origins": {"Quantity": 1, "Items": [{"Id": "api", "DomainName": "api.example.com", "OriginPath": "/v1",
    "CustomOriginConfig": {"HTTPPort": 8080, "HTTPSPort": 8443, "OriginProtocolPolicy": "match-viewer"}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "api", "ViewerProtocolPolicy": "https-only"}}}"#);
    let o = &i.distribution.origins[0];
    assert_eq!(
        o.kind,
        OriginKind::Custom {
            protocol_policy: OriginProtocolPolicy::MatchViewer,
            http_port: 8080,
            https_port: 8443
        }
    );
    assert_eq!(o.origin_path, "/v1");
    assert!(
        i.yaml.contains("domain_name: api.example.com"),
        "{}",
        i.yaml
    );
}

#[test]
fn behaviors_keep_their_order_and_the_default_comes_last() {
    let i = ok(&cfn(&format!(
        "{S3_ORIGIN}        CacheBehaviors:
          - {{PathPattern: /b/*, TargetOriginId: s3, ViewerProtocolPolicy: https-only}}
          - {{PathPattern: /a/*, TargetOriginId: s3, ViewerProtocolPolicy: allow-all}}
        DefaultCacheBehavior: {{TargetOriginId: s3, ViewerProtocolPolicy: redirect-to-https}}
"
    )));
    let patterns: Vec<String> = i
        .distribution
        .behaviors
        .iter()
        .map(|b| b.path_pattern.to_string())
        .collect();
    assert_eq!(patterns, ["/b/*", "/a/*", "*"]);
    assert!(i.distribution.behaviors[2].is_default);
}

#[test]
fn methods_are_read_in_any_order_and_case() {
    let i = ok(&cfn(&format!(
        "{S3_ORIGIN}        DefaultCacheBehavior:
          TargetOriginId: s3
          ViewerProtocolPolicy: https-only
          AllowedMethods: [options, Head, GET]
          CachedMethods: [HEAD, GET]
"
    )));
    let b = &i.distribution.behaviors[0];
    assert_eq!(
        b.allowed_methods,
        crate::distribution::MethodSet::GET_HEAD_OPTIONS
    );
    assert_eq!(b.cached_methods, crate::distribution::MethodSet::GET_HEAD);
    assert!(
        i.yaml.contains("allowed_methods: [GET, HEAD, OPTIONS]"),
        "{}",
        i.yaml
    );
}

#[test]
fn aliases_are_lowercased_deduplicated_and_bad_ones_warned() {
    let i = ok(&cfn(&format!(
        "        Aliases: [WWW.Example.com, www.example.com, '*.cdn.example.com', 'bad name', !Ref Other]\n{S3_ORIGIN}        DefaultCacheBehavior: {{TargetOriginId: s3, ViewerProtocolPolicy: https-only}}\n"
    )));
    assert_eq!(
        i.distribution.aliases,
        ["www.example.com", "*.cdn.example.com"]
    );
    let w = warnings(&i);
    assert!(
        has(&w, "6:74", "`bad name` is not a valid DNS name"),
        "{w:?}"
    );
    assert!(has(&w, "6:86", "`!Ref Other` is not resolved"), "{w:?}");
}

#[test]
fn cloudfront_forwarded_proto_from_headers_or_a_managed_policy() {
    let tf = |extra: &str| {
        format!(
            r#"resource "aws_cloudfront_distribution" "d" {{
  origin {{
    domain_name = "api.example.com"
    origin_id   = "api"
    custom_origin_config {{
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
    }}
  }}
  default_cache_behavior {{
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "api"
    viewer_protocol_policy = "https-only"
{extra}
  }}
}}
"#
        )
    };
    let proto = |extra: &str| ok(&tf(extra)).distribution.behaviors[0].forward_cloudfront_proto;
    assert!(proto(
        "    forwarded_values {\n      headers = [\"Host\", \"cloudfront-forwarded-proto\"]\n    }"
    ));
    assert!(!proto(
        "    forwarded_values {\n      headers = [\"Host\"]\n    }"
    ));
    assert!(proto(
        "    origin_request_policy_id = \"33f36d7e-f396-46d9-90e0-52428a34d9dc\""
    ));
    assert!(!proto(
        "    origin_request_policy_id = \"216adef6-5c7f-47e4-b989-5492eafa07d3\""
    ));
    let i = ok(&tf(
        "    origin_request_policy_id = aws_cloudfront_origin_request_policy.p.id",
    ));
    assert!(!i.distribution.behaviors[0].forward_cloudfront_proto);
    assert!(
        has(
            &warnings(&i),
            "16:32",
            "whether CloudFront-Forwarded-Proto reaches the origin is unknown"
        ),
        "{:?}",
        warnings(&i)
    );
}

#[test]
fn function_associations_error_pages_and_origin_groups_are_warned() {
    let i = ok(&cfn(&format!(
        "{S3_ORIGIN}          - Id: backup
            DomainName: backup.s3.amazonaws.com
            S3OriginConfig: {{}}
        OriginGroups:
          Quantity: 1
          Items:
            - Id: g
              Members: {{Quantity: 2, Items: [{{OriginId: s3}}, {{OriginId: backup}}]}}
        CustomErrorResponses:
          - ErrorCode: 403
            ResponseCode: 200
            ResponsePagePath: /index.html
        DefaultCacheBehavior:
          TargetOriginId: g
          ViewerProtocolPolicy: redirect-to-https
          FunctionAssociations:
            - EventType: viewer-request
              FunctionARN: !GetAtt Rewrite.FunctionARN
          LambdaFunctionAssociations:
            - EventType: origin-response
              LambdaFunctionARN: arn:aws:lambda:us-east-1:111122223333:function:f:1
"
    )));
    assert_eq!(i.distribution.behaviors[0].origin, 0, "the group's primary");
    let w = warnings(&i);
    assert!(
        has(
            &w,
            "16:15",
            "origin group `g` (failover from `s3` to `backup`)"
        ),
        "{w:?}"
    );
    assert!(has(&w, "19:24", "custom error response for 403"), "{w:?}");
    assert!(
        has(
            &w,
            "26:15",
            "a CloudFront Functions association on viewer-request"
        ),
        "{w:?}"
    );
    assert!(
        has(&w, "29:15", "a Lambda@Edge association on origin-response"),
        "{w:?}"
    );
}

#[test]
fn unresolved_domains_are_guessed_and_the_guess_named() {
    let i = ok(&cfn("        Origins:
          - Id: site
            DomainName: !Select [2, !Split ['/', !GetAtt Bucket.WebsiteURL]]
            CustomOriginConfig: {OriginProtocolPolicy: http-only}
          - Id: alb
            DomainName: !GetAtt LB.DNSName
            CustomOriginConfig: {OriginProtocolPolicy: https-only}
        DefaultCacheBehavior: {TargetOriginId: site, ViewerProtocolPolicy: redirect-to-https}
"));
    assert_eq!(
        i.distribution.origins[0].kind,
        OriginKind::S3Website { http_port: 80 }
    );
    assert!(matches!(
        i.distribution.origins[1].kind,
        OriginKind::Custom { .. }
    ));
    let w = warnings(&i);
    assert!(
        has(&w, "8:25", "imported as type: s3-website (a guess"),
        "{w:?}"
    );
    assert!(
        has(&w, "11:25", "imported as type: custom (a guess"),
        "{w:?}"
    );
}

#[test]
fn the_domain_comes_from_the_input_or_the_flag_or_a_placeholder() {
    let text = cfn_default("https-only");
    let i = ok(&text);
    assert_eq!(i.distribution.domain, "d111111abcdef8.cloudfront.net");
    assert!(has(&warnings(&i), "2:3", "pass --domain"));
    let i = import(
        &text,
        &Options {
            domain: Some("D2ABC.cloudfront.net".into()),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(i.distribution.domain, "d2abc.cloudfront.net");
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
    let e = import(
        &text,
        &Options {
            domain: Some("not a name".into()),
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("--domain `not a name` is not a valid domain name"),
        "{e}"
    );
}

#[test]
fn parameter_and_variable_defaults_are_used_and_said() {
    let i = ok(&format!(
        "Parameters:\n  Policy: {{Type: String, Default: https-only}}\n{}",
        cfn_default("!Ref Policy")
    ));
    assert_eq!(
        i.distribution.behaviors[0].viewer_protocol_policy,
        ViewerProtocolPolicy::HttpsOnly
    );
    assert!(has(
        &warnings(&i),
        "14:33",
        "`!Ref Policy` read as the parameter's default `https-only`"
    ));
    let i = ok(r#"variable "vpp" {
  default = "allow-all"
}
resource "aws_cloudfront_distribution" "d" {
  origin {
    domain_name = "b.s3.amazonaws.com"
    origin_id   = "s3"
    s3_origin_config {
      origin_access_identity = ""
    }
  }
  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "s3"
    viewer_protocol_policy = var.vpp
  }
}
"#);
    assert!(has(
        &warnings(&i),
        "16:30",
        "`var.vpp` read as the variable's default `allow-all`"
    ));
    assert_eq!(
        i.findings[0].ids,
        vec!["CKV_AWS_34", "AVD-AWS-0012", "CloudFront.3"]
    );
    assert_eq!(i.findings[0].pos.to_string(), "16:30");
}

#[test]
fn findings_name_the_behavior_and_the_rules_that_settle_them() {
    let i = ok(&cfn("        Origins:
          - Id: plain
            DomainName: app.example.com
            CustomOriginConfig: {OriginProtocolPolicy: http-only}
          - Id: mv
            DomainName: api.example.com
            CustomOriginConfig: {OriginProtocolPolicy: match-viewer}
        CacheBehaviors:
          - {PathPattern: /api/*, TargetOriginId: mv, ViewerProtocolPolicy: allow-all}
          - {PathPattern: /safe/*, TargetOriginId: mv, ViewerProtocolPolicy: redirect-to-https}
        DefaultCacheBehavior: {TargetOriginId: plain, ViewerProtocolPolicy: https-only}
"));
    let f: Vec<String> = i
        .findings
        .iter()
        .map(|f| format!("{} {} {}", f.pos, f.behavior, f.text()))
        .collect();
    assert_eq!(f.len(), 4, "{f:#?}");
    assert!(
        f[0].starts_with("14:77 /api/* [CKV_AWS_34, AVD-AWS-0012, CloudFront.3]")
            && f[0].ends_with("(a live run settles it: VPP-ALLOW-ALL)"),
        "{f:#?}"
    );
    assert!(
        f[1].starts_with("14:77 /api/* [CKV2_AWS_72, CloudFront.9]")
            && f[1].ends_with("ORG-CUSTOM-POLICY, VPP-ALLOW-ALL)"),
        "{f:#?}"
    );
    assert!(
        f[2].starts_with("15:78 /safe/* [CKV2_AWS_72]")
            && f[2].contains("CloudFront.9 does not flag it"),
        "{f:#?}"
    );
    assert!(
        f[3].starts_with("16:77 * (default) [CKV2_AWS_72, CloudFront.9]")
            && f[3].contains("http-only"),
        "{f:#?}"
    );
}

#[test]
fn show_json_child_modules_and_the_state_domain() {
    let i = ok(
        r#"{"format_version": "1.0", "values": {"root_module": {"child_modules": [{"resources": [
  {"address": "module.cdn.aws_cloudfront_distribution.this", "mode": "managed", "type": "aws_cloudfront_distribution", "name": "this",
   "values": {"domain_name": "d2abc.cloudfront.net", "aliases": ["a.example.com"],
     "origin": [{"origin_id": "s3", "domain_name": "b.s3.amazonaws.com", "s3_origin_config": [{"origin_access_identity": ""}], "custom_origin_config": []}],
     "default_cache_behavior": [{"target_origin_id": "s3", "viewer_protocol_policy": "https-only", "allowed_methods": ["HEAD", "GET"], "cached_methods": ["GET", "HEAD"]}],
     "ordered_cache_behavior": []}}]}]}}}"#,
    );
    assert_eq!(i.resource, "module.cdn.aws_cloudfront_distribution.this");
    assert_eq!(i.distribution.domain, "d2abc.cloudfront.net");
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
}

// ---- errors, each with its position ----

fn at(e: &ImportError) -> String {
    e.render("t")
}

#[test]
fn not_json_yaml_or_hcl() {
    let e = err("Resources: [a, b\n  c: d\n");
    assert!(matches!(e, ImportError::Syntax { .. }), "{e:?}");
    assert!(at(&e).starts_with("t:"), "{}", at(&e));
    let e = err("{\"Distribution\": {\"DomainName\": }");
    assert_eq!(at(&e), "t:1:33: error: invalid JSON: expected a value (object, array, string, number, true, false or null)");
    let e = err("resource \"aws_cloudfront_distribution\" \"d\" {\n  origin {\n}\n");
    assert!(
        at(&e).starts_with("t:3:3: error: invalid HCL: invalid block body"),
        "{}",
        at(&e)
    );
}

#[test]
fn no_distribution_in_the_file() {
    let e = err("Resources:\n  B: {Type: AWS::S3::Bucket}\n");
    assert_eq!(
        at(&e),
        "t:1:1: error: no CloudFront distribution in this cloudformation file; expected an AWS::CloudFront::Distribution resource"
    );
}

#[test]
fn several_distributions_without_a_resource() {
    let one = "    Type: AWS::CloudFront::Distribution\n    Properties: {DistributionConfig: {}}\n";
    let e = err(&format!("Resources:\n  A:\n{one}  B:\n{one}"));
    assert!(
        matches!(&e, ImportError::Ambiguous { names, .. } if names == &["A", "B"]),
        "{e:?}"
    );
    assert_eq!(
        at(&e),
        "t:5:3: error: 2 distributions in this file; pick one with --resource NAME: A, B"
    );
}

#[test]
fn no_default_behavior() {
    let e = err(&cfn(S3_ORIGIN));
    assert_eq!(
        at(&e),
        "t:2:3: error: distribution `CDN` has no default cache behavior (DefaultCacheBehavior / default_cache_behavior); CloudFront requires one"
    );
}

#[test]
fn a_behavior_naming_an_unknown_origin() {
    let e = err(&cfn(&format!(
        "{S3_ORIGIN}        DefaultCacheBehavior: {{TargetOriginId: nope, ViewerProtocolPolicy: https-only}}\n"
    )));
    assert_eq!(
        at(&e),
        "t:10:48: error: unknown origin `nope`; expected one of: `s3`"
    );
}

#[test]
fn an_allowed_methods_set_cloudfront_rejects() {
    let e = err(&cfn(&format!(
        "{S3_ORIGIN}        DefaultCacheBehavior:\n          TargetOriginId: s3\n          ViewerProtocolPolicy: https-only\n          AllowedMethods: [GET, HEAD, POST]\n"
    )));
    assert_eq!(e.rule(), Some(RuleId::MthAllowedSets));
    assert!(at(&e).starts_with("t:13:27: error: behavior `*`: AllowedMethods [GET, HEAD, POST] is not a set CloudFront accepts"), "{}", at(&e));
    let e = err(&cfn(&format!(
        "{S3_ORIGIN}        DefaultCacheBehavior:\n          TargetOriginId: s3\n          ViewerProtocolPolicy: https-only\n          CachedMethods: [GET, HEAD, OPTIONS]\n"
    )));
    assert!(at(&e).starts_with("t:13:26: error: behavior `*`: CachedMethods [GET, HEAD, OPTIONS] must be a subset of AllowedMethods [GET, HEAD]"), "{}", at(&e));
    let e = err(&cfn(&format!(
        "{S3_ORIGIN}        DefaultCacheBehavior:\n          TargetOriginId: s3\n          ViewerProtocolPolicy: https-only\n          AllowedMethods: [GET, HEAD, TRACE]\n"
    )));
    assert!(
        at(&e).starts_with(
            "t:13:39: error: behavior `*`: `TRACE` is not a method CloudFront supports"
        ),
        "{}",
        at(&e)
    );
}

#[test]
fn values_cloudfront_rejects() {
    let origin = |cfg: &str| {
        cfn(&format!(
            "        Origins:\n          - Id: o\n            DomainName: o.example.com\n{cfg}        DefaultCacheBehavior: {{TargetOriginId: o, ViewerProtocolPolicy: https-only}}\n"
        ))
    };
    let e = err(&origin(
        "            CustomOriginConfig: {OriginProtocolPolicy: http-only, HTTPPort: 81}\n",
    ));
    assert_eq!(at(&e), "t:9:77: error: origin `o`: HTTPPort `81` is not allowed; expected 80, 443 or 1024-65535 (ORG-CUSTOM-POLICY)");
    let e = err(&origin("            OriginPath: /v1/\n            CustomOriginConfig: {OriginProtocolPolicy: http-only}\n"));
    assert!(
        at(&e).starts_with("t:9:25: error: origin `o`: origin path `/v1/` is not valid"),
        "{}",
        at(&e)
    );
    let e = err(&origin(
        "            CustomOriginConfig: {OriginProtocolPolicy: tls-only}\n",
    ));
    assert!(
        at(&e).starts_with("t:9:56: error: origin `o`: origin protocol policy `tls-only`"),
        "{}",
        at(&e)
    );
    let e = err(&origin(""));
    assert!(
        at(&e).contains("is not an S3 endpoint, so it needs a custom origin config"),
        "{}",
        at(&e)
    );
    let e = err(&cfn_default("redirect-to-http"));
    assert_eq!(e.rule(), Some(RuleId::VppPerBehavior));
    assert!(
        at(&e)
            .starts_with("t:12:33: error: behavior `*`: viewer protocol policy `redirect-to-http`"),
        "{}",
        at(&e)
    );
    let e = err(&cfn(&format!(
        "{S3_ORIGIN}        CacheBehaviors:\n          - {{TargetOriginId: s3, ViewerProtocolPolicy: https-only}}\n        DefaultCacheBehavior: {{TargetOriginId: s3, ViewerProtocolPolicy: https-only}}\n"
    )));
    assert!(
        at(&e).starts_with("t:11:13: error: a cache behavior has no path pattern"),
        "{}",
        at(&e)
    );
}

#[test]
fn policies_defined_in_the_same_file_are_read() {
    let template = |behavior: &str, headers: &str| {
        format!(
            "Resources:
  Orp:
    Type: AWS::CloudFront::OriginRequestPolicy
    Properties:
      OriginRequestPolicyConfig:
        Name: p
        HeadersConfig: {{HeaderBehavior: {behavior}, Headers: [{headers}]}}
  CDN:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
{S3_ORIGIN}        DefaultCacheBehavior:
          TargetOriginId: s3
          ViewerProtocolPolicy: https-only
          OriginRequestPolicyId: !Ref Orp
"
        )
    };
    let proto = |b: &str, h: &str| {
        let i = ok(&template(b, h));
        (
            i.distribution.behaviors[0].forward_cloudfront_proto,
            i.warnings.len(),
        )
    };
    // Only the placeholder-domain warning: the policy is determinable.
    assert_eq!(
        proto(
            "allViewerAndWhitelistCloudFront",
            "CloudFront-Forwarded-Proto"
        ),
        (true, 1)
    );
    assert_eq!(
        proto("whitelist", "cloudfront-forwarded-proto, Host"),
        (true, 1)
    );
    assert_eq!(proto("whitelist", "Host"), (false, 1));
    assert_eq!(proto("allViewer", ""), (false, 1));
    assert_eq!(
        proto("somethingNew", ""),
        (false, 2),
        "an unknown behavior is warned"
    );

    let i = ok(r#"resource "aws_cloudfront_cache_policy" "c" {
  name = "c"
  parameters_in_cache_key_and_forwarded_to_origin {
    headers_config {
      header_behavior = "whitelist"
      headers {
        items = ["CloudFront-Forwarded-Proto"]
      }
    }
  }
}
resource "aws_cloudfront_distribution" "d" {
  origin {
    domain_name = "b.s3.amazonaws.com"
    origin_id   = "s3"
    s3_origin_config {
      origin_access_identity = ""
    }
  }
  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "s3"
    viewer_protocol_policy = "https-only"
    cache_policy_id        = aws_cloudfront_cache_policy.c.id
  }
}
"#);
    assert!(i.distribution.behaviors[0].forward_cloudfront_proto);
    assert_eq!(i.resource, "aws_cloudfront_distribution.d");
}
