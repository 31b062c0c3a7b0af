//! The user pool's signing keys: fetched from its JWKS URL, cached by `kid`, and fetched again
//! (once per lookup) when a token names a key the cache does not have, as after a rotation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::{BigUint, RsaPublicKey};
use serde::Deserialize;

/// Why the key set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("fetching {url}: {source}")]
    Fetch { url: String, source: reqwest::Error },
    #[error("{url} holds no usable RSA signing key")]
    NoKeys { url: String },
}

#[derive(Debug, Deserialize)]
struct KeySet {
    keys: Vec<Jwk>,
}

#[derive(Debug, Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default, rename = "use")]
    key_use: Option<String>,
}

impl Jwk {
    fn rsa_key(&self) -> Option<(String, RsaPublicKey)> {
        if self.kty != "RSA" || self.key_use.as_deref().is_some_and(|u| u != "sig") {
            return None;
        }
        let n = URL_SAFE_NO_PAD.decode(self.n.as_deref()?).ok()?;
        let e = URL_SAFE_NO_PAD.decode(self.e.as_deref()?).ok()?;
        let key = RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e)).ok()?;
        Some((self.kid.clone()?, key))
    }
}

/// Unknown `kid`s fetch the key set again at most this often, so tokens with made-up key ids
/// cannot turn every request into a JWKS fetch.
const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(5);

/// A cache of the pool's keys by `kid`.
#[derive(Debug)]
pub struct Jwks {
    url: String,
    http: reqwest::Client,
    keys: RwLock<HashMap<String, Arc<RsaPublicKey>>>,
    last_fetch: Mutex<Option<Instant>>,
}

impl Jwks {
    #[must_use]
    pub fn new(url: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            url,
            http,
            keys: RwLock::new(HashMap::new()),
            last_fetch: Mutex::new(None),
        }
    }

    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The key named `kid`, fetching the key set again if it is not cached (unless it was
    /// fetched within [`MIN_REFETCH_INTERVAL`]).
    pub async fn key(&self, kid: &str) -> Result<Option<Arc<RsaPublicKey>>, JwksError> {
        if let Some(key) = self.cached(kid) {
            return Ok(Some(key));
        }
        let last_fetch = *self
            .last_fetch
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last_fetch.is_some_and(|at| at.elapsed() < MIN_REFETCH_INTERVAL) {
            return Ok(None);
        }
        self.refresh().await?;
        Ok(self.cached(kid))
    }

    fn cached(&self, kid: &str) -> Option<Arc<RsaPublicKey>> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(kid)
            .cloned()
    }

    /// Replaces the cache with the key set as it is now.
    pub async fn refresh(&self) -> Result<(), JwksError> {
        let fetch_error = |source| JwksError::Fetch {
            url: self.url.clone(),
            source,
        };
        let set: KeySet = self
            .http
            .get(&self.url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(fetch_error)?
            .json()
            .await
            .map_err(fetch_error)?;
        let keys: HashMap<String, Arc<RsaPublicKey>> = set
            .keys
            .iter()
            .filter_map(Jwk::rsa_key)
            .map(|(kid, key)| (kid, Arc::new(key)))
            .collect();
        if keys.is_empty() {
            return Err(JwksError::NoKeys {
                url: self.url.clone(),
            });
        }
        tracing::debug!(url = %self.url, count = keys.len(), "loaded signing keys");
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = keys;
        *self
            .last_fetch
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rsa::traits::PublicKeyParts;

    use super::*;

    #[test]
    fn rsa_signing_keys_are_read_and_others_skipped() {
        let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
        let public = private.to_public_key();
        let set: KeySet = serde_json::from_value(serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
             "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
             "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())},
            {"kty": "EC", "kid": "k2", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "RSA", "kid": "k3", "use": "enc", "n": "AQAB", "e": "AQAB"}
        ]}))
        .unwrap();
        let keys: Vec<_> = set.keys.iter().filter_map(Jwk::rsa_key).collect();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].0, "k1");
        assert_eq!(keys[0].1, public);
    }
}
