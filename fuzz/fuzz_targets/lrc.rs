//! A lyrics file a listener picked or a service sent: read or refused, never a panic; what
//! is read stays within the limits, its lines in time order, and written back as LRC it
//! reads again as the same lyrics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strato_formats::lrc::{MAX_LYRICS_LINES, parse, parse_text, to_lrc};

fuzz_target!(|data: &[u8]| {
    let Ok(lyrics) = parse(data) else { return };
    if let Some(lines) = &lyrics.synced {
        assert!(!lines.is_empty() && lines.len() <= MAX_LYRICS_LINES);
        assert!(lines.windows(2).all(|pair| pair[0].at <= pair[1].at));
        if let Some(last) = lines.last() {
            assert_eq!(lyrics.line_at(last.at), Some(lines.len() - 1));
        }
    } else {
        assert!(!lyrics.plain.is_empty());
    }
    let written = to_lrc(&lyrics);
    assert_eq!(parse_text(&written).as_ref(), Ok(&lyrics), "written:\n{written}");
});
