//! Hostile inputs: every file in a pull request is attacker-controlled. Each parse must end
//! with a result or a typed error, in bounded time and memory, without overflowing the stack.

use tollgate_syntax::{parse, Format, Limits, Pos, SyntaxError, SyntaxErrorKind};

/// Runs `f` on a thread with a 2 MiB stack, the size of an ordinary spawned thread (and of the
/// tokio/rayon workers that will call the parsers), so recursion proportional to the input
/// would overflow here.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("spawn test thread")
        .join()
        .expect("parser thread panicked or overflowed")
}

fn parse_err(text: String, format: Format, limits: Limits) -> SyntaxError {
    on_small_stack(move || parse(&text, format, &limits)).expect_err("hostile input parsed")
}

const DEEP: usize = 10_000;

#[test]
fn yaml_flow_nesting_10000_deep_is_too_deep() {
    let text = format!("a: {}1{}", "[".repeat(DEEP), "]".repeat(DEEP));
    let e = parse_err(text, Format::Yaml, Limits::default());
    assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
    // Root map is level 1, so the 256th bracket (column 4 + 255) is the first too many.
    assert_eq!(e.pos, Some(Pos::new(1, 4 + 255)));
}

#[test]
fn yaml_block_nesting_10000_deep_is_too_deep() {
    let text = format!("{}x\n", "- ".repeat(DEEP));
    let e = parse_err(text, Format::Yaml, Limits::default());
    assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
    assert_eq!(e.pos.map(|p| p.line), Some(1));
}

#[test]
fn yaml_flow_maps_10000_deep_is_too_deep() {
    let text = format!("{}1{}", "{a: ".repeat(DEEP), "}".repeat(DEEP));
    let e = parse_err(text, Format::Yaml, Limits::default());
    assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
}

#[test]
fn yaml_billion_laughs_hits_the_alias_limit() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names: Vec<char> = ('a'..='j').collect();
    for pair in names.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        let refs = vec![format!("*{prev}"); 10].join(",");
        text.push_str(&format!("{next}: &{next} [{refs}]\n"));
    }
    let e = parse_err(text, Format::Yaml, Limits::default());
    assert_eq!(e.kind, SyntaxErrorKind::AliasLimit);
    assert!(e.message.contains("100000"), "{}", e.message);
    // Fails on one of the early levels, long before 10^9 nodes; not a timing assertion, a
    // guard that the expansion never happened.
    assert!(e.pos.is_some_and(|p| p.line <= 6), "{:?}", e.pos);
}

#[test]
fn json_nesting_10000_deep_is_too_deep() {
    let text = format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP));
    let e = parse_err(text, Format::Json, Limits::default());
    assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
    assert_eq!(e.pos, Some(Pos::new(1, 257)));
    let text = format!("{}1{}", "{\"a\":".repeat(DEEP), "}".repeat(DEEP));
    let e = parse_err(text, Format::Json, Limits::default());
    assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
}

#[test]
fn bom_is_skipped() {
    for (format, text) in [
        (Format::Yaml, "\u{FEFF}a: 1\n"),
        (Format::Json, "\u{FEFF}{\"a\": 1}"),
    ] {
        let doc = parse(text, format, &Limits::default()).unwrap();
        let root = doc.root().unwrap();
        assert_eq!(root.get("a").unwrap().as_number_text(), Some("1"));
        assert_eq!(
            root.entry("a").unwrap().key_span.start,
            Pos::new(1, if format == Format::Json { 2 } else { 1 })
        );
    }
}
