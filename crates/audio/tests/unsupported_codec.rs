//! A codec symphonia cannot decode (HE-AAC) is refused at open with an error that names
//! the format, rather than failing later or playing noise.

use strato_audio::AudioError;
use strato_audio::decode::TrackDecoder;

#[test]
fn he_aac_is_refused_with_words_naming_it() {
    let dir = strato_testkit::media_dir().join("media/tr-paper-satellites/hls/256k");
    let mut init = std::fs::read(dir.join("init.mp4")).unwrap();
    let fragment = std::fs::read(dir.join("seg000.m4s")).unwrap();
    // The AudioSpecificConfig in the esds box: object type 2 (AAC-LC) in its first 5 bits.
    // Rewrite it to 5 (SBR, that is HE-AAC), as an HE-AAC encoder would have written it.
    let esds = init
        .windows(4)
        .position(|w| w == b"esds")
        .expect("an esds box");
    let info = esds
        + init[esds..]
            .windows(4)
            .position(|w| w == [0x05, 0x80, 0x80, 0x80])
            .expect("a DecoderSpecificInfo");
    let asc = info + 5;
    assert_eq!(init[asc] >> 3, 2, "the catalog's fMP4 is AAC-LC");
    init[asc] = (5 << 3) | (init[asc] & 0x07);
    let mut bytes = init;
    bytes.extend_from_slice(&fragment);

    let opened = TrackDecoder::open(Box::new(std::io::Cursor::new(bytes)), Some("mp4"));
    let err = opened.expect_err("HE-AAC must not open");
    assert!(matches!(err, AudioError::Unsupported(_)), "{err:?}");
    let words = err.to_string();
    assert!(words.contains("not supported"), "{words}");
    assert!(
        words.contains("Advanced Audio Coding"),
        "does not name the codec: {words}"
    );
}
