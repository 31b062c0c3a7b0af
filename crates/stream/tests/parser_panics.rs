//! A panic of the M3U8 parser, caught by the guard around it, prints nothing; every other
//! panic still reaches the process's panic hook, whatever thread it happens on. Alone in its
//! test binary: the panic hook is process-wide.

use std::sync::Mutex;

use strato_stream::StreamError;
use strato_stream::playlist::guard_parser_panics;

/// The messages of the panics the hook in place before the guard's saw.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn seen() -> Vec<String> {
    SEEN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

#[test]
fn only_the_guarded_parser_panic_is_silent() {
    // The hook a program (or the default) has: it records instead of printing.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .unwrap_or_default();
        SEEN.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(message);
    }));

    let outcome = guard_parser_panics(|| {
        // Another thread panicking while this one is inside the guard is not silenced.
        let other = std::thread::spawn(|| panic!("another thread, meanwhile"));
        assert!(other.join().is_err());
        panic!("the parser");
    });
    let Err(StreamError::ParserPanicked(message)) = outcome else {
        panic!("the guard returns the panic as an error");
    };
    assert_eq!(message, "the parser");

    // This thread, outside the guard again.
    assert!(std::panic::catch_unwind(|| panic!("this thread, afterwards")).is_err());
    let later = std::thread::spawn(|| panic!("another thread, afterwards"));
    assert!(later.join().is_err());

    assert_eq!(
        seen(),
        [
            "another thread, meanwhile",
            "this thread, afterwards",
            "another thread, afterwards"
        ]
    );
}
