//! The diff map from a real repository and the base tree written without a checkout.

use git2::{Oid, Repository, Signature};
use std::sync::Arc;

use tollgate_github::{
    base_tree_to_dir, base_tree_to_dir_sharing, base_tree_to_dir_with, DiffMap, GitError,
    TreeLimits,
};

/// Commit `files` (path, mode, content) as a flat tree on top of `parent`.
fn commit(repo: &Repository, parent: Option<Oid>, files: &[(&str, i32, &[u8])]) -> Oid {
    let mut root = repo.treebuilder(None).unwrap();
    let mut sub = repo.treebuilder(None).unwrap();
    for (path, mode, content) in files {
        let blob = repo.blob(content).unwrap();
        match path.split_once('/') {
            Some((_, name)) => sub.insert(name, blob, *mode).unwrap(),
            None => root.insert(path, blob, *mode).unwrap(),
        };
    }
    let sub_id = sub.write().unwrap();
    root.insert("src", sub_id, 0o040000).unwrap();
    let tree = repo.find_tree(root.write().unwrap()).unwrap();
    let sig = Signature::now("t", "t@example.com").unwrap();
    let parents: Vec<git2::Commit> = parent
        .map(|p| repo.find_commit(p).unwrap())
        .into_iter()
        .collect();
    let refs: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(None, &sig, &sig, "c", &tree, &refs).unwrap()
}

#[test]
fn diff_map_and_base_tree_from_git() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let base_text = b"a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
    let head_text = b"a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\n";
    let big = vec![b'x'; 2048];
    let base = commit(
        &repo,
        None,
        &[
            ("template.yaml", 0o100644, base_text),
            ("escape", 0o120000, b"../../../etc/passwd"),
            ("src/big.bin", 0o100644, &big),
            ("src/app.py", 0o100755, b"print(1)\n"),
        ],
    );
    let head = commit(
        &repo,
        Some(base),
        &[
            ("template.yaml", 0o100644, head_text),
            ("src/app.py", 0o100755, b"print(1)\n"),
        ],
    );
    let map = DiffMap::from_git(dir.path(), &base.to_string(), &head.to_string()).unwrap();
    let t = map.file("template.yaml").unwrap();
    assert_eq!(t.added.iter().copied().collect::<Vec<_>>(), vec![5, 11]);
    assert_eq!(t.hunks, vec![(2, 11)]);
    assert!(
        map.file("escape").is_none(),
        "deleted files have no new side"
    );

    // The files API's patches for the same change give the same map.
    let old = repo.find_commit(base).unwrap().tree().unwrap();
    let new = repo.find_commit(head).unwrap().tree().unwrap();
    let diff = repo
        .diff_tree_to_tree(Some(&old), Some(&new), None)
        .unwrap();
    let mut files = Vec::new();
    for i in 0..diff.deltas().len() {
        let mut patch = git2::Patch::from_diff(&diff, i).unwrap().unwrap();
        let delta = patch.delta();
        let status = match delta.status() {
            git2::Delta::Deleted => "removed",
            git2::Delta::Added => "added",
            _ => "modified",
        };
        let name = delta.new_file().path().or(delta.old_file().path()).unwrap();
        let name = name.to_str().unwrap().to_string();
        let text = String::from_utf8(patch.to_buf().unwrap().to_vec()).unwrap();
        files.push(serde_json::json!({"filename": name, "status": status, "patch": text}));
    }
    assert_eq!(
        DiffMap::from_pr_files(&serde_json::Value::Array(files)).unwrap(),
        map
    );

    let missing = DiffMap::from_git(
        dir.path(),
        "1111111111111111111111111111111111111111",
        "HEAD",
    );
    assert!(matches!(missing, Err(GitError::Missing { .. })));

    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("base");
    let limits = TreeLimits {
        max_blob_bytes: 1024,
        ..TreeLimits::default()
    };
    let written = base_tree_to_dir_with(dir.path(), &base.to_string(), &dest, &limits).unwrap();
    assert_eq!(written.files, 2);
    assert_eq!(
        std::fs::read(dest.join("template.yaml")).unwrap(),
        base_text
    );
    assert!(dest.join("src/app.py").is_file());
    assert!(!dest.join("escape").exists(), "symlinks are skipped");
    assert!(!dest.join("src/big.bin").exists(), "huge blobs are skipped");
    let reasons: Vec<&str> = written.skipped.iter().map(|(_, r)| r.as_str()).collect();
    assert!(
        reasons.contains(&"symbolic link") && reasons.contains(&"file larger than the size cap")
    );
    // A destination with content is refused rather than mixed into.
    assert!(matches!(
        base_tree_to_dir(dir.path(), &base.to_string(), &dest),
        Err(GitError::NotEmpty(_))
    ));
}

/// A scan of a subdirectory compares the same subdirectory of the base, and the diff map's
/// paths are relative to it, as the scan reports them.
#[test]
fn a_subdirectory_compares_the_same_subdirectory() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let base = commit(
        &repo,
        None,
        &[
            ("template.yaml", 0o100644, b"top\n"),
            ("src/app.py", 0o100644, b"a\nb\n"),
        ],
    );
    let head = commit(
        &repo,
        Some(base),
        &[
            ("template.yaml", 0o100644, b"top\nchanged\n"),
            ("src/app.py", 0o100644, b"a\nb\nc\n"),
        ],
    );
    let sub = dir.path().join("src");
    std::fs::create_dir_all(&sub).unwrap();
    assert_eq!(
        tollgate_github::subdirectory_in_repo(&sub).as_deref(),
        Some("src/")
    );
    assert_eq!(
        tollgate_github::subdirectory_in_repo(dir.path()).as_deref(),
        Some("")
    );
    let map = DiffMap::from_git(&sub, &base.to_string(), &head.to_string()).unwrap();
    assert_eq!(
        map.file("app.py")
            .unwrap()
            .added
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        vec![3]
    );
    assert!(map.file("template.yaml").is_none() && map.file("src/app.py").is_none());

    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("base");
    let written = base_tree_to_dir(&sub, &base.to_string(), &dest).unwrap();
    assert_eq!(written.files, 1);
    assert_eq!(std::fs::read(dest.join("app.py")).unwrap(), b"a\nb\n");
    assert!(!dest.join("template.yaml").exists());
    // A subdirectory the base does not have: an empty base, every finding new.
    let added = dir.path().join("new-service");
    std::fs::create_dir_all(&added).unwrap();
    let empty = out.path().join("empty");
    let written = base_tree_to_dir(&added, &base.to_string(), &empty).unwrap();
    assert_eq!(written.files, 0);
}

/// Files the head holds with the same blob at the same path are listed, not written, unless a
/// directory above them holds ignore files that differ between the trees (a walk of the base
/// could then keep other files than the head's did); a truncated tree writes them all.
#[test]
fn files_the_head_holds_unchanged_are_shared_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let base = commit(
        &repo,
        None,
        &[
            ("template.yaml", 0o100644, b"Resources: {}\n"),
            ("changed.yaml", 0o100644, b"Resources: {}\n"),
            ("src/.gitignore", 0o100644, b"*.log\n"),
            ("src/app.py", 0o100644, b"print(1)\n"),
        ],
    );
    // The head's work tree: the same template and handler, another `changed.yaml` and
    // another `src/.gitignore`.
    let work = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    work("template.yaml", "Resources: {}\n");
    work(
        "changed.yaml",
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
    );
    work("src/.gitignore", "*.tmp\n");
    work("src/app.py", "print(1)\n");
    let asked = std::sync::Mutex::new(Vec::new());
    let head = |rel: &str| -> Option<Arc<str>> {
        asked.lock().unwrap().push(rel.to_string());
        std::fs::read_to_string(dir.path().join(rel))
            .ok()
            .map(Arc::from)
    };

    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("base");
    let limits = TreeLimits::default();
    let written =
        base_tree_to_dir_sharing(dir.path(), &base.to_string(), &dest, &limits, &head).unwrap();
    assert_eq!(written.shared, ["template.yaml"]);
    assert_eq!(written.files, 4, "shared files count among the revision's");
    assert!(!dest.join("template.yaml").exists());
    assert_eq!(
        std::fs::read(dest.join("changed.yaml")).unwrap(),
        b"Resources: {}\n"
    );
    assert!(dest.join("src/app.py").is_file());
    assert!(dest.join("src/.gitignore").is_file());
    // Only files outside `src/` were compared with the head; ignore files are always written.
    assert_eq!(*asked.lock().unwrap(), ["changed.yaml", "template.yaml"]);

    // With the same ignore file in the head, the handler is shared too.
    work("src/.gitignore", "*.log\n");
    let dest = out.path().join("again");
    let written =
        base_tree_to_dir_sharing(dir.path(), &base.to_string(), &dest, &limits, &head).unwrap();
    assert_eq!(written.shared, ["src/app.py", "template.yaml"]);
    assert!(!dest.join("src/app.py").exists());

    // A tree cut short by a cap is written as without sharing: the handler, shared before the
    // template reached the entry cap, is written after all.
    let dest = out.path().join("truncated");
    let small = TreeLimits {
        max_entries: 4,
        ..TreeLimits::default()
    };
    let written =
        base_tree_to_dir_sharing(dir.path(), &base.to_string(), &dest, &small, &head).unwrap();
    assert!(written.shared.is_empty());
    assert!(dest.join("src/app.py").is_file());
    assert_eq!(written.skipped.len(), 1, "{:?}", written.skipped);
}

/// A work-tree file whose stat data is still what git's index recorded with the base's blob id
/// is taken for that blob without hashing the head's text; a file changed since (same size,
/// other bytes) is hashed and written, and with a filter driver in the config, whose output
/// the index says nothing about, every text is hashed.
#[test]
fn the_index_vouches_for_files_unchanged_since_it_recorded_them() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    for (name, text) in [("a.yaml", "A: 1\n"), ("b.yaml", "B: 1\n")] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    // Written well before the index, so that no entry is racily clean.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let mut index = repo.index().unwrap();
    index.add_path(std::path::Path::new("a.yaml")).unwrap();
    index.add_path(std::path::Path::new("b.yaml")).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("t", "t@example.com").unwrap();
    let base = repo.commit(None, &sig, &sig, "c", &tree, &[]).unwrap();
    // `b.yaml` changes in the work tree only, to bytes of the same length.
    std::fs::write(dir.path().join("b.yaml"), "B: 2\n").unwrap();
    // The head's texts: `a.yaml`'s is not what the file holds, so only the index can say the
    // file is the base's blob.
    let head = |rel: &str| -> Option<Arc<str>> {
        match rel {
            "a.yaml" => Some(Arc::from("X: 9\n")),
            _ => std::fs::read_to_string(dir.path().join(rel))
                .ok()
                .map(Arc::from),
        }
    };
    let out = tempfile::tempdir().unwrap();
    let limits = TreeLimits::default();
    let dest = out.path().join("indexed");
    let written =
        base_tree_to_dir_sharing(dir.path(), &base.to_string(), &dest, &limits, &head).unwrap();
    assert_eq!(written.shared, ["a.yaml"]);
    assert_eq!(std::fs::read(dest.join("b.yaml")).unwrap(), b"B: 1\n");

    repo.config()
        .unwrap()
        .set_str("filter.crypt.clean", "cat")
        .unwrap();
    let dest = out.path().join("filtered");
    let written =
        base_tree_to_dir_sharing(dir.path(), &base.to_string(), &dest, &limits, &head).unwrap();
    assert!(written.shared.is_empty(), "{:?}", written.shared);
    assert_eq!(std::fs::read(dest.join("a.yaml")).unwrap(), b"A: 1\n");
}
