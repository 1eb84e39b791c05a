# Source: stacklet/shift-left-foundations-pack, terraform/aws/tests/aws-cloudfront-enforce-https/match2.tf (commit 2184407067141b4c7df660cfe6c318a2fa168fd3).
locals {
  allow_all_ordered_s3_origin_id = "allow_all_ordered_cache_behavior"
}

resource "aws_cloudfront_distribution" "allow_all_ordered_cache_behavior" {
  origin {
    domain_name              = "s3.amazonaws.com"
    origin_access_control_id = "my_access_control_id"
    origin_id                = local.allow_all_ordered_s3_origin_id
  }

  enabled             = true
  default_root_object = "index.html"

  default_cache_behavior {
    allowed_methods        = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = local.allow_all_ordered_s3_origin_id
    viewer_protocol_policy = "redirect-to-https"
  }

  ordered_cache_behavior {
    path_pattern           = "ordered-redirect/*"
    allowed_methods        = ["GET", "HEAD", "OPTIONS"]
    cached_methods         = ["GET", "HEAD", "OPTIONS"]
    target_origin_id       = local.allow_all_ordered_s3_origin_id
    viewer_protocol_policy = "redirect-to-https"
  }

  ordered_cache_behavior {
    path_pattern           = "ordered-allow-all/*"
    allowed_methods        = ["GET", "HEAD", "OPTIONS"]
    cached_methods         = ["GET", "HEAD", "OPTIONS"]
    target_origin_id       = local.allow_all_ordered_s3_origin_id
    viewer_protocol_policy = "allow-all"
  }

  restrictions {
    geo_restriction {
      restriction_type = "whitelist"
      locations        = ["US", "CA", "GB", "DE"]
    }
  }
  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
