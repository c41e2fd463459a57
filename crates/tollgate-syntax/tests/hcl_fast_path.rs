//! The HCL fast path against `hcl-edit`: wherever the fast path returns a document,
//! `hcl-edit` (through `hcl.rs`) must return the very same one (values, spans, expression kinds
//! and texts), and the fast path must leave every text `hcl-edit` refuses to it. Checked on
//! every Terraform file of the repository, targeted cases of each construct and of each
//! fallback, and seeded random mutations of the repository's files.

mod common;

use std::path::{Path, PathBuf};

use common::{files_ending, first_difference, mutations_agree, repo_root};

use tollgate_syntax::{parse_hcl_edit, parse_hcl_fast, Limits};

/// `Err` describes a disagreement. Returns whether the fast path took the text.
fn agree(text: &str, limits: &Limits) -> Result<bool, String> {
    let Some(fast) = parse_hcl_fast(text, limits) else {
        return Ok(false);
    };
    match parse_hcl_edit(text, limits) {
        Ok(edit) if edit == fast => Ok(true),
        Ok(edit) => Err(first_difference(&fast, "hcl-edit", &edit)),
        Err(e) => Err(format!(
            "the fast path accepts what hcl-edit refuses: {} at {:?}",
            e.message, e.pos
        )),
    }
}

const HCL: &[&str] = &[".tf", ".tfvars", ".hcl"];

fn repository_files() -> Vec<(PathBuf, String)> {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["examples", "crates", "tests", "fuzz", "docs"] {
        files_ending(&root.join(dir), HCL, &mut files);
    }
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

#[test]
fn every_terraform_file_of_the_repository_gives_the_same_document() {
    let files = repository_files();
    assert!(files.len() > 100, "only {} HCL files found", files.len());
    let mut taken = 0;
    let mut problems = Vec::new();
    let mut declined = Vec::new();
    for (path, text) in &files {
        match agree(text, &Limits::default()) {
            Ok(true) => taken += 1,
            Ok(false) => declined.push(path.display().to_string()),
            Err(why) => problems.push(format!("{}: {why}", path.display())),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    eprintln!("declined: {declined:#?}");
    assert!(
        taken * 10 > files.len() * 9,
        "the fast path took only {taken} of {} files",
        files.len()
    );
}

/// A directory of generated templates (the scan bench's corpus), when
/// `TOLLGATE_HCL_CORPUS` names one: every `.tf` file in it must be taken and agree.
#[test]
fn a_generated_corpus_gives_the_same_documents() {
    let Ok(dir) = std::env::var("TOLLGATE_HCL_CORPUS") else {
        return;
    };
    let mut files = Vec::new();
    files_ending(Path::new(&dir), HCL, &mut files);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            agree(&text, &Limits::default()),
            Ok(true),
            "{}",
            path.display()
        );
    }
    eprintln!("{} files taken", files.len());
}

/// Each construct the fast path reads: taken, and the same document as `hcl-edit`'s.
const TAKEN: &[&str] = &[
    "",
    "\n\n# only a comment\n",
    "a = 1\n",
    "a = 1",
    "a = -1\nb = - 2\nc = 1.5\nd = 1e3\ne = 2.5E-3\nf = 0\ng = 18446744073709551616\n",
    "a = null\nb = true\nc = false\n",
    "a = \"x\"\nb = \"\"\nc = \"tab\\there \\\"q\\\" \\\\ \\n \\r \\u00e9 \\U0001F600\"\n",
    "a = \"$${x} %%{y} $$ %% $ % $x %x\"\nb = \"$$${x}\"\n",
    "a = \"日本語 ${var.x} é\"\n",
    "a = \"${var.a}${var.b}\"\nb = \"pre-${var.a}-mid-${var.b}-post\"\nc = \"${ var.a }\"\n",
    "a = \"${\n  var.a\n}\"\n",
    "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"x\"\n}\n",
    "a \"b\" c {\n}\nd {}\ne { f = 1 }\ng \"h\" { }\nterraform { required_version = \">= 1.0\" }\n",
    "a { # comment\n  b = 1 // trailing\n  /* block */ c = 2 /* after */\n}\n",
    "# hash\n// slashes\n/* block\n over lines */\na = 1 # end\n",
    "a = [1, 2, 3]\nb = []\nc = [\n  1,\n  2,\n]\nd = [\n  # comment\n  \"x\", // c\n  /* c */ \"y\"\n]\n",
    "a = { x = 1, y = \"2\" }\nb = {}\nc = {\n  x = 1\n  \"y z\" = 2\n  w : 3,\n  v = 4 # c\n  u = 5 // c\n}\n",
    "a = { x = 1, \"x\" = 2 }\n",
    "a = var.x\nb = aws_kms_key.main[0].arn\nc = local.tags[\"env\"]\nd = aws_instance.web.*.id\ne = aws_instance.web[*].id\nf = a.b.0.c\ng = foo\nh = a[b[c]]\n",
    "a = a . b\nb = a [0]\nc = [\n  a\n  .b\n]\n",
    "a = f()\nb = f(1)\nc = jsonencode({ a = 1 })\nd = f(1, 2,)\ne = f(\n  1,\n  2\n)\nf = f(var.l...)\ng = f (1)\nh = f(x)[0]\ni = f(x).y\n",
    "a = 1 + 2 * 3\nb = (1 + 2) * 3\nc = a - b - c\nd = a == b && c != d || !e\ne = a < b\nf = a <= b\ng = a > b\nh = a >= b\ni = a / b % c\nj = -a\nk = !a.b\nl = - a\n",
    "a = x ? 1 : 0\nb = x ? y ? 1 : 2 : 3\nc = a == 1 ? \"x\" : \"y\"\nd = x ? [1] : []\n",
    "a = (x)\nb = (x).y\nc = (\n  x +\n  y\n)\nd = ((1))\n",
    "a = [for s in var.l : upper(s)]\nb = [for i, s in var.l : s if i > 0]\nc = {for k, v in var.m : k => v}\nd = {for k, v in var.m : v => k...}\ne = {\n  for k, v in var.m :\n  k => v\n  if v != null\n}\n",
    "a = <<EOT\n  {\"x\": 1}\nEOT\nb = <<-EOT\n    line one\n      two\n    EOT\nc = <<EOT\nhi ${var.n}\nEOT\n",
    "a = <<-EOT\n  ${x}\n  y\n  EOT\nb = <<-EOT\n    a ${x} b\n\n      c\n  EOT\nc = <<EOF\n$${not} %%{this}\nEOF\nd = <<-X\n\ta\n\t\tb\n\tX\n",
    "a = <<EOT\nEOTX\nEOT\n",
    "locals {\n  m = {\n    a = [for x in [1, 2] : x * 2]\n    b = { c = { d = [1, [2, [3]]] } }\n  }\n}\n",
    "a = 1 /* c */ + /* d */ 2\nb = [1 /* c */, 2]\n",
    "\u{feff}a = 1\n",
    "a = 1\n\n\n",
    "policy = jsonencode({\n  Version = \"2012-10-17\"\n  Statement = [{\n    Effect   = \"Allow\"\n    Action   = [\"s3:GetObject\"]\n    Resource = \"${aws_s3_bucket.b.arn}/*\"\n  }]\n})\n",
];

/// Texts the fast path leaves to `hcl-edit` (valid or not).
const DECLINED: &[&str] = &[
    "a = 1\r\n",
    "a = \"%{ if x }y%{ endif }\"\n",
    "a = \"${~ x ~}\"\n",
    "a = provider::aws::arn_parse(x)\n",
    "a = { (var.k) = 1 }\n",
    "a = { \"a\\tb\" = 1 }\n",
    "a = { null = 1 }\n",
    "a = \"x\ny\"\n",
    "é = 1\n",
    "a = <<EOT\nEOT\n",
    "a = { x = 1, x = 2 }\n",
    "a = 1\na = 2\n",
    "a = {\n  b = \n}\n",
    "a = 1 +\n",
    "a = 1e\n",
    "a = \"\\q\"\n",
    "a = {\n  x = 1\n  y = 2\n",
    "a = [1, 2\n",
    "a b \"${c}\" {\n}\n",
    "a = x.01\n",
    "a = 1 & 2\n",
    "a = /* open\n",
];

#[test]
fn each_construct_gives_the_same_document() {
    for text in TAKEN {
        assert_eq!(agree(text, &Limits::default()), Ok(true), "{text:?}");
    }
}

#[test]
fn fallbacks_are_left_to_hcl_edit() {
    for text in DECLINED {
        assert_eq!(agree(text, &Limits::default()), Ok(false), "{text:?}");
    }
}

#[test]
fn depth_limits_are_left_to_hcl_edit() {
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    // Levels: the file body 1, block `a` 2, block `b` 3.
    assert_eq!(agree("a {\n  b {\n    c = 1\n  }\n}\n", &limits), Ok(true));
    for text in [
        "a {\n  b {\n    c = [1]\n  }\n}\n",
        "a {\n  b {\n    c {\n    }\n  }\n}\n",
        "a {\n  b {\n    c = <<EOT\nx\nEOT\n  }\n}\n",
        "a = [[[1]]]\n",
        "a = f(g(h(1)))\n",
    ] {
        assert!(parse_hcl_fast(text, &limits).is_none(), "{text:?}");
        assert!(parse_hcl_edit(text, &limits).is_err(), "{text:?}");
    }
    // hcl-edit's own limits: 64 nested levels, 128 chained operators.
    let deep = format!("a = {}1{}\n", "[".repeat(70), "]".repeat(70));
    assert!(parse_hcl_fast(&deep, &Limits::default()).is_none());
    let chain = format!("a = 1{}\n", " + 1".repeat(130));
    assert!(parse_hcl_fast(&chain, &Limits::default()).is_none());
    let unary = format!("a = {}x\n", "!".repeat(100));
    assert!(parse_hcl_fast(&unary, &Limits::default()).is_none());
}

const PIECES: &[&str] = &[
    " ", "\n", "\n  ", "\t", "#", "//", "/*", "*/", "/* c */", "\"", "\\", "\\n", "\\u00e9", "${",
    "}", "$${", "%{", "%%{", "{", "[", "]", "(", ")", ",", ".", "..", "...", "*", "[*]", ".*",
    ".0", "=", "==", ":", "?", "!", "-", "+", "&&", "||", "<", "<<EOT\n", "<<-EOT\n", "\nEOT\n",
    "EOT", "x", "var.x", "1", "1.5", "1e3", "null", "true", "for ", " in ", " if ", "=>", "f(",
    "é", "~", "\r",
];

/// `TOLLGATE_FUZZ_ITERS` and `TOLLGATE_FUZZ_SEED` run it longer or differently.
#[test]
fn random_mutations_give_the_same_document_or_are_left_alone() {
    let mut seeds: Vec<String> = TAKEN.iter().map(|s| (*s).to_owned()).collect();
    seeds.extend(
        repository_files()
            .into_iter()
            .map(|(_, t)| t)
            .filter(|t| t.len() < 8 * 1024)
            .take(60),
    );
    mutations_agree(&seeds, PIECES, 3, |text| agree(text, &Limits::default()));
}

/// Long inputs of one construct each: taken and equal (or declined where a limit says so),
/// read in one pass (the bench and the fuzz crate measure; this only checks the results).
#[test]
fn long_inputs_give_the_same_document() {
    let n = 20_000;
    let keys: String = (0..n).map(|i| format!("  k{i} = \"v{i}\"\n")).collect();
    let attrs: String = (0..n).map(|i| format!("a{i} = {i}\n")).collect();
    let blocks: String = (0..n / 4).map(|i| format!("b \"{i}\" {{}}\n")).collect();
    let lines: String = (0..n).map(|i| format!("line {i} ${{x}}\n")).collect();
    let ok = [
        format!("m = {{\n{keys}}}\n"),
        attrs,
        blocks,
        format!("a = x{}\n", ".y[0]".repeat(n)),
        format!("a = \"{}\"\n", "${x}-".repeat(n)),
        format!("a = <<-EOT\n{lines}EOT\n"),
        format!("a = [{}]\n", "1, ".repeat(n)),
        format!("a = f({})\n", "x, ".repeat(n)),
        format!("a = \"{}\"\n", "é".repeat(n)),
        format!("a = 1 /*{}*/\n", " ".repeat(n)),
    ];
    for text in &ok {
        assert_eq!(agree(text, &Limits::default()), Ok(true), "{}", &text[..60]);
    }
    let repeated = format!("m = {{\n{keys}  k7 = 1\n}}\n");
    assert_eq!(agree(&repeated, &Limits::default()), Ok(false));
}
