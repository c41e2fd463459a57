//! Lambda managed runtimes and the day AWS deprecates each (phase 1 of its published runtime
//! deprecation policy: no more security patches from that day on).
//!
//! Source: "Lambda runtimes", AWS Lambda Developer Guide, supported and deprecated runtime
//! tables. Judged against `ScanContext::today()`, so a scan is reproducible for a given date
//! and a runtime becomes deprecated without a code change. Runtimes missing from the table
//! (new ones, container images) are never reported.

use time::macros::date;
use time::Date;

/// One managed runtime identifier and its deprecation date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeInfo {
    /// The identifier written in templates (`nodejs18.x`, `python3.9`, `provided.al2`).
    pub id: &'static str,
    /// Human name for messages.
    pub name: &'static str,
    /// The day the runtime is deprecated.
    pub deprecated_on: Date,
    /// Identifier to move to.
    pub successor: &'static str,
}

macro_rules! rt {
    ($id:literal, $name:literal, $date:expr, $succ:literal) => {
        RuntimeInfo {
            id: $id,
            name: $name,
            deprecated_on: $date,
            successor: $succ,
        }
    };
}

/// Every runtime with a published deprecation date, oldest family member first.
// One runtime per line, so the table reads like the AWS page it comes from.
#[rustfmt::skip]
pub const RUNTIMES: &[RuntimeInfo] = &[
    rt!("nodejs", "Node.js 0.10", date!(2016 - 10 - 31), "nodejs24.x"),
    rt!("nodejs4.3", "Node.js 4.3", date!(2020 - 03 - 06), "nodejs24.x"),
    rt!("nodejs4.3-edge", "Node.js 4.3 edge", date!(2019 - 04 - 30), "nodejs24.x"),
    rt!("nodejs6.10", "Node.js 6.10", date!(2019 - 08 - 12), "nodejs24.x"),
    rt!("nodejs8.10", "Node.js 8.10", date!(2020 - 03 - 06), "nodejs24.x"),
    rt!("nodejs10.x", "Node.js 10", date!(2021 - 07 - 30), "nodejs24.x"),
    rt!("nodejs12.x", "Node.js 12", date!(2023 - 03 - 31), "nodejs24.x"),
    rt!("nodejs14.x", "Node.js 14", date!(2023 - 12 - 04), "nodejs24.x"),
    rt!("nodejs16.x", "Node.js 16", date!(2024 - 06 - 12), "nodejs24.x"),
    rt!("nodejs18.x", "Node.js 18", date!(2025 - 09 - 01), "nodejs24.x"),
    rt!("nodejs20.x", "Node.js 20", date!(2026 - 04 - 30), "nodejs24.x"),
    rt!("nodejs22.x", "Node.js 22", date!(2027 - 04 - 30), "nodejs24.x"),
    rt!("nodejs24.x", "Node.js 24", date!(2028 - 04 - 30), "nodejs24.x"),
    rt!("python2.7", "Python 2.7", date!(2021 - 07 - 15), "python3.13"),
    rt!("python3.6", "Python 3.6", date!(2022 - 07 - 18), "python3.13"),
    rt!("python3.7", "Python 3.7", date!(2023 - 12 - 04), "python3.13"),
    rt!("python3.8", "Python 3.8", date!(2024 - 10 - 14), "python3.13"),
    rt!("python3.9", "Python 3.9", date!(2025 - 12 - 15), "python3.13"),
    rt!("python3.10", "Python 3.10", date!(2026 - 06 - 30), "python3.13"),
    rt!("python3.11", "Python 3.11", date!(2026 - 06 - 30), "python3.13"),
    rt!("python3.12", "Python 3.12", date!(2028 - 10 - 31), "python3.13"),
    rt!("python3.13", "Python 3.13", date!(2029 - 06 - 30), "python3.13"),
    rt!("python3.14", "Python 3.14", date!(2029 - 06 - 30), "python3.14"),
    rt!("java8", "Java 8 (Amazon Linux 1)", date!(2024 - 01 - 08), "java21"),
    rt!("java8.al2", "Java 8 (Amazon Linux 2)", date!(2026 - 06 - 30), "java21"),
    rt!("java11", "Java 11", date!(2026 - 06 - 30), "java21"),
    rt!("java17", "Java 17", date!(2026 - 06 - 30), "java21"),
    rt!("java21", "Java 21", date!(2029 - 06 - 30), "java21"),
    rt!("java25", "Java 25", date!(2029 - 06 - 30), "java25"),
    rt!("dotnetcore1.0", ".NET Core 1.0", date!(2019 - 07 - 30), "dotnet10"),
    rt!("dotnetcore2.0", ".NET Core 2.0", date!(2019 - 05 - 30), "dotnet10"),
    rt!("dotnetcore2.1", ".NET Core 2.1", date!(2022 - 01 - 05), "dotnet10"),
    rt!("dotnetcore3.1", ".NET Core 3.1", date!(2023 - 04 - 03), "dotnet10"),
    rt!("dotnet5.0", ".NET 5", date!(2022 - 05 - 10), "dotnet10"),
    rt!("dotnet6", ".NET 6", date!(2024 - 12 - 20), "dotnet10"),
    rt!("dotnet7", ".NET 7", date!(2024 - 05 - 14), "dotnet10"),
    rt!("dotnet8", ".NET 8", date!(2026 - 11 - 10), "dotnet10"),
    rt!("dotnet10", ".NET 10", date!(2028 - 11 - 14), "dotnet10"),
    rt!("ruby2.5", "Ruby 2.5", date!(2021 - 07 - 30), "ruby3.4"),
    rt!("ruby2.7", "Ruby 2.7", date!(2023 - 12 - 07), "ruby3.4"),
    rt!("ruby3.2", "Ruby 3.2", date!(2026 - 03 - 31), "ruby3.4"),
    rt!("ruby3.3", "Ruby 3.3", date!(2027 - 03 - 31), "ruby3.4"),
    rt!("ruby3.4", "Ruby 3.4", date!(2028 - 03 - 31), "ruby3.4"),
    rt!("go1.x", "Go 1.x", date!(2024 - 01 - 08), "provided.al2023"),
    rt!("provided", "OS-only runtime (Amazon Linux 1)", date!(2024 - 01 - 08), "provided.al2023"),
    rt!("provided.al2", "OS-only runtime (Amazon Linux 2)", date!(2026 - 06 - 30), "provided.al2023"),
    rt!("provided.al2023", "OS-only runtime (Amazon Linux 2023)", date!(2029 - 06 - 30), "provided.al2023"),
];

/// The table entry for a runtime identifier (case-insensitive, surrounding space ignored).
pub fn lookup(id: &str) -> Option<&'static RuntimeInfo> {
    let id = id.trim();
    RUNTIMES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// The runtime's entry when it is deprecated on `today` (deprecation date <= today).
pub fn deprecated(id: &str, today: Date) -> Option<&'static RuntimeInfo> {
    lookup(id).filter(|r| r.deprecated_on <= today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judged_against_the_given_day() {
        let day = date!(2025 - 09 - 01);
        assert!(deprecated("nodejs18.x", day).is_some());
        assert!(deprecated("nodejs18.x", date!(2025 - 08 - 31)).is_none());
        assert!(deprecated("python3.12", day).is_none());
        assert!(deprecated("go1.x", day).is_some());
        assert!(deprecated("PYTHON2.7", day).is_some());
        assert!(deprecated("rust-on-mars", day).is_none());
    }

    #[test]
    fn table_is_consistent() {
        for r in RUNTIMES {
            let succ = lookup(r.successor).expect("successor is in the table");
            assert!(
                succ.deprecated_on >= r.deprecated_on,
                "{} -> {}",
                r.id,
                r.successor
            );
        }
        // The runtime a finding tells users to move to is the one of its language supported
        // longest: naming one that is itself deprecated a few months later (Node.js 22 after
        // Node.js 24 was out, .NET 8 after .NET 10) sends them through a second migration.
        let family = |id: &str| {
            id.chars()
                .take_while(char::is_ascii_alphabetic)
                .collect::<String>()
        };
        for r in RUNTIMES {
            let succ = lookup(r.successor).expect("successor is in the table");
            let longest = RUNTIMES
                .iter()
                .filter(|q| family(q.id) == family(succ.id))
                .map(|q| q.deprecated_on)
                .max();
            assert_eq!(
                Some(succ.deprecated_on),
                longest,
                "{} -> {}",
                r.id,
                r.successor
            );
        }
        let mut ids: Vec<_> = RUNTIMES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RUNTIMES.len(), "no duplicate ids");
    }
}
