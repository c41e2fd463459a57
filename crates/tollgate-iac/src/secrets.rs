//! Secret detection for values written in templates (Lambda environment variables, SSM
//! `String` parameters): by the variable's name and by the value's shape.
//!
//! Both directions are tuned against false positives, because a finding on `TOKEN_TABLE_NAME`
//! teaches people to ignore the rule: names whose last word says "this is a pointer to the
//! secret" (`_ARN`, `_NAME`, `_PARAMETER_NAME`, `_ID`...) and values that are references
//! (`arn:...`, `{{resolve:...}}`, `${ssm:...}`) are never secrets.
//!
//! Nothing here ever returns the secret itself: callers print [`redact`]ed text only.

use std::fmt;

/// What kind of secret a value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    AwsAccessKeyId,
    AwsSecretAccessKey,
    PrivateKey,
    GitHubToken,
    SlackToken,
    StripeKey,
    Jwt,
    /// A long random-looking string (high Shannon entropy).
    HighEntropy,
    /// A literal value under a name that says it is a password, token or key.
    NamedSecret,
}

impl SecretKind {
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::AwsAccessKeyId => "an AWS access key id",
            SecretKind::AwsSecretAccessKey => "an AWS secret access key",
            SecretKind::PrivateKey => "a PEM private key",
            SecretKind::GitHubToken => "a GitHub token",
            SecretKind::SlackToken => "a Slack token",
            SecretKind::StripeKey => "a Stripe live secret key",
            SecretKind::Jwt => "a JSON Web Token",
            SecretKind::HighEntropy => "a high-entropy string",
            SecretKind::NamedSecret => "a literal secret (by its name)",
        }
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Words that make a variable name secret-looking.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PASSPHRASE",
    "PRIVATEKEY",
];

/// Two-word secrets: `API_KEY`, `PRIVATE_KEY`, `ACCESS_KEY`...
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("PRIVATE", "KEY"),
    ("ACCESS", "KEY"),
    ("SIGNING", "KEY"),
    ("AUTH", "KEY"),
    ("ENCRYPTION", "KEY"),
    ("MASTER", "KEY"),
    ("CLIENT", "SECRET"),
    ("CONNECTION", "STRING"),
];

/// A name ending in one of these words names *where* a secret is or something about it, not
/// the secret: `TOKEN_TABLE_NAME`, `DB_SECRET_ARN`, `PASSWORD_PARAMETER_NAME`, `TOKEN_TTL`.
const POINTER_WORDS: &[&str] = &[
    "ARN",
    "NAME",
    "ID",
    "IDS",
    "TABLE",
    "PARAMETER",
    "PARAM",
    "PATH",
    "URL",
    "URI",
    "ENDPOINT",
    "HEADER",
    "TTL",
    "EXPIRY",
    "EXPIRATION",
    "LENGTH",
    "LEN",
    "FILE",
    "BUCKET",
    "QUEUE",
    "TOPIC",
    "REGION",
    "TYPE",
    "VERSION",
    "FIELD",
    "ENABLED",
    "DISABLED",
    "LOCATION",
    "PREFIX",
    "SUFFIX",
    "HOST",
    "PORT",
    "COUNT",
    "SIZE",
    "ROTATION",
    "KMS",
    "POLICY",
    "ALGORITHM",
    "ISSUER",
    "AUDIENCE",
    "FORMAT",
    "STORE",
    "KEYS",
    "ROLE",
    "USER",
    "USERNAME",
    "SSM",
    "REF",
    "MODE",
    "LIMIT",
    "TIMEOUT",
    "SECONDS",
    "MINUTES",
    "DAYS",
    "HOURS",
    "STAGE",
    "ENV",
    "POOL",
];

/// Split an identifier into upper-case words at `_`, `-`, `.`, `/`, and camelCase boundaries.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_uppercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a variable name says it holds a secret (`DB_PASSWORD`, `stripeApiKey`,
/// `AWS_SECRET_ACCESS_KEY`), and not a pointer to one (`SECRET_ARN`, `TOKEN_TABLE_NAME`).
pub fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if POINTER_WORDS.contains(&last.as_str()) {
        return false;
    }
    // `PUBLIC_KEY` and `PUBLISHABLE_KEY` are meant to be shared.
    if words.iter().any(|w| w == "PUBLIC" || w == "PUBLISHABLE") {
        return false;
    }
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || words
            .windows(2)
            .any(|p| SECRET_PAIRS.iter().any(|(a, b)| p[0] == *a && p[1] == *b))
}

/// Whether a value refers to a secret kept elsewhere rather than being one: ARNs, dynamic
/// references, framework variables left unresolved, SSM paths.
pub fn is_reference_value(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("arn:")
        || v.contains("{{resolve:")
        || v.starts_with("${")
        || v.starts_with("ssm:")
        || v.starts_with("secretsmanager:")
        || v.starts_with("/aws/reference/")
}

/// The Shannon entropy of `s` in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}

/// Minimum length and entropy (bits/char) of a generic high-entropy secret. Base64 keys of 32+
/// characters sit around 4.8; English words and identifiers stay well under 4.2.
const HIGH_ENTROPY_MIN_LEN: usize = 24;
const HIGH_ENTROPY_MIN_BITS: f64 = 4.5;

fn is_upper_alnum(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

fn is_b64(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '+' || c == '/'
}

fn is_b64url(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Find `prefix` in `value` at a word start followed by at least `min` characters accepted by
/// `class` (and, when `exact`, exactly that many before a non-class character).
fn has_token(value: &str, prefix: &str, min: usize, exact: bool, class: fn(char) -> bool) -> bool {
    let mut from = 0;
    while let Some(i) = value[from..].find(prefix) {
        let start = from + i;
        let at_word_start = value[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        let rest = &value[start + prefix.len()..];
        let n = rest.chars().take_while(|&c| class(c)).count();
        if at_word_start && (if exact { n == min } else { n >= min }) {
            return true;
        }
        from = start + prefix.len();
    }
    false
}

fn looks_like_jwt(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts
            .iter()
            .all(|p| p.len() >= 10 && p.chars().all(is_b64url))
}

fn char_classes(v: &str) -> usize {
    [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
    ]
    .iter()
    .filter(|&&b| b)
    .count()
}

/// What secret `value` looks like by its shape alone, whatever it is called.
pub fn secret_value_kind(value: &str) -> Option<SecretKind> {
    let v = value.trim();
    if v.is_empty() || is_reference_value(v) {
        return None;
    }
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some(SecretKind::PrivateKey);
    }
    if ["AKIA", "ASIA"]
        .iter()
        .any(|p| has_token(v, p, 16, true, is_upper_alnum))
    {
        return Some(SecretKind::AwsAccessKeyId);
    }
    let github_classic = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .any(|p| has_token(v, p, 36, false, |c| c.is_ascii_alphanumeric()));
    if github_classic || has_token(v, "github_pat_", 22, false, is_b64url) {
        return Some(SecretKind::GitHubToken);
    }
    if ["xoxb-", "xoxp-"]
        .iter()
        .any(|p| has_token(v, p, 10, false, |c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Some(SecretKind::SlackToken);
    }
    if ["sk_live_", "rk_live_"]
        .iter()
        .any(|p| has_token(v, p, 20, false, |c| c.is_ascii_alphanumeric()))
    {
        return Some(SecretKind::StripeKey);
    }
    if looks_like_jwt(v) {
        return Some(SecretKind::Jwt);
    }
    let random_looking = v.chars().count() >= HIGH_ENTROPY_MIN_LEN
        && !v.chars().any(char::is_whitespace)
        && !v.contains("://")
        && char_classes(v) == 3
        && shannon_entropy(v) >= HIGH_ENTROPY_MIN_BITS;
    random_looking.then_some(SecretKind::HighEntropy)
}

/// Whether a literal is too plain to be a secret even under a secret-looking name: booleans,
/// numbers, very short strings.
fn is_trivial_literal(v: &str) -> bool {
    v.chars().count() < 6
        || v.chars().all(|c| c.is_ascii_digit())
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "none" | "null"
        )
}

/// Judge a `name = value` pair (an environment variable, a parameter). Shape wins over name, an
/// AWS secret key is only recognised with a name around it (40 base64 characters alone are too
/// common), and a secret-looking name with a non-trivial literal is a secret.
pub fn classify(name: &str, value: &str) -> Option<SecretKind> {
    let v = value.trim();
    if v.is_empty() || is_reference_value(v) {
        return None;
    }
    if let Some(kind) = secret_value_kind(v) {
        return Some(kind);
    }
    let name_words = words(name);
    let aws_context = name_words.iter().any(|w| w == "AWS" || w == "SECRET");
    if aws_context && v.len() == 40 && v.chars().all(is_b64) && char_classes(v) >= 2 {
        return Some(SecretKind::AwsSecretAccessKey);
    }
    if is_secret_name(name) && !is_trivial_literal(v) {
        return Some(SecretKind::NamedSecret);
    }
    None
}

/// A secret made safe to print: at most its first 4 characters (fewer for short values, so
/// never more than a quarter of it), then a fixed mask that does not reveal the length.
pub fn redact(value: &str) -> String {
    let n = value.chars().count();
    let shown = (n / 4).min(4);
    let mut out: String = value.chars().take(shown).collect();
    out.push_str("****");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "DB_PASSWORD",
            "password",
            "STRIPE_API_KEY",
            "stripeApiKey",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "PRIVATE_KEY",
            "clientSecret",
            "DATABASE_CONNECTION_STRING",
        ] {
            assert!(is_secret_name(name), "{name} should be secret-looking");
        }
        for name in [
            "TOKEN_TABLE_NAME",
            "SECRET_ARN",
            "PASSWORD_PARAMETER_NAME",
            "DB_SECRET_ID",
            "TOKEN_TTL",
            "TABLE_NAME",
            "STRIPE_PUBLISHABLE_KEY",
            "JWT_PUBLIC_KEY",
            "S3_KEY",
            "ACCESS_KEY_ID",
            "",
        ] {
            assert!(!is_secret_name(name), "{name} should not be secret-looking");
        }
    }

    #[test]
    fn value_shapes() {
        let cases = [
            ("AKIAIOSFODNN7EXAMPLE", SecretKind::AwsAccessKeyId),
            ("key=ASIAY34FZKBOKMUTVV7A;", SecretKind::AwsAccessKeyId),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----",
                SecretKind::PrivateKey,
            ),
            (
                "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
                SecretKind::GitHubToken,
            ),
            (
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
                SecretKind::GitHubToken,
            ),
            ("xoxb-123456789012-abcdefABCDEF", SecretKind::SlackToken),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", SecretKind::StripeKey),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                SecretKind::Jwt,
            ),
            ("q8Zr3LpX7wNvB2kYt9HfJ4mQs6DcG1aE", SecretKind::HighEntropy),
        ];
        for (value, kind) in cases {
            assert_eq!(secret_value_kind(value), Some(kind), "{value}");
        }
    }

    #[test]
    fn ordinary_values_are_not_secrets() {
        for value in [
            "",
            "orders-table",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
            "{{resolve:secretsmanager:db:SecretString:password}}",
            "${ssm:/app/db/password}",
            "https://api.example.com/v1/hooks?x=AbCdEfGh12345678",
            "550e8400-e29b-41d4-a716-446655440000",
            "this is a sentence with several words",
            "AKIAIOSFODNN7EXAMPLEX", // 17 characters after the prefix is not a key id
            "MyAKIAIOSFODNN7EXAMPLE",
            "production",
            // Typical Lambda environment values that are long but not random.
            "https://abc123@o123.ingest.sentry.io/456",
            "4f3a9d8b1c2e7f6a5b4c3d2e1f",
            "MyAppUploadsBucket2024Prod",
            "orders-OrdersTable-1A2B3C4D5E6F",
            "--enable-source-maps --max-old-space-size=512",
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
        ] {
            assert_eq!(secret_value_kind(value), None, "{value}");
        }
    }

    #[test]
    fn classify_uses_name_and_value() {
        assert_eq!(
            classify("DB_PASSWORD", "hunter2hunter2"),
            Some(SecretKind::NamedSecret)
        );
        // 40 base64 characters next to an AWS-ish name: a secret access key (or caught earlier
        // as high entropy; either way it is reported).
        assert!(classify(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        )
        .is_some());
        assert_eq!(
            classify("AWS_SECRET", "abcdefghijabcdefghijabcdefghijabcdefghiJ"),
            Some(SecretKind::AwsSecretAccessKey)
        );
        assert_eq!(classify("DB_PASSWORD", "true"), None);
        assert_eq!(classify("DB_PASSWORD", "{{resolve:ssm-secure:db}}"), None);
        assert_eq!(
            classify("PASSWORD_PARAMETER_NAME", "/app/db/password"),
            None
        );
        assert_eq!(classify("TOKEN_TABLE_NAME", "tokens-prod"), None);
        assert_eq!(classify("STAGE", "prod"), None);
        assert_eq!(
            classify("SOMETHING", "AKIAIOSFODNN7EXAMPLE"),
            Some(SecretKind::AwsAccessKeyId)
        );
    }

    #[test]
    fn redact_shows_at_most_four_characters() {
        assert_eq!(redact("AKIAIOSFODNN7EXAMPLE"), "AKIA****");
        assert_eq!(redact("hunter2"), "h****");
        assert_eq!(redact("abc"), "****");
        assert_eq!(redact("é"), "****");
        assert!(!redact("sk_live_4eC39HqLyjWDarjtT1zdp7dc").contains("4eC39"));
    }

    #[test]
    fn entropy_is_sane() {
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
    }
}
