//! CloudFront's signed URLs and signed cookies, byte for byte as CloudFront defines them:
//! RSA-SHA1 (PKCS#1 v1.5) over the exact policy JSON, encoded in CloudFront's URL-safe base64
//! (standard base64 with `+` -> `-`, `=` -> `_`, `/` -> `~`).
//!
//! A canned policy names one URL and an expiry and is not sent (the CDN rebuilds it from the
//! request); a custom policy may use `*`/`?` wildcards and travels in `Policy` /
//! `CloudFront-Policy`.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use serde::Deserialize;
use sha1::{Digest, Sha1};

use crate::glob::{Wildcards, matches};

/// The fixed id of devcloud's key pair (a real CloudFront public key id looks like this).
pub const KEY_PAIR_ID: &str = "KSTRATODEV000001";

pub const COOKIE_POLICY: &str = "CloudFront-Policy";
pub const COOKIE_SIGNATURE: &str = "CloudFront-Signature";
pub const COOKIE_KEY_PAIR_ID: &str = "CloudFront-Key-Pair-Id";
pub const COOKIE_EXPIRES: &str = "CloudFront-Expires";

/// CloudFront's URL-safe base64.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    STANDARD
        .encode(bytes)
        .chars()
        .map(|c| match c {
            '+' => '-',
            '=' => '_',
            '/' => '~',
            c => c,
        })
        .collect()
}

/// The inverse of [`encode`].
#[must_use]
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '=',
            '~' => '/',
            c => c,
        })
        .collect();
    STANDARD.decode(standard).ok()
}

/// `{"Statement":[{"Resource":"URL","Condition":{"DateLessThan":{"AWS:EpochTime":N}}}]}`, exactly.
#[must_use]
pub fn canned_policy(resource: &str, expires: i64) -> String {
    format!(
        r#"{{"Statement":[{{"Resource":"{resource}","Condition":{{"DateLessThan":{{"AWS:EpochTime":{expires}}}}}}}]}}"#
    )
}

/// A custom policy over `resource` (which may hold wildcards), valid until `expires`.
#[must_use]
pub fn custom_policy(resource: &str, expires: i64) -> String {
    // The same shape as a canned policy; CloudFront tells them apart by how they are sent.
    canned_policy(resource, expires)
}

/// How many issued values [`Signer::issued`] remembers (the oldest go first).
const ISSUED_KEPT: usize = 10_000;

/// Signs URLs and cookies with devcloud's private key.
#[derive(Debug)]
pub struct Signer {
    key: RsaPrivateKey,
    verifier: Verifier,
    /// Every signature and encoded policy handed out, newest last: tests search a client's
    /// files and logs for them (`GET /admin/cdn-signatures`). Never logged.
    issued: Mutex<VecDeque<String>>,
}

impl Signer {
    /// devcloud's signer: its key under [`KEY_PAIR_ID`].
    #[must_use]
    pub fn new(key: RsaPrivateKey) -> Self {
        Self::with_key_pair_id(key, KEY_PAIR_ID.to_owned())
    }

    /// A signer whose signatures name `key_pair_id` (a deployment's: the id `CloudFront` gave
    /// the public key of its trusted key group).
    #[must_use]
    pub fn with_key_pair_id(key: RsaPrivateKey, key_pair_id: String) -> Self {
        let verifier = Verifier::new(key.to_public_key(), key_pair_id);
        Self {
            key,
            verifier,
            issued: Mutex::new(VecDeque::new()),
        }
    }

    /// The signatures and cookie policies issued so far (the last 10,000), oldest first.
    #[must_use]
    pub fn issued(&self) -> Vec<String> {
        self.issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    fn record(&self, value: &str) {
        let mut issued = self.issued.lock().unwrap_or_else(PoisonError::into_inner);
        if issued.len() == ISSUED_KEPT {
            issued.pop_front();
        }
        issued.push_back(value.to_owned());
    }

    /// The matching verifier, for the CDN.
    #[must_use]
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The encoded signature of `policy`.
    ///
    /// # Panics
    /// Never in practice: PKCS#1 v1.5 signing with a 2048-bit key only fails for digests
    /// longer than the key.
    #[must_use]
    pub fn sign(&self, policy: &str) -> String {
        let digest = Sha1::digest(policy.as_bytes());
        let signature = self
            .key
            .sign(Pkcs1v15Sign::new::<Sha1>(), &digest)
            .expect("RSA signing with a valid 2048-bit key cannot fail");
        let encoded = encode(&signature);
        self.record(&encoded);
        encoded
    }

    /// `url` with a canned-policy signature: `?Expires=..&Signature=..&Key-Pair-Id=..`.
    #[must_use]
    pub fn signed_url(&self, url: &str, expires: i64) -> String {
        let signature = self.sign(&canned_policy(url, expires));
        let separator = if url.contains('?') { '&' } else { '?' };
        let key_pair_id = self.key_pair_id();
        format!("{url}{separator}Expires={expires}&Signature={signature}&Key-Pair-Id={key_pair_id}")
    }

    /// The three signed cookies of a custom policy over `resource` until `expires`, as
    /// (name, value) pairs.
    #[must_use]
    pub fn signed_cookies(&self, resource: &str, expires: i64) -> [(&'static str, String); 3] {
        let policy = custom_policy(resource, expires);
        let encoded_policy = encode(policy.as_bytes());
        self.record(&encoded_policy);
        [
            (COOKIE_POLICY, encoded_policy),
            (COOKIE_SIGNATURE, self.sign(&policy)),
            (COOKIE_KEY_PAIR_ID, self.key_pair_id().to_owned()),
        ]
    }

    /// The id its signatures name.
    #[must_use]
    pub fn key_pair_id(&self) -> &str {
        &self.verifier.key_pair_id
    }
}

/// What a request presented, from its query string or its cookies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    /// `Expires` + `Signature` + `Key-Pair-Id` (or the `CloudFront-Expires` cookie).
    Canned {
        expires: String,
        signature: String,
        key_pair_id: String,
    },
    /// `Policy` + `Signature` + `Key-Pair-Id` (or the `CloudFront-Policy` cookie).
    Custom {
        policy: String,
        signature: String,
        key_pair_id: String,
    },
}

/// Why the CDN refused a request; each is a distinct 403 body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    #[error("Missing Key-Pair-Id query parameter or cookie value")]
    Missing,
    #[error("Unknown Key-Pair-Id")]
    UnknownKey,
    #[error("Malformed policy or signature")]
    Malformed,
    #[error("Access denied: the signature does not match")]
    BadSignature,
    #[error("Access denied: the signature has expired")]
    Expired,
    #[error("Access denied: the signature is not valid yet")]
    NotYetValid,
    #[error("Access denied: the policy does not cover this resource")]
    WrongResource,
}

impl Denial {
    /// The `<Code>` of CloudFront's XML error body.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "MissingKey",
            Self::UnknownKey => "InvalidKey",
            Self::Malformed => "MalformedPolicy",
            Self::BadSignature | Self::Expired | Self::NotYetValid | Self::WrongResource => {
                "AccessDenied"
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct Policy {
    #[serde(rename = "Statement")]
    statement: Vec<Statement>,
}

#[derive(Debug, Deserialize)]
struct Statement {
    #[serde(rename = "Resource")]
    resource: String,
    #[serde(rename = "Condition")]
    condition: Condition,
}

#[derive(Debug, Deserialize)]
struct Condition {
    #[serde(rename = "DateLessThan")]
    date_less_than: EpochTime,
    #[serde(rename = "DateGreaterThan", default)]
    date_greater_than: Option<EpochTime>,
}

#[derive(Debug, Deserialize)]
struct EpochTime {
    #[serde(rename = "AWS:EpochTime")]
    epoch: i64,
}

/// Checks signatures with the public half of the key pair, as the CDN edge does.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: RsaPublicKey,
    key_pair_id: String,
}

impl Verifier {
    #[must_use]
    pub fn new(key: RsaPublicKey, key_pair_id: String) -> Self {
        Self { key, key_pair_id }
    }

    /// Whether `presented` authorises a request for `url` (CDN base URL + path, no query) at
    /// Unix time `now`.
    pub fn verify(&self, presented: &Presented, url: &str, now: i64) -> Result<(), Denial> {
        let (policy_json, signature, key_pair_id) = match presented {
            Presented::Canned {
                expires,
                signature,
                key_pair_id,
            } => {
                let expires: i64 = expires.parse().map_err(|_| Denial::Malformed)?;
                (canned_policy(url, expires), signature, key_pair_id)
            }
            Presented::Custom {
                policy,
                signature,
                key_pair_id,
            } => {
                let bytes = decode(policy).ok_or(Denial::Malformed)?;
                let json = String::from_utf8(bytes).map_err(|_| Denial::Malformed)?;
                (json, signature, key_pair_id)
            }
        };
        if *key_pair_id != self.key_pair_id {
            return Err(Denial::UnknownKey);
        }
        let signature = decode(signature).ok_or(Denial::Malformed)?;
        let digest = Sha1::digest(policy_json.as_bytes());
        self.key
            .verify(Pkcs1v15Sign::new::<Sha1>(), &digest, &signature)
            .map_err(|_| Denial::BadSignature)?;
        let policy: Policy = serde_json::from_str(&policy_json).map_err(|_| Denial::Malformed)?;
        let [statement] = policy.statement.as_slice() else {
            return Err(Denial::Malformed);
        };
        if !matches(&statement.resource, url, Wildcards::CloudFront) {
            return Err(Denial::WrongResource);
        }
        if now >= statement.condition.date_less_than.epoch {
            return Err(Denial::Expired);
        }
        if statement
            .condition
            .date_greater_than
            .as_ref()
            .is_some_and(|t| now < t.epoch)
        {
            return Err(Denial::NotYetValid);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;

    const NOW: i64 = 1_800_000_000;
    const BASE: &str = "http://127.0.0.1:9000";

    fn signer() -> &'static Signer {
        static SIGNER: OnceLock<Signer> = OnceLock::new();
        SIGNER
            .get_or_init(|| Signer::new(RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap()))
    }

    fn query_params(url: &str) -> Presented {
        let query = url.split_once('?').unwrap().1;
        let get = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .unwrap()
                .to_owned()
        };
        Presented::Canned {
            expires: get("Expires"),
            signature: get("Signature"),
            key_pair_id: get("Key-Pair-Id"),
        }
    }

    #[test]
    fn canned_policy_is_exact() {
        assert_eq!(
            canned_policy("https://d111.cloudfront.net/a.mp3", 1_357_034_400),
            r#"{"Statement":[{"Resource":"https://d111.cloudfront.net/a.mp3","Condition":{"DateLessThan":{"AWS:EpochTime":1357034400}}}]}"#
        );
    }

    #[test]
    fn base64_uses_cloudfront_substitutions() {
        assert_eq!(encode(&[0xfb, 0xff, 0xfe]), "-~~-");
        assert_eq!(encode(b"a"), "YQ__");
        assert_eq!(decode("-~~-").unwrap(), vec![0xfb, 0xff, 0xfe]);
        assert_eq!(decode("YQ__").unwrap(), b"a");
    }

    #[test]
    fn signed_url_verifies_and_only_for_its_url_and_time() {
        let url = format!("{BASE}/media/tr-1/mp3/cbr.mp3");
        let signed = signer().signed_url(&url, NOW + 60);
        assert!(signed.starts_with(&format!("{url}?Expires={}&Signature=", NOW + 60)));
        assert!(signed.ends_with("&Key-Pair-Id=KSTRATODEV000001"));
        let presented = query_params(&signed);
        let verifier = signer().verifier();
        assert_eq!(verifier.verify(&presented, &url, NOW), Ok(()));
        assert_eq!(
            verifier.verify(&presented, &url, NOW + 60),
            Err(Denial::Expired)
        );
        let other = format!("{BASE}/media/tr-2/mp3/cbr.mp3");
        assert_eq!(
            verifier.verify(&presented, &other, NOW),
            Err(Denial::BadSignature)
        );
        let Presented::Canned {
            signature,
            key_pair_id,
            ..
        } = presented.clone()
        else {
            unreachable!()
        };
        let later = Presented::Canned {
            expires: (NOW + 9999).to_string(),
            signature,
            key_pair_id,
        };
        assert_eq!(
            verifier.verify(&later, &url, NOW),
            Err(Denial::BadSignature)
        );
    }

    #[test]
    fn custom_policy_cookies_cover_a_folder() {
        let resource = format!("{BASE}/media/tr-1/hls/*");
        let [(_, policy), (_, signature), (_, key_pair_id)] =
            signer().signed_cookies(&resource, NOW + 60);
        let presented = Presented::Custom {
            policy,
            signature,
            key_pair_id,
        };
        let verifier = signer().verifier();
        let segment = format!("{BASE}/media/tr-1/hls/64k/seg001.ts");
        assert_eq!(verifier.verify(&presented, &segment, NOW), Ok(()));
        assert_eq!(
            verifier.verify(
                &presented,
                &format!("{BASE}/media/tr-2/hls/64k/seg001.ts"),
                NOW
            ),
            Err(Denial::WrongResource)
        );
        assert_eq!(
            verifier.verify(&presented, &segment, NOW + 61),
            Err(Denial::Expired)
        );
    }

    #[test]
    fn tampering_and_foreign_keys_are_refused() {
        let url = format!("{BASE}/media/tr-1/mp3/cbr.mp3");
        let Presented::Canned {
            expires, signature, ..
        } = query_params(&signer().signed_url(&url, NOW + 60))
        else {
            unreachable!()
        };
        let verifier = signer().verifier();
        let wrong_id = Presented::Canned {
            expires: expires.clone(),
            signature: signature.clone(),
            key_pair_id: "KOTHER".into(),
        };
        assert_eq!(
            verifier.verify(&wrong_id, &url, NOW),
            Err(Denial::UnknownKey)
        );
        let mut bytes = decode(&signature).unwrap();
        bytes[10] ^= 1;
        let flipped = Presented::Canned {
            expires,
            signature: encode(&bytes),
            key_pair_id: KEY_PAIR_ID.into(),
        };
        assert_eq!(
            verifier.verify(&flipped, &url, NOW),
            Err(Denial::BadSignature)
        );
        let custom = Presented::Custom {
            policy: encode(custom_policy(&format!("{BASE}/*"), NOW + 60).as_bytes()),
            signature: signer().sign(&custom_policy(&format!("{BASE}/media/*"), NOW + 60)),
            key_pair_id: KEY_PAIR_ID.into(),
        };
        assert_eq!(
            verifier.verify(&custom, &url, NOW),
            Err(Denial::BadSignature)
        );
    }

    #[test]
    fn date_greater_than_is_honoured() {
        let policy = format!(
            r#"{{"Statement":[{{"Resource":"{BASE}/*","Condition":{{"DateLessThan":{{"AWS:EpochTime":{}}},"DateGreaterThan":{{"AWS:EpochTime":{}}}}}}}]}}"#,
            NOW + 100,
            NOW + 10
        );
        let presented = Presented::Custom {
            policy: encode(policy.as_bytes()),
            signature: signer().sign(&policy),
            key_pair_id: KEY_PAIR_ID.into(),
        };
        let url = format!("{BASE}/media/x");
        assert_eq!(
            signer().verifier().verify(&presented, &url, NOW),
            Err(Denial::NotYetValid)
        );
        assert_eq!(
            signer().verifier().verify(&presented, &url, NOW + 10),
            Ok(())
        );
    }

    #[test]
    fn a_deployments_signer_names_its_own_key_pair_id() {
        let key = signer().key.clone();
        let deployed = Signer::with_key_pair_id(key, "K2JCJMDEHXQW5F".to_owned());
        let url = format!("{BASE}/media/tr-1/mp3/cbr.mp3");
        let signed = deployed.signed_url(&url, NOW + 60);
        assert!(signed.ends_with("&Key-Pair-Id=K2JCJMDEHXQW5F"), "{signed}");
        let presented = query_params(&signed);
        assert_eq!(deployed.verifier().verify(&presented, &url, NOW), Ok(()));
        // devcloud's verifier knows the same key under its own id only.
        assert_eq!(
            signer().verifier().verify(&presented, &url, NOW),
            Err(Denial::UnknownKey)
        );
        let [_, _, (name, id)] = deployed.signed_cookies(&format!("{BASE}/media/tr-1/*"), NOW + 60);
        assert_eq!((name, id.as_str()), (COOKIE_KEY_PAIR_ID, "K2JCJMDEHXQW5F"));
    }
}
