//! CloudFormation templates laid out the ways PyYAML, cfn-lint and the SAM CLI accept parse to
//! the same values PyYAML gives (`tests/yaml_cfn/NAME.json`, written by `expected.py`), and
//! parse errors point at the offending line.

use std::path::PathBuf;

use serde_json::{Map, Value as Json};
use tollgate_syntax::{parse, Format, Limits, Node, Pos, Value};

/// A node as `expected.py` writes it: local tags as `{"!Tag": value}`, numbers as their text.
fn to_json(node: &Node) -> Json {
    let value = match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(text) | Value::String(text) => Json::String(text.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect(),
        ),
        Value::Block(_) | Value::Expr(_) => unreachable!("YAML has no HCL nodes"),
    };
    match &node.tag {
        Some(tag) => Json::Object(Map::from_iter([(tag.clone(), value)])),
        None => value,
    }
}

#[test]
fn templates_parse_to_what_pyyaml_reads() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/yaml_cfn");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("yaml_cfn")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    names.sort();
    assert!(names.len() >= 6);
    for path in names {
        let text = std::fs::read_to_string(&path).expect("case");
        let doc = parse(&text, Format::Yaml, &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e} at {:?}", path.display(), e.pos));
        let got = Json::Array(doc.roots.iter().map(to_json).collect());
        let want: Json = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("json")).expect("expected JSON"),
        )
        .expect("JSON");
        assert_eq!(got, want, "{}", path.display());
    }
}

#[test]
fn spans_point_at_the_text_as_written_after_a_relaxed_parse() {
    let text = "A:\n  B: [a,\nb]\n  C: [ x, ID: !Ref y ]\n";
    let doc = parse(text, Format::Yaml, &Limits::default()).expect("parses");
    let root = doc.root().expect("root");
    let b = root.path(&["A", "B"]).expect("B");
    let items = b.as_seq().expect("list");
    assert_eq!(items[1].span.start, Pos::new(3, 1), "`b` is at column 1");
    let c = root.path(&["A", "C"]).and_then(Node::as_seq).expect("C");
    let pair = c[1].entry("ID").expect("ID pair");
    assert_eq!(pair.key_span.start, Pos::new(4, 11));
    assert_eq!(pair.value.span.start, Pos::new(4, 15));
}

#[test]
fn errors_point_at_the_offending_line() {
    let cases = [
        // A bad escape three lines into a quoted scalar.
        ("A:\n  B: \"abc\n    def\n    bad \\q escape\"\n", 4),
        // A second `:` inside a multi-line flow sequence.
        ("A:\n  B: [a,\n    b,\n    c d: e: f,\n    g]\n", 4),
        // A key left of its mapping, after a relaxed line.
        ("A:\n  B: [a,\nb]\n  C: x\n D: y\n", 5),
    ];
    for (text, line) in cases {
        let err = parse(text, Format::Yaml, &Limits::default()).expect_err(text);
        assert_eq!(err.pos.map(|p| p.line), Some(line), "{text:?}: {err}");
    }
}

/// Inline function code with comments in Japanese, and a description with accents, each in a
/// block scalar: the nodes after them stay at their line and column (the scanner's character
/// index counts such a scalar's bytes, so placing nodes by it put `Handler` columns and, after
/// a long block, lines further on).
#[test]
fn spans_after_non_ascii_block_scalars_stay_in_place() {
    let text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: |\n          # 日本語のコメント。これは関数です。\n          # もう一行の説明文をここに書きます。\n          def handler(event, context):\n              return 'é'\n      Description: >-\n        Fonction éèê à\n        traitée\n      Handler: index.handler\n      Runtime: python3.12\n";
    let doc = parse(text, Format::Yaml, &Limits::default()).expect("parses");
    let props = doc
        .root()
        .and_then(|r| r.path(&["Resources", "Fn", "Properties"]))
        .expect("properties");
    let description = props.entry("Description").expect("description");
    assert_eq!(description.key_span.start, Pos::new(11, 7));
    let handler = props.entry("Handler").expect("handler");
    assert_eq!(handler.key_span.start, Pos::new(14, 7));
    assert_eq!(handler.key_span.end, Pos::new(14, 14));
    assert_eq!(handler.value.span.start, Pos::new(14, 16));
    assert_eq!(handler.value.span.end, Pos::new(14, 29));
    let runtime = props.entry("Runtime").expect("runtime");
    assert_eq!(runtime.key_span.start, Pos::new(15, 7));
    assert_eq!(runtime.value.span.start, Pos::new(15, 16));
    assert_eq!(runtime.value.span.end, Pos::new(15, 26));
    // A carriage return alone is a line break for the scanner and not for the line index:
    // such a text is still placed by character index, as before.
    let text = "a: 1\rb: é\n";
    assert!(parse(text, Format::Yaml, &Limits::default()).is_ok());
}

/// An error after a non-ASCII block scalar names its own line, not one the scanner's drifted
/// character index would give.
#[test]
fn errors_after_non_ascii_block_scalars_name_their_line() {
    let text = "a: |\n  日本語のコメント。これは長い説明文です。\n  もう一行の説明文をここに書きます。\nb: [1, 2\nc: 3\n";
    let err = parse(text, Format::Yaml, &Limits::default()).expect_err("unclosed list");
    let pos = err.pos.expect("position");
    assert!((4..=5).contains(&pos.line), "{err:?}");
}

/// An indentless sequence (`- ` at its key's indentation) whose first item is a flow
/// collection spans from its dash to its last item, as any other block sequence does; the
/// parser reports it at the item's bracket, and it was taken for a flow sequence ending at the
/// next token after it.
#[test]
fn an_indentless_sequence_opening_on_a_flow_collection_spans_its_items() {
    for (text, end) in [
        ("key:\n- [x, y]\nz: 1\n", Pos::new(2, 9)),
        ("key:\n- {a: 1}\n- [b]\nz: 1\n", Pos::new(3, 6)),
    ] {
        let doc = parse(text, Format::Yaml, &Limits::default()).expect("parses");
        let key = doc.root().and_then(|r| r.get("key")).expect("key");
        assert_eq!(key.span.start, Pos::new(2, 1), "{text:?}");
        assert_eq!(key.span.end, end, "{text:?}");
        assert_eq!(
            key.as_seq().map(<[Node]>::len),
            Some(text.matches("\n-").count())
        );
    }
}
