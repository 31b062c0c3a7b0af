//! Damaged audio never takes the player down: a panic inside a format reader or a decoder
//! (symphonia's FLAC decoder overflows on a forged header; other readers index past a
//! buffer a damaged file declares longer than it is) becomes an error that says the track is
//! damaged.
//!
//! The panic's own text goes to the log, not to the listener, and is not printed by the
//! process's panic hook: a panic caught here is an expected outcome of reading damaged
//! bytes, not a bug of this program. This relies on `panic = "unwind"` (the default, and
//! what the workspace uses).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use crate::AudioError;

thread_local! {
    /// Set while this thread runs a decoder inside [`guard_decoder_panics`].
    static INSIDE_DECODER_GUARD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `step` (reading or decoding), turning a panic into [`AudioError::Malformed`].
///
/// The caller must not use what `step` touched after a panic as if it were sound: a reader or
/// decoder that panicked is dropped, never asked again.
pub(crate) fn guard_decoder_panics<T>(
    step: impl FnOnce() -> Result<T, AudioError>,
) -> Result<T, AudioError> {
    install_quiet_hook();
    let was_inside = INSIDE_DECODER_GUARD.with(|inside| inside.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(step));
    INSIDE_DECODER_GUARD.with(|inside| inside.set(was_inside));
    outcome.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::warn!(message, "the decoder failed on damaged audio");
        Err(AudioError::Malformed(
            "the decoder stopped on bytes it could not read".into(),
        ))
    })
}

/// Wraps the process's panic hook, once, so that a panic inside [`guard_decoder_panics`] on
/// this thread prints nothing; every other panic goes to the hook that was there before.
fn install_quiet_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !INSIDE_DECODER_GUARD.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_saying_the_audio_is_damaged() {
        let err = guard_decoder_panics::<()>(|| panic!("index out of bounds")).unwrap_err();
        assert!(matches!(err, AudioError::Malformed(_)), "{err:?}");
        assert!(err.to_string().contains("damaged"), "{err}");
        assert_eq!(guard_decoder_panics(|| Ok(7)).unwrap(), 7);
    }
}
