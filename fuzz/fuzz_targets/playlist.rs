//! Playlist text from the network, parsed as a master and as a media playlist: it must
//! return an error or a playlist, never panic.
//!
//! `hls_m3u8` 0.7 panics on some malformed playlists, and strato-stream deliberately catches
//! those panics (`guard_parser_panics` in `playlist.rs`) and turns them into errors. The panic
//! hook libfuzzer-sys installs aborts on every panic, caught or not, so it would report those
//! handled panics as crashes. This target's hook only records the panic; a panic is a crash
//! when it escapes `fuzz_parse_playlist`, which is what would take the player down.
#![no_main]

use std::cell::RefCell;
use std::panic;

use libfuzzer_sys::fuzz_target;

thread_local! {
    /// The message, location and backtrace of this thread's latest panic.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fuzz_target!(
    init: {
        panic::set_hook(Box::new(|info| {
            let report = format!("{info}\n{}", std::backtrace::Backtrace::force_capture());
            LAST_PANIC.with(|last| *last.borrow_mut() = Some(report));
        }));
    },
    |data: &[u8]| {
        if panic::catch_unwind(|| strato_stream::playlist::fuzz_parse_playlist(data)).is_err() {
            let report = LAST_PANIC.with(|last| last.borrow_mut().take()).unwrap_or_default();
            eprintln!("a panic escaped fuzz_parse_playlist: {report}");
            std::process::abort();
        }
    }
);
