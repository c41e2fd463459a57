//! Throughput of the code stage: 2,000 generated handler files (half Python, half JavaScript,
//! each with a helper, a sink and a sanitized call), found by convention and traced. Then the
//! same handlers declared by SAM templates (one function per handler, 20 per template, each
//! behind an API route): the IaC stage's time against what the code stage adds on top of it
//! in one run (the cloud model and the permission analysis are built once and shared, as in a
//! run of the default stages).
//! Last, the floor no change to the trace can lower: tree-sitter parsing the same files alone.
//! `cargo bench -p tollgate-code --bench throughput` prints all three.

use std::sync::Arc;
use std::time::Instant;

use tollgate_code::{scan, CodeStage, Lang};
use tollgate_core::{walk, Config, ScanContext, SourceFile, Stage, WalkOptions};
use tollgate_iac::model::CloudModel;
use tollgate_iac::IacStage;
use tollgate_perms::PermissionsStage;

const FILES: usize = 2_000;

fn python(i: usize) -> String {
    format!(
        "import json\nimport os\nimport subprocess\n\nALLOWED = {{\"a\", \"b\"}}\n\n\ndef run_{i}(cmd):\n    return subprocess.run(cmd, shell=True)\n\n\ndef handler(event, context):\n    body = json.loads(event[\"body\"])\n    name = body.get(\"name\")\n    if body[\"kind\"] not in ALLOWED:\n        return {{\"statusCode\": 400}}\n    os.system(\"echo \" + str(int(body[\"n\"])))\n    run_{i}(\"convert \" + name)\n    return {{\"statusCode\": 200, \"body\": json.dumps({{\"id\": {i}}})}}\n"
    )
}

fn javascript(i: usize) -> String {
    format!(
        "const {{ exec }} = require(\"child_process\");\nconst ALLOWED = [\"a\", \"b\"];\n\nfunction run{i}(cmd) {{\n  return exec(cmd);\n}}\n\nexports.handler = async (event) => {{\n  const body = JSON.parse(event.body);\n  if (!ALLOWED.includes(body.kind)) {{\n    return {{ statusCode: 400 }};\n  }}\n  run{i}(`convert ${{body.name}}`);\n  return {{ statusCode: 200, body: JSON.stringify({{ id: {i} }}) }};\n}};\n"
    )
}

const FUNCTIONS_PER_TEMPLATE: usize = 20;

/// A SAM template declaring the handlers `first..first + FUNCTIONS_PER_TEMPLATE`.
fn template(first: usize) -> String {
    let mut t = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n",
    );
    for i in first..first + FUNCTIONS_PER_TEMPLATE {
        let (runtime, handler) = if i % 2 == 0 {
            ("python3.12", "app.handler")
        } else {
            ("nodejs20.x", "index.handler")
        };
        t.push_str(&format!(
            "  Fn{i:04}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {runtime}\n      Handler: {handler}\n      CodeUri: fn{i:04}/\n      Events:\n        Api:\n          Type: Api\n          Properties:\n            Path: /items/{i}\n            Method: post\n"
        ));
    }
    t
}

/// CPU seconds this process has used (user + system, all threads), from `/proc/self/stat`;
/// wall time on a shared machine says more about the neighbours than about the code.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at `) `.
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map_or("", |(_, rest)| rest)
        .split(' ')
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are the 14th and 15th fields of the line; `rest` starts at the 3rd.
    (ticks(11) + ticks(12)) / 100.0
}

fn context(root: &std::path::Path, files: &[SourceFile]) -> ScanContext {
    ScanContext::new(
        root.to_path_buf(),
        files.to_vec(),
        Arc::new(Config::default()),
        time::macros::date!(2027 - 01 - 01),
    )
}

/// The IaC stage on a fresh context, then the code stage on the same context, ten times.
/// Returns the IaC stage's mean CPU seconds.
fn declared(root: &std::path::Path) -> f64 {
    for first in (0..FILES).step_by(FUNCTIONS_PER_TEMPLATE) {
        std::fs::write(
            root.join(format!("template{first:04}.yaml")),
            template(first),
        )
        .expect("write");
    }
    let files = walk(root, &WalkOptions::default()).files;
    let (mut iac_best, mut code_best, mut findings) = (f64::MAX, f64::MAX, 0);
    let (mut iac_cpu, mut code_cpu, mut perms_cpu) = (0.0, 0.0, 0.0);
    // CPU time is read in 10 ms ticks: the IaC stage's tens of milliseconds need many runs.
    const RUNS: usize = 10;
    for _ in 0..RUNS {
        let ctx = context(root, &files);
        let (start, cpu) = (Instant::now(), cpu_seconds());
        IacStage::new().run(&ctx).expect("iac stage");
        iac_best = iac_best.min(start.elapsed().as_secs_f64());
        iac_cpu += cpu_seconds() - cpu;
        // The permissions stage runs in the same scan by default; the code stage reads its
        // analysis rather than repeating it.
        let cpu = cpu_seconds();
        PermissionsStage::new()
            .run(&ctx)
            .expect("permissions stage");
        perms_cpu += cpu_seconds() - cpu;
        let (start, cpu) = (Instant::now(), cpu_seconds());
        let report = CodeStage::new().run(&ctx).expect("code stage");
        code_best = code_best.min(start.elapsed().as_secs_f64());
        code_cpu += cpu_seconds() - cpu;
        findings = report.findings.len();
    }
    let (iac_cpu, code_cpu, perms_cpu) = (
        iac_cpu / RUNS as f64,
        code_cpu / RUNS as f64,
        perms_cpu / RUNS as f64,
    );
    println!(
        "declared: {FILES} functions in {} templates: iac stage {iac_best:.3} s wall (best of {RUNS}), {iac_cpu:.3} s CPU (mean); permissions stage {perms_cpu:.3} s CPU; code stage adds {code_best:.3} s wall, {code_cpu:.3} s CPU: {:.1}x the iac stage's wall time, {:.1}x its CPU time; {findings} findings",
        FILES / FUNCTIONS_PER_TEMPLATE,
        code_best / iac_best,
        code_cpu / iac_cpu.max(0.01)
    );
    iac_cpu
}

/// CPU seconds tree-sitter takes to parse every handler file once (mean of three rounds),
/// with one parser per language as the stage keeps per thread: what the code stage pays
/// before any tracing.
fn parse_floor(files: &[SourceFile]) -> f64 {
    let mut parsers: Vec<(Lang, tree_sitter::Parser)> = Vec::new();
    let texts: Vec<(Lang, String)> = files
        .iter()
        .filter_map(|f| {
            let lang = Lang::of_path(&f.path)?;
            Some((lang, std::fs::read_to_string(&f.abs).ok()?))
        })
        .collect();
    const ROUNDS: usize = 3;
    let cpu = cpu_seconds();
    for _ in 0..ROUNDS {
        for (lang, text) in &texts {
            let at = match parsers.iter().position(|(l, _)| l == lang) {
                Some(at) => at,
                None => {
                    let mut parser = tree_sitter::Parser::new();
                    parser.set_language(&lang.grammar()).expect("grammar");
                    parsers.push((*lang, parser));
                    parsers.len() - 1
                }
            };
            let tree = parsers[at].1.parse(text, None).expect("parse");
            drop(tree);
        }
    }
    (cpu_seconds() - cpu) / ROUNDS as f64
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..FILES {
        let sub = dir.path().join(format!("fn{:04}", i));
        std::fs::create_dir_all(&sub).expect("dir");
        if i % 2 == 0 {
            std::fs::write(sub.join("app.py"), python(i)).expect("write");
        } else {
            std::fs::write(sub.join("index.js"), javascript(i)).expect("write");
        }
    }
    let files = walk(dir.path(), &WalkOptions::default()).files;
    let mut best = f64::MAX;
    let mut findings = 0;
    for _ in 0..3 {
        let ctx = context(dir.path(), &files);
        let start = Instant::now();
        let report = scan(&ctx, &CloudModel::default(), &[]);
        best = best.min(start.elapsed().as_secs_f64());
        findings = report.findings.len();
    }
    println!(
        "code stage: {FILES} handler files in {best:.3} s (best of 3): {:.0} files/s, {findings} findings",
        FILES as f64 / best
    );
    let iac_cpu = declared(dir.path());
    let floor = parse_floor(&files);
    println!(
        "tree-sitter alone: parsing the {FILES} handler files once takes {floor:.2} s CPU (mean of 3), {:.1}x the iac stage's CPU time",
        floor / iac_cpu.max(0.01)
    );
}
