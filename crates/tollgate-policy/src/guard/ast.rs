//! The parsed form of a Guard rule file.

use regex::Regex;

/// One `.guard` file.
#[derive(Debug, Clone)]
pub struct RuleFile {
    pub path: String,
    /// File-level `let` assignments, visible in every rule.
    pub lets: Vec<Let>,
    /// Named rules, then (when the file has clauses outside any rule) the `default` rule.
    pub rules: Vec<NamedRule>,
}

/// `rule name [when conditions] { ... }`, with what the comments above it say.
#[derive(Debug, Clone)]
pub struct NamedRule {
    pub name: String,
    pub line: u32,
    pub col: u32,
    pub conditions: Option<Conjunction>,
    pub body: Block,
    /// `# severity: high` in the comment lines right above the rule (or the file's first
    /// comment lines, for every rule).
    pub severity: Option<String>,
    /// `# code: ACME-001`.
    pub code: Option<String>,
    /// `# title: ...`.
    pub title: Option<String>,
}

/// `let` assignments and clauses evaluated against one value.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub lets: Vec<Let>,
    pub clauses: Conjunction,
}

/// Clauses on separate lines: all must hold.
pub type Conjunction = Vec<Disjunction>;
/// Clauses joined by `or`: one must hold.
pub type Disjunction = Vec<Clause>;

#[derive(Debug, Clone)]
pub struct Let {
    pub name: String,
    pub value: Operand,
}

/// Where a clause is written, and its text, to say which one failed.
#[derive(Debug, Clone)]
pub struct Origin {
    pub line: u32,
    pub col: u32,
    pub text: String,
}

#[derive(Debug, Clone)]
pub enum Clause {
    /// `[some] query [not] OP [rhs] [<<message>>]`.
    Compare {
        some: bool,
        query: Operand,
        op: Op,
        negated: bool,
        rhs: Option<Operand>,
        message: Option<String>,
        origin: Origin,
    },
    /// `[not] rule_name`: the status of another named rule of the file.
    RuleRef {
        name: String,
        negated: bool,
        message: Option<String>,
        origin: Origin,
    },
    /// `[some] query { ... }`: the block against each value of the query; type blocks
    /// (`AWS::S3::Bucket [when ...] { ... }`) are this with `Resources.*[ Type == '...' ]`.
    Block {
        some: bool,
        query: Query,
        conditions: Option<Conjunction>,
        block: Block,
        message: Option<String>,
        origin: Origin,
    },
    /// `when conditions { ... }`.
    When {
        conditions: Conjunction,
        block: Block,
        origin: Origin,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Exists,
    Empty,
    IsString,
    IsList,
    IsStruct,
    IsBool,
    IsInt,
    IsFloat,
    IsNull,
}

impl Op {
    pub fn is_unary(self) -> bool {
        !matches!(
            self,
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::In
        )
    }
}

/// A dotted query: `Resources.*[ Type == 'AWS::S3::Bucket' ].Properties`.
#[derive(Debug, Clone)]
pub struct Query {
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone)]
pub enum Part {
    /// `%name` (only first).
    Variable(String),
    /// `this` (only first).
    This,
    /// `Properties`, `'aws:SourceArn'`.
    Key(String),
    /// `.%name` after the first part: the keys the variable's string values name.
    VariableKey(String),
    /// `.*`: every value of a map or element of a list.
    AllValues,
    /// `[*]`: every element of a list (a value that is not a list counts as one element).
    AllIndices,
    /// `[0]`, `[-1]`.
    Index(i64),
    /// `[ clauses ]`: the values for which the clauses hold.
    Filter(Conjunction),
    /// `[ name | clauses ]`: the entries of a map (or elements of a list) for which the
    /// clauses hold, with `%name` bound, inside the clauses, to the entry's key (or the
    /// element's index).
    CaptureFilter { name: String, clauses: Conjunction },
    /// `[ keys == /regex/ ]`: the values of a map whose key matches.
    KeyFilter {
        op: Op,
        negated: bool,
        rhs: Box<Operand>,
    },
}

/// A value: a query, a literal, or a function call.
#[derive(Debug, Clone)]
pub enum Operand {
    Query(Query),
    Literal(Literal),
    Call { name: String, args: Vec<Operand> },
}

#[derive(Debug, Clone)]
pub enum Literal {
    /// Strings, numbers, booleans, null and map literals.
    Value(serde_json::Value),
    Regex(Regex),
    Range(Range),
    List(Vec<Literal>),
}

/// `r[1, 10)`: lower and upper bounds and whether each is included.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub low: f64,
    pub high: f64,
    pub low_inclusive: bool,
    pub high_inclusive: bool,
}

impl Range {
    pub fn contains(&self, n: f64) -> bool {
        let above = if self.low_inclusive {
            n >= self.low
        } else {
            n > self.low
        };
        let below = if self.high_inclusive {
            n <= self.high
        } else {
            n < self.high
        };
        above && below
    }
}
