//! The position invariants: every position lies inside the text it was read from, and every
//! span starts before it ends. Columns count code points, so a column inside a line is on a
//! character boundary by construction; what is checked is that the line exists and the column
//! is at most one past its last character (SARIF's exclusive `endColumn`).

use tollgate_syntax::{
    Document, Entry, ExprKind, Node, Pos, Span, TemplatePart, TraversalStep, Value,
};

/// The length in code points of each line of a text (split on `\n`, a leading BOM dropped,
/// as the parsers count).
#[derive(Debug)]
pub struct Lines(Vec<u32>);

impl Lines {
    pub fn new(text: &str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Self(text.split('\n').map(|l| l.chars().count() as u32).collect())
    }

    /// Number of lines (a text ending in `\n` has an empty last line).
    pub fn count(&self) -> u32 {
        self.0.len() as u32
    }

    pub fn check_pos(&self, pos: Pos, what: &str) -> Result<(), String> {
        let Some(&len) = (pos.line as usize)
            .checked_sub(1)
            .and_then(|i| self.0.get(i))
        else {
            return Err(format!(
                "{what}: line {} outside the text's {} lines",
                pos.line,
                self.count()
            ));
        };
        if pos.col == 0 || pos.col > len + 1 {
            return Err(format!(
                "{what}: column {} outside line {} of {len} characters",
                pos.col, pos.line
            ));
        }
        Ok(())
    }

    pub fn check_span(&self, span: Span, what: &str) -> Result<(), String> {
        self.check_pos(span.start, what)?;
        self.check_pos(span.end, what)?;
        if span.start > span.end {
            return Err(format!("{what}: span starts after it ends: {span:?}"));
        }
        Ok(())
    }

    /// A 1-based line number (lockfile packages, error positions given as numbers).
    pub fn check_line(&self, line: u32, what: &str) -> Result<(), String> {
        if line == 0 || line > self.count() {
            return Err(format!(
                "{what}: line {line} outside the text's {} lines",
                self.count()
            ));
        }
        Ok(())
    }
}

/// Checks every span of a parsed document, keys, labels and expression parts included.
pub fn check_document(text: &str, doc: &Document) -> Result<(), String> {
    let lines = Lines::new(text);
    let mut stack: Vec<&Node> = doc.roots.iter().collect();
    while let Some(node) = stack.pop() {
        lines.check_span(node.span, "node")?;
        match &node.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => entries_of(&lines, entries, &mut stack)?,
            Value::Block(block) => {
                for (_, span) in &block.labels {
                    lines.check_span(*span, "block label")?;
                }
                entries_of(&lines, &block.body, &mut stack)?;
            }
            Value::Expr(expr) => match &expr.kind {
                ExprKind::Traversal { steps, .. } => {
                    for step in steps {
                        if let TraversalStep::Index(n) = step {
                            stack.push(n);
                        }
                    }
                }
                ExprKind::FuncCall { args, .. } => stack.extend(args),
                ExprKind::Template { parts } => {
                    for part in parts {
                        if let TemplatePart::Interpolation(n) = part {
                            stack.push(n);
                        }
                    }
                }
                ExprKind::Conditional {
                    cond,
                    then,
                    otherwise,
                } => stack.extend([cond, then, otherwise]),
                ExprKind::Operation { operands, .. } => stack.extend(operands),
                ExprKind::Other => {}
            },
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
        }
    }
    Ok(())
}

fn entries_of<'a>(
    lines: &Lines,
    entries: &'a [Entry],
    stack: &mut Vec<&'a Node>,
) -> Result<(), String> {
    for entry in entries {
        lines.check_span(entry.key_span, "key")?;
        stack.push(&entry.value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_past_the_end_of_a_line_or_text_are_caught() {
        let lines = Lines::new("ab\n本番\n");
        assert!(lines.check_pos(Pos::new(1, 3), "p").is_ok());
        assert!(lines.check_pos(Pos::new(2, 3), "p").is_ok());
        assert!(lines.check_pos(Pos::new(3, 1), "p").is_ok());
        assert!(lines.check_pos(Pos::new(2, 4), "p").is_err());
        assert!(lines.check_pos(Pos::new(4, 1), "p").is_err());
        assert!(lines.check_pos(Pos::new(1, 0), "p").is_err());
        let backwards = Span::new(Pos::new(2, 1), Pos::new(1, 2));
        assert!(lines.check_span(backwards, "s").is_err());
    }
}
