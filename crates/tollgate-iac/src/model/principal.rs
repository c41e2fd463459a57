//! Who a policy statement speaks of: each principal entry classified once (everyone, the
//! deploying account, another account, a service, an identity provider), and the conditions
//! that narrow who may use a grant. The IaC stage's open-policy rules and the permissions
//! stage's trust and resource-policy rules all read these, so both agree on what "public" is.

use super::{Condition, Principal, Statement};

/// What one principal entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalClass {
    /// Everyone: `"*"`, `{"AWS": "*"}`, `arn:aws:iam::*:root`.
    Public,
    /// The account that deploys the template: `${AWS::AccountId}`,
    /// `data.aws_caller_identity.*.account_id`, a role or user declared in the scan, or an
    /// account id configured as trusted.
    OwnAccount,
    /// Another AWS account, by its 12-digit id.
    OtherAccount(String),
    /// An AWS service principal (`s3.amazonaws.com`), as written.
    Service(String),
    /// An identity provider (`cognito-identity.amazonaws.com`, an OIDC or SAML provider ARN).
    Federated(String),
    /// Not decidable statically (a parameter, a canonical user id, a shape not recognised).
    Unknown,
}

/// The classification of `principal`; `trusted` are account ids known to be the user's own.
pub fn classify(principal: &Principal, trusted: &[String]) -> PrincipalClass {
    match principal.value.as_str() {
        Some(value) => classify_value(&principal.kind, value, trusted),
        None => PrincipalClass::Unknown,
    }
}

/// [`classify`] for a principal kind (`AWS`, `Service`, `Federated`, `CanonicalUser`, or `*`
/// for a bare `"Principal": "*"`) and one value.
pub fn classify_value(kind: &str, value: &str, trusted: &[String]) -> PrincipalClass {
    let value = value.trim();
    if kind.eq_ignore_ascii_case("Service") {
        return match value {
            "" | "*" => PrincipalClass::Unknown,
            v => PrincipalClass::Service(v.to_string()),
        };
    }
    if kind.eq_ignore_ascii_case("Federated") {
        return PrincipalClass::Federated(value.to_string());
    }
    // A canonical user id (an S3 grantee, a CloudFront origin access identity) names a user,
    // not an account the scan can place.
    if !(kind == "*" || kind.eq_ignore_ascii_case("AWS")) {
        return PrincipalClass::Unknown;
    }
    if value == "*" {
        return PrincipalClass::Public;
    }
    let normal = own_placeholders_replaced(value);
    if normal.len() == 12 && normal.bytes().all(|b| b.is_ascii_digit()) {
        return account(&normal, trusted);
    }
    if normal == OWN {
        return PrincipalClass::OwnAccount;
    }
    if let Some(inner) = lone_placeholder(&normal) {
        // `${OrdersRole.Arn}`, `${aws_iam_role.reader.arn}`: a role or user the scan declares
        // is created in the deploying account. Other pseudo parameters are not principals.
        return if inner.starts_with("AWS::") {
            PrincipalClass::Unknown
        } else {
            PrincipalClass::OwnAccount
        };
    }
    let Some(parts) = super::split_arn(&normal) else {
        return PrincipalClass::Unknown;
    };
    if !parts.partition.starts_with("aws") || !matches!(parts.service, "iam" | "sts") {
        return PrincipalClass::Unknown;
    }
    match parts.account {
        OWN => PrincipalClass::OwnAccount,
        o if o.contains(['*', '?']) => PrincipalClass::Public,
        // `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ...`: an origin
        // access identity the account itself created.
        "cloudfront" => PrincipalClass::OwnAccount,
        o if o.len() == 12 && o.bytes().all(|b| b.is_ascii_digit()) => account(o, trusted),
        _ => PrincipalClass::Unknown,
    }
}

/// Whether `principal` names a whole account rather than one role or user in it: an `AWS`
/// principal that is a 12-digit account id, the account's `root` ARN, or the deploying account
/// (`${AWS::AccountId}`, `data.aws_caller_identity`), own or other. Every principal of that
/// account that its own policies allow `sts:AssumeRole` may then use the grant.
pub fn names_whole_account(principal: &Principal) -> bool {
    if !principal.kind.eq_ignore_ascii_case("AWS") {
        return false;
    }
    let Some(value) = principal.value.as_str() else {
        return false;
    };
    let is_account = |a: &str| a == OWN || (a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
    let normal = own_placeholders_replaced(value.trim());
    if is_account(&normal) {
        return true;
    }
    super::split_arn(&normal).is_some_and(|parts| {
        parts.partition.starts_with("aws")
            && parts.service == "iam"
            && parts.resource == "root"
            && is_account(parts.account)
    })
}

/// Stands for the deploying account after its placeholders are replaced.
const OWN: &str = "<own-account>";

fn account(id: &str, trusted: &[String]) -> PrincipalClass {
    if trusted.iter().any(|t| t.trim() == id) {
        PrincipalClass::OwnAccount
    } else {
        PrincipalClass::OtherAccount(id.to_string())
    }
}

/// `value` with `${AWS::AccountId}` and `${data.aws_caller_identity.NAME.account_id}` (also
/// under a module prefix) replaced by [`OWN`], and `${AWS::Partition}` by `aws` (its `::`
/// would split the ARN in the wrong places).
fn own_placeholders_replaced(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let inner = &rest[start + 2..start + len];
        out.push_str(&rest[..start]);
        let caller_identity =
            inner.contains("data.aws_caller_identity.") && inner.ends_with(".account_id");
        if inner == "AWS::AccountId" || caller_identity {
            out.push_str(OWN);
        } else if inner == "AWS::Partition" {
            out.push_str("aws");
        } else {
            out.push_str(&rest[start..=start + len]);
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// The inside of a value that is exactly one `${...}` reference.
fn lone_placeholder(value: &str) -> Option<&str> {
    let inner = value.strip_prefix("${")?.strip_suffix('}')?;
    (!inner.contains(['$', '{', '}'])).then_some(inner)
}

/// Every kind of [`Binding`]: any of them narrows "everyone".
pub const ANY_BINDING: &[Binding] = &[
    Binding::Organization,
    Binding::CallerAccount,
    Binding::SourceAccount,
    Binding::SourceResource,
    Binding::Network,
    Binding::ExternalId,
    Binding::ViaService,
    Binding::PrincipalIdentity,
];

/// What a condition that narrows "who" ties a grant to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`.
    Organization,
    /// `aws:PrincipalAccount`, `kms:CallerAccount`.
    CallerAccount,
    /// `aws:SourceAccount`, `aws:SourceOwner`, `aws:SourceOrgID`, `aws:SourceOrgPaths`.
    SourceAccount,
    /// `aws:SourceArn`, or `kms:EncryptionContext:aws:*` (ties a service's use of a key to
    /// one resource, as AWS documents for CloudWatch Logs and CloudTrail).
    SourceResource,
    /// `aws:SourceVpce`, `aws:SourceVpc`, `aws:SourceIp`.
    Network,
    /// `sts:ExternalId`.
    ExternalId,
    /// `kms:ViaService`, `aws:PrincipalServiceName(sList)`.
    ViaService,
    /// `aws:PrincipalArn`, `aws:SourceIdentity`, `aws:userid`, `aws:username`,
    /// `aws:PrincipalTag/*`.
    PrincipalIdentity,
}

/// What `key` binds, when it is a condition key that narrows who may use a grant.
pub fn binding_of(key: &str) -> Option<Binding> {
    let k = key.to_ascii_lowercase();
    let b = match k.as_str() {
        "aws:principalorgid" | "aws:principalorgpaths" => Binding::Organization,
        "aws:principalaccount" | "kms:calleraccount" => Binding::CallerAccount,
        "aws:sourceaccount" | "aws:sourceowner" | "aws:sourceorgid" | "aws:sourceorgpaths" => {
            Binding::SourceAccount
        }
        "aws:sourcearn" => Binding::SourceResource,
        "aws:sourcevpce" | "aws:sourcevpc" | "aws:sourceip" => Binding::Network,
        "sts:externalid" => Binding::ExternalId,
        "kms:viaservice" | "aws:principalservicename" | "aws:principalservicenameslist" => {
            Binding::ViaService
        }
        "aws:principalarn" | "aws:sourceidentity" | "aws:userid" | "aws:username" => {
            Binding::PrincipalIdentity
        }
        _ if k.starts_with("kms:encryptioncontext:aws:") => Binding::SourceResource,
        _ if k.starts_with("aws:principaltag/") => Binding::PrincipalIdentity,
        _ => return None,
    };
    Some(b)
}

/// The conditions of `statement` that narrow who may use it, with what each binds. A test
/// that only asks whether the key exists (`Null`), applies only when the key is present
/// (`...IfExists`: a request without it passes), or whose every value is `*` narrows nothing.
pub fn who_conditions(statement: &Statement) -> impl Iterator<Item = (&Condition, Binding)> {
    statement.conditions.iter().filter_map(|c| {
        let binding = binding_of(&c.key)?;
        let op = c.operator.to_ascii_lowercase();
        if op.starts_with("null") || op.ends_with("ifexists") {
            return None;
        }
        let all_star = !c.values.is_empty()
            && c.values
                .iter()
                .all(|v| v.as_str().is_some_and(|s| s.trim() == "*"));
        (!all_star).then_some((c, binding))
    })
}

/// The first condition of `statement` that narrows who may use it with one of `bindings`.
pub fn bound_by<'s>(statement: &'s Statement, bindings: &[Binding]) -> Option<&'s Condition> {
    who_conditions(statement)
        .find(|(_, b)| bindings.contains(b))
        .map(|(c, _)| c)
}

/// Words for a message about conditions written that do not narrow who: "the condition on
/// `aws:SecureTransport` does not restrict who", or empty.
pub fn unrelated_conditions(statement: &Statement, bindings: &[Binding]) -> String {
    let keys: Vec<String> = statement
        .conditions
        .iter()
        .filter(|c| {
            !who_conditions(statement).any(|(w, b)| std::ptr::eq(w, *c) && bindings.contains(&b))
        })
        .map(|c| format!("`{}`", c.key))
        .collect();
    match keys.as_slice() {
        [] => String::new(),
        [one] => format!("The condition on {one} does not restrict who."),
        many => format!("The conditions on {} do not restrict who.", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Val;
    use tollgate_syntax::Span;

    fn c(kind: &str, value: &str) -> PrincipalClass {
        classify_value(kind, value, &["999988887777".to_string()])
    }

    #[test]
    fn whole_accounts_and_named_principals() {
        let p = |kind: &str, value: &str| Principal {
            kind: kind.to_string(),
            value: Val::known(value.to_string(), Span::line(1)),
        };
        for account in [
            "111122223333",
            "arn:aws:iam::111122223333:root",
            "arn:aws-us-gov:iam::111122223333:root",
            "${AWS::AccountId}",
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
            "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root",
        ] {
            assert!(names_whole_account(&p("AWS", account)), "{account}");
        }
        for named in [
            "arn:aws:iam::111122223333:role/deployer",
            "arn:aws:iam::111122223333:user/root",
            "arn:aws:sts::111122223333:assumed-role/ops/alice",
            "*",
            "1111222233334",
        ] {
            assert!(!names_whole_account(&p("AWS", named)), "{named}");
        }
        assert!(!names_whole_account(&p("Service", "111122223333")));
    }

    #[test]
    fn everyone() {
        assert_eq!(c("*", "*"), PrincipalClass::Public);
        assert_eq!(c("AWS", " * "), PrincipalClass::Public);
        assert_eq!(c("AWS", "arn:aws:iam::*:root"), PrincipalClass::Public);
    }

    #[test]
    fn accounts() {
        let other = |id: &str| PrincipalClass::OtherAccount(id.to_string());
        assert_eq!(c("AWS", "444455556666"), other("444455556666"));
        assert_eq!(
            c("AWS", "arn:aws:iam::444455556666:root"),
            other("444455556666")
        );
        assert_eq!(
            c("AWS", "arn:aws-cn:iam::444455556666:role/reader"),
            other("444455556666")
        );
        assert_eq!(
            c("AWS", "arn:aws:sts::444455556666:assumed-role/r/s"),
            other("444455556666")
        );
        assert_eq!(c("AWS", "999988887777"), PrincipalClass::OwnAccount);
        assert_eq!(
            c("AWS", "arn:aws:iam::999988887777:root"),
            PrincipalClass::OwnAccount
        );
    }

    #[test]
    fn own_account_placeholders() {
        for v in [
            "${AWS::AccountId}",
            "arn:aws:iam::${AWS::AccountId}:root",
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x",
            "${data.aws_caller_identity.current.account_id}",
            "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root",
            "arn:aws:iam::${module.m.data.aws_caller_identity.me.account_id}:root",
            "${OrdersRole.Arn}",
            "${aws_iam_role.reader.arn}",
            "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL",
        ] {
            assert_eq!(c("AWS", v), PrincipalClass::OwnAccount, "{v}");
        }
    }

    #[test]
    fn services_providers_and_unknowns() {
        assert_eq!(
            c("Service", "s3.amazonaws.com"),
            PrincipalClass::Service("s3.amazonaws.com".into())
        );
        assert_eq!(
            c("Federated", "cognito-identity.amazonaws.com"),
            PrincipalClass::Federated("cognito-identity.amazonaws.com".into())
        );
        for (kind, v) in [
            (
                "CanonicalUser",
                "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
            ),
            ("AWS", "${AWS::Region}"),
            ("AWS", "arn:aws:iam::${Partner}:root"),
            ("AWS", "arn:aws:s3:::bucket"),
            ("AWS", "reader"),
            ("Service", "*"),
        ] {
            assert_eq!(c(kind, v), PrincipalClass::Unknown, "{kind} {v}");
        }
        let unknown = Principal {
            kind: "AWS".into(),
            value: Val::unknown(Span::line(1), "parameter"),
        };
        assert_eq!(classify(&unknown, &[]), PrincipalClass::Unknown);
    }

    fn cond(op: &str, key: &str, value: &str) -> Condition {
        Condition {
            span: Span::line(3),
            operator: op.into(),
            key: key.into(),
            values: vec![Val::known(value.into(), Span::line(3))],
        }
    }

    #[test]
    fn conditions_that_restrict_who() {
        let mut s = Statement::new(Span::line(1));
        s.conditions = vec![
            cond("Bool", "aws:SecureTransport", "true"),
            cond("StringEquals", "aws:PrincipalOrgID", "*"),
            cond("StringEqualsIfExists", "aws:SourceAccount", "111122223333"),
            cond("Null", "aws:SourceArn", "false"),
        ];
        assert_eq!(who_conditions(&s).count(), 0);
        assert_eq!(
            unrelated_conditions(&s, &[Binding::SourceAccount]),
            "The conditions on `aws:SecureTransport`, `aws:PrincipalOrgID`, `aws:SourceAccount`, `aws:SourceArn` do not restrict who."
        );
        s.conditions.push(cond(
            "ArnLike",
            "kms:EncryptionContext:aws:logs:arn",
            "arn:x",
        ));
        s.conditions
            .push(cond("StringEquals", "AWS:PrincipalOrgId", "o-abc"));
        let bound: Vec<Binding> = who_conditions(&s).map(|(_, b)| b).collect();
        assert_eq!(bound, [Binding::SourceResource, Binding::Organization]);
        assert_eq!(
            bound_by(&s, &[Binding::Organization]).map(|c| c.key.as_str()),
            Some("AWS:PrincipalOrgId")
        );
        assert!(bound_by(&s, &[Binding::ExternalId]).is_none());
    }
}
