//! HCL (Terraform) through `hcl-edit`, converted into spanned [`Node`]s, for the texts the
//! fast path (`hcl_fast.rs`) leaves to it.
//!
//! A body is a `Value::Map`: attributes are entries, blocks are entries keyed by their
//! identifier whose value is a `Value::Block`. Literal expressions become plain values so the
//! same accessors work as for YAML and JSON; everything else is a `Value::Expr` that keeps its
//! source text and as much structure as an evaluator needs.
//!
//! `hcl-edit` refuses nesting past 64 levels and operator chains past 128 itself (its parser
//! recurses), so deep input fails there with a position; this module maps that to `TooDeep`
//! and applies [`Limits::max_depth`] on top.

use std::ops::Range;

use hcl_edit::expr::{Expression, Object, ObjectKey, TraversalOperator};
use hcl_edit::structure::{BlockLabel, Body, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span as _;

use crate::hcl_split::{self, ChunkError};
use crate::lines::LineIndex;
use crate::{
    Block, Document, Entry, Expr, ExprKind, Format, Limits, Node, Span, SyntaxError,
    SyntaxErrorKind, TemplatePart, TraversalStep, Value,
};

pub(crate) fn parse(text: &str, limits: &Limits) -> Result<Document, SyntaxError> {
    if let Some(doc) = crate::hcl_fast::parse(text, limits) {
        return Ok(doc);
    }
    parse_edit(text, limits)
}

/// Through `hcl-edit` alone, without the fast path.
pub(crate) fn parse_edit(text: &str, limits: &Limits) -> Result<Document, SyntaxError> {
    parse_splitting(text, limits, hcl_split::SPLIT_ITEMS)
}

/// [`parse`], with objects of more than `split` items parsed in chunks of that many (see
/// [`hcl_split`]; tests split at every item to compare with the plain parse).
fn parse_splitting(text: &str, limits: &Limits, split: usize) -> Result<Document, SyntaxError> {
    let lines = LineIndex::new(text);
    let large = hcl_split::large_objects(text, split);
    let mut chunks = hcl_split::ChunkMap::new();
    let body = if large.is_empty() {
        hcl_edit::parser::parse_body(text)
    } else {
        hcl_edit::parser::parse_body(&hcl_split::blanked(text, 0..text.len(), &large))
    }
    .map_err(|e| parse_error(&e, 0, &lines))?;
    for object in &large {
        let parts = hcl_split::parse_chunks(text, object, &large, split).map_err(|e| match e {
            ChunkError::Parse { base, error } => parse_error(&error, base, &lines),
            ChunkError::NotObject(at) => SyntaxError::new(
                SyntaxErrorKind::Invalid,
                Some(lines.pos(at)),
                "object items expected".to_owned(),
            ),
        })?;
        if let Some(at) = hcl_split::repeated_key(text, &parts) {
            return Err(SyntaxError::new(
                SyntaxErrorKind::Invalid,
                Some(lines.pos(at)),
                "invalid object item; expected unique object key; found redefined object key"
                    .to_owned(),
            ));
        }
        chunks.insert(object.open, parts);
    }
    let conv = Converter {
        text,
        lines: &lines,
        max_depth: limits.max_depth,
        base: 0,
        chunks: &chunks,
    };
    let entries = conv.body(&body, 1)?;
    let root = Node {
        span: conv.lines.span(0, text.len()),
        tag: None,
        value: Value::Map(entries),
    };
    Ok(Document {
        format: Format::Hcl,
        roots: vec![root],
        duplicate_keys: Vec::new(),
    })
}

/// `base` is the file offset of the parsed text's first byte (a chunk's, or 0).
fn parse_error(e: &hcl_edit::parser::Error, base: usize, lines: &LineIndex) -> SyntaxError {
    let message = e.message();
    let kind = if message.contains("nested levels") || message.contains("chained binary operators")
    {
        SyntaxErrorKind::TooDeep
    } else {
        SyntaxErrorKind::Invalid
    };
    SyntaxError::new(
        kind,
        Some(lines.pos(e.location().offset() + base)),
        message.to_owned(),
    )
}

#[derive(Clone, Copy)]
struct Converter<'t> {
    text: &'t str,
    lines: &'t LineIndex<'t>,
    max_depth: usize,
    /// File offset of the parsed text's first byte: 0 for the file, a chunk's base in one.
    base: usize,
    /// The chunks of large objects, which the file's parse holds as empty objects.
    chunks: &'t hcl_split::ChunkMap,
}

impl Converter<'_> {
    fn span(&self, range: Option<Range<usize>>, fallback: Span) -> Span {
        range.map_or(fallback, |r| {
            self.lines.span(r.start + self.base, r.end + self.base)
        })
    }

    fn source(&self, range: Option<Range<usize>>) -> String {
        range
            .and_then(|r| self.text.get(r.start + self.base..r.end + self.base))
            .unwrap_or_default()
            .to_owned()
    }

    /// The entries of an object: its own items, or those of its chunks when it is large.
    fn object(
        &self,
        object: &Object,
        range: Option<&Range<usize>>,
        depth: usize,
        span: Span,
    ) -> Result<Vec<Entry>, SyntaxError> {
        let parts = range.and_then(|r| self.chunks.get(&(r.start + self.base)));
        let Some(parts) = parts else {
            return self.object_items(object, depth, span);
        };
        let mut entries = Vec::new();
        for part in parts {
            let conv = Converter {
                base: part.base,
                ..*self
            };
            entries.extend(conv.object_items(&part.object, depth, span)?);
        }
        Ok(entries)
    }

    fn object_items(
        &self,
        object: &Object,
        depth: usize,
        span: Span,
    ) -> Result<Vec<Entry>, SyntaxError> {
        let mut entries = Vec::with_capacity(object.len());
        for (key, value) in object.iter() {
            let key_span = self.span(key.span(), span);
            let key_text = match key {
                ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                ObjectKey::Expression(e) => self.source(e.span()),
            };
            entries.push(Entry {
                key: key_text,
                key_span,
                value: self.expr(value.expr(), depth, span)?,
            });
        }
        Ok(entries)
    }

    fn check_depth(&self, depth: usize, span: Span) -> Result<(), SyntaxError> {
        if depth > self.max_depth {
            return Err(SyntaxError::new(
                SyntaxErrorKind::TooDeep,
                Some(span.start),
                format!("nesting deeper than {} levels", self.max_depth),
            ));
        }
        Ok(())
    }

    /// Entries of a body at nesting level `depth` (the file's top-level body is level 1).
    fn body(&self, body: &Body, depth: usize) -> Result<Vec<Entry>, SyntaxError> {
        let mut entries = Vec::with_capacity(body.len());
        for structure in body.iter() {
            let fallback = self.span(structure.span(), Span::line(1));
            let entry = match structure {
                Structure::Attribute(attr) => Entry {
                    key: attr.key.as_str().to_owned(),
                    key_span: self.span(attr.key.span(), fallback),
                    value: self.expr(&attr.value, depth + 1, fallback)?,
                },
                Structure::Block(block) => {
                    self.check_depth(depth + 1, fallback)?;
                    let labels = block
                        .labels
                        .iter()
                        .map(|label| {
                            let text = match label {
                                BlockLabel::Ident(ident) => ident.as_str().to_owned(),
                                BlockLabel::String(s) => s.value().clone(),
                            };
                            (text, self.span(label.span(), fallback))
                        })
                        .collect();
                    Entry {
                        key: block.ident.as_str().to_owned(),
                        key_span: self.span(block.ident.span(), fallback),
                        value: Node {
                            span: fallback,
                            tag: None,
                            value: Value::Block(Box::new(Block {
                                ident: block.ident.as_str().to_owned(),
                                labels,
                                body: self.body(&block.body, depth + 1)?,
                            })),
                        },
                    }
                }
            };
            entries.push(entry);
        }
        Ok(entries)
    }

    /// An expression at nesting level `depth`; `fallback` is the enclosing span, used only if
    /// the parser left a node without one.
    fn expr(&self, expr: &Expression, depth: usize, fallback: Span) -> Result<Node, SyntaxError> {
        let range = expr.span();
        let span = self.span(range.clone(), fallback);
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            // As written, so `1e3` or `0.10` is not reformatted.
            Expression::Number(n) => {
                let text = self.source(range);
                Value::Number(if text.is_empty() { n.to_string() } else { text })
            }
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Parenthesis(p) => return self.expr(p.inner(), depth, span),
            Expression::Variable(v) => self.expr_value(
                range,
                ExprKind::Traversal {
                    root: v.as_str().to_owned(),
                    steps: Vec::new(),
                },
            ),
            _ => {
                self.check_depth(depth, span)?;
                self.compound(expr, range, depth, span)?
            }
        };
        Ok(Node {
            span,
            tag: None,
            value,
        })
    }

    fn expr_value(&self, range: Option<Range<usize>>, kind: ExprKind) -> Value {
        Value::Expr(Box::new(Expr {
            text: self.source(range),
            kind,
        }))
    }

    fn compound(
        &self,
        expr: &Expression,
        range: Option<Range<usize>>,
        depth: usize,
        span: Span,
    ) -> Result<Value, SyntaxError> {
        let inner = depth + 1;
        let kind = match expr {
            Expression::Array(items) => {
                let items = items
                    .iter()
                    .map(|item| self.expr(item, inner, span))
                    .collect::<Result<_, _>>()?;
                return Ok(Value::Seq(items));
            }
            Expression::Object(object) => {
                return Ok(Value::Map(self.object(
                    object,
                    range.as_ref(),
                    inner,
                    span,
                )?));
            }
            Expression::StringTemplate(t) => return self.template(t, range, inner, span),
            Expression::HeredocTemplate(h) => {
                return self.template(&h.template, range, inner, span)
            }
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(root) => {
                    let steps = t
                        .operators
                        .iter()
                        .map(|op| {
                            Ok(match op.value() {
                                TraversalOperator::GetAttr(name) => {
                                    TraversalStep::Attr(name.as_str().to_owned())
                                }
                                TraversalOperator::Index(index) => {
                                    TraversalStep::Index(self.expr(index, inner, span)?)
                                }
                                TraversalOperator::LegacyIndex(n) => TraversalStep::Index(Node {
                                    span: self.span(op.span(), span),
                                    tag: None,
                                    value: Value::Number(n.value().to_string()),
                                }),
                                TraversalOperator::AttrSplat(_)
                                | TraversalOperator::FullSplat(_) => TraversalStep::Splat,
                            })
                        })
                        .collect::<Result<_, SyntaxError>>()?;
                    ExprKind::Traversal {
                        root: root.as_str().to_owned(),
                        steps,
                    }
                }
                // `func(x).attr`, `[a, b][0]`: not rooted in a name, kept as text.
                _ => ExprKind::Other,
            },
            Expression::FuncCall(call) => {
                let mut name: Vec<&str> = call.name.namespace.iter().map(|n| n.as_str()).collect();
                name.push(call.name.name.as_str());
                let args = call
                    .args
                    .iter()
                    .map(|arg| self.expr(arg, inner, span))
                    .collect::<Result<_, _>>()?;
                ExprKind::FuncCall {
                    name: name.join("::"),
                    args,
                }
            }
            Expression::Conditional(c) => ExprKind::Conditional {
                cond: self.expr(&c.cond_expr, inner, span)?,
                then: self.expr(&c.true_expr, inner, span)?,
                otherwise: self.expr(&c.false_expr, inner, span)?,
            },
            Expression::UnaryOp(op) => ExprKind::Operation {
                op: op.operator.value().as_str().to_owned(),
                operands: vec![self.expr(&op.expr, inner, span)?],
            },
            Expression::BinaryOp(op) => ExprKind::Operation {
                op: op.operator.value().as_str().to_owned(),
                operands: vec![
                    self.expr(&op.lhs_expr, inner, span)?,
                    self.expr(&op.rhs_expr, inner, span)?,
                ],
            },
            // `for` expressions are kept as text; literals were handled by the caller.
            _ => ExprKind::Other,
        };
        Ok(self.expr_value(range, kind))
    }

    /// A quoted template or heredoc: a plain `String` when it has no interpolation or
    /// directive (the parser already stripped a `<<-` heredoc's indentation), else a
    /// `Template` expression.
    fn template(
        &self,
        template: &Template,
        range: Option<Range<usize>>,
        depth: usize,
        span: Span,
    ) -> Result<Value, SyntaxError> {
        if template.iter().all(|e| matches!(e, Element::Literal(_))) {
            let mut s = String::new();
            for element in template.iter() {
                if let Element::Literal(lit) = element {
                    s.push_str(lit.value());
                }
            }
            return Ok(Value::String(s));
        }
        let parts = template
            .iter()
            .map(|element| {
                Ok(match element {
                    Element::Literal(lit) => TemplatePart::Literal(lit.value().clone()),
                    Element::Interpolation(i) => {
                        TemplatePart::Interpolation(self.expr(&i.expr, depth, span)?)
                    }
                    Element::Directive(d) => TemplatePart::Directive(self.source(d.span())),
                })
            })
            .collect::<Result<_, SyntaxError>>()?;
        Ok(self.expr_value(range, ExprKind::Template { parts }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pos;

    fn root(text: &str) -> Node {
        parse(text, &Limits::default())
            .unwrap_or_else(|e| panic!("{e:?}"))
            .roots
            .remove(0)
    }

    fn sp(l1: u32, c1: u32, l2: u32, c2: u32) -> Span {
        Span::new(Pos::new(l1, c1), Pos::new(l2, c2))
    }

    fn expr(node: &Node) -> &Expr {
        match &node.value {
            Value::Expr(e) => e,
            other => panic!("not an expression: {other:?}"),
        }
    }

    const TF: &str = r#"resource "aws_s3_bucket" "logs" {
  bucket        = "my-logs"
  force_destroy = true
  count         = 2
  tags = {
    Name  = "logs"
    "env" = var.env
  }

  server_side_encryption_configuration {
    rule { apply = null }
  }
}

resource "aws_s3_bucket" "data" {
  bucket = "data-${var.env}"
}
"#;

    #[test]
    fn body_attributes_and_blocks_with_spans() {
        let r = root(TF);
        let resources: Vec<&Block> = r.blocks("resource").collect();
        assert_eq!(resources.len(), 2);
        let logs = resources[0];
        assert_eq!(logs.label(0), Some("aws_s3_bucket"));
        assert_eq!(logs.label(1), Some("logs"));
        assert_eq!(logs.labels[1].1, sp(1, 26, 1, 32));
        let bucket = logs.entry("bucket").unwrap();
        assert_eq!(bucket.key_span, sp(2, 3, 2, 9));
        assert_eq!(bucket.value.as_str(), Some("my-logs"));
        assert_eq!(bucket.value.span, sp(2, 19, 2, 28));
        assert_eq!(logs.get("force_destroy").unwrap().as_bool(), Some(true));
        assert_eq!(logs.get("count").unwrap().as_number_text(), Some("2"));
        let tags = logs.get("tags").unwrap();
        assert_eq!(tags.get("Name").unwrap().as_str(), Some("logs"));
        let env = tags.entry("env").unwrap();
        assert_eq!(env.key_span, sp(7, 5, 7, 10));
        assert_eq!(expr(&env.value).text, "var.env");
        let nested = logs
            .blocks("server_side_encryption_configuration")
            .next()
            .unwrap();
        let rule = nested.blocks("rule").next().unwrap();
        assert!(rule.get("apply").unwrap().is_null());
        let entry = r.entry("resource").unwrap();
        assert_eq!(entry.key_span, sp(15, 1, 15, 9));
        assert_eq!(entry.value.span, sp(15, 1, 17, 2));
        assert_eq!(r.span.start, Pos::new(1, 1));
    }

    #[test]
    fn multibyte_columns() {
        let r = root("name = \"日本語\"\nnext = \"é\"\n");
        assert_eq!(r.get("name").unwrap().span, sp(1, 8, 1, 13));
        let next = r.entry("next").unwrap();
        assert_eq!(next.value.span, sp(2, 8, 2, 11));
        let r = root("x = \"ü\" # ü\ny = { \"ä\" = 1, b = 2 }\n");
        assert_eq!(
            r.get("y").unwrap().entry("b").unwrap().key_span,
            sp(2, 16, 2, 17)
        );
    }

    #[test]
    fn templates_and_traversals() {
        let r = root(TF);
        let data = r.blocks("resource").nth(1).unwrap();
        let bucket = expr(data.get("bucket").unwrap());
        assert_eq!(bucket.text, "\"data-${var.env}\"");
        let ExprKind::Template { parts } = &bucket.kind else {
            panic!("{bucket:?}")
        };
        assert_eq!(parts[0], TemplatePart::Literal("data-".into()));
        let TemplatePart::Interpolation(inner) = &parts[1] else {
            panic!("{parts:?}")
        };
        assert_eq!(
            expr(inner).kind,
            ExprKind::Traversal {
                root: "var".into(),
                steps: vec![TraversalStep::Attr("env".into())]
            }
        );

        let r = root("a = aws_kms_key.main[0].arn\nb = local.tags[\"env\"]\nc = aws_instance.web.*.id\nd = foo\n");
        let ExprKind::Traversal { root: name, steps } = &expr(r.get("a").unwrap()).kind else {
            panic!()
        };
        assert_eq!(name, "aws_kms_key");
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0], TraversalStep::Attr("main".into()));
        assert!(matches!(&steps[1], TraversalStep::Index(n) if n.as_number_text() == Some("0")));
        let ExprKind::Traversal { steps, .. } = &expr(r.get("b").unwrap()).kind else {
            panic!()
        };
        assert!(matches!(&steps[1], TraversalStep::Index(n) if n.as_str() == Some("env")));
        let ExprKind::Traversal { steps, .. } = &expr(r.get("c").unwrap()).kind else {
            panic!()
        };
        assert!(steps.contains(&TraversalStep::Splat));
        assert_eq!(
            expr(r.get("d").unwrap()).kind,
            ExprKind::Traversal {
                root: "foo".into(),
                steps: vec![]
            }
        );
    }

    #[test]
    fn calls_conditionals_operations_and_for() {
        let text = "p = jsonencode({ Version = \"2012-10-17\" })\nq = var.on ? 1 : 0\nr = !var.x\ns = (1 + 2) * 3\nt = [for s in var.l : upper(s)]\nu = provider::aws::arn_parse(x)\n";
        let r = root(text);
        let ExprKind::FuncCall { name, args } = &expr(r.get("p").unwrap()).kind else {
            panic!()
        };
        assert_eq!(name, "jsonencode");
        assert_eq!(args[0].get("Version").unwrap().as_str(), Some("2012-10-17"));
        let ExprKind::Conditional {
            cond,
            then,
            otherwise,
        } = &expr(r.get("q").unwrap()).kind
        else {
            panic!()
        };
        assert_eq!(expr(cond).text, "var.on");
        assert_eq!(then.as_number_text(), Some("1"));
        assert_eq!(otherwise.as_number_text(), Some("0"));
        let ExprKind::Operation { op, operands } = &expr(r.get("r").unwrap()).kind else {
            panic!()
        };
        assert_eq!((op.as_str(), operands.len()), ("!", 1));
        let s = expr(r.get("s").unwrap());
        assert_eq!(s.text, "(1 + 2) * 3");
        let ExprKind::Operation { op, operands } = &s.kind else {
            panic!()
        };
        assert_eq!(op, "*");
        assert!(matches!(&expr(&operands[0]).kind, ExprKind::Operation { op, .. } if op == "+"));
        let t = expr(r.get("t").unwrap());
        assert_eq!(t.kind, ExprKind::Other);
        assert_eq!(t.text, "[for s in var.l : upper(s)]");
        let ExprKind::FuncCall { name, .. } = &expr(r.get("u").unwrap()).kind else {
            panic!()
        };
        assert_eq!(name, "provider::aws::arn_parse");
    }

    #[test]
    fn heredocs() {
        let text = "a = <<EOT\n  {\"x\": 1}\nEOT\nb = <<-EOT\n    line one\n      two\n    EOT\nc = <<EOT\nhi ${var.n}\nEOT\n";
        let r = root(text);
        assert_eq!(r.get("a").unwrap().as_str(), Some("  {\"x\": 1}\n"));
        assert_eq!(r.get("b").unwrap().as_str(), Some("line one\n  two\n"));
        let c = r.get("c").unwrap();
        assert!(matches!(&expr(c).kind, ExprKind::Template { parts } if parts.len() == 3));
        assert_eq!(c.span.start, Pos::new(8, 5));
    }

    #[test]
    fn errors_and_depth() {
        let e = parse("a = {\n  b = \n}\n", &Limits::default()).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::Invalid);
        assert_eq!(e.pos, Some(Pos::new(2, 7)));
        assert!(
            e.message.starts_with("invalid expression; expected"),
            "{}",
            e.message
        );
        let e = parse("é = 1\nx = \"ü\" +\n", &Limits::default()).unwrap_err();
        // Column in code points: `ü` is two bytes but one column.
        assert_eq!(e.pos, Some(Pos::new(2, 10)));
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        // Levels: the file body 1, block `a` 2, block `b` 3.
        assert!(parse("a {\n  b {\n    c = 1\n  }\n}\n", &limits).is_ok());
        let e = parse("a {\n  b {\n    c = [1]\n  }\n}\n", &limits).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
        assert_eq!(e.pos, Some(Pos::new(3, 9)));
        let e = parse("a {\n  b {\n    c {\n    }\n  }\n}\n", &limits).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
        assert_eq!(e.pos, Some(Pos::new(3, 5)));
    }

    /// Splitting every object at each item reads exactly what the plain parse reads.
    fn same_as_plain(text: &str) {
        let plain = parse_splitting(text, &Limits::default(), usize::MAX);
        for split in [1, 2] {
            let chunked = parse_splitting(text, &Limits::default(), split);
            match (&plain, &chunked) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "split {split}: {text}"),
                (Err(_), Err(_)) => {}
                _ => panic!("split {split} of {text}: {plain:?} against {chunked:?}"),
            }
        }
    }

    #[test]
    fn large_objects_read_in_chunks_as_in_one_piece() {
        let same_as_plain = |text: &str| {
            let valid = parse(text, &Limits::default()).is_ok();
            let split = !hcl_split::large_objects(text, 1).is_empty();
            assert!(!valid || split, "nothing split in {text}");
            same_as_plain(text);
        };
        same_as_plain(TF);
        same_as_plain("a = {\n  x = 1\n  \"y\" = \"}{\\\"\"\n  z = { p = [1,\n 2], q = (3) }\n}\n");
        same_as_plain("a = { x = 1, y = 2, z = 3 }\nb { c = { d = 1, e = 2 } }\n");
        same_as_plain("a = {\n  # comment { with , braces\n  x = 1 // and here, too\n  /* and\n here { */ y = 2\n}\n");
        same_as_plain("a = {\n  p = <<EOT\n  k = { , }\n  EOTX\nEOT\n  q = <<-X\n    ${jsonencode({ a = 1, b = 2 })}\n    X\n  r = 2\n}\n");
        same_as_plain("a = {\n  t = \"${ { u = 1, v = 2 }.u }-$${x}-%%{y}\"\n  w = 3\n}\n");
        same_as_plain("a = { for k, v in var.m : k => v }\nb = {\n  for = 1\n  if = 2\n}\n");
        same_as_plain("a = {\n  x = {\n    y = {\n      z = 1\n      w = 2\n    }\n    v = 3\n  }\n  u = 4\n}\n");
        same_as_plain("a = {\r\n  x = 1\r\n  y = 2\r\n}\r\n");
        same_as_plain("a = {\n  (var.k) = 1\n  \"q\" = 2\n  q = 3\n}\n");
        // Errors stay errors, with chunking or without.
        same_as_plain("a = {\n  x = 1\n  x = 2\n}\n");
        same_as_plain("a = {\n  x = 1\n  y = 2\n  x = 3\n}\n");
        same_as_plain("a = {\n  x = \n  y = 2\n}\n");
        same_as_plain("a = {\n  x = 1 +\n  2\n}\n");
        same_as_plain("a = {\n  x = 1\n  y = 2\n");
    }

    #[test]
    fn item_ends_inside_strings_heredocs_comments_and_brackets_are_not_counted() {
        let text = "a = {\n  p = \"x,\\\"\\n,\"\n  q = <<EOT\n,\n EOT\n  r = [1,\n 2] # ,\n  s = f(1, 2) /* ,\n */\n}\nb { c = 1 }\n";
        let found = hcl_split::large_objects(text, 0);
        assert_eq!(found.len(), 1, "{found:?}");
        let lines: Vec<usize> = found[0]
            .ends
            .iter()
            .map(|&at| text[..at].lines().count() + 1)
            .collect();
        // After the `{`, then after the items of `p`, `q`, `r` and `s`.
        assert_eq!(lines, vec![2, 3, 6, 8, 10]);
        assert_eq!(&text[found[0].close..found[0].close + 1], "}");
    }

    #[test]
    fn the_repository_terraform_reads_the_same_in_chunks() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("examples"), root.join("crates")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() && !path.ends_with("target") {
                    dirs.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "tf" || e == "tfvars" || e == "hcl")
                {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 20, "{files:?}");
        for path in files {
            same_as_plain(&std::fs::read_to_string(&path).unwrap());
        }
    }

    #[test]
    fn an_object_of_many_keys_keeps_every_key_value_and_span() {
        let keys: String = (0..20_000)
            .map(|i| format!("    k{i} = \"v{i}\"\n"))
            .collect();
        let text = format!("locals {{\n  m = {{\n{keys}  }}\n}}\n");
        let r = root(&text);
        let m = r.blocks("locals").next().unwrap().get("m").unwrap();
        let Value::Map(entries) = &m.value else {
            panic!("{m:?}")
        };
        assert_eq!(entries.len(), 20_000);
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.key, format!("k{i}"));
            assert_eq!(e.value.as_str(), Some(format!("v{i}").as_str()));
            assert_eq!(e.key_span.start, Pos::new(i as u32 + 3, 5));
        }
        let repeated = text.replace("k19999 =", "k7 =");
        let e = parse(&repeated, &Limits::default()).unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(20_002, 5)));
        assert!(e.message.contains("redefined object key"), "{}", e.message);
    }
}
