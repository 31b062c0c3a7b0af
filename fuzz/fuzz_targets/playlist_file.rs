//! A playlist file a listener imports (M3U, M3U8, XSPF): read or refused, never a panic;
//! written back in its own format it reads again as the same playlist, and written in the
//! other format it still reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strato_formats::playlist_file::{
    Format, MAX_ENTRIES, parse, parse_m3u, parse_xspf, to_m3u8, to_xspf,
};

fuzz_target!(|data: &[u8]| {
    let Ok((playlist, format)) = parse(data) else { return };
    assert!(playlist.entries.len() <= MAX_ENTRIES);
    let m3u8 = to_m3u8(&playlist);
    let xspf = to_xspf(&playlist);
    let from_m3u8 = parse_m3u(&m3u8).expect("what to_m3u8 writes reads");
    let from_xspf = parse_xspf(&xspf).expect("what to_xspf writes reads");
    match format {
        Format::M3u => assert_eq!(from_m3u8, playlist, "written:\n{m3u8}"),
        Format::Xspf => assert_eq!(from_xspf, playlist, "written:\n{xspf}"),
    }
});
