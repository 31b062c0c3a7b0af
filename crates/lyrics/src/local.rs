//! Lyrics a local audio file brings along: a `.lrc` beside it (same name, `.lrc`
//! extension), else its own tags, read through lofty:
//!
//! - `ID3v2` (MP3, and WAV/AIFF): `SYLT` frames timed in milliseconds (lofty keeps them as raw
//!   frames; they are parsed here), then `USLT`;
//! - Vorbis comments (FLAC, Ogg, Opus): `LYRICS`, then `SYNCEDLYRICS` and `UNSYNCEDLYRICS`,
//!   which some taggers write instead;
//! - MP4 (M4A, ALAC): `©lyr`; APE tags: `Lyrics`.
//!
//! A lyrics tag holding LRC text counts as synced, and synced lyrics are preferred wherever
//! they are found. A file whose tags cannot be read has no lyrics here (it is logged, not an
//! error: the lookup goes on to other sources). Reading is blocking file I/O: call it off the
//! async runtime ([`crate::LyricsLookup`] does).

use std::fs::File;
use std::path::{Path, PathBuf};

use lofty::config::ParseOptions;
use lofty::file::{AudioFile, FileType, TaggedFileExt};
use lofty::id3::v2::{Frame, SynchronizedTextFrame, TimestampFormat};
use lofty::mpeg::MpegFile;
use lofty::tag::ItemKey;
use strato_formats::lrc::{self, LyricLine, Lyrics};
use strato_library::LyricsSource;

/// Vorbis keys some taggers write lyrics under, beside the `LYRICS` lofty maps.
const OTHER_VORBIS_KEYS: [&str; 2] = ["SYNCEDLYRICS", "UNSYNCEDLYRICS"];

/// The lyrics `audio` brings along, and where they came from; `None` when it has none.
#[must_use]
pub fn local_lyrics(audio: &Path) -> Option<(LyricsSource, Lyrics)> {
    if let Some(lyrics) = sidecar(audio) {
        return Some((LyricsSource::File, lyrics));
    }
    tag_lyrics(audio).map(|lyrics| (LyricsSource::Tags, lyrics))
}

/// The `.lrc` file beside `audio`.
#[must_use]
pub fn sidecar_path(audio: &Path) -> PathBuf {
    audio.with_extension("lrc")
}

fn sidecar(audio: &Path) -> Option<Lyrics> {
    let path = sidecar_path(audio);
    if path == audio {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    match lrc::parse(&bytes) {
        Ok(lyrics) if has_words(&lyrics) => Some(lyrics),
        Ok(_) => None,
        Err(error) => {
            tracing::info!(path = %path.display(), "a .lrc file is not lyrics: {error}");
            None
        }
    }
}

fn tag_lyrics(audio: &Path) -> Option<Lyrics> {
    let tagged = match lofty::read_from_path(audio) {
        Ok(tagged) => tagged,
        Err(error) => {
            tracing::info!(path = %audio.display(), "no tags read: {error}");
            return None;
        }
    };
    let mut found: Vec<Lyrics> = Vec::new();
    if tagged.file_type() == FileType::Mpeg {
        found.extend(sylt_lyrics(audio));
    }
    let other_keys: Vec<ItemKey> = OTHER_VORBIS_KEYS
        .iter()
        .map(|key| ItemKey::Unknown((*key).to_owned()))
        .collect();
    for tag in tagged.tags() {
        let texts = tag
            .get_strings(&ItemKey::Lyrics)
            .chain(other_keys.iter().flat_map(|key| tag.get_strings(key)));
        for text in texts {
            match lrc::parse_text(text) {
                Ok(lyrics) if has_words(&lyrics) => found.push(lyrics),
                Ok(_) => {}
                Err(error) => tracing::info!(path = %audio.display(), "a lyrics tag: {error}"),
            }
        }
    }
    let synced = found.iter().position(|lyrics| lyrics.synced.is_some());
    match synced {
        Some(index) => Some(found.swap_remove(index)),
        None => found.into_iter().next(),
    }
}

/// `ID3v2` `SYLT` frames of lyrics timed in milliseconds (MPEG-frame times would need the
/// stream's frame rate; no tagger in use writes them).
fn sylt_lyrics(audio: &Path) -> Option<Lyrics> {
    let mut file = File::open(audio).ok()?;
    let mpeg = MpegFile::read_from(&mut file, ParseOptions::new()).ok()?;
    let tag = mpeg.id3v2()?;
    tag.into_iter().find_map(|frame| {
        let Frame::Binary(binary) = frame else {
            return None;
        };
        if binary.id().as_str() != "SYLT" {
            return None;
        }
        let sylt = SynchronizedTextFrame::parse(&binary.data, binary.flags()).ok()?;
        if sylt.timestamp_format != TimestampFormat::MS {
            return None;
        }
        let mut lines: Vec<LyricLine> = sylt
            .content
            .into_iter()
            .map(|(ms, text)| LyricLine {
                at: std::time::Duration::from_millis(u64::from(ms)),
                // SYLT texts often start with the line break that separates them.
                text: text.trim().to_owned(),
            })
            .collect();
        lines.sort_by_key(|line| line.at);
        let lyrics = Lyrics {
            plain: lines
                .iter()
                .map(|line| line.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            synced: Some(lines),
            meta: lrc::LyricsMeta::default(),
        };
        has_words(&lyrics).then_some(lyrics)
    })
}

fn has_words(lyrics: &Lyrics) -> bool {
    !lyrics.plain.trim().is_empty()
}
