//! TOML lockfiles (`Cargo.lock`, `poetry.lock`, `uv.lock`, `pdm.lock`): the `toml` crate reads
//! the data with full TOML semantics; a line scan finds where each `[[package]]` is declared.

use super::text::LineIndex;
use super::ParseErr;

/// One `[[package]]` table with the line of its `name` key (or of its header).
#[derive(Debug)]
pub struct PackageTable {
    pub table: toml::Table,
    pub line: u32,
}

/// Parse `text` as TOML and return its `[[package]]` tables in order, each with its line.
pub fn packages(text: &str) -> Result<Vec<PackageTable>, ParseErr> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| LineIndex::new(text).line_col(s.start))
            .unwrap_or((1, 1));
        ParseErr::new(
            line,
            col,
            format!("expected a valid TOML lockfile: {}", e.message()),
        )
    })?;
    let tables = match doc.get("package") {
        None => return Ok(Vec::new()),
        Some(toml::Value::Array(items)) => items,
        Some(_) => {
            return Err(ParseErr::new(
                1,
                1,
                "expected `package` to be an array of tables",
            ))
        }
    };
    let lines = header_lines(text);
    let mut out = Vec::with_capacity(tables.len());
    for (i, item) in tables.iter().enumerate() {
        let toml::Value::Table(table) = item else {
            return Err(ParseErr::new(
                1,
                1,
                "expected each `package` entry to be a table",
            ));
        };
        // Headers and array entries pair up in order; `package = [...]` inline arrays have no
        // headers, so their packages point at line 1 of the file.
        let line = lines.get(i).copied().unwrap_or(1);
        out.push(PackageTable {
            table: table.clone(),
            line,
        });
    }
    Ok(out)
}

/// For each `[[package]]` header, the line of its `name = ` key (the header line if absent).
fn header_lines(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut pending: Option<u32> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let n = i as u32 + 1;
        if line.starts_with('[') {
            if let Some(h) = pending.take() {
                out.push(h);
            }
            if line
                .trim_start_matches('[')
                .trim_start()
                .starts_with("package")
                && line.starts_with("[[")
                && line[2..].trim_start().trim_end_matches(']').trim() == "package"
            {
                pending = Some(n);
            }
        } else if let Some(h) = pending {
            if line.starts_with("name") && line[4..].trim_start().starts_with('=') {
                out.push(n);
                pending = None;
            } else {
                pending = Some(h);
            }
        }
    }
    if let Some(h) = pending {
        out.push(h);
    }
    out
}

pub fn str_field<'a>(t: &'a toml::Table, key: &str) -> Option<&'a str> {
    t.get(key).and_then(|v| v.as_str())
}

/// `name` and `version`, both required.
pub fn name_version(p: &PackageTable) -> Result<(&str, &str), ParseErr> {
    let name = str_field(&p.table, "name")
        .ok_or_else(|| ParseErr::new(p.line, 1, "expected a string `name` in [[package]]"))?;
    let version = str_field(&p.table, "version").ok_or_else(|| {
        ParseErr::new(
            p.line,
            1,
            format!("expected a string `version` for package `{name}`"),
        )
    })?;
    Ok((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_headers() {
        let text = "version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1\"\n\n[package.extras]\nx = []\n\n[[package]]\nversion = \"2\"\nname = \"b\"\n";
        let pkgs = packages(text).unwrap();
        assert_eq!(pkgs.len(), 2);
        assert_eq!(pkgs[0].line, 4);
        assert_eq!(pkgs[1].line, 12);
    }

    #[test]
    fn bad_toml_points_at_the_error() {
        let err = packages("[[package]]\nname = \"a\nversion = 1\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("TOML"), "{}", err.message);
    }
}
