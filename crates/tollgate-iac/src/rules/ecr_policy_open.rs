//! TG1014: an ECR repository policy that lets anyone pull or push images.

use tollgate_core::{Rule, Severity};

use super::policy_checks::{report_open_policies, NARROW_THE_PRINCIPAL};
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct EcrPolicyOpen;

impl IacRule for EcrPolicyOpen {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1014",
                "ecr-policy-wildcard-principal",
                Severity::High,
                "ECR repository policy allows any principal",
                "ecr",
            )
        .tags(["iam", "supply-chain"])
        .equivalents(["CKV_AWS_32"])
        .description(
            "An `Allow` statement with a wildcard principal and no condition restricting who \
             (`aws:PrincipalOrgID`, `aws:SourceAccount`...; one on `aws:SecureTransport` does \
             not) in a repository policy lets any AWS account pull the images (and the code \
             and secrets baked into them) or, with push actions, replace the images your \
             functions run.",
        )
        .remediation(
            Fix {
                summary: NARROW_THE_PRINCIPAL,
                cloudformation: "FunctionImages:\n  Type: AWS::ECR::Repository\n  Properties:\n    RepositoryPolicyText:\n      Statement:\n        - Effect: Allow\n          Principal:\n            Service: lambda.amazonaws.com\n          Action: [ecr:BatchGetImage, ecr:GetDownloadUrlForLayer]\n          Condition:\n            StringEquals:\n              aws:SourceAccount: !Ref AWS::AccountId",
                serverless: None,
                terraform: "data \"aws_iam_policy_document\" \"pull\" {\n  statement {\n    actions = [\"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\"]\n    principals {\n      type        = \"Service\"\n      identifiers = [\"lambda.amazonaws.com\"]\n    }\n    condition {\n      test     = \"StringEquals\"\n      variable = \"aws:SourceAccount\"\n      values   = [data.aws_caller_identity.current.account_id]\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        report_open_policies(
            out,
            &model.repository_policies,
            model.ecr_repositories.iter().map(|r| &r.meta),
            "ECR repository policy",
        );
    }
}
