//! Bytes to text, and the small text rules every format here shares: what is white space,
//! how a value is put on one line, where a line ends.
//!
//! Files come as UTF-8 (with or without a byte-order mark), as UTF-16 with a mark (Windows'
//! "Unicode"), or in the Windows code page of older players (Winamp's `.m3u`, lyrics saved
//! by Windows tools): bytes that are not UTF-8 are read as Windows-1252, which is Latin-1
//! with printable characters in 0x80..0x9F. A table of those 32 is all it takes, so no
//! encoding crate.

use std::borrow::Cow;

/// The text is binary: it has NUL characters or too many control characters to be prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotText;

/// The file's bytes as text; UTF-8 and UTF-16 byte-order marks are taken off.
pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, NotText> {
    let text = if let Some(units) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        Cow::Owned(utf16(units, u16::from_le_bytes))
    } else if let Some(units) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        Cow::Owned(utf16(units, u16::from_be_bytes))
    } else {
        let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => Cow::Owned(bytes.iter().map(|&byte| windows_1252(byte)).collect()),
        }
    };
    if is_prose(&text) {
        Ok(text)
    } else {
        Err(NotText)
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Windows-1252: Latin-1, except 0x80..0x9F, where it has printable characters (the five it
/// leaves undefined map to the C1 controls, as browsers do).
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// No NUL, and at most one control character (other than tab, line breaks and form feed) in
/// a hundred: lyrics and playlists are written by people and text editors, not programs
/// that emit raw bytes.
pub(crate) fn is_prose(text: &str) -> bool {
    if text.contains('\0') {
        return false;
    }
    let mut chars = 0_usize;
    let mut controls = 0_usize;
    for c in text.chars() {
        chars += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}') {
            controls += 1;
        }
    }
    controls * 100 <= chars
}

/// The lines of a text: split at `\n`, `\r\n`, and a lone `\r` (old Macintosh files).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().flat_map(|line| line.split('\r'))
}

/// White space for trimming: Unicode's, and a byte-order mark, which editors leave at the
/// start of a file, and concatenated files in the middle.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

pub(crate) fn trim(text: &str) -> &str {
    text.trim_matches(is_space)
}

/// A value on one line: control characters and runs of white space become one space, and
/// the ends are trimmed. Doing it to a value twice changes nothing.
pub(crate) fn one_line(text: &str) -> String {
    collapse_spaces(text).trim_matches(' ').to_owned()
}

/// Control characters and runs of white space made one space, the ends kept.
pub(crate) fn collapse_spaces(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if is_space(c) || c.is_control() {
            space = true;
        } else {
            if space {
                line.push(' ');
                space = false;
            }
            line.push(c);
        }
    }
    if space {
        line.push(' ');
    }
    line
}

/// Some text when there is any, after [`one_line`].
pub(crate) fn field(text: &str) -> Option<String> {
    Some(one_line(text)).filter(|value| !value.is_empty())
}

/// Control characters (tabs too) replaced by spaces: what is read keeps none, so what is
/// written from it is text by [`is_prose`]'s measure however short it is.
pub(crate) fn controls_as_spaces(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Control characters replaced by spaces and the ends trimmed: a file's location, where a
/// run of spaces may be part of a name.
pub(crate) fn location(text: &str) -> String {
    trim(&controls_as_spaces(text)).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_read_as_it_is_and_its_mark_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFCaf\xC3\xA9").unwrap(), "Café");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_windows_1252() {
        // "Björk – Jóga" as Winamp saved it: é, ö and ó as Latin-1, the dash as 0x96.
        assert_eq!(
            decode(b"Bj\xF6rk \x96 J\xF3ga \x80").unwrap(),
            "Björk – Jóga €"
        );
    }

    #[test]
    fn utf16_with_a_mark_is_read() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Añ".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Añ".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap(), "Añ");
        assert_eq!(decode(&be).unwrap(), "Añ");
    }

    #[test]
    fn binary_is_not_text() {
        assert_eq!(decode(b"ID3\x04\x00\x00\x00\x00\x00"), Err(NotText));
        assert_eq!(decode(&[0x1B; 40]), Err(NotText));
        assert!(decode(b"a\tb\r\nc\x0c").is_ok());
    }

    #[test]
    fn lines_end_at_any_line_break() {
        assert_eq!(
            lines("a\r\nb\rc\nd").collect::<Vec<_>>(),
            ["a", "b", "c", "d"]
        );
    }

    #[test]
    fn one_line_collapses_and_trims_and_is_idempotent() {
        let once = one_line("\u{feff} a \t\n b\u{1}c  ");
        assert_eq!(once, "a b c");
        assert_eq!(one_line(&once), once);
        assert_eq!(field(" \t "), None);
    }
}
