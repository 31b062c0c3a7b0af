//! Every Cognito failure as words a listener understands.
//!
//! Errors are matched on Cognito's error code (`NotAuthorizedException`, ...) rather than on
//! each operation's error enum: the codes are shared by all operations, so one table covers
//! sign-in, challenges, refresh, sign-up and password reset alike.

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::{CloudError, CloudErrorKind};

/// What the listener was doing, for the words and for the few codes whose meaning depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    SignIn,
    Challenge,
    Refresh,
    SignUp,
    Confirm,
    ResetPassword,
    SignOut,
}

pub(crate) const SESSION_ENDED: &str = "Your session has ended. Please sign in again.";
const WRONG_CREDENTIALS: &str = "Incorrect username or password.";
const SERVICE_PROBLEM: &str = "The sign-in service had a problem. Try again later.";

/// Maps any Cognito SDK error.
pub(crate) fn cognito_error<E, R>(err: SdkError<E, R>, step: Step) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    // Cognito's messages echo no secrets, but an emulator's may quote the token it refused:
    // tokens are taken out, and the line is at debug only.
    tracing::debug!(
        ?step,
        error = %crate::redact::tokens(&DisplayErrorContext(&err).to_string()),
        "Cognito call failed"
    );
    let tls = crate::trust::certificate_problem(&err);
    let (kind, message) = match &err {
        SdkError::DispatchFailure(_) if tls.is_some() => (
            CloudErrorKind::Untrusted,
            tls.unwrap_or_default()
                .replace("The service's", "The sign-in service's"),
        ),
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => (
            CloudErrorKind::Offline,
            "Could not reach the sign-in service. Check your connection.".to_owned(),
        ),
        SdkError::ServiceError(service) => {
            words(service.err().code(), service.err().message(), step)
        }
        _ => (CloudErrorKind::Server, SERVICE_PROBLEM.to_owned()),
    };
    CloudError::new(kind, message).with_source(err)
}

/// The words for a Cognito error code. `message` is Cognito's own text, used only to tell a
/// revoked refresh token from other refusals.
pub(crate) fn words(
    code: Option<&str>,
    message: Option<&str>,
    step: Step,
) -> (CloudErrorKind, String) {
    use CloudErrorKind::{Auth, InvalidInput, Server};
    let (kind, text): (CloudErrorKind, &str) = match code.unwrap_or_default() {
        // A refused refresh token (revoked, expired, or signed out elsewhere) ends the session.
        "NotAuthorizedException" if step == Step::Refresh => (Auth, SESSION_ENDED),
        "NotAuthorizedException" | "UserNotFoundException" if step == Step::SignOut => {
            (Auth, SESSION_ENDED)
        }
        // The same words for both, so the form does not reveal which usernames exist.
        "NotAuthorizedException" | "UserNotFoundException"
            if matches!(step, Step::SignIn | Step::Challenge) =>
        {
            if message.is_some_and(|m| m.to_ascii_lowercase().contains("session")) {
                (Auth, "This sign-in took too long. Please start again.")
            } else {
                (Auth, WRONG_CREDENTIALS)
            }
        }
        "NotAuthorizedException" => (Auth, "That is not allowed for this account."),
        "UserNotFoundException" => (Auth, "No account has that username."),
        "UserNotConfirmedException" => (
            Auth,
            "This account is not confirmed yet. Enter the code you were sent to confirm it.",
        ),
        "PasswordResetRequiredException" => (
            Auth,
            "Your password must be reset before you can sign in. Use \u{201c}Forgot password\u{201d}.",
        ),
        "CodeMismatchException" if step == Step::Challenge => {
            (Auth, "That code is not right. Check it and try again.")
        }
        "CodeMismatchException" => (
            InvalidInput,
            "That code is not right. Check it and try again.",
        ),
        "ExpiredCodeException" => (InvalidInput, "That code has expired. Ask for a new one."),
        "LimitExceededException"
        | "TooManyRequestsException"
        | "TooManyFailedAttemptsException" => {
            (Auth, "Too many attempts. Wait a few minutes and try again.")
        }
        "InvalidPasswordException" => (
            InvalidInput,
            "That password is not allowed: it must be long enough and mix upper- and lower-case letters, numbers and symbols.",
        ),
        "UsernameExistsException" => (
            InvalidInput,
            "That username is taken. Choose another, or sign in.",
        ),
        "AliasExistsException" => (
            InvalidInput,
            "That email address or phone number is already used by another account.",
        ),
        "CodeDeliveryFailureException" => (
            Server,
            "The code could not be sent. Check the email address or phone number.",
        ),
        "InvalidParameterException" if step == Step::SignUp => (
            InvalidInput,
            "Some of the details are not valid. Check them and try again.",
        ),
        "ResourceNotFoundException" if step == Step::Challenge => {
            (Auth, "This sign-in took too long. Please start again.")
        }
        _ => (Server, SERVICE_PROBLEM),
    };
    (kind, text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_password_and_unknown_user_read_the_same() {
        let a = words(
            Some("NotAuthorizedException"),
            Some("Incorrect username or password."),
            Step::SignIn,
        );
        let b = words(Some("UserNotFoundException"), None, Step::SignIn);
        assert_eq!(a, b);
        assert_eq!(a.0, CloudErrorKind::Auth);
    }

    #[test]
    fn a_refused_refresh_ends_the_session() {
        let (kind, text) = words(
            Some("NotAuthorizedException"),
            Some("Refresh Token has been revoked"),
            Step::Refresh,
        );
        assert_eq!(kind, CloudErrorKind::Auth);
        assert_eq!(text, SESSION_ENDED);
    }

    #[test]
    fn each_common_failure_has_its_own_words() {
        let cases = [
            ("UserNotConfirmedException", "not confirmed"),
            ("CodeMismatchException", "code is not right"),
            ("ExpiredCodeException", "expired"),
            ("LimitExceededException", "Too many attempts"),
            ("TooManyRequestsException", "Too many attempts"),
            ("TooManyFailedAttemptsException", "Too many attempts"),
            ("InvalidPasswordException", "password is not allowed"),
            ("UsernameExistsException", "username is taken"),
        ];
        for (code, expected) in cases {
            let (_, text) = words(Some(code), None, Step::Confirm);
            assert!(text.contains(expected), "{code}: {text}");
        }
        let (kind, _) = words(Some("InternalErrorException"), None, Step::SignIn);
        assert_eq!(kind, CloudErrorKind::Server);
    }
}
