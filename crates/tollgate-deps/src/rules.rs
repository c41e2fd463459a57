//! The stage's static meta-rules. Each advisory is its own rule, built at run time in
//! [`crate::report`].

use tollgate_core::{Precision, Rule, Severity};

pub const STAGE: &str = "deps";
pub const UNPINNED: &str = "TG3001";
pub const NO_LOCKFILE: &str = "TG3002";
pub const STALE_DB: &str = "TG3003";
/// The check of every pinned package against the advisories. Its failures are the advisories'
/// own rules (see [`crate::report::rule`]); it records the packages found clean, and those it
/// could not decide about, so an auditor sees what was checked.
pub const VULNERABLE: &str = "TG3004";

pub fn static_rules() -> Vec<Rule> {
    vec![
        Rule::new(UNPINNED, "unpinned-requirement", STAGE, Severity::Medium, "Requirement is not pinned to one version")
            .description(
                "A `requirements*.txt` entry names a range (`>=2`), a wildcard (`==1.*`) or no version \
                 at all. What gets installed then changes from build to build, nobody reviewed it, and \
                 tollgate cannot tell whether it is vulnerable. A Maven dependency whose version cannot \
                 be resolved from the repository (a property or managed version from a parent POM or \
                 BOM that is not in it, a version range) is reported the same way, never guessed.",
            )
            .remediation(
                "Pin every requirement with `==`, ideally with hashes, e.g. generate the file with \
                 `pip-compile --generate-hashes` or `uv pip compile`:\n\n```text\nrequests==2.32.3 \\\n    --hash=sha256:...\n```\n\n\
                 For Maven, give the version literally or through a property defined in the repository's \
                 POMs, or commit the parent POM (with a matching `<relativePath>`) that manages it.",
            )
            .tags(["dependencies", "supply-chain", "python", "maven"])
            .precision(Precision::VeryHigh),
        Rule::new(NO_LOCKFILE, "manifest-without-lockfile", STAGE, Severity::Low, "Dependency manifest without a lockfile")
            .description(
                "A manifest (`package.json`, `pyproject.toml`, `Pipfile`, `Gemfile`, `composer.json`) declares \
                 dependencies but no lockfile is committed next to it (or above it, for workspaces). The \
                 deployed function gets whatever versions resolve at build time, and they cannot be \
                 checked against advisories.",
            )
            .remediation(
                "Commit the lockfile your package manager writes (`package-lock.json`, `yarn.lock`, \
                 `pnpm-lock.yaml`, `poetry.lock`, `uv.lock`, `Pipfile.lock`, `Gemfile.lock`, `composer.lock`) \
                 and install from it in CI (`npm ci`, `poetry install --sync`, ...).",
            )
            .tags(["dependencies", "supply-chain"])
            .precision(Precision::High),
        Rule::new(STALE_DB, "stale-advisory-database", STAGE, Severity::Low, "Advisory database is older than 7 days")
            .description(
                "The dependency check ran against a cached OSV database downloaded more than 7 days ago. \
                 Advisories published since then were not considered, so a clean result may be wrong. \
                 The finding points at the `cache-dir` line of `tollgate.toml` when the config names the \
                 cache; otherwise the run reports it as a notification, which has no place in the code.",
            )
            .remediation("Run `tollgate db update` (for example in a scheduled CI job), or allow the scan to query the OSV API.")
            .tags(["dependencies"])
            .precision(Precision::VeryHigh),
        Rule::new(VULNERABLE, "known-vulnerable-package", STAGE, Severity::High, "Package version has a known vulnerability")
            .description(
                "Every package version a lockfile pins (development dependencies only with `include-dev`) \
                 is checked against the OSV advisories. An affected package is reported once per \
                 advisory, under the advisory's own id (`GHSA-...`, `PYSEC-...`, `RUSTSEC-...`), so that \
                 ignores, code scanning and the pull request name the advisory; each of those rules is \
                 a case of this one. This code stands for the check as a whole in the compliance \
                 report: its controls are the advisories' controls, and with `--include-passes` it \
                 records each package found clean (a pass), and as unknown each requirement whose \
                 version is not pinned (`TG3001`) and each package that could not be fully checked \
                 because an advisory listed for it could not be fetched.",
            )
            .remediation(
                "Upgrade the package to a version that fixes its advisories (each finding names the \
                 smallest such upgrade), or remove it.",
            )
            .tags(["dependencies", "vulnerability"])
            .precision(Precision::High),
    ]
}
