//! TG1012: an ECR repository that does not scan images when they are pushed.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct EcrScanOnPushDisabled;

impl IacRule for EcrScanOnPushDisabled {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1012",
                "ecr-scan-on-push-disabled",
                Severity::Low,
                "ECR repository does not scan images on push",
                "ecr",
            )
        .tags(["vulnerability-management"])
        .equivalents(["CKV_AWS_163"])
        .description(
            "Container-image Lambda functions run whatever image their repository holds. With \
             `ScanOnPush` off (the default), an image with known vulnerable packages is \
             deployed without anyone being told. A registry-wide scanning configuration \
             (`AWS::ECR::RegistryScanningConfiguration`, \
             `aws_ecr_registry_scanning_configuration`) can scan on push instead; tollgate does \
             not read it, so a repository covered only that way is still reported (as Checkov \
             reports it).",
        )
        .remediation(
            Fix {
                summary: "Turn on scanning on push for the repository (or enhanced scanning for the registry).",
                cloudformation: "FunctionImages:\n  Type: AWS::ECR::Repository\n  Properties:\n    ImageScanningConfiguration:\n      ScanOnPush: true",
                serverless: None,
                terraform: "resource \"aws_ecr_repository\" \"functions\" {\n  name = \"functions\"\n  image_scanning_configuration {\n    scan_on_push = true\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for repo in &model.ecr_repositories {
            out.expect_enabled(
                &repo.meta,
                &repo.scan_on_push,
                "ECR repository",
                "image scanning on push",
            );
        }
    }
}
