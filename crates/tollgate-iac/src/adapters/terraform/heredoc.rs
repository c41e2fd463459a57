//! JSON written inside a Terraform string (a heredoc policy, a quoted `"{\"Version\"...}"`, a
//! `jsondecode` argument) parsed into a spanned value whose spans point at the file.

use tollgate_syntax::{Format, Limits, Pos, Span};

use super::value::{Tv, TvKind};

/// Largest embedded JSON document parsed (a policy is at most a few KiB; AWS caps them at 20).
const MAX_EMBEDDED_JSON: usize = 256 * 1024;

/// Parse a string value that holds JSON. A heredoc (the string spans several lines of the file)
/// keeps precise lines: its text starts on the line after `<<EOF`. A one-line quoted string maps
/// every inner position to the string itself. Returns `None` when the text is not JSON.
pub fn parse_json_string(v: &Tv) -> Option<Tv> {
    let TvKind::String(text) = &v.kind else {
        return None;
    };
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    parse_string_as(v, text, Format::Json)
}

/// [`parse_json_string`] for a string that holds a YAML document (an SSM document written with
/// `document_format = "YAML"`). Returns `None` when the text is not YAML.
pub fn parse_yaml_string(v: &Tv) -> Option<Tv> {
    let TvKind::String(text) = &v.kind else {
        return None;
    };
    parse_string_as(v, text, Format::Yaml)
}

fn parse_string_as(v: &Tv, text: &str, format: Format) -> Option<Tv> {
    if text.len() > MAX_EMBEDDED_JSON {
        return None;
    }
    let limits = Limits {
        max_bytes: MAX_EMBEDDED_JSON,
        max_depth: 64,
        ..Limits::default()
    };
    let doc = tollgate_syntax::parse(text, format, &limits).ok()?;
    let mut tv = Tv::from_node(doc.root()?);
    let heredoc = v.span.end.line > v.span.start.line && text.contains('\n');
    let outer = v.span;
    map_spans(&mut tv, &|s: Span| {
        if heredoc {
            let shift = |p: Pos| Pos::new(p.line + outer.start.line, p.col);
            let mapped = Span::new(shift(s.start), shift(s.end));
            if mapped.end.line > outer.end.line {
                outer
            } else {
                mapped
            }
        } else {
            outer
        }
    });
    Some(tv)
}

/// Stands for an interpolation whose value is not known, inside JSON text being assembled
/// from a template: private-use characters, which JSON strings may hold and policies never do.
const UNKNOWN_MARKER: &str = "\u{F8FF}unknown\u{F8FF}";

/// Append the marker for an unknown interpolation to JSON text written so far: bare inside a
/// JSON string, quoted where a whole value stands (`"Resource": ${var.arns}`).
pub fn push_unknown_marker(text: &mut String) {
    if inside_json_string(text) {
        text.push_str(UNKNOWN_MARKER);
    } else {
        text.push('"');
        text.push_str(UNKNOWN_MARKER);
        text.push('"');
    }
}

/// Whether the end of `text` is inside a JSON string (an odd number of unescaped quotes).
fn inside_json_string(text: &str) -> bool {
    let mut inside = false;
    let mut escaped = false;
    for c in text.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if inside => escaped = true,
            '"' => inside = !inside,
            _ => {}
        }
    }
    inside
}

/// Parse JSON text holding unknown markers ([`push_unknown_marker`]): every string with a
/// marker becomes an unknown value saying `reason`; the rest of the document is known.
pub fn parse_with_unknowns(v: &Tv, reason: &str) -> Option<Tv> {
    let mut parsed = parse_json_string(v)?;
    mark_unknowns(&mut parsed, reason, 0);
    Some(parsed)
}

fn mark_unknowns(v: &mut Tv, reason: &str, depth: usize) {
    if depth > 64 {
        return;
    }
    match &mut v.kind {
        TvKind::String(s) if s.contains(UNKNOWN_MARKER) => {
            *v = Tv::unknown(v.span, reason);
        }
        TvKind::List(items) => items
            .iter_mut()
            .for_each(|i| mark_unknowns(i, reason, depth + 1)),
        TvKind::Object(entries) => entries
            .iter_mut()
            .for_each(|(_, _, i)| mark_unknowns(i, reason, depth + 1)),
        _ => {}
    }
}

fn map_spans(v: &mut Tv, f: &dyn Fn(Span) -> Span) {
    v.span = f(v.span);
    match &mut v.kind {
        TvKind::List(items) => items.iter_mut().for_each(|i| map_spans(i, f)),
        TvKind::Object(entries) => entries.iter_mut().for_each(|(_, s, i)| {
            *s = f(*s);
            map_spans(i, f);
        }),
        _ => {}
    }
}
