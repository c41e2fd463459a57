//! TG2017: an action whose resource types cannot match any ARN the statement gives.

use tollgate_core::Severity;

use super::{rule, PermRule};
use crate::analysis::Analysis;
use crate::sink::Sink;

pub struct ResourceTypeMismatch;

impl PermRule for ResourceTypeMismatch {
    fn meta(&self) -> tollgate_core::Rule {
        rule(
            "TG2017",
            "iam-resource-type-mismatch",
            Severity::Low,
            "IAM action cannot apply to any resource of its statement",
        )
        .description(
            "Each action applies to certain resource types (`s3:GetObject` to objects, \
                 `arn:aws:s3:::bucket/key`). When none of the statement's resource ARNs can be of \
                 those types — `s3:GetObject` on `arn:aws:s3:::bucket` — the statement grants \
                 nothing for that action: the function fails, or someone later widens it to `*`.",
        )
        .remediation(
            "Give the ARN of the right resource type (for objects: `arn:aws:s3:::bucket/*`).",
        )
        .equivalents(["parliament:RESOURCE_MISMATCH"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        let cat = analysis.catalog;
        for (policy, st) in analysis.identity_statements() {
            let s = st.stmt;
            // Only when every resource is known and specific: otherwise some may match.
            if !s.is_allow()
                || s.resources.is_empty()
                || !s.resources.iter().all(|r| r.is_known())
                || st.star_resource.is_some()
            {
                continue;
            }
            let arns: Vec<&str> = st.resources().map(|(r, _)| r).collect();
            for p in &st.patterns {
                // A wildcard pattern spans actions of many types; judge written names only.
                let [id] = p.expansion.actions() else {
                    continue;
                };
                if p.text.contains(['*', '?']) {
                    continue;
                }
                let action = cat.get(*id);
                let patterns: Vec<&str> = action
                    .resources
                    .iter()
                    .filter_map(|r| cat.arn_pattern(action, r))
                    .collect();
                if patterns.is_empty()
                    || arns
                        .iter()
                        .any(|arn| patterns.iter().any(|pat| arn_may_match(pat, arn)))
                {
                    continue;
                }
                let types: Vec<String> = action
                    .resources
                    .iter()
                    .filter(|r| cat.arn_pattern(action, r).is_some())
                    .map(|r| {
                        format!(
                            "{} ({})",
                            r.name,
                            cat.arn_pattern(action, r).unwrap_or_default()
                        )
                    })
                    .collect();
                out.at(
                    policy,
                    p.span,
                    &format!("{} {} {}", policy.label, p.text, arns.join(",")),
                    format!(
                        "`{}` in the {} applies to {}, but none of the statement's resources (`{}`) can be one, so it grants nothing.",
                        cat.full_name(*id),
                        policy.label,
                        types.join(" or "),
                        arns.join("`, `")
                    ),
                );
            }
        }
    }
}

/// Whether a user's ARN could name a resource of the catalog pattern
/// (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`). Placeholders match one or more
/// characters; where the user's ARN holds a wildcard or a policy variable, only the service
/// is compared, since the wildcard may stand for anything.
pub(crate) fn arn_may_match(pattern: &str, arn: &str) -> bool {
    // `${AWS::Region}` (an unresolved substitution) or `${aws:username}` (a policy variable)
    // may stand for anything, and would otherwise break the split on `:`.
    let arn = without_variables(arn.trim());
    let arn = arn.as_str();
    let service = |s: &str| s.split(':').nth(2).map(str::to_ascii_lowercase);
    let (Some(ps), Some(us)) = (service(pattern), service(arn)) else {
        // Not an ARN at all (a bare name): not ours to judge.
        return true;
    };
    if arn.contains(['*', '?']) {
        return us.contains(['*', '?', '$']) || ps.contains('$') || ps == us;
    }
    glob_placeholders(pattern, arn)
}

/// `arn` with every `${...}` replaced by `*`.
fn without_variables(arn: &str) -> String {
    let mut out = String::with_capacity(arn.len());
    let mut rest = arn;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push('*');
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Match `arn` against `pattern` whose `${Name}` placeholders stand for one or more characters
/// (the partition, region and account placeholders may match anything, including nothing for
/// region and account, which global services leave empty).
fn glob_placeholders(pattern: &str, arn: &str) -> bool {
    // Split the pattern into literal pieces between placeholders.
    let mut pieces = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        pieces.push(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                rest = "";
                break;
            }
        }
    }
    pieces.push(rest);
    // Greedy left-to-right literal matching with placeholders as `*`.
    let text = arn;
    let mut pos = 0;
    for (i, piece) in pieces.iter().enumerate() {
        if i == 0 {
            if !text.starts_with(piece) {
                return false;
            }
            pos = piece.len();
            continue;
        }
        if i == pieces.len() - 1 {
            return text.len() >= pos + piece.len() && text[pos..].ends_with(piece);
        }
        match text[pos..].find(piece) {
            Some(at) => pos += at + piece.len(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::arn_may_match;

    #[test]
    fn arns_against_catalog_patterns() {
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        assert!(!arn_may_match(object, "arn:aws:s3:::orders"));
        assert!(arn_may_match(object, "arn:aws:s3:::orders/*"));
        assert!(arn_may_match(object, "arn:aws:s3:::orders/a/b.json"));
        assert!(arn_may_match(bucket, "arn:aws:s3:::orders"));
        assert!(!arn_may_match(
            object,
            "arn:aws:dynamodb:eu-west-1:123456789012:table/t"
        ));
        assert!(arn_may_match(object, "arn:aws:s3:::*"));
        let table = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
        assert!(arn_may_match(
            table,
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
        ));
        assert!(!arn_may_match(table, "arn:aws:s3:::orders"));
        assert!(arn_may_match(table, "orders"));
        assert!(arn_may_match(
            table,
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"
        ));
        assert!(!arn_may_match(
            object,
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:1:table/t"
        ));
    }
}
