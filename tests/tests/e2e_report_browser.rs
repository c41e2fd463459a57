//! The HTML report in a real browser: headless Chromium renders the examples' report with no
//! console error, the control tables, the charts and the inventory are in the rendered DOM,
//! and a screenshot is taken (`UPDATE_SCREENSHOT=1` keeps it as `docs/report.png`).
//!
//! Needs Chromium, so it runs when `TOLLGATE_BROWSER_TESTS=1` (`.ci/run` installs Chromium
//! and sets it); a plain `cargo test` says it did not run.

use std::path::Path;
use std::process::Command;

use tollgate_e2e::{example_dir, tollgate_cmd, workspace_root, EXAMPLES_TODAY};

fn chromium() -> &'static str {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("TOLLGATE_BROWSER_TESTS=1 but no chromium on PATH (apt-get install chromium)")
}

/// Headless Chromium with what a container needs (no sandbox as root, no GPU) and nothing
/// fetched beyond the file.
fn headless(browser: &str) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    cmd
}

/// Console lines Chromium logs for script errors and refused loads.
fn console_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains("CONSOLE"))
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("uncaught") || l.contains("error") || l.contains("refused")
        })
        .collect()
}

fn write_report(dir: &Path, out: &Path) {
    let status = tollgate_cmd()
        .arg("report")
        .arg(dir)
        .args(["--format", "html", "--today", EXAMPLES_TODAY])
        // The evidence header names the project, as it would in its own Actions run, not the
        // directory this checkout happens to be in.
        .env("GITHUB_REPOSITORY", "tollgate-dev/tollgate")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .arg("--output")
        .arg(out)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn the_html_report_renders_in_chromium_without_console_errors() {
    if std::env::var_os("TOLLGATE_BROWSER_TESTS").is_none_or(|v| v != "1") {
        eprintln!("note: set TOLLGATE_BROWSER_TESTS=1 (as .ci/run does) to run the browser test");
        return;
    }
    let browser = chromium();
    let tmp = tempfile::tempdir().unwrap();

    // The check itself sees a script error: a page that throws is caught.
    let broken = tmp.path().join("broken.html");
    std::fs::write(
        &broken,
        "<html><body><script>noSuchFunction();</script></body></html>",
    )
    .unwrap();
    let out = headless(browser)
        .arg("--dump-dom")
        .arg(format!("file://{}", broken.display()))
        .output()
        .unwrap();
    assert!(
        !console_errors(&String::from_utf8_lossy(&out.stderr)).is_empty(),
        "the console check must see a thrown error"
    );

    let html = tmp.path().join("clinic.html");
    write_report(&example_dir("sam-clinic"), &html);
    let url = format!("file://{}", html.display());
    let out = headless(browser)
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors = console_errors(&stderr);
    assert!(errors.is_empty(), "{errors:#?}");
    let dom = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "<table class=\"controls\"",
        "id=\"chart-severity\"",
        "id=\"chart-stage\"",
        "id=\"chart-coverage\"",
        "class=\"coverage-bar\"",
        "<table id=\"inventory\"",
        "PatientsTable",
        "ReportsRole",
        "id=\"finding-0\"",
    ] {
        assert!(dom.contains(needle), "{needle} not in the rendered page");
    }

    let shot = tmp.path().join("report.png");
    let out = headless(browser)
        .arg("--window-size=1400,2000")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    if std::env::var_os("UPDATE_SCREENSHOT").is_some_and(|v| v == "1") {
        std::fs::write(workspace_root().join("docs/report.png"), &png).unwrap();
    }
}
