//! Who may use `/rest/`: devcloud's own Subsonic accounts and API keys, from the command line
//! (`--subsonic-user NAME:PASSWORD`, `--subsonic-api-key KEY:NAME`), and the check of a
//! request's credentials against them: token and salt (`t`, `s`), the legacy password (`p`,
//! plain or `enc:` hex) and an API key (`apiKey`, the `apiKeyAuthentication` extension).
//!
//! Passwords and keys never appear in `Debug` output or logs.

use std::collections::HashMap;

use md5::{Digest as _, Md5};

use super::envelope::{Code, SubsonicError};
use super::params::Params;

/// `--subsonic-user NAME:PASSWORD`.
#[derive(Clone, PartialEq, Eq)]
pub struct SubsonicUser {
    pub name: String,
    pub password: String,
}

impl std::fmt::Debug for SubsonicUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubsonicUser")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl SubsonicUser {
    /// Parses `NAME:PASSWORD` (the name ends at the first colon; the password may hold more).
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            Some((name, password)) if !name.is_empty() && !password.is_empty() => Ok(Self {
                name: name.to_owned(),
                password: password.to_owned(),
            }),
            _ => Err("expected NAME:PASSWORD, both not empty".to_owned()),
        }
    }
}

/// `--subsonic-api-key KEY:NAME`.
#[derive(Clone, PartialEq, Eq)]
pub struct SubsonicApiKey {
    pub key: String,
    pub user: String,
}

impl std::fmt::Debug for SubsonicApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubsonicApiKey")
            .field("key", &"<redacted>")
            .field("user", &self.user)
            .finish()
    }
}

impl SubsonicApiKey {
    /// Parses `KEY:NAME` (the name starts after the last colon, as names hold none).
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.rsplit_once(':') {
            Some((key, user)) if !key.is_empty() && !user.is_empty() => Ok(Self {
                key: key.to_owned(),
                user: user.to_owned(),
            }),
            _ => Err("expected KEY:NAME, both not empty".to_owned()),
        }
    }
}

/// The accounts and keys, indexed.
#[derive(Clone, Default)]
pub struct Credentials {
    passwords: HashMap<String, String>,
    api_keys: HashMap<String, String>,
    /// `--subsonic-refuse-passwords`: `p` is answered with error 42, as a server that dropped
    /// the legacy mechanism does.
    refuse_passwords: bool,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("users", &self.passwords.keys().collect::<Vec<_>>())
            .field("api_keys", &self.api_keys.len())
            .field("refuse_passwords", &self.refuse_passwords)
            .finish()
    }
}

impl Credentials {
    #[must_use]
    pub fn new(users: &[SubsonicUser], keys: &[SubsonicApiKey], refuse_passwords: bool) -> Self {
        Self {
            passwords: users
                .iter()
                .map(|u| (u.name.clone(), u.password.clone()))
                .collect(),
            api_keys: keys
                .iter()
                .map(|k| (k.key.clone(), k.user.clone()))
                .collect(),
            refuse_passwords,
        }
    }

    /// The user a request's credentials name, or the error the spec gives for them.
    pub fn authenticate(&self, params: &Params) -> Result<String, SubsonicError> {
        let given = |name| params.has(name);
        if let Some(key) = params.one("apiKey") {
            if ["u", "p", "t", "s"].into_iter().any(given) {
                return Err(SubsonicError::new(
                    Code::ConflictingMechanisms,
                    "Multiple conflicting authentication mechanisms provided: an API key goes \
                     without u, p, t and s.",
                ));
            }
            return self
                .api_keys
                .get(key)
                .cloned()
                .ok_or_else(|| SubsonicError::new(Code::InvalidApiKey, "Invalid API key."));
        }
        let user = params.required("u")?;
        let wrong = || SubsonicError::new(Code::WrongCredentials, "Wrong username or password.");
        match (params.one("p"), params.one("t")) {
            (Some(_), Some(_)) => Err(SubsonicError::new(
                Code::ConflictingMechanisms,
                "Multiple conflicting authentication mechanisms provided: give p or t, not both.",
            )),
            (None, Some(token)) => {
                let salt = params.required("s")?;
                let password = self.passwords.get(user).ok_or_else(wrong)?;
                let expected = hex::encode(Md5::digest(format!("{password}{salt}")));
                equal(&expected, &token.to_ascii_lowercase())
                    .then(|| user.to_owned())
                    .ok_or_else(wrong)
            }
            (Some(given_password), None) => {
                if self.refuse_passwords {
                    return Err(SubsonicError::new(
                        Code::MechanismNotSupported,
                        "Provided authentication mechanism not supported: this server takes \
                         a token and salt or an API key, not a password.",
                    ));
                }
                let plain = decode_password(given_password).ok_or_else(wrong)?;
                let password = self.passwords.get(user).ok_or_else(wrong)?;
                equal(password, &plain)
                    .then(|| user.to_owned())
                    .ok_or_else(wrong)
            }
            (None, None) => Err(SubsonicError::missing("p or t")),
        }
    }
}

/// `p` as given: plain, or `enc:` and the UTF-8 bytes in hex.
fn decode_password(given: &str) -> Option<String> {
    match given.strip_prefix("enc:") {
        Some(encoded) => String::from_utf8(hex::decode(encoded).ok()?).ok(),
        None => Some(given.to_owned()),
    }
}

/// Compares without stopping at the first difference, so timing says nothing of a secret.
fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(refuse_passwords: bool) -> Credentials {
        Credentials::new(
            &[SubsonicUser::parse("alice:se:cret").unwrap()],
            &[SubsonicApiKey::parse("k:ey:alice").unwrap()],
            refuse_passwords,
        )
    }

    fn check(c: &Credentials, pairs: &[(&str, &str)]) -> Result<String, Code> {
        let params = Params::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
        c.authenticate(&params).map_err(|e| e.code)
    }

    #[test]
    fn parsing_splits_names_from_secrets() {
        let user = SubsonicUser::parse("alice:se:cret").unwrap();
        assert_eq!(
            (user.name.as_str(), user.password.as_str()),
            ("alice", "se:cret")
        );
        let key = SubsonicApiKey::parse("k:ey:alice").unwrap();
        assert_eq!((key.key.as_str(), key.user.as_str()), ("k:ey", "alice"));
        assert!(SubsonicUser::parse("alice").is_err());
        assert!(SubsonicUser::parse(":pw").is_err());
        assert!(SubsonicApiKey::parse("key:").is_err());
        let shown = format!("{user:?} {key:?} {:?}", credentials(false));
        assert!(
            !shown.contains("se:cret") && !shown.contains("k:ey"),
            "{shown}"
        );
    }

    #[test]
    fn every_mechanism_and_its_errors() {
        let c = credentials(false);
        // md5("se:cret" + "abc")
        let token = hex::encode(Md5::digest("se:cretabc"));
        assert_eq!(
            check(&c, &[("u", "alice"), ("t", &token), ("s", "abc")]),
            Ok("alice".into())
        );
        assert_eq!(
            check(
                &c,
                &[("u", "alice"), ("t", &token.to_uppercase()), ("s", "abc")]
            ),
            Ok("alice".into())
        );
        assert_eq!(
            check(&c, &[("u", "alice"), ("t", &token), ("s", "abd")]),
            Err(Code::WrongCredentials)
        );
        assert_eq!(
            check(&c, &[("u", "alice"), ("t", &token)]),
            Err(Code::MissingParameter)
        );
        assert_eq!(
            check(&c, &[("u", "alice"), ("p", "se:cret")]),
            Ok("alice".into())
        );
        let hex_password = format!("enc:{}", hex::encode("se:cret"));
        assert_eq!(
            check(&c, &[("u", "alice"), ("p", &hex_password)]),
            Ok("alice".into())
        );
        assert_eq!(
            check(&c, &[("u", "alice"), ("p", "enc:zz")]),
            Err(Code::WrongCredentials)
        );
        assert_eq!(
            check(&c, &[("u", "bob"), ("p", "se:cret")]),
            Err(Code::WrongCredentials)
        );
        assert_eq!(check(&c, &[("u", "alice")]), Err(Code::MissingParameter));
        assert_eq!(check(&c, &[("p", "se:cret")]), Err(Code::MissingParameter));
        assert_eq!(
            check(&c, &[("u", "alice"), ("p", "x"), ("t", "y"), ("s", "z")]),
            Err(Code::ConflictingMechanisms)
        );
        assert_eq!(check(&c, &[("apiKey", "k:ey")]), Ok("alice".into()));
        assert_eq!(
            check(&c, &[("apiKey", "k:ey"), ("u", "alice")]),
            Err(Code::ConflictingMechanisms)
        );
        assert_eq!(check(&c, &[("apiKey", "nope")]), Err(Code::InvalidApiKey));
        let refusing = credentials(true);
        assert_eq!(
            check(&refusing, &[("u", "alice"), ("p", "se:cret")]),
            Err(Code::MechanismNotSupported)
        );
        assert_eq!(
            check(&refusing, &[("u", "alice"), ("t", &token), ("s", "abc")]),
            Ok("alice".into())
        );
    }
}
