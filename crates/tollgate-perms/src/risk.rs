//! Risk lists that cannot be derived from the catalog's access levels and so are kept as
//! reviewed data under `data/`: privilege-escalation methods (sets of actions that together
//! escalate), data-exfiltration actions and credentials-exposure actions. Each data file says
//! where its entries come from.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::catalog::{catalog, ActionId, Catalog};

const PRIVESC: &str = include_str!("../data/privesc.tsv");
const EXFILTRATION: &str = include_str!("../data/exfiltration.txt");
const CREDENTIALS: &str = include_str!("../data/credentials.txt");

/// One published way to escalate: holding every action of `actions` is enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationMethod {
    pub name: &'static str,
    pub actions: Vec<ActionId>,
    /// Where it was published (`rhino-3`, `iam-vulnerable`...).
    pub source: &'static str,
}

/// The reviewed lists, resolved against the catalog.
#[derive(Debug, Default)]
pub struct RiskLists {
    pub escalation: Vec<EscalationMethod>,
    /// Every action some escalation method needs, sorted and unique.
    pub escalation_actions: Vec<ActionId>,
    pub exfiltration: HashSet<ActionId>,
    pub credentials: HashSet<ActionId>,
}

/// An entry of a risk list that is malformed or names an action the catalog lacks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("data/{file}:{line}:1: {message}")]
pub struct RiskListError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

/// The embedded lists, resolved on first use.
pub fn risk_lists() -> &'static RiskLists {
    static LISTS: OnceLock<RiskLists> = OnceLock::new();
    LISTS.get_or_init(|| {
        // Checked by the tests against the embedded catalog; a failure is a build defect.
        RiskLists::parse(catalog(), PRIVESC, EXFILTRATION, CREDENTIALS)
            .unwrap_or_else(|e| panic!("embedded risk lists: {e}"))
    })
}

impl RiskLists {
    pub fn parse(
        cat: &Catalog,
        privesc: &'static str,
        exfiltration: &str,
        credentials: &str,
    ) -> Result<RiskLists, RiskListError> {
        let mut lists = RiskLists::default();
        for (line, text) in data_lines(privesc) {
            let err = |message: String| RiskListError {
                file: "privesc.tsv",
                line,
                message,
            };
            let [name, actions, source] = text.split('\t').collect::<Vec<_>>()[..] else {
                return Err(err(
                    "expected `name<TAB>action,action<TAB>source`".to_string()
                ));
            };
            let actions = actions
                .split(',')
                .map(|a| resolve(cat, a).ok_or_else(|| err(unknown(a))))
                .collect::<Result<Vec<_>, _>>()?;
            lists.escalation.push(EscalationMethod {
                name,
                actions,
                source,
            });
        }
        let mut needed: Vec<ActionId> = lists
            .escalation
            .iter()
            .flat_map(|m| m.actions.iter().copied())
            .collect();
        needed.sort_unstable();
        needed.dedup();
        lists.escalation_actions = needed;
        lists.exfiltration = action_set(cat, exfiltration, "exfiltration.txt")?;
        lists.credentials = action_set(cat, credentials, "credentials.txt")?;
        Ok(lists)
    }
}

fn unknown(action: &str) -> String {
    format!("expected an action of the catalog, found `{action}`")
}

fn resolve(cat: &Catalog, action: &str) -> Option<ActionId> {
    cat.action(action.trim())
}

fn action_set(
    cat: &Catalog,
    text: &str,
    file: &'static str,
) -> Result<HashSet<ActionId>, RiskListError> {
    data_lines(text)
        .map(|(line, a)| {
            resolve(cat, a).ok_or_else(|| RiskListError {
                file,
                line,
                message: unknown(a),
            })
        })
        .collect()
}

/// Non-empty, non-comment lines with their 1-based numbers.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lists_resolve_against_the_catalog() {
        let lists = risk_lists();
        assert!(lists.escalation.len() >= 21);
        let cat = catalog();
        let pass_lambda = lists
            .escalation
            .iter()
            .find(|m| m.name == "pass-role-to-new-lambda-then-invoke")
            .expect("method");
        let names: Vec<String> = pass_lambda
            .actions
            .iter()
            .map(|&id| cat.full_name(id).to_string())
            .collect();
        assert_eq!(
            names,
            [
                "iam:PassRole",
                "lambda:CreateFunction",
                "lambda:InvokeFunction"
            ]
        );
        assert!(lists
            .exfiltration
            .contains(&cat.action("secretsmanager:GetSecretValue").expect("action")));
        assert!(lists
            .credentials
            .contains(&cat.action("sts:AssumeRole").expect("action")));
    }

    #[test]
    fn unknown_entries_name_file_and_line() {
        let err = RiskLists::parse(catalog(), "# c\nx\tiam:Nope\tsrc\n", "", "").unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/privesc.tsv:2:1: expected an action of the catalog, found `iam:Nope`"
        );
        let err = RiskLists::parse(catalog(), "", "s3:GetObject\ns3:Nope\n", "").unwrap_err();
        assert_eq!((err.file, err.line), ("exfiltration.txt", 2));
    }
}
