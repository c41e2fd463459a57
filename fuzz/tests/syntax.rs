//! Fuzz targets for the YAML, JSON and HCL parsers of `tollgate-syntax`: no panic, every span
//! inside the text, and JSON accepted, rejected and valued exactly as `serde_json` does.

use tollgate_fuzz::seeds::{has_ext, seeds};
use tollgate_fuzz::spans::{check_document, Lines};
use tollgate_fuzz::{run_and_assert, Target};
use tollgate_syntax::{parse, Document, Format, Limits, Node, SyntaxError, Value};

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

/// Parses and checks spans (of the document, or of the error's position).
fn parse_checked(text: &str, format: Format) -> Result<Result<Document, SyntaxError>, String> {
    let parsed = parse(text, format, &Limits::default());
    match &parsed {
        Ok(doc) => check_document(text, doc)?,
        Err(e) => {
            if let Some(pos) = e.pos {
                Lines::new(text).check_pos(pos, "error position")?;
            }
        }
    }
    Ok(parsed)
}

#[test]
fn yaml() {
    run_and_assert(&target("yaml", &["yaml", "yml"], YAML_TOKENS), |text| {
        parse_checked(text, Format::Yaml).map(drop)
    });
}

#[test]
fn hcl() {
    run_and_assert(&target("hcl", &["tf", "tfvars"], HCL_TOKENS), |text| {
        parse_checked(text, Format::Hcl).map(drop)
    });
}

#[test]
fn json_matches_serde_json() {
    run_and_assert(&target("json", &["json"], JSON_TOKENS), |text| {
        let ours = parse_checked(text, Format::Json)?;
        // A byte-order mark is skipped on purpose (files saved by some editors start with
        // one); serde_json reads strings, not files, and rejects it.
        if text.starts_with('\u{feff}') {
            return Ok(());
        }
        let theirs = serde_json::from_str::<serde_json::Value>(text);
        match (&ours, &theirs) {
            (Ok(doc), Ok(value)) => same(&doc.roots[0], value, "$"),
            (Err(_), Err(_)) => Ok(()),
            // serde_json stops at 128 levels, tollgate at 256: not a disagreement on JSON.
            (Ok(_), Err(e)) if e.to_string().contains("recursion limit") => Ok(()),
            (Ok(_), Err(e)) => Err(format!("tollgate accepts what serde_json rejects: {e}")),
            (Err(e), Ok(_)) => Err(format!(
                "tollgate rejects what serde_json accepts: {}",
                e.message
            )),
        }
    });
}

/// Whether a parsed node holds the same value as serde_json's reading of the same text.
fn same(node: &Node, value: &serde_json::Value, at: &str) -> Result<(), String> {
    use serde_json::Value as J;
    let equal = match (&node.value, value) {
        (Value::Null, J::Null) => true,
        (Value::Bool(a), J::Bool(b)) => a == b,
        (Value::String(a), J::String(b)) => a == b,
        (Value::Number(text), J::Number(n)) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => text.parse::<i128>() == Ok(i128::from(i)),
            (_, Some(u)) => text.parse::<i128>() == Ok(i128::from(u)),
            _ => text.parse::<f64>().ok() == n.as_f64(),
        },
        (Value::Seq(items), J::Array(values)) => {
            if items.len() != values.len() {
                return Err(format!(
                    "{at}: {} items, serde_json {}",
                    items.len(),
                    values.len()
                ));
            }
            for (i, (n, v)) in items.iter().zip(values).enumerate() {
                same(n, v, &format!("{at}[{i}]"))?;
            }
            true
        }
        (Value::Map(entries), J::Object(map)) => {
            if entries.len() != map.len() {
                return Err(format!(
                    "{at}: {} keys, serde_json {}",
                    entries.len(),
                    map.len()
                ));
            }
            for e in entries {
                let Some(v) = map.get(&e.key) else {
                    return Err(format!("{at}: key {:?} not in serde_json's map", e.key));
                };
                same(&e.value, v, &format!("{at}.{}", e.key))?;
            }
            true
        }
        _ => false,
    };
    if equal {
        Ok(())
    } else {
        Err(format!(
            "{at}: tollgate {:?}, serde_json {value}",
            node.value
        ))
    }
}
