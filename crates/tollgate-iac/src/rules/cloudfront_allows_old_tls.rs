//! TG1802: a CloudFront distribution that accepts viewers on TLS 1.0 or 1.1.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct CloudfrontAllowsOldTls;

/// Whether a security policy name accepts TLS 1.2 and later only (`TLSv1.2_2021`...).
fn is_tls12_or_later(policy: &str) -> bool {
    policy.starts_with("TLSv1.2_") || policy.starts_with("TLSv1.3_")
}

impl IacRule for CloudfrontAllowsOldTls {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1802",
                "cloudfront-allows-old-tls",
                Severity::Medium,
                "CloudFront distribution accepts TLS older than 1.2",
                "cloudfront",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_174", "CKV2_AWS_42"])
        .description(
            "CloudFront's default `*.cloudfront.net` certificate (no `ViewerCertificate`, or \
             `CloudFrontDefaultCertificate: true`) always accepts TLS 1.0, and a custom \
             certificate's `MinimumProtocolVersion` defaults to `TLSv1`. TLS 1.0 and 1.1 are \
             no longer allowed by PCI DSS and NIST for data in transit; a security policy of \
             `TLSv1.2_2019` or later (`TLSv1.2_2021` is recommended) refuses them. A finding \
             about the default certificate answers Checkov's CKV_AWS_174 and CKV2_AWS_42 (a \
             custom certificate); one about the minimum protocol version of a custom \
             certificate answers CKV_AWS_174 only.",
        )
        .remediation(
            Fix {
                summary: "Serve the distribution under your own certificate with a TLS 1.2 minimum.",
                cloudformation: "Cdn:\n  Type: AWS::CloudFront::Distribution\n  Properties:\n    DistributionConfig:\n      ViewerCertificate:\n        AcmCertificateArn: !Ref Certificate\n        SslSupportMethod: sni-only\n        MinimumProtocolVersion: TLSv1.2_2021",
                serverless: None,
                terraform: "resource \"aws_cloudfront_distribution\" \"cdn\" {\n  viewer_certificate {\n    acm_certificate_arn      = aws_acm_certificate.cdn.arn\n    ssl_support_method       = \"sni-only\"\n    minimum_protocol_version = \"TLSv1.2_2021\"\n  }\n  # ...\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.distributions {
            out.evaluated(&d.meta);
            let name = &d.meta.address;
            let (cert, span) = match &d.certificate {
                Val::Absent => {
                    out.missing(
                        &d.meta,
                        format!("CloudFront distribution `{name}` uses the default `*.cloudfront.net` certificate, which accepts TLS 1.0."),
                    );
                    continue;
                }
                Val::Unknown { .. } => {
                    out.unknown(&d.meta);
                    continue;
                }
                Val::Known { value, span } => (value, *span),
            };
            // A custom certificate: what remains to judge is CKV_AWS_174's question alone.
            if cert.default_certificate.is_true() {
                out.on(
                    &d.meta,
                    &cert.default_certificate,
                    "CloudFrontDefaultCertificate: true",
                    format!("CloudFront distribution `{name}` uses the default `*.cloudfront.net` certificate, which accepts TLS 1.0."),
                );
                continue;
            }
            if cert.default_certificate.is_unknown() {
                out.unknown(&d.meta);
                continue;
            }
            match &cert.minimum_protocol_version {
                Val::Absent => {
                    out.at(
                        &d.meta,
                        span,
                        "",
                        format!("CloudFront distribution `{name}` sets no minimum protocol version, so it accepts TLS 1.0."),
                    );
                    out.answers(&["CKV_AWS_174"]);
                }
                Val::Known { value, span } if !is_tls12_or_later(value) => {
                    out.at(
                        &d.meta,
                        *span,
                        value,
                        format!("CloudFront distribution `{name}` accepts viewers on TLS older than 1.2 (`{value}`)."),
                    );
                    out.answers(&["CKV_AWS_174"]);
                }
                Val::Unknown { .. } => out.unknown(&d.meta),
                Val::Known { .. } => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_tls12_or_later;

    #[test]
    fn only_tls12_policies_pass() {
        assert!(is_tls12_or_later("TLSv1.2_2021"));
        assert!(is_tls12_or_later("TLSv1.2_2019"));
        assert!(!is_tls12_or_later("TLSv1.1_2016"));
        assert!(!is_tls12_or_later("TLSv1_2016"));
        assert!(!is_tls12_or_later("TLSv1"));
        assert!(!is_tls12_or_later("SSLv3"));
    }
}
