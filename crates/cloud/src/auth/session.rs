//! A signed-in session's tokens, refreshed when needed, once for all concurrent callers.
//!
//! The state sits behind an async mutex that is held across the refresh call: callers that
//! arrive during a refresh wait for it and then use its result, so N concurrent requests
//! cause one refresh (single flight). A refused refresh ends the session: every later call
//! fails at once with the same words, without asking Cognito again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::Mutex;

use super::Tokens;
use crate::{CloudError, CloudErrorKind, ServiceClient};

/// Refresh this long before the access token expires: covers a client clock running behind
/// Cognito's by a few minutes and the time the request itself takes.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// The tokens of a signed-in session, shared by every request.
#[derive(Debug)]
pub struct AuthSession {
    service: ServiceClient,
    state: Mutex<State>,
    refresh_margin: Duration,
    refreshes: AtomicU64,
}

#[derive(Debug)]
struct State {
    tokens: Tokens,
    /// Bumped by each refresh, so a request that got a 401 can tell whether the token it used
    /// has been replaced since.
    generation: u64,
    refreshed_at: Option<Instant>,
    /// Set once a refresh was refused: the words to repeat.
    ended: Option<String>,
}

/// An access token and the generation it belongs to. `Debug` never shows the token.
#[derive(Clone)]
pub(crate) struct Bearer {
    pub(crate) token: String,
    pub(crate) generation: u64,
}

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bearer")
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl AuthSession {
    #[must_use]
    pub fn new(service: ServiceClient, tokens: Tokens) -> Self {
        Self {
            service,
            state: Mutex::new(State {
                tokens,
                generation: 0,
                refreshed_at: None,
                ended: None,
            }),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            refreshes: AtomicU64::new(0),
        }
    }

    /// Refresh this long before expiry instead of [`DEFAULT_REFRESH_MARGIN`].
    #[must_use]
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    #[must_use]
    pub fn service(&self) -> &ServiceClient {
        &self.service
    }

    /// How many refreshes this session has made (each one a Cognito call).
    #[must_use]
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// A copy of the current tokens, e.g. to keep the refresh token in the keychain.
    pub async fn tokens(&self) -> Tokens {
        self.state.lock().await.tokens.clone()
    }

    /// A valid access token, refreshed first if it expires within the margin.
    pub(crate) async fn bearer(&self) -> Result<Bearer, CloudError> {
        let asked_at = Instant::now();
        let mut state = self.state.lock().await;
        if let Some(words) = &state.ended {
            return Err(CloudError::new(CloudErrorKind::Auth, words.clone()));
        }
        let fresh_enough = state.tokens.expires_at > SystemTime::now() + self.refresh_margin;
        // Someone else refreshed while this call waited for the lock: use theirs.
        let just_refreshed = state.refreshed_at.is_some_and(|at| at >= asked_at);
        if !fresh_enough && !just_refreshed {
            self.refresh_locked(&mut state).await?;
        }
        Ok(Bearer {
            token: state.tokens.access_token.clone(),
            generation: state.generation,
        })
    }

    /// After a 401 with `refused`: refresh once, unless another request already has.
    pub(crate) async fn bearer_after_unauthorized(
        &self,
        refused: &Bearer,
    ) -> Result<Bearer, CloudError> {
        let mut state = self.state.lock().await;
        if let Some(words) = &state.ended {
            return Err(CloudError::new(CloudErrorKind::Auth, words.clone()));
        }
        if state.generation == refused.generation {
            self.refresh_locked(&mut state).await?;
        }
        Ok(Bearer {
            token: state.tokens.access_token.clone(),
            generation: state.generation,
        })
    }

    /// Revokes the session everywhere (`GlobalSignOut`) and ends it here. The session ends
    /// locally even when the service cannot be reached; the error says so.
    pub async fn sign_out(&self) -> Result<(), CloudError> {
        let mut state = self.state.lock().await;
        let result = self.service.global_sign_out(&state.tokens).await;
        state.ended = Some(super::errors::SESSION_ENDED.to_owned());
        state.tokens.access_token.clear();
        state.tokens.refresh_token = None;
        result
    }

    /// Ends the session here once the service has revoked it everywhere
    /// (`POST /v1/account/sign-out-everywhere`): no Cognito call, which would be refused now.
    pub async fn end_revoked(&self) {
        let mut state = self.state.lock().await;
        tracing::info!(
            account = %crate::redact::account_tag(&state.tokens.username),
            "signed out everywhere"
        );
        state.ended = Some(super::errors::SESSION_ENDED.to_owned());
        state.tokens.access_token.clear();
        state.tokens.refresh_token = None;
    }

    async fn refresh_locked(&self, state: &mut State) -> Result<(), CloudError> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        match self.service.refresh(&state.tokens).await {
            Ok(tokens) => {
                state.tokens = tokens;
                state.generation += 1;
                state.refreshed_at = Some(Instant::now());
                Ok(())
            }
            Err(err) => {
                if err.kind() == CloudErrorKind::Auth {
                    tracing::info!(
                        account = %crate::redact::account_tag(&state.tokens.username),
                        "session ended: refresh refused"
                    );
                    state.ended = Some(err.to_string());
                    state.tokens.refresh_token = None;
                }
                Err(err)
            }
        }
    }
}
