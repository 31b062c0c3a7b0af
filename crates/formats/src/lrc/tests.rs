use std::time::Duration;

use super::*;

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn lines(lyrics: &Lyrics) -> Vec<(u64, &str)> {
    let synced = lyrics.synced.as_ref().expect("synced lyrics");
    synced
        .iter()
        .map(|line| {
            (
                u64::try_from(line.at.as_millis()).unwrap(),
                line.text.as_str(),
            )
        })
        .collect()
}

/// An LRC as LRCLIB serves it, saved by a Windows editor: a BOM, CRLF, tags, an offset,
/// a chorus with two times, a pause.
const FROM_LRCLIB: &str = "\u{feff}[ar:Daft Punk]\r\n[ti:Something About Us]\r\n\
    [al:Discovery]\r\n[by:lrclib]\r\n[length:03:51.57]\r\n[offset:+500]\r\n[re:LRC Editor]\r\n\
    \r\n[00:10.50]It might not be the right time\r\n\
    [00:42.00][01:52.25]I want you to know\r\n\
    [00:20.80]I might not be the right one\r\n\
    [00:30.00]\r\n\
    [01:10.00]But there's something about us\r\n";

#[test]
fn an_lrc_from_lrclib_with_tags_an_offset_and_a_repeated_chorus() {
    let lyrics = parse(FROM_LRCLIB.as_bytes()).unwrap();
    assert_eq!(
        lyrics.meta,
        LyricsMeta {
            artist: Some("Daft Punk".into()),
            title: Some("Something About Us".into()),
            album: Some("Discovery".into()),
            lyrics_by: Some("lrclib".into()),
            length: Some(ms(231_570)),
        }
    );
    // +500 ms: every line half a second sooner; sorted; the pause kept.
    assert_eq!(
        lines(&lyrics),
        [
            (10_000, "It might not be the right time"),
            (20_300, "I might not be the right one"),
            (29_500, ""),
            (41_500, "I want you to know"),
            (69_500, "But there's something about us"),
            (111_750, "I want you to know"),
        ]
    );
    assert_eq!(
        lyrics.plain,
        "It might not be the right time\nI might not be the right one\n\n\
         I want you to know\nBut there's something about us\nI want you to know"
    );
}

#[test]
fn every_form_of_time_is_read() {
    let lyrics = parse_text(
        "[00:01.5]tenths\n[00:02.25]hundredths\n[00:03.125]thousandths\n[00:04]whole\n\
         [0:05.1]one-digit minutes\n[00:06:50]colon fraction\n[123:07.00]long\n\
         [00:08.1234567]too many digits\n[00:61.00]not a time\n[-00:01.00]negative",
    )
    .unwrap();
    assert_eq!(
        lines(&lyrics),
        [
            (1_500, "tenths"),
            (2_250, "hundredths"),
            (3_125, "thousandths"),
            (4_000, "whole"),
            (5_100, "one-digit minutes"),
            (6_500, "colon fraction"),
            (7_387_000, "long"),
        ]
    );
}

#[test]
fn a_negative_offset_makes_lines_later_and_none_starts_before_zero() {
    let later = parse_text("[offset:-1500]\n[00:01.00]a").unwrap();
    assert_eq!(lines(&later), [(2_500, "a")]);
    let sooner = parse_text("[00:01.00]a\n[00:03.00]b\n[offset:2000]").unwrap();
    assert_eq!(lines(&sooner), [(0, "a"), (1_000, "b")]);
    // Not a number: no offset.
    let ignored = parse_text("[offset:soon]\n[00:01.00]a").unwrap();
    assert_eq!(lines(&ignored), [(1_000, "a")]);
}

#[test]
fn word_times_are_taken_out_and_the_line_kept() {
    let lyrics = parse_text(
        "[00:17.20]<00:17.20> Word <00:17.60> by <00:18.10> word\n[00:19.00]<00:19.00>end<00:19.50>",
    )
    .unwrap();
    assert_eq!(lines(&lyrics), [(17_200, "Word by word"), (19_000, "end")]);
    // Only times are taken out; a time brought together by taking one out goes too.
    assert_eq!(without_word_times("a <b> c"), "a <b> c");
    assert_eq!(without_word_times("<00:<00:01.00>01.00>x"), "x");
    // Taking a word time out leaves a line time first: it is one.
    let lyrics = parse_text("[00:01.00]<00:01.00>[00:02.00]x").unwrap();
    assert_eq!(lines(&lyrics), [(1_000, "x"), (2_000, "x")]);
}

#[test]
fn a_file_without_times_is_plain_lyrics() {
    let lyrics = parse_text(
        "[ar:Traditional]\n\n\nVerse one\nstill verse one\n\n\n\n[Chorus: all]\nChorus\n\n",
    )
    .unwrap();
    assert_eq!(lyrics.synced, None);
    assert_eq!(
        lyrics.plain,
        "Verse one\nstill verse one\n\n[Chorus: all]\nChorus"
    );
    assert_eq!(lyrics.meta.artist.as_deref(), Some("Traditional"));
    assert_eq!(lyrics.line_at(ms(5_000)), None);
}

#[test]
fn lines_without_a_time_in_a_synced_file_are_left_out() {
    let lyrics = parse_text("Credits: someone\n[00:01.00]a\nstray\n[00:02.00]b").unwrap();
    assert_eq!(lines(&lyrics), [(1_000, "a"), (2_000, "b")]);
    assert_eq!(lyrics.plain, "a\nb");
}

#[test]
fn unknown_tags_are_skipped_and_capitalised_brackets_are_text() {
    let lyrics = parse_text("[tool:x]\n[#:a comment]\n[re:y]\n[Intro: guitar]").unwrap();
    assert_eq!(lyrics.plain, "[Intro: guitar]");
    // Known tags in capitals are still tags.
    let lyrics = parse_text("[AR:Someone]\n[00:01.00]a").unwrap();
    assert_eq!(lyrics.meta.artist.as_deref(), Some("Someone"));
}

#[test]
fn line_at_finds_the_line_sung_at_a_position() {
    let lyrics = parse_text("[00:01.00]a\n[00:02.00]\n[00:03.00]c\n[00:03.00]d").unwrap();
    assert_eq!(lyrics.line_at(ms(0)), None);
    assert_eq!(lyrics.line_at(ms(999)), None);
    assert_eq!(lyrics.line_at(ms(1_000)), Some(0));
    assert_eq!(
        lyrics.line_at(ms(2_500)),
        Some(1),
        "the pause shows nothing"
    );
    assert_eq!(lyrics.line_at(ms(3_000)), Some(3), "the last of one time");
    assert_eq!(lyrics.line_at(ms(600_000)), Some(3));
}

#[test]
fn synced_lyrics_are_written_and_read_back_the_same() {
    let lyrics = parse(FROM_LRCLIB.as_bytes()).unwrap();
    let written = to_lrc(&lyrics);
    assert!(written.starts_with("[ar:Daft Punk]\n[ti:Something About Us]\n"));
    assert!(written.contains("[length:03:51.57]\n[00:10.00]It might not"));
    assert!(written.contains("[00:29.50]\n"));
    assert!(
        !written.contains("offset"),
        "the offset is applied, not written"
    );
    assert_eq!(parse_text(&written).unwrap(), lyrics);
}

#[test]
fn times_that_are_not_whole_hundredths_are_written_to_the_millisecond() {
    let lyrics = parse_text("[00:01.005]a\n[1234:05.5]b").unwrap();
    let written = to_lrc(&lyrics);
    assert_eq!(written, "[00:01.005]a\n[1234:05.50]b\n");
    assert_eq!(parse_text(&written).unwrap(), lyrics);
}

#[test]
fn plain_lyrics_are_written_and_read_back_the_same() {
    let lyrics = parse_text("[ti:Song]\nOne\n\nTwo").unwrap();
    assert_eq!(to_lrc(&lyrics), "[ti:Song]\nOne\n\nTwo\n");
    assert_eq!(parse_text(&to_lrc(&lyrics)).unwrap(), lyrics);
}

#[test]
fn files_that_are_not_lyrics_are_refused_in_words() {
    assert_eq!(
        parse(&vec![b'a'; MAX_LYRICS_BYTES + 1]),
        Err(LyricsError::TooLarge)
    );
    assert_eq!(
        parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        Err(LyricsError::NotText)
    );
    assert_eq!(parse(b""), Err(LyricsError::Empty));
    assert_eq!(parse(b"[ar:x]\n\n[offset:+5]"), Err(LyricsError::Empty));
    assert_eq!(
        parse(&b"\n".repeat(MAX_FILE_LINES + 1)),
        Err(LyricsError::TooManyLines)
    );
    // Many times before one long line would copy the line that many times.
    let mut many = "[00:00]".repeat(MAX_LYRICS_LINES + 1);
    many.push('x');
    assert_eq!(parse_text(&many), Err(LyricsError::TooManyLines));
    let mut wide = "[00:00]".repeat(5_000);
    wide.push_str(&"x".repeat(500_000));
    assert_eq!(parse_text(&wide), Err(LyricsError::TooLarge));
    assert_eq!(
        LyricsError::NotText.to_string(),
        "the file is not text, so it cannot be lyrics"
    );
}

/// Found by the fuzzer: one control character, rare enough in a long file, made the short
/// file written from it look binary. Control characters are read as spaces.
#[test]
fn control_characters_are_spaces_so_what_is_written_reads_again() {
    let mut file = b"[0:05.1]a\x06[00:06:50?2[31b\n".to_vec();
    file.extend([0xFF; 100]);
    let lyrics = parse(&file).unwrap();
    assert_eq!(lines(&lyrics), [(5_100, "a [00:06:50?2[31b")]);
    assert_eq!(parse_text(&to_lrc(&lyrics)).unwrap(), lyrics);
}

#[test]
fn latin1_lyrics_are_read() {
    let lyrics = parse(b"[00:01.00]L\xE0 o\xF9 tu vas\n").unwrap();
    assert_eq!(lines(&lyrics), [(1_000, "Là où tu vas")]);
}

#[test]
fn time_limits_round_trip() {
    // The latest time there is, pushed later by an offset, stays writable.
    let lyrics = parse_text("[offset:-86400000]\n[999999:59.999]end").unwrap();
    assert_eq!(lines(&lyrics), [(MAX_TIME_MS, "end")]);
    assert_eq!(parse_text(&to_lrc(&lyrics)).unwrap(), lyrics);
}
