//! How the Clara and Dispersed stand-ins talk to Stripe: over HTTP to the
//! Sandbox's own Stripe API, form-encoded with the secret key, as a Stripe SDK
//! whose API base points at `<base>/stripe` would.

use serde_json::Value;

use crate::state::Shared;
use crate::{demo, form};

#[derive(Debug, thiserror::Error)]
pub enum StripeCallError {
    #[error("Stripe API unreachable: {0}")]
    Unreachable(#[from] reqwest::Error),
    #[error("Stripe API answered {status}: {body}")]
    Refused { status: u16, body: Value },
}

pub async fn post(app: &Shared, path: &str, params: &Value) -> Result<Value, StripeCallError> {
    let request = app
        .http
        .post(format!("{}{path}", app.stripe_base()))
        .bearer_auth(demo::STRIPE_SECRET_KEY)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form::encode(params));
    send(request).await
}

pub async fn get(app: &Shared, path: &str) -> Result<Value, StripeCallError> {
    let request = app
        .http
        .get(format!("{}{path}", app.stripe_base()))
        .bearer_auth(demo::STRIPE_SECRET_KEY);
    send(request).await
}

async fn send(request: reqwest::RequestBuilder) -> Result<Value, StripeCallError> {
    let response = request.send().await?;
    let status = response.status();
    let body: Value = response.json().await?;
    if !status.is_success() {
        tracing::error!(%status, %body, "Stripe API error");
        return Err(StripeCallError::Refused {
            status: status.as_u16(),
            body,
        });
    }
    Ok(body)
}
