//! TG2015 with a `Deny` next to the attached managed policy (`tests/fixtures/TG2015/
//! fires-*deny.*`, written by `generate_deny.py`): attaching `AdministratorAccess` stays the
//! finding, and an unconditional deny is named in the message and as a related location; a
//! conditional one is not.

mod support;

use support::{fixtures, one, related_lines, scan};

const SOURCES: [&str; 4] = [".cfn.yaml", ".sam.yaml", ".serverless.yml", ".tf"];

/// Where the fixture's deny statement starts: the `- Effect: Deny` line in YAML, the `{`
/// above `Effect = "Deny"` in Terraform.
fn deny_line(name: &str) -> u32 {
    let text = std::fs::read_to_string(fixtures("TG2015").join(name)).expect("fixture");
    let index = text
        .lines()
        .position(|l| l.contains("Deny"))
        .unwrap_or_else(|| panic!("{name}: no Deny"));
    let opening_brace = usize::from(name.ends_with(".tf"));
    (index - opening_brace) as u32 + 1
}

#[test]
fn an_unconditional_deny_is_named_and_the_finding_stays() {
    for source in SOURCES {
        let name = format!("fires-deny{source}");
        let findings = scan(&fixtures("TG2015"), &name);
        let admin = one(&findings, "TG2015");
        let m = &admin.message;
        assert!(
            m.contains("has the AWS managed policy `AdministratorAccess` attached, except the "),
            "{name}: {m}"
        );
        assert!(
            m.contains("actions denied by the `Deny` statement at line "),
            "{name}: {m}"
        );
        assert!(m.contains("`iam:"), "{name}: {m}");
        assert_eq!(related_lines(admin), [deny_line(&name)], "{name}: {m}");
    }
}

#[test]
fn a_conditional_deny_is_not_named() {
    for source in SOURCES {
        let name = format!("fires-conditional-deny{source}");
        let findings = scan(&fixtures("TG2015"), &name);
        let admin = one(&findings, "TG2015");
        assert!(
            admin.message.ends_with("`AdministratorAccess` attached."),
            "{name}: {}",
            admin.message
        );
        assert!(admin.related.is_empty(), "{name}: {:?}", admin.related);
    }
}
