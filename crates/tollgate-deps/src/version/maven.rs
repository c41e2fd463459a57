//! Maven versions, ordered as Maven's `ComparableVersion`: items split on `.`, `-` and
//! digit/letter transitions, `-` opens a sub-list, trailing "null" items (`0`, `final`, `ga`,
//! `release`) are dropped, and qualifiers order as
//! `alpha < beta < milestone < rc = cr < snapshot < "" = final = ga = release < sp < others`.

use std::cmp::Ordering;

use super::generic;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Int(String),
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

fn qualifier_rank(q: &str) -> String {
    match QUALIFIERS.iter().position(|x| *x == q) {
        Some(i) => i.to_string(),
        // Unknown qualifiers sort after the known ones, among themselves as text.
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(s: &str, followed_by_digit: bool) -> Item {
    let s = match s {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(s.to_string())
}

fn parse_item(digit: bool, s: &str) -> Item {
    if digit {
        let t = s.trim_start_matches('0');
        Item::Int(if t.is_empty() { "0".into() } else { t.into() })
    } else {
        string_item(s, false)
    }
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(n) => n == "0",
        Item::Str(s) => s.is_empty(),
        Item::List(l) => l.is_empty(),
    }
}

fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

fn parse(version: &str) -> Vec<Item> {
    let v = version.trim().to_ascii_lowercase();
    let chars: Vec<char> = v.chars().collect();
    // Each '-' or transition opens a list nested in the current one; it is always the last
    // element of its parent, so the nesting can be folded back at the end.
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut digit = false;
    let mut start = 0;
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    for (i, &c) in chars.iter().enumerate() {
        let cur = stack.len() - 1;
        if c == '.' || c == '-' {
            let item = if i == start {
                Item::Int("0".into())
            } else {
                parse_item(digit, &text(start, i))
            };
            stack[cur].push(item);
            start = i + 1;
            if c == '-' {
                stack.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !digit && i > start {
                // A qualifier after a dot is read as after a dash (`1.0.0.Beta1` is
                // `1.0.0-beta-1`): it opens its own list unless it starts one.
                let mut cur = cur;
                if !stack[cur].is_empty() {
                    stack.push(Vec::new());
                    cur += 1;
                }
                stack[cur].push(string_item(&text(start, i), true));
                start = i;
                stack.push(Vec::new());
            }
            digit = true;
        } else {
            if digit && i > start {
                stack[cur].push(parse_item(true, &text(start, i)));
                start = i;
                stack.push(Vec::new());
            }
            digit = false;
        }
    }
    if chars.len() > start {
        // A trailing qualifier after a dot, as above: `1.0.a` is `1.0-a`.
        if !digit && stack.last().is_some_and(|l| !l.is_empty()) {
            stack.push(Vec::new());
        }
        let cur = stack.len() - 1;
        stack[cur].push(parse_item(digit, &text(start, chars.len())));
    }
    while stack.len() > 1 {
        let mut child = stack.pop().unwrap_or_default();
        normalize(&mut child);
        if let Some(parent) = stack.last_mut() {
            parent.push(Item::List(child));
        }
    }
    let mut root = stack.pop().unwrap_or_default();
    normalize(&mut root);
    root
}

fn cmp_null(item: &Item) -> Ordering {
    match item {
        Item::Int(n) => {
            if n == "0" {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        Item::Str(s) => qualifier_rank(s).cmp(&qualifier_rank("")),
        Item::List(l) => l.first().map_or(Ordering::Equal, cmp_null),
    }
}

fn cmp_item(a: &Item, b: &Item) -> Ordering {
    match (a, b) {
        (Item::Int(x), Item::Int(y)) => generic::cmp_numeric(x, y),
        (Item::Int(_), _) => Ordering::Greater,
        (Item::Str(_), Item::Int(_)) => Ordering::Less,
        (Item::Str(x), Item::Str(y)) => qualifier_rank(x).cmp(&qualifier_rank(y)),
        // Maven ranks any list above any string here, yet a list holding a low qualifier
        // below a release and a high qualifier above it, which is not transitive: `1-snapshot`
        // > `1.a.2` > `1` > `1-snapshot` in ComparableVersion itself. A string compared with a
        // list is compared as the list holding it, which keeps Maven's order for the versions
        // of the reference vectors and makes the order total.
        (Item::Str(_), Item::List(y)) => cmp_list(std::slice::from_ref(a), y),
        (Item::List(_), Item::Int(_)) => Ordering::Less,
        (Item::List(x), Item::Str(_)) => cmp_list(x, std::slice::from_ref(b)),
        (Item::List(x), Item::List(y)) => cmp_list(x, y),
    }
}

fn cmp_list(x: &[Item], y: &[Item]) -> Ordering {
    for i in 0..x.len().max(y.len()) {
        let ord = match (x.get(i), y.get(i)) {
            (Some(l), Some(r)) => cmp_item(l, r),
            (Some(l), None) => cmp_null(l),
            (None, Some(r)) => cmp_null(r).reverse(),
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

pub fn compare(a: &str, b: &str) -> Ordering {
    cmp_list(&parse(a), &parse(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn qualifier_order() {
        let ascending = [
            "1-alpha1",
            "1-alpha2",
            "1-beta1",
            "1-milestone1",
            "1-rc1",
            "1-snapshot",
            "1",
            "1-sp1",
            "1-abc",
            "1.0.1",
            "1.1",
            "2.0-alpha",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                assert_eq!(compare(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn equivalent_spellings() {
        let eq = [
            ("1", "1.0.0"),
            ("1.0", "1-final"),
            ("1.0.ga", "1"),
            ("1-RELEASE", "1"),
            ("1-a1", "1-alpha-1"),
            ("1cr1", "1rc1"),
            ("1.0-SNAPSHOT", "1-snapshot"),
            ("1.0.0.Beta1", "1.0-beta-1"),
            ("1.0.a", "1.0-a"),
        ];
        for (a, b) in eq {
            assert_eq!(compare(a, b), Equal, "{a} vs {b}");
        }
    }

    #[test]
    fn real_versions() {
        assert_eq!(compare("2.17.1", "2.15.0"), Greater);
        assert_eq!(compare("2.9.10.8", "2.9.10"), Greater);
        assert_eq!(compare("31.1-jre", "31.0.1-jre"), Greater);
        assert_eq!(compare("5.3.18", "5.3.9"), Greater);
        assert_eq!(compare("2.0.0-RC1", "2.0.0"), Less);
        assert_eq!(compare("1.2.3.Final", "1.2.3"), Equal);
    }
}
