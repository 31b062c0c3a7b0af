//! Synced lyrics in the LRC form: each line of the song behind the time it is sung.
//!
//! ```text
//! [ar:Artist]
//! [ti:Title]
//! [offset:+250]
//! [00:12.00][01:30.50]The chorus, sung twice
//! [00:17.20]<00:17.20>Word <00:17.60>by <00:18.10>word
//! [00:21.00]
//! ```
//!
//! What is read: times as `[mm:ss.xx]`, `[mm:ss.xxx]`, `[mm:ss]`, `[m:ss.x]` (and
//! `[mm:ss:xx]`, which some editors write); several times before one line (one line of
//! lyrics per time); the tags `ar`, `ti`, `al`, `by` and `length`, and `offset`, applied as
//! the format defines it: a positive offset, in milliseconds, shows every line sooner. Other
//! tags are skipped. A line with a time and no text is a pause (an instrumental gap), kept
//! so the previous line stops showing. Word times of the enhanced form (`<mm:ss.xx>`) are
//! taken out of the text; the line stays. Control characters (tabs too) are read as spaces.
//! Lines come out sorted by time, lines of one time in the file's order.
//!
//! A file without any time is plain lyrics: its lines are [`Lyrics::plain`] and
//! [`Lyrics::synced`] is `None`. In a synced file, a line of text without a time cannot be
//! placed, and is left out. [`Lyrics::plain`] is always there, for a view that does not
//! follow the song: the synced lines' text, in time order.
//!
//! What a tag looks like: `[key:value]` alone on its line, the key one to eight letters.
//! An unknown key counts as a tag only in lower case, so the `[Chorus: all]` of plain
//! lyrics stays text.

use std::fmt::Write as _;
use std::time::Duration;

use crate::text;

/// The largest lyrics file read, in bytes.
pub const MAX_LYRICS_BYTES: usize = 1024 * 1024;
/// The most lines of synced lyrics a file may make (a line with several times makes
/// several).
pub const MAX_LYRICS_LINES: usize = 10_000;
/// The most lines a lyrics file may have: room for [`MAX_LYRICS_LINES`] and their tags.
const MAX_FILE_LINES: usize = 4 * MAX_LYRICS_LINES;
/// The largest offset applied, either way: a day.
const MAX_OFFSET_MS: i64 = 86_400_000;
/// The largest minutes a time may have: six digits, as many as [`to_lrc`] writes.
const MAX_MINUTES: u64 = 999_999;
const MAX_TIME_MS: u64 = (MAX_MINUTES * 60 + 59) * 1000 + 999;

/// A song's lyrics.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lyrics {
    /// The lines and when each starts, sorted by time, when the file has times.
    pub synced: Option<Vec<LyricLine>>,
    /// The lyrics as text, one line each, a blank line between stanzas (where a synced
    /// file has a pause).
    pub plain: String,
    pub meta: LyricsMeta,
}

/// One line of synced lyrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LyricLine {
    /// From the start of the track, the file's offset applied.
    pub at: Duration,
    /// Empty for a pause.
    pub text: String,
}

/// What an LRC file says about itself. The offset is not kept: it is applied to the times.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LyricsMeta {
    /// `[ar:]`
    pub artist: Option<String>,
    /// `[ti:]`
    pub title: Option<String>,
    /// `[al:]`
    pub album: Option<String>,
    /// `[by:]`: who wrote the LRC file.
    pub lyrics_by: Option<String>,
    /// `[length:]`: the length of the track the lyrics were timed to.
    pub length: Option<Duration>,
}

/// Why a file could not be read as lyrics, in words for the listener.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LyricsError {
    #[error("the file is larger than lyrics can be (1 MB)")]
    TooLarge,
    #[error("the file has more lines than lyrics have: it is not lyrics")]
    TooManyLines,
    #[error("the file is not text, so it cannot be lyrics")]
    NotText,
    #[error("the file has no lyrics in it")]
    Empty,
}

impl Lyrics {
    /// The index in [`Lyrics::synced`] of the line to show at `position`: the last one that
    /// started at or before it. `None` before the first line, and for plain lyrics.
    #[must_use]
    pub fn line_at(&self, position: Duration) -> Option<usize> {
        let lines = self.synced.as_ref()?;
        lines
            .partition_point(|line| line.at <= position)
            .checked_sub(1)
    }
}

/// Reads a lyrics file's bytes (UTF-8, UTF-16 with its mark, or Windows-1252).
pub fn parse(bytes: &[u8]) -> Result<Lyrics, LyricsError> {
    if bytes.len() > MAX_LYRICS_BYTES {
        return Err(LyricsError::TooLarge);
    }
    let text = text::decode(bytes).map_err(|text::NotText| LyricsError::NotText)?;
    read(&text)
}

/// Reads lyrics already text (from a service's JSON, say).
pub fn parse_text(text: &str) -> Result<Lyrics, LyricsError> {
    if text.len() > MAX_LYRICS_BYTES {
        return Err(LyricsError::TooLarge);
    }
    if !text::is_prose(text) {
        return Err(LyricsError::NotText);
    }
    read(text)
}

fn read(text: &str) -> Result<Lyrics, LyricsError> {
    let mut meta = LyricsMeta::default();
    let mut offset_ms = 0_i64;
    let mut synced: Vec<LyricLine> = Vec::new();
    let mut unsynced: Vec<String> = Vec::new();
    // A line with many times copies its text that many times: bounded too.
    let mut synced_bytes = 0_usize;
    for (count, raw) in text::lines(text).enumerate() {
        if count == MAX_FILE_LINES {
            return Err(LyricsError::TooManyLines);
        }
        // Word times out first: taking one out may leave a line time in front of the text.
        let line = without_word_times(&text::controls_as_spaces(raw));
        let (times, words) = leading_times(&line);
        if !times.is_empty() {
            if synced.len() + times.len() > MAX_LYRICS_LINES {
                return Err(LyricsError::TooManyLines);
            }
            let words = words.to_owned();
            synced_bytes = synced_bytes.saturating_add(words.len().saturating_mul(times.len()));
            if synced_bytes > 2 * MAX_LYRICS_BYTES {
                return Err(LyricsError::TooLarge);
            }
            synced.extend(times.into_iter().map(|at| LyricLine {
                at,
                text: words.clone(),
            }));
        } else if let Some((key, value)) = tag(&line) {
            match key.to_ascii_lowercase().as_str() {
                "ar" => meta.artist = text::field(value),
                "ti" => meta.title = text::field(value),
                "al" => meta.album = text::field(value),
                "by" => meta.lyrics_by = text::field(value),
                "length" => meta.length = read_time(text::trim(value)),
                "offset" => offset_ms = read_offset(value).unwrap_or(offset_ms),
                _ => {}
            }
        } else if synced.is_empty() {
            unsynced.push(line);
        }
    }
    if synced.is_empty() {
        let plain = stanzas(unsynced.iter().map(String::as_str));
        if plain.is_empty() {
            return Err(LyricsError::Empty);
        }
        return Ok(Lyrics {
            synced: None,
            plain,
            meta,
        });
    }
    for line in &mut synced {
        line.at = shifted(line.at, offset_ms);
    }
    // Stable: lines of one time keep the file's order.
    synced.sort_by_key(|line| line.at);
    let plain = stanzas(synced.iter().map(|line| line.text.as_str()));
    Ok(Lyrics {
        synced: Some(synced),
        plain,
        meta,
    })
}

/// The times at the start of a line (white space between them allowed), and the rest.
fn leading_times(line: &str) -> (Vec<Duration>, &str) {
    let mut times = Vec::new();
    let mut rest = line;
    while let Some(inside) = rest.strip_prefix('[') {
        let Some(close) = inside.find(']') else { break };
        let Some(at) = read_time(&inside[..close]) else {
            break;
        };
        times.push(at);
        rest = text::trim(&inside[close + 1..]);
    }
    (times, rest)
}

/// `mm:ss`, `mm:ss.f` with one to six digits of fraction (milliseconds kept), or
/// `mm:ss:ff`; minutes of one to six digits, seconds of one or two, under 60.
fn read_time(time: &str) -> Option<Duration> {
    let digits = |part: &str, most: usize| {
        (1..=most).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    let (minutes, rest) = time.split_once(':')?;
    let (seconds, fraction) = match rest.find(['.', ':']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    if !digits(minutes, 6) || !digits(seconds, 2) {
        return None;
    }
    let minutes: u64 = minutes.parse().ok()?;
    let seconds: u64 = seconds.parse().ok()?;
    if seconds >= 60 {
        return None;
    }
    let millis = match fraction {
        None => 0,
        Some(fraction) if digits(fraction, 6) => {
            // "5" is 500 ms, "50" too, "123456" is 123 ms.
            let first_three: String = fraction.chars().chain(['0', '0']).take(3).collect();
            first_three.parse::<u64>().ok()?
        }
        Some(_) => return None,
    };
    Some(Duration::from_millis(
        (minutes * 60 + seconds) * 1000 + millis,
    ))
}

/// `+250`, `-100`, `300`: milliseconds, within a day either way.
fn read_offset(value: &str) -> Option<i64> {
    let value = text::trim(value);
    let (sign, digits) = match value.strip_prefix('-') {
        Some(digits) => (-1, digits),
        None => (1, value.strip_prefix('+').unwrap_or(value)),
    };
    if !(1..=9).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((sign * digits.parse::<i64>().ok()?).clamp(-MAX_OFFSET_MS, MAX_OFFSET_MS))
}

/// A time with the file's offset applied: a positive offset makes it sooner. Never before
/// the start, never past what [`to_lrc`] can write.
fn shifted(at: Duration, offset_ms: i64) -> Duration {
    let at_ms = i64::try_from(at.as_millis()).unwrap_or(i64::MAX);
    let ms = at_ms.saturating_sub(offset_ms).max(0).unsigned_abs();
    Duration::from_millis(ms.min(MAX_TIME_MS))
}

/// `[key:value]` alone on its line: the key and the value.
fn tag(line: &str) -> Option<(&str, &str)> {
    let inside = line.strip_prefix('[')?.strip_suffix(']')?;
    let (key, value) = inside.split_once(':')?;
    let known = ["ar", "ti", "al", "by", "length", "offset"]
        .iter()
        .any(|known| key.eq_ignore_ascii_case(known));
    let tag_like =
        (1..=8).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'#');
    (known || tag_like).then_some((key, value))
}

/// The text with the enhanced form's word times (`<00:12.50>`) taken out: one pass, also
/// when taking one out brings a new one together (`<00:<00:01.00>01.00>`), so the result
/// never has any. When any was taken out, the spaces around the words are made single.
fn without_word_times(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    // Where the `<`s that may still open a word time are in `out`.
    let mut opens: Vec<usize> = Vec::new();
    let mut taken = false;
    for c in line.chars() {
        match c {
            '<' => {
                opens.push(out.len());
                out.push(c);
            }
            '>' => match opens.pop() {
                Some(open) if read_time(&out[open + 1..]).is_some() => {
                    out.truncate(open);
                    taken = true;
                }
                _ => {
                    // No `<` before this `>` can open a time any more: the `>` stays between.
                    opens.clear();
                    out.push(c);
                }
            },
            _ => out.push(c),
        }
    }
    if taken {
        text::one_line(&out)
    } else {
        text::trim(&out).to_owned()
    }
}

/// Lines joined, one blank line between stanzas: runs of blank lines made one, none at the
/// start or the end.
fn stanzas<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut plain = String::new();
    let mut gap = false;
    for line in lines {
        if line.is_empty() {
            gap = !plain.is_empty();
            continue;
        }
        if !plain.is_empty() {
            plain.push_str(if gap { "\n\n" } else { "\n" });
        }
        gap = false;
        plain.push_str(line);
    }
    plain
}

/// Writes lyrics as an LRC file: the tags, then the synced lines, one time each (or, for
/// plain lyrics, the text). Line breaks inside a value become spaces. Read back with
/// [`parse`], lyrics it read come out the same.
#[must_use]
pub fn to_lrc(lyrics: &Lyrics) -> String {
    let mut out = String::new();
    let meta = &lyrics.meta;
    for (key, value) in [
        ("ar", &meta.artist),
        ("ti", &meta.title),
        ("al", &meta.album),
        ("by", &meta.lyrics_by),
    ] {
        if let Some(value) = value {
            let _ = writeln!(out, "[{key}:{}]", on_one_line(value));
        }
    }
    if let Some(length) = meta.length {
        let _ = writeln!(out, "[length:{}]", format_time(length));
    }
    match &lyrics.synced {
        Some(lines) => {
            for line in lines {
                let _ = writeln!(out, "[{}]{}", format_time(line.at), on_one_line(&line.text));
            }
        }
        None => {
            for line in lyrics.plain.lines() {
                out.push_str(&on_one_line(line));
                out.push('\n');
            }
        }
    }
    out
}

fn on_one_line(value: &str) -> String {
    value.replace(['\n', '\r'], " ")
}

/// `mm:ss.xx`, or `mm:ss.xxx` when the time is not a whole hundredth.
fn format_time(at: Duration) -> String {
    let ms = u64::try_from(at.as_millis())
        .unwrap_or(u64::MAX)
        .min(MAX_TIME_MS);
    let (minutes, seconds, millis) = (ms / 60_000, ms / 1000 % 60, ms % 1000);
    if millis % 10 == 0 {
        format!("{minutes:02}:{seconds:02}.{:02}", millis / 10)
    } else {
        format!("{minutes:02}:{seconds:02}.{millis:03}")
    }
}

#[cfg(test)]
mod tests;
