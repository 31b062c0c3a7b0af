//! A local file's own lyrics: a `.lrc` beside it, `ID3v2` USLT and SYLT in an MP3, Vorbis
//! LYRICS in a FLAC; files made by ffmpeg in the test, tags written by lofty.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use lofty::TextEncoding;
use lofty::config::WriteOptions;
use lofty::file::AudioFile;
use lofty::flac::FlacFile;
use lofty::id3::v2::{
    BinaryFrame, Frame, FrameId, Id3v2Tag, SyncTextContentType, SynchronizedTextFrame,
    TimestampFormat, UnsynchronizedTextFrame,
};
use lofty::mpeg::MpegFile;
use lofty::ogg::VorbisComments;
use strato_library::{Library, LyricsKey, LyricsSource};
use strato_lyrics::local::local_lyrics;
use strato_lyrics::{
    Lookups, LrclibClient, LyricsLookup, LyricsOutcome, NoServerLyrics, TrackQuery,
};
use strato_testkit::LrclibEndpoint;
use strato_testkit::ffmpeg::make_audio_file;

const LRC: &str = "[ti:Beside]\n[00:00.50]First\n[00:01.25]Then this\n";

fn write_id3(path: &Path, frames: Vec<Frame<'static>>) {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let mut mpeg = MpegFile::read_from(&mut file, lofty::config::ParseOptions::new()).unwrap();
    let mut tag = Id3v2Tag::new();
    for frame in frames {
        tag.insert(frame);
    }
    mpeg.set_id3v2(tag);
    drop(file);
    mpeg.save_to_path(path, WriteOptions::default()).unwrap();
}

fn uslt(text: &str) -> Frame<'static> {
    Frame::UnsynchronizedText(UnsynchronizedTextFrame::new(
        TextEncoding::UTF8,
        *b"eng",
        String::new(),
        text.to_owned(),
    ))
}

#[test]
fn a_lrc_beside_the_file_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let audio = make_audio_file(dir.path(), "beside.mp3", 2.0);
    write_id3(&audio, vec![uslt("Words from the tags")]);
    std::fs::write(dir.path().join("beside.lrc"), LRC).unwrap();
    let (source, lyrics) = local_lyrics(&audio).unwrap();
    assert_eq!(source, LyricsSource::File);
    let lines = lyrics.synced.unwrap();
    assert_eq!(lines[1].at, Duration::from_millis(1250));
    assert_eq!(lyrics.meta.title.as_deref(), Some("Beside"));

    // Without it, the tags.
    std::fs::remove_file(dir.path().join("beside.lrc")).unwrap();
    let (source, lyrics) = local_lyrics(&audio).unwrap();
    assert_eq!(source, LyricsSource::Tags);
    assert_eq!(
        (lyrics.synced, lyrics.plain.as_str()),
        (None, "Words from the tags")
    );
}

#[test]
fn an_mp3_s_sylt_is_synced_and_preferred_to_its_uslt() {
    let dir = tempfile::tempdir().unwrap();
    let audio = make_audio_file(dir.path(), "timed.mp3", 2.0);
    let sylt = SynchronizedTextFrame::new(
        TextEncoding::UTF8,
        *b"eng",
        TimestampFormat::MS,
        SyncTextContentType::Lyrics,
        None,
        vec![(1500, "\nLater".into()), (250, "Early".into())],
    );
    let sylt = Frame::Binary(BinaryFrame::new(
        FrameId::new("SYLT").unwrap(),
        sylt.as_bytes().unwrap(),
    ));
    write_id3(&audio, vec![uslt("Early\nLater"), sylt]);
    let (source, lyrics) = local_lyrics(&audio).unwrap();
    assert_eq!(source, LyricsSource::Tags);
    let lines = lyrics.synced.expect("SYLT read as synced");
    let read: Vec<(u128, &str)> = lines
        .iter()
        .map(|l| (l.at.as_millis(), l.text.as_str()))
        .collect();
    assert_eq!(read, [(250, "Early"), (1500, "Later")]);
}

#[test]
fn a_flac_s_vorbis_lyrics_holding_lrc_count_as_synced() {
    let dir = tempfile::tempdir().unwrap();
    let audio = make_audio_file(dir.path(), "song.flac", 2.0);
    let mut file = std::fs::File::open(&audio).unwrap();
    let mut flac = FlacFile::read_from(&mut file, lofty::config::ParseOptions::new()).unwrap();
    drop(file);
    let mut comments = VorbisComments::new();
    comments.push("LYRICS".into(), LRC.into());
    flac.set_vorbis_comments(comments);
    flac.save_to_path(&audio, WriteOptions::default()).unwrap();

    let (source, lyrics) = local_lyrics(&audio).unwrap();
    assert_eq!(source, LyricsSource::Tags);
    assert_eq!(lyrics.synced.unwrap()[0].text, "First");
}

#[test]
fn a_file_without_lyrics_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let audio = make_audio_file(dir.path(), "bare.flac", 1.0);
    assert_eq!(local_lyrics(&audio), None);
    std::fs::write(dir.path().join("junk.mp3"), b"not audio at all").unwrap();
    assert_eq!(local_lyrics(&dir.path().join("junk.mp3")), None);
}

#[tokio::test]
async fn a_local_file_s_lyrics_need_no_network_and_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let audio = make_audio_file(dir.path(), "mine.mp3", 2.0);
    std::fs::write(dir.path().join("mine.lrc"), LRC).unwrap();
    let library = Library::open(dir.path().join("library.sqlite3")).unwrap();
    // An address nothing listens on: a request there would fail the lookup.
    let client = LrclibClient::with_base_url("http://127.0.0.1:9", Duration::from_secs(2)).unwrap();
    let lookup = LyricsLookup::new(Mutex::new(library), client);
    let track = TrackQuery {
        key: LyricsKey::File(audio.clone()),
        artist: "Me".into(),
        title: "Mine".into(),
        album: None,
        duration: Some(Duration::from_secs(2)),
        local_file: Some(audio),
    };
    for lookups in [Lookups::LocalOnly, Lookups::Online] {
        let outcome = lookup
            .lookup(&track, lookups, &NoServerLyrics)
            .await
            .unwrap();
        let LyricsOutcome::Found { source, lyrics } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(source, LyricsSource::File);
        assert_eq!(lyrics.synced.unwrap().len(), 2);
    }
    let kept = lookup
        .cache()
        .lock()
        .unwrap()
        .kept_lyrics(&track.key)
        .unwrap();
    assert!(kept.is_some());
}

#[tokio::test]
async fn a_lrc_added_or_changed_after_an_answer_was_kept_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let audio = make_audio_file(dir.path(), "later.flac", 2.0);
    let sidecar = dir.path().join("later.lrc");
    let endpoint = LrclibEndpoint::start().await;
    let library = Library::open(dir.path().join("library.sqlite3")).unwrap();
    let client = LrclibClient::with_base_url(&endpoint.url(), Duration::from_secs(10)).unwrap();
    let lookup = LyricsLookup::new(Mutex::new(library), client);
    let track = TrackQuery {
        key: LyricsKey::File(audio.clone()),
        artist: "Me".into(),
        title: "Later".into(),
        album: None,
        duration: Some(Duration::from_secs(2)),
        local_file: Some(audio),
    };
    let online = || lookup.lookup(&track, Lookups::Online, &NoServerLyrics);
    let first_line = |outcome: LyricsOutcome| match outcome {
        LyricsOutcome::Found { source, lyrics } => {
            (source, lyrics.synced.expect("synced")[0].text.clone())
        }
        other => panic!("{other:?}"),
    };

    // No lyrics anywhere: "none found", kept for a week.
    assert_eq!(online().await.unwrap(), LyricsOutcome::NoneFound);
    assert_eq!(endpoint.request_count(), 1);

    // A .lrc written beside it afterwards is read at once, past the kept "none found".
    std::fs::write(&sidecar, LRC).unwrap();
    assert_eq!(
        first_line(online().await.unwrap()),
        (LyricsSource::File, "First".to_owned())
    );
    // Edited: the new words, not the kept ones.
    std::fs::write(&sidecar, "[00:00.50]Rewritten\n").unwrap();
    assert_eq!(
        first_line(online().await.unwrap()),
        (LyricsSource::File, "Rewritten".to_owned())
    );
    assert_eq!(endpoint.request_count(), 1, "the file answered");

    // Removed: what the file once said is not shown; LRCLIB is asked again.
    std::fs::remove_file(&sidecar).unwrap();
    assert_eq!(online().await.unwrap(), LyricsOutcome::NoneFound);
    assert_eq!(endpoint.request_count(), 2);
}
