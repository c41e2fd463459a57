//! TG1513: a Secrets Manager rotation schedule that rotates less often than every 90 days.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct SecretRotationInfrequent;

/// The longest time between two rotations the rule accepts (CIS, PCI DSS and Checkov use 90
/// days for credentials).
const MAX_DAYS: i64 = 90;

impl IacRule for SecretRotationInfrequent {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1513",
            "secret-rotation-infrequent",
            Severity::Low,
            "Secrets Manager secret is rotated less often than every 90 days",
            "secretsmanager",
        )
        .tags(["secrets"])
        .equivalents(["CKV_AWS_304"])
        .description(
            "Rotation limits how long a leaked secret stays useful; a schedule that rotates \
             once a year leaves it valid for most of a year. The rule reads each rotation \
             schedule (`AWS::SecretsManager::RotationSchedule`, \
             `aws_secretsmanager_secret_rotation`, a provider v3 `rotation_rules` block on the \
             secret) and reports one that rotates less often than every 90 days: \
             `AutomaticallyAfterDays` over 90, a `rate(...)` longer than 90 days, or a \
             `cron(...)` whose months leave a gap of more than three (`cron(0 0 1 1 ? *)`, once \
             a year). A cron expression limited to some years, one the rule cannot read, and a \
             value that cannot be resolved are unknown and not reported, as is a schedule that \
             writes no rules. Checkov's CKV_AWS_304 (Terraform only) passes every cron \
             expression and fails a rotation resource without `rotation_rules`. A secret \
             without any schedule is TG1504's finding.",
        )
        .remediation(
            Fix {
                summary: "Rotate at least every 90 days.",
                cloudformation: "DatabaseSecretRotation:\n  Type: AWS::SecretsManager::RotationSchedule\n  Properties:\n    SecretId: !Ref DatabaseSecret\n    RotationLambdaARN: !GetAtt RotationFunction.Arn\n    RotationRules:\n      AutomaticallyAfterDays: 30",
                serverless: None,
                terraform: "resource \"aws_secretsmanager_secret_rotation\" \"db\" {\n  secret_id           = aws_secretsmanager_secret.db.id\n  rotation_lambda_arn = aws_lambda_function.rotate.arn\n  rotation_rules {\n    automatically_after_days = 30\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for s in &model.rotation_schedules {
            out.evaluated(&s.meta);
            let name = &s.meta.address;
            match (&s.after_days, &s.schedule_expression) {
                (Val::Known { value, span }, _) => {
                    if *value > MAX_DAYS {
                        out.at(
                            &s.meta,
                            *span,
                            &value.to_string(),
                            format!(
                                "Rotation schedule `{name}` rotates the secret every {value} days, \
                                 less often than every {MAX_DAYS}."
                            ),
                        );
                    }
                }
                (Val::Unknown { .. }, _) => out.unknown(&s.meta),
                (Val::Absent, Val::Known { value, span }) => match longest_gap_days(value) {
                    Some(days) if days > MAX_DAYS => out.at(
                        &s.meta,
                        *span,
                        value,
                        format!(
                            "Rotation schedule `{name}` (`{value}`) leaves up to {days} days \
                             between rotations, more than {MAX_DAYS}."
                        ),
                    ),
                    Some(_) => {}
                    None => out.unknown(&s.meta),
                },
                (Val::Absent, Val::Unknown { .. }) => out.unknown(&s.meta),
                (Val::Absent, Val::Absent) => out.unknown(&s.meta),
            }
        }
    }
}

/// The longest time, in days, a `rate(...)` or `cron(...)` schedule expression can leave
/// between two rotations (a month counts as 31 days); `None` when it cannot be told.
fn longest_gap_days(expression: &str) -> Option<i64> {
    let e = expression.trim();
    if let Some(inner) = e.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        let mut parts = inner.split_whitespace();
        let n: i64 = parts.next()?.parse().ok()?;
        let unit = parts.next()?.to_ascii_lowercase();
        if parts.next().is_some() || n <= 0 {
            return None;
        }
        return match unit.trim_end_matches('s') {
            "day" => Some(n),
            "hour" => Some((n + 23) / 24),
            "minute" => Some((n + 24 * 60 - 1) / (24 * 60)),
            _ => None,
        };
    }
    let inner = e.strip_prefix("cron(")?.strip_suffix(')')?;
    let fields: Vec<&str> = inner.split_whitespace().collect();
    // minutes hours day-of-month month day-of-week year
    let [_, _, _, month, _, year] = fields.as_slice() else {
        return None;
    };
    if !matches!(*year, "*" | "?") {
        return None;
    }
    let months = months_of(month)?;
    // The widest gap between two consecutive rotation months, around the year.
    let gap = months
        .iter()
        .zip(months.iter().cycle().skip(1))
        .map(|(a, b)| (b + 12 - a - 1) % 12 + 1)
        .max()?;
    Some(i64::from(gap) * 31)
}

/// The months (1-12) a cron month field names, sorted; `None` when it cannot be read.
fn months_of(field: &str) -> Option<Vec<u32>> {
    const NAMES: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let month = |s: &str| -> Option<u32> {
        s.parse::<u32>()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .or_else(|| {
                let upper = s.to_ascii_uppercase();
                NAMES.iter().position(|n| *n == upper).map(|i| i as u32 + 1)
            })
    };
    let mut out = Vec::new();
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0)?),
            None => (part, 1),
        };
        let (from, to) = match range {
            "*" | "?" => (1, 12),
            r => match r.split_once('-') {
                Some((a, b)) => (month(a)?, month(b)?),
                None if step > 1 => (month(r)?, 12),
                None => (month(r)?, month(r)?),
            },
        };
        if from > to {
            return None;
        }
        out.extend((from..=to).step_by(step as usize));
    }
    out.sort_unstable();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::longest_gap_days;

    #[test]
    fn gaps_between_rotations() {
        assert_eq!(longest_gap_days("rate(30 days)"), Some(30));
        assert_eq!(longest_gap_days("rate(1 day)"), Some(1));
        assert_eq!(longest_gap_days("rate(4 hours)"), Some(1));
        assert_eq!(longest_gap_days("rate(365 days)"), Some(365));
        assert_eq!(longest_gap_days("cron(0 8 1 * ? *)"), Some(31));
        assert_eq!(longest_gap_days("cron(0 0 1 1 ? *)"), Some(372));
        assert_eq!(longest_gap_days("cron(0 0 1 1,4,7,10 ? *)"), Some(93));
        assert_eq!(longest_gap_days("cron(0 0 1 */2 ? *)"), Some(62));
        assert_eq!(longest_gap_days("cron(0 0 1 JAN,JUL ? *)"), Some(186));
        assert_eq!(longest_gap_days("cron(0 0 1 * ? 2027)"), None);
        assert_eq!(longest_gap_days("cron(0 0 1 13 ? *)"), None);
        assert_eq!(longest_gap_days("rate(0 days)"), None);
        assert_eq!(longest_gap_days("at(2027-01-01T00:00:00)"), None);
    }
}
