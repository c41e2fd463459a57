//! Throughput of the code stage: 2,000 generated handler files (half Python, half JavaScript,
//! each with a helper, a sink and a sanitized call), found by convention and traced.
//! `cargo bench -p tollgate-code --bench throughput` prints files per second.

use std::sync::Arc;
use std::time::Instant;

use tollgate_code::scan;
use tollgate_core::{walk, Config, ScanContext, WalkOptions};
use tollgate_iac::model::CloudModel;

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
        let ctx = ScanContext::new(
            dir.path().to_path_buf(),
            files.clone(),
            Arc::new(Config::default()),
            time::macros::date!(2027 - 01 - 01),
        );
        let start = Instant::now();
        let report = scan(&ctx, &CloudModel::default(), &[]);
        best = best.min(start.elapsed().as_secs_f64());
        findings = report.findings.len();
    }
    println!(
        "code stage: {FILES} handler files in {best:.3} s (best of 3): {:.0} files/s, {findings} findings",
        FILES as f64 / best
    );
}
