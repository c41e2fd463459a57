//! The release packaging script (`scripts/package.sh`), run for the host's target on the
//! binary under test: archive name, contents, and its `SHA256SUMS` line.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};
use tollgate_e2e::{tollgate_bin, workspace_root};

/// The target triple the binary says it was built for (`tollgate -V`).
fn host_target() -> String {
    let out = Command::new(tollgate_bin()).arg("-V").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    let inside = first
        .rsplit_once(", ")
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no target in `{first}`"));
    inside.to_string()
}

fn package(args: &[&str]) -> std::process::Output {
    Command::new("bash")
        .arg(workspace_root().join("scripts/package.sh"))
        .args(args)
        .output()
        .unwrap()
}

fn sha256_hex(path: &Path) -> String {
    let digest = Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn packages_the_host_binary_with_its_checksum_line() {
    let version = env!("CARGO_PKG_VERSION");
    let target = host_target();
    let out = tempfile::tempdir().unwrap();
    let bin = tollgate_bin();
    let result = package(&[
        version,
        &target,
        bin.to_str().unwrap(),
        out.path().to_str().unwrap(),
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let name = format!("tollgate-{version}-{target}.tar.gz");
    let archive = out.path().join(&name);
    assert_eq!(
        String::from_utf8(result.stdout).unwrap().trim(),
        archive.to_str().unwrap()
    );

    // One line, in sha256sum's format, naming the archive by its file name only.
    let line = std::fs::read_to_string(out.path().join(format!("{name}.sha256"))).unwrap();
    assert_eq!(line, format!("{}  {name}\n", sha256_hex(&archive)));

    // The binary, the README and the changelog at the top level, nothing else.
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(&archive)
        .output()
        .unwrap();
    let mut entries: Vec<String> = String::from_utf8(listing.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    entries.sort();
    assert_eq!(entries, ["CHANGELOG.md", "README.md", "tollgate"]);

    // Unpacked, it is the same program and runs.
    let unpacked = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(unpacked.path())
        .status()
        .unwrap();
    assert!(status.success());
    let packed_bin = unpacked.path().join("tollgate");
    assert_eq!(sha256_hex(&packed_bin), sha256_hex(&bin));
    let version_out = Command::new(&packed_bin).arg("-V").output().unwrap();
    assert!(String::from_utf8_lossy(&version_out.stdout).contains(&target));
}

#[test]
fn refuses_bad_names_and_missing_binaries() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let bin = tollgate_bin();
    let bin = bin.to_str().unwrap();
    for (args, expected) in [
        (
            ["1.2", "x86_64-unknown-linux-musl", bin, dir],
            "is not MAJOR.MINOR.PATCH",
        ),
        (["1.2.3", "../../etc", bin, dir], "is not a target triple"),
        (
            [
                "1.2.3",
                "x86_64-unknown-linux-musl",
                "/no/such/tollgate",
                dir,
            ],
            "does not exist",
        ),
    ] {
        let result = package(&args);
        assert_eq!(result.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&result.stderr).contains(expected),
            "{args:?}"
        );
    }
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}
