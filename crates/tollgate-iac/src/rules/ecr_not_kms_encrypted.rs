//! TG1015: an ECR repository whose images are not encrypted with KMS.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct EcrNotKmsEncrypted;

impl IacRule for EcrNotKmsEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1015",
                "ecr-repository-not-kms-encrypted",
                Severity::Low,
                "ECR repository does not encrypt images with KMS",
                "ecr",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_136"])
        .description(
            "ECR encrypts image layers with S3-managed AES-256 keys by default: every use of \
             them is invisible in CloudTrail and cannot be restricted. `EncryptionType: KMS` \
             (with a customer-managed key, or the `aws/ecr` key when none is named) puts \
             decryption under a KMS key policy, for the code and configuration baked into the \
             function images. The setting can only be chosen when the repository is created.",
        )
        .remediation(
            Fix {
                summary: "Create the repository with KMS encryption (and your own key).",
                cloudformation: "FunctionImages:\n  Type: AWS::ECR::Repository\n  Properties:\n    EncryptionConfiguration:\n      EncryptionType: KMS\n      KmsKey: !GetAtt DataKey.Arn",
                serverless: None,
                terraform: "resource \"aws_ecr_repository\" \"functions\" {\n  name = \"functions\"\n  encryption_configuration {\n    encryption_type = \"KMS\"\n    kms_key         = aws_kms_key.data.arn\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for repo in &model.ecr_repositories {
            let name = &repo.meta.address;
            out.expect(
                &repo.meta,
                &repo.encryption_type,
                |t| t.to_ascii_uppercase().starts_with("KMS"),
                format!("ECR repository `{name}` encrypts images with AES-256 keys ECR manages, not KMS."),
                |t| format!("ECR repository `{name}` sets encryption `{t}`, not KMS."),
            );
        }
    }
}
