//! Fuzz targets for the YAML, JSON and HCL parsers of `tollgate-syntax`: no panic, every span
//! inside the text, and JSON accepted, rejected and valued exactly as `serde_json` does.

use tollgate_fuzz::checks;
use tollgate_fuzz::seeds::{has_ext, seeds};
use tollgate_fuzz::{run_and_assert, Target};

const MAX_LEN: usize = 64 * 1024;
const SEED_DIRS: &[&str] = &["examples", "crates", "tests"];

const YAML_TOKENS: &[&str] = &[
    "!Ref ",
    "!If ",
    "!Sub ",
    "!GetAtt ",
    "!Join ",
    "!Select ",
    "!Base64 ",
    "&a ",
    "*a",
    "<<: *a\n",
    "- ",
    "? ",
    ": ",
    "|\n",
    "|-\n",
    ">-\n",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "!!str ",
    "!!binary ",
    "!!map ",
    "# ",
    "\"\\x",
    "\"\\u00e9\"",
    "'it''s'",
    "{a: ",
    "[a, ",
    "- - ",
    ".nan",
    "~",
    "0o17",
    "Fn::If",
    "Ref",
    "Type: AWS::S3::Bucket\n",
    "Properties:\n",
    "Environment: !If # prod\u{a0}only\n",
    "  - !If # 本番のみ\u{3000}有効\n",
];

const JSON_TOKENS: &[&str] = &[
    "{\"a\":",
    "[",
    "]",
    "}",
    ",",
    ":",
    "\"\\u",
    "\"\\uD834\\uDD1E\"",
    "\\\"",
    "1.0e+",
    "-",
    "true",
    "false",
    "null",
    "\"Ref\"",
    "\"Fn::Sub\"",
    "0.",
    ".5",
    "01",
    "1E",
    "\u{0}",
    "\"\t\"",
    "\"a\":1,\"a\":2",
];

const HCL_TOKENS: &[&str] = &[
    "${",
    "%{ if true }",
    "%{ endif }",
    "%{ for x in y }",
    "%{ endfor }",
    "<<EOF\n",
    "\nEOF\n",
    "<<-EOT\n",
    "resource \"aws_s3_bucket\" \"x\" {\n",
    "}\n",
    "var.",
    "local.",
    "[for x in var.l : x]",
    "{for k, v in m : k => v}",
    " ? ",
    " : ",
    "count = ",
    "for_each = ",
    "each.value",
    "dynamic \"x\" {\n",
    "content {\n",
    "jsonencode(",
    "/*",
    "*/",
    "//",
    "...",
    "[*]",
    ".*",
    "&&",
    "||",
    "==",
    "!=",
    "module \"m\" {\n",
    "locals {\n",
    "source = \"./m\"\n",
    "= ",
    "\"\\",
    "$${",
    "%%{",
];

fn target(
    name: &'static str,
    exts: &'static [&'static str],
    tokens: &'static [&'static str],
) -> Target {
    Target {
        name,
        seeds: seeds(SEED_DIRS, MAX_LEN, &|n| has_ext(n, exts)),
        tokens,
        default_iters: 1500,
        max_len: MAX_LEN,
    }
}

#[test]
fn yaml() {
    run_and_assert(&target("yaml", &["yaml", "yml"], YAML_TOKENS), checks::yaml);
}

#[test]
fn hcl() {
    run_and_assert(&target("hcl", &["tf", "tfvars"], HCL_TOKENS), checks::hcl);
}

#[test]
fn json_matches_serde_json() {
    run_and_assert(
        &target("json", &["json"], JSON_TOKENS),
        checks::json_matches_serde_json,
    );
}
