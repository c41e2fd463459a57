//! `data "aws_iam_policy_document"` turned into the IAM JSON shape (`Statement`, `Action`,
//! `Principal`, `Condition`...), so one reader handles it, `jsonencode({...})` and heredoc JSON.

use tollgate_syntax::Span;

use super::value::{Tv, TvKind};

/// Key of the converted document holding `source_policy_documents`.
pub const SOURCES: &str = "tollgate:SourcePolicyDocuments";
/// Key of the converted document holding `override_policy_documents`.
pub const OVERRIDES: &str = "tollgate:OverridePolicyDocuments";

/// Convert the evaluated body of an `aws_iam_policy_document` data source.
pub fn to_iam_json(body: &Tv) -> Tv {
    let span = body.span;
    let mut statements = Vec::new();
    for st in body.blocks("statement") {
        let mut out: Vec<(String, Span, Tv)> = Vec::new();
        let mut put = |key: &str, from: &str| {
            if let Some((ks, v)) = st.entry(from) {
                out.push((key.to_string(), ks, v.clone()));
            }
        };
        put("Sid", "sid");
        put("Action", "actions");
        put("NotAction", "not_actions");
        put("Resource", "resources");
        put("NotResource", "not_resources");
        match st.entry("effect") {
            Some((ks, v)) => out.push(("Effect".into(), ks, v.clone())),
            // The data source's default effect; spanned at the statement block.
            None => out.push(("Effect".into(), st.span, Tv::string(st.span, "Allow"))),
        }
        for (key, block) in [
            ("Principal", "principals"),
            ("NotPrincipal", "not_principals"),
        ] {
            let blocks = st.blocks(block);
            if blocks.is_empty() {
                continue;
            }
            let first_span = blocks[0].span;
            out.push((key.to_string(), first_span, principals(&blocks, first_span)));
        }
        let conditions = st.blocks("condition");
        if !conditions.is_empty() {
            out.push((
                "Condition".into(),
                conditions[0].span,
                condition(&conditions),
            ));
        }
        statements.push(Tv::new(st.span, TvKind::Object(out)));
    }
    let mut doc = vec![(
        "Version".to_string(),
        span,
        body.get("version")
            .cloned()
            .unwrap_or_else(|| Tv::string(span, "2012-10-17")),
    )];
    doc.push((
        "Statement".into(),
        span,
        Tv::new(span, TvKind::List(statements)),
    ));
    // Documents merged in by the data source; kept under keys no IAM reader looks at, and
    // resolved by the mapper, which can follow references to other documents.
    for (from, to) in [
        ("source_policy_documents", SOURCES),
        ("override_policy_documents", OVERRIDES),
    ] {
        if let Some((ks, v)) = body.entry(from) {
            doc.push((to.to_string(), ks, v.clone()));
        }
    }
    Tv::new(span, TvKind::Object(doc))
}

/// `principals { type = "AWS" identifiers = ["*"] }` blocks into `{"AWS": [...]}`; the type
/// `*` with identifier `*` is the IAM JSON `"Principal": "*"`.
fn principals(blocks: &[&Tv], span: Span) -> Tv {
    let mut out: Vec<(String, Span, Tv)> = Vec::new();
    for b in blocks {
        let Some((ts, ty)) = b.entry("type") else {
            continue;
        };
        let Some(ids) = b.get("identifiers") else {
            continue;
        };
        let Some(ty_name) = ty.as_str() else {
            return Tv::unknown(ty.span, "principal type is not known statically");
        };
        if ty_name == "*" {
            return Tv::new(ids.span, TvKind::String("*".into()));
        }
        match out.iter_mut().find(|(k, _, _)| k == ty_name) {
            Some((_, _, list)) => {
                if let (TvKind::List(have), TvKind::List(more)) = (&mut list.kind, &ids.kind) {
                    have.extend(more.iter().cloned());
                }
            }
            None => out.push((ty_name.to_string(), ts, ids.clone())),
        }
    }
    Tv::new(span, TvKind::Object(out))
}

/// `condition { test variable values }` blocks into `{"Bool": {"aws:SecureTransport": [...]}}`.
fn condition(blocks: &[&Tv]) -> Tv {
    let span = blocks[0].span;
    let mut out: Vec<(String, Span, Tv)> = Vec::new();
    for b in blocks {
        let (Some((ts, test)), Some(var), Some(values)) =
            (b.entry("test"), b.get("variable"), b.get("values"))
        else {
            continue;
        };
        let (Some(test), Some(var_name)) = (test.as_str(), var.as_str()) else {
            continue;
        };
        let item = (var_name.to_string(), var.span, values.clone());
        match out.iter_mut().find(|(k, _, _)| k == test) {
            Some((_, _, v)) => {
                if let TvKind::Object(entries) = &mut v.kind {
                    entries.push(item);
                }
            }
            None => out.push((
                test.to_string(),
                ts,
                Tv::new(b.span, TvKind::Object(vec![item])),
            )),
        }
    }
    Tv::new(span, TvKind::Object(out))
}
