//! Which proxy a network call goes through, decided in one place for every client tollgate has
//! (the GitHub publisher and the advisory database download), from the environment variables
//! curl reads and with curl's rules: `https_proxy`/`HTTPS_PROXY` for `https://` URLs,
//! `http_proxy`/`HTTP_PROXY` for `http://` URLs, `all_proxy`/`ALL_PROXY` for either, and
//! `no_proxy`/`NO_PROXY` for what goes direct (see [`ProxyEnv::proxy_for`]).
//!
//! A proxy URL may carry `user:password@`; it is never displayed with them ([`ProxyUrl`]'s
//! `Display` and `Debug` print `***`), and [`redact`] scrubs them from any text that quotes a
//! URL, such as an HTTP library's error message.

use std::fmt;
use std::net::IpAddr;

#[cfg(feature = "test-support")]
pub mod test_support;

/// A proxy variable that cannot be used. The value is shown with its credentials redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("${variable} is not a usable proxy (`{value}`): {reason}")]
pub struct ProxyError {
    pub variable: String,
    pub value: String,
    pub reason: String,
}

/// An HTTP proxy: where to open the `CONNECT` tunnel, and the credentials to send.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    host: String,
    port: u16,
    user: Option<String>,
    password: Option<String>,
}

/// The port curl assumes for a proxy URL without one.
pub const DEFAULT_PROXY_PORT: u16 = 1080;

impl ProxyUrl {
    /// `http://[user[:password]@]host[:port][/]`; the scheme may be left out. Credentials are
    /// percent-decoded. The error says what is wrong, without repeating the value.
    pub fn parse(text: &str) -> Result<ProxyUrl, String> {
        let text = text.trim();
        let rest = match text.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => {
                return Err(format!(
                    "the `{}` scheme is not supported; hint: give an http:// proxy (connections to the destination are tunnelled with CONNECT, so TLS stays end to end)",
                    visible(scheme)
                ))
            }
            None => text,
        };
        let (userinfo, hostport) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let hostport = hostport.split(['/', '?', '#']).next().unwrap_or_default();
        let (host, port) = split_host_port(hostport).ok_or("expected host[:port]")?;
        if host.is_empty() {
            return Err("no host".to_string());
        }
        let (user, password) = match userinfo {
            Some(info) => {
                let (user, password) = info.split_once(':').unwrap_or((info, ""));
                (Some(percent_decode(user)), Some(percent_decode(password)))
            }
            None => (None, None),
        };
        Ok(ProxyUrl {
            host: host.to_ascii_lowercase(),
            port: port.unwrap_or(DEFAULT_PROXY_PORT),
            user,
            password,
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `host:port`, an IPv6 address in brackets.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// User name and password, for `Proxy-Authorization: Basic`.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        self.user
            .as_deref()
            .map(|u| (u, self.password.as_deref().unwrap_or_default()))
    }

    /// The URL with its credentials, for an HTTP library that takes the proxy as a URL. Never
    /// print it: print the `ProxyUrl` itself.
    pub fn url_with_credentials(&self) -> String {
        match self.credentials() {
            Some((user, password)) => format!(
                "http://{}:{}@{}",
                percent_encode(user),
                percent_encode(password),
                self.authority()
            ),
            None => format!("http://{}", self.authority()),
        }
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = if self.user.is_some() { "***@" } else { "" };
        write!(f, "http://{auth}{}", self.authority())
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({self})")
    }
}

/// The proxy settings of the environment, read once.
#[derive(Clone, Default)]
pub struct ProxyEnv {
    /// (variable name, value) of the first set variable of each kind.
    http: Option<(String, String)>,
    https: Option<(String, String)>,
    all: Option<(String, String)>,
    no_proxy: Vec<NoProxyEntry>,
}

impl fmt::Debug for ProxyEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<(String, String)>| {
            v.as_ref()
                .map(|(name, value)| format!("{name}={}", redact_value(value)))
        };
        f.debug_struct("ProxyEnv")
            .field("http", &show(&self.http))
            .field("https", &show(&self.https))
            .field("all", &show(&self.all))
            .field("no_proxy", &self.no_proxy.len())
            .finish()
    }
}

impl ProxyEnv {
    /// No proxy for anything.
    pub fn none() -> ProxyEnv {
        ProxyEnv::default()
    }

    /// From the process environment.
    pub fn from_env() -> ProxyEnv {
        ProxyEnv::from_vars(|name| std::env::var(name).ok())
    }

    /// From variables read through `var` (tests pass a map). The lowercase name is read first,
    /// as curl does; an empty value counts as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let first = |names: [&str; 2]| {
            names.iter().find_map(|name| {
                var(name)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (name.to_string(), v))
            })
        };
        let no_proxy = first(["no_proxy", "NO_PROXY"])
            .map(|(_, list)| {
                list.split([',', ' ', '\t'])
                    .filter_map(NoProxyEntry::parse)
                    .collect()
            })
            .unwrap_or_default();
        ProxyEnv {
            http: first(["http_proxy", "HTTP_PROXY"]),
            https: first(["https_proxy", "HTTPS_PROXY"]),
            all: first(["all_proxy", "ALL_PROXY"]),
            no_proxy,
        }
    }

    /// Whether any proxy variable is set (then the clients need their proxy-aware setup).
    pub fn is_set(&self) -> bool {
        self.http.is_some() || self.https.is_some() || self.all.is_some()
    }

    /// The proxy for `url`, or `None` to connect directly: when the URL's host (and port) is
    /// listed in `NO_PROXY`, when no variable applies to its scheme, or for a URL that is not
    /// `http(s)://`. A variable that is set but unusable is an error, not a silent direct
    /// connection: on a network that needs the proxy that would only time out.
    pub fn proxy_for(&self, url: &str) -> Result<Option<ProxyUrl>, ProxyError> {
        let Some(target) = Target::parse(url) else {
            return Ok(None);
        };
        if self
            .no_proxy
            .iter()
            .any(|e| e.matches(&target.host, target.port))
        {
            return Ok(None);
        }
        let chosen = match target.scheme.as_str() {
            "https" => self.https.as_ref().or(self.all.as_ref()),
            "http" => self.http.as_ref().or(self.all.as_ref()),
            _ => None,
        };
        chosen
            .map(|(variable, value)| {
                ProxyUrl::parse(value).map_err(|reason| ProxyError {
                    variable: variable.clone(),
                    value: redact_value(value),
                    reason,
                })
            })
            .transpose()
    }
}

/// Where a request goes: scheme, host (lowercase, IPv6 without brackets) and port.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    scheme: String,
    host: String,
    port: u16,
}

impl Target {
    fn parse(url: &str) -> Option<Target> {
        let (scheme, rest) = url.trim().split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = split_host_port(hostport)?;
        Some(Target {
            scheme,
            host: host.trim_end_matches('.').to_ascii_lowercase(),
            port: port.unwrap_or(default_port),
        })
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` -> (host without brackets, port). `None` when a
/// port is given but is not a number.
fn split_host_port(text: &str) -> Option<(&str, Option<u16>)> {
    if let Some(inner) = text.strip_prefix('[') {
        let (host, after) = inner.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, Some(port.parse().ok()?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match text.rsplit_once(':') {
        // More than one colon without brackets: a bare IPv6 address.
        Some((host, _)) if host.contains(':') => Some((text, None)),
        Some((host, port)) => Some((host, Some(port.parse().ok()?))),
        None => Some((text, None)),
    }
}

/// One `NO_PROXY` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum NoProxyEntry {
    /// `*`
    All,
    /// A host name and its subdomains.
    Domain { name: String, port: Option<u16> },
    /// An address or a CIDR block.
    Network {
        addr: IpAddr,
        prefix: u8,
        port: Option<u16>,
    },
}

impl NoProxyEntry {
    fn parse(text: &str) -> Option<NoProxyEntry> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if text == "*" {
            return Some(NoProxyEntry::All);
        }
        // `10.0.0.0/8`, `::1`, `fd00::/8`: an address first, as a bare IPv6 one has colons.
        if let Some((addr, prefix)) = parse_network(text) {
            return Some(NoProxyEntry::Network {
                addr,
                prefix,
                port: None,
            });
        }
        let (host, port) = match text.strip_prefix('[') {
            Some(inner) => {
                let (addr, after) = inner.split_once(']')?;
                let port = match after.strip_prefix(':') {
                    Some(p) => Some(p.parse().ok()?),
                    None => None,
                };
                let (addr, prefix) = parse_network(addr)?;
                return Some(NoProxyEntry::Network { addr, prefix, port });
            }
            None => match text.rsplit_once(':') {
                Some((host, port)) => (host, Some(port.parse::<u16>().ok()?)),
                None => (text, None),
            },
        };
        if let Some((addr, prefix)) = parse_network(host) {
            return Some(NoProxyEntry::Network { addr, prefix, port });
        }
        // `.example.com` and `*.example.com` mean what `example.com` means to curl.
        let name = host
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        (!name.is_empty()).then_some(NoProxyEntry::Domain { name, port })
    }

    fn matches(&self, host: &str, port: u16) -> bool {
        match self {
            NoProxyEntry::All => true,
            NoProxyEntry::Domain { name, port: p } => {
                p.is_none_or(|p| p == port)
                    && (host == name
                        || host
                            .strip_suffix(name.as_str())
                            .is_some_and(|sub| sub.ends_with('.')))
            }
            NoProxyEntry::Network {
                addr,
                prefix,
                port: p,
            } => {
                p.is_none_or(|p| p == port)
                    && host
                        .parse::<IpAddr>()
                        .is_ok_and(|ip| in_network(ip, *addr, *prefix))
            }
        }
    }
}

/// `addr` or `addr/prefix`, the prefix within the address's length.
fn parse_network(text: &str) -> Option<(IpAddr, u8)> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
        None => (text, None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(max);
    (prefix <= max).then_some((addr, prefix))
}

fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    let (ip, net, bits) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a) as u128, u32::from(b) as u128, 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    if prefix == 0 {
        return true;
    }
    let shift = bits - u32::from(prefix);
    (ip >> shift) == (net >> shift)
}

/// A proxy variable's value with any `user:password@` replaced by `***@`.
fn redact_value(value: &str) -> String {
    match value.rfind('@') {
        Some(at) => {
            let scheme = value
                .find("://")
                .filter(|&i| i < at)
                .map_or("", |i| &value[..i + 3]);
            format!("{scheme}***@{}", visible(&value[at + 1..]))
        }
        None => visible(value),
    }
}

/// `text` with the credentials of every URL it quotes (`scheme://user:password@host`) replaced
/// by `***`: for messages from HTTP libraries, which may print the proxy URL they were given.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c.is_whitespace() || matches!(c, '"' | '\'' | '>' | ')'))
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Control characters never reach a message.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyEnv::from_vars(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    fn via(env: &ProxyEnv, url: &str) -> Option<String> {
        env.proxy_for(url).unwrap().map(|p| p.authority())
    }

    #[test]
    fn scheme_picks_the_variable_and_all_proxy_is_the_fallback() {
        let e = env(&[
            ("HTTPS_PROXY", "http://secure:3128"),
            ("http_proxy", "plain:8080"),
            ("HTTP_PROXY", "ignored:1"),
        ]);
        assert_eq!(
            via(&e, "https://api.github.com/repos"),
            Some("secure:3128".into())
        );
        assert_eq!(
            via(&e, "http://ghe.local/api/v3"),
            Some("plain:8080".into())
        );
        let all = env(&[("ALL_PROXY", "http://all")]);
        assert_eq!(via(&all, "https://x.test"), Some("all:1080".into()));
        assert_eq!(via(&all, "http://x.test"), Some("all:1080".into()));
        assert_eq!(via(&env(&[]), "https://x.test"), None);
        assert_eq!(via(&all, "ftp://x.test"), None);
        assert!(!env(&[("NO_PROXY", "*")]).is_set() && all.is_set());
    }

    #[test]
    fn no_proxy_follows_curl() {
        let e = env(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("HTTP_PROXY", "http://proxy:3128"),
            (
                "no_proxy",
                "example.com, .internal.test,*.corp.test 10.0.0.0/8,::1,[fd00::5]:8443,ghe.local:8443,192.168.1.7",
            ),
        ]);
        for direct in [
            "https://example.com/",
            "https://api.example.com/",
            "https://a.b.internal.test",
            "https://internal.test",
            "https://git.corp.test",
            "http://10.1.2.3:8080/x",
            "http://[::1]:9/",
            "https://[fd00::5]:8443/",
            "https://ghe.local:8443/api/v3",
            "http://192.168.1.7/",
            "https://EXAMPLE.com./",
        ] {
            assert_eq!(via(&e, direct), None, "{direct}");
        }
        for proxied in [
            "https://notexample.com/",
            "https://example.com.evil.test/",
            "https://ghe.local/api/v3",
            "http://11.0.0.1/",
            "https://[fd00::5]/",
            "http://192.168.1.8/",
        ] {
            assert_eq!(via(&e, proxied), Some("proxy:3128".into()), "{proxied}");
        }
        let everything = env(&[("HTTPS_PROXY", "proxy:1"), ("NO_PROXY", "*")]);
        assert_eq!(via(&everything, "https://api.github.com"), None);
    }

    #[test]
    fn credentials_are_used_and_never_shown() {
        let e = env(&[("HTTPS_PROXY", "http://al%40ice:s3cr%3At@proxy.corp:3128/")]);
        let p = e.proxy_for("https://api.github.com").unwrap().unwrap();
        assert_eq!(p.credentials(), Some(("al@ice", "s3cr:t")));
        assert_eq!(p.to_string(), "http://***@proxy.corp:3128");
        assert_eq!(format!("{p:?}"), "ProxyUrl(http://***@proxy.corp:3128)");
        assert_eq!(
            p.url_with_credentials(),
            "http://al%40ice:s3cr%3At@proxy.corp:3128"
        );
        assert!(!format!("{e:?}").contains("s3cr"), "{e:?}");
        assert_eq!(
            redact("connect to http://u:pw@proxy:3128/ failed; see https://docs.test/x"),
            "connect to http://***@proxy:3128/ failed; see https://docs.test/x"
        );
    }

    #[test]
    fn unusable_proxies_are_errors_that_hide_the_password() {
        let e = env(&[("https_proxy", "socks5://bob:hunter2@proxy:1080")]);
        let err = e.proxy_for("https://api.github.com").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("$https_proxy") && text.contains("`socks5` scheme is not supported"),
            "{text}"
        );
        assert!(!text.contains("hunter2") && text.contains("socks5://***@proxy:1080"));
        let bad_port = env(&[("HTTPS_PROXY", "http://proxy:port")]);
        assert!(bad_port.proxy_for("https://x.test").is_err());
        // NO_PROXY is consulted first: a bypassed host never needs the proxy.
        let bypassed = env(&[("HTTPS_PROXY", "http://proxy:port"), ("NO_PROXY", "x.test")]);
        assert_eq!(bypassed.proxy_for("https://x.test").unwrap(), None);
    }
}
