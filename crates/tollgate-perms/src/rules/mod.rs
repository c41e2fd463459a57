//! The permissions rule catalog (`TG2xxx`). Each rule is one file: its metadata (words,
//! peer-tool equivalents, compliance controls) and one check over the [`Analysis`]. [`all`] is
//! the registration table.

use tollgate_core::{Evaluation, Finding, Rule, Severity, Verdict};

use crate::analysis::{Analysis, PolicyKind, Subjects};
use crate::sink::Sink;

mod support;

// `explain` shows what the identity's denies take from the managed policies this rule reads.
pub(crate) mod admin_managed_policy;
mod allow_with_not;
mod credentials_exposure;
mod cross_account_trust;
mod data_exfiltration;
mod full_admin;
mod github_oidc_unpinned;
mod pass_role_wildcard;
mod permissions_management;
mod privilege_escalation;
mod resource_cross_account;
mod resource_service_unbound;
mod resource_type_mismatch;
mod service_wildcard;
mod trust_any_principal;
mod unknown_action;
mod wildcard_action;
mod wildcard_resource;
mod write_unconstrained;

/// The stage name rules belong to.
pub const STAGE: &str = "permissions";

/// One permissions rule: data plus one check over the analysed policies.
pub trait PermRule: Send + Sync {
    fn meta(&self) -> Rule;

    /// The policies the rule reads: their owners are the resources it judges (pass unless it
    /// reports on them, unknown when a document could not be resolved). Most rules read what
    /// identities may do.
    fn subjects(&self) -> Subjects {
        Subjects::Of(PolicyKind::Identity)
    }

    /// Look at the analysis and report into `out`. Never report on an unknown value.
    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>);
}

/// A rule's metadata with the parts every permissions rule shares.
pub(crate) fn rule(code: &str, name: &str, severity: Severity, title: &str) -> Rule {
    Rule::new(code, name, STAGE, severity, title)
        .tags(["iam", "least-privilege"])
        .help_uri(format!(
            "https://github.com/tollgate-dev/tollgate/blob/main/docs/rules/{code}.md"
        ))
}

/// Every permissions rule, in code order.
pub fn all() -> Vec<Box<dyn PermRule>> {
    vec![
        Box::new(full_admin::FullAdmin),
        Box::new(wildcard_action::WildcardAction),
        Box::new(service_wildcard::ServiceWildcard),
        Box::new(privilege_escalation::PrivilegeEscalation),
        Box::new(data_exfiltration::DataExfiltration),
        Box::new(credentials_exposure::CredentialsExposure),
        Box::new(permissions_management::PermissionsManagement),
        Box::new(write_unconstrained::WriteUnconstrained),
        Box::new(wildcard_resource::WildcardResource),
        Box::new(pass_role_wildcard::PassRoleWildcard),
        Box::new(allow_with_not::AllowWithNot),
        Box::new(trust_any_principal::TrustAnyPrincipal),
        Box::new(cross_account_trust::CrossAccountTrust),
        Box::new(github_oidc_unpinned::GithubOidcUnpinned),
        Box::new(admin_managed_policy::AdminManagedPolicy),
        Box::new(unknown_action::UnknownAction),
        Box::new(resource_type_mismatch::ResourceTypeMismatch),
        Box::new(resource_cross_account::ResourceCrossAccount),
        Box::new(resource_service_unbound::ResourceServiceUnbound),
    ]
}

/// Every rule's metadata.
pub fn metas() -> Vec<Rule> {
    all().iter().map(|r| r.meta()).collect()
}

/// Run every rule over the analysis: the findings, and one evaluation per (rule, owner of a
/// policy the rule reads).
pub fn run_all(analysis: &Analysis<'_>) -> (Vec<Finding>, Vec<Evaluation>) {
    run_all_with(analysis, true)
}

/// [`run_all`], recording evaluations only when `evaluations` is set (the findings are the
/// same either way). Rules run on all cores (rayon's pool), each into its own sink; the sinks
/// are joined in registration order, so the output is the same as one rule after the other.
pub fn run_all_with(analysis: &Analysis<'_>, evaluations: bool) -> (Vec<Finding>, Vec<Evaluation>) {
    use rayon::prelude::*;
    let per_rule: Vec<(Vec<Finding>, Vec<Evaluation>)> = all()
        .par_iter()
        .map(|r| {
            let meta = r.meta();
            let mut sink = Sink::new(&meta);
            if evaluations {
                for (owner, unresolved) in analysis.subjects(r.subjects()) {
                    let verdict = if unresolved {
                        Verdict::Unknown
                    } else {
                        Verdict::Pass
                    };
                    sink.judge(owner, verdict);
                }
            } else {
                sink = sink.without_evaluations();
            }
            r.check(analysis, &mut sink);
            sink.finish()
        })
        .collect();
    let mut findings = Vec::with_capacity(per_rule.iter().map(|(f, _)| f.len()).sum());
    let mut evaluations = Vec::with_capacity(per_rule.iter().map(|(_, e)| e.len()).sum());
    for (f, e) in per_rule {
        findings.extend(f);
        evaluations.extend(e);
    }
    (findings, evaluations)
}
