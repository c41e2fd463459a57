//! The Guard 2/3 rule language into [`RuleFile`]: `let`, named rules with `when` conditions,
//! type blocks, query blocks, clauses in conjunctive normal form, filters, literals,
//! `<<messages>>` and function calls. Errors name `file:line:col` and what was expected.

use regex::RegexBuilder;

use super::ast::*;
use super::lex::{lex, Comment, Tok, Token};
use super::GuardError;

/// Largest rule file read, in bytes.
pub const MAX_RULE_FILE_BYTES: usize = 1024 * 1024;
/// Deepest nesting of blocks, filters and literals.
const MAX_DEPTH: usize = 64;
/// Largest compiled regex, in bytes (the `regex` crate's own bound on its program size).
const MAX_REGEX_BYTES: usize = 1024 * 1024;

/// Parse one `.guard` file.
pub fn parse(path: &str, text: &str) -> Result<RuleFile, GuardError> {
    if text.len() > MAX_RULE_FILE_BYTES {
        return Err(GuardError {
            file: path.to_string(),
            line: 1,
            col: 1,
            message: format!(
                "rule file is {} bytes, larger than the limit of {MAX_RULE_FILE_BYTES} bytes",
                text.len()
            ),
        });
    }
    let (tokens, comments) = lex(path, text)?;
    let mut p = Parser {
        path,
        text,
        tokens,
        i: 0,
        depth: 0,
        in_conditions: false,
    };
    let defaults = file_defaults(&comments, &p.tokens);
    let mut file = RuleFile {
        path: path.to_string(),
        lets: Vec::new(),
        rules: Vec::new(),
    };
    let mut loose = Conjunction::new();
    let mut loose_at: Option<(u32, u32)> = None;
    while !p.at_eof() {
        if p.is_ident("let") {
            file.lets.push(p.let_statement()?);
        } else if p.is_ident("rule") {
            let mut rule = p.named_rule()?;
            let meta = comment_meta(&comments, rule.line);
            rule.severity = meta.severity.or(defaults.severity.clone());
            rule.code = meta.code;
            rule.title = meta.title;
            if file.rules.iter().any(|r| r.name == rule.name) {
                return Err(GuardError {
                    file: path.to_string(),
                    line: rule.line,
                    col: rule.col,
                    message: format!("rule `{}` is defined twice", rule.name),
                });
            }
            file.rules.push(rule);
        } else {
            let t = p.peek();
            loose_at.get_or_insert((t.line, t.col));
            loose.push(p.disjunction()?);
        }
    }
    if let Some((line, col)) = loose_at {
        // Clauses outside any rule form the `default` rule, as cfn-guard names it.
        file.rules.push(NamedRule {
            name: "default".to_string(),
            line,
            col,
            conditions: None,
            body: Block {
                lets: Vec::new(),
                clauses: loose,
            },
            severity: defaults.severity,
            code: None,
            title: None,
        });
    }
    let names: Vec<String> = file.rules.iter().map(|r| r.name.clone()).collect();
    check_references(path, &file, &names)?;
    Ok(file)
}

#[derive(Default)]
struct Meta {
    severity: Option<String>,
    code: Option<String>,
    title: Option<String>,
}

/// `# key: value` lines of the comment block that ends right above `line`.
fn comment_meta(comments: &[Comment], line: u32) -> Meta {
    let mut meta = Meta::default();
    let mut want = line.saturating_sub(1);
    for c in comments.iter().rev().skip_while(|c| c.line >= line) {
        if c.line != want {
            break;
        }
        want = want.saturating_sub(1);
        read_meta(&c.text, &mut meta);
    }
    meta
}

/// `# severity:` in the comment lines before the first token: the file's default.
fn file_defaults(comments: &[Comment], tokens: &[Token]) -> Meta {
    let first = tokens.first().map_or(u32::MAX, |t| t.line);
    // The comment block right above the first rule is that rule's own.
    let mut own = first.saturating_sub(1);
    while comments.iter().any(|c| c.line == own) {
        own = own.saturating_sub(1);
    }
    let mut meta = Meta::default();
    for c in comments.iter().take_while(|c| c.line <= own) {
        let mut m = Meta::default();
        read_meta(&c.text, &mut m);
        if m.severity.is_some() {
            meta.severity = m.severity;
        }
    }
    meta
}

fn read_meta(text: &str, meta: &mut Meta) {
    let Some((key, value)) = text.trim().split_once(':') else {
        return;
    };
    let value = value.trim().to_string();
    if value.is_empty() {
        return;
    }
    match key.trim().to_ascii_lowercase().as_str() {
        "severity" => meta.severity = Some(value),
        "code" => meta.code = Some(value),
        "title" => meta.title = Some(value),
        _ => {}
    }
}

/// A clause naming a rule that does not exist is a mistake, said at load time.
fn check_references(path: &str, file: &RuleFile, names: &[String]) -> Result<(), GuardError> {
    fn conj(c: &Conjunction, names: &[String], path: &str) -> Result<(), GuardError> {
        for clause in c.iter().flatten() {
            match clause {
                Clause::RuleRef { name, origin, .. } if !names.contains(name) => {
                    return Err(GuardError {
                        file: path.to_string(),
                        line: origin.line,
                        col: origin.col,
                        message: format!(
                            "`{name}` is neither a rule of this file nor a clause (a query needs an operator such as `exists` or `==`)"
                        ),
                    })
                }
                Clause::Block {
                    conditions, block, ..
                } => {
                    if let Some(c) = conditions {
                        conj(c, names, path)?;
                    }
                    conj(&block.clauses, names, path)?;
                }
                Clause::When {
                    conditions, block, ..
                } => {
                    conj(conditions, names, path)?;
                    conj(&block.clauses, names, path)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
    for rule in &file.rules {
        if let Some(c) = &rule.conditions {
            conj(c, names, path)?;
        }
        conj(&rule.body.clauses, names, path)?;
    }
    Ok(())
}

struct Parser<'t> {
    path: &'t str,
    text: &'t str,
    tokens: Vec<Token>,
    i: usize,
    depth: usize,
    /// Parsing `when` conditions: a `{` ends them instead of opening a query block.
    in_conditions: bool,
}

const UNARY: [(&str, Op); 9] = [
    ("exists", Op::Exists),
    ("empty", Op::Empty),
    ("is_string", Op::IsString),
    ("is_list", Op::IsList),
    ("is_struct", Op::IsStruct),
    ("is_bool", Op::IsBool),
    ("is_int", Op::IsInt),
    ("is_float", Op::IsFloat),
    ("is_null", Op::IsNull),
];

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.i + ahead).min(self.tokens.len() - 1)].tok
    }

    fn at_eof(&self) -> bool {
        self.peek().tok == Tok::Eof
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::Eof {
            self.i += 1;
        }
        t
    }

    fn is_ident(&self, word: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s == word)
    }

    /// A keyword that Guard accepts in any case (`or`/`OR`, `not`/`NOT`, `in`/`IN`).
    fn is_keyword(&self, word: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s.eq_ignore_ascii_case(word))
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(&self.peek().tok, Tok::Punct(q) if *q == p)
    }

    fn error_at(&self, t: &Token, message: impl Into<String>) -> GuardError {
        GuardError {
            file: self.path.to_string(),
            line: t.line,
            col: t.col,
            message: message.into(),
        }
    }

    fn expected(&self, what: &str) -> GuardError {
        let t = self.peek();
        let found = match &t.tok {
            Tok::Eof => "the end of the file".to_string(),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Str(s) => format!("string '{s}'"),
            Tok::Int(n) => format!("`{n}`"),
            Tok::Float(n) => format!("`{n}`"),
            Tok::Regex(r) => format!("regex /{r}/"),
            Tok::Message(_) => "a << message >>".to_string(),
            Tok::Punct(p) => format!("`{p}`"),
        };
        self.error_at(t, format!("expected {what}, found {found}"))
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), GuardError> {
        if self.is_punct(p) {
            self.next();
            Ok(())
        } else {
            Err(self.expected(&format!("`{p}`")))
        }
    }

    fn name(&mut self, what: &str) -> Result<String, GuardError> {
        match &self.peek().tok {
            Tok::Ident(s) if !s.contains("::") => {
                let s = s.clone();
                self.next();
                Ok(s)
            }
            _ => Err(self.expected(what)),
        }
    }

    fn deeper(&mut self) -> Result<(), GuardError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.peek().clone();
            return Err(self.error_at(
                &t,
                format!("nested more than {MAX_DEPTH} levels deep; tollgate refuses deeper rules"),
            ));
        }
        Ok(())
    }

    fn let_statement(&mut self) -> Result<Let, GuardError> {
        self.next();
        let name = self.name("a variable name after `let`")?;
        if self.is_punct("=") || self.is_punct(":=") {
            self.next();
        } else {
            return Err(self.expected("`=` after the variable name"));
        }
        // `let x = some Resources...`, as cfn-guard's own tests write it: the values are the
        // query's either way (`some` matters where they are compared).
        if self.is_ident("some") {
            self.next();
        }
        let value = self.operand()?;
        Ok(Let { name, value })
    }

    fn named_rule(&mut self) -> Result<NamedRule, GuardError> {
        let start = self.next();
        let name = self.name("a rule name after `rule`")?;
        let conditions = if self.is_ident("when") {
            self.next();
            Some(self.conditions()?)
        } else {
            None
        };
        let body = self.braced_block()?;
        Ok(NamedRule {
            name,
            line: start.line,
            col: start.col,
            conditions,
            body,
            severity: None,
            code: None,
            title: None,
        })
    }

    /// Clauses up to the `{` that opens the block they guard.
    fn conditions(&mut self) -> Result<Conjunction, GuardError> {
        let mut out = Conjunction::new();
        let outer = std::mem::replace(&mut self.in_conditions, true);
        while !self.is_punct("{") {
            if self.at_eof() {
                return Err(self.expected("`{` after the `when` conditions"));
            }
            out.push(self.disjunction()?);
        }
        self.in_conditions = outer;
        if out.is_empty() {
            return Err(self.expected("a condition after `when`"));
        }
        Ok(out)
    }

    fn braced_block(&mut self) -> Result<Block, GuardError> {
        self.expect_punct("{")?;
        self.deeper()?;
        let outer = std::mem::replace(&mut self.in_conditions, false);
        let mut block = Block::default();
        while !self.is_punct("}") {
            if self.at_eof() {
                return Err(self.expected("`}` closing the block"));
            }
            if self.is_ident("let") {
                block.lets.push(self.let_statement()?);
            } else {
                block.clauses.push(self.disjunction()?);
            }
        }
        self.next();
        self.depth -= 1;
        self.in_conditions = outer;
        Ok(block)
    }

    fn disjunction(&mut self) -> Result<Disjunction, GuardError> {
        let mut out = vec![self.clause()?];
        while self.is_keyword("or") {
            self.next();
            out.push(self.clause()?);
        }
        Ok(out)
    }

    fn origin(&self, start: &Token) -> Origin {
        let end = self.tokens[self.i.saturating_sub(1)].end.max(start.start);
        let text: String = self.text[start.start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Origin {
            line: start.line,
            col: start.col,
            text: text.chars().take(200).collect(),
        }
    }

    fn message(&mut self) -> Option<String> {
        match &self.peek().tok {
            Tok::Message(m) => {
                let m = m.clone();
                self.next();
                Some(m)
            }
            _ => None,
        }
    }

    fn clause(&mut self) -> Result<Clause, GuardError> {
        let start = self.peek().clone();
        if self.is_ident("when") {
            self.next();
            let conditions = self.conditions()?;
            let block = self.braced_block()?;
            return Ok(Clause::When {
                conditions,
                block,
                origin: self.origin(&start),
            });
        }
        // A type block: `AWS::S3::Bucket [when ...] { ... }`.
        if let Tok::Ident(name) = &start.tok {
            if name.contains("::") {
                let type_name = name.clone();
                self.next();
                let conditions = if self.is_ident("when") {
                    self.next();
                    Some(self.conditions()?)
                } else {
                    None
                };
                let block = self.braced_block()?;
                let message = self.message();
                return Ok(Clause::Block {
                    some: false,
                    query: resources_of_type(&type_name),
                    conditions,
                    block,
                    message,
                    origin: self.origin(&start),
                });
            }
        }
        let some = self.is_keyword("some");
        if some {
            self.next();
        }
        let mut negated = false;
        if self.is_keyword("not") || self.is_punct("!") {
            self.next();
            negated = true;
        }
        let query_start = self.i;
        let query = self.operand()?;
        // `query { ... }`
        if self.is_punct("{") && !self.in_conditions {
            let Operand::Query(query) = query else {
                return Err(self.error_at(&start, "a block follows a query, not a value"));
            };
            if negated {
                return Err(self.error_at(&start, "`not` cannot negate a block"));
            }
            let block = self.braced_block()?;
            let message = self.message();
            return Ok(Clause::Block {
                some,
                query,
                conditions: None,
                block,
                message,
                origin: self.origin(&start),
            });
        }
        match self.operator()? {
            Some((op, op_negated)) => {
                let rhs = if op.is_unary() {
                    None
                } else {
                    Some(self.operand()?)
                };
                let message = self.message();
                Ok(Clause::Compare {
                    some,
                    query,
                    op,
                    negated: negated != op_negated,
                    rhs,
                    message,
                    origin: self.origin(&start),
                })
            }
            None => {
                // A bare name is a reference to another rule.
                let single = self.i == query_start + 1;
                match (&query, single && !some) {
                    (Operand::Query(q), true) => match q.parts.as_slice() {
                        [Part::Key(name)] if matches!(self.tokens[query_start].tok, Tok::Ident(_)) => {
                            let name = name.clone();
                            let message = self.message();
                            Ok(Clause::RuleRef {
                                name,
                                negated,
                                message,
                                origin: self.origin(&start),
                            })
                        }
                        _ => Err(self.expected("an operator (`==`, `!=`, `<`, `IN`, `exists`, `empty`, `is_string`...) or `{`")),
                    },
                    _ => Err(self.expected("an operator (`==`, `!=`, `<`, `IN`, `exists`, `empty`, `is_string`...) or `{`")),
                }
            }
        }
    }

    /// An operator, with whether it is negated (`!=`, `not IN`, `!exists`).
    fn operator(&mut self) -> Result<Option<(Op, bool)>, GuardError> {
        let binary = match &self.peek().tok {
            Tok::Punct("==") => Some((Op::Eq, false)),
            Tok::Punct("!=") => Some((Op::Eq, true)),
            Tok::Punct("<") => Some((Op::Lt, false)),
            Tok::Punct("<=") => Some((Op::Le, false)),
            Tok::Punct(">") => Some((Op::Gt, false)),
            Tok::Punct(">=") => Some((Op::Ge, false)),
            _ => None,
        };
        if binary.is_some() {
            self.next();
            return Ok(binary);
        }
        let mut negated = false;
        let mut consumed = 0;
        if self.is_keyword("not") || self.is_punct("!") {
            negated = true;
            consumed = 1;
        }
        let word = match self.peek_at(consumed) {
            Tok::Ident(w) => w.to_ascii_lowercase(),
            // `rule_a` then `not rule_b` on the next line: no operator here.
            _ => return Ok(None),
        };
        let op = if word == "in" {
            Some(Op::In)
        } else {
            UNARY.iter().find(|(w, _)| *w == word).map(|(_, op)| *op)
        };
        match op {
            Some(op) => {
                for _ in 0..=consumed {
                    self.next();
                }
                Ok(Some((op, negated)))
            }
            None => Ok(None),
        }
    }

    /// A query, a literal or a function call.
    fn operand(&mut self) -> Result<Operand, GuardError> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Str(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Regex(_)
            | Tok::Punct("[")
            | Tok::Punct("{") => self.literal().map(Operand::Literal),
            Tok::Ident(w)
                if matches!(
                    w.as_str(),
                    "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "null" | "NULL"
                ) =>
            {
                self.literal().map(Operand::Literal)
            }
            Tok::Ident(w)
                if w == "r"
                    && matches!(self.peek_at(1), Tok::Punct("[") | Tok::Punct("("))
                    && matches!(self.peek_at(2), Tok::Int(_) | Tok::Float(_)) =>
            {
                self.literal().map(Operand::Literal)
            }
            Tok::Ident(w) if matches!(self.peek_at(1), Tok::Punct("(")) && !w.contains("::") => {
                let name = w.clone();
                self.next();
                self.next();
                let mut args = Vec::new();
                while !self.is_punct(")") {
                    if !args.is_empty() {
                        self.expect_punct(",")?;
                    }
                    self.deeper()?;
                    args.push(self.operand()?);
                    self.depth -= 1;
                }
                self.next();
                if !super::functions::known(&name) {
                    return Err(self.error_at(
                        &t,
                        format!(
                            "unknown function `{name}`; tollgate knows {}",
                            super::functions::NAMES.join(", ")
                        ),
                    ));
                }
                Ok(Operand::Call { name, args })
            }
            Tok::Ident(_) | Tok::Punct("%") | Tok::Punct("*") => self.query().map(Operand::Query),
            _ => Err(self.expected("a query, a value or a function call")),
        }
    }

    fn query(&mut self) -> Result<Query, GuardError> {
        let mut parts = Vec::new();
        let t = self.next();
        match &t.tok {
            Tok::Punct("%") => parts.push(Part::Variable(self.name("a variable name after `%`")?)),
            Tok::Ident(w) if w == "this" => parts.push(Part::This),
            Tok::Ident(w) => parts.push(Part::Key(w.clone())),
            Tok::Str(s) => parts.push(Part::Key(s.clone())),
            Tok::Punct("*") => parts.push(Part::AllValues),
            _ => return Err(self.error_at(&t, "expected a query")),
        }
        loop {
            if self.is_punct(".") {
                self.next();
                let t = self.next();
                match &t.tok {
                    Tok::Ident(w) => parts.push(Part::Key(w.clone())),
                    Tok::Str(s) => parts.push(Part::Key(s.clone())),
                    Tok::Int(n) if *n >= 0 => parts.push(Part::Index(*n)),
                    Tok::Punct("*") => parts.push(Part::AllValues),
                    Tok::Punct("%") => {
                        parts.push(Part::VariableKey(self.name("a variable name after `%`")?))
                    }
                    _ => {
                        return Err(
                            self.error_at(&t, "expected a key, `*` or `%variable` after `.`")
                        )
                    }
                }
            } else if self.is_punct("[") {
                self.next();
                parts.push(self.bracket()?);
            } else {
                return Ok(Query { parts });
            }
        }
    }

    /// What follows `[` in a query, up to and including `]`.
    fn bracket(&mut self) -> Result<Part, GuardError> {
        if self.is_punct("*") && matches!(self.peek_at(1), Tok::Punct("]")) {
            self.next();
            self.next();
            return Ok(Part::AllIndices);
        }
        if let (Tok::Int(n), Tok::Punct("]")) = (self.peek_at(0).clone(), self.peek_at(1)) {
            self.next();
            self.next();
            return Ok(Part::Index(n));
        }
        self.deeper()?;
        let part = if self.is_ident("keys") {
            self.next();
            let Some((op, negated)) = self.operator()? else {
                return Err(self.expected("an operator after `keys`"));
            };
            if op.is_unary() {
                return Err(self.expected("`==`, `!=` or `IN` after `keys`"));
            }
            let rhs = self.operand()?;
            Part::KeyFilter {
                op,
                negated,
                rhs: Box::new(rhs),
            }
        } else {
            let capture = match (self.peek_at(0), self.peek_at(1)) {
                (Tok::Ident(name), Tok::Punct("|")) if is_variable_name(name) => {
                    let name = name.clone();
                    self.next();
                    self.next();
                    Some(name)
                }
                _ => None,
            };
            let outer = std::mem::replace(&mut self.in_conditions, false);
            let mut clauses = Conjunction::new();
            while !self.is_punct("]") {
                if self.at_eof() {
                    return Err(self.expected("`]` closing the filter"));
                }
                clauses.push(self.disjunction()?);
            }
            if clauses.is_empty() {
                return Err(self.expected("`*`, an index or a filter inside `[ ]`"));
            }
            self.in_conditions = outer;
            match capture {
                Some(name) => Part::CaptureFilter { name, clauses },
                None => Part::Filter(clauses),
            }
        };
        self.expect_punct("]")?;
        self.depth -= 1;
        Ok(part)
    }

    fn literal(&mut self) -> Result<Literal, GuardError> {
        let t = self.next();
        Ok(match &t.tok {
            Tok::Str(s) => Literal::Value(serde_json::Value::String(s.clone())),
            Tok::Int(n) => Literal::Value(serde_json::Value::from(*n)),
            Tok::Float(f) => Literal::Value(
                serde_json::Number::from_f64(*f)
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null),
            ),
            Tok::Regex(r) => Literal::Regex(
                RegexBuilder::new(r)
                    .size_limit(MAX_REGEX_BYTES)
                    .build()
                    .map_err(|e| self.error_at(&t, format!("invalid regex /{r}/: {e}")))?,
            ),
            Tok::Ident(w) if w.eq_ignore_ascii_case("true") => {
                Literal::Value(serde_json::Value::Bool(true))
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("false") => {
                Literal::Value(serde_json::Value::Bool(false))
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("null") => {
                Literal::Value(serde_json::Value::Null)
            }
            Tok::Ident(w) if w == "r" => self.range()?,
            Tok::Punct("[") => {
                self.deeper()?;
                let mut items = Vec::new();
                while !self.is_punct("]") {
                    if !items.is_empty() {
                        self.expect_punct(",")?;
                        if self.is_punct("]") {
                            break;
                        }
                    }
                    items.push(self.literal()?);
                }
                self.next();
                self.depth -= 1;
                Literal::List(items)
            }
            Tok::Punct("{") => {
                self.deeper()?;
                let mut map = serde_json::Map::new();
                while !self.is_punct("}") {
                    if !map.is_empty() {
                        self.expect_punct(",")?;
                        if self.is_punct("}") {
                            break;
                        }
                    }
                    let key = match self.next().tok {
                        Tok::Str(s) | Tok::Ident(s) => s,
                        _ => return Err(self.expected("a key in the map literal")),
                    };
                    self.expect_punct(":")?;
                    let value = match self.literal()? {
                        Literal::Value(v) => v,
                        Literal::List(items) => plain_list(items).ok_or_else(|| {
                            self.error_at(&t, "regexes and ranges cannot be map values")
                        })?,
                        _ => {
                            return Err(self.error_at(&t, "regexes and ranges cannot be map values"))
                        }
                    };
                    map.insert(key, value);
                }
                self.next();
                self.depth -= 1;
                Literal::Value(serde_json::Value::Object(map))
            }
            _ => {
                self.i -= 1;
                return Err(
                    self.expected("a value (string, number, boolean, regex, list, map or range)")
                );
            }
        })
    }

    fn range(&mut self) -> Result<Literal, GuardError> {
        let open = self.next();
        let low_inclusive = open.tok == Tok::Punct("[");
        let low = self.number()?;
        self.expect_punct(",")?;
        let high = self.number()?;
        let close = self.next();
        let high_inclusive = match close.tok {
            Tok::Punct("]") => true,
            Tok::Punct(")") => false,
            _ => return Err(self.error_at(&close, "expected `]` or `)` closing the range")),
        };
        Ok(Literal::Range(Range {
            low,
            high,
            low_inclusive,
            high_inclusive,
        }))
    }

    fn number(&mut self) -> Result<f64, GuardError> {
        match self.next().tok {
            Tok::Int(n) => Ok(n as f64),
            Tok::Float(f) => Ok(f),
            _ => {
                self.i -= 1;
                Err(self.expected("a number in the range"))
            }
        }
    }
}

fn plain_list(items: Vec<Literal>) -> Option<serde_json::Value> {
    items
        .into_iter()
        .map(|i| match i {
            Literal::Value(v) => Some(v),
            Literal::List(l) => plain_list(l),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .map(serde_json::Value::Array)
}

/// A name a filter may capture keys under: letters, digits and `_`, not starting with a
/// digit (not a type name such as `AWS::S3::Bucket`).
fn is_variable_name(name: &str) -> bool {
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.chars().next().is_some_and(|c| !c.is_ascii_digit())
}

/// `Resources.*[ Type == '<type_name>' ]`: what a type block ranges over.
fn resources_of_type(type_name: &str) -> Query {
    Query {
        parts: vec![
            Part::Key("Resources".into()),
            Part::AllValues,
            Part::Filter(vec![vec![Clause::Compare {
                some: false,
                query: Operand::Query(Query {
                    parts: vec![Part::Key("Type".into())],
                }),
                op: Op::Eq,
                negated: false,
                rhs: Some(Operand::Literal(Literal::Value(serde_json::Value::String(
                    type_name.to_string(),
                )))),
                message: None,
                origin: Origin {
                    line: 0,
                    col: 0,
                    text: format!("Type == '{type_name}'"),
                },
            }]]),
        ],
    }
}
