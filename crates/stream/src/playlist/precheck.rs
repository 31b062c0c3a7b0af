//! What `hls_m3u8` 0.7 must not be handed: checked here, before it parses, so a bad playlist
//! from the network is a clear error and never a panic.
//!
//! Fuzzing found `hls_m3u8` panicking on values a playlist can hold: an EXTINF or an
//! EXT-X-DATERANGE DURATION that is negative, not finite or too large reaches
//! `Duration::from_secs_f64`; a byte range whose offset plus length overflows is added
//! unchecked; a media sequence number near the top of the range overflows when later
//! segments are numbered; a lone '"', or an attribute whose whole value is one '"', slices out
//! of bounds; a tag on the header's own line
//! (`#EXTM3U#EXTINF:...`) is parsed without the checks above. Each is refused here, saying
//! which line is wrong.
//!
//! [`guard_parser_panics`] remains as the last line of defence for what fuzzing has not found
//! yet. It stays silent: a caught parser panic prints nothing (the default panic hook would
//! print its message and backtrace on stderr), while panics anywhere else still print as
//! usual (see [`install_quiet_hook`]).

use std::cell::Cell;
use std::sync::Once;

use crate::error::{Result, StreamError};

/// A segment or part longer than this is nonsense (a typo, or an attack on the arithmetic).
const MAX_DURATION_SECS: f64 = 1e9;

/// Checks the whole text before `hls_m3u8` sees it.
pub(super) fn check_before_parsing(text: &str) -> Result<()> {
    // A UTF-8 BOM is common from hand-edited files and harmless.
    let text_after_bom = text.trim_start_matches('\u{feff}');
    if !text_after_bom.starts_with("#EXTM3U") {
        return Err(StreamError::InvalidPlaylist(
            "missing #EXTM3U header: this is not an M3U8 playlist".into(),
        ));
    }
    // The header is a line of its own (RFC 8216 4.3.1.1). The parser reads what follows it
    // on that line as another line, unchecked here: refused instead.
    let header = text_after_bom.lines().next().unwrap_or_default();
    if header.trim_end() != "#EXTM3U" {
        return Err(StreamError::InvalidPlaylist(
            "line 1: text after the #EXTM3U header on its line".into(),
        ));
    }
    let uri_lines = text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .count();
    for (index, line) in text.lines().enumerate() {
        check_line(line.trim(), uri_lines)
            .map_err(|what| StreamError::InvalidPlaylist(format!("line {}: {what}", index + 1)))?;
    }
    Ok(())
}

fn check_line(line: &str, uri_lines: usize) -> Result<(), String> {
    if !line.starts_with('#') {
        return Ok(());
    }
    // Quoted strings cannot contain '"' (RFC 8216 4.2), so a tag line with an odd number of
    // them is malformed.
    if line.matches('"').count() % 2 == 1 {
        return Err("unbalanced '\"' in a tag".into());
    }
    let (tag, value) = line.split_once(':').unwrap_or((line, ""));
    // Every tag but EXTINF (a duration and a free title) may carry an attribute list, and the
    // parser unquotes each value by slicing between its first and last '"'.
    if tag != "#EXTINF" {
        for (name, quoted) in attribute_pairs(value) {
            if quoted.starts_with('"') && (quoted.len() < 2 || !quoted.ends_with('"')) {
                return Err(format!(
                    "the attribute {name:?} opens a quote it does not close"
                ));
            }
        }
    }
    match tag {
        "#EXTINF" => {
            let duration = value.split(',').next().unwrap_or_default();
            check_seconds("the EXTINF duration", duration)
        }
        "#EXT-X-BYTERANGE" => check_byte_range(value),
        "#EXT-X-MAP" => match attribute(value, "BYTERANGE") {
            Some(range) => check_byte_range(range.trim_matches('"')),
            None => Ok(()),
        },
        "#EXT-X-DATERANGE" => {
            for name in ["DURATION", "PLANNED-DURATION"] {
                if let Some(seconds) = attribute(value, name) {
                    check_seconds(&format!("the EXT-X-DATERANGE {name}"), seconds)?;
                }
            }
            Ok(())
        }
        "#EXT-X-MEDIA-SEQUENCE" | "#EXT-X-DISCONTINUITY-SEQUENCE" => {
            let number = value.trim();
            // Later segments are numbered from here; the sum must stay a number.
            let fits = number
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_add(uri_lines))
                .and_then(|n| u64::try_from(n).ok())
                .is_some();
            if fits {
                Ok(())
            } else {
                Err(format!(
                    "{} {number:?} is not a usable sequence number",
                    &tag[1..]
                ))
            }
        }
        _ => Ok(()),
    }
}

/// A decimal number of seconds: finite, not negative, not absurdly large.
fn check_seconds(what: &str, value: &str) -> Result<(), String> {
    let value = value.trim();
    match value.parse::<f64>() {
        Ok(seconds) if (0.0..=MAX_DURATION_SECS).contains(&seconds) => Ok(()),
        _ => Err(format!("{what} {value:?} is not a number of seconds")),
    }
}

/// `<length>[@<offset>]` whose end fits in 64 bits (and in memory addresses).
fn check_byte_range(value: &str) -> Result<(), String> {
    let value = value.trim();
    let (length, offset) = match value.split_once('@') {
        Some((length, offset)) => (length, Some(offset)),
        None => (value, None),
    };
    let parse = |n: &str| n.trim().parse::<usize>().ok();
    let end = match (parse(length), offset.map(parse)) {
        (Some(length), None) => Some(length),
        (Some(length), Some(Some(offset))) => offset.checked_add(length),
        _ => None,
    };
    match end.and_then(|end| u64::try_from(end).ok()) {
        Some(_) => Ok(()),
        None => Err(format!("the byte range {value:?} is not valid")),
    }
}

/// The value of attribute `name` in an attribute list (`A=1,B="x,y"`), quotes kept.
fn attribute<'a>(list: &'a str, name: &str) -> Option<&'a str> {
    attribute_pairs(list).find_map(|(key, value)| (key == name).then_some(value))
}

/// The `(name, value)` pairs of an attribute list, read as `hls_m3u8` reads them (so that
/// what is checked is what it will see): a name runs to the next '=', a value to the next ','
/// outside quotes, both trimmed.
fn attribute_pairs(list: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = list;
    std::iter::from_fn(move || {
        let (name, after) = rest.split_once('=')?;
        let mut quoted = false;
        let end = after
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == ',' && !quoted
            })
            .map_or(after.len(), |(i, _)| i);
        rest = after.get(end + 1..).unwrap_or_default();
        Some((name.trim(), after[..end].trim()))
    })
}

thread_local! {
    /// Set while this thread runs `hls_m3u8` inside [`guard_parser_panics`].
    static INSIDE_PARSER_GUARD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `hls_m3u8`, turning a panic into an error, silently.
///
/// This relies on `panic = "unwind"` (the default, and what the workspace uses).
pub fn guard_parser_panics<T>(parse: impl FnOnce() -> T + std::panic::UnwindSafe) -> Result<T> {
    install_quiet_hook();
    INSIDE_PARSER_GUARD.with(|inside| inside.set(true));
    let outcome = std::panic::catch_unwind(parse);
    INSIDE_PARSER_GUARD.with(|inside| inside.set(false));
    outcome.map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::warn!(message, "the M3U8 parser panicked; the playlist is refused");
        StreamError::ParserPanicked(message)
    })
}

/// Wraps the process's panic hook, once, so that a panic inside [`guard_parser_panics`] on
/// this thread prints nothing. The hook is process-wide: every other panic (another thread,
/// or this one outside the guard) goes to the hook that was there before, unchanged.
fn install_quiet_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !INSIDE_PARSER_GUARD.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_error(line: &str) -> String {
        check_line(line, 3).unwrap_err()
    }

    #[test]
    fn durations_must_be_seconds() {
        for bad in ["1e400", "-1", "NaN", "inf", "", "4s", "1e20"] {
            let err = line_error(&format!("#EXTINF:{bad},title"));
            assert!(err.contains("EXTINF duration"), "{bad}: {err}");
        }
        for good in [
            "#EXTINF:4,",
            "#EXTINF:2.020133,",
            "#EXTINF:0,x",
            "#EXTINF:10",
        ] {
            assert_eq!(check_line(good, 3), Ok(()), "{good}");
        }
        let err = line_error("#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"x\",DURATION=-1");
        assert!(err.contains("DURATION"), "{err}");
        assert_eq!(
            check_line("#EXT-X-DATERANGE:ID=\"a,b\",PLANNED-DURATION=59.9", 3),
            Ok(())
        );
    }

    #[test]
    fn byte_ranges_must_fit() {
        let err = line_error("#EXT-X-BYTERANGE:10@18446744073709551615");
        assert!(err.contains("byte range"), "{err}");
        assert!(line_error("#EXT-X-BYTERANGE:x@1").contains("byte range"));
        let err = line_error("#EXT-X-MAP:URI=\"i.mp4\",BYTERANGE=\"2@18446744073709551615\"");
        assert!(err.contains("byte range"), "{err}");
        assert_eq!(check_line("#EXT-X-BYTERANGE:100@200", 3), Ok(()));
        assert_eq!(check_line("#EXT-X-BYTERANGE:100", 3), Ok(()));
        assert_eq!(
            check_line("#EXT-X-MAP:URI=\"i.mp4\",BYTERANGE=\"720@0\"", 3),
            Ok(())
        );
    }

    #[test]
    fn quoted_values_must_close() {
        // Found by fuzzing: `NAME="` (one '"', the line's count made even by another
        // attribute) slices out of bounds when unquoted.
        let err = line_error("#EXT-X-MEDIA:TYPE=AUDIO,LANG\"UAGE=x,NAME=\"");
        assert!(err.contains("\"NAME\" opens a quote"), "{err}");
        let err = line_error("#EXT-X-KEY:METHOD=AES-128,URI=\"k\",X\"=1,IV=\"0x1");
        assert!(err.contains("\"IV\" opens a quote"), "{err}");
        assert_eq!(
            check_line("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a,b\",NAME=\"\"", 3),
            Ok(())
        );
        // A title is not an attribute list: quotes in it are the listener's business.
        assert_eq!(check_line("#EXTINF:4,a=\"b,c=\"", 3), Ok(()));
        let pairs: Vec<_> = attribute_pairs(" A = 1 ,B=\"x,y\",C").collect();
        assert_eq!(pairs, [("A", "1"), ("B", "\"x,y\"")]);
    }

    #[test]
    fn sequence_numbers_must_leave_room_for_the_segments() {
        let err = line_error("#EXT-X-MEDIA-SEQUENCE:18446744073709551614");
        assert!(err.contains("sequence number"), "{err}");
        assert_eq!(check_line("#EXT-X-MEDIA-SEQUENCE:1700000000", 3), Ok(()));
    }

    #[test]
    fn the_guard_turns_a_panic_into_an_error_and_clears_its_flag() {
        let err = guard_parser_panics(|| panic!("parser bug")).unwrap_err();
        assert!(matches!(err, StreamError::ParserPanicked(ref m) if m == "parser bug"));
        assert!(!INSIDE_PARSER_GUARD.with(Cell::get));
        assert_eq!(guard_parser_panics(|| 7).unwrap(), 7);
    }
}
