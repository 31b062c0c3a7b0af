//! Signing in to a server that speaks the Subsonic API (Navidrome, Gonic, Supysonic...), and
//! staying signed in to it.
//!
//! The sign-in screen has one address field for every kind of service: an address whose
//! path is the API's own folder (`…/rest`) is a Subsonic server; any other is asked for the
//! Strato cloud's configuration first, and when it answers but not as Strato, it is tried as
//! a Subsonic server with the same name and password.
//!
//! A Subsonic server has no refresh token: staying signed in keeps the password itself, in
//! the keychain entry where a Strato account keeps its token, marked so that resuming knows
//! which it is ([`kept_password`]). Nowhere else: the client holds it in a redacting
//! [`Secret`](strato_subsonic::Secret), and every address it logs is redacted.
//!
//! An API key (`OpenSubsonic`'s `apiKeyAuthentication`) signs in with the address alone, on
//! a server that lists the extension: the account is named by the key's owner, as the
//! server's `tokenInfo` says, and the key is kept as a password is, marked apart
//! ([`kept_api_key`]).

use std::sync::Arc;

use strato_cloud::{CloudError, CloudErrorKind};
use strato_model::ipc::{AppError, ErrorKind};
use strato_service::ServiceError;
use strato_subsonic::{
    ConnectOptions, Credentials, SubsonicClient, SubsonicError, SubsonicErrorKind,
};

use super::{Account, Accounts, Connection};
use crate::error::from_service;

/// Marks a kept Subsonic password apart from a Strato refresh token (which never starts so).
const PASSWORD_MARK: &str = "opensubsonic-password:";
/// Marks a kept API key apart from a password and a refresh token.
const API_KEY_MARK: &str = "opensubsonic-api-key:";

/// The keychain's value for a Subsonic account's `password`.
fn kept_value(password: &str) -> String {
    format!("{PASSWORD_MARK}{password}")
}

/// The password in a kept keychain value, if the value is a Subsonic account's.
pub(super) fn kept_password(value: &str) -> Option<&str> {
    value.strip_prefix(PASSWORD_MARK)
}

/// The API key in a kept keychain value, if the value is one.
pub(super) fn kept_api_key(value: &str) -> Option<&str> {
    value.strip_prefix(API_KEY_MARK)
}

/// Whether the typed address is the Subsonic API's own folder (`https://host/rest`).
pub(super) fn names_the_api(address: &str) -> bool {
    let path = address.trim().split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/').ends_with("/rest")
}

/// Whether a failure to read the Strato cloud's configuration leaves room for the address
/// being a Subsonic server: something answered, but not as the Strato cloud (no
/// `/v1/config`: a 404, or a page that is not its JSON). A Strato service failing (a 5xx, a
/// 429), refusing, or out of reach keeps its own error, and no password is sent elsewhere.
pub(super) fn may_be_subsonic(err: &CloudError) -> bool {
    err.status() == Some(404) || (err.kind() == CloudErrorKind::Server && err.status().is_none())
}

impl Accounts {
    /// Signs in to the Subsonic server at `address`; with `stay_signed_in`, keeps the password
    /// in the keychain. `not_strato` is why the address was not taken for the Strato cloud,
    /// when it was tried first: a server that is not a Subsonic one either is then said to
    /// be neither.
    pub(super) async fn sign_in_subsonic(
        &self,
        address: &str,
        username: &str,
        password: String,
        stay_signed_in: bool,
        not_strato: Option<&CloudError>,
    ) -> Result<Account, AppError> {
        let username = username.trim();
        let kept = stay_signed_in.then(|| kept_value(&password));
        let credentials = Credentials::password(username, password);
        let client = match self.connect_subsonic(address, credentials).await {
            Ok(client) => client,
            Err(err) if not_strato.is_some() && is_not_subsonic(&err) => {
                tracing::info!(
                    strato = %not_strato.map(ToString::to_string).unwrap_or_default(),
                    subsonic = %err,
                    "the address is neither a Strato service nor a Subsonic server"
                );
                return Err(AppError::new(
                    ErrorKind::NotFound,
                    "No music service answers at this address: it is neither a Strato \
                     service nor a Subsonic server. Check the address.",
                ));
            }
            Err(err) => return Err(from_subsonic(err)),
        };
        Ok(self.signed_in_subsonic(client, username, kept).await)
    }

    /// Signs in to the Subsonic server at `address` with an API key, as the key's owner;
    /// with `stay_signed_in`, keeps the key in the keychain. A server without the
    /// `apiKeyAuthentication` extension is told apart in words, the key never sent to it.
    pub(super) async fn sign_in_subsonic_key(
        &self,
        address: &str,
        key: String,
        stay_signed_in: bool,
    ) -> Result<Account, AppError> {
        let key = key.trim().to_owned();
        if key.is_empty() {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "Enter the API key you made on the server.",
            ));
        }
        let kept = stay_signed_in.then(|| format!("{API_KEY_MARK}{key}"));
        let client = match self
            .connect_subsonic(address, Credentials::api_key(key))
            .await
        {
            Ok(client) => client,
            Err(err) if is_not_subsonic(&err) => {
                tracing::info!(subsonic = %err, "no Subsonic server at the address of an API key");
                return Err(AppError::new(
                    ErrorKind::NotFound,
                    "No Subsonic server answers at this address. Check the address.",
                ));
            }
            // No keys taken here (no extension, or no owner said): a refused sign-in.
            Err(err) if err.kind() == SubsonicErrorKind::Unsupported => {
                return Err(AppError::new(ErrorKind::Auth, err.message()));
            }
            Err(err) => return Err(from_subsonic(err)),
        };
        let username = client.username().unwrap_or_default().to_owned();
        Ok(self.signed_in_subsonic(client, &username, kept).await)
    }

    /// The account signed in with `client` as `username`, its secret kept when `kept` holds
    /// the keychain's value for it.
    async fn signed_in_subsonic(
        &self,
        client: SubsonicClient,
        username: &str,
        kept: Option<String>,
    ) -> Account {
        // Named by the API's own folder: an account on this server is kept apart from a
        // Strato account at the same address (its keychain entry, its library's file).
        let url = format!("{}rest/", client.base_url());
        if let Some(value) = kept {
            let (scope, kept_url, user) = (self.scope.clone(), url.clone(), username.to_owned());
            self.keep(move |store| {
                store.save_secret(&kept_url, &user, &value)?;
                store.remember_account(&scope, &kept_url, &user)
            })
            .await;
        }
        let connection = Connection::Subsonic(Arc::new(client));
        Account {
            session: connection.session(&url, username),
            connection,
        }
    }

    /// Resumes a kept Subsonic account with its kept password or API key. A refused one
    /// (changed or revoked on the server, or a key now another user's) is forgotten; being
    /// offline keeps it for next time.
    pub(super) async fn resume_subsonic(
        &self,
        service_url: &str,
        username: &str,
        credentials: Credentials,
    ) -> Result<Account, AppError> {
        match self.connect_subsonic(service_url, credentials).await {
            Ok(client) if client.username().is_some_and(|owner| owner != username) => {
                // The key was given to another user on the server since: not this account's.
                self.forget(service_url, username).await;
                Err(AppError::new(
                    ErrorKind::Auth,
                    format!(
                        "The API key kept for {username} now belongs to another account on \
                         the server. Please sign in again."
                    ),
                ))
            }
            Ok(client) => {
                self.note_resumed(service_url, username).await;
                let connection = Connection::Subsonic(Arc::new(client));
                Ok(Account {
                    session: connection.session(service_url, username),
                    connection,
                })
            }
            Err(err) => {
                if err.kind() == SubsonicErrorKind::Auth {
                    self.forget(service_url, username).await;
                }
                Err(from_subsonic(err))
            }
        }
    }

    async fn connect_subsonic(
        &self,
        address: &str,
        credentials: Credentials,
    ) -> Result<SubsonicClient, SubsonicError> {
        let options = ConnectOptions {
            allow_insecure: self.trust.insecure_allowed(),
        };
        SubsonicClient::connect_with(address, credentials, options).await
    }
}

/// Whether the answer says the address is no Subsonic server at all (a page not found, an
/// answer that is not the API's), rather than one that refused or failed (a 5xx is the
/// server's failure, said as such).
fn is_not_subsonic(err: &SubsonicError) -> bool {
    let not_the_api = match err.kind() {
        SubsonicErrorKind::NotFound => true,
        SubsonicErrorKind::Server => err.status().is_none_or(|status| status < 500),
        _ => false,
    };
    not_the_api && err.code().is_none()
}

fn from_subsonic(err: SubsonicError) -> AppError {
    from_service(&ServiceError::from(err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apis_folder_names_a_subsonic_server() {
        assert!(names_the_api("https://music.example.com/rest"));
        assert!(names_the_api(" http://127.0.0.1:4533/rest/ "));
        assert!(names_the_api("https://host/navidrome/rest?x=1"));
        assert!(!names_the_api("https://music.example.com"));
        assert!(!names_the_api("https://host/myrest"));
        assert!(!names_the_api("https://host/rest/v1"));
    }

    #[test]
    fn a_kept_password_is_told_apart_from_a_refresh_token() {
        let value = kept_value("pa:ss word");
        assert_eq!(kept_password(&value), Some("pa:ss word"));
        assert_eq!(kept_api_key(&value), None);
        let key = format!("{API_KEY_MARK}k:ey");
        assert_eq!(kept_api_key(&key), Some("k:ey"));
        assert_eq!(kept_password(&key), None);
        assert_eq!(
            kept_password("eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.x"),
            None
        );
    }
}
