//! What the cloud handed out during a test, read from the issuers themselves: every token
//! moto's user pool issued (its own record, `/moto-api/data.json`) and every CDN signature and
//! cookie policy devcloud signed (`GET /admin/cdn-signatures`). The issuers' records hold
//! whatever reached the app, including tokens from refreshes the test never saw.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use serde_json::Value;
use strato_testkit::DevCloud;

/// Tokens of one user pool, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssuedTokens {
    pub access: BTreeSet<String>,
    pub id: BTreeSet<String>,
    pub refresh: BTreeSet<String>,
}

impl IssuedTokens {
    /// Adds `other`'s tokens: moto forgets access tokens at a global sign-out, so a test
    /// reads before and after and keeps both.
    pub fn extend(&mut self, other: Self) {
        self.access.extend(other.access);
        self.id.extend(other.id);
        self.refresh.extend(other.refresh);
    }
}

/// Every token moto has issued, and still records, in devcloud's user pool.
pub async fn tokens(devcloud: &DevCloud) -> Result<IssuedTokens> {
    let ready = devcloud.config();
    let url = format!(
        "{}/moto-api/data.json",
        ready.cognito_endpoint.trim_end_matches('/')
    );
    let body = devcloud
        .http()
        .get(&url)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let data: Value = serde_json::from_str(&body).context("moto's data.json")?;
    let pools = data["cognitoidp"]["CognitoIdpUserPool"]
        .as_array()
        .context("no user pools in moto's data.json")?;
    let pool = pools
        .iter()
        .find(|p| p["id"] == ready.user_pool_id.as_str())
        .with_context(|| format!("moto has no pool {}", ready.user_pool_id))?;
    let keys = |field: &str| -> BTreeSet<String> {
        pool[field]
            .as_object()
            .map(|tokens| tokens.keys().cloned().collect())
            .unwrap_or_default()
    };
    Ok(IssuedTokens {
        access: keys("access_tokens"),
        id: keys("id_tokens"),
        refresh: keys("refresh_tokens"),
    })
}

/// Every CDN signature and encoded cookie policy devcloud has issued.
pub async fn cdn_signatures(devcloud: &DevCloud) -> Result<Vec<String>> {
    let body = devcloud
        .http()
        .get(format!("{}/admin/cdn-signatures", devcloud.api_url()))
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    serde_json::from_str(&body).context("devcloud's issued signatures")
}
