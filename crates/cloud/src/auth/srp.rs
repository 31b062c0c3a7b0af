//! The client side of Cognito's `USER_SRP_AUTH`: SRP-6a over the 3072-bit group of RFC 5054,
//! with Cognito's own choices (identity salted with the pool name, HKDF of the shared secret,
//! an HMAC over the secret block and a timestamp).
//!
//! The math is written here over `num-bigint` rather than taken from a crate because a test
//! must feed it fixed inputs (`a`, salt, `B`, secret block, timestamp) and compare the result
//! with an independent implementation (pycognito, see `tests/srp_vectors.rs`); the crates
//! available draw `a` and read the clock internally. The emulator used by the other tests
//! accepts any signature, so that comparison is what checks this file.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use rand::RngCore as _;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// RFC 5054's 3072-bit prime, the group Cognito uses.
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879",
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B",
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836",
    "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804",
    "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6",
    "955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D226",
    "1AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
);
const G: u32 = 2;
/// The HKDF info Cognito uses, followed by the counter byte 1.
const DERIVE_KEY_INFO: &[u8] = b"Caldera Derived Key\x01";

/// Why the server's challenge cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum SrpError {
    #[error("the pool id has no `_` (expected `<region>_<name>`)")]
    PoolId,
    #[error("the challenge's {0} is not valid")]
    Parameter(&'static str),
    /// `B % N == 0` or `u == 0`: answering would reveal the password's verifier.
    #[error("the challenge failed SRP's safety checks")]
    Unsafe,
}

/// One sign-in attempt: the secret `a` and public `A = g^a mod N`.
pub struct SrpClient {
    pool_name: String,
    a: BigUint,
    big_a: BigUint,
}

impl std::fmt::Debug for SrpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrpClient")
            .field("pool_name", &self.pool_name)
            .finish_non_exhaustive()
    }
}

/// The `PASSWORD_VERIFIER` challenge as Cognito sends it.
#[derive(Debug, Clone)]
pub struct PasswordVerifierChallenge<'a> {
    pub user_id_for_srp: &'a str,
    pub salt_hex: &'a str,
    pub srp_b_hex: &'a str,
    pub secret_block_b64: &'a str,
}

/// The answer: `PASSWORD_CLAIM_SIGNATURE` and the `TIMESTAMP` it signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordClaim {
    pub signature: String,
    pub timestamp: String,
}

impl SrpClient {
    /// A fresh attempt with a random 1024-bit `a`.
    pub fn new(pool_id: &str) -> Result<Self, SrpError> {
        let mut bytes = [0u8; 128];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self::with_secret(pool_id, &bytes)
    }

    /// An attempt with a given `a` (big-endian), for reproducible tests.
    pub fn with_secret(pool_id: &str, a: &[u8]) -> Result<Self, SrpError> {
        let pool_name = pool_id
            .split_once('_')
            .map(|(_, name)| name.to_owned())
            .ok_or(SrpError::PoolId)?;
        let n = n();
        let a = BigUint::from_bytes_be(a) % &n;
        let big_a = BigUint::from(G).modpow(&a, &n);
        if big_a == BigUint::ZERO {
            return Err(SrpError::Unsafe);
        }
        Ok(Self {
            pool_name,
            a,
            big_a,
        })
    }

    /// `SRP_A` for `InitiateAuth`, lowercase hex.
    #[must_use]
    pub fn public_a_hex(&self) -> String {
        self.big_a.to_str_radix(16)
    }

    /// Answers the challenge, signing with the current time.
    pub fn password_claim(
        &self,
        challenge: &PasswordVerifierChallenge<'_>,
        password: &str,
    ) -> Result<PasswordClaim, SrpError> {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.password_claim_at(challenge, password, secs)
    }

    /// Answers the challenge as at `unix_secs`.
    // The one-letter names are SRP's own (RFC 5054), easier to check against it.
    #[allow(clippy::many_single_char_names)]
    pub fn password_claim_at(
        &self,
        challenge: &PasswordVerifierChallenge<'_>,
        password: &str,
        unix_secs: u64,
    ) -> Result<PasswordClaim, SrpError> {
        let n = n();
        let big_b = BigUint::from_bytes_be(&hex_bytes(challenge.srp_b_hex, "SRP_B")?);
        if (&big_b % &n) == BigUint::ZERO {
            return Err(SrpError::Unsafe);
        }
        let u = BigUint::from_bytes_be(&sha256(&[&pad(&self.big_a), &pad(&big_b)]));
        if u == BigUint::ZERO {
            return Err(SrpError::Unsafe);
        }
        let identity = sha256(&[
            self.pool_name.as_bytes(),
            challenge.user_id_for_srp.as_bytes(),
            b":",
            password.as_bytes(),
        ]);
        let salt = pad_bytes(hex_bytes(challenge.salt_hex, "SALT")?);
        let x = BigUint::from_bytes_be(&sha256(&[&salt, &identity]));
        let g = BigUint::from(G);
        let k = BigUint::from_bytes_be(&sha256(&[&pad(&n), &pad(&g)]));
        // (B - k·g^x) mod N, kept non-negative.
        let kgx = (k * g.modpow(&x, &n)) % &n;
        let base = ((big_b % &n) + &n - kgx) % &n;
        let s = base.modpow(&(&self.a + &u * &x), &n);

        let prk = hmac(&pad(&u), &[&pad(&s)]);
        let key = &hmac(&prk, &[DERIVE_KEY_INFO])[..16];

        let secret_block = decode_secret_block(challenge.secret_block_b64)?;
        let timestamp = cognito_timestamp(unix_secs);
        let signature = hmac(
            key,
            &[
                self.pool_name.as_bytes(),
                challenge.user_id_for_srp.as_bytes(),
                &secret_block,
                timestamp.as_bytes(),
            ],
        );
        Ok(PasswordClaim {
            signature: BASE64.encode(signature),
            timestamp,
        })
    }
}

/// Cognito's secret block is base64. Characters outside the alphabet are skipped, as the
/// reference clients (Python's non-validating decoder) do: moto sends a UUID with hyphens.
fn decode_secret_block(input: &str) -> Result<Vec<u8>, SrpError> {
    let cleaned: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    BASE64
        .decode(cleaned)
        .map_err(|_| SrpError::Parameter("SECRET_BLOCK"))
}

fn n() -> BigUint {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("N is valid hex")
}

fn sha256(parts: &[&[u8]]) -> Vec<u8> {
    let mut digest = Sha256::new();
    for part in parts {
        digest.update(part);
    }
    digest.finalize().to_vec()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// Hex as Cognito sends it: possibly odd-length, leading zeros significant (for the salt).
fn hex_bytes(input: &str, what: &'static str) -> Result<Vec<u8>, SrpError> {
    let input = input.trim();
    let even = if input.len() % 2 == 1 {
        format!("0{input}")
    } else {
        input.to_owned()
    };
    hex::decode(even).map_err(|_| SrpError::Parameter(what))
}

/// A number's big-endian bytes as Cognito hashes them: minimal, plus a zero byte when the top
/// bit is set, so the value never reads as negative.
fn pad(value: &BigUint) -> Vec<u8> {
    pad_bytes(value.to_bytes_be())
}

fn pad_bytes(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    bytes
}

/// `Mon Feb 3 09:05:07 UTC 2025`: C's `%a %b %-d %H:%M:%S UTC %Y`, which Cognito requires.
#[must_use]
pub fn cognito_timestamp(unix_secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix_secs / 86_400;
    let secs = unix_secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{} {} {day} {:02}:{:02}:{:02} UTC {year}",
        DAYS[usize::try_from(days % 7).unwrap_or(0)],
        MONTHS[usize::try_from(month - 1).unwrap_or(0)],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
    )
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_formatted_as_cognito_wants() {
        assert_eq!(cognito_timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
        // 2025-02-10 18:30:12 UTC, a Monday.
        assert_eq!(
            cognito_timestamp(1_739_212_212),
            "Mon Feb 10 18:30:12 UTC 2025"
        );
        // 2024-02-29 09:05:07 UTC, a leap day.
        assert_eq!(
            cognito_timestamp(1_709_197_507),
            "Thu Feb 29 09:05:07 UTC 2024"
        );
    }

    #[test]
    fn padding_keeps_numbers_positive() {
        assert_eq!(pad(&BigUint::from(0x7fu8)), vec![0x7f]);
        assert_eq!(pad(&BigUint::from(0x80u8)), vec![0, 0x80]);
        assert_eq!(hex_bytes("abc", "x").unwrap(), vec![0x0a, 0xbc]);
        assert_eq!(hex_bytes("00ab", "x").unwrap(), vec![0, 0xab]);
    }

    #[test]
    fn unsafe_challenges_are_refused() {
        let client = SrpClient::with_secret("us-east-1_abc", &[7]).unwrap();
        let challenge = PasswordVerifierChallenge {
            user_id_for_srp: "u",
            salt_hex: "01",
            srp_b_hex: N_HEX,
            secret_block_b64: "AA==",
        };
        assert!(matches!(
            client.password_claim_at(&challenge, "pw", 0),
            Err(SrpError::Unsafe)
        ));
        assert!(matches!(
            SrpClient::with_secret("nopool", &[7]),
            Err(SrpError::PoolId)
        ));
    }
}
