//! M3U and M3U8: one location a line, `#` lines for the rest.
//!
//! ```text
//! #EXTM3U
//! #PLAYLIST:Road trip
//! #EXTINF:215,Björk - Jóga
//! #EXTALB:Homogenic
//! Björk\Homogenic\02 Jóga.mp3
//! ```
//!
//! `#EXTINF:<seconds>,<artist> - <title>` names the next location's track (`-1` seconds is
//! an unknown length; attributes after the seconds, as IPTV lists have, are skipped; the
//! first ` - ` splits artist from title; without one, the text is the title).
//! `#EXTALB:` is the next track's album, `#PLAYLIST:` the playlist's name. Every other `#`
//! line is a comment, `#EXTM3U` included, which is not required.

use std::fmt::Write as _;
use std::time::Duration;

use super::location;
use super::{MAX_ENTRIES, PlaylistEntry, PlaylistFile, PlaylistFileError, from_millis};
use crate::text;

/// Reads an M3U or M3U8 playlist, already text.
pub fn parse_m3u(text: &str) -> Result<PlaylistFile, PlaylistFileError> {
    let mut playlist = PlaylistFile::default();
    // What `#EXTINF` and `#EXTALB` said, for the next location.
    let mut next = PlaylistEntry::default();
    for raw in text::lines(text) {
        let spaced = text::controls_as_spaces(raw);
        // Not trimmed at the end: `#EXTINF:-1,Artist - ` is an artist without a title.
        let line = spaced.trim_start_matches(text::is_space);
        if let Some(directive) = line.strip_prefix('#') {
            if let Some(info) = after(directive, "EXTINF:") {
                read_extinf(info, &mut next);
            } else if let Some(album) = after(directive, "EXTALB:") {
                next.album = text::field(album);
            } else if let Some(name) = after(directive, "PLAYLIST:")
                && playlist.name.is_none()
            {
                playlist.name = text::field(name);
            }
            continue;
        }
        let location = location::from_m3u(line);
        if location.is_empty() {
            continue;
        }
        if playlist.entries.len() == MAX_ENTRIES {
            return Err(PlaylistFileError::TooManyEntries);
        }
        next.location = Some(location);
        playlist.entries.push(std::mem::take(&mut next));
    }
    Ok(playlist)
}

/// The rest of `directive` after `name`, in any case.
fn after<'a>(directive: &'a str, name: &str) -> Option<&'a str> {
    let head = directive.get(..name.len())?;
    head.eq_ignore_ascii_case(name)
        .then(|| &directive[name.len()..])
}

/// `<seconds>[ attributes],<display>`: the display starts at the first comma outside
/// quotes (attribute values may hold commas).
fn read_extinf(info: &str, next: &mut PlaylistEntry) {
    let mut quoted = false;
    let comma = info.char_indices().find_map(|(at, c)| match c {
        '"' => {
            quoted = !quoted;
            None
        }
        ',' if !quoted => Some(at),
        _ => None,
    });
    let (head, display) = match comma {
        Some(at) => (&info[..at], &info[at + 1..]),
        None => (info, ""),
    };
    next.duration = head.split_whitespace().next().and_then(read_seconds);
    (next.artist, next.title) = split_display(display);
}

/// `215`, `215.5`: seconds to the millisecond. Negative (`-1`), zero or not a number: none.
fn read_seconds(seconds: &str) -> Option<Duration> {
    let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
    let digits =
        |part: &str, most: usize| part.len() <= most && part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole, 12) || !digits(fraction, 9) {
        return None;
    }
    let millis: String = fraction.chars().chain(['0'; 3]).take(3).collect();
    from_millis(whole.parse::<u64>().ok()? * 1000 + millis.parse::<u64>().ok()?)
}

/// `Artist - Title` at the first ` - `, white space made single first; without one, a title.
fn split_display(display: &str) -> (Option<String>, Option<String>) {
    let display = text::collapse_spaces(display);
    match display.split_once(" - ") {
        Some((artist, title)) => (text::field(artist), text::field(title)),
        None => (None, text::field(&display)),
    }
}

/// Writes a playlist as M3U8 (UTF-8): `#EXTM3U`, `#PLAYLIST:`, and for each entry with a
/// location, `#EXTINF` (when its length, artist or title is known), `#EXTALB` and the
/// location. Entries without a location, which M3U cannot hold, are left out.
#[must_use]
pub fn to_m3u8(playlist: &PlaylistFile) -> String {
    let mut out = String::from("#EXTM3U\n");
    if let Some(name) = playlist.name.as_deref().and_then(text::field) {
        let _ = writeln!(out, "#PLAYLIST:{name}");
    }
    for entry in &playlist.entries {
        let Some(location) = entry.location.as_deref().map(text::location) else {
            continue;
        };
        if location.is_empty() {
            continue;
        }
        let artist = entry.artist.as_deref().and_then(text::field);
        let title = entry.title.as_deref().and_then(text::field);
        if entry.duration.is_some() || artist.is_some() || title.is_some() {
            let display = match (artist, title) {
                (Some(artist), Some(title)) => format!("{artist} - {title}"),
                // Read back as an artist without a title.
                (Some(artist), None) => format!("{artist} - "),
                // Read back as a title, not split at its own ` - `.
                (None, Some(title)) if title.contains(" - ") => format!(" - {title}"),
                (None, Some(title)) => title,
                (None, None) => String::new(),
            };
            let _ = writeln!(out, "#EXTINF:{},{display}", seconds(entry.duration));
        }
        if let Some(album) = entry.album.as_deref().and_then(text::field) {
            let _ = writeln!(out, "#EXTALB:{album}");
        }
        // A location starting with `#` would read as a comment.
        if location.starts_with('#') {
            out.push_str("./");
        }
        out.push_str(&location);
        out.push('\n');
    }
    out
}

/// Whole seconds when the length is, else to the millisecond; `-1` when unknown.
fn seconds(duration: Option<Duration>) -> String {
    let Some(duration) = duration.filter(|d| d.as_millis() > 0) else {
        return "-1".into();
    };
    let ms = duration.as_millis();
    let (whole, millis) = (ms / 1000, ms % 1000);
    if millis == 0 {
        whole.to_string()
    } else {
        let fraction = format!("{millis:03}");
        format!("{whole}.{}", fraction.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests;
