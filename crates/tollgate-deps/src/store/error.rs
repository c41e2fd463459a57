use std::path::PathBuf;

/// Why the advisory database could not be read, updated or queried.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: expected a readable zip archive of OSV advisories: {message}", path.display())]
    Zip { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error("no advisory database for {what}; hint: run `tollgate db update` (or pass `--advisory-db PATH` with OSV JSON files or an OSV all.zip), or drop `--offline` to query the OSV API")]
    Missing { what: String },
    #[error("updating the advisory database failed for {}", .0.iter().map(|(e, err)| format!("{e} ({err})")).collect::<Vec<_>>().join(", "))]
    Update(Vec<(crate::Ecosystem, DbError)>),
}

impl DbError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DbError::Io {
            path: path.into(),
            source,
        }
    }
}
