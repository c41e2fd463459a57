//! End-to-end: `tollgate report` on the examples. Hardened twins fail no control with a
//! finding at medium or above, seeded examples fail the controls their flaws map to, the PHI
//! example's data inventory names the functions and roles that reach its data, reports read
//! from a SARIF log agree with reports of a scan, and every JSON report validates against
//! `docs/compliance-report.schema.json`.

use std::path::Path;

use serde_json::Value;
use tollgate_e2e::{example_dir, tollgate_cmd, workspace_root, EXAMPLES_TODAY};

fn report(dir: &Path, extra: &[&str]) -> Value {
    let out = tollgate_cmd()
        .arg("report")
        .arg(dir)
        .args(["--format", "json", "--today", EXAMPLES_TODAY])
        .args(extra)
        .output()
        .expect("tollgate runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}: {stderr}", dir.display());
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

fn assert_valid(report: &Value) {
    let text = std::fs::read_to_string(workspace_root().join("docs/compliance-report.schema.json"))
        .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The SARIF log of a scan of `dir` with its passes, written into `tmp`.
fn sarif_with_passes(dir: &Path, tmp: &Path) -> std::path::PathBuf {
    let sarif = tmp.join("scan.sarif");
    let out = tollgate_cmd()
        .arg("run")
        .arg(dir)
        .args([
            "--fail-on",
            "none",
            "--no-progress",
            "--today",
            EXAMPLES_TODAY,
        ])
        .args(["--include-passes", "--sarif"])
        .arg(&sarif)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", dir.display());
    sarif
}

fn framework<'r>(report: &'r Value, id: &str) -> &'r Value {
    report["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("framework {id}"))
}

fn control<'r>(report: &'r Value, fw: &str, id: &str) -> &'r Value {
    framework(report, fw)["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("control {fw} {id}"))
}

fn failing_resources(control: &Value) -> Vec<&str> {
    let mut out: Vec<&str> = control["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["resource"].as_str())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn hardened_twins_fail_no_control_at_medium_or_above() {
    for name in [
        "sam-orders-hardened",
        "serverless-payments-hardened",
        "terraform-ledger-hardened",
    ] {
        let report = report(&example_dir(name), &[]);
        assert_valid(&report);
        assert_eq!(report["frameworks"].as_array().unwrap().len(), 6, "{name}");
        let mut passing = 0;
        for fw in report["frameworks"].as_array().unwrap() {
            for c in fw["controls"].as_array().unwrap() {
                if c["status"] == "passing" {
                    passing += 1;
                    assert!(c["pass"].as_u64().unwrap() > 0, "{name}: {c}");
                    assert_eq!(c["fail"], 0, "{name}: {c}");
                }
                for f in c["failures"].as_array().unwrap() {
                    assert!(
                        matches!(f["severity"].as_str(), Some("low" | "info")),
                        "{name}: {} {} fails: {f}",
                        fw["id"],
                        c["id"]
                    );
                }
            }
        }
        assert!(passing >= 30, "{name}: {passing} controls passing");
    }
}

#[test]
fn seeded_examples_fail_the_controls_their_flaws_map_to() {
    let report = report(
        &example_dir("sam-orders"),
        &["--framework", "hipaa,pci-dss"],
    );
    assert_valid(&report);
    let ids: Vec<&str> = report["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["hipaa", "pci-dss"],
        "the frameworks asked for, in order"
    );
    // Encryption at rest: the table without a CMK, the PII bucket without KMS, the queue with
    // SSE turned off...
    let at_rest = control(&report, "hipaa", "164.312(a)(2)(iv)");
    assert_eq!(at_rest["status"], "failing");
    let resources = failing_resources(at_rest);
    assert!(
        resources.contains(&"OrdersTable") && resources.contains(&"ReceiptsBucket"),
        "{resources:?}"
    );
    for f in at_rest["failures"].as_array().unwrap() {
        assert!(f["fix"].as_str().is_some_and(|t| !t.is_empty()), "{f}");
        assert_eq!(f["path"], "template.yaml");
        assert!(f["line"].as_u64().is_some());
    }
    let backups = control(&report, "hipaa", "164.308(a)(7)(ii)(A)");
    assert_eq!(
        failing_resources(backups),
        ["OrdersTable", "ReceiptsBucket"],
        "no PITR on the table, no versioning on the bucket"
    );
    // Findings referred to by controls carry their code frame.
    let id = at_rest["failures"][0]["finding"].as_u64().unwrap() as usize;
    let finding = &report["findings"][id];
    assert_eq!(finding["id"].as_u64(), Some(id as u64));
    assert!(finding["frame"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["highlight"] == true));
    // The PII bucket is in the inventory, readable and writable through `s3:*` on `*`.
    let bucket = &report["inventory"][0];
    assert_eq!(bucket["resource"], "ReceiptsBucket");
    assert_eq!(bucket["classification"], "PII");
    assert_eq!(bucket["readers"][0]["principal"], "IntakeFunctionRole");
    assert_eq!(bucket["readers"][0]["wildcard"], true);
}

/// The dependency check is evidence for the vulnerability-management controls: every package
/// it checked is a resource of the control, each advisory's finding fails its package under
/// the check's one rule, and a report read from the log counts the same.
#[test]
fn vulnerable_packages_fail_the_vulnerability_controls() {
    let dir = example_dir("sam-orders");
    let scanned = report(&dir, &["--framework", "nist-800-53"]);
    let ra5 = control(&scanned, "nist-800-53", "RA-5");
    assert_eq!(ra5["status"], "failing");
    assert_eq!(ra5["rules"], serde_json::json!(["TG3004"]), "{ra5}");
    // requests and urllib3 are affected; one requirement is pinned and clean, one unpinned.
    assert_eq!(
        (&ra5["pass"], &ra5["fail"], &ra5["unknown"]),
        (&Value::from(1), &Value::from(2), &Value::from(1)),
        "{ra5}"
    );
    assert_eq!(
        failing_resources(ra5),
        [
            "src/intake/requirements.txt#requests@2.19.1",
            "src/intake/requirements.txt#urllib3@1.24.1"
        ]
    );
    for f in ra5["failures"].as_array().unwrap() {
        assert!(f["rule"].as_str().unwrap().starts_with("GHSA-"), "{f}");
        assert!(f["fix"].as_str().unwrap().starts_with("Upgrade"), "{f}");
    }
    let si2 = control(&scanned, "nist-800-53", "SI-2");
    assert!(si2["rules"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.as_str().unwrap().starts_with("TG")));

    let tmp = tempfile::tempdir().unwrap();
    let sarif = sarif_with_passes(&dir, tmp.path());
    let read = report(
        &dir,
        &[
            "--framework",
            "nist-800-53",
            "--from-sarif",
            sarif.to_str().unwrap(),
        ],
    );
    assert_eq!(read["frameworks"], scanned["frameworks"]);

    let hardened = report(
        &example_dir("sam-orders-hardened"),
        &["--framework", "nist-800-53"],
    );
    let ra5 = control(&hardened, "nist-800-53", "RA-5");
    assert_eq!(ra5["status"], "passing", "{ra5}");
    assert_eq!(ra5["pass"], ra5["resourcesEvaluated"]);
}

#[test]
fn phi_example_inventory_names_who_reaches_the_data() {
    let dir = example_dir("sam-clinic");
    let report = report(&dir, &["--framework", "hipaa"]);
    assert_valid(&report);
    let inventory = report["inventory"].as_array().unwrap();
    assert_eq!(inventory.len(), 2, "{inventory:#?}");

    let table = &inventory[0];
    assert_eq!(table["resource"], "PatientsTable");
    assert_eq!(table["name"], "clinic-patients-dev");
    assert_eq!(table["classification"], "PHI");
    assert_eq!(table["classifiedBy"], "tag DataClassification = PHI");
    assert_eq!(table["encryptionAtRest"]["key"], "customer-managed");
    assert_eq!(table["encryptionInTransit"]["state"], "yes");
    assert_eq!(table["backups"]["state"], "yes");
    assert_eq!(table["publicAccess"]["state"], "no");
    let principals = |list: &Value| -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["principal"].as_str().unwrap().to_string(),
                    a["functions"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| f.as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect();
        out.sort();
        out
    };
    assert_eq!(
        principals(&table["readers"]),
        [
            (
                "IntakeFunctionRole".to_string(),
                vec!["IntakeFunction".to_string()]
            ),
            (
                "RecordsFunctionRole".to_string(),
                vec!["RecordsFunction".to_string()]
            ),
        ]
    );
    assert_eq!(
        principals(&table["writers"]),
        [(
            "IntakeFunctionRole".to_string(),
            vec!["IntakeFunction".to_string()]
        )],
        "the read-only function does not write"
    );
    let reader = table["readers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["principal"] == "RecordsFunctionRole")
        .unwrap();
    assert!(reader["actions"]
        .as_array()
        .unwrap()
        .contains(&Value::from("dynamodb:GetItem")));
    assert_eq!(reader["wildcard"], false);

    let scans = &inventory[1];
    assert_eq!(scans["resource"], "ScansBucket");
    assert_eq!(
        scans["classifiedBy"],
        "[classification] phi = \"clinic-scans-*\""
    );
    assert_eq!(scans["encryptionInTransit"]["state"], "no");
    assert_eq!(scans["accessLogging"]["state"], "yes");
    assert_eq!(
        principals(&scans["readers"]),
        [(
            "ReportsRole".to_string(),
            vec!["ReportsFunction".to_string()]
        )]
    );

    // The seeded TLS gap fails its control; the accepted one is an exception with its expiry.
    let transit = control(&report, "hipaa", "164.312(e)(1)");
    assert_eq!(transit["status"], "failing");
    assert_eq!(failing_resources(transit), ["ScansBucket"]);
    let backups = control(&report, "hipaa", "164.308(a)(7)(ii)(A)");
    assert_eq!(backups["fail"], 0);
    let exception = &backups["suppressions"][0];
    assert_eq!(exception["rule"], "TG1303");
    assert_eq!(exception["kind"], "config");
    assert_eq!(exception["expires"], "2027-06-30");
    assert!(exception["reason"]
        .as_str()
        .unwrap()
        .contains("imaging archive"));

    // Evidence: the config's digest is of the file as it is.
    let config = std::fs::read(dir.join("tollgate.toml")).unwrap();
    let digest: String = <sha2::Sha256 as sha2::Digest>::digest(&config)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(report["evidence"]["config"]["sha256"], digest.as_str());
    assert_eq!(report["evidence"]["config"]["path"], "tollgate.toml");
    assert!(report["evidence"]["ruleCatalog"]
        .as_str()
        .unwrap()
        .contains("catalog "));
    assert_eq!(report["evidence"]["source"], "scan");
}

#[test]
fn a_report_read_from_sarif_agrees_with_the_scan() {
    let dir = example_dir("sam-clinic");
    let tmp = tempfile::tempdir().unwrap();
    let sarif = sarif_with_passes(&dir, tmp.path());
    let scanned = report(&dir, &[]);
    let read = report(&dir, &["--from-sarif", sarif.to_str().unwrap()]);
    assert_valid(&read);
    assert_eq!(read["evidence"]["source"], "sarif");
    // A log written with its passes gives every control the verdict the scan gives it.
    let verdicts = |r: &Value| -> Vec<(String, String, u64, u64, u64)> {
        r["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| {
                f["controls"].as_array().unwrap().iter().map(move |c| {
                    (
                        f["id"].as_str().unwrap().to_string(),
                        c["id"].as_str().unwrap().to_string(),
                        c["pass"].as_u64().unwrap(),
                        c["fail"].as_u64().unwrap(),
                        c["suppressed"].as_u64().unwrap(),
                    )
                })
            })
            .collect()
    };
    assert!(verdicts(&scanned).iter().any(|v| v.2 > 0 && v.3 == 0));
    assert_eq!(verdicts(&read), verdicts(&scanned));
    assert_eq!(read["inventory"], scanned["inventory"]);
    assert_eq!(read["summary"], scanned["summary"]);
}

#[test]
fn markdown_report_has_the_control_table_and_the_inventory() {
    let out = tollgate_cmd()
        .arg("report")
        .arg(example_dir("sam-clinic"))
        .args(["--format", "markdown", "--framework", "hipaa"])
        .args(["--today", EXAMPLES_TODAY])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("## HIPAA — HIPAA Security Rule"), "{text}");
    assert!(text.contains("| control | status | rules |"), "{text}");
    assert!(text.contains("## Data inventory"), "{text}");
    assert!(
        text.contains("ReportsRole (used by ReportsFunction)"),
        "{text}"
    );
}

#[test]
fn unknown_framework_is_refused_with_the_known_names() {
    let out = tollgate_cmd()
        .args(["report", ".", "--framework", "iso27001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hipaa") && stderr.contains("nist-800-53"),
        "{stderr}"
    );
}
