//! TG2005: data-exfiltration actions granted on every resource.

use tollgate_core::Severity;

use super::support::report_on_star_resource;
use super::{rule, PermRule};
use crate::analysis::Analysis;
use crate::sink::Sink;

pub struct DataExfiltration;

impl PermRule for DataExfiltration {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2005", "iam-data-exfiltration", Severity::Medium, "IAM policy allows reading stored data from every resource")
            .description("`s3:GetObject`, `ssm:GetParameter*`, `secretsmanager:GetSecretValue` and snapshot copies on `*` let a compromised function read every object, parameter and secret of the account, not just its own. The list is reviewed data (`data/exfiltration.txt`). A condition that narrows the statement (`aws:SourceArn`, `aws:PrincipalOrgID`, resource tags) lowers the severity. An ARN that names every resource of the action's service (`arn:aws:s3:::*/*`) counts as `*`.")
            .remediation("Scope the actions to the buckets, parameter paths and secrets the function owns.")
            .equivalents(["CKV_AWS_108", "CKV_AWS_288", "cloudsplaining:DataExfiltration"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        report_on_star_resource(analysis, out, "data-exfiltration actions", |id| {
            analysis.risks.exfiltration.contains(&id)
        });
    }
}
