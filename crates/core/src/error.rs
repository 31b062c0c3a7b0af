//! Every error reaches the front ends as one [`AppError`]: a kind and a sentence.

use strato_audio::{AudioError, SinkError};
use strato_cloud::{CloudError, CloudErrorKind};
use strato_model::ipc::{AppError, ErrorKind};

pub(crate) fn from_cloud(err: &CloudError) -> AppError {
    let kind = match err.kind() {
        CloudErrorKind::Offline => ErrorKind::Network,
        CloudErrorKind::Auth => ErrorKind::Auth,
        CloudErrorKind::NotFound => ErrorKind::NotFound,
        CloudErrorKind::InvalidInput => ErrorKind::InvalidInput,
        _ => ErrorKind::Server,
    };
    AppError::new(kind, err.to_string())
}

pub(crate) fn from_audio(err: &AudioError) -> AppError {
    match err {
        AudioError::Output(SinkError::NoDevice(_)) => AppError::new(
            ErrorKind::NoOutputDevice,
            "No audio output device is available, so nothing can be heard.",
        ),
        other => AppError::new(ErrorKind::Playback, capitalise(&other.to_string())),
    }
}

pub(crate) fn not_signed_in() -> AppError {
    AppError::new(ErrorKind::NotSignedIn, "Sign in first.")
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_device_is_its_own_kind() {
        let err = from_audio(&AudioError::Output(SinkError::NoDevice(
            "no ALSA card".into(),
        )));
        assert_eq!(err.kind, ErrorKind::NoOutputDevice);
    }

    #[test]
    fn decoder_errors_read_as_sentences() {
        let err = from_audio(&AudioError::Malformed("bad frame".into()));
        assert_eq!(err.kind, ErrorKind::Playback);
        assert!(
            err.message.starts_with("This track's audio is damaged"),
            "{}",
            err.message
        );
    }
}
