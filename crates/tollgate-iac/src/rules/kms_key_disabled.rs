//! TG1508: a KMS key declared disabled.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct KmsKeyDisabled;

impl IacRule for KmsKeyDisabled {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1508",
                "kms-key-disabled",
                Severity::Low,
                "KMS key is disabled",
                "kms",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_227"])
        .description(
            "A key created with `Enabled: false` (`is_enabled = false`) cannot encrypt or \
             decrypt: every queue, table, bucket, log group or function environment that \
             uses it fails to read or write its data, and data already encrypted with it is \
             unreadable until the key is enabled again. When the key is being retired, \
             schedule its deletion and move its users to another key instead of leaving a \
             disabled key in the template. An absent setting means enabled.",
        )
        .remediation(
            Fix {
                summary: "Enable the key, or remove it (and its users) from the template.",
                cloudformation: "DataKey:\n  Type: AWS::KMS::Key\n  Properties:\n    Enabled: true\n    EnableKeyRotation: true",
                serverless: None,
                terraform: "resource \"aws_kms_key\" \"data\" {\n  is_enabled          = true\n  enable_key_rotation = true\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for k in &model.kms_keys {
            let name = &k.meta.address;
            match &k.enabled {
                Val::Known { value: false, span } => out.at(
                    &k.meta,
                    *span,
                    "false",
                    format!(
                        "KMS key `{name}` is disabled: nothing can encrypt or decrypt with it."
                    ),
                ),
                Val::Unknown { .. } => out.unknown(&k.meta),
                // Absent: enabled, AWS's default.
                _ => out.evaluated(&k.meta),
            }
        }
    }
}
