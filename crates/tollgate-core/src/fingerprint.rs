//! Fingerprints that survive unrelated edits.
//!
//! A fingerprint is built from the rule, the repository-relative path, the resource address and
//! the normalised offending text: never line numbers or byte offsets, so inserting a resource
//! above another does not turn every finding below it into a "new" one.

use sha2::{Digest, Sha256};

/// Fold runs of whitespace into one space and trim, so re-indenting a template does not change
/// a fingerprint.
pub fn normalize_evidence(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The fingerprint as a lowercase hex string of 32 characters (128 bits of SHA-256).
pub fn fingerprint(rule: &str, path: &str, resource: Option<&str>, evidence: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [rule, path, resource.unwrap_or(""), evidence] {
        // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    // Written digit by digit: a `format!` per byte was a string allocation per byte, and a
    // large scan fingerprints every one of its hundred thousand findings.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// SARIF `partialFingerprints` key under which tollgate stores its fingerprint.
pub const PARTIAL_FINGERPRINT_KEY: &str = "tollgate/v1";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_does_not_change_the_fingerprint() {
        let a = fingerprint(
            "TG1",
            "a.yaml",
            Some("Fn"),
            &normalize_evidence("x:  1\n  y"),
        );
        let b = fingerprint("TG1", "a.yaml", Some("Fn"), &normalize_evidence(" x: 1 y "));
        assert_eq!(a, b);
        assert_eq!(a.len(), 32);
    }

    /// The hex digits are those of the digest's first 16 bytes, as `format!("{:02x}")` writes
    /// them: fingerprints in baselines written before must still match.
    #[test]
    fn the_fingerprint_is_the_lowercase_hex_of_the_digest() {
        let mut hasher = Sha256::new();
        for part in ["TG1", "a.yaml", "Fn", "x"] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        let want: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(fingerprint("TG1", "a.yaml", Some("Fn"), "x"), want);
    }

    #[test]
    fn every_part_counts() {
        let base = fingerprint("TG1", "a.yaml", Some("Fn"), "x");
        assert_ne!(base, fingerprint("TG2", "a.yaml", Some("Fn"), "x"));
        assert_ne!(base, fingerprint("TG1", "b.yaml", Some("Fn"), "x"));
        assert_ne!(base, fingerprint("TG1", "a.yaml", Some("Gn"), "x"));
        assert_ne!(base, fingerprint("TG1", "a.yaml", Some("Fn"), "y"));
        assert_ne!(
            fingerprint("ab", "c", None, ""),
            fingerprint("a", "bc", None, "")
        );
    }
}
