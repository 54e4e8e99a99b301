//! The Sandbox's test hooks over HTTP.

use super::wait::{until, Result, DEADLINE};

/// GETs JSON, waiting (within the deadline) for a 200.
pub async fn poll_json(url: &str) -> Result<serde_json::Value> {
    let answered = until(DEADLINE, async || match reqwest::get(url).await {
        Ok(r) if r.status().is_success() => Ok(Some(r.json().await?)),
        _ => Ok(None),
    })
    .await?;
    answered.ok_or_else(|| format!("{url} never answered 200").into())
}

/// The status a bearer-authenticated GET gets.
pub async fn status_of(url: &str, token: &str) -> Result<u16> {
    Ok(reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await?
        .status()
        .as_u16())
}

/// PUTs JSON to a Sandbox test hook and expects success.
pub async fn put_json(url: &str, body: serde_json::Value) -> Result<serde_json::Value> {
    let r = reqwest::Client::new().put(url).json(&body).send().await?;
    if !r.status().is_success() {
        return Err(format!("{url} answered {}", r.status()).into());
    }
    Ok(r.json().await.unwrap_or(serde_json::Value::Null))
}

/// POSTs JSON to a Sandbox test hook and expects success.
pub async fn post_json(url: &str, body: serde_json::Value) -> Result<serde_json::Value> {
    let r = reqwest::Client::new().post(url).json(&body).send().await?;
    if !r.status().is_success() {
        return Err(format!("{url} answered {}", r.status()).into());
    }
    Ok(r.json().await.unwrap_or(serde_json::Value::Null))
}
