//! The documents policies are evaluated against. These types are the contract with policy
//! authors: `docs/policy-input.md` describes them and `docs/policy-input.schema.json` is
//! generated from them (a test fails when it is stale), so change them with care.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

/// One evaluation's `input`. `kind` says which of the three documents it is; a policy written
/// against `input.resource` is simply undefined (and silent) for the other two.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PolicyInput {
    /// One evaluation per resource of every template.
    Resource { resource: ResourceDoc },
    /// One evaluation per deployment unit: a CloudFormation/SAM template, a Serverless service,
    /// a Terraform configuration (root module directory) or a plan file.
    DeploymentUnit {
        unit: UnitDoc,
        resources: Vec<ResourceDoc>,
        /// References between the unit's resources (`!GetAtt Table.Arn`, `aws_kms_key.x.arn`).
        references: Vec<ReferenceDoc>,
        /// What the permissions stage concluded for the identities declared in this unit.
        identities: Vec<IdentityDoc>,
    },
    /// One evaluation per IAM identity (role, or policy attached to nothing in the scan).
    Identity { identity: IdentityDoc },
}

/// A resource as written, with what the cloud model made of it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ResourceDoc {
    /// As written: `AWS::S3::Bucket`, `AWS::Serverless::Function`, `aws_lambda_function`. A
    /// Serverless Framework function is `AWS::Lambda::Function`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Logical id (`OrdersTable`, the Serverless function's generated id such as
    /// `HelloLambdaFunction`) or Terraform address (`module.api.aws_lambda_function.handler`).
    pub address: String,
    /// Repository-relative path of the file it is written in.
    pub file: String,
    /// Line of the resource's header in `file`.
    pub line: u32,
    /// `cloudformation`, `sam`, `serverless`, `terraform` or `terraform-plan`.
    pub format: String,
    /// The deployment unit it belongs to (the template file, or the Terraform root module's
    /// directory).
    pub unit: String,
    /// The resource's properties as written (CloudFormation `Properties`, a Serverless
    /// function's settings, a Terraform block's attributes and nested blocks), with intrinsic
    /// functions, parameters, variables and locals resolved where they can be. A reference to
    /// another resource stays a reference (`{"Ref": "Key"}`, `"${aws_kms_key.main.arn}"`); what
    /// cannot be resolved statically is `{"tollgate:unknown": "why"}`.
    pub properties: serde_json::Value,
    /// The normalized cloud-model fields, for the resource types the model knows (functions,
    /// buckets, tables, queues, topics, keys, roles...); `null` otherwise. See
    /// `docs/policy-input.md`.
    pub model: serde_json::Value,
    /// Tags whose value is known.
    pub tags: BTreeMap<String, String>,
    /// `PHI`, `PCI` or `PII`, read from the classification tag; `null` when unclassified.
    pub classification: Option<String>,
}

/// A deployment unit.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UnitDoc {
    /// The template file, or the Terraform root module's directory (`""` for the root).
    pub name: String,
    pub format: String,
}

/// `from` refers to `to` (both addresses in the same unit).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct ReferenceDoc {
    pub from: String,
    pub to: String,
    /// The attribute referred to (`Arn`, `arn`), when one is.
    pub attribute: Option<String>,
}

/// What the permissions stage concluded about one identity.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IdentityDoc {
    pub address: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub file: String,
    pub line: u32,
    pub unit: String,
    /// Every action the identity's policies declared in the scan allow, after its
    /// unconditional denies (`s3:GetObject`...), sorted. Attached AWS managed policies are in
    /// `managed_policies`, not expanded here.
    pub effective_actions: Vec<String>,
    /// Per resource pattern granted (as written: `arn:aws:s3:::b/*`, `*`,
    /// `${OrdersTable.Arn}`), the access levels granted on it.
    pub data_access: Vec<DataAccessDoc>,
    /// Published privilege-escalation methods whose every action the identity holds.
    pub escalation: Vec<EscalationDoc>,
    /// Who may assume the identity (roles' trust policies).
    pub trusted_by: Vec<PrincipalDoc>,
    /// Anyone may assume it (a trust policy principal `*` without a narrowing condition).
    pub public: bool,
    /// An account other than the deploying one (or a trusted one) may assume it.
    pub cross_account: bool,
    /// ARNs (or SAM names) of attached managed policies, as written.
    pub managed_policies: Vec<String>,
}

/// Access granted on one resource pattern.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DataAccessDoc {
    /// The resource pattern as written.
    pub resource: String,
    /// Addresses of resources of the same unit the pattern names (`${OrdersTable.Arn}`,
    /// `aws_s3_bucket.docs.arn`), empty for literal ARNs and `*`.
    pub targets: Vec<String>,
    /// The account the ARN names, when it names one; `null` for the deploying account's own
    /// placeholders and for `*`.
    pub account: Option<String>,
    /// Access levels, from the AWS action catalog: `list`, `read`, `write`, `tagging`,
    /// `permissions-management`.
    pub verbs: Vec<String>,
    /// The actions, sorted.
    pub actions: Vec<String>,
    /// A condition narrows the grant.
    pub conditional: bool,
}

/// A privilege-escalation method the identity can use.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EscalationDoc {
    pub method: String,
    pub actions: Vec<String>,
    /// Where the method was published.
    pub source: String,
}

/// A principal a trust policy names.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PrincipalDoc {
    /// As written.
    pub principal: String,
    /// `public`, `own-account`, `other-account`, `service`, `federated` or `unknown`.
    pub class: String,
    /// The account id for `other-account`.
    pub account: Option<String>,
    /// A condition narrows it.
    pub conditional: bool,
}

/// The JSON Schema of [`PolicyInput`], as `docs/policy-input.schema.json` holds it.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(PolicyInput);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// `document` with every value that looks like a secret (by its key and shape, as the IaC
/// stage's secret rules judge them) redacted, for printing. Policies themselves see the
/// values as written.
pub fn redacted(document: &PolicyInput) -> serde_json::Value {
    let mut json = serde_json::to_value(document).unwrap_or_default();
    redact_in(&mut json, "");
    json
}

fn redact_in(value: &mut serde_json::Value, key: &str) {
    match value {
        serde_json::Value::String(text) if tollgate_iac::secrets::classify(key, text).is_some() => {
            *text = tollgate_iac::secrets::redact(text);
        }
        serde_json::Value::Array(items) => {
            for item in items {
                redact_in(item, key);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                redact_in(v, k);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_documents_hide_secrets() {
        let doc = PolicyInput::Resource {
            resource: ResourceDoc {
                type_name: "aws_lambda_function".into(),
                address: "aws_lambda_function.f".into(),
                file: "main.tf".into(),
                line: 1,
                format: "terraform".into(),
                unit: String::new(),
                properties: serde_json::json!({
                    "environment": {"variables": {"DB_PASSWORD": "hunter2-but-longer-Pa55w0rd!", "TABLE": "orders"}}
                }),
                model: serde_json::Value::Null,
                tags: BTreeMap::new(),
                classification: None,
            },
        };
        let text = redacted(&doc).to_string();
        assert!(!text.contains("hunter2-but-longer"), "{text}");
        assert!(text.contains("\"TABLE\":\"orders\""), "{text}");
    }
}
