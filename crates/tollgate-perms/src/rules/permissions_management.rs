//! TG2007: permissions-management actions granted on every resource.

use tollgate_core::Severity;

use super::support::report_on_star_resource;
use super::{rule, PermRule};
use crate::analysis::Analysis;
use crate::catalog::AccessLevel;
use crate::sink::Sink;

pub struct PermissionsManagement;

/// `logs:PutResourcePolicy`: granted on `*` by every role that sets up vended log delivery
/// (Step Functions, API Gateway, EventBridge), because CloudWatch Logs accepts no other resource.
fn is_log_delivery(analysis: &Analysis<'_>, id: crate::catalog::ActionId) -> bool {
    let name = analysis.catalog.full_name(id);
    name.prefix == "logs" && name.name == "PutResourcePolicy"
}

impl PermRule for PermissionsManagement {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2007", "iam-permissions-management", Severity::High, "IAM policy allows permissions management on every resource")
            .description("Actions the catalog classes as *Permissions management* (`iam:PutRolePolicy`, `s3:PutBucketPolicy`, `kms:CreateGrant`...) on `*` let the holder rewrite who may do what, including for itself. A condition that narrows the statement (`aws:SourceArn`, `aws:PrincipalOrgID`, resource tags) lowers the severity. An ARN that names every resource of the action's service (`arn:aws:s3:::*/*`) counts as `*`. `logs:PutResourcePolicy` is not counted: CloudWatch Logs accepts it only on `*`, and the log delivery of Step Functions, API Gateway and EventBridge needs it (it governs which AWS services may deliver logs to the account's log groups); Checkov's CKV_AWS_109 reports it.")
            .remediation("Remove them from function roles; where one is needed, scope it to the resource and add a condition.")
            .equivalents(["CKV_AWS_109", "CKV_AWS_289", "cloudsplaining:ResourceExposure"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        report_on_star_resource(analysis, out, "permissions-management actions", |id| {
            analysis.catalog.get(id).level == AccessLevel::PermissionsManagement
                && !is_log_delivery(analysis, id)
        });
    }
}
