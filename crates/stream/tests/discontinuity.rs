//! An HLS stream whose sample rate changes at an `EXT-X-DISCONTINUITY`: the loader ends the
//! first run there, and each run decodes at its own rate. Real segments from the demo media,
//! served by a fetcher over files (the network seam, not our HLS code, is what is replaced).

mod support;

use std::io::Read;
use std::sync::{Arc, Mutex};

use strato_stream::abr::Bandwidth;
use strato_stream::hls::{HlsConfig, HlsStream};
use support::Files;
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions, ReadOnlySource};
use symphonia::core::meta::MetadataOptions;
use url::Url;

fn decoded_rate_and_frames(
    mut reader: impl Read + Send + Sync + 'static,
    hint: &str,
) -> (u32, u64) {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).unwrap();
    let source = ReadOnlySource::new(std::io::Cursor::new(bytes));
    let stream = MediaSourceStream::new(Box::new(source), MediaSourceStreamOptions::default());
    let mut h = Hint::new();
    h.with_extension(hint);
    let mut format = symphonia::default::get_probe()
        .probe(
            &h,
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .unwrap();
    let track = format.default_track(TrackType::Audio).unwrap();
    let params = track
        .codec_params
        .as_ref()
        .unwrap()
        .audio()
        .unwrap()
        .clone();
    let id = track.id;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .unwrap();
    let mut frames = 0;
    while let Ok(Some(packet)) = format.next_packet() {
        if packet.track_id == id {
            frames += decoder.decode(&packet).unwrap().frames() as u64;
        }
    }
    (params.sample_rate.unwrap(), frames)
}

#[test]
fn a_discontinuity_starts_a_new_run_at_the_new_rate() {
    let media = strato_testkit::media_dir().join("media");
    let dir = tempfile::tempdir().unwrap();
    let cd = media.join("tr-polar-morning/hls/256k");
    let dvd = media.join("tr-low-orbit-lullaby/hls/256k");
    let media_playlist = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:5\n#EXT-X-MEDIA-SEQUENCE:0\n\
         #EXT-X-PLAYLIST-TYPE:VOD\n\
         #EXTINF:4.0,\n{a0}\n#EXTINF:4.0,\n{a1}\n\
         #EXT-X-DISCONTINUITY\n\
         #EXTINF:4.0,\n{b0}\n#EXTINF:4.0,\n{b1}\n#EXT-X-ENDLIST\n",
        a0 = Url::from_file_path(cd.join("seg000.ts")).unwrap(),
        a1 = Url::from_file_path(cd.join("seg001.ts")).unwrap(),
        b0 = Url::from_file_path(dvd.join("seg000.ts")).unwrap(),
        b1 = Url::from_file_path(dvd.join("seg001.ts")).unwrap(),
    );
    std::fs::write(dir.path().join("index.m3u8"), media_playlist).unwrap();
    std::fs::write(
        dir.path().join("master.m3u8"),
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=280000,CODECS=\"mp4a.40.2\"\nindex.m3u8\n",
    )
    .unwrap();
    let master = Url::from_file_path(dir.path().join("master.m3u8")).unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut stream = HlsStream::start(
        runtime.handle().clone(),
        Arc::new(Files),
        master,
        44_100,
        HlsConfig::default(),
        Arc::new(Mutex::new(Bandwidth::default())),
    );
    let first = stream.open_at(0).unwrap();
    assert_eq!(first.start_frame, 0);
    let (rate, frames) = decoded_rate_and_frames(first.reader, first.hint);
    assert_eq!(rate, 44_100);
    assert!(frames > 0 && frames % 1024 == 0, "{frames}");
    let second = stream
        .next_run()
        .unwrap()
        .expect("a run after the discontinuity");
    let (rate, frames) = decoded_rate_and_frames(second.reader, second.hint);
    assert_eq!(rate, 48_000, "the second run decodes at its own rate");
    assert!(frames > 0);
    assert!(
        stream.next_run().unwrap().is_none(),
        "two runs, then the end"
    );
}
