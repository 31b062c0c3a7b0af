//! The account screens' data: where a sign-in step left the listener, whether "stay signed
//! in" can be offered, and where a confirmation code was sent.
//!
//! Cognito's own challenge session never crosses to the UI: a challenge is named by an
//! opaque `id`, and the Rust side keeps what answering it needs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Session;

/// The outcome of a sign-in step: signed in, or one more question to answer with
/// `answer_challenge`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum SignInStep {
    SignedIn { session: Session },
    Challenge { challenge: SignInChallenge },
}

/// A question the service asks before signing in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInChallenge {
    /// Names this challenge when answering it; a newer sign-in makes it stale.
    pub id: String,
    pub kind: ChallengeKind,
    /// What to do, as a sentence: "To sign in, choose a new password."
    pub prompt: String,
}

/// What the answer is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChallengeKind {
    /// A new password: the one used was temporary.
    NewPassword,
    /// A code from an authenticator app.
    AuthenticatorCode,
    /// A code sent by text message, to a masked number when the service says which.
    SmsCode { destination: Option<String> },
}

/// Whether the sign-in form can offer "stay signed in", and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaySignedIn {
    pub available: bool,
    /// Why it is unavailable, or a caveat when it is (the Linux kernel keyring forgets at
    /// logout).
    pub reason: Option<String>,
}

/// How far the app trusts the service addresses typed on the sign-in screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServiceTrust {
    /// The developer setting (`STRATO_ALLOW_INSECURE_SERVICE`) is on: any address is
    /// accepted, even without https, and the service may name its own sign-in endpoint. The
    /// sign-in screen shows a warning while it is.
    pub allow_insecure: bool,
}

/// Where the service sent a code, masked ("j***@e***"), when it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CodeDelivery {
    pub destination: Option<String>,
    /// `EMAIL` or `SMS`.
    pub medium: Option<String>,
}

/// The outcome of creating an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignUpOutcome {
    /// `false` until the code sent to `delivery` is confirmed.
    pub confirmed: bool,
    pub delivery: CodeDelivery,
}

/// An account kept on this computer ("stay signed in"), offered as "Continue as …" and in the
/// account menu. No secret: the token stays in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RememberedAccount {
    pub service_url: String,
    pub username: String,
    /// Whether it is the account signed in now.
    pub current: bool,
}
