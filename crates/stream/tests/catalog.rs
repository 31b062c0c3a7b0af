//! Every HLS variant of the demo catalog, from playlist to PCM, through this crate and
//! symphonia, checked against the catalog's ffmpeg measurements and `reference.flac`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use strato_stream::aes::{decrypt_aes128_cbc, key_from_bytes};
use strato_stream::playlist::{
    ByteRange, InitSection, SegmentKey, parse_master_playlist, parse_media_playlist,
};
use strato_stream::{SegmentKind, fmp4, packed, segment_to_decoder_input};
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use url::Url;

/// AAC is lossy: the decoded, trimmed PCM must correlate with the source at least this well.
const MIN_CORRELATION: f64 = 0.95;
/// ... or have at least this signal-to-noise ratio.
const MIN_SNR_DB: f64 = 20.0;

/// Reads file:// resources, whole files cached, as a CDN with range requests would serve them.
#[derive(Default)]
struct FileFetcher {
    files: HashMap<PathBuf, Vec<u8>>,
}

impl FileFetcher {
    fn fetch(&mut self, url: &Url, range: Option<ByteRange>) -> Vec<u8> {
        let path = url
            .to_file_path()
            .unwrap_or_else(|()| panic!("not a file URL: {url}"));
        let whole = self.files.entry(path.clone()).or_insert_with(|| {
            std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        });
        match range {
            Some(range) => range
                .slice(whole)
                .expect("byte range inside the file")
                .to_vec(),
            None => whole.clone(),
        }
    }

    fn fetch_text(&mut self, url: &Url) -> String {
        String::from_utf8(self.fetch(url, None)).expect("playlist is UTF-8")
    }
}

/// What one variant's segments assembled into.
struct AssembledVariant {
    kind: SegmentKind,
    decoder_input: Vec<u8>,
    segments: usize,
    encrypted: bool,
    byte_ranges: bool,
    first_packed_timestamp: Option<u64>,
}

fn assemble_variant(fetcher: &mut FileFetcher, playlist_url: &Url) -> AssembledVariant {
    let text = fetcher.fetch_text(playlist_url);
    let playlist = parse_media_playlist(&text, playlist_url).expect("media playlist parses");
    let kind = SegmentKind::of_segment(&playlist.segments[0]);
    let mut assembled = AssembledVariant {
        kind,
        decoder_input: Vec::new(),
        segments: playlist.segments.len(),
        encrypted: false,
        byte_ranges: false,
        first_packed_timestamp: None,
    };
    let mut current_init: Option<InitSection> = None;
    for (index, segment) in playlist.segments.iter().enumerate() {
        assert_eq!(
            SegmentKind::of_segment(segment),
            kind,
            "segment kinds are mixed"
        );
        assembled.byte_ranges |= segment.byte_range.is_some();
        let mut bytes = fetcher.fetch(&segment.uri, segment.byte_range);
        if let SegmentKey::Aes128 { uri, .. } = &segment.key {
            assembled.encrypted = true;
            let key = key_from_bytes(&fetcher.fetch(uri, None)).expect("16-byte key");
            let iv = segment
                .decryption_iv()
                .expect("an encrypted segment has an IV");
            bytes = decrypt_aes128_cbc(&bytes, &key, &iv).expect("segment decrypts");
        }
        if kind == SegmentKind::Fmp4 && segment.init_section != current_init {
            let init = segment
                .init_section
                .as_ref()
                .expect("fMP4 has an init section");
            let mut init_bytes = fetcher.fetch(&init.uri, init.byte_range);
            if let SegmentKey::Aes128 { uri, iv: Some(iv) } = &init.key {
                let key = key_from_bytes(&fetcher.fetch(uri, None)).expect("16-byte key");
                init_bytes = decrypt_aes128_cbc(&init_bytes, &key, iv).expect("init decrypts");
            }
            fmp4::check_init_section(&init_bytes).expect("init section is valid");
            assembled.decoder_input.extend(init_bytes);
            current_init.clone_from(&segment.init_section);
        }
        if kind == SegmentKind::PackedAudio && index == 0 {
            let split = packed::split_packed_audio(&bytes).expect("packed audio");
            assembled.first_packed_timestamp = split.timestamp_pts;
        }
        let input = segment_to_decoder_input(kind, &bytes)
            .unwrap_or_else(|e| panic!("segment {}: {e}", segment.uri));
        assembled.decoder_input.extend(input);
    }
    assembled
}

/// Decodes a whole stream to interleaved f32; returns (channels, sample rate, samples).
fn decode(input: Vec<u8>, hint_extension: &str) -> (usize, u32, Vec<f32>) {
    let stream = MediaSourceStream::new(
        Box::new(std::io::Cursor::new(input)),
        MediaSourceStreamOptions::default(),
    );
    let mut hint = Hint::new();
    hint.with_extension(hint_extension);
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .expect("symphonia probes the stream");
    let track = format
        .default_track(TrackType::Audio)
        .expect("an audio track");
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .expect("audio params")
        .clone();
    let channels = params.channels.as_ref().expect("channel layout").count();
    let sample_rate = params.sample_rate.expect("sample rate");
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .expect("an AAC decoder");
    let mut samples = Vec::new();
    let mut block = Vec::new();
    while let Some(packet) = format.next_packet().expect("packets read cleanly") {
        if packet.track_id != track_id {
            continue;
        }
        let audio = decoder.decode(&packet).expect("packet decodes");
        block.resize(audio.samples_interleaved(), 0.0f32);
        audio.copy_to_slice_interleaved(&mut block);
        samples.extend_from_slice(&block);
    }
    (channels, sample_rate, samples)
}

/// The source as interleaved stereo f32, decoded by ffmpeg.
fn reference_pcm(flac: &Path) -> Vec<f32> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(flac)
        .args(["-f", "s16le", "-ac", "2", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect()
}

/// Pearson correlation and SNR (dB) of two equally long signals.
fn compare(decoded: &[f32], reference: &[f32]) -> (f64, f64) {
    #[allow(clippy::cast_precision_loss)] // a few million samples fit f64 exactly
    let n = decoded.len().min(reference.len()) as f64;
    let mean = |s: &[f32]| s.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let (mean_a, mean_b) = (mean(decoded), mean(reference));
    let (mut cov, mut var_a, mut var_b, mut noise) = (0.0, 0.0, 0.0, 0.0);
    for (&a, &b) in decoded.iter().zip(reference) {
        let (da, db) = (f64::from(a) - mean_a, f64::from(b) - mean_b);
        cov += da * db;
        var_a += da * da;
        var_b += db * db;
        noise += (f64::from(a) - f64::from(b)).powi(2);
    }
    let signal: f64 = reference.iter().map(|&x| f64::from(x).powi(2)).sum();
    (
        cov / (var_a * var_b).sqrt(),
        10.0 * (signal / noise).log10(),
    )
}

fn as_usize(value: &Value, key: &str) -> usize {
    let number = value[key].as_u64();
    usize::try_from(number.unwrap_or_else(|| panic!("{key} in catalog"))).unwrap()
}

/// Checks every variant of one catalog track; returns the mismatches found.
fn check_track(media: &Path, fetcher: &mut FileFetcher, track: &Value) -> Vec<String> {
    let id = track["id"].as_str().unwrap();
    let hls = &track["hls"];
    let (total, delay, padding) = (
        as_usize(track, "total_samples"),
        as_usize(hls, "encoder_delay_samples"),
        as_usize(hls, "padding_samples"),
    );
    let reference = reference_pcm(&media.join(track["reference"].as_str().unwrap()));
    assert_eq!(
        reference.len(),
        total * 2,
        "{id}: reference.flac vs total_samples"
    );
    let expected_kind = match hls["segment_kind"].as_str().unwrap() {
        "ts" => SegmentKind::Ts,
        "fmp4" => SegmentKind::Fmp4,
        "adts" => SegmentKind::PackedAudio,
        other => panic!("{id}: unknown segment_kind {other}"),
    };

    let master_url = Url::from_file_path(media.join(hls["master"].as_str().unwrap())).unwrap();
    let master_text = fetcher.fetch_text(&master_url);
    let master = parse_master_playlist(&master_text, &master_url).expect("master parses");
    let catalog_variants = hls["variants"].as_array().unwrap();
    assert_eq!(
        master.variants.len(),
        catalog_variants.len(),
        "{id}: variants"
    );

    let mut failures = Vec::new();
    for (variant, expected) in master.variants.iter().zip(catalog_variants) {
        let expected_playlist = media.join(expected["playlist"].as_str().unwrap());
        assert_eq!(
            variant.uri.to_file_path().unwrap(),
            expected_playlist,
            "{id}"
        );
        let assembled = assemble_variant(fetcher, &variant.uri);
        assert_eq!(assembled.kind, expected_kind, "{id}: segment kind");
        assert_eq!(
            assembled.encrypted,
            hls["encrypted"].as_bool().unwrap(),
            "{id}"
        );
        assert_eq!(
            assembled.byte_ranges,
            hls["byterange"].as_bool().unwrap(),
            "{id}"
        );
        if let Some(base_pts) = hls.get("id3_timestamp_base_pts").and_then(Value::as_u64) {
            assert_eq!(
                assembled.first_packed_timestamp,
                Some(base_pts),
                "{id}: ID3 PTS"
            );
        }

        let (channels, rate, samples) =
            decode(assembled.decoder_input, assembled.kind.decoder_hint());
        assert_eq!(channels, 2, "{id}: channels");
        assert_eq!(
            Some(u64::from(rate)),
            track["sample_rate"].as_u64(),
            "{id}: rate"
        );
        let frames = samples.len() / channels;
        let expected_frames = total + delay + padding;
        let trim_start = (delay * 2).min(samples.len());
        let trim_end = ((delay + total) * 2).min(samples.len());
        let (correlation, snr_db) = compare(&samples[trim_start..trim_end], &reference);
        let label = format!("{id} {}k", expected["bitrate_kbps"]);
        println!(
            "{label:32} {:?} segments={} encrypted={} byterange={} frames={frames} \
             expected={expected_frames} corr={correlation:.4} snr={snr_db:.1}dB",
            assembled.kind, assembled.segments, assembled.encrypted, assembled.byte_ranges
        );
        if frames != expected_frames {
            failures.push(format!(
                "{label}: {frames} frames, expected {expected_frames}"
            ));
        }
        if correlation <= MIN_CORRELATION && snr_db <= MIN_SNR_DB {
            failures.push(format!(
                "{label}: correlation {correlation:.4}, SNR {snr_db:.1} dB"
            ));
        }
    }
    failures
}

#[test]
fn every_catalog_variant_decodes_to_the_reference() {
    let media = strato_testkit::media_dir();
    let catalog: Value =
        serde_json::from_slice(&std::fs::read(media.join("catalog.json")).unwrap()).unwrap();
    let tracks = catalog["tracks"].as_array().expect("tracks");
    assert!(
        tracks.len() >= 13,
        "the catalog shrank to {} tracks",
        tracks.len()
    );
    let mut fetcher = FileFetcher::default();
    let failures: Vec<String> = tracks
        .iter()
        .flat_map(|track| check_track(media, &mut fetcher, track))
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
