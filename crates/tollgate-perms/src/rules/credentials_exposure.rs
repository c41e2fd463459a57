//! TG2006: credentials-exposure actions granted on every resource.

use tollgate_core::Severity;

use super::support::report_on_star_resource;
use super::{rule, PermRule};
use crate::analysis::Analysis;
use crate::sink::Sink;

pub struct CredentialsExposure;

impl PermRule for CredentialsExposure {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2006", "iam-credentials-exposure", Severity::High, "IAM policy allows obtaining credentials for every resource")
            .description("Actions whose responses carry credentials or tokens (`sts:AssumeRole`, `iam:CreateAccessKey`, `ecr:GetAuthorizationToken`...) on `*` let a compromised function mint credentials beyond its own. The list is reviewed data (`data/credentials.txt`). A condition that narrows the statement (`aws:SourceArn`, `aws:PrincipalOrgID`, resource tags) lowers the severity. An ARN that names every resource of the action's service (`arn:aws:s3:::*/*`) counts as `*`.")
            .remediation("Scope the actions to the roles, users or registries needed, or remove them.")
            .equivalents(["CKV_AWS_107", "CKV_AWS_287", "cloudsplaining:CredentialsExposure"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        report_on_star_resource(analysis, out, "credentials-exposure actions", |id| {
            analysis.risks.credentials.contains(&id)
        });
    }
}
