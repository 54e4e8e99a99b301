//! The hand-off policy: which URLs Topup will open in the browser. A checkout
//! page must be https on `checkout.stripe.com` (a portal on
//! `billing.stripe.com`), or on an origin the account explicitly allows; a
//! loopback origin only for an account whose own base URL is loopback.
//! Anything else is refused with the reason, and nothing is opened.

use url::{Host, Url};

use crate::error::{Error, Result};

/// Longer URLs are refused: real Checkout links are well under 1 KB.
pub const MAX_URL_LEN: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Checkout,
    Portal,
}

impl Page {
    fn stripe_host(self) -> &'static str {
        match self {
            Self::Checkout => "checkout.stripe.com",
            Self::Portal => "billing.stripe.com",
        }
    }
}

/// What an account allows besides Stripe's own hosts.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Extra origins (`https://pay.example.com`, or for a loopback account
    /// `http://127.0.0.1:8787`), from the account's settings.
    pub extra_origins: Vec<String>,
    /// Whether the account's base URL is loopback (a local server or the Sandbox).
    pub loopback_account: bool,
}

/// A URL as safe to show in a message: no credentials, not too long.
fn shown(raw: &str) -> String {
    let cleaned = match Url::parse(raw) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => raw.to_owned(),
    };
    let mut s: String = cleaned
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    if cleaned.chars().count() > 80 {
        s.push('…');
    }
    format!("“{s}”")
}

fn refuse(raw: &str, reason: &str) -> Error {
    Error::CheckoutUrlRefused {
        shown: shown(raw),
        reason: reason.to_owned(),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Reads the extra origins an account allows from the text as typed (one
/// per line, or separated by spaces or commas): each checked by
/// [`parse_origin`], duplicates kept once.
pub fn parse_origins(text: &str) -> Result<Vec<String>> {
    let mut origins: Vec<String> = Vec::new();
    let typed = text.split(|c: char| c.is_whitespace() || c == ',');
    for typed in typed.filter(|o| !o.is_empty()) {
        let origin = parse_origin(typed)?;
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}

/// Reads an extra checkout origin from an account's settings
/// (`https://pay.example.com`, `http://127.0.0.1:8787`) into its canonical form.
pub fn parse_origin(raw: &str) -> Result<String> {
    let invalid = || Error::InvalidCheckoutOrigin { shown: shown(raw) };
    let url = Url::parse(raw.trim()).map_err(|_| invalid())?;
    let host = url.host().ok_or_else(invalid)?;
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&host));
    if !bare || !scheme_ok {
        return Err(invalid());
    }
    Ok(url.origin().ascii_serialization())
}

/// The account setting that holds the extra origins, as the settings screen
/// names it.
pub const ORIGINS_SETTING: &str = "Checkout pages may also open on";

impl Policy {
    /// What to tell the person when an account is added or its settings are
    /// saved, where its checkout pages may not open: an account on this
    /// computer allows no origin on this computer (so a local server's own
    /// checkout stand-in would be refused at every Buy), or an account
    /// elsewhere lists origins on this computer (which are never used).
    pub fn setup_note(&self) -> Option<String> {
        let local = |o: &&String| {
            Url::parse(o)
                .ok()
                .is_some_and(|u| u.host().is_some_and(|h| is_loopback(&h)))
        };
        let local_origins: Vec<&String> = self.extra_origins.iter().filter(local).collect();
        if self.loopback_account && local_origins.is_empty() {
            return Some(format!(
                "This account's server is on this computer. Checkout pages on checkout.stripe.com \
                 open as usual; if its checkout pages are on this computer too, add their origin \
                 (such as http://127.0.0.1:8787) to “{ORIGINS_SETTING}”, or Topup will refuse \
                 to open them."
            ));
        }
        if !self.loopback_account && !local_origins.is_empty() {
            let listed: Vec<&str> = local_origins.iter().map(|o| o.as_str()).collect();
            return Some(format!(
                "{} will never be opened: pages on this computer open only for an account whose \
                 server is on this computer.",
                listed.join(", ")
            ));
        }
        None
    }

    /// The URL to open, or why not.
    pub fn check(&self, raw: &str, page: Page) -> Result<Url> {
        if raw.len() > MAX_URL_LEN {
            return Err(refuse(raw, "the link is too long"));
        }
        if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(refuse(
                raw,
                "the link contains spaces or control characters",
            ));
        }
        let url = Url::parse(raw).map_err(|_| refuse(raw, "it is not a web address"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse(raw, "the link carries a user name or password"));
        }
        let host = url.host().ok_or_else(|| refuse(raw, "it has no host"))?;
        let origin = url.origin().ascii_serialization();
        let allowed_extra = self
            .extra_origins
            .iter()
            .any(|o| o.trim_end_matches('/') == origin);
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {
                if !self.loopback_account {
                    return Err(refuse(
                        raw,
                        "a page on this computer is only opened for an account on this computer",
                    ));
                }
                if !allowed_extra {
                    // A page on this computer is the one case Topup names the
                    // setting for: a public origin is never one click from trusted.
                    return Err(refuse(
                        raw,
                        &format!(
                            "{origin} is not among this account's checkout origins. If that page is \
                             yours, add {origin} to “{ORIGINS_SETTING}” in the account's settings"
                        ),
                    ));
                }
                return Ok(url);
            }
            "http" => return Err(refuse(raw, "it is not a secure (https) address")),
            other => return Err(refuse(raw, &format!("“{other}:” links are never opened"))),
        }
        let stripe = matches!(&host, Host::Domain(d) if d.eq_ignore_ascii_case(page.stripe_host()))
            && url.port().is_none();
        if stripe || (allowed_extra && (!is_loopback(&host) || self.loopback_account)) {
            return Ok(url);
        }
        Err(refuse(
            raw,
            &format!(
                "it is not on {} or an address this account allows",
                page.stripe_host()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn the_origins_text_is_read_as_typed_in_one_place() {
        assert_eq!(
            parse_origins("https://pay.example.com\n\n  https://b.example.com, http://127.0.0.1:8787 https://pay.example.com/\t")
                .unwrap(),
            [
                "https://pay.example.com",
                "https://b.example.com",
                "http://127.0.0.1:8787"
            ]
        );
        assert_eq!(parse_origins(" \n, ").unwrap(), Vec::<String>::new());
        assert_eq!(
            parse_origins("https://pay.example.com\nhttp://pay.example.com")
                .unwrap_err()
                .code(),
            ErrorCode::InvalidCheckoutOrigin
        );
    }

    fn stripe_only() -> Policy {
        Policy::default()
    }

    #[test]
    fn a_local_account_hears_at_setup_what_its_checkout_pages_need() {
        let local = Policy {
            extra_origins: vec![],
            loopback_account: true,
        };
        let note = local.setup_note().unwrap();
        assert!(note.contains("“Checkout pages may also open on”"), "{note}");
        let allowed = Policy {
            extra_origins: vec!["http://127.0.0.1:8787".into()],
            loopback_account: true,
        };
        assert_eq!(allowed.setup_note(), None);
        let remote = Policy {
            extra_origins: vec![
                "http://127.0.0.1:8787".into(),
                "https://pay.example.com".into(),
            ],
            loopback_account: false,
        };
        assert_eq!(
            remote.setup_note().unwrap(),
            "http://127.0.0.1:8787 will never be opened: pages on this computer open only for an \
             account whose server is on this computer."
        );
        assert_eq!(stripe_only().setup_note(), None);

        // Refused at a Buy: the exact origin and the exact setting.
        let err = local
            .check("http://127.0.0.1:8787/c/pay/cs_1", Page::Checkout)
            .unwrap_err();
        assert!(
            err.to_string().contains(
                "http://127.0.0.1:8787 is not among this account's checkout origins. If that page \
                 is yours, add http://127.0.0.1:8787 to “Checkout pages may also open on”"
            ),
            "{err}"
        );
    }

    #[test]
    fn extra_origins_are_bare_https_or_loopback_origins() {
        assert_eq!(
            parse_origin(" https://Pay.Example.com/ ").unwrap(),
            "https://pay.example.com"
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8787").unwrap(),
            "http://127.0.0.1:8787"
        );
        for bad in [
            "http://pay.example.com",
            "https://pay.example.com/checkout",
            "https://pay.example.com/?x=1",
            "https://user:pw@pay.example.com",
            "javascript:alert(1)",
            "pay.example.com",
            "",
        ] {
            assert_eq!(
                parse_origin(bad).unwrap_err().code(),
                ErrorCode::InvalidCheckoutOrigin,
                "{bad}"
            );
        }
    }

    #[test]
    fn stripe_pages_open() {
        let p = stripe_only();
        let real = "https://checkout.stripe.com/c/pay/cs_test_b1VbQddiB8glIwXq9TJrqDwnrHm4ukkRV1VewkBbb7Zq96ms5HYfqBYMe2#fidnandhYHdWcXxpYCc%2FJ2FgY2RwaXEnKSdqd2xibGtGamtxYH1xJz8ncmBnJyknZHVsTmB8Jz8ndW5acWB2cVowNFZDdzdoTnJcazB3T3U8S2YwMmtNZH1Kd1djUEtfYWpzQ1ZBQ3UwYTcwfX1GVzZNMTx8dUtjM0Y9Y19Qb1dMSHxPSkZMVnJMNDJvME5QcEZnXDQxQ31pQjU1NEhddGNsQFEnKSdjd2poVmB3c2B3Jz9xd3BgKSdnZGZuYndqcGthRmppancnPycmY2NjY2NjJyknaWR8anBxUXx1YCc%2FJ2hwaXFsWmxxYGgnKSdga2RnaWBVaWRmYG1qaWFgd3YnP3F3cGB4JSUl";
        assert!(p.check(real, Page::Checkout).is_ok());
        assert!(p
            .check("https://CHECKOUT.stripe.com/c/pay/cs_1", Page::Checkout)
            .is_ok());
        assert!(p
            .check("https://billing.stripe.com/p/session/test_x", Page::Portal)
            .is_ok());
        assert!(
            p.check(
                "https://billing.stripe.com/p/session/test_x",
                Page::Checkout
            )
            .is_err(),
            "a portal host is not a checkout"
        );
    }

    /// Hostile links: none is opened, each says why.
    #[test]
    fn hostile_urls_are_refused() {
        let p = stripe_only();
        let long = format!("https://checkout.stripe.com/c/pay/{}", "a".repeat(5000));
        let table = [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://checkout.stripe.com/c/pay/cs_1",
            "https://user:pw@checkout.stripe.com/c/pay/cs_1",
            "https://checkout.stripe.com@evil.example/c/pay",
            "https://checkout.stripe.com.evil.example/c/pay/cs_1",
            "https://evil.example/checkout.stripe.com/c/pay",
            "https://checkout-stripe.com/c/pay/cs_1",
            "https://checkout.stripe.co/c/pay/cs_1",
            "https://xn--checkut-2jf.stripe.com/c/pay",
            "https://сheckout.stripe.com/c/pay/cs_1",
            "https://checkout.stripe.com:8443/c/pay/cs_1",
            "https://checkout.stripe.com./c/pay/cs_1",
            "http://127.0.0.1:8787/stripe/c/pay/cs_1",
            "https://127.0.0.1/stripe/c/pay/cs_1",
            "https://checkout.stripe.com/c/pay/cs_1\n",
            " https://checkout.stripe.com/c/pay/cs_1",
            "mailto:pay@stripe.com",
            "ftp://checkout.stripe.com/c",
            "//checkout.stripe.com/c/pay",
            "",
            &long,
        ];
        for url in table {
            let err = p.check(url, Page::Checkout).unwrap_err();
            assert_eq!(err.code(), ErrorCode::CheckoutUrlRefused, "{url:?}");
            assert!(
                !err.to_string().contains("pw@"),
                "credentials are not echoed: {err}"
            );
        }
    }

    #[test]
    fn explicit_origins_and_loopback_accounts() {
        let selfhosted = Policy {
            extra_origins: vec!["https://pay.example.com".into()],
            loopback_account: false,
        };
        assert!(selfhosted
            .check("https://pay.example.com/c/pay/1", Page::Checkout)
            .is_ok());
        assert!(
            selfhosted
                .check("https://pay.example.com:444/c/pay/1", Page::Checkout)
                .is_err(),
            "another port is another origin"
        );
        assert!(selfhosted
            .check("http://pay.example.com/c/pay/1", Page::Checkout)
            .is_err());

        let sandbox = Policy {
            extra_origins: vec!["http://127.0.0.1:8787".into()],
            loopback_account: true,
        };
        assert!(sandbox
            .check(
                "http://127.0.0.1:8787/stripe/c/pay/cs_test_1",
                Page::Checkout
            )
            .is_ok());
        assert!(
            sandbox
                .check(
                    "http://127.0.0.1:9999/stripe/c/pay/cs_test_1",
                    Page::Checkout
                )
                .is_err(),
            "only the allowed port"
        );
        assert!(sandbox
            .check("https://checkout.stripe.com/c/pay/cs_1", Page::Checkout)
            .is_ok());

        let remote_listing_loopback = Policy {
            extra_origins: vec!["http://127.0.0.1:8787".into()],
            loopback_account: false,
        };
        let err = remote_listing_loopback
            .check("http://127.0.0.1:8787/stripe/c/pay/cs_1", Page::Checkout)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("only opened for an account on this computer"),
            "{err}"
        );
    }

    #[test]
    fn messages_name_what_was_refused_without_credentials() {
        let err = stripe_only()
            .check("https://user:secret@evil.example/pay", Page::Checkout)
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("evil.example"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }
}
