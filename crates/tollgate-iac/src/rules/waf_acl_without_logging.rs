//! TG1812: a WAF web ACL whose request logs go nowhere.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct WafAclWithoutLogging;

impl IacRule for WafAclWithoutLogging {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1812",
                "waf-acl-without-logging",
                Severity::Low,
                "WAF web ACL has no logging configuration",
                "waf",
            )
        .tags(["waf", "logging"])
        .equivalents(["CKV2_AWS_31"])
        .description(
            "WAF logs record each request the web ACL inspected, the rule that matched and the \
             action taken. Without a logging configuration (`AWS::WAFv2::LoggingConfiguration`, \
             `aws_wafv2_web_acl_logging_configuration` whose resource ARN is the ACL), blocked \
             attacks and false positives leave only sampled requests and metrics behind, and \
             an attack that got through cannot be traced. A logging configuration whose ACL \
             cannot be resolved is given the benefit of the doubt. Checkov's `CKV_AWS_176` asks \
             the same of WAF Classic ACLs, which tollgate does not model.",
        )
        .remediation(
            Fix {
                summary: "Send the ACL's logs to a CloudWatch log group (named `aws-waf-logs-*`), an S3 bucket or Firehose.",
                cloudformation: "ApiAclLogs:\n  Type: AWS::Logs::LogGroup\n  Properties:\n    LogGroupName: aws-waf-logs-api\n    RetentionInDays: 365\nApiAclLogging:\n  Type: AWS::WAFv2::LoggingConfiguration\n  Properties:\n    ResourceArn: !GetAtt ApiAcl.Arn\n    LogDestinationConfigs:\n      - !GetAtt ApiAclLogs.Arn",
                serverless: None,
                terraform: "resource \"aws_wafv2_web_acl_logging_configuration\" \"api\" {\n  resource_arn            = aws_wafv2_web_acl.api.arn\n  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for acl in &model.web_acls {
            out.evaluated(&acl.meta);
            match model.waf_acl_logged(acl) {
                Some(true) => {}
                None => out.unknown(&acl.meta),
                Some(false) => out.missing(
                    &acl.meta,
                    format!(
                        "WAF web ACL `{}` has no logging configuration.",
                        acl.meta.address
                    ),
                ),
            }
        }
    }
}
