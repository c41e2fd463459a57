//! Fuzz target for the `tollgate.toml` loader: no panic, and every error position inside the
//! text. The repository's own config is attacker-controlled like any other file.

use tollgate_fuzz::checks;
use tollgate_fuzz::seeds::seeds;
use tollgate_fuzz::{run_and_assert, Target};

const MAX_LEN: usize = 64 * 1024;

const TOKENS: &[&str] = &[
    "[rules.TG1001]\n",
    "[[ignore]]\n",
    "[stage.deps]\n",
    "[stage.iac]\n",
    "[[stage.external]]\n",
    "severity = \"",
    "disable = true\n",
    "rule = \"",
    "paths = [\"",
    "reason = \"",
    "expires = 2027-03-31\n",
    "expires = 1979-05-27T07:32:00Z\n",
    "fail-on = \"",
    "exclude = [",
    "offline = ",
    "advisory-db = [\"",
    "command = \"",
    "args = [",
    "timeout = ",
    "= ",
    "\"\"\"",
    "'''",
    "[",
    "]]",
    "{ ",
    " }",
    "inf",
    "nan",
    "0x7f",
    "1_000",
    "9999999999999999999",
    ".",
    "a.b.c = 1\n",
];

#[test]
fn config_loader() {
    let target = Target {
        name: "config",
        seeds: seeds(&["examples", "crates", "tests"], MAX_LEN, &|n| {
            n == "tollgate.toml" || n == "tollgate.sample.toml" || n == "default.toml"
        }),
        tokens: TOKENS,
        default_iters: 1500,
        max_len: MAX_LEN,
    };
    run_and_assert(&target, checks::config);
}
