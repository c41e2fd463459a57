//! The fields of an ARN as written in a template, where placeholders such as
//! `${AWS::Partition}` or `${AWS::AccountId}` hold colons of their own.

/// `arn:partition:service:region:account:resource`, each field borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnParts<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// Everything after the fifth colon (it may hold colons: `log-group:name:*`).
    pub resource: &'a str,
}

/// Split `arn` on the colons outside `${...}` placeholders; `None` when it does not start with
/// `arn:`, has fewer than six fields, or leaves a placeholder open.
pub fn split_arn(arn: &str) -> Option<ArnParts<'_>> {
    let arn = arn.trim();
    // Asked for every statement entry and store of a large repository: no allocation.
    if !arn.starts_with("arn:") {
        return None;
    }
    let mut cuts = [0usize; 5];
    let mut found = 0;
    let mut in_placeholder = false;
    let bytes = arn.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => in_placeholder = true,
            b'}' if in_placeholder => in_placeholder = false,
            b':' if !in_placeholder && found < 5 => {
                cuts[found] = i;
                found += 1;
            }
            _ => {}
        }
    }
    if in_placeholder || found < 5 {
        return None;
    }
    Some(ArnParts {
        partition: &arn[cuts[0] + 1..cuts[1]],
        service: &arn[cuts[1] + 1..cuts[2]],
        region: &arn[cuts[2] + 1..cuts[3]],
        account: &arn[cuts[3] + 1..cuts[4]],
        resource: &arn[cuts[4] + 1..],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_around_placeholders() {
        let p =
            split_arn("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs").unwrap();
        assert_eq!(p.partition, "${AWS::Partition}");
        assert_eq!(p.service, "sqs");
        assert_eq!(p.region, "${AWS::Region}");
        assert_eq!(p.account, "${AWS::AccountId}");
        assert_eq!(p.resource, "jobs");
        let logs = split_arn("arn:aws:logs:eu-west-1:111122223333:log-group:app:*").unwrap();
        assert_eq!(logs.account, "111122223333");
        assert_eq!(logs.resource, "log-group:app:*");
        assert_eq!(split_arn("arn:aws:s3:::bucket").unwrap().resource, "bucket");
    }

    #[test]
    fn not_arns() {
        assert_eq!(split_arn("*"), None);
        assert_eq!(split_arn("arn:aws:s3"), None);
        assert_eq!(split_arn("urn:aws:s3:::b"), None);
        assert_eq!(split_arn("arn:aws:s3:::${Bucket"), None);
    }
}
