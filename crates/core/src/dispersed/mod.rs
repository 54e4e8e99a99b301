//! The Dispersed client (`dispersed-api.md`): signed requests, credit
//! purchases and their reconciliation.

mod provider;
pub mod signer;
pub mod wire;

pub use provider::{capabilities, DispersedProvider};

use std::sync::Arc;

use reqwest::Method;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{json, Value};

pub use signer::KeyPair;
pub use wire::{CreatedPurchase, Purchase, PurchasePage, PurchaseState};

use crate::base_url::BaseUrl;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::http::{common_status_error, Http, Idempotency, Response};
use crate::money::{Currency, Money};

/// Where Stripe sends the browser after paying or cancelling: the Console,
/// the only allowed domain (§6).
pub const CONSOLE_SUCCESS_URL: &str = "https://console.dispersed.com/billing?checkout=success";
pub const CONSOLE_CANCEL_URL: &str = "https://console.dispersed.com/billing?checkout=cancelled";

const PURCHASES: &str = "/v1/compute/ledger/credit-purchases";

/// Sort order of the purchase list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    NewestFirst,
    OldestFirst,
}

#[derive(Debug, Clone)]
pub struct DispersedClient {
    base: BaseUrl,
    http: Http,
    keys: KeyPair,
    clock: Arc<dyn Clock>,
}

/// Dispersed's `ErrorResponse` is not published (§9): read a message from the
/// common shapes (`{"error": {"message"}}`, `{"message"}`, `{"error": "…"}`).
fn error_message(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let candidates = [
        v.pointer("/error/message"),
        v.get("message"),
        v.get("error"),
        v.get("detail"),
    ];
    let message = candidates
        .into_iter()
        .flatten()
        .find_map(|m| m.as_str().map(|s| s.chars().take(300).collect()));
    message
}

/// How far the service's clock may be from the one a request was signed by
/// before a refusal is put down to the clock: well inside any window a
/// service would keep, well outside the `Date` header's one-second steps.
const CLOCK_TOLERANCE_MS: u64 = 60_000;

/// The error for a non-2xx Dispersed answer.
pub fn map_error(response: &Response) -> Error {
    match response.status.as_u16() {
        401 => Error::InvalidCredentials,
        403 => Error::PermissionDenied,
        404 => Error::not_found("That credit purchase"),
        400 | 409 | 422 => Error::InvalidRequest {
            message: error_message(&response.body)
                .unwrap_or_else(|| format!("HTTP {}", response.status.as_u16())),
        },
        _ => common_status_error(response).unwrap_or_else(|| Error::InvalidRequest {
            message: format!("HTTP {}", response.status.as_u16()),
        }),
    }
}

pub(crate) fn json_of<T: serde::de::DeserializeOwned>(response: &Response) -> Result<T> {
    serde_json::from_slice(&response.body).map_err(|e| Error::malformed(format!("JSON: {e}")))
}

impl DispersedClient {
    pub fn new(base: BaseUrl, http: Http, keys: KeyPair, clock: Arc<dyn Clock>) -> Self {
        Self {
            base,
            http,
            keys,
            clock,
        }
    }

    pub fn public_key(&self) -> &str {
        &self.keys.public_key
    }

    /// One signed request; `build` runs per attempt, so each gets its own nonce
    /// and time.
    ///
    /// The service refuses a request whose `X-Time` is far from its own clock
    /// (by how much, the reference leaves open) and says no more than 401. So
    /// requests are signed by the service's clock where its answers' `Date`
    /// showed it, and a 401 whose `Date` shows a clock far from the one signed
    /// by is signed again by it, once: a refusal for the signature acted on
    /// nothing, so even a creation may be sent again.
    async fn signed<T>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
        idempotency: Idempotency,
        read: impl Fn(&Response) -> Result<T>,
    ) -> Result<T> {
        let query = signer::canonical_query(query);
        let body = body.map(signer::canonical_json).unwrap_or_default();
        let url = if query.is_empty() {
            format!("{}{path}", self.base.as_str())
        } else {
            format!("{}{path}?{query}", self.base.as_str())
        };
        let build = |c: &reqwest::Client| {
            let sig = signer::sign(
                &self.keys,
                self.service_now_ms(),
                method.as_str(),
                path,
                &query,
                body.as_bytes(),
            );
            let mut req = c
                .request(method.clone(), &url)
                .header("X-API-Key", sig.api_key)
                .header("X-Time", sig.time)
                .header("X-Nonce", sig.nonce)
                .header("X-Signature", sig.signature);
            if !body.is_empty() {
                req = req
                    .header("Content-Type", "application/json")
                    .body(body.clone());
            }
            Ok(req)
        };
        let interpret = |r: Response| {
            if !r.status.is_success() {
                return Err(map_error(&r));
            }
            read(&r)
        };
        let signed_by = self.http.server_offset_ms(self.base.as_url());
        match self.http.send(idempotency, &build, &interpret).await {
            Err(Error::InvalidCredentials) => {
                let offset = self.http.server_offset_ms(self.base.as_url());
                if offset.saturating_sub(signed_by).unsigned_abs() <= CLOCK_TOLERANCE_MS {
                    return Err(Error::InvalidCredentials);
                }
                tracing::info!(
                    offset_secs = offset / 1000,
                    "Dispersed's clock is far from this computer's: signing again by it"
                );
                self.http.send(idempotency, &build, &interpret).await
            }
            other => other,
        }
    }

    /// Now, in Unix milliseconds, on the service's clock as far as its
    /// answers have shown it; this computer's until then.
    fn service_now_ms(&self) -> i64 {
        self.clock
            .unix_ms()
            .saturating_add(self.http.server_offset_ms(self.base.as_url()))
    }

    /// Proves the key pair with a cheap signed read (one purchase of the list):
    /// a bad pair is [`Error::InvalidCredentials`], a pair without ledger
    /// access [`Error::PermissionDenied`].
    pub async fn validate_keys(&self) -> Result<()> {
        self.list_purchases(1, 1, Sort::NewestFirst, &[])
            .await
            .map(|_| ())
    }

    /// Creates a credit purchase (§4.1). Sent again only where the service
    /// provably did not act on it ([`Idempotency::Once`]).
    pub async fn create_purchase(
        &self,
        amount: Money,
        redirect_url: &str,
        cancel_url: &str,
        memo: Option<&str>,
    ) -> Result<CreatedPurchase> {
        if amount.currency != Currency::Eur {
            return Err(Error::Unsupported {
                what: format!("Paying in {}", amount.currency.code()),
            });
        }
        // Whole euros as an integer (`25`, as the reference's canonical form);
        // cents as the shortest decimal (`12.5`).
        let number = match amount.whole_units() {
            Some(units) => json!(units),
            None => json!(amount
                .to_decimal()
                .to_f64()
                .ok_or_else(|| Error::malformed("amount"))?),
        };
        let mut body =
            json!({"amount": number, "redirect_url": redirect_url, "cancel_url": cancel_url});
        if let Some(m) = memo {
            body["memo"] = json!(m);
        }
        self.signed(
            Method::POST,
            PURCHASES,
            &[],
            Some(&body),
            Idempotency::Once,
            |r| CreatedPurchase::from_wire(json_of(r)?, amount),
        )
        .await
    }

    /// A page of purchases (§4.2).
    pub async fn list_purchases(
        &self,
        page: u64,
        limit: u64,
        sort: Sort,
        statuses: &[PurchaseState],
    ) -> Result<PurchasePage> {
        let mut query = vec![
            ("limit".to_owned(), limit.clamp(1, 50).to_string()),
            ("page".to_owned(), page.max(1).to_string()),
            (
                "sort".to_owned(),
                if sort == Sort::NewestFirst {
                    "-created_at"
                } else {
                    "created_at"
                }
                .to_owned(),
            ),
        ];
        if !statuses.is_empty() {
            let names: Vec<&str> = statuses
                .iter()
                .map(|s| match s {
                    PurchaseState::Pending => "PENDING",
                    PurchaseState::Completed => "COMPLETED",
                    PurchaseState::Expired => "EXPIRED",
                })
                .collect();
            query.push(("filter[status]".to_owned(), names.join(",")));
        }
        self.signed(
            Method::GET,
            PURCHASES,
            &query,
            None,
            Idempotency::Idempotent,
            |r| {
                let w: wire::ListWire = json_of(r)?;
                Ok(PurchasePage {
                    purchases: w
                        .data
                        .into_iter()
                        .map(Purchase::try_from)
                        .collect::<Result<_>>()?,
                    page: w.page,
                    limit: w.limit,
                    total: w.total,
                })
            },
        )
        .await
    }

    /// The pending purchase whose memo is `memo`, among the newest 50 (a
    /// purchase looked for this way was created moments ago).
    pub async fn pending_purchase_with_memo(&self, memo: &str) -> Result<Option<Purchase>> {
        let page = self
            .list_purchases(1, 50, Sort::NewestFirst, &[PurchaseState::Pending])
            .await?;
        Ok(page
            .purchases
            .into_iter()
            .find(|p| p.memo.as_deref() == Some(memo)))
    }

    /// The purchase's state, re-checked by the server while PENDING (§4.3).
    /// A GET, and safe to repeat: retried like any read.
    pub async fn reconcile(&self, checkout_session_id: &str) -> Result<Purchase> {
        let query = [(
            "checkout_session_id".to_owned(),
            checkout_session_id.to_owned(),
        )];
        self.signed(
            Method::GET,
            &format!("{PURCHASES}/reconcile"),
            &query,
            None,
            Idempotency::Idempotent,
            |r| {
                let p = Purchase::try_from(json_of::<wire::PurchaseWire>(r)?)?;
                if p.state.is_none() {
                    return Err(Error::malformed("a reconciled purchase without a status"));
                }
                if p.checkout_session_id != checkout_session_id {
                    return Err(Error::malformed("another purchase than the one asked for"));
                }
                Ok(p)
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use reqwest::header::HeaderMap;
    use reqwest::StatusCode;

    use super::*;
    use crate::error::ErrorCode;

    fn answer(status: u16, body: &str) -> Response {
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_owned()),
        }
    }

    /// Dispersed publishes statuses but not its error bodies (§2.6, §4.3, §9):
    /// every documented status, with the body shapes a server may use.
    #[test]
    fn every_documented_status_maps_to_a_code() {
        let table: &[(u16, &str, ErrorCode)] = &[
            (
                400,
                r#"{"error": {"code": "invalid_amount", "message": "amount must be between 1 and 10000 EUR."}}"#,
                ErrorCode::InvalidRequest,
            ),
            (
                400,
                r#"{"message": "cancel_url must be an allowed Console domain"}"#,
                ErrorCode::InvalidRequest,
            ),
            (
                401,
                r#"{"error": {"code": "invalid_signature", "message": "bad"}}"#,
                ErrorCode::InvalidCredentials,
            ),
            (401, "", ErrorCode::InvalidCredentials),
            (
                403,
                r#"{"error": "forbidden"}"#,
                ErrorCode::PermissionDenied,
            ),
            (404, r#"{"detail": "Not found"}"#, ErrorCode::NotFound),
            (429, "", ErrorCode::RateLimited),
            (500, "", ErrorCode::ServerUnavailable),
            (502, "<html>", ErrorCode::ServerUnavailable),
            (503, "", ErrorCode::ServerUnavailable),
        ];
        for (status, body, code) in table {
            assert_eq!(
                map_error(&answer(*status, body)).code(),
                *code,
                "{status} {body}"
            );
        }
        let err = map_error(&answer(
            400,
            r#"{"message": "cancel_url must be an allowed Console domain"}"#,
        ));
        assert_eq!(
            err.to_string(),
            "The service refused the request: cancel_url must be an allowed Console domain"
        );
        let err = map_error(&answer(400, r#"{"error": "bad_thing"}"#));
        assert!(err.to_string().ends_with("bad_thing"));
    }
}
