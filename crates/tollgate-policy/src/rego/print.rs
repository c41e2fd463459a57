//! `print` made inert. Its output has no place in the report and is dropped, but regorus
//! formats the arguments before that, and a value of shared parts (`a := [b, b]` forty times)
//! formats as 2^40 copies inside one call, which neither the time budget (checked between
//! steps) nor the memory budget (which can only stop an evaluation at its next step) can cut
//! short. So each call is renamed, before the policy reaches the engine, to an extension of
//! the same arity, `_pNNN`: as long as `print`, so every line and column of the text stays
//! where it was, and, like `print`, it succeeds with `true`, without looking at its arguments.

use std::collections::BTreeSet;

use regorus::{Engine, Value};

use super::recursion::blank_comments_and_strings;

/// regorus's own limit on `print`'s arguments; a call with more is left for it to refuse.
const MAX_ARGS: usize = 100;

/// `text` with every call of `print` renamed, and the arities of the calls renamed.
pub fn inert(text: &str) -> (String, BTreeSet<usize>) {
    let original: Vec<char> = text.chars().collect();
    // Same number of chars as the original: a comment or a string holds no call.
    let code: Vec<char> = blank_comments_and_strings(text).chars().collect();
    let mut out = original.clone();
    let mut arities = BTreeSet::new();
    let word: Vec<char> = "print".chars().collect();
    let mut i = 0;
    while i + word.len() <= code.len() {
        let starts_word = i == 0 || !is_name_char(code[i - 1]) && code[i - 1] != '.';
        if !starts_word || code[i..i + word.len()] != word[..] {
            i += 1;
            continue;
        }
        let mut open = i + word.len();
        while open < code.len() && code[open].is_whitespace() {
            open += 1;
        }
        if open >= code.len() || code[open] != '(' || is_name_char(code[i + word.len()]) {
            i += 1;
            continue;
        }
        match arity(&code, open) {
            Some(n) if n <= MAX_ARGS => {
                let name: Vec<char> = extension_name(n).chars().collect();
                out[i..i + word.len()].copy_from_slice(&name);
                arities.insert(n);
            }
            _ => {}
        }
        i += word.len();
    }
    (out.into_iter().collect(), arities)
}

/// Register the extensions the renamed calls of `arities` need.
pub fn add_extensions(engine: &mut Engine, arities: &BTreeSet<usize>) -> Result<(), String> {
    for &n in arities {
        let nargs = u8::try_from(n).map_err(|e| e.to_string())?;
        engine
            .add_extension(
                extension_name(n),
                nargs,
                Box::new(|_args: Vec<Value>| Ok(Value::Bool(true))),
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn extension_name(arity: usize) -> String {
    format!("_p{arity:03}")
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// How many arguments the call whose `(` is at `open` passes: commas at its own depth, plus
/// one unless it is empty. `None` when the parenthesis is never closed.
fn arity(code: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut commas = 0;
    let mut empty = true;
    for &c in &code[open..] {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(if empty { 0 } else { commas + 1 });
                }
            }
            ',' if depth == 1 => commas += 1,
            _ => {}
        }
        if (depth >= 1 && !c.is_whitespace() && c != '(') || depth > 1 {
            empty = false;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_renamed_in_place_with_their_arity() {
        let text = "package main\n\n# print(\"in a comment\")\ndeny contains \"x\" if {\n  print(\"a, b\", [1, 2], {\"k\": f(1, 2)})\n  print()\n  data.lib.print(1)\n  reprint(1)\n  s := \"print(2)\"\n}\n";
        let (out, arities) = inert(text);
        assert_eq!(out.len(), text.len());
        assert!(
            out.contains("  _p003(\"a, b\", [1, 2], {\"k\": f(1, 2)})\n"),
            "{out}"
        );
        assert!(out.contains("  _p000()\n"), "{out}");
        assert!(out.contains("# print(\"in a comment\")"), "{out}");
        assert!(out.contains("data.lib.print(1)"), "{out}");
        assert!(out.contains("reprint(1)"), "{out}");
        assert!(out.contains("\"print(2)\""), "{out}");
        assert_eq!(arities.into_iter().collect::<Vec<_>>(), [0, 3]);
    }
}
