//! Verifying a Cognito access token: an RS256 JWT (PKCS#1 v1.5 over SHA-256), checked against
//! the pool's key, issuer, app client and token use. Pure: keys come from the caller.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Why a token was refused. Each becomes the `detail` of a 401 problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("no bearer token in the Authorization header")]
    Missing,
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("unsupported token algorithm {0}; expected RS256")]
    Algorithm(String),
    #[error("the token's signing key is not in the user pool's JWKS")]
    UnknownKey,
    #[error("the token's signature does not verify")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was issued by another user pool")]
    Issuer,
    #[error("the token was issued to another app client")]
    Client,
    #[error("not an access token (token_use is {0:?})")]
    NotAccessToken(String),
    #[error("the user pool's signing keys could not be fetched")]
    KeysUnavailable,
    #[error("the session was signed out everywhere")]
    SignedOut,
    #[error("whether the session was signed out everywhere could not be read")]
    AccountsUnavailable,
}

/// What a valid token must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub issuer: String,
    pub client_id: String,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway_secs: i64,
}

/// The claims devcloud uses. Others are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// The user's stable id: the key of everything stored per user.
    pub sub: String,
    pub exp: i64,
    /// When the token was issued: one issued before its user signed out everywhere is
    /// refused.
    #[serde(default)]
    pub iat: Option<i64>,
    #[serde(default)]
    pub nbf: Option<i64>,
    pub iss: String,
    pub token_use: String,
    /// Present on access tokens (id tokens carry `aud` instead).
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    /// The user pool groups the user is in (`admins` moderates uploads).
    #[serde(default, rename = "cognito:groups")]
    pub groups: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// A token split and decoded, its signature not yet checked.
#[derive(Debug)]
pub struct Unverified<'a> {
    /// The signing key's id, to look up in the JWKS.
    pub kid: Option<String>,
    signing_input: &'a str,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

/// Splits and decodes a compact JWS. Refuses anything but RS256 before any key is involved.
pub fn parse(token: &str) -> Result<Unverified<'_>, Rejection> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Rejection::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| Rejection::Malformed)
    };
    let header: Header =
        serde_json::from_slice(&decode(header)?).map_err(|_| Rejection::Malformed)?;
    if header.alg != "RS256" {
        return Err(Rejection::Algorithm(header.alg));
    }
    Ok(Unverified {
        kid: header.kid,
        signing_input: &token[..token.len() - signature.len() - 1],
        payload: decode(payload)?,
        signature: decode(signature)?,
    })
}

impl Unverified<'_> {
    /// Checks the signature with `key`, then the claims against `expected` at time `now`.
    pub fn verify(
        self,
        key: &RsaPublicKey,
        expected: &Expected,
        now: i64,
    ) -> Result<Claims, Rejection> {
        let digest = Sha256::digest(self.signing_input.as_bytes());
        key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &self.signature)
            .map_err(|_| Rejection::Signature)?;
        let claims: Claims =
            serde_json::from_slice(&self.payload).map_err(|_| Rejection::Malformed)?;
        if claims.exp + expected.leeway_secs <= now {
            return Err(Rejection::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf - expected.leeway_secs > now)
        {
            return Err(Rejection::NotYetValid);
        }
        if claims.iss != expected.issuer {
            return Err(Rejection::Issuer);
        }
        if claims.token_use != "access" {
            return Err(Rejection::NotAccessToken(claims.token_use));
        }
        if claims.client_id.as_deref() != Some(expected.client_id.as_str()) {
            return Err(Rejection::Client);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use rsa::RsaPrivateKey;
    use serde_json::json;

    use super::*;

    const NOW: i64 = 1_800_000_000;
    const ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test";

    fn key(which: usize) -> &'static RsaPrivateKey {
        static KEYS: OnceLock<[RsaPrivateKey; 2]> = OnceLock::new();
        &KEYS.get_or_init(|| {
            let mut rng = rand::thread_rng();
            [
                RsaPrivateKey::new(&mut rng, 2048).unwrap(),
                RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            ]
        })[which]
    }

    fn sign(key: &RsaPrivateKey, claims: &serde_json::Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(r#"{"kid":"k1","alg":"RS256"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{header}.{payload}");
        let signature = key
            .sign(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(input.as_bytes()),
            )
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    fn access_claims() -> serde_json::Value {
        json!({"sub": "user-1", "iss": ISS, "client_id": "client-a", "token_use": "access",
               "exp": NOW + 600, "iat": NOW, "username": "demo"})
    }

    fn expected() -> Expected {
        Expected {
            issuer: ISS.into(),
            client_id: "client-a".into(),
            leeway_secs: 30,
        }
    }

    fn check(token: &str) -> Result<Claims, Rejection> {
        parse(token)?.verify(&key(0).to_public_key(), &expected(), NOW)
    }

    #[test]
    fn a_good_token_passes_and_names_its_user() {
        let token = sign(key(0), &access_claims());
        let parsed = parse(&token).unwrap();
        assert_eq!(parsed.kid.as_deref(), Some("k1"));
        let claims = check(&token).unwrap();
        assert_eq!(claims.sub, "user-1");
        assert_eq!(claims.username.as_deref(), Some("demo"));
    }

    #[test]
    fn expired_is_refused_beyond_the_leeway() {
        let mut claims = access_claims();
        claims["exp"] = json!(NOW - 10);
        assert!(
            check(&sign(key(0), &claims)).is_ok(),
            "within the 30 s leeway"
        );
        claims["exp"] = json!(NOW - 31);
        assert_eq!(check(&sign(key(0), &claims)), Err(Rejection::Expired));
    }

    #[test]
    fn a_tampered_payload_breaks_the_signature() {
        let token = sign(key(0), &access_claims());
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut claims = access_claims();
        claims["sub"] = json!("someone-else");
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        assert_eq!(check(&parts.join(".")), Err(Rejection::Signature));
    }

    #[test]
    fn another_key_is_refused() {
        assert_eq!(
            check(&sign(key(1), &access_claims())),
            Err(Rejection::Signature)
        );
    }

    #[test]
    fn another_client_is_refused() {
        let mut claims = access_claims();
        claims["client_id"] = json!("client-b");
        assert_eq!(check(&sign(key(0), &claims)), Err(Rejection::Client));
    }

    #[test]
    fn an_id_token_is_refused() {
        let claims = json!({"sub": "user-1", "iss": ISS, "aud": "client-a", "token_use": "id",
                            "exp": NOW + 600, "cognito:username": "demo"});
        assert_eq!(
            check(&sign(key(0), &claims)),
            Err(Rejection::NotAccessToken("id".into()))
        );
    }

    #[test]
    fn another_issuer_is_refused() {
        let mut claims = access_claims();
        claims["iss"] = json!("https://cognito-idp.us-east-1.amazonaws.com/other");
        assert_eq!(check(&sign(key(0), &claims)), Err(Rejection::Issuer));
    }

    #[test]
    fn not_before_in_the_future_is_refused() {
        let mut claims = access_claims();
        claims["nbf"] = json!(NOW + 120);
        assert_eq!(check(&sign(key(0), &claims)), Err(Rejection::NotYetValid));
    }

    #[test]
    fn garbage_and_other_algorithms_are_refused_before_any_key() {
        assert_eq!(parse("a.b").unwrap_err(), Rejection::Malformed);
        assert_eq!(parse("a.b.c.d").unwrap_err(), Rejection::Malformed);
        assert_eq!(parse("!!.b.c").unwrap_err(), Rejection::Malformed);
        let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#), "e30");
        assert_eq!(
            parse(&none).unwrap_err(),
            Rejection::Algorithm("none".into())
        );
    }
}
