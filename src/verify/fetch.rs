//! The one way the verifier reaches other hosts: http(s) only; no private, loopback,
//! link-local or multicast address unless allow-listed (`INSIGNE_FETCH_ALLOW`: host names or
//! CIDR ranges); the address checked is the address connected to (no DNS rebinding); a timeout,
//! a size cap and a redirect cap, every redirect checked again; answers cached briefly.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::resolve::{ResolveFuture, Resolved, Resolver};

const MAX_BYTES: usize = 2 * 1024 * 1024;
const MAX_REDIRECTS: usize = 5;
const TIMEOUT: Duration = Duration::from_secs(10);
const CACHE_FOR: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Allow {
    Host(String),
    Net(ipnet::IpNet),
}

/// Fetches documents from other hosts, guarded.
#[derive(Debug)]
pub struct GuardedFetcher {
    allow: Vec<Allow>,
    cache: Mutex<HashMap<String, (Instant, Resolved)>>,
}

impl GuardedFetcher {
    /// `allow`: host names or CIDR ranges that may be private or loopback.
    pub fn new(allow: &[String]) -> Self {
        let allow = allow
            .iter()
            .map(|a| match a.parse::<ipnet::IpNet>() {
                Ok(net) => Allow::Net(net),
                Err(_) => match a.parse::<IpAddr>() {
                    Ok(ip) => Allow::Net(ipnet::IpNet::from(ip)),
                    Err(_) => Allow::Host(a.trim().to_ascii_lowercase()),
                },
            })
            .collect();
        Self {
            allow,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.allow
            .iter()
            .any(|a| matches!(a, Allow::Host(h) if h == &host.to_ascii_lowercase()))
    }

    fn ip_allowed(&self, host: &str, ip: IpAddr) -> bool {
        public(ip)
            || self.host_allowed(host)
            || self
                .allow
                .iter()
                .any(|a| matches!(a, Allow::Net(n) if n.contains(&ip)))
    }

    /// The URL of a did:web document (http first for allow-listed hosts, as tests serve them).
    fn did_web_urls(&self, did: &str) -> Vec<String> {
        let mut parts = did
            .trim_start_matches("did:web:")
            .split(':')
            .map(|p| p.replace("%3A", ":").replace("%3a", ":"));
        let Some(host) = parts.next() else {
            return Vec::new();
        };
        let path: Vec<String> = parts.collect();
        let tail = if path.is_empty() {
            "/.well-known/did.json".to_string()
        } else {
            format!("/{}/did.json", path.join("/"))
        };
        let bare_host = host.split(':').next().unwrap_or(&host).to_string();
        let mut urls = vec![format!("https://{host}{tail}")];
        if self.host_allowed(&bare_host)
            || bare_host
                .parse::<IpAddr>()
                .is_ok_and(|ip| self.ip_allowed(&bare_host, ip) && !public(ip))
        {
            urls.insert(0, format!("http://{host}{tail}"));
        }
        urls
    }

    async fn fetch(&self, url: &str) -> Resolved {
        if let Ok(cache) = self.cache.lock() {
            if let Some((at, r)) = cache.get(url) {
                if at.elapsed() < CACHE_FOR {
                    return r.clone();
                }
            }
        }
        let result = if url.starts_with("did:web:") {
            let mut last = Resolved::NotFound;
            for candidate in self.did_web_urls(url) {
                last = self.fetch_url(&candidate).await;
                if matches!(last, Resolved::Json(_)) {
                    break;
                }
            }
            last
        } else {
            self.fetch_url(url).await
        };
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 1000 {
                cache.clear();
            }
            cache.insert(url.to_string(), (Instant::now(), result.clone()));
        }
        result
    }

    async fn fetch_url(&self, start: &str) -> Resolved {
        let mut url = start.to_string();
        for _ in 0..=MAX_REDIRECTS {
            let parsed = match url::Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => u,
                _ => {
                    return Resolved::Unavailable(format!("{url}: only http and https are fetched"))
                }
            };
            let Some(host) = parsed
                .host_str()
                .map(|h| h.trim_matches(['[', ']']).to_string())
            else {
                return Resolved::Unavailable(format!("{url} has no host"));
            };
            let port = parsed.port_or_known_default().unwrap_or(443);
            let addrs: Vec<SocketAddr> =
                match tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((host.as_str(), port)))
                    .await
                {
                    Ok(Ok(a)) => a.collect(),
                    _ => return Resolved::Unavailable(format!("{host} cannot be resolved")),
                };
            let Some(addr) = addrs
                .iter()
                .find(|a| self.ip_allowed(&host, a.ip()))
                .copied()
            else {
                return Resolved::Unavailable(format!(
                    "{host} is a private, loopback, link-local or multicast address, not allow-listed (INSIGNE_FETCH_ALLOW)"
                ));
            };
            // The connection goes to the address just checked, whatever DNS says next.
            let client = match reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(TIMEOUT)
                .connect_timeout(Duration::from_secs(5))
                .resolve(&host, addr)
                .build()
            {
                Ok(c) => c,
                Err(e) => return Resolved::Unavailable(format!("no HTTP client: {e}")),
            };
            let mut response = match client
                .get(parsed.clone())
                .header(
                    "accept",
                    "application/ld+json, application/json, application/did+json, text/plain",
                )
                .send()
                .await
            {
                Ok(r) => r,
                Err(e) => return Resolved::Unavailable(format!("{url} cannot be fetched: {e}")),
            };
            let status = response.status();
            if status.is_redirection() {
                let Some(next) = response
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| parsed.join(l).ok())
                else {
                    return Resolved::Unavailable(format!("{url} redirects nowhere"));
                };
                url = next.to_string();
                continue;
            }
            let html = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            let mut body = Vec::new();
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        if body.len() + chunk.len() > MAX_BYTES {
                            return Resolved::Unavailable(format!("{url} is larger than 2 MiB"));
                        }
                        body.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => return Resolved::Unavailable(format!("{url}: {e}")),
                }
            }
            if status.as_u16() == 200 && html {
                let page = String::from_utf8_lossy(&body);
                return Resolved::Page(super::resolve::alternate_json_ld(&page, &url));
            }
            let json = serde_json::from_slice::<Value>(&body);
            return match (status.as_u16(), json) {
                (200, Ok(doc)) => Resolved::Json(doc),
                (410, Ok(doc)) => Resolved::Gone(doc),
                (404, _) => Resolved::NotFound,
                (code, _) => {
                    Resolved::Unavailable(format!("{url} answered {code} without a JSON document"))
                }
            };
        }
        Resolved::Unavailable(format!("{start}: more than {MAX_REDIRECTS} redirects"))
    }
}

impl Resolver for GuardedFetcher {
    fn get<'a>(&'a self, url: &'a str) -> ResolveFuture<'a> {
        Box::pin(self.fetch(url.split('#').next().unwrap_or(url)))
    }
}

/// Whether an address is on the public internet.
fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // carrier-grade NAT
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80) // link-local
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_unless_allowed() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "169.254.169.254",
            "::1",
            "fe80::1",
            "fd00::1",
            "224.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!public(ip.parse().expect("ip")), "{ip}");
        }
        assert!(public("93.184.216.34".parse().expect("ip")));
        let f = GuardedFetcher::new(&["127.0.0.0/8".into(), "badges.test".into()]);
        assert!(f.ip_allowed("x", "127.0.0.2".parse().expect("ip")));
        assert!(!f.ip_allowed("x", "169.254.169.254".parse().expect("ip")));
        assert!(f.ip_allowed("badges.test", "10.0.0.1".parse().expect("ip")));
    }

    #[tokio::test]
    async fn refuses_what_it_must_not_fetch() {
        let f = GuardedFetcher::new(&[]);
        for url in [
            "file:///etc/passwd",
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.1:9/x",
            "gopher://example.org/",
        ] {
            assert!(
                matches!(f.fetch(url).await, Resolved::Unavailable(_)),
                "{url}"
            );
        }
    }
}
