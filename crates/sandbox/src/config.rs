//! How a Sandbox is started: port, quirks, faults, seeds.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::demo;

/// Which Clara behaviour to reproduce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Quirks {
    /// What Clara's documentation says.
    #[default]
    Documented,
    /// What the Flask Backend Boilerplate's source does where it differs
    /// (`clara-api.md` items marked [src]): newest-first transaction lists that
    /// ignore `offset`, an expired token answered with 500, 100 signup credits, …
    Boilerplate,
}

/// What an injected fault does to a matching request.
///
/// Each kind behaves as a real server (or the proxy in front of it) does:
/// it either fails before the request is handled — nothing happened, and a
/// sender such as Stripe's webhook delivery sees a failure and retries — or
/// the request is handled and then its answer breaks. Never "200 and nothing
/// done".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Waits before handling the request normally.
    Latency { ms: u64 },
    /// Before handling: answers with this status (500, 502, 503…) and a short
    /// error body, as a failing server or its proxy does.
    Status { status: u16 },
    /// Before handling: answers 429 with `Retry-After: <retry_after>` (seconds).
    RateLimit { retry_after: u64 },
    /// Before handling: closes the connection without a response.
    Reset,
    /// After handling: the request takes effect, then its answer's body is
    /// replaced by one that is not JSON (status kept).
    Malformed,
    /// After handling: the request takes effect, then the headers and part of
    /// the body go out and the connection closes.
    Truncated,
}

impl FaultKind {
    /// Whether the request is handled before the fault breaks its answer.
    pub fn after_handling(&self) -> bool {
        matches!(self, Self::Malformed | Self::Truncated)
    }
}

/// One fault-injection rule. Exactly one of `probability` and `every` applies;
/// with neither, every matching request is hit. `times` stops the rule after
/// it has hit that many requests (a fault that happens once, then never).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// A path pattern: `*` matches any run of characters (`/api/v1/users/*`).
    /// `/__sandbox/…` is never faulted.
    #[serde(default = "any_path")]
    pub path: String,
    /// Restrict to one HTTP method (`GET`, `POST`…).
    #[serde(default)]
    pub method: Option<String>,
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(default)]
    pub probability: Option<f64>,
    #[serde(default)]
    pub every: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
}

impl FaultRule {
    /// `kind` on every request to `path` (set the other fields with `..`).
    pub fn on(path: &str, kind: FaultKind) -> Self {
        Self {
            path: path.to_owned(),
            method: None,
            kind,
            probability: None,
            every: None,
            times: None,
        }
    }
}

/// `--faults` as one value: a list of rules given as a single argument.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec(pub Vec<FaultRule>);

impl std::str::FromStr for FaultSpec {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        parse_faults(spec).map(Self)
    }
}

fn any_path() -> String {
    "*".to_owned()
}

/// A Stripe Price created at start with a chosen id (`--price id=amount:currency`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedPrice {
    pub id: String,
    /// Minor units (cents).
    pub unit_amount: i64,
    pub currency: String,
}

/// A webhook endpoint registered at start with a chosen signing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedWebhook {
    pub url: String,
    pub secret: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// 0 picks a free port.
    pub port: u16,
    pub quirks: Quirks,
    pub faults: Vec<FaultRule>,
    /// Seeds fault injection, so a run can be repeated exactly.
    pub seed: u64,
    pub webhooks: Vec<SeedWebhook>,
    pub prices: Vec<SeedPrice>,
    /// Lifetime of Clara user tokens (the published examples show 7 days).
    pub token_ttl: Duration,
    /// Print OTP emails and webhook deliveries to stdout as well as the log.
    pub print_emails: bool,
    /// Requests per second per caller on Clara's API in boilerplate mode
    /// (its `RATE_LIMIT`, 10 per the docs); 0 for no limit.
    pub clara_rate_limit: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 0,
            quirks: Quirks::Documented,
            faults: Vec::new(),
            seed: 0,
            webhooks: Vec::new(),
            prices: vec![SeedPrice {
                id: demo::CLARA_PRICE_ID.to_owned(),
                unit_amount: 1,
                currency: "usd".to_owned(),
            }],
            token_ttl: Duration::from_secs(7 * 24 * 3600),
            print_emails: false,
            clara_rate_limit: 10,
        }
    }
}

impl SeedPrice {
    /// Parses `price_id=unit_amount:currency` (`price_x=1:usd`).
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (id, rest) = spec
            .split_once('=')
            .ok_or_else(|| format!("expected <price_id>=<unit amount>:<currency>, got `{spec}`"))?;
        let (amount, currency) = rest
            .split_once(':')
            .ok_or_else(|| format!("expected <unit amount>:<currency> after `=`, got `{rest}`"))?;
        let unit_amount = amount
            .parse()
            .map_err(|_| format!("unit amount `{amount}` is not a whole number of minor units"))?;
        if id.is_empty() || currency.len() != 3 {
            return Err(format!("bad price `{spec}`"));
        }
        Ok(Self {
            id: id.to_owned(),
            unit_amount,
            currency: currency.to_ascii_lowercase(),
        })
    }
}

impl SeedWebhook {
    /// Parses `url=whsec_…`; the URL itself may contain `=`, so the last one splits.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (url, secret) = spec
            .rsplit_once('=')
            .ok_or_else(|| format!("expected <url>=<whsec_…>, got `{spec}`"))?;
        if !secret.starts_with("whsec_") {
            return Err(format!(
                "the signing secret must start with whsec_, got `{secret}`"
            ));
        }
        url::Url::parse(url).map_err(|e| format!("bad webhook url `{url}`: {e}"))?;
        Ok(Self {
            url: url.to_owned(),
            secret: secret.to_owned(),
        })
    }
}

/// Parses `--faults`: a JSON array of rules, or the shorthand `chaos=<p>` that
/// spreads latency, 5xx, 429, resets, malformed and truncated bodies over the
/// provider APIs (not the hosted pages) with total probability `p`.
pub fn parse_faults(spec: &str) -> Result<Vec<FaultRule>, String> {
    let spec = spec.trim();
    if let Some(p) = spec.strip_prefix("chaos=") {
        let p: f64 = p
            .parse()
            .map_err(|_| format!("chaos probability `{p}` is not a number"))?;
        if !(0.0..=1.0).contains(&p) {
            return Err("chaos probability must be between 0 and 1".to_owned());
        }
        return Ok(chaos(p));
    }
    serde_json::from_str(spec).map_err(|e| format!("--faults is not a JSON array of rules: {e}"))
}

/// How long a chaos latency fault holds a request: long enough to be felt,
/// well inside a client's timeout.
pub const CHAOS_LATENCY_MS: u64 = 500;

/// Faults on every provider API route, adding up to probability `p`.
pub fn chaos(p: f64) -> Vec<FaultRule> {
    let kinds = [
        FaultKind::Latency {
            ms: CHAOS_LATENCY_MS,
        },
        FaultKind::Status { status: 500 },
        FaultKind::Status { status: 502 },
        FaultKind::Status { status: 503 },
        FaultKind::RateLimit { retry_after: 1 },
        FaultKind::Reset,
        FaultKind::Malformed,
        FaultKind::Truncated,
    ];
    let share = p / kinds.len() as f64;
    ["/api/v1/*", "/v1/*"]
        .into_iter()
        .flat_map(|path| {
            kinds.iter().map(move |kind| FaultRule {
                probability: Some(share),
                ..FaultRule::on(path, kind.clone())
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_from_flags() {
        let price = SeedPrice::parse("price_abc=1:USD").unwrap();
        assert_eq!(price.unit_amount, 1);
        assert_eq!(price.currency, "usd");
        assert!(SeedPrice::parse("price_abc=1").is_err());
        let hook =
            SeedWebhook::parse("http://127.0.0.1:5000/api/v1/stripe/settle?x=1=whsec_abc").unwrap();
        assert_eq!(hook.url, "http://127.0.0.1:5000/api/v1/stripe/settle?x=1");
        assert_eq!(hook.secret, "whsec_abc");
        assert!(SeedWebhook::parse("http://x=nope").is_err());
    }

    #[test]
    fn faults_parse_from_json_and_shorthand() {
        let rules = parse_faults(
            r#"[{"path": "/v1/*", "kind": "status", "status": 503, "every": 2},
                {"kind": "rate_limit", "retry_after": 3, "probability": 0.5}]"#,
        )
        .unwrap();
        assert_eq!(rules[0].kind, FaultKind::Status { status: 503 });
        assert_eq!(rules[0].every, Some(2));
        assert_eq!(rules[1].path, "*");
        let chaos = parse_faults("chaos=0.3").unwrap();
        let total: f64 = chaos
            .iter()
            .filter(|r| r.path == "/v1/*")
            .filter_map(|r| r.probability)
            .sum();
        assert!((total - 0.3).abs() < 1e-9);
        assert!(chaos.iter().any(|r| r.path == "/api/v1/*"
            && r.kind
                == FaultKind::Latency {
                    ms: CHAOS_LATENCY_MS
                }));
        assert!(parse_faults("chaos=2").is_err());
        let once = parse_faults(r#"[{"kind": "reset", "times": 1}]"#).unwrap();
        assert_eq!(once[0].times, Some(1));
    }
}
