//! Tokens of the Guard language, each with its line and column (1-based, in characters).

use super::GuardError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Names, keywords and type names (`AWS::S3::Bucket`).
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    /// The pattern between `/` and `/`.
    Regex(String),
    /// The text between `<<` and `>>`.
    Message(String),
    /// `==`, `!=`, `<=`, `>=`, `<`, `>`, `!`, `=`, `.`, `,`, `:`, `|`, `%`, `*`, brackets.
    Punct(&'static str),
    Eof,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
    pub col: u32,
    /// Byte offsets of the token in the text.
    pub start: usize,
    pub end: usize,
}

/// A `#` comment: its line and text after the `#`.
#[derive(Debug, Clone)]
pub struct Comment {
    pub line: u32,
    pub text: String,
}

/// Longest string, regex or message literal accepted, in bytes.
const MAX_LITERAL: usize = 64 * 1024;

pub fn lex(path: &str, text: &str) -> Result<(Vec<Token>, Vec<Comment>), GuardError> {
    let mut lexer = Lexer {
        path,
        chars: text.char_indices().collect(),
        text,
        i: 0,
        line: 1,
        col: 1,
    };
    let mut tokens = Vec::new();
    let mut comments = Vec::new();
    loop {
        lexer.skip_space(&mut comments);
        let (line, col, start) = (lexer.line, lexer.col, lexer.offset());
        let Some(c) = lexer.peek(0) else {
            tokens.push(Token {
                tok: Tok::Eof,
                line,
                col,
                start,
                end: start,
            });
            return Ok((tokens, comments));
        };
        let tok = lexer.token(c)?;
        tokens.push(Token {
            tok,
            line,
            col,
            start,
            end: lexer.offset(),
        });
    }
}

struct Lexer<'t> {
    path: &'t str,
    chars: Vec<(usize, char)>,
    text: &'t str,
    i: usize,
    line: u32,
    col: u32,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).map(|(_, c)| *c)
    }

    fn offset(&self) -> usize {
        self.chars
            .get(self.i)
            .map_or(self.text.len(), |(offset, _)| *offset)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn error(&self, message: impl Into<String>) -> GuardError {
        self.error_at(self.line, self.col, message)
    }

    fn error_at(&self, line: u32, col: u32, message: impl Into<String>) -> GuardError {
        GuardError {
            file: self.path.to_string(),
            line,
            col,
            message: message.into(),
        }
    }

    fn skip_space(&mut self, comments: &mut Vec<Comment>) {
        while let Some(c) = self.peek(0) {
            if c.is_whitespace() {
                self.bump();
            } else if c == '#' {
                let line = self.line;
                self.bump();
                let mut text = String::new();
                while let Some(c) = self.peek(0) {
                    if c == '\n' {
                        break;
                    }
                    text.push(c);
                    self.bump();
                }
                comments.push(Comment { line, text });
            } else {
                break;
            }
        }
    }

    fn token(&mut self, c: char) -> Result<Tok, GuardError> {
        if c.is_alphabetic() || c == '_' {
            return Ok(Tok::Ident(self.ident()));
        }
        if c.is_ascii_digit() || (c == '-' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) {
            return self.number();
        }
        match c {
            '\'' | '"' => self.string(c).map(Tok::Str),
            '/' => self.regex().map(Tok::Regex),
            '<' if self.peek(1) == Some('<') => self.message().map(Tok::Message),
            _ => {
                let two: String = [Some(c), self.peek(1)].into_iter().flatten().collect();
                for p in ["==", "!=", "<=", ">=", ":="] {
                    if two == p {
                        self.bump();
                        self.bump();
                        return Ok(Tok::Punct(p));
                    }
                }
                const SINGLE: [&str; 17] = [
                    "<", ">", "!", "=", ".", ",", ":", "|", "%", "*", "[", "]", "{", "}", "(", ")",
                    "-",
                ];
                match SINGLE.iter().find(|p| p.starts_with(c)) {
                    Some(p) if *p != "-" => {
                        self.bump();
                        Ok(Tok::Punct(p))
                    }
                    _ => Err(self.error(format!("unexpected character `{}`", c.escape_debug()))),
                }
            }
        }
    }

    fn ident(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek(0) {
            if c.is_alphanumeric() || c == '_' {
                s.push(c);
                self.bump();
            } else if c == ':'
                && self.peek(1) == Some(':')
                && self.peek(2).is_some_and(|c| c.is_alphanumeric())
            {
                // Type names: `AWS::S3::Bucket`.
                s.push_str("::");
                self.bump();
                self.bump();
            } else {
                break;
            }
        }
        s
    }

    fn number(&mut self) -> Result<Tok, GuardError> {
        let (line, col) = (self.line, self.col);
        let mut s = String::new();
        if self.peek(0) == Some('-') {
            s.push('-');
            self.bump();
        }
        let mut float = false;
        while let Some(c) = self.peek(0) {
            let exponent_sign = (c == '-' || c == '+') && s.ends_with(['e', 'E']);
            if c.is_ascii_digit() || exponent_sign {
                s.push(c);
            } else if (c == '.' && !float && self.peek(1).is_some_and(|d| d.is_ascii_digit()))
                || ((c == 'e' || c == 'E') && !s.contains(['e', 'E']))
            {
                float = true;
                s.push(c);
            } else {
                break;
            }
            self.bump();
        }
        let bad = || self.error_at(line, col, format!("`{s}` is not a number"));
        if float {
            s.parse::<f64>().map(Tok::Float).map_err(|_| bad())
        } else {
            s.parse::<i64>().map(Tok::Int).map_err(|_| bad())
        }
    }

    fn string(&mut self, quote: char) -> Result<String, GuardError> {
        let (line, col) = (self.line, self.col);
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(self.error_at(
                        line,
                        col,
                        format!("string opened here is never closed with {quote}"),
                    ))
                }
                Some(c) if c == quote => return Ok(s),
                Some('\\') => match self.bump() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some(c) => s.push(c),
                    None => continue,
                },
                Some(c) => s.push(c),
            }
            if s.len() > MAX_LITERAL {
                return Err(self.error(format!("string longer than {MAX_LITERAL} bytes")));
            }
        }
    }

    fn regex(&mut self) -> Result<String, GuardError> {
        let (line, col) = (self.line, self.col);
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                None | Some('\n') => {
                    return Err(self.error_at(
                        line,
                        col,
                        "regex opened here is never closed with /",
                    ))
                }
                Some('/') => return Ok(s),
                // `\/` is a slash inside the pattern; other escapes are the regex's own.
                Some('\\') if self.peek(0) == Some('/') => {
                    self.bump();
                    s.push('/');
                }
                Some(c) => s.push(c),
            }
            if s.len() > MAX_LITERAL {
                return Err(self.error(format!("regex longer than {MAX_LITERAL} bytes")));
            }
        }
    }

    fn message(&mut self) -> Result<String, GuardError> {
        let (line, col) = (self.line, self.col);
        self.bump();
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(GuardError {
                        file: self.path.to_string(),
                        line,
                        col,
                        message: "message opened here with << is never closed with >>".to_string(),
                    })
                }
                Some('>') if self.peek(0) == Some('>') => {
                    self.bump();
                    return Ok(s.trim().to_string());
                }
                Some(c) => s.push(c),
            }
            if s.len() > MAX_LITERAL {
                return Err(self.error(format!("message longer than {MAX_LITERAL} bytes")));
            }
        }
    }
}
