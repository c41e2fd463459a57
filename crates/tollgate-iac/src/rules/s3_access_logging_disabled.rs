//! TG1304: without server access logging there is no record of who read or changed objects.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct S3AccessLoggingDisabled;

impl IacRule for S3AccessLoggingDisabled {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1304",
                "s3-access-logging-disabled",
                Severity::Low,
                "S3 bucket does not have access logging enabled",
                "s3",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_18"])
        .description(
            "Server access logs record every request made to the bucket: requester, object, \
             operation, response. They are how a data leak is scoped afterwards. Buckets that \
             are themselves the access-log destination of another bucket in the scan are not \
             reported (logging them to themselves would loop).",
        )
        .remediation(
            Fix {
                summary: "Log requests to a dedicated log bucket.",
                cloudformation: "Uploads:\n  Type: AWS::S3::Bucket\n  Properties:\n    LoggingConfiguration:\n      DestinationBucketName: !Ref AccessLogsBucket\n      LogFilePrefix: uploads/",
                serverless: None,
                terraform: "resource \"aws_s3_bucket_logging\" \"uploads\" {\n  bucket        = aws_s3_bucket.uploads.id\n  target_bucket = aws_s3_bucket.access_logs.id\n  target_prefix = \"uploads/\"\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        // Buckets other buckets log to, by address and by literal name, gathered once: asking
        // every bucket of every bucket is quadratic in a template of thousands.
        let mut target_addresses = std::collections::HashSet::new();
        let mut target_names = std::collections::HashSet::new();
        for r in model.buckets.iter().filter_map(|other| other.logging.get()) {
            if let Some(address) = r.address() {
                target_addresses.insert(address);
            }
            if let crate::model::Ref::Literal(l) = r {
                target_names.insert(l.as_str());
            }
        }
        let is_log_target = |address: &str, name: Option<&str>| {
            target_addresses.contains(address) || name.is_some_and(|n| target_names.contains(n))
        };
        for b in &model.buckets {
            // A bucket that receives access logs would log its own writes of them.
            if b.logging.is_absent() && is_log_target(&b.meta.address, b.name.as_str()) {
                out.not_applicable(&b.meta);
                continue;
            }
            out.evaluated(&b.meta);
            if b.logging.is_absent() {
                out.missing(
                    &b.meta,
                    format!(
                        "S3 bucket `{}` does not log access requests.",
                        b.meta.address
                    ),
                );
            }
        }
    }
}
