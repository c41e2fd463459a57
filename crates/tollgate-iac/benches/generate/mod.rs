//! The benchmark corpus: N deterministic templates mixed across CloudFormation (YAML and JSON),
//! AWS SAM, Serverless Framework and Terraform, each with several resources, some hardened and
//! some not. The same (N, seed) always writes the same bytes, and template `i` does not depend
//! on N, so a 1,000-file corpus is the first 1,000 templates of the 5,000-file one.

mod cloudformation;
mod serverless;
mod terraform;
mod yaml;

use std::io;
use std::path::{Path, PathBuf};

/// A 64-bit linear congruential generator (Knuth's MMIX constants). Quality is irrelevant here;
/// being seeded and dependency-free is what matters.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        // One round of mixing so that neighbouring seeds do not start on neighbouring states.
        let mut lcg = Lcg(seed ^ 0x9e37_79b9_7f4a_7c15);
        lcg.next_u64();
        lcg
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        // The high bits of an LCG are the well-mixed ones.
        self.0 >> 33
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The random choices of one template: how careful its author was, and the dice for each
/// setting. A hardened template switches most protections on, a careless one few of them.
pub struct Dice {
    rng: Lcg,
    /// Percentage of protections switched on.
    care: u64,
}

impl Dice {
    pub fn new(seed: u64) -> Self {
        let mut rng = Lcg::new(seed);
        // A third careless, a third in between, a third hardened: real repositories are mixed.
        let care = match rng.below(3) {
            0 => 15,
            1 => 55,
            _ => 95,
        };
        Dice { rng, care }
    }

    /// Whether a protection is switched on.
    pub fn careful(&mut self) -> bool {
        self.rng.below(100) < self.care
    }

    /// Whether a rare mistake (public ACL, open policy, plaintext secret) is made.
    pub fn blunder(&mut self) -> bool {
        self.rng.below(100) < (100 - self.care) / 4
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.rng.below(n)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        self.rng.pick(items)
    }
}

/// Names the templates draw from, so that they do not all look alike.
pub const SERVICES: &[&str] = &[
    "orders",
    "payments",
    "ledger",
    "billing",
    "inventory",
    "shipping",
    "notify",
    "profile",
    "search",
    "audit",
    "invoices",
    "catalog",
];
pub const VERBS: &[&str] = &[
    "intake", "charge", "refund", "sync", "export", "report", "ingest", "resize", "lookup",
    "expire",
];
/// Current and deprecated runtimes, so the deprecated-runtime rules see both.
pub const RUNTIMES: &[&str] = &[
    "python3.12",
    "python3.11",
    "nodejs20.x",
    "nodejs22.x",
    "java21",
    "python3.8",
    "nodejs14.x",
    "python3.7",
];

/// The formats of the corpus, in the order they rotate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    CloudFormationYaml,
    CloudFormationJson,
    Sam,
    Serverless,
    Terraform,
}

impl Flavour {
    pub const ALL: [Flavour; 5] = [
        Flavour::CloudFormationYaml,
        Flavour::CloudFormationJson,
        Flavour::Sam,
        Flavour::Serverless,
        Flavour::Terraform,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Flavour::CloudFormationYaml => "CloudFormation YAML",
            Flavour::CloudFormationJson => "CloudFormation JSON",
            Flavour::Sam => "SAM YAML",
            Flavour::Serverless => "Serverless Framework",
            Flavour::Terraform => "Terraform HCL",
        }
    }

    /// Where template `i` of this flavour lives. Serverless and Terraform get a directory each:
    /// `serverless.yml` has a fixed name, and every `.tf` of a directory is one module.
    fn path(self, root: &Path, i: usize) -> PathBuf {
        let group = format!("g{:02}", i / 500);
        match self {
            Flavour::CloudFormationYaml => root
                .join("cfn")
                .join(group)
                .join(format!("stack-{i:05}.yaml")),
            Flavour::CloudFormationJson => root
                .join("cfn")
                .join(group)
                .join(format!("stack-{i:05}.json")),
            Flavour::Sam => root
                .join("sam")
                .join(group)
                .join(format!("app-{i:05}.yaml")),
            Flavour::Serverless => root.join(format!("svc-{i:05}")).join("serverless.yml"),
            Flavour::Terraform => root.join("tf").join(format!("mod-{i:05}")).join("main.tf"),
        }
    }
}

/// What was written.
#[derive(Debug, Default)]
pub struct CorpusStats {
    pub templates: usize,
    pub bytes: u64,
    /// Templates per flavour, in `Flavour::ALL` order.
    pub per_flavour: [usize; 5],
}

/// The flavour and the text of template `i`.
pub fn template(i: usize, seed: u64) -> (Flavour, String) {
    let flavour = Flavour::ALL[i % Flavour::ALL.len()];
    // Each template has its own stream, so template i is the same whatever N is.
    let mut dice = Dice::new(seed.wrapping_mul(0x100_0000_01b3) ^ (i as u64));
    let text = match flavour {
        Flavour::CloudFormationYaml => yaml::to_yaml(&cloudformation::stack(i, &mut dice)),
        Flavour::CloudFormationJson => {
            let mut text = serde_json::to_string_pretty(&cloudformation::stack(i, &mut dice))
                .expect("a JSON value always serializes");
            text.push('\n');
            text
        }
        Flavour::Sam => yaml::to_yaml(&cloudformation::sam(i, &mut dice)),
        Flavour::Serverless => yaml::to_yaml(&serverless::service(i, &mut dice)),
        Flavour::Terraform => terraform::module(i, &mut dice),
    };
    (flavour, text)
}

/// Write `n` templates under `root` (created if missing).
pub fn write_corpus(root: &Path, n: usize, seed: u64) -> io::Result<CorpusStats> {
    let mut stats = CorpusStats::default();
    for i in 0..n {
        let (flavour, text) = template(i, seed);
        let path = flavour.path(root, i);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &text)?;
        stats.templates += 1;
        stats.bytes += text.len() as u64;
        let slot = Flavour::ALL
            .iter()
            .position(|f| *f == flavour)
            .expect("every flavour is in ALL");
        stats.per_flavour[slot] += 1;
    }
    Ok(stats)
}
