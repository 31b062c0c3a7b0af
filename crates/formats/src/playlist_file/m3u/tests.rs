use std::time::Duration;

use super::*;
use crate::playlist_file::{Format, parse};

fn entry(location: &str) -> PlaylistEntry {
    PlaylistEntry {
        location: Some(location.into()),
        ..PlaylistEntry::default()
    }
}

/// Winamp 5's `.m3u`: Windows-1252, CRLF, absolute and relative Windows paths.
const WINAMP: &[u8] = b"#EXTM3U\r\n\
    #EXTINF:305,Bj\xF6rk - J\xF3ga\r\n\
    D:\\Musik\\Bj\xF6rk\\Homogenic\\02 J\xF3ga.mp3\r\n\
    #EXTINF:-1,Sigur R\xF3s - Hopp\xEDpolla\r\n\
    Sigur R\xF3s\\Takk\\05 Hopp\xEDpolla.mp3\r\n\
    #EXTINF:212,Caf\xE9 Tacvba \x96 Eres\r\n\
    ..\\Caf\xE9 Tacvba\\Eres.mp3\r\n";

#[test]
fn a_winamp_m3u_in_windows_1252() {
    let (playlist, format) = parse(WINAMP).unwrap();
    assert_eq!(format, Format::M3u);
    assert_eq!(
        playlist.entries,
        [
            PlaylistEntry {
                location: Some("D:\\Musik\\Björk\\Homogenic\\02 Jóga.mp3".into()),
                artist: Some("Björk".into()),
                title: Some("Jóga".into()),
                duration: Some(Duration::from_secs(305)),
                ..PlaylistEntry::default()
            },
            PlaylistEntry {
                location: Some("Sigur Rós\\Takk\\05 Hoppípolla.mp3".into()),
                artist: Some("Sigur Rós".into()),
                title: Some("Hoppípolla".into()),
                ..PlaylistEntry::default()
            },
            // An en dash is not the separator: the whole is the title.
            PlaylistEntry {
                location: Some("..\\Café Tacvba\\Eres.mp3".into()),
                title: Some("Café Tacvba – Eres".into()),
                duration: Some(Duration::from_secs(212)),
                ..PlaylistEntry::default()
            },
        ]
    );
}

#[test]
fn an_m3u8_with_a_name_albums_urls_and_comments() {
    let text = "\u{feff}#EXTM3U\n#PLAYLIST:Road trip\n# made by hand\n\n\
        #EXTINF:215.5,Daft Punk - Digital Love\n#EXTALB:Discovery\n\
        file:///home/me/Music/Daft%20Punk/03%20Digital%20Love.flac\n\
        #EXTINF:0 tvg-id=\"a,b\" group-title=\"Radio\",FIP\n\
        https://icecast.radiofrance.fr/fip-hifi.aac\n\
        /home/me/Music/loose.mp3\n";
    let (playlist, _) = parse(text.as_bytes()).unwrap();
    assert_eq!(playlist.name.as_deref(), Some("Road trip"));
    assert_eq!(
        playlist.entries,
        [
            PlaylistEntry {
                location: Some("/home/me/Music/Daft Punk/03 Digital Love.flac".into()),
                artist: Some("Daft Punk".into()),
                title: Some("Digital Love".into()),
                album: Some("Discovery".into()),
                duration: Some(Duration::from_millis(215_500)),
                ..PlaylistEntry::default()
            },
            PlaylistEntry {
                location: Some("https://icecast.radiofrance.fr/fip-hifi.aac".into()),
                title: Some("FIP".into()),
                ..PlaylistEntry::default()
            },
            entry("/home/me/Music/loose.mp3"),
        ]
    );
}

#[test]
fn extinf_forms() {
    let read = |line: &str| {
        let mut next = PlaylistEntry::default();
        read_extinf(line, &mut next);
        (
            next.duration.map(|d| d.as_millis()),
            next.artist,
            next.title,
        )
    };
    assert_eq!(
        read("123,A - B - C"),
        (Some(123_000), Some("A".into()), Some("B - C".into()))
    );
    assert_eq!(
        read("-1,Title only"),
        (None, None, Some("Title only".into()))
    );
    assert_eq!(read("123"), (Some(123_000), None, None));
    assert_eq!(
        read("abc,  spaced   out  "),
        (None, None, Some("spaced out".into()))
    );
    assert_eq!(read("1.25,A - "), (Some(1_250), Some("A".into()), None));
    assert_eq!(
        read("2, - A - B"),
        (Some(2_000), None, Some("A - B".into()))
    );
    assert_eq!(read("9999999999999,x"), (None, None, Some("x".into())));
}

#[test]
fn extinf_before_nothing_names_nothing() {
    let playlist = parse_m3u("#EXTINF:1,A - B\n#EXTINF:2,C - D\nc.mp3\n#EXTINF:3,E - F\n").unwrap();
    assert_eq!(playlist.entries.len(), 1);
    assert_eq!(playlist.entries[0].title.as_deref(), Some("D"));
}

#[test]
fn written_as_m3u8_and_read_back_the_same() {
    let (playlist, _) = parse(WINAMP).unwrap();
    let written = to_m3u8(&playlist);
    assert!(written.starts_with("#EXTM3U\n#EXTINF:305,Björk - Jóga\nD:\\Musik\\"));
    assert_eq!(parse_m3u(&written).unwrap(), playlist);

    let awkward = PlaylistFile {
        name: Some("Mix".into()),
        entries: vec![
            PlaylistEntry {
                artist: Some("Artist".into()),
                ..entry("a.mp3")
            },
            PlaylistEntry {
                title: Some("Title - with a dash".into()),
                duration: Some(Duration::from_millis(61_010)),
                ..entry("b.mp3")
            },
            PlaylistEntry {
                album: Some("Only an album".into()),
                ..entry("c.mp3")
            },
        ],
    };
    let written = to_m3u8(&awkward);
    assert_eq!(
        written,
        "#EXTM3U\n#PLAYLIST:Mix\n#EXTINF:-1,Artist - \na.mp3\n\
         #EXTINF:61.01, - Title - with a dash\nb.mp3\n#EXTALB:Only an album\nc.mp3\n"
    );
    assert_eq!(parse_m3u(&written).unwrap(), awkward);
}

#[test]
fn what_m3u_cannot_hold_is_left_out_or_made_safe() {
    let playlist = PlaylistFile {
        name: None,
        entries: vec![
            PlaylistEntry {
                title: Some("no file".into()),
                ..PlaylistEntry::default()
            },
            PlaylistEntry {
                title: Some("two\nlines".into()),
                ..entry("#hash.mp3")
            },
        ],
    };
    assert_eq!(
        to_m3u8(&playlist),
        "#EXTM3U\n#EXTINF:-1,two lines\n./#hash.mp3\n"
    );
}

#[test]
fn an_empty_playlist_is_a_playlist() {
    assert_eq!(parse_m3u("#EXTM3U\n").unwrap(), PlaylistFile::default());
    assert_eq!(parse_m3u("").unwrap(), PlaylistFile::default());
}

#[test]
fn too_many_entries_are_refused() {
    let text = "a\n".repeat(crate::playlist_file::MAX_ENTRIES + 1);
    assert_eq!(parse_m3u(&text), Err(PlaylistFileError::TooManyEntries));
}
