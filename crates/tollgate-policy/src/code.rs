//! Codes of policies that do not name one: `TG9` and four hex digits of a hash of the package
//! and rule name, so the same policy has the same code on every run and machine, whatever
//! other policies the repository holds.

use sha2::{Digest, Sha256};

/// The derived code of rule `rule` of package `package` (`TG9A3F1`).
pub fn derived_code(package: &str, rule: &str) -> String {
    let digest = Sha256::digest(format!("data.{package}.{rule}").as_bytes());
    format!("TG9{:02X}{:02X}", digest[0], digest[1])
}

/// A rule name for SARIF: `policy-main-deny`.
pub fn rule_name(package: &str, rule: &str) -> String {
    let mut name = String::from("policy-");
    for c in format!("{package}-{rule}").chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    name.trim_end_matches('-').to_string()
}

/// Whether a code written by the user (`custom.code` or a result's `code`) is acceptable:
/// letters, digits, `-`, `_` and `.`, at most 64 characters.
pub fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_codes_are_stable_and_distinct() {
        let a = derived_code("main", "deny");
        // Fixed here so that a change of the derivation, which would rename every user's
        // findings and break their suppressions, cannot go unnoticed.
        assert_eq!(a, "TG9A97A");
        assert!(a.starts_with("TG9") && a.len() == 7, "{a}");
        assert_ne!(a, derived_code("main", "warn"));
        assert_ne!(a, derived_code("tags", "deny"));
        assert_eq!(
            rule_name("policies.tags", "deny"),
            "policy-policies-tags-deny"
        );
        assert!(valid_code("TG9001") && !valid_code("x y") && !valid_code(""));
    }
}
