//! Hostile policies for the campaign. Policy files come from the scanned repository, so a pull
//! request can add one written to exhaust the scanner: results by the hundred thousand, values
//! that double at every step, patterns that take the regular expression or glob compilers past
//! their limits, recursion, network and environment access, control characters and codes that
//! claim built-in rules. Random edits of real policies mostly make syntax errors; these make
//! policies that parse and then attack the evaluation, the report and the SARIF log.

use crate::mutate::Rng;

/// Rules appended to `package main` with `import rego.v1`; each is a whole Rego rule (or a
/// rule with its helper) that parses.
pub const HOSTILE_REGO_RULES: &[&str] = &[
    // Twenty thousand results on every document.
    "deny contains sprintf(\"result %d\", [i]) if {\n  some i in numbers.range(1, 20000)\n}\n",
    // One result per node of every input document.
    "deny contains sprintf(\"%v\", [p]) if {\n  walk(input, [p, _])\n}\n",
    // Recursion, which the compiler must refuse.
    "f(x) := y if {\n  y := f(x + 1)\n}\n\ndeny contains \"recursive\" if {\n  f(1)\n}\n",
    // A glob pattern of half a megabyte of wildcards.
    "deny contains \"glob\" if {\n  p := concat(\"\", [s | some i in numbers.range(1, 50000); s := \"a*b?*.**\"])\n  glob.match(p, [\".\"], \"a.b\")\n}\n",
    // A regular expression over a long subject, and one too large to compile.
    "deny contains \"regex\" if {\n  s := concat(\"\", [x | some i in numbers.range(1, 100000); x := \"a\"])\n  regex.match(\"(a*)*b\", s)\n}\n",
    "deny contains \"regex\" if {\n  regex.match(\"((a{1000}){1000}){1000}\", \"a\")\n}\n",
    // Network and environment.
    "deny contains \"network\" if {\n  r := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:9/\"})\n  r.status_code > 0\n}\n",
    "deny contains sprintf(\"%v\", [opa.runtime()]) if {\n  true\n}\n",
    // A value of shared parts that prints as 2^40 copies.
    "deny contains count(json.marshal(a40)) if {\n  a0 := [\"ab\"]\n  a1 := [a0, a0]\n  a2 := [a1, a1]\n  a3 := [a2, a2]\n  a4 := [a3, a3]\n  a5 := [a4, a4]\n  a6 := [a5, a5]\n  a7 := [a6, a6]\n  a8 := [a7, a7]\n  a9 := [a8, a8]\n  a10 := [a9, a9]\n  a20 := [a10, a10, a10, a10, a10, a10, a10, a10, a10, a10]\n  a30 := [a20, a20, a20, a20, a20, a20, a20, a20, a20, a20]\n  a40 := [a30, a30, a30, a30, a30, a30, a30, a30, a30, a30]\n}\n",
    // A number squared thirty times.
    "deny contains \"big\" if {\n  x0 := 3\n  x1 := x0 * x0\n  x2 := x1 * x1\n  x3 := x2 * x2\n  x4 := x3 * x3\n  x5 := x4 * x4\n  x6 := x5 * x5\n  x7 := x6 * x6\n  x8 := x7 * x7\n  x9 := x8 * x8\n  x10 := x9 * x9\n  x11 := x10 * x10\n  x12 := x11 * x11\n  x13 := x12 * x12\n  x14 := x13 * x13\n  x15 := x14 * x14\n  x16 := x15 * x15\n  x17 := x16 * x16\n  x18 := x17 * x17\n  x19 := x18 * x18\n  x20 := x19 * x19\n  x21 := x20 * x20\n  x22 := x21 * x21\n  x23 := x22 * x22\n  x24 := x23 * x23\n  x25 := x24 * x24\n  x26 := x25 * x25\n  x27 := x26 * x26\n  x28 := x27 * x27\n  x28 > 0\n}\n",
    // A message of control characters and escape sequences, 200 KB long.
    "deny contains concat(\"\", [s | some i in numbers.range(1, 50000); s := \"\\u001b[2J\\u0007\\r\\u0000\"]) if {\n  true\n}\n",
    // Results that claim a built-in rule's code, a bad severity and a path a mile long.
    "deny contains {\"msg\": \"impersonated\", \"code\": \"TG1001\", \"severity\": \"\\u001b[31mcritical\"} if {\n  input.resource\n}\n",
    "deny contains {\"msg\": \"long path\", \"path\": [i | some i in numbers.range(1, 5000)]} if {\n  input.resource\n}\n",
    "deny contains {\"msg\": \"path\", \"path\": concat(\".\", [s | some i in numbers.range(1, 20000); s := \"properties\"])} if {\n  input.resource\n}\n",
    // The whole input as a result.
    "deny contains input if {\n  true\n}\n",
    // Prints by the hundred thousand.
    "deny contains \"printed\" if {\n  xs := [i | some i in numbers.range(1, 100000); print(i, input)]\n  count(xs) > 0\n}\n",
];

/// Whole policy files written to be refused before they are parsed: regorus prints some
/// warnings itself, straight to stderr, with the policy's line in them (here: `in` in a v0
/// file without `import future.keywords.in`), so raw control characters on that line would
/// reach the log.
pub const HOSTILE_REGO_FILES: &[&str] = &[
    "package main\n\ndeny[msg] {\n  msg := \"x\"\n  some r in input.resources # \u{1b}]0;title\u{7}\u{1b}[2K\r::error::forged\n}\n",
    "package main\n\nimport input\n\ndeny[\"x\"] { input.a } # \u{202e}desrever\u{85}\n",
];

/// METADATA blocks placed before a rule: an alias bomb in the annotation's YAML, and a title
/// of half a megabyte.
pub const HOSTILE_METADATA: &[&str] = &[
    "# METADATA\n# title: bomb\n# custom:\n#   a: &a [x, x, x, x, x, x, x, x, x, x]\n#   b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n#   c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n#   d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n#   e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n#   f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n#   g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n#   h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
    "# METADATA\n# custom:\n#   severity: critical\n#   code: \"TG9\\u0000\\u001b\"\n",
];

/// Guard rules over the template as written.
pub const HOSTILE_GUARD_RULES: &[&str] = &[
    "rule catastrophic {\n  Resources.*.Properties.* == /(a+)+$/\n}\n",
    "rule every_value {\n  Resources.*.Properties.*[*].*[*].* exists\n}\n",
    "let all = Resources.*\nrule nested when %all !empty {\n  %all.Properties exists\n  %all[ Type == /.*/ ].Properties.* !empty\n}\n",
];

/// A hostile Rego policy: `package main`, `import rego.v1`, then one to three hostile rules,
/// each behind a hostile METADATA block one time in four; one time in eight a whole hostile
/// file instead.
pub fn hostile_rego(rng: &mut Rng) -> String {
    if rng.one_in(8) {
        return rng.pick::<&str>(HOSTILE_REGO_FILES).to_string();
    }
    let mut out = String::from("package main\n\nimport rego.v1\n\n");
    for _ in 0..=rng.below(3) {
        if rng.one_in(4) {
            out.push_str(rng.pick::<&str>(HOSTILE_METADATA));
        }
        out.push_str(rng.pick::<&str>(HOSTILE_REGO_RULES));
        out.push('\n');
    }
    out
}

/// A hostile Guard file: one to three hostile rules.
pub fn hostile_guard(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..=rng.below(3) {
        out.push_str(rng.pick::<&str>(HOSTILE_GUARD_RULES));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each hostile rule must reach the evaluation (a policy that does not parse tests only the
    /// parser, which random edits cover), except the recursive one, which the compiler refuses,
    /// and any behind the alias bomb, which the annotation reader refuses.
    #[test]
    fn hostile_rules_parse_and_compile() {
        for (i, rule) in HOSTILE_REGO_RULES.iter().enumerate() {
            for metadata in [""].iter().chain(HOSTILE_METADATA) {
                let text = format!("package main\n\nimport rego.v1\n\n{metadata}{rule}");
                let set = tollgate_policy::rego::load_policies(vec![(format!("p{i}.rego"), text)]);
                let errors: Vec<String> = set.errors.iter().map(|e| e.to_string()).collect();
                if rule.contains("f(x + 1)") {
                    assert!(!errors.is_empty(), "recursion accepted");
                } else if metadata.contains("&a") {
                    // The alias bomb is refused when the annotation is read.
                    assert!(
                        errors.iter().any(|e| e.contains("aliases expand")),
                        "{errors:?}"
                    );
                } else {
                    assert!(errors.is_empty(), "rule {i} with {metadata:?}: {errors:?}");
                }
            }
        }
    }

    /// The hostile files are refused for their control characters, before regorus reads them.
    #[test]
    fn hostile_files_are_refused_for_their_control_characters() {
        for (i, text) in HOSTILE_REGO_FILES.iter().enumerate() {
            let set = tollgate_policy::rego::load_policies(vec![(
                format!("p{i}.rego"),
                (*text).to_string(),
            )]);
            assert_eq!(set.errors.len(), 1, "{:?}", set.errors);
            assert!(
                set.errors[0].message.starts_with("control character"),
                "{:?}",
                set.errors
            );
        }
    }

    #[test]
    fn a_hostile_policy_is_built_from_the_lists() {
        let mut rng = Rng::new(7);
        for _ in 0..50 {
            let rego = hostile_rego(&mut rng);
            if !HOSTILE_REGO_FILES.contains(&rego.as_str()) {
                assert!(rego.starts_with("package main\n\nimport rego.v1\n"));
                assert!(HOSTILE_REGO_RULES.iter().any(|r| rego.contains(r)));
            }
            let guard = hostile_guard(&mut rng);
            assert!(HOSTILE_GUARD_RULES.iter().any(|r| guard.contains(r)));
        }
    }
}
