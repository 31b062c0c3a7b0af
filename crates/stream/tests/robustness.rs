//! Arbitrary, truncated and mutated input must give errors, never panics; damaged real
//! segments must give the error that says what is wrong.

use strato_stream::aes::{decrypt_aes128_cbc, key_from_bytes, sequence_number_iv};
use strato_stream::playlist::fuzz_parse_playlist;
use strato_stream::ts::{TS_PACKET_LEN, demux_audio, fuzz_demux};
use strato_stream::{ErrorKind, SegmentKind, segment_to_decoder_input};

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next().to_le_bytes()[0]).collect()
    }
}

/// Random bytes, every prefix of the seed, and seeds with random bytes overwritten.
fn hammer(seed: &[u8], rounds: usize, target: impl Fn(&[u8])) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed.len() as u64);
    for _ in 0..rounds {
        let len = rng.below(2 * TS_PACKET_LEN + 1);
        target(&rng.bytes(len));
    }
    let step = (seed.len() / 300).max(1);
    for cut in (0..seed.len()).step_by(step) {
        target(&seed[..cut]);
    }
    for _ in 0..rounds {
        let mut mutated = seed.to_vec();
        for _ in 0..=rng.below(8) {
            let at = rng.below(mutated.len());
            mutated[at] = rng.bytes(1)[0];
        }
        target(&mutated);
    }
}

#[test]
fn ts_demuxer_never_panics() {
    let segment =
        std::fs::read(strato_testkit::media_dir().join("media/tr-anemone/hls/64k/seg000.ts"))
            .unwrap();
    // Mutate only the first packets too, where PAT/PMT/PES headers are.
    hammer(&segment[..8 * TS_PACKET_LEN], 50_000, fuzz_demux);
    hammer(&segment, 300, fuzz_demux);
}

#[test]
fn playlist_parser_never_panics() {
    let media = strato_testkit::media_dir();
    for playlist in [
        "media/tr-kelp-forest/hls/64k/index.m3u8",
        "media/tr-static-bloom/hls/64k/index.m3u8",
        "media/tr-paper-satellites/hls/64k/index.m3u8",
        "media/tr-kelp-forest/hls/master.m3u8",
    ] {
        let text = std::fs::read(media.join(playlist)).unwrap();
        hammer(&text, 20_000, fuzz_parse_playlist);
    }
}

/// Tags with the values that have made `hls_m3u8` panic, and their neighbours, inserted
/// into real playlists: every one must be refused by the checks before the parser, never
/// caught as a parser panic (`fuzz_parse_playlist` panics when the guard had to catch one).
#[test]
fn hostile_tag_values_are_refused_before_the_parser() {
    const TAGS: [&str; 14] = [
        "#EXTINF:",
        "#EXT-X-BYTERANGE:",
        "#EXT-X-TARGETDURATION:",
        "#EXT-X-MEDIA-SEQUENCE:",
        "#EXT-X-DISCONTINUITY-SEQUENCE:",
        "#EXT-X-KEY:",
        "#EXT-X-MAP:",
        "#EXT-X-STREAM-INF:",
        "#EXT-X-MEDIA:",
        "#EXT-X-START:",
        "#EXT-X-DATERANGE:",
        "#EXT-X-PROGRAM-DATE-TIME:",
        "#EXT-X-I-FRAME-STREAM-INF:",
        "#EXT-X-SESSION-KEY:",
    ];
    const VALUES: [&str; 40] = [
        "1e400",
        "-1",
        "NaN",
        "inf",
        "-inf",
        "1e20",
        "18446744073709551615",
        "18446744073709551616",
        "0",
        "-0",
        "4.0,",
        "\"\"",
        "0x",
        "0xGG",
        "@",
        "1@",
        "@1",
        "10@18446744073709551615",
        "18446744073709551615@1",
        "BANDWIDTH=",
        "BANDWIDTH=1",
        "RESOLUTION=1x",
        "FRAME-RATE=1e400",
        "TIME-OFFSET=1e400",
        "TIME-OFFSET=NaN",
        "DURATION=1e400",
        "DURATION=-1",
        "PLANNED-DURATION=-1",
        "URI=\"x\"",
        "METHOD=AES-128",
        "IV=0x1",
        "KEYFORMATVERSIONS=\"1/2/3/4/5/6/7/8/9/10\"",
        "BYTERANGE=\"1@18446744073709551615\"",
        "ID=\"a\"",
        "START-DATE=\"x\"",
        "INSTREAM-ID=\"CC5\"",
        "CHANNELS=\"2/\"",
        ",",
        "=",
        "",
    ];
    let media = strato_testkit::media_dir();
    let seeds: Vec<Vec<String>> = [
        "media/tr-kelp-forest/hls/64k/index.m3u8",
        "media/tr-static-bloom/hls/64k/index.m3u8",
        "media/tr-paper-satellites/hls/64k/index.m3u8",
        "media/tr-kelp-forest/hls/master.m3u8",
    ]
    .iter()
    .map(|p| {
        let text = std::fs::read_to_string(media.join(p)).unwrap();
        text.lines().map(str::to_owned).collect()
    })
    .collect();
    let mut rng = Rng(0x5eed_1e55_0fc0_ffee);
    for round in 0..60_000 {
        let mut lines = seeds[round % seeds.len()].clone();
        for _ in 0..=rng.below(3) {
            let mut line = TAGS[rng.below(TAGS.len())].to_owned();
            for i in 0..=rng.below(3) {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(VALUES[rng.below(VALUES.len())]);
            }
            let at = rng.below(lines.len() + 1);
            if rng.below(2) == 0 || at == lines.len() {
                lines.insert(at, line);
            } else {
                lines[at] = line;
            }
        }
        fuzz_parse_playlist((lines.join("\n") + "\n").as_bytes());
    }
}

#[test]
fn other_segment_kinds_never_panic() {
    let media = strato_testkit::media_dir();
    let packed = std::fs::read(media.join("media/tr-saltwater-waltz/hls/64k/seg000.aac")).unwrap();
    hammer(&packed[..600], 20_000, |b| {
        drop(segment_to_decoder_input(SegmentKind::PackedAudio, b));
    });
    let fmp4 = std::fs::read(media.join("media/tr-paper-satellites/hls/64k/seg000.m4s")).unwrap();
    hammer(&fmp4, 300, |b| {
        drop(segment_to_decoder_input(SegmentKind::Fmp4, b));
    });
}

#[test]
fn truncated_real_ts_segment_is_a_clear_error() {
    let segment =
        std::fs::read(strato_testkit::media_dir().join("media/tr-anemone/hls/64k/seg001.ts"))
            .unwrap();
    let err = demux_audio(&segment[..segment.len() - 100]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Container);
    assert!(err.to_string().contains("truncated"), "{err}");
    // Cut on a packet boundary, the last PES is shorter than its header says.
    let cut = (segment.len() / TS_PACKET_LEN - 3) * TS_PACKET_LEN;
    let err = demux_audio(&segment[..cut]).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn real_encrypted_segment_with_wrong_key_is_a_padding_error() {
    let hls = strato_testkit::media_dir().join("media/tr-kelp-forest/hls");
    let ciphertext = std::fs::read(hls.join("64k/seg002.ts")).unwrap();
    let key = key_from_bytes(&std::fs::read(hls.join("key.bin")).unwrap()).unwrap();
    // The playlist has no IV: segment 2 uses sequence number 2.
    let plain = decrypt_aes128_cbc(&ciphertext, &key, &sequence_number_iv(2)).unwrap();
    assert!(demux_audio(&plain).is_ok());

    let mut wrong_key = key;
    wrong_key[0] ^= 1;
    let err = decrypt_aes128_cbc(&ciphertext, &wrong_key, &sequence_number_iv(2)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decryption);
    assert!(err.to_string().contains("key or IV is wrong"), "{err}");
    // A wrong IV garbles only the first block (CBC), so the padding still checks out; here
    // the damage hits the first sync byte, which the demuxer reports.
    let garbled = decrypt_aes128_cbc(&ciphertext, &key, &[0xff; 16]).unwrap();
    let err = demux_audio(&garbled).unwrap_err();
    assert!(err.to_string().contains("packet 0: sync byte"), "{err}");
}
