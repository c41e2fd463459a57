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
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) || text.len() > MAX_EMBEDDED_JSON {
        return None;
    }
    let limits = Limits {
        max_bytes: MAX_EMBEDDED_JSON,
        max_depth: 64,
        ..Limits::default()
    };
    let doc = tollgate_syntax::parse(text, Format::Json, &limits).ok()?;
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
