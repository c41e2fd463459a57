//! TG2015: AWS managed admin-grade policies attached to a role.

use tollgate_core::{Framework, Severity};

use super::{rule, PermRule};
use crate::analysis::Analysis;
use crate::sink::Sink;

pub struct AdminManagedPolicy;

/// AWS managed policies that make the holder an administrator, or close to it.
const ADMIN_GRADE: &[(&str, Severity)] = &[
    ("AdministratorAccess", Severity::Critical),
    ("PowerUserAccess", Severity::High),
    ("IAMFullAccess", Severity::High),
];

impl PermRule for AdminManagedPolicy {
    fn meta(&self) -> tollgate_core::Rule {
        rule(
            "TG2015",
            "iam-admin-managed-policy",
            Severity::High,
            "AWS managed admin-grade policy attached",
        )
        .description(
            "`AdministratorAccess` (everything), `PowerUserAccess` (everything but IAM) and \
                 `IAMFullAccess` (can grant itself everything) attached to a role make it an \
                 administrator in all but name. `AdministratorAccess` is critical.",
        )
        .remediation(
            "Detach the managed policy and write a policy with the actions and resources needed.",
        )
        .equivalents(["CKV_AWS_274"])
        .control(Framework::CisAws, "1.16")
        .control(Framework::Nist80053, "AC-6")
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for identity in &analysis.identities {
            for val in identity.managed {
                let (Some(text), Some(span)) = (val.as_str(), val.span()) else {
                    continue;
                };
                let Some((name, severity)) = admin_grade(text) else {
                    continue;
                };
                out.on_owner(
                    identity.owner,
                    span,
                    severity,
                    &format!("{} {name}", identity.owner.address),
                    format!(
                        "`{}` has the AWS managed policy `{name}` attached.",
                        identity.owner.address
                    ),
                );
            }
        }
    }
}

/// The admin-grade policy `arn:aws:iam::aws:policy/AdministratorAccess` (or, as SAM writes
/// it, `AdministratorAccess`) names.
fn admin_grade(text: &str) -> Option<(&'static str, Severity)> {
    let t = text.trim();
    let name = match t.strip_prefix("arn:") {
        Some(rest) => {
            // Only AWS managed policies: `arn:<partition>:iam::aws:policy/<path/>Name`.
            let (_, policy) = rest.split_once(":iam::aws:policy/")?;
            policy.rsplit('/').next()?
        }
        None => t,
    };
    ADMIN_GRADE.iter().copied().find(|(n, _)| *n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_grade_names() {
        assert_eq!(
            admin_grade("arn:aws:iam::aws:policy/AdministratorAccess").map(|a| a.0),
            Some("AdministratorAccess")
        );
        assert_eq!(
            admin_grade("arn:aws:iam::aws:policy/job-function/PowerUserAccess").map(|a| a.0),
            Some("PowerUserAccess")
        );
        assert_eq!(
            admin_grade("IAMFullAccess").map(|a| a.1),
            Some(Severity::High)
        );
        assert!(admin_grade("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
        assert!(admin_grade("arn:aws:iam::aws:policy/ReadOnlyAccess").is_none());
    }
}
