//! Maven POM reading: real-shaped single and multi-module builds, remote parents and BOMs,
//! and the limits on following parents.

use std::sync::Arc;

use super::inherit::{interpolate, join, Unresolved};
use super::*;
use crate::lockfile::NoIncludes;

/// The files of a repository, for parents to be read from.
struct Tree(Vec<(String, String)>);

impl Includes for Tree {
    fn read(&self, path: &str) -> Result<Arc<str>, String> {
        self.0
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, t)| Arc::from(t.as_str()))
            .ok_or_else(|| "not among the scanned files".to_string())
    }
}

const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>handler</artifactId>
  <version>1.0.0</version>
  <properties>
<jackson.version>2.9.8</jackson.version>
  </properties>
  <dependencies>
<dependency>
  <groupId>org.apache.logging.log4j</groupId>
  <artifactId>log4j-core</artifactId>
  <version>2.14.1</version>
</dependency>
<!-- <dependency><groupId>x</groupId><artifactId>y</artifactId><version>1</version></dependency> -->
<dependency>
  <groupId>com.fasterxml.jackson.core</groupId>
  <artifactId>jackson-databind</artifactId>
  <version>${jackson.version}</version>
</dependency>
<dependency>
  <groupId>junit</groupId>
  <artifactId>junit</artifactId>
  <version>4.12</version>
  <scope>test</scope>
</dependency>
<dependency>
  <groupId>com.example</groupId>
  <artifactId>managed</artifactId>
</dependency>
  </dependencies>
  <build>
<plugins>
  <plugin>
    <artifactId>maven-shade-plugin</artifactId>
    <dependencies>
      <dependency>
        <groupId>org.ow2.asm</groupId>
        <artifactId>asm</artifactId>
        <version>5.0</version>
      </dependency>
    </dependencies>
  </plugin>
</plugins>
  </build>
</project>
"#;

#[test]
fn literal_and_property_versions() {
    let parsed = parse("pom.xml", POM, &NoIncludes).unwrap();
    let got = parsed.quads();
    assert_eq!(
        got,
        vec![
            ("org.apache.logging.log4j:log4j-core", "2.14.1", 14, false),
            (
                "com.fasterxml.jackson.core:jackson-databind",
                "2.9.8",
                20,
                false
            ),
            ("junit:junit", "4.12", 25, true),
        ]
    );
    // Without a version from anywhere, the dependency is unresolved at its own line.
    assert_eq!(parsed.unpinned.len(), 1);
    let u = &parsed.unpinned[0];
    assert_eq!(
        (u.name.as_str(), u.path.as_str(), u.line),
        ("com.example:managed", "pom.xml", 28)
    );
    assert!(u.reason.as_deref().unwrap().contains("no `<version>`"));
}

#[test]
fn mismatched_tags_say_where() {
    let err = parse(
        "pom.xml",
        "<project>\n  <dependencies>\n  </project>\n",
        &NoIncludes,
    )
    .unwrap_err();
    assert_eq!((err.line, err.col), (3, 3), "{}", err.message);
    assert_eq!(
        err.message,
        "not well-formed XML: expected 'dependencies' tag, not 'project'"
    );
}

/// A multi-module build: the root POM is the parent of every service and manages the
/// versions; one service sits two levels down.
const ROOT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example.platform</groupId>
  <artifactId>platform-parent</artifactId>
  <version>2.1.0</version>
  <packaging>pom</packaging>
  <modules>
<module>services/orders</module>
<module>common</module>
  </modules>
  <properties>
<java.version>17</java.version>
<spring.version>5.3.18</spring.version>
<jackson.version>2.13.2</jackson.version>
<log4j2.version>2.14.1</log4j2.version>
<aws.sdk.version>2.20.0</aws.sdk.version>
  </properties>
  <dependencyManagement>
<dependencies>
  <dependency>
    <groupId>com.fasterxml.jackson.core</groupId>
    <artifactId>jackson-databind</artifactId>
    <version>${jackson.version}</version>
  </dependency>
  <dependency>
    <groupId>org.apache.logging.log4j</groupId>
    <artifactId>log4j-core</artifactId>
    <version>${log4j2.version}</version>
  </dependency>
  <dependency>
    <groupId>com.example.platform</groupId>
    <artifactId>common</artifactId>
    <version>${project.version}</version>
  </dependency>
  <dependency>
    <groupId>org.junit.jupiter</groupId>
    <artifactId>junit-jupiter</artifactId>
    <version>5.8.2</version>
    <scope>test</scope>
  </dependency>
</dependencies>
  </dependencyManagement>
</project>
"#;

const ORDERS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
<groupId>com.example.platform</groupId>
<artifactId>platform-parent</artifactId>
<version>2.1.0</version>
<relativePath>../../pom.xml</relativePath>
  </parent>
  <artifactId>orders</artifactId>
  <properties>
<!-- This service stays on an older Jackson. -->
<jackson.version>2.9.10</jackson.version>
  </properties>
  <dependencies>
<dependency>
  <groupId>org.springframework</groupId>
  <artifactId>spring-webmvc</artifactId>
  <version>${spring.version}</version>
</dependency>
<dependency>
  <groupId>com.fasterxml.jackson.core</groupId>
  <artifactId>jackson-databind</artifactId>
</dependency>
<dependency>
  <groupId>org.apache.logging.log4j</groupId>
  <artifactId>log4j-core</artifactId>
</dependency>
<dependency>
  <groupId>${project.groupId}</groupId>
  <artifactId>common</artifactId>
</dependency>
<dependency>
  <groupId>com.example.platform</groupId>
  <artifactId>events</artifactId>
  <version>${project.parent.version}</version>
</dependency>
<dependency>
  <groupId>software.amazon.awssdk</groupId>
  <artifactId>dynamodb</artifactId>
  <version>${aws.sdk.version}</version>
</dependency>
<dependency>
  <groupId>org.junit.jupiter</groupId>
  <artifactId>junit-jupiter</artifactId>
</dependency>
<dependency>
  <groupId>com.example</groupId>
  <artifactId>unknown</artifactId>
  <version>${nowhere.version}</version>
</dependency>
  </dependencies>
</project>
"#;

fn tree() -> Tree {
    Tree(vec![("pom.xml".into(), ROOT.to_string())])
}

#[test]
fn versions_come_from_the_parents_properties_and_management() {
    let parsed = parse("services/orders/pom.xml", ORDERS, &tree()).unwrap();
    assert_eq!(
        parsed.quads(),
        vec![
            ("org.springframework:spring-webmvc", "5.3.18", 19, false),
            // The child's own property wins over the parent's.
            (
                "com.fasterxml.jackson.core:jackson-databind",
                "2.9.10",
                21,
                false
            ),
            ("org.apache.logging.log4j:log4j-core", "2.14.1", 25, false),
            // `${project.version}` in the parent's management is the child's version,
            // which it inherits from the parent.
            ("com.example.platform:common", "2.1.0", 29, false),
            ("com.example.platform:events", "2.1.0", 36, false),
            ("software.amazon.awssdk:dynamodb", "2.20.0", 41, false),
            // The managed scope comes along.
            ("org.junit.jupiter:junit-jupiter", "5.8.2", 43, true),
        ]
    );
    assert_eq!(parsed.unpinned.len(), 1);
    let u = &parsed.unpinned[0];
    assert_eq!(
        (u.name.as_str(), u.spec.as_str(), u.line),
        ("com.example:unknown", "${nowhere.version}", 50)
    );
    let why = u.reason.as_deref().unwrap();
    assert!(why.contains("property `nowhere.version`"), "{why}");
    assert!(!why.contains("not in the repository"), "{why}");
}

#[test]
fn the_parent_itself_reports_its_managed_versions() {
    let parsed = parse("pom.xml", ROOT, &NoIncludes).unwrap();
    let names: Vec<(&str, &str)> = parsed
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("com.fasterxml.jackson.core:jackson-databind", "2.13.2"),
            ("org.apache.logging.log4j:log4j-core", "2.14.1"),
            ("com.example.platform:common", "2.1.0"),
            ("org.junit.jupiter:junit-jupiter", "5.8.2"),
        ]
    );
    assert!(parsed.unpinned.is_empty());
}

const BOOT_APP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
<groupId>org.springframework.boot</groupId>
<artifactId>spring-boot-starter-parent</artifactId>
<version>2.6.5</version>
<relativePath/> <!-- lookup parent from repository -->
  </parent>
  <groupId>com.example</groupId>
  <artifactId>payments</artifactId>
  <version>0.0.1-SNAPSHOT</version>
  <dependencyManagement>
<dependencies>
  <dependency>
    <groupId>org.springframework.cloud</groupId>
    <artifactId>spring-cloud-dependencies</artifactId>
    <version>2021.0.1</version>
    <type>pom</type>
    <scope>import</scope>
  </dependency>
</dependencies>
  </dependencyManagement>
  <dependencies>
<dependency>
  <groupId>org.springframework.boot</groupId>
  <artifactId>spring-boot-starter-web</artifactId>
</dependency>
<dependency>
  <groupId>com.fasterxml.jackson.core</groupId>
  <artifactId>jackson-databind</artifactId>
  <version>${jackson.version}</version>
</dependency>
<dependency>
  <groupId>org.yaml</groupId>
  <artifactId>snakeyaml</artifactId>
  <version>1.29</version>
</dependency>
  </dependencies>
</project>
"#;

#[test]
fn a_remote_parent_leaves_its_versions_unresolved_and_named() {
    let parsed = parse("pom.xml", BOOT_APP, &NoIncludes).unwrap();
    assert_eq!(parsed.triples(), vec![("org.yaml:snakeyaml", "1.29", 37)]);
    let lines: Vec<(&str, u32)> = parsed
        .unpinned
        .iter()
        .map(|u| (u.name.as_str(), u.line))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("org.springframework.boot:spring-boot-starter-web", 25),
            ("com.fasterxml.jackson.core:jackson-databind", 32),
        ]
    );
    for u in &parsed.unpinned {
        let why = u.reason.as_deref().unwrap();
        assert!(
            why.contains("parent org.springframework.boot:spring-boot-starter-parent:2.6.5 comes from a remote repository"),
            "{why}"
        );
        assert!(
            why.contains(
                "imported BOM org.springframework.cloud:spring-cloud-dependencies:2021.0.1"
            ),
            "{why}"
        );
    }
}

/// A child whose default `../pom.xml` is an aggregator, not the parent it names.
#[test]
fn a_parent_with_other_coordinates_is_not_taken() {
    let child = r#"<project>
  <parent>
<groupId>org.acme</groupId>
<artifactId>acme-parent</artifactId>
<version>7</version>
  </parent>
  <artifactId>billing</artifactId>
  <dependencies>
<dependency>
  <groupId>org.apache.commons</groupId>
  <artifactId>commons-text</artifactId>
  <version>${commons-text.version}</version>
</dependency>
  </dependencies>
</project>
"#;
    let aggregator = r#"<project>
  <groupId>org.acme</groupId>
  <artifactId>build-all</artifactId>
  <version>1</version>
  <properties><commons-text.version>1.9</commons-text.version></properties>
</project>
"#;
    let files = Tree(vec![("pom.xml".into(), aggregator.to_string())]);
    let parsed = parse("billing/pom.xml", child, &files).unwrap();
    assert!(parsed.packages.is_empty());
    let why = parsed.unpinned[0].reason.as_deref().unwrap();
    assert!(
        why.contains("parent org.acme:acme-parent:7 is not in the repository (pom.xml is org.acme:build-all)"),
        "{why}"
    );
    assert_eq!(parsed.unpinned[0].line, 12);
}

fn child_of(relative_path: &str, group: &str, artifact: &str) -> String {
    format!(
        "<project>\n  <parent>\n    <groupId>{group}</groupId>\n    <artifactId>{artifact}</artifactId>\n    <version>1</version>\n    <relativePath>{relative_path}</relativePath>\n  </parent>\n  <artifactId>x</artifactId>\n  <dependencies>\n    <dependency>\n      <groupId>g</groupId>\n      <artifactId>a</artifactId>\n      <version>${{v}}</version>\n    </dependency>\n  </dependencies>\n</project>\n"
    )
}

fn reason(parsed: &Parsed) -> &str {
    parsed.unpinned[0].reason.as_deref().unwrap()
}

#[test]
fn parents_outside_the_root_are_never_read() {
    let parsed = parse("svc/pom.xml", &child_of("../../pom.xml", "g", "p"), &tree()).unwrap();
    assert!(
        reason(&parsed).contains("leads outside the scanned directory"),
        "{}",
        reason(&parsed)
    );
    let parsed = parse("svc/pom.xml", &child_of("/etc/pom.xml", "g", "p"), &tree()).unwrap();
    assert!(reason(&parsed).contains("leads outside the scanned directory"));
    // The usual root POM on a remote parent, without `<relativePath/>`: Maven's default
    // `../pom.xml` is above the root, so the parent is remote.
    let root = BOOT_APP.replace("<relativePath/> <!-- lookup parent from repository -->", "");
    let parsed = parse("pom.xml", &root, &tree()).unwrap();
    assert!(
        reason(&parsed).contains(
            "parent org.springframework.boot:spring-boot-starter-parent:2.6.5 is not in the repository (`../pom.xml` from pom.xml leads outside the scanned directory)"
        ),
        "{}",
        reason(&parsed)
    );
}

#[test]
fn parent_cycles_and_long_chains_stop() {
    // a -> b -> a
    let a = child_of("../b", "g", "b").replace(
        "<artifactId>x</artifactId>",
        "<groupId>g</groupId><artifactId>a</artifactId>",
    );
    let b = child_of("../a/pom.xml", "g", "a").replace(
        "<artifactId>x</artifactId>",
        "<groupId>g</groupId><artifactId>b</artifactId>",
    );
    let files = Tree(vec![
        ("a/pom.xml".into(), a.clone()),
        ("b/pom.xml".into(), b),
    ]);
    let parsed = parse("a/pom.xml", &a, &files).unwrap();
    assert!(
        reason(&parsed).contains("a/pom.xml is already among the parents (a cycle)"),
        "{}",
        reason(&parsed)
    );

    // m0 <- m1 <- ... <- m12, each in the directory above the next; `v` defined at the top.
    let mut files = Vec::new();
    let dirs: Vec<String> = (0..=12)
        .map(|i| (0..i).map(|d| format!("m{d}/")).collect())
        .collect();
    let mut leaf = String::new();
    for (i, dir) in dirs.iter().enumerate() {
        let text = if i == 0 {
            "<project><groupId>g</groupId><artifactId>m0</artifactId><version>1</version><properties><v>1.0</v></properties></project>".to_string()
        } else {
            child_of("../pom.xml", "g", &format!("m{}", i - 1)).replace(
                "<artifactId>x</artifactId>",
                &format!("<artifactId>m{i}</artifactId>"),
            )
        };
        if i == 12 {
            leaf = text.clone();
        }
        files.push((format!("{dir}pom.xml"), text));
    }
    let files = Tree(files);
    let parsed = parse(&format!("{}pom.xml", dirs[12]), &leaf, &files).unwrap();
    assert!(parsed.packages.is_empty());
    assert!(
        reason(&parsed).contains("more than 10 levels up"),
        "{}",
        reason(&parsed)
    );
    // Ten levels are followed.
    let parsed = parse(&format!("{}pom.xml", dirs[10]), &files.0[10].1, &files).unwrap();
    assert_eq!(parsed.triples(), vec![("g:a", "1.0", 13)]);
}

#[test]
fn property_expansion_is_recursive_and_bounded() {
    let mut props = HashMap::new();
    props.insert("a".to_string(), "${b}.1".to_string());
    props.insert("b".to_string(), "2".to_string());
    props.insert("self".to_string(), "x${self}".to_string());
    assert!(matches!(interpolate("${a}", &props), Ok(v) if v == "2.1"));
    assert!(matches!(interpolate("${c}", &props), Err(Unresolved::Missing(k)) if k == "c"));
    assert!(matches!(interpolate("${self}", &props), Err(Unresolved::Runaway(k)) if k == "self"));
    assert!(matches!(
        interpolate("${open", &props),
        Err(Unresolved::Missing(_))
    ));
}

#[test]
fn relative_paths_resolve_inside_the_root() {
    assert_eq!(join("a/b", "../pom.xml").as_deref(), Some("a/pom.xml"));
    assert_eq!(
        join("a/b", "../parent").as_deref(),
        Some("a/parent/pom.xml")
    );
    assert_eq!(join("a", "../pom.xml").as_deref(), Some("pom.xml"));
    assert_eq!(join("", "../pom.xml"), None);
    assert_eq!(join("a", "..\\..\\pom.xml"), None);
    assert_eq!(join("a", "C:/pom.xml"), None);
}

#[test]
fn properties_of_a_profile_active_by_default_apply_and_others_do_not() {
    let pom = r#"<project>
  <groupId>com.example</groupId>
  <artifactId>handler</artifactId>
  <version>1.0.0</version>
  <properties>
    <netty.version>4.1.60.Final</netty.version>
  </properties>
  <profiles>
    <profile>
      <id>default</id>
      <properties>
        <netty.version>4.1.68.Final</netty.version>
      </properties>
      <activation>
        <activeByDefault>true</activeByDefault>
      </activation>
    </profile>
    <profile>
      <id>legacy</id>
      <properties>
        <log4j.version>2.14.1</log4j.version>
      </properties>
    </profile>
  </profiles>
  <dependencies>
    <dependency>
      <groupId>io.netty</groupId>
      <artifactId>netty-codec</artifactId>
      <version>${netty.version}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
    </dependency>
  </dependencies>
</project>
"#;
    let parsed = parse("pom.xml", pom, &NoIncludes).unwrap();
    // The default profile's value wins over the project's, written after it or not.
    assert_eq!(
        parsed.triples(),
        vec![("io.netty:netty-codec", "4.1.68.Final", 29)]
    );
    // `legacy` is not active by default: its property is not guessed.
    assert_eq!(parsed.unpinned.len(), 1, "{:?}", parsed.unpinned);
    assert_eq!(
        parsed.unpinned[0].name,
        "org.apache.logging.log4j:log4j-core"
    );
}

/// Plugin configuration often holds CDATA with `<`, `>` and `&` in it; the dependencies after
/// it must still be read, and entities in values expanded.
#[test]
fn cdata_before_the_dependencies_hides_nothing_and_entities_expand() {
    let pom = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <groupId>com.example</groupId>
  <artifactId>app</artifactId>
  <version>1.0</version>
  <properties>
    <log4j.version>2.14.1</log4j.version>
    <note>Tom &amp; Jerry &lt;3</note>
  </properties>
  <build>
    <plugins>
      <plugin>
        <artifactId>maven-antrun-plugin</artifactId>
        <configuration>
          <script><![CDATA[ if (a > b && c < d) { print("</dependencies>") } ]]></script>
        </configuration>
      </plugin>
    </plugins>
  </build>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
    </dependency>
    <dependency>
      <groupId>com.example&#46;tools</groupId>
      <artifactId>a&amp;b</artifactId>
      <version><![CDATA[1.0]]></version>
    </dependency>
  </dependencies>
</project>
"#;
    let parsed = parse("pom.xml", pom, &NoIncludes).unwrap();
    assert_eq!(
        parsed.quads(),
        vec![
            ("org.apache.logging.log4j:log4j-core", "2.14.1", 24, false),
            ("com.example.tools:a&b", "1.0", 29, false),
        ]
    );
}

/// A document type declaration could define entities (billion laughs) or fetch external
/// ones: it is refused with its position.
#[test]
fn a_doctype_is_refused() {
    let pom = "<?xml version=\"1.0\"?>\n<!DOCTYPE project [<!ENTITY x \"y\">]>\n<project/>\n";
    let err = parse("pom.xml", pom, &NoIncludes).unwrap_err();
    assert!(err.message.contains("DTD"), "{}", err.message);
}
