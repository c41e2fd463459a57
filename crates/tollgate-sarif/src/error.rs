use std::fmt;

/// Why a SARIF log was refused. Every variant names the log it came from (`source_name`) and,
/// where one exists, the JSON path and the line:col in the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SarifError {
    /// The text is not JSON, or a value has the wrong shape for SARIF 2.1.0.
    #[error("{source_name}:{line}:{column}: invalid SARIF at `{path}`: {message}")]
    Json {
        source_name: String,
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// Well-formed JSON that breaks a rule tollgate relies on (version, message, rule reference).
    /// `position` is the line and column where the value at `path` starts.
    #[error(
        "{source_name}{}: invalid SARIF at `{path}`: {message}{}",
        Position(position),
        Hint(hint)
    )]
    Invalid {
        source_name: String,
        path: String,
        position: Option<(usize, usize)>,
        message: String,
        hint: Option<String>,
    },
    #[error("{source_name}: the log is {size} bytes, more than the {max} bytes tollgate reads")]
    TooLarge {
        source_name: String,
        size: usize,
        max: usize,
    },
    /// GitHub code scanning refuses logs with more runs than this.
    #[error("merging gives {count} runs, more than the {max} GitHub accepts in one log\nhint: give external tools the same `automationDetails.id` category so their runs combine, or drop some")]
    TooManyRuns { count: usize, max: usize },
}

struct Hint<'a>(&'a Option<String>);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(hint) => write!(f, "\nhint: {hint}"),
            None => Ok(()),
        }
    }
}

struct Position<'a>(&'a Option<(usize, usize)>);

impl fmt::Display for Position<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some((line, column)) => write!(f, ":{line}:{column}"),
            None => Ok(()),
        }
    }
}
