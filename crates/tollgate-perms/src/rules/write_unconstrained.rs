//! TG2008: write actions granted on every resource.

use tollgate_core::Severity;

use super::support::report_on_star_resource;
use super::{rule, PermRule};
use crate::analysis::Analysis;
use crate::catalog::AccessLevel;
use crate::sink::Sink;

pub struct WriteUnconstrained;

impl PermRule for WriteUnconstrained {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2008", "iam-write-unconstrained", Severity::Medium, "IAM policy allows write actions on every resource")
            .description("Write actions (access level *Write* in the catalog) that can be scoped to resources but are granted on `*` let a compromised function change or delete every resource of that kind in the account. Actions that cannot be scoped are not counted. A condition that narrows the statement (`aws:SourceArn`, `aws:PrincipalOrgID`, resource tags) lowers the severity. An ARN that names every resource of the action's service (`arn:aws:s3:::*/*`) counts as `*`.")
            .remediation("Replace `*` with the ARNs of the resources the function writes.")
            .equivalents(["CKV_AWS_111", "CKV_AWS_290", "cloudsplaining:InfrastructureModification"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        report_on_star_resource(analysis, out, "write actions", |id| {
            let a = analysis.catalog.get(id);
            a.level == AccessLevel::Write && a.supports_resource_scoping()
        });
    }
}
