use std::path::Path;

use strato_model::ipc::{ErrorKind, LaunchPage};

use super::playlist_file::{self, PlaylistFile};
use super::{Launch, Link, LinkPage, PlayItem};

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|&word| word.to_owned()).collect()
}

fn launch(words: &[&str]) -> Option<Launch> {
    Launch::from_args(&args(words), Path::new("/home/listener")).unwrap()
}

#[test]
fn links_name_a_page_and_may_ask_to_play_it() {
    assert_eq!(
        launch(&["strato://album/al-northern-lights"]),
        Some(Launch::Link(Link {
            page: LinkPage::Album,
            id: "al-northern-lights".to_owned(),
            play: false,
        }))
    );
    for (text, page, play) in [
        ("strato://track/tr-1?play", LinkPage::Track, true),
        ("strato://playlist/pl-9/?play=1", LinkPage::Playlist, true),
        ("STRATO://Album/al-1?play=true", LinkPage::Album, true),
        ("strato://album/al-1?play=0", LinkPage::Album, false),
        ("strato://album/al-1?autoplay", LinkPage::Album, false),
    ] {
        let link = Link::parse(text).unwrap();
        assert_eq!((link.page, link.play), (page, play), "{text}");
    }
    assert_eq!(Link::parse("strato://album/al%20one").unwrap().id, "al one");
}

#[test]
fn a_link_strato_cannot_open_is_refused_with_words() {
    for text in [
        "strato://artist/ar-1",
        "strato://album/",
        "strato://album",
        "strato://album/a/b",
        "strato://album/a%2Fb",
        "strato:nothing",
    ] {
        let error = Launch::from_args(&args(&[text]), Path::new("/")).unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{text}");
        assert!(error.message.contains(text), "{}", error.message);
    }
}

#[test]
fn a_link_among_other_words_is_what_the_launch_asks() {
    assert!(matches!(
        launch(&["--minimized", "strato://playlist/pl-1"]),
        Some(Launch::Link(Link {
            page: LinkPage::Playlist,
            ..
        }))
    ));
}

#[test]
fn files_addresses_and_ids_are_played_in_order() {
    assert_eq!(
        launch(&[
            "play",
            "tr-polar-morning",
            "song.mp3",
            "../Mixes/night.m3u8",
            "https://radio.example/live.m3u8",
            "file:///music/a%20b.flac",
        ]),
        Some(Launch::Play(vec![
            PlayItem::Track("tr-polar-morning".to_owned()),
            PlayItem::Location("/home/listener/song.mp3".to_owned()),
            PlayItem::PlaylistFile("/home/listener/../Mixes/night.m3u8".to_owned()),
            PlayItem::Location("https://radio.example/live.m3u8".to_owned()),
            PlayItem::Location("/music/a b.flac".to_owned()),
        ]))
    );
}

#[test]
fn a_plain_second_launch_asks_nothing() {
    assert_eq!(launch(&[]), None);
    assert_eq!(launch(&["play"]), None);
    assert_eq!(launch(&["--flag"]), None);
}

#[test]
fn only_the_service_s_pages_and_tracks_need_an_account() {
    assert!(launch(&["strato://album/al-1"]).unwrap().needs_account());
    assert!(launch(&["tr-1", "/a.mp3"]).unwrap().needs_account());
    assert!(!launch(&["/a.mp3", "b.m3u"]).unwrap().needs_account());
}

#[test]
fn a_track_link_shows_its_album() {
    let link = Link::parse("strato://track/tr-1").unwrap();
    assert_eq!(
        link.page_of(Some("al-7")),
        Some(LaunchPage::Album {
            id: "al-7".to_owned()
        })
    );
    let link = Link::parse("strato://playlist/pl-1").unwrap();
    assert_eq!(
        link.page_of(None),
        Some(LaunchPage::Playlist {
            id: "pl-1".to_owned()
        })
    );
}

#[test]
fn macos_hands_files_and_links_over_as_urls() {
    assert_eq!(
        Launch::from_urls(&["file:///Users/l/Music/x.m3u"]).unwrap(),
        Some(Launch::Play(vec![PlayItem::PlaylistFile(
            "/Users/l/Music/x.m3u".to_owned()
        )]))
    );
}

fn entries(text: &str) -> Vec<String> {
    match playlist_file::parse(text.as_bytes(), Path::new("/music/lists")).unwrap() {
        PlaylistFile::Entries(entries) => entries,
        PlaylistFile::Stream => panic!("read as a stream"),
    }
}

#[test]
fn an_extended_m3u_lists_its_entries_from_its_folder() {
    let text = "\u{feff}#EXTM3U\r\n#EXTINF:241,Artist - Title\r\n../a/01 One.mp3\r\n\r\n\
                /abs/two.flac\r\nhttps://host/three.mp3\r\nfile:///x/four%20.ogg\r\n";
    assert_eq!(
        entries(text),
        [
            "/music/lists/../a/01 One.mp3",
            "/abs/two.flac",
            "https://host/three.mp3",
            "/x/four .ogg"
        ]
    );
}

#[test]
fn windows_separators_and_latin_1_are_read() {
    let mut bytes = b"Caf".to_vec();
    bytes.push(0xE9); // é in Latin-1, not UTF-8
    bytes.extend_from_slice(b"\\01.mp3\n");
    match playlist_file::parse(&bytes, Path::new("/m")).unwrap() {
        PlaylistFile::Entries(entries) => {
            let expected = if cfg!(windows) {
                "/m\\Café\\01.mp3"
            } else {
                "/m/Café/01.mp3"
            };
            assert_eq!(entries, [expected]);
        }
        PlaylistFile::Stream => panic!("read as a stream"),
    }
}

#[test]
fn an_hls_playlist_is_a_stream_not_a_list() {
    let hls = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nseg0.ts\n";
    assert_eq!(
        playlist_file::parse(hls.as_bytes(), Path::new("/")).unwrap(),
        PlaylistFile::Stream
    );
}

#[test]
fn what_is_not_a_playlist_is_refused_with_words() {
    assert!(
        playlist_file::parse(b"#EXTM3U\n# nothing\n", Path::new("/"))
            .unwrap_err()
            .contains("nothing in it")
    );
    assert!(
        playlist_file::parse(b"ID3\x04\x00\x00", Path::new("/"))
            .unwrap_err()
            .contains("not text")
    );
    let dir = tempfile::tempdir().unwrap();
    let missing = playlist_file::read(&dir.path().join("gone.m3u")).unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    assert!(
        missing.message.contains("\"gone.m3u\""),
        "{}",
        missing.message
    );
    let binary = dir.path().join("song.m3u");
    std::fs::write(&binary, b"\xFF\xFB\x90\x00\x00\x00").unwrap();
    let error = playlist_file::read(&binary).unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(error.message.contains("song.m3u"), "{}", error.message);
}
