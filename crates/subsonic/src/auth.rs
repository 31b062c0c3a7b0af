//! How Strato proves who it is to a Subsonic server, and the secret it proves it with.
//!
//! Three ways, best first, chosen at connect from what the server offers
//! ([`crate::SubsonicClient::connect`]):
//! - an API key (`apiKey=`), the OpenSubsonic `apiKeyAuthentication` extension: no username
//!   and no password travel at all;
//! - a salted token (`t=md5(password + salt)`, `s=salt`, a new salt for every request), since
//!   Subsonic API 1.13: the password itself never travels;
//! - the password in hex (`p=enc:<hex>`), the only way of older servers and of some accounts
//!   (Supysonic; LDAP users of Airsonic answer token requests with code 41). Hex is not
//!   encryption: over plain http it is as good as the password, hence https beyond this
//!   computer (`address.rs`).
//!
//! The secret lives in a [`Secret`], whose `Debug` prints `[redacted]`, so no derived `Debug`
//! of a struct holding one can leak it into a log.

use md5::{Digest as _, Md5};
use rand::Rng as _;

use crate::{SubsonicError, SubsonicErrorKind};

/// A password or an API key. `Debug` never shows it; [`Secret::expose`] is the only way in.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    #[must_use]
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, to build a request with. Never log what this returns.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

/// What the listener gave to sign in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A username and its password: token authentication, else the legacy hex password.
    Password { username: String, password: Secret },
    /// An API key made on the server (OpenSubsonic's `apiKeyAuthentication`).
    ApiKey { key: Secret },
}

impl Credentials {
    /// A username and password.
    #[must_use]
    pub fn password(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self::Password {
            username: username.into(),
            password: password.into(),
        }
    }

    /// An API key.
    #[must_use]
    pub fn api_key(key: impl Into<Secret>) -> Self {
        Self::ApiKey { key: key.into() }
    }
}

/// How requests are authenticated, once chosen at connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// `apiKey=<key>`.
    ApiKey,
    /// `u=<user>&t=md5(password + salt)&s=<salt>`.
    Token,
    /// `u=<user>&p=enc:<hex of the password>`.
    LegacyPassword,
}

impl AuthMethod {
    /// The method as Settings and Diagnostics name it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::ApiKey => "API key",
            Self::Token => "salted token",
            Self::LegacyPassword => "password (legacy, hex-encoded)",
        }
    }
}

/// `md5(password + salt)` in lower-case hex: Subsonic's `t` parameter.
#[must_use]
pub fn salted_token(password: &str, salt: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(password.as_bytes());
    md5.update(salt.as_bytes());
    hex::encode(md5.finalize())
}

/// A fresh salt: 16 random hex digits (the API asks for at least six characters).
pub(crate) fn new_salt() -> String {
    hex::encode(rand::thread_rng().r#gen::<[u8; 8]>())
}

/// The query parameters that authenticate one request by `method`, with `salt` for a token.
///
/// # Errors
/// `InvalidInput` when `method` cannot be used with `credentials` (a token from an API key).
pub(crate) fn auth_params(
    method: AuthMethod,
    credentials: &Credentials,
    salt: &str,
) -> Result<Vec<(&'static str, String)>, SubsonicError> {
    match (method, credentials) {
        (AuthMethod::ApiKey, Credentials::ApiKey { key }) => {
            Ok(vec![("apiKey", key.expose().to_owned())])
        }
        (AuthMethod::Token, Credentials::Password { username, password }) => Ok(vec![
            ("u", username.clone()),
            ("t", salted_token(password.expose(), salt)),
            ("s", salt.to_owned()),
        ]),
        (AuthMethod::LegacyPassword, Credentials::Password { username, password }) => Ok(vec![
            ("u", username.clone()),
            ("p", format!("enc:{}", hex::encode(password.expose()))),
        ]),
        _ => Err(SubsonicError::new(
            SubsonicErrorKind::InvalidInput,
            "That way of signing in needs a password, not an API key (or the other way round).",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_the_md5_of_password_and_salt() {
        // The example of the Subsonic API documentation.
        assert_eq!(
            salted_token("sesame", "c19b2d"),
            "26719a1196d2a940705a59634eb18eab"
        );
        assert_eq!(
            salted_token("", ""),
            "d41d8cd98f00b204e9800998ecf8427e",
            "md5 of nothing"
        );
    }

    #[test]
    fn every_salt_is_new_and_long_enough() {
        let (a, b) = (new_salt(), new_salt());
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn each_method_sends_its_own_parameters_and_nothing_else() {
        let password = Credentials::password("ann", "sesame");
        let token = auth_params(AuthMethod::Token, &password, "c19b2d").unwrap();
        assert_eq!(
            token,
            vec![
                ("u", "ann".to_owned()),
                ("t", "26719a1196d2a940705a59634eb18eab".to_owned()),
                ("s", "c19b2d".to_owned()),
            ]
        );
        let legacy = auth_params(AuthMethod::LegacyPassword, &password, "unused").unwrap();
        assert_eq!(
            legacy,
            vec![
                ("u", "ann".to_owned()),
                ("p", "enc:736573616d65".to_owned())
            ]
        );
        let key = Credentials::api_key("k-123");
        let api = auth_params(AuthMethod::ApiKey, &key, "unused").unwrap();
        assert_eq!(api, vec![("apiKey", "k-123".to_owned())]);
    }

    #[test]
    fn the_legacy_password_is_the_hex_of_its_utf8() {
        let password = Credentials::password("ann", "ü &");
        let legacy = auth_params(AuthMethod::LegacyPassword, &password, "").unwrap();
        assert_eq!(legacy[1], ("p", "enc:c3bc2026".to_owned()));
    }

    #[test]
    fn a_method_that_does_not_fit_the_credentials_is_refused() {
        let key = Credentials::api_key("k");
        let err = auth_params(AuthMethod::Token, &key, "s").unwrap_err();
        assert_eq!(err.kind(), SubsonicErrorKind::InvalidInput);
        let password = Credentials::password("ann", "pw");
        assert!(auth_params(AuthMethod::ApiKey, &password, "s").is_err());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let credentials = Credentials::password("ann", "hunter2");
        let shown = format!("{credentials:?}");
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        let key = format!("{:?}", Credentials::api_key("key-xyz"));
        assert!(!key.contains("key-xyz"), "{key}");
    }
}
