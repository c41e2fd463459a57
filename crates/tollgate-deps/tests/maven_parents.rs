//! A multi-module Maven repository through the stage: versions a child POM takes from its
//! parent (properties, dependency management) are matched and reported at the child's line;
//! versions only a remote parent could supply are TG3001 findings naming that parent.

mod common;

use tollgate_core::{Finding, Stage};
use tollgate_deps::{DepsOptions, DepsStage};

const PARENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example.reports</groupId>
  <artifactId>reports-parent</artifactId>
  <version>3.0.0</version>
  <packaging>pom</packaging>
  <modules>
    <module>functions/export</module>
    <module>functions/import</module>
  </modules>
  <properties>
    <log4j.version>2.14.1</log4j.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.apache.logging.log4j</groupId>
        <artifactId>log4j-core</artifactId>
        <version>${log4j.version}</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
</project>
"#;

/// Takes log4j's version from the parent's management.
const EXPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>com.example.reports</groupId>
    <artifactId>reports-parent</artifactId>
    <version>3.0.0</version>
    <relativePath>../../pom.xml</relativePath>
  </parent>
  <artifactId>export-fn</artifactId>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
    </dependency>
  </dependencies>
</project>
"#;

/// A standalone function on a parent from a remote repository.
const IMPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>2.5.6</version>
    <relativePath/>
  </parent>
  <groupId>com.example.reports</groupId>
  <artifactId>import-fn</artifactId>
  <version>3.0.0</version>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
    </dependency>
  </dependencies>
</project>
"#;

fn line_of(f: &Finding) -> (String, u32) {
    (
        f.location.path.clone(),
        f.location.start_line().unwrap_or(0),
    )
}

#[test]
fn child_poms_resolve_through_the_parent_in_the_repository() {
    let repo = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("pom.xml", PARENT),
        ("functions/export/pom.xml", EXPORT),
        ("functions/import/pom.xml", IMPORT),
    ] {
        let path = repo.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let cache = tempfile::tempdir().unwrap();
    let ctx = common::context(repo.path(), common::today());
    let stage = DepsStage::new(DepsOptions {
        advisory_db: vec![common::fixtures().join("osv")],
        offline: true,
        cache_dir: Some(cache.path().to_path_buf()),
        ..DepsOptions::default()
    });
    let report = stage.run(&ctx).unwrap();

    let mut log4j: Vec<(String, u32)> = report
        .findings
        .iter()
        .filter(|f| f.rule == "GHSA-jfh8-c2jp-5v3q")
        .map(line_of)
        .collect();
    log4j.sort();
    // The managed entry in the parent, and the child that inherits it, each at its own line.
    assert_eq!(
        log4j,
        vec![
            ("functions/export/pom.xml".to_string(), 12),
            ("pom.xml".to_string(), 20),
        ]
    );

    let unresolved: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == "TG3001")
        .collect();
    assert_eq!(unresolved.len(), 1, "{:?}", report.findings);
    assert_eq!(
        line_of(unresolved[0]),
        ("functions/import/pom.xml".to_string(), 14)
    );
    let message = &unresolved[0].message;
    assert!(
        message.starts_with("org.apache.logging.log4j:log4j-core: no `<version>`"),
        "{message}"
    );
    assert!(
        message.contains(
            "parent org.springframework.boot:spring-boot-starter-parent:2.5.6 comes from a remote repository"
        ),
        "{message}"
    );
    assert!(
        message.contains("not checked against advisories"),
        "{message}"
    );
}
