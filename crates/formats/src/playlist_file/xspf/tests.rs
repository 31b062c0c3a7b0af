use std::time::Duration;

use super::*;
use crate::playlist_file::{Format, parse};

/// What VLC 3 writes for "Save playlist to file…": its own `<extension>` elements, one
/// with a `<vlc:title>`-like child that is not the track's title.
const FROM_VLC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<playlist xmlns="http://xspf.org/ns/0/" xmlns:vlc="http://www.videolan.org/vlc/playlist/ns/0/" version="1">
	<title>Liste de lecture</title>
	<trackList>
		<track>
			<location>file:///home/me/Musique/Bj%C3%B6rk/Homogenic/02%20J%C3%B3ga.flac</location>
			<title>Jóga</title>
			<creator>Björk</creator>
			<album>Homogenic</album>
			<trackNum>2</trackNum>
			<duration>305133</duration>
			<extension application="http://www.videolan.org/vlc/playlist/0">
				<vlc:id>0</vlc:id>
				<title>not the track's</title>
			</extension>
		</track>
		<track>
			<location>https://radio.example/live?format=aac&amp;q=high</location>
			<title><![CDATA[Live & <loud>]]></title>
			<extension application="http://www.videolan.org/vlc/playlist/0">
				<vlc:id>1</vlc:id>
				<vlc:option>network-caching=1000</vlc:option>
			</extension>
		</track>
		<track>
			<location>file:///C:/Users/me/Music/Caf%C3%A9%20Tacvba/Eres.mp3</location>
			<title>Eres &#x2014; &quot;live&quot;</title>
		</track>
	</trackList>
	<extension application="http://www.videolan.org/vlc/playlist/0">
		<vlc:item tid="0"/>
		<vlc:item tid="1"/>
	</extension>
</playlist>
"#;

#[test]
fn an_xspf_from_vlc() {
    let (playlist, format) = parse(FROM_VLC.as_bytes()).unwrap();
    assert_eq!(format, Format::Xspf);
    assert_eq!(playlist.name.as_deref(), Some("Liste de lecture"));
    assert_eq!(
        playlist.entries,
        [
            PlaylistEntry {
                location: Some("/home/me/Musique/Björk/Homogenic/02 Jóga.flac".into()),
                artist: Some("Björk".into()),
                title: Some("Jóga".into()),
                album: Some("Homogenic".into()),
                duration: Some(Duration::from_millis(305_133)),
                track_number: Some(2),
            },
            PlaylistEntry {
                location: Some("https://radio.example/live?format=aac&q=high".into()),
                title: Some("Live & <loud>".into()),
                ..PlaylistEntry::default()
            },
            PlaylistEntry {
                location: Some("C:\\Users\\me\\Music\\Café Tacvba\\Eres.mp3".into()),
                title: Some("Eres — \"live\"".into()),
                ..PlaylistEntry::default()
            },
        ]
    );
}

#[test]
fn tracks_with_only_tags_and_empty_elements() {
    let playlist = parse_xspf(
        "<playlist><trackList><track><creator>A</creator><title>B</title></track>\
         <track/><track><title/><duration>nope</duration><trackNum>0</trackNum></track>\
         </trackList></playlist>",
    )
    .unwrap();
    assert_eq!(
        playlist.entries,
        [
            PlaylistEntry {
                artist: Some("A".into()),
                title: Some("B".into()),
                ..PlaylistEntry::default()
            },
            PlaylistEntry::default(),
            PlaylistEntry::default(),
        ]
    );
    assert_eq!(parse_xspf("<playlist/>").unwrap(), PlaylistFile::default());
}

#[test]
fn written_as_xspf_and_read_back_the_same() {
    let (playlist, _) = parse(FROM_VLC.as_bytes()).unwrap();
    let written = to_xspf(&playlist);
    assert!(written.contains(
        "<location>file:///home/me/Musique/Bj%C3%B6rk/Homogenic/02%20J%C3%B3ga.flac</location>"
    ));
    assert!(written.contains("<title>Live &amp; &lt;loud&gt;</title>"));
    assert!(written.contains("<location>file:///C:/Users/me/Music/Caf%C3%A9%20Tacvba/Eres.mp3"));
    assert_eq!(parse_xspf(&written).unwrap(), playlist);
}

#[test]
fn an_m3u_exported_as_xspf_keeps_its_tracks() {
    let m3u = "#EXTM3U\n#PLAYLIST:Mix & match\n#EXTINF:200,A - B\nMusic/a b#1.mp3\n\
               #EXTINF:-1,C\nhttp://x/stream\n";
    let (playlist, _) = parse(m3u.as_bytes()).unwrap();
    let written = to_xspf(&playlist);
    assert!(written.contains("<title>Mix &amp; match</title>"));
    assert!(written.contains("<location>Music/a%20b%231.mp3</location>"));
    assert_eq!(parse_xspf(&written).unwrap(), playlist);
}

#[test]
fn broken_xml_is_refused_with_its_line() {
    let error = parse(b"<?xml version=\"1.0\"?>\n<playlist>\n<trackList>\n<track></trackList>\n")
        .unwrap_err();
    let PlaylistFileError::NotXml { line, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*line, 4);
    assert!(
        error
            .to_string()
            .starts_with("the XSPF playlist is not valid XML at line 4: ")
    );

    let error = parse(b"<playlist>\n<title>&custom;</title></playlist>").unwrap_err();
    assert_eq!(
        error,
        PlaylistFileError::NotXml {
            line: 2,
            problem: "&custom; is not an entity XML defines".into()
        }
    );
    let error = parse(b"<playlist><trackList>").unwrap_err();
    assert!(
        matches!(error, PlaylistFileError::NotXml { line: 1, .. }),
        "{error:?}"
    );
}

#[test]
fn other_xml_is_not_a_playlist() {
    assert_eq!(
        parse(b"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>").unwrap_err(),
        PlaylistFileError::NotXspf {
            found: "<plist> as its root".into()
        }
    );
    assert_eq!(
        parse(b"<!-- nothing -->").unwrap_err().to_string(),
        "the file is XML but not an XSPF playlist: it has no playlist element"
    );
}

#[test]
fn binary_and_huge_files_are_refused() {
    use crate::playlist_file::MAX_PLAYLIST_BYTES;
    assert_eq!(
        parse(b"\x00\x00\x01\xBA\x44\x00"),
        Err(PlaylistFileError::NotText)
    );
    assert_eq!(
        parse(&vec![b'#'; MAX_PLAYLIST_BYTES + 1]),
        Err(PlaylistFileError::TooLarge)
    );
}
