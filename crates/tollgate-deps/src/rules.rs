//! The stage's static meta-rules. Each advisory is its own rule, built at run time in
//! [`crate::report`].

use tollgate_core::{Precision, Rule, Severity};

pub const STAGE: &str = "deps";
pub const UNPINNED: &str = "TG3001";
pub const NO_LOCKFILE: &str = "TG3002";
pub const STALE_DB: &str = "TG3003";

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
    ]
}
