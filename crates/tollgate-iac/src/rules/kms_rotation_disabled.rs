//! TG1501: a symmetric customer-managed key without automatic rotation.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct KmsRotationDisabled;

impl IacRule for KmsRotationDisabled {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1501",
                "kms-key-rotation-disabled",
                Severity::Medium,
                "KMS key does not have automatic rotation enabled",
                "kms",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_7"])
        .description(
            "Automatic rotation gives a symmetric KMS key new key material every year (or the \
             period you set), which limits how much data one compromised key version protects \
             and is required by CIS AWS Foundations and PCI DSS. Asymmetric and HMAC keys cannot \
             rotate automatically and are not checked.",
        )
        .remediation(
            Fix {
                summary: "Enable key rotation.",
                cloudformation: "DataKey:\n  Type: AWS::KMS::Key\n  Properties:\n    EnableKeyRotation: true",
                serverless: None,
                terraform: "resource \"aws_kms_key\" \"data\" {\n  description         = \"application data\"\n  enable_key_rotation = true\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for k in &model.kms_keys {
            let symmetric =
                k.key_spec.is_absent() || k.key_spec.eq_ignore_case("SYMMETRIC_DEFAULT");
            if !symmetric {
                // AWS rotates only symmetric keys automatically.
                out.not_applicable(&k.meta);
                continue;
            }
            out.expect_enabled(&k.meta, &k.rotation, "KMS key", "automatic rotation");
        }
    }
}
