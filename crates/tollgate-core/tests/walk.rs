//! The inventory walk against real directory trees.

use std::fs;
use std::path::Path;

use tollgate_core::inventory::{code_shard_key, parse_shard, shard_key, shard_of};
use tollgate_core::{walk, FileKind, Inventory, NotificationLevel, WalkOptions};

fn write(root: &Path, rel: &str, content: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

fn paths(inv: &Inventory) -> Vec<&str> {
    inv.files.iter().map(|f| f.path.as_str()).collect()
}

fn run(root: &Path) -> Inventory {
    walk(root, &WalkOptions::default())
}

#[test]
fn honours_gitignore_without_a_git_repository() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", b"build/\n*.log\n");
    write(root, "build/out.yaml", b"a: 1\n");
    write(root, "debug.log", b"x\n");
    write(root, "src/app.py", b"print(1)\n");
    let inv = run(root);
    assert_eq!(paths(&inv), [".gitignore", "src/app.py"]);
    assert!(inv.notifications.is_empty(), "{:?}", inv.notifications);
}

#[test]
fn honours_tollgateignore_in_nested_directories() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".tollgateignore", b"fixtures/\n");
    write(root, "fixtures/bad.tf", b"resource \"a\" \"b\" {}\n");
    write(root, "svc/.tollgateignore", b"generated.yaml\n");
    write(root, "svc/generated.yaml", b"a: 1\n");
    write(root, "svc/main.tf", b"resource \"a\" \"b\" {}\n");
    let inv = run(root);
    assert_eq!(
        paths(&inv),
        [".tollgateignore", "svc/.tollgateignore", "svc/main.tf"]
    );
}

#[test]
fn sees_hidden_github_directory_but_never_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".github/workflows/ci.yml", b"on: push\njobs: {}\n");
    write(root, ".git/config", b"[core]\n");
    write(root, ".git/hooks/pre-commit.yaml", b"a: 1\n");
    write(root, "sub/.git", b"gitdir: ../.git/modules/sub\n");
    let inv = run(root);
    assert_eq!(paths(&inv), [".github/workflows/ci.yml"]);
    assert_eq!(inv.files[0].kind, FileKind::Workflow);
    assert!(inv.files[0].abs.is_absolute());
}

#[test]
fn include_and_exclude_globs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "infra/a.tf", b"");
    write(root, "infra/test/b.tf", b"");
    write(root, "infra/node_modules/x/c.tf", b"");
    write(root, "app/d.tf", b"");
    let opts = WalkOptions {
        include: vec!["infra/**".into()],
        exclude: vec!["node_modules".into(), "infra/test/".into()],
        ..WalkOptions::default()
    };
    let inv = walk(root, &opts);
    assert_eq!(paths(&inv), ["infra/a.tf"]);
    let bad = WalkOptions {
        exclude: vec!["bad[".into()],
        ..WalkOptions::default()
    };
    let inv = walk(root, &bad);
    assert_eq!(inv.files.len(), 4);
    assert_eq!(inv.notifications[0].id, "invalid-glob");
    assert_eq!(inv.notifications[0].level, NotificationLevel::Error);
}

#[cfg(unix)]
#[test]
fn symlink_out_of_root_is_skipped_with_a_notification() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secret.yaml",
        b"AWSTemplateFormatVersion: x\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "real/template.yaml", b"AWSTemplateFormatVersion: x\n");
    symlink(outside.path().join("secret.yaml"), root.join("leak.yaml")).unwrap();
    symlink(outside.path(), root.join("leakdir")).unwrap();
    symlink(root.join("real/template.yaml"), root.join("alias.yaml")).unwrap();
    let inv = run(root);
    assert_eq!(paths(&inv), ["alias.yaml", "real/template.yaml"]);
    // Scanned through its target, which is inside the root.
    assert_eq!(inv.files[0].kind, FileKind::CloudFormation { json: false });
    assert!(inv.files[0].abs.ends_with("real/template.yaml"));
    let skipped: Vec<&str> = inv
        .notifications
        .iter()
        .filter(|n| n.id == "file-skipped")
        .map(|n| n.location.as_ref().unwrap().path.as_str())
        .collect();
    assert_eq!(skipped, ["leak.yaml", "leakdir"]);
    let text = &inv.notifications[0].message;
    assert!(text.contains("outside the scanned directory"), "{text}");
    assert!(
        !text.contains(&outside.path().display().to_string()),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "a/main.tf", b"");
    symlink(root, root.join("a/up")).unwrap();
    symlink(root.join("a"), root.join("a/self")).unwrap();
    symlink(root.join("loop1"), root.join("loop2")).unwrap();
    symlink(root.join("loop2"), root.join("loop1")).unwrap();
    let inv = run(root);
    assert_eq!(paths(&inv), ["a/main.tf"]);
    let ids: Vec<&str> = inv.notifications.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        ["file-skipped", "file-skipped"],
        "{:?}",
        inv.notifications
    );
}

#[test]
fn oversized_and_binary_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "big.yaml", &vec![b'a'; 2000]);
    write(root, "small.yaml", b"a: 1\n");
    write(root, "logo.png", b"\x89PNG\r\n\x1a\n\0\0\0");
    write(root, "template.yaml", b"AWS\0");
    let opts = WalkOptions {
        max_file_bytes: 1000,
        ..WalkOptions::default()
    };
    let inv = walk(root, &opts);
    assert_eq!(paths(&inv), ["small.yaml"]);
    let messages: Vec<(&str, &str)> = inv
        .notifications
        .iter()
        .map(|n| {
            (
                n.location.as_ref().unwrap().path.as_str(),
                n.message.as_str(),
            )
        })
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0].0, "big.yaml");
    assert!(messages[0].1.contains("2000 bytes"), "{}", messages[0].1);
    assert!(
        messages[0].1.contains("limit of 1000 bytes"),
        "{}",
        messages[0].1
    );
    assert_eq!(messages[1].0, "template.yaml");
    assert!(messages[1].1.contains("binary"));
    assert!(inv
        .notifications
        .iter()
        .all(|n| n.level == NotificationLevel::Warning && n.id == "file-skipped"));
}

#[test]
fn classifies_by_content_during_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "template.yaml",
        b"Transform: AWS::Serverless-2016-10-31\n",
    );
    write(root, "serverless.yml", b"service: x\n");
    write(
        root,
        "plan.json",
        br#"{"format_version":"1.2","resource_changes":[]}"#,
    );
    write(root, "web/package-lock.json", b"{}");
    let inv = run(root);
    let kinds: Vec<(&str, &FileKind)> = inv
        .files
        .iter()
        .map(|f| (f.path.as_str(), &f.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("plan.json", &FileKind::TerraformPlan),
            ("serverless.yml", &FileKind::Serverless),
            ("template.yaml", &FileKind::Sam { json: false }),
            (
                "web/package-lock.json",
                &FileKind::Lockfile("package-lock.json".into())
            ),
        ]
    );
}

#[test]
fn missing_root_is_an_error_notification() {
    let dir = tempfile::tempdir().unwrap();
    let inv = run(&dir.path().join("nope"));
    assert!(inv.files.is_empty());
    assert_eq!(inv.notifications[0].level, NotificationLevel::Error);
    assert_eq!(inv.notifications[0].id, "root-unreadable");
}

#[test]
fn shards_partition_the_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 0..40 {
        write(root, &format!("d{}/f{i}.tf", i % 10), b"");
    }
    write(root, "huge.tf", &[b'#'; 300]);
    let all = paths(&run(root))
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    assert_eq!(all.len(), 41);
    let all: Vec<String> = all.into_iter().filter(|p| p != "huge.tf").collect();
    let n = 4;
    let mut union = Vec::new();
    let mut skipped = 0;
    for k in 1..=n {
        let opts = WalkOptions {
            shard: Some((k, n)),
            max_file_bytes: 100,
            ..WalkOptions::default()
        };
        let shard = walk(root, &opts);
        let shard_paths: Vec<String> = paths(&shard).into_iter().map(String::from).collect();
        assert!(!shard_paths.is_empty(), "shard {k}/{n} is empty");
        // A directory (one Terraform configuration) is never split across shards.
        for path in &shard_paths {
            let dir = shard_key(path);
            let whole = all.iter().filter(|p| shard_key(p) == dir).count();
            let here = shard_paths.iter().filter(|p| shard_key(p) == dir).count();
            assert_eq!(whole, here, "{dir} is split");
        }
        // Stable: the same walk gives the same shard.
        assert_eq!(paths(&walk(root, &opts)), paths(&shard));
        union.extend(shard_paths);
        skipped += shard.notifications.len();
    }
    // The oversized file is reported by its own shard only.
    assert_eq!(skipped, 1);
    union.sort();
    let before = union.len();
    union.dedup();
    assert_eq!(before, union.len(), "shards overlap");
    assert_eq!(union, all);
    // Fixed across machines and releases: FNV-1a of the path.
    assert_eq!(shard_of("template.yaml", 1), 0);
    assert_eq!(shard_key("infra/ledger/main.tf"), "infra/ledger");
    assert_eq!(shard_key("main.tf"), "");
    // Function code goes with the nearest template above it; other files keep their directory.
    let templates: std::collections::BTreeSet<String> =
        ["svc".to_string(), "svc/nested".to_string()].into();
    assert_eq!(code_shard_key("svc/src/intake/app.py", &templates), "svc");
    assert_eq!(code_shard_key("svc/nested/h.ts", &templates), "svc/nested");
    assert_eq!(
        code_shard_key("svc/src/requirements.txt", &templates),
        "svc/src"
    );
    assert_eq!(code_shard_key("tools/x.js", &templates), "tools");
    assert_eq!(shard_of("a", 7), (0xaf63_bd4c_8601_b7be_u64 % 7) as u32);
    assert_eq!(parse_shard("2/3"), Ok((2, 3)));
    assert!(parse_shard("0/3").is_err());
    assert!(parse_shard("4/3").is_err());
    assert!(parse_shard("x").is_err());
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Walk on another thread so a regression hangs this test for a bounded time, not for ever.
#[cfg(unix)]
fn walk_within_seconds(root: &Path, seconds: u64) -> Inventory {
    let (send, receive) = std::sync::mpsc::channel();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let _ = send.send(run(&root));
    });
    receive
        .recv_timeout(std::time::Duration::from_secs(seconds))
        .expect("the walk blocked on a special file")
}

/// A FIFO named like an ignore file in a subdirectory would block the walk for ever when
/// opened; the directory is skipped with a warning and everything else is still walked.
#[cfg(unix)]
#[test]
fn fifo_ignore_files_do_not_hang_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "good/template.yaml", b"Resources: {}\n");
    mkfifo(&root.join("trap/.gitignore"));
    write(root, "trap/hidden.tf", b"resource \"a\" \"b\" {}\n");
    mkfifo(&root.join("other/.tollgateignore"));
    mkfifo(&root.join("pipe.yaml"));
    let inv = walk_within_seconds(root, 20);
    assert_eq!(paths(&inv), ["good/template.yaml"]);
    let messages: Vec<&str> = inv
        .notifications
        .iter()
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(inv.notifications.len(), 3, "{messages:?}");
    assert!(messages
        .iter()
        .any(|m| m.contains("`trap`") && m.contains("trap/.gitignore")));
    assert!(messages.iter().any(|m| m.contains("other/.tollgateignore")));
    assert!(messages
        .iter()
        .any(|m| m.contains("`pipe.yaml`") && m.contains("not a regular file")));
    assert!(inv
        .notifications
        .iter()
        .all(|n| n.level == NotificationLevel::Warning));

    // At the root, the scan cannot start without its ignore rules: an error, not a hang.
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join(".gitignore"));
    write(dir.path(), "a.yaml", b"a: 1\n");
    let inv = walk_within_seconds(dir.path(), 20);
    assert!(inv.files.is_empty());
    assert_eq!(inv.notifications.len(), 1);
    assert_eq!(inv.notifications[0].level, NotificationLevel::Error);
    assert!(inv.notifications[0].message.contains(".gitignore"));
}

/// A `.git` file whose `gitdir:` leads to a FIFO `commondir` is never opened.
#[cfg(unix)]
#[test]
fn git_files_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "sub/.git", b"gitdir: ../trapdir\n");
    mkfifo(&root.join("trapdir/commondir"));
    write(root, "sub/main.tf", b"resource \"a\" \"b\" {}\n");
    let inv = walk_within_seconds(root, 20);
    assert_eq!(paths(&inv), ["sub/main.tf"]);
}

#[test]
fn one_named_file_is_kept_whatever_the_ignore_files_say() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", b"template.yaml\n");
    write(
        root,
        "template.yaml",
        b"AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
    );
    write(root, "other.yaml", b"a: 1\n");
    let inv = tollgate_core::walk_file(root, "template.yaml", &WalkOptions::default());
    assert_eq!(paths(&inv), ["template.yaml"]);
    assert!(matches!(inv.files[0].kind, FileKind::CloudFormation { .. }));
    // Too big: skipped with the reason; missing: an error.
    let small = WalkOptions {
        max_file_bytes: 4,
        ..WalkOptions::default()
    };
    let inv = tollgate_core::walk_file(root, "template.yaml", &small);
    assert!(inv.files.is_empty());
    assert_eq!(inv.notifications[0].id, "file-skipped");
    let inv = tollgate_core::walk_file(root, "missing.yaml", &WalkOptions::default());
    assert_eq!(inv.notifications[0].level, NotificationLevel::Error);
}
