//! The playlist parser's unit tests: what it resolves, and what it refuses.

use super::*;
use crate::ErrorKind;

fn base() -> Url {
    Url::parse("https://cdn.example/music/t1/hls/64k/index.m3u8").unwrap()
}

const VOD: &str = "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:4\n\
    #EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-PLAYLIST-TYPE:VOD\n\
    #EXT-X-KEY:METHOD=AES-128,URI=\"../key.bin\"\n\
    #EXTINF:4.0,\n#EXT-X-BYTERANGE:100@0\nall.ts\n\
    #EXTINF:4.0,\n#EXT-X-BYTERANGE:50\nall.ts\n\
    #EXT-X-DISCONTINUITY\n\
    #EXT-X-KEY:METHOD=AES-128,URI=\"https://keys.example/k2\",IV=0x000102030405060708090a0b0c0d0e0f\n\
    #EXTINF:2.5,\nhttps://other.example/last.ts\n\
    #EXT-X-KEY:METHOD=NONE\n#EXTINF:1.0,\nplain.ts\n#EXT-X-ENDLIST\n";

#[test]
fn media_playlist_resolves_everything() {
    let playlist = parse_media_playlist(VOD, &base()).unwrap();
    assert_eq!(playlist.media_sequence, 7);
    assert_eq!(playlist.duration(), Duration::from_millis(11_500));
    let [first, second, third, fourth] = playlist.segments.as_slice() else {
        panic!("expected 4 segments, got {:?}", playlist.segments);
    };
    assert_eq!(
        first.uri.as_str(),
        "https://cdn.example/music/t1/hls/64k/all.ts"
    );
    assert_eq!(
        first.byte_range,
        Some(ByteRange {
            offset: 0,
            length: 100
        })
    );
    // The second range has no offset: it continues the first.
    assert_eq!(
        second.byte_range,
        Some(ByteRange {
            offset: 100,
            length: 50
        })
    );
    assert_eq!((first.sequence, second.sequence, third.sequence), (7, 8, 9));
    let SegmentKey::Aes128 { uri, iv: None } = &first.key else {
        panic!("first key: {:?}", first.key);
    };
    assert_eq!(uri.as_str(), "https://cdn.example/music/t1/hls/key.bin");
    assert_eq!(first.decryption_iv(), Some(sequence_number_iv(7)));
    assert_eq!(second.decryption_iv(), Some(sequence_number_iv(8)));
    assert!(third.discontinuity && !second.discontinuity);
    assert_eq!(third.uri.as_str(), "https://other.example/last.ts");
    let expected_iv: [u8; 16] = std::array::from_fn(|i| u8::try_from(i).unwrap());
    assert_eq!(third.decryption_iv(), Some(expected_iv));
    assert_eq!(fourth.key, SegmentKey::None);
    assert_eq!(fourth.decryption_iv(), None);
}

#[test]
fn init_section_applies_to_later_segments() {
    let text = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n\
        #EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\na.m4s\n#EXTINF:4,\nb.m4s\n#EXT-X-ENDLIST\n";
    let playlist = parse_media_playlist(text, &base()).unwrap();
    for segment in &playlist.segments {
        let init = segment
            .init_section
            .as_ref()
            .expect("init section carried forward");
        assert_eq!(
            init.uri.as_str(),
            "https://cdn.example/music/t1/hls/64k/init.mp4"
        );
    }
}

#[test]
fn encrypted_init_section_needs_an_iv() {
    let text = |iv: &str| {
        format!(
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\"{iv}\n\
             #EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\na.m4s\n#EXT-X-ENDLIST\n"
        )
    };
    let err = media_error(&text(""));
    assert!(err.to_string().contains("no IV"), "{err}");
    let playlist =
        parse_media_playlist(&text(",IV=0x0000000000000000000000000000000F"), &base()).unwrap();
    let init = playlist.segments[0].init_section.as_ref().unwrap();
    let SegmentKey::Aes128 { iv: Some(iv), .. } = init.key else {
        panic!("init key: {:?}", init.key);
    };
    assert_eq!(iv[15], 0x0f);
}

#[test]
fn master_playlist_variants() {
    let text = "#EXTM3U\n#EXT-X-VERSION:3\n\
        #EXT-X-STREAM-INF:BANDWIDTH=71153,AVERAGE-BANDWIDTH=69982,CODECS=\"mp4a.40.2\"\n\
        64k/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=248636\nhttps://b.example/hi.m3u8\n";
    let master_url = Url::parse("https://cdn.example/music/t1/hls/master.m3u8").unwrap();
    let master = parse_master_playlist(text, &master_url).unwrap();
    assert_eq!(master.variants.len(), 2);
    assert_eq!(master.variants[0].bandwidth, 71153);
    assert_eq!(master.variants[0].average_bandwidth, Some(69982));
    assert_eq!(master.variants[0].codecs, ["mp4a.40.2"]);
    assert_eq!(master.variants[0].uri, base());
    assert_eq!(master.variants[1].uri.as_str(), "https://b.example/hi.m3u8");
    assert!(master.variants[1].codecs.is_empty());
}

fn media_error(text: &str) -> StreamError {
    parse_media_playlist(text, &base()).unwrap_err()
}

#[test]
fn malformed_playlists_say_what_is_wrong() {
    let err = media_error("#EXTINF:4,\na.ts\n#EXT-X-ENDLIST\n");
    assert!(err.to_string().contains("missing #EXTM3U"), "{err}");

    // Found by fuzzing: a tag after the header on its line reached the parser unchecked
    // (here an EXTINF of 3e108 seconds, which makes it panic).
    let huge = format!("#EXTM3U#EXTINF:3{}.89,\na.ts\n", "4".repeat(108));
    let err = media_error(&huge);
    assert!(
        err.to_string().contains("after the #EXTM3U header"),
        "{err}"
    );
    let spaced = media_error("\u{feff}#EXTM3U \n#EXT-X-ENDLIST\n").to_string();
    assert!(
        !spaced.contains("after the #EXTM3U"),
        "a header with a space after it is one: {spaced}"
    );

    let err = media_error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-ENDLIST\n");
    assert_eq!(err.kind(), ErrorKind::Playlist, "{err}");
    assert!(err.to_string().contains("no segments"), "{err}");

    let err = media_error(
        "#EXTM3U\n#EXT-X-TARGETDURATION:4\n\
         #EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"k\"\n#EXTINF:4,\na.ts\n#EXT-X-ENDLIST\n",
    );
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains("SAMPLE-AES"), "{err}");

    let err = media_error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n");
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains("live playlist"), "{err}");

    let err = media_error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXT-X-ENDLIST\n");
    assert_eq!(err.kind(), ErrorKind::Playlist, "{err}");

    let err = media_error(
        "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXT-X-BYTERANGE:10\na.ts\n#EXT-X-ENDLIST\n",
    );
    // hls_m3u8 itself rejects this one ("invalid input"); ours catches later cases.
    assert_eq!(err.kind(), ErrorKind::Playlist, "{err}");

    let err = media_error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n");
    assert!(err.to_string().contains("master playlist"), "{err}");
}

#[test]
fn inputs_that_panic_hls_m3u8_are_errors() {
    for extinf in ["1e400", "-1", "NaN"] {
        let text =
            format!("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:{extinf},\na.ts\n#EXT-X-ENDLIST\n");
        let err = media_error(&text);
        assert_eq!(err.kind(), ErrorKind::Playlist, "{err}");
        // Refused before hls_m3u8 sees it, naming the line, rather than caught.
        assert!(
            err.to_string().contains("line 3: the EXTINF duration"),
            "{err}"
        );
    }
    let err = media_error(
        "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n\
         #EXT-X-BYTERANGE:10@18446744073709551615\na.ts\n#EXT-X-ENDLIST\n",
    );
    assert!(err.to_string().contains("line 4: the byte range"), "{err}");
    let err = media_error("#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"\n#EXTINF:4,\na.ts\n");
    assert!(err.to_string().contains("unbalanced"), "{err}");
    // Found by fuzzing: the quotes balance on the line (one is in a name), but NAME's whole
    // value is one '"'.
    let text = "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,LANG\"UAGE=x,NAME=\"\n";
    for err in [
        parse_master_playlist(text, &base()).unwrap_err(),
        parse_playlist(text, &base()).unwrap_err(),
    ] {
        assert!(
            err.to_string().contains("line 2: the attribute \"NAME\""),
            "{err}"
        );
    }
}

#[test]
fn master_playlist_without_variants_is_an_error() {
    let err = parse_master_playlist("#EXTM3U\n#EXT-X-VERSION:3\n", &base()).unwrap_err();
    assert!(err.to_string().contains("neither variants"), "{err}");
    let err = parse_master_playlist("hello", &base()).unwrap_err();
    assert!(err.to_string().contains("missing #EXTM3U"), "{err}");
}

#[test]
fn either_kind_of_playlist_is_told_apart() {
    let Playlist::Media(media) = parse_playlist(VOD, &base()).unwrap() else {
        panic!("a media playlist");
    };
    assert_eq!(media.segments.len(), 4);
    let master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n";
    let Playlist::Master(master) = parse_playlist(master, &base()).unwrap() else {
        panic!("a master playlist");
    };
    assert_eq!(master.variants.len(), 1);
    let mixed = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXTINF:4,\nb.ts\n";
    let err = parse_playlist(mixed, &base()).unwrap_err();
    assert!(err.to_string().contains("mixes"), "{err}");
    let err = parse_playlist("#EXTM3U\n", &base()).unwrap_err();
    assert!(err.to_string().contains("neither"), "{err}");
    let err = parse_playlist("<html>", &base()).unwrap_err();
    assert!(err.to_string().contains("missing #EXTM3U"), "{err}");
}

#[test]
fn byte_range_slice_checks_bounds() {
    let data = [1, 2, 3, 4];
    assert_eq!(
        ByteRange {
            offset: 1,
            length: 2
        }
        .slice(&data)
        .unwrap(),
        [2, 3]
    );
    assert!(
        ByteRange {
            offset: 3,
            length: 2
        }
        .slice(&data)
        .is_err()
    );
    assert!(
        ByteRange {
            offset: u64::MAX,
            length: 2
        }
        .slice(&data)
        .is_err()
    );
}
