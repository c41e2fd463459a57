//! Custom domains of the `serverless-domain-manager` plugin (`custom.customDomain`, or the
//! `custom.customDomains` list): the domain and its TLS security policy. The plugin's default
//! policy is TLS 1.2.

use super::Service;
use crate::adapters::terraform::mapper::string;
use crate::adapters::terraform::value::Tv;
use crate::model::{CloudModel, DomainName, Val};

pub fn map(svc: &Service<'_>, model: &mut CloudModel) {
    let Some(custom) = svc.root.get("custom").filter(|c| c.as_object().is_some()) else {
        return;
    };
    let mut domains: Vec<(tollgate_syntax::Span, &Tv)> = Vec::new();
    if let Some((span, d)) = custom.entry("customDomain") {
        domains.push((span, d));
    }
    if let Some((_, list)) = custom.entry("customDomains") {
        for item in list.as_list().unwrap_or_default() {
            // Each entry is `{rest: {...}}`, `{http: {...}}` or the settings themselves.
            let inner = item
                .as_object()
                .and_then(|o| match o {
                    [(k, _, v)] if matches!(k.as_str(), "rest" | "http" | "websocket") => Some(v),
                    _ => None,
                })
                .unwrap_or(item);
            domains.push((item.span, inner));
        }
    }
    for (header, d) in domains {
        if d.as_object().is_none() {
            continue;
        }
        let policy = match d.get("securityPolicy") {
            Some(p) => string(Some(p)).map(|p| match p.to_ascii_lowercase().as_str() {
                "tls_1_0" => "TLS_1_0".to_string(),
                "tls_1_2" => "TLS_1_2".to_string(),
                _ => p,
            }),
            None => Val::known("TLS_1_2".into(), header),
        };
        model.domain_names.push(DomainName {
            meta: svc.meta("customDomain", "AWS::ApiGateway::DomainName", header),
            name: string(d.get("domainName")),
            security_policy: policy,
        });
    }
}
