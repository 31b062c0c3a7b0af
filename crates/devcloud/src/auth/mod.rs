//! Who is calling: Cognito access tokens verified against the user pool's JWKS, and the
//! emulator provisioning that creates that pool for local use.

pub mod cognito;
pub mod jwks;
pub mod jwt;

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use strato_model::api::{Problem, ProblemType};

use crate::account::AccountStore;
use crate::config::CognitoSettings;
use crate::problem::ApiError;
use crate::unix_now;
use jwks::Jwks;
use jwt::{Expected, Rejection};

/// Clock skew tolerated on `exp`/`nbf`.
pub const LEEWAY_SECS: i64 = 30;

/// Verifies bearer tokens for one user pool and app client.
#[derive(Debug)]
pub struct Authenticator {
    jwks: Jwks,
    expected: Expected,
    /// When each listener last signed out everywhere: tokens issued before are refused.
    accounts: Arc<dyn AccountStore>,
}

impl Authenticator {
    #[must_use]
    pub fn new(cognito: &CognitoSettings, accounts: Arc<dyn AccountStore>) -> Self {
        Self {
            jwks: Jwks::new(cognito.jwks_url.clone()),
            expected: Expected {
                issuer: cognito.issuer.clone(),
                client_id: cognito.client_id.clone(),
                leeway_secs: LEEWAY_SECS,
            },
            accounts,
        }
    }

    /// Loads the key set ahead of the first request; failures are only logged, as the keys
    /// are fetched again on demand.
    pub async fn prefetch(&self) {
        if let Err(error) = self.jwks.refresh().await {
            tracing::warn!(%error, "could not prefetch the user pool's keys");
        }
    }

    /// The user a bearer token belongs to.
    pub async fn authenticate(&self, token: &str) -> Result<User, Rejection> {
        let unverified = jwt::parse(token)?;
        let kid = unverified.kid.clone().ok_or(Rejection::UnknownKey)?;
        let key = match self.jwks.key(&kid).await {
            Ok(Some(key)) => key,
            Ok(None) => return Err(Rejection::UnknownKey),
            Err(error) => {
                tracing::warn!(%error, "user pool keys unavailable");
                return Err(Rejection::KeysUnavailable);
            }
        };
        let claims = unverified.verify(&key, &self.expected, unix_now())?;
        let signed_out_at = self
            .accounts
            .signed_out_at(&claims.sub)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "sign-out times unavailable");
                Rejection::AccountsUnavailable
            })?;
        // A token of the same second as the sign-out may be a new sign-in's: let it be.
        if signed_out_at.is_some_and(|at| claims.iat.unwrap_or(0) < at) {
            return Err(Rejection::SignedOut);
        }
        Ok(User {
            expires_at: claims.exp,
            sub: claims.sub,
            username: claims.username,
            groups: claims.groups,
        })
    }
}

/// The caller of an authenticated endpoint. Extracting it answers 401 when the
/// `Authorization: Bearer` token is missing or not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The token's `sub`: the key of everything stored per user.
    pub sub: String,
    pub username: Option<String>,
    /// The token's `cognito:groups`.
    pub groups: Vec<String>,
    /// When the token expires (Unix seconds): a live connection opened with it ends then.
    pub expires_at: i64,
}

/// The Cognito group whose members moderate uploads.
pub const ADMINS_GROUP: &str = "admins";

impl User {
    /// A member of [`ADMINS_GROUP`].
    #[must_use]
    pub fn is_admin(&self) -> bool {
        self.groups.iter().any(|g| g == ADMINS_GROUP)
    }

    /// The name others see: the username, else a short form of the id.
    #[must_use]
    pub fn display_name(&self) -> String {
        self.username
            .clone()
            .unwrap_or_else(|| self.sub.chars().take(8).collect())
    }
}

impl<S> FromRequestParts<S> for User
where
    S: Send + Sync,
    Arc<Authenticator>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty());
        let Some(token) = token else {
            return Err(unauthorized(&Rejection::Missing));
        };
        let authenticator = Arc::<Authenticator>::from_ref(state);
        authenticator
            .authenticate(token)
            .await
            .map_err(|rejection| unauthorized(&rejection))
    }
}

fn unauthorized(rejection: &Rejection) -> ApiError {
    if matches!(
        rejection,
        Rejection::KeysUnavailable | Rejection::AccountsUnavailable
    ) {
        return ApiError::from_problem(Problem {
            status: 503,
            ..Problem::new(ProblemType::Internal, "Cannot verify tokens right now")
        })
        .detail(rejection.to_string());
    }
    let challenge = if *rejection == Rejection::Missing {
        HeaderValue::from_static("Bearer")
    } else {
        HeaderValue::from_static("Bearer error=\"invalid_token\"")
    };
    ApiError::new(ProblemType::Unauthorized, "Unauthorized")
        .detail(rejection.to_string())
        .header(header::WWW_AUTHENTICATE, challenge)
}
