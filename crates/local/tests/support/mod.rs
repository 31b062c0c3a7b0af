//! Real audio files for the tests, made by ffmpeg once per test binary (in Cargo's
//! per-target temporary folder) and copied into each test's own folder; tags rewritten with
//! lofty; a wait with a deadline for what the watcher does.

#![allow(dead_code)] // Each test binary uses its own part of the kit.

pub mod library;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use lofty::config::WriteOptions;
use lofty::file::TaggedFileExt;
use lofty::tag::{Accessor, TagExt};

/// One source file: its name in the media folder and the tags ffmpeg gave it.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    pub name: &'static str,
    pub title: &'static str,
    pub artist: &'static str,
    pub album: &'static str,
    pub track: u32,
}

/// One tagged file per format, all of the album "Formats" by "Björk" but the WAV (RIFF INFO
/// has no album artist), each its own track number.
pub const TAGGED: [Source; 6] = [
    source("tagged.mp3", "Jóga MP3", 1),
    source("tagged.flac", "Hunter FLAC", 2),
    source("tagged.m4a", "Bachelorette ALAC", 3),
    source("tagged.ogg", "Alarm Call Vorbis", 4),
    source("tagged.opus", "Pluto Opus", 5),
    source("tagged.wav", "All Is Full of Love WAV", 6),
];

const fn source(name: &'static str, title: &'static str, track: u32) -> Source {
    Source {
        name,
        title,
        artist: "Björk",
        album: "Formats",
        track,
    }
}

/// The title, artist and album of the MP3 carrying a picture.
pub const WITH_PICTURE: Source = Source {
    name: "picture.mp3",
    title: "Pictured",
    artist: "Painter",
    album: "Gallery",
    track: 1,
};

/// The folder of made media: every [`TAGGED`] file, `picture.mp3` (an embedded JPEG,
/// `picture.jpg`), `untagged.mp3`, `cover.jpg` (a red square), `corrupt.mp3` (random bytes), `truncated.m4a`
/// (cut short).
pub fn media() -> &'static Path {
    static MEDIA: OnceLock<PathBuf> = OnceLock::new();
    MEDIA.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("strato-local-media-v2");
        if dir.join("done").exists() {
            return dir;
        }
        // Made beside, then renamed into place: a run killed half-way leaves no half media.
        let making = dir.with_extension(format!("making-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&making);
        std::fs::create_dir_all(&making).unwrap();
        make_all(&making);
        std::fs::write(making.join("done"), b"").unwrap();
        if std::fs::rename(&making, &dir).is_err() {
            // Another test binary made it meanwhile.
            let _ = std::fs::remove_dir_all(&making);
        }
        dir
    })
}

fn make_all(dir: &Path) {
    let codecs = [
        ("tagged.mp3", &["-c:a", "libmp3lame", "-b:a", "64k"][..]),
        ("tagged.flac", &["-c:a", "flac"][..]),
        ("tagged.m4a", &["-c:a", "alac"][..]),
        ("tagged.ogg", &["-c:a", "libvorbis", "-q:a", "1"][..]),
        ("tagged.opus", &["-c:a", "libopus", "-b:a", "32k"][..]),
        ("tagged.wav", &["-c:a", "pcm_s16le"][..]),
    ];
    for (source, (name, codec)) in TAGGED.iter().zip(codecs) {
        assert_eq!(source.name, name);
        let mut args = tone_args();
        args.extend(codec.iter().map(ToString::to_string));
        args.extend(tag_args(source));
        args.push(dir.join(name).display().to_string());
        ffmpeg(&args);
    }
    let cover = dir.join("cover.jpg");
    let picture = dir.join("picture.jpg");
    for (path, colour) in [(&cover, "red"), (&picture, "blue")] {
        ffmpeg(&[
            "-f".into(),
            "lavfi".into(),
            "-i".into(),
            format!("color=c={colour}:s=32x32"),
            "-frames:v".into(),
            "1".into(),
            path.display().to_string(),
        ]);
    }
    let mut args = tone_args();
    args.extend(["-i".into(), picture.display().to_string()]);
    args.extend(
        [
            "-map",
            "0:a",
            "-map",
            "1:v",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            "-c:v",
            "copy",
        ]
        .map(String::from),
    );
    args.extend(
        [
            "-id3v2_version",
            "3",
            "-metadata:s:v",
            "comment=Cover (front)",
        ]
        .map(String::from),
    );
    args.extend(tag_args(&WITH_PICTURE));
    args.push(dir.join(WITH_PICTURE.name).display().to_string());
    ffmpeg(&args);
    let mut args = tone_args();
    args.extend(["-map_metadata", "-1", "-c:a", "libmp3lame", "-b:a", "64k"].map(String::from));
    args.push(dir.join("untagged.mp3").display().to_string());
    ffmpeg(&args);
    // Random bytes (xorshift, so every run writes the same file).
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..40_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[3]
        })
        .collect();
    std::fs::write(dir.join("corrupt.mp3"), noise).unwrap();
    // An unfinished download: the first 4 KiB of the M4A, whose index (ffmpeg writes it at
    // the end) never came.
    let whole = std::fs::read(dir.join("tagged.m4a")).unwrap();
    std::fs::write(dir.join("truncated.m4a"), &whole[..4096]).unwrap();
}

/// One second of a tone, mono at 44.1 kHz.
fn tone_args() -> Vec<String> {
    [
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=1:sample_rate=44100",
        "-ac",
        "1",
    ]
    .map(String::from)
    .to_vec()
}

fn tag_args(source: &Source) -> Vec<String> {
    let mut args = Vec::new();
    for (key, value) in [
        ("title", source.title.to_owned()),
        ("artist", source.artist.to_owned()),
        ("album", source.album.to_owned()),
        ("album_artist", source.artist.to_owned()),
        ("track", source.track.to_string()),
        ("disc", "1".to_owned()),
        ("date", "1997".to_owned()),
    ] {
        args.push("-metadata".to_owned());
        args.push(format!("{key}={value}"));
    }
    args
}

fn ffmpeg(args: &[String]) {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .expect("running ffmpeg (is it installed? scripts/test installs it)");
    assert!(
        output.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Copies the made file `name` to `to` (making its folder), returning `to`.
pub fn copy_media(name: &str, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(media().join(name), to).unwrap();
    to.to_owned()
}

/// Rewrites the title of the file at `path` with lofty (in its primary tag).
pub fn set_title(path: &Path, title: &str) {
    let mut tagged = lofty::read_from_path(path).unwrap();
    let tag = tagged.primary_tag_mut().expect("the file has a tag");
    tag.set_title(title.to_owned());
    tag.save_to_path(path, WriteOptions::default()).unwrap();
}

/// Waits until `done` is true, checking every 50 ms; panics saying `what` after `timeout`.
pub fn eventually(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not after {timeout:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
