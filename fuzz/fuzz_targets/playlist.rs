//! Playlist text from the network, parsed as a master and as a media playlist: it must
//! return an error or a playlist, never panic.
//!
//! `hls_m3u8` 0.7 panics on some malformed playlists. strato-stream refuses what is known to
//! make it panic before it parses (`playlist/precheck.rs`), and catches the rest as a last
//! guard (`guard_parser_panics`). A caught panic is a gap in those checks, so
//! `fuzz_parse_playlist` panics when the guard had to catch one: that is the crash this target
//! reports. The panic hook libfuzzer-sys installs aborts on every panic, caught or not; this
//! target's hook only records the panic, and a panic is a crash when it escapes
//! `fuzz_parse_playlist`.
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
