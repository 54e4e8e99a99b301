//! Service base URLs and the rule that they must be https, except on loopback.
//!
//! A base URL is where Topup sends credentials, so it is checked once, here, and
//! carried as a [`BaseUrl`] afterwards: code holding one never re-validates.

use std::fmt;
use std::net::IpAddr;

use serde::{Serialize, Serializer};
use url::{Host, Url};

/// Why a typed service address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BaseUrlError {
    #[error("Enter the service's address, for example https://backend.example.com/api/v1.")]
    Empty,
    #[error("“{0}” is not a web address. Start it with https://.")]
    NotAUrl(String),
    #[error("Only https:// addresses are accepted, not {0}:.")]
    UnsupportedScheme(String),
    #[error("Plain http:// is only allowed for this computer (localhost). Use https://.")]
    InsecureHttp,
    #[error("Remove the user name or password from the address; Topup asks for them separately.")]
    HasCredentials,
    #[error("Remove the “?…” or “#…” part from the address.")]
    HasQueryOrFragment,
}

/// A validated service base URL: `https`, or `http` to a loopback host, with no
/// credentials, query or fragment, and no trailing slash.
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = String))]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// Checks what a person typed (or a preset holds) and normalises it.
    pub fn parse(input: &str) -> Result<Self, BaseUrlError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(BaseUrlError::Empty);
        }
        let url = Url::parse(trimmed).map_err(|_| BaseUrlError::NotAUrl(trimmed.to_owned()))?;
        let secure = match url.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(BaseUrlError::UnsupportedScheme(other.to_owned())),
        };
        // The url crate rejects http(s) URLs without a host, so this only guards the invariant.
        let host = url
            .host()
            .ok_or_else(|| BaseUrlError::NotAUrl(trimmed.to_owned()))?;
        if !secure && !is_loopback(&host) {
            return Err(BaseUrlError::InsecureHttp);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(BaseUrlError::HasCredentials);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(BaseUrlError::HasQueryOrFragment);
        }
        let mut url = url;
        let path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&path);
        Ok(Self(url))
    }

    /// Whether the host is this machine. Loopback services may use plain http
    /// and are the only ones whose own origin may serve a checkout page.
    pub fn is_loopback(&self) -> bool {
        self.0.host().is_some_and(|h| is_loopback(&h))
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// The URL as text, without a trailing slash (`https://host/api/v1`).
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({})", self.as_str())
    }
}

impl Serialize for BaseUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::str::FromStr for BaseUrl {
    type Err = BaseUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_accepted_and_normalised() {
        let url = BaseUrl::parse("  https://backend.clara.crazi.co/api/v1/ ").unwrap();
        assert_eq!(url.as_str(), "https://backend.clara.crazi.co/api/v1");
        assert!(!url.is_loopback());
        let root = BaseUrl::parse("https://api.dispersed.com").unwrap();
        assert_eq!(root.as_str(), "https://api.dispersed.com");
    }

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:8080/api/v1",
            "http://127.9.9.9",
            "http://localhost:3000",
            "http://[::1]:9000",
        ] {
            let url = BaseUrl::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(url.is_loopback(), "{ok}");
        }
        for bad in [
            "http://backend.clara.crazi.co/api/v1",
            "http://192.168.1.10",
            "http://localhost.evil.example",
            "http://127.0.0.1.nip.io",
        ] {
            assert_eq!(
                BaseUrl::parse(bad),
                Err(BaseUrlError::InsecureHttp),
                "{bad}"
            );
        }
    }

    #[test]
    fn each_refusal_has_its_reason() {
        assert_eq!(BaseUrl::parse("   "), Err(BaseUrlError::Empty));
        assert!(matches!(
            BaseUrl::parse("backend.example.com"),
            Err(BaseUrlError::NotAUrl(_))
        ));
        assert_eq!(
            BaseUrl::parse("ftp://example.com"),
            Err(BaseUrlError::UnsupportedScheme("ftp".into()))
        );
        assert_eq!(
            BaseUrl::parse("javascript:alert(1)"),
            Err(BaseUrlError::UnsupportedScheme("javascript".into()))
        );
        assert_eq!(
            BaseUrl::parse("https://user:pw@example.com"),
            Err(BaseUrlError::HasCredentials)
        );
        assert_eq!(
            BaseUrl::parse("https://example.com/api?x=1"),
            Err(BaseUrlError::HasQueryOrFragment)
        );
        assert_eq!(
            BaseUrl::parse("https://example.com/#top"),
            Err(BaseUrlError::HasQueryOrFragment)
        );
    }

    #[test]
    fn serializes_as_plain_text() {
        let url = BaseUrl::parse("https://example.com/api/").unwrap();
        assert_eq!(
            serde_json::to_string(&url).unwrap(),
            "\"https://example.com/api\""
        );
    }
}
