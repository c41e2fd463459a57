//! `tollgate --version`: the build (version, commit, target), the rule catalog built into it,
//! and the advisory database the deps stage would read by default.

use std::fmt::Write;
use std::path::Path;

use sha2::{Digest, Sha256};
use tollgate_core::Rule;
use tollgate_deps::{cache, Ecosystem};

pub const COMMIT: &str = env!("TOLLGATE_BUILD_COMMIT");
pub const TARGET: &str = env!("TOLLGATE_BUILD_TARGET");

/// One line: `0.1.0 (commit 1a2b3c4d5e6f, x86_64-unknown-linux-musl)`.
pub fn short() -> String {
    format!("{} (commit {COMMIT}, {TARGET})", env!("CARGO_PKG_VERSION"))
}

/// `short()` plus the rule catalog and the cached advisory database, one fact a line.
pub fn long(rules: &[Rule], cache_dir: Option<&Path>) -> String {
    let mut text = short();
    let _ = write!(
        text,
        "\nrules: {} built in, catalog {}",
        rules.len(),
        catalog_digest(rules)
    );
    text.push_str("\nadvisory database: ");
    text.push_str(&advisory_database(cache_dir));
    text
}

/// A digest of every rule's code, stage, default severity and title: two binaries with the
/// same digest judge the same things the same way, whatever their version strings say.
pub fn catalog_digest(rules: &[Rule]) -> String {
    let mut entries: Vec<String> = rules
        .iter()
        .map(|r| {
            format!(
                "{}\0{}\0{}\0{}",
                r.code, r.stage, r.default_severity, r.title
            )
        })
        .collect();
    entries.sort();
    let mut hasher = Sha256::new();
    for entry in &entries {
        hasher.update((entry.len() as u64).to_le_bytes());
        hasher.update(entry.as_bytes());
    }
    let digest = hasher.finalize();
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// Which ecosystems `tollgate db update` has cached, when the server last confirmed them and
/// where they came from; or how to get one.
fn advisory_database(cache_dir: Option<&Path>) -> String {
    let Some(dir) = cache_dir else {
        return "no cache directory known (set TOLLGATE_CACHE_DIR)".to_string();
    };
    let cached: Vec<(Ecosystem, cache::Meta)> = Ecosystem::ALL
        .iter()
        .filter_map(|eco| cache::cached(dir, *eco).map(|(_, meta)| (*eco, meta)))
        .collect();
    let Some(newest) = cached.iter().map(|(_, m)| m.checked_at).max() else {
        return format!(
            "none cached in {} (run `tollgate db update`, or the deps stage asks the OSV API)",
            dir.display()
        );
    };
    let oldest = cached
        .iter()
        .map(|(_, m)| m.checked_at)
        .min()
        .unwrap_or(newest);
    let mut sources: Vec<String> = cached.iter().map(|(_, m)| source_of(&m.url)).collect();
    sources.sort();
    sources.dedup();
    let names: Vec<&str> = cached.iter().map(|(eco, _)| eco.osv_name()).collect();
    let dates = if date(oldest) == date(newest) {
        date(newest)
    } else {
        format!("{} to {}", date(oldest), date(newest))
    };
    format!(
        "{} checked {dates} from {} in {}",
        names.join(", "),
        sources.join(", "),
        dir.display()
    )
}

fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|_| "an unknown date".to_string())
}

/// The advisory database a scan with these settings reads, for the compliance report's
/// evidence: the databases named by `--advisory-db` or the config (as written, each with the
/// date it was last modified), else the cache `tollgate db update` fills. `None` for a report
/// read from a SARIF log, whose scan's database is not known.
pub fn advisory_database_in_use(
    flags: &[std::path::PathBuf],
    config: &tollgate_core::Config,
    from_log: bool,
) -> Option<String> {
    if from_log {
        return None;
    }
    let named: Vec<(String, std::path::PathBuf)> = if flags.is_empty() {
        config
            .stage
            .deps
            .advisory_db
            .iter()
            .map(|p| (p.clone(), config.path_from_config(p)))
            .collect()
    } else {
        flags
            .iter()
            .map(|p| (p.display().to_string(), p.clone()))
            .collect()
    };
    if named.is_empty() {
        return Some(advisory_database(
            tollgate_deps::default_cache_dir().as_deref(),
        ));
    }
    let described: Vec<String> = named
        .iter()
        .map(|(written, path)| match newest_modification(path) {
            Some(unix) => format!("{written} (modified {})", date(unix)),
            None => format!("{written} (unreadable)"),
        })
        .collect();
    Some(described.join(", "))
}

/// When `path` (a file, or the files directly in a directory) was last modified.
fn newest_modification(path: &Path) -> Option<i64> {
    let stamp = |meta: std::fs::Metadata| -> Option<i64> {
        let modified = meta.modified().ok()?;
        let secs = modified
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        i64::try_from(secs).ok()
    };
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return stamp(meta);
    }
    std::fs::read_dir(path)
        .ok()?
        .take(100_000)
        .filter_map(|e| e.ok()?.metadata().ok())
        .filter_map(stamp)
        .max()
        .or_else(|| stamp(meta))
}

/// Scheme and host of a download URL: no path, and never credentials written into it.
fn source_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host: String = host.chars().filter(|c| !c.is_control()).collect();
    if scheme.is_empty() {
        host
    } else {
        format!("{scheme}://{host}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::Severity;

    fn rule(code: &str, severity: Severity) -> Rule {
        let mut rule = crate::pipeline::all_rules()
            .into_iter()
            .next()
            .expect("the catalog has rules");
        rule.code = code.to_string();
        rule.default_severity = severity;
        rule
    }

    #[test]
    fn short_names_version_commit_and_target() {
        let text = short();
        assert!(text.starts_with(env!("CARGO_PKG_VERSION")), "{text}");
        assert!(text.contains(TARGET) && text.contains(COMMIT), "{text}");
        assert!(!TARGET.is_empty() && TARGET != "unknown");
    }

    #[test]
    fn catalog_digest_follows_the_rules_not_their_order() {
        let a = [rule("TG1", Severity::High), rule("TG2", Severity::Low)];
        let b = [a[1].clone(), a[0].clone()];
        assert_eq!(catalog_digest(&a), catalog_digest(&b));
        let changed = [rule("TG1", Severity::Medium), rule("TG2", Severity::Low)];
        assert_ne!(catalog_digest(&a), catalog_digest(&changed));
        assert_eq!(catalog_digest(&a).len(), 12);
    }

    #[test]
    fn advisory_database_from_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let empty = long(&[], Some(dir.path()));
        assert!(empty.contains("none cached in"), "{empty}");
        for (eco, day) in [
            (Ecosystem::Npm, 1_764_979_200),
            (Ecosystem::PyPi, 1_765_065_600),
        ] {
            std::fs::create_dir_all(cache::ecosystem_dir(dir.path(), eco)).unwrap();
            std::fs::write(cache::zip_path(dir.path(), eco), b"PK").unwrap();
            let meta = cache::Meta {
                url: "https://user:secret@osv.example/npm/all.zip".to_string(),
                checked_at: day,
                ..cache::Meta::default()
            };
            cache::write_meta(dir.path(), eco, &meta).unwrap();
        }
        let text = long(&[], Some(dir.path()));
        assert!(
            text.contains("npm, PyPI checked 2025-12-06 to 2025-12-07 from https://osv.example in"),
            "{text}"
        );
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn source_keeps_scheme_and_host_only() {
        assert_eq!(
            source_of("https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip"),
            "https://osv-vulnerabilities.storage.googleapis.com"
        );
        assert_eq!(
            source_of("http://a:b@127.0.0.1:8080/x"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(source_of("mirror/npm"), "mirror");
    }
}
