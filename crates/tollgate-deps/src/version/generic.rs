//! The last-resort ordering for versions no scheme accepts: runs of digits compare as numbers,
//! everything else as text, so `1.10` still sorts after `1.9`.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Num(&'a str),
    Text(&'a str),
}

fn tokens(v: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let bytes = v.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Token::Num(&v[start..i]));
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Token::Text(&v[start..i]));
        } else {
            // Separators only split tokens.
            i += 1;
        }
    }
    out
}

/// Compare numbers written in decimal without parsing them (they may exceed u64).
pub fn cmp_numeric(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

pub fn compare(a: &str, b: &str) -> Ordering {
    let (ta, tb) = (tokens(a), tokens(b));
    for (x, y) in ta.iter().zip(tb.iter()) {
        let ord = match (x, y) {
            (Token::Num(x), Token::Num(y)) => cmp_numeric(x, y),
            (Token::Num(_), Token::Text(_)) => Ordering::Greater,
            (Token::Text(_), Token::Num(_)) => Ordering::Less,
            (Token::Text(x), Token::Text(y)) => x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    ta.len().cmp(&tb.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_as_numbers() {
        assert_eq!(compare("1.10", "1.9"), Ordering::Greater);
        assert_eq!(compare("1.0", "1.0"), Ordering::Equal);
        assert_eq!(compare("2", "10"), Ordering::Less);
        assert_eq!(cmp_numeric("007", "7"), Ordering::Equal);
        assert_eq!(
            cmp_numeric("99999999999999999999999", "1"),
            Ordering::Greater
        );
    }
}
