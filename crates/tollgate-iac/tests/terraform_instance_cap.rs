//! The module-instance cap counts every root configuration of the scan together, in root
//! order: a root that stays under the cap alone is still cut short when the ones before it
//! used the rest. (Also the guard for any change that evaluates roots side by side.)

use std::sync::Arc;

use tollgate_core::{walk, Config, ScanContext, WalkOptions};
use tollgate_iac::adapters::terraform::loader::{load, Loaded};

/// `roots` root configurations, each calling the shared module `calls` times.
fn scan(roots: usize, calls: usize) -> Loaded {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("shared")).unwrap();
    std::fs::write(
        dir.path().join("shared/main.tf"),
        "resource \"aws_sqs_queue\" \"q\" {\n  name = \"q\"\n}\n",
    )
    .unwrap();
    for r in 0..roots {
        let root = dir.path().join(format!("root{r}"));
        std::fs::create_dir_all(&root).unwrap();
        let calls: String = (0..calls)
            .map(|c| format!("module \"m{c}\" {{\n  source = \"../shared\"\n}}\n"))
            .collect();
        std::fs::write(root.join("main.tf"), calls).unwrap();
    }
    let ctx = ScanContext::new(
        dir.path().to_path_buf(),
        walk(dir.path(), &WalkOptions::default()).files,
        Arc::new(Config::default()),
        time::macros::date!(2027 - 01 - 01),
    );
    load(&ctx)
}

fn queues_in(loaded: &Loaded, scope: &str) -> usize {
    loaded
        .resources
        .iter()
        .filter(|r| r.scope == scope && r.type_name == "aws_sqs_queue")
        .count()
}

fn refused(loaded: &Loaded) -> Vec<String> {
    loaded
        .notifications
        .iter()
        .filter(|n| {
            n.message
                .contains("module instances in this scan; not followed")
        })
        .filter_map(|n| n.location.as_ref().map(|l| l.path.clone()))
        .collect()
}

#[test]
fn roots_under_the_cap_together_follow_every_call() {
    let loaded = scan(2, 200);
    assert_eq!(queues_in(&loaded, "root0"), 200);
    assert_eq!(queues_in(&loaded, "root1"), 200);
    assert!(refused(&loaded).is_empty());
}

#[test]
fn the_cap_is_spent_in_root_order_across_roots() {
    // 3 x 200 calls, 512 followed: all of the first two roots', 112 of the third's.
    let loaded = scan(3, 200);
    assert_eq!(queues_in(&loaded, "root0"), 200);
    assert_eq!(queues_in(&loaded, "root1"), 200);
    assert_eq!(queues_in(&loaded, "root2"), 112);
    let refused = refused(&loaded);
    assert_eq!(refused.len(), 88, "{refused:?}");
    assert!(refused.iter().all(|p| p == "root2/main.tf"), "{refused:?}");
}
