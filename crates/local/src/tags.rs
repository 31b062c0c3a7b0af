//! What one audio file says about itself, read with lofty: its tags (title, artists, album,
//! numbers, year), its properties (length, rate, channels, codec) and whether it carries a
//! picture; or, when it cannot be read, why, in the listener's words.
//!
//! The file's type is guessed from its content first and from its extension after, so a FLAC
//! named `.mp3` is still read; a file neither way recognises is "not audio".
//!
//! Lofty has panicked on malformed files before: every read here catches a panic and
//! makes it that file's damage, so one file never takes down a scan or the watcher.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use lofty::config::ParseOptions;
use lofty::error::{ErrorKind, LoftyError};
use lofty::file::{AudioFile, TaggedFile, TaggedFileExt};
use lofty::picture::{Picture, PictureType};
use lofty::probe::Probe;
use lofty::tag::{Accessor, ItemKey, Tag};

use crate::file_kinds::AudioFormat;
use crate::problem::{FileProblem, Unplayable};

/// The facts of a readable file. Text tags are trimmed; empty ones are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FileTags {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub album_artist: Option<String>,
    pub track_no: Option<u32>,
    pub disc_no: Option<u32>,
    pub year: Option<u32>,
    pub duration_ms: u32,
    pub codec: Option<&'static str>,
    pub sample_rate: Option<u32>,
    pub channels: Option<u8>,
    pub has_embedded_cover: bool,
}

/// Reads `path`'s tags and properties; `Err` holds why it cannot be played, in words.
pub(crate) fn read_tags(path: &Path, format: AudioFormat) -> Result<FileTags, Unplayable> {
    unless_it_panics(path, || read_tags_unguarded(path, format))
}

/// The picture a file carries, the front cover first: its bytes and MIME type.
pub(crate) fn embedded_picture(path: &Path) -> Result<Option<(Vec<u8>, String)>, Unplayable> {
    unless_it_panics(path, || embedded_picture_unguarded(path))
}

/// Runs `read`, a lofty read of the file at `path`, with a panic inside it turned into a
/// damaged file's words.
fn unless_it_panics<T>(
    path: &Path,
    read: impl FnOnce() -> Result<T, Unplayable>,
) -> Result<T, Unplayable> {
    // AssertUnwindSafe: the reads borrow only the path and build values of their own, so a
    // panic leaves nothing shared half-changed.
    catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|_| {
        tracing::warn!(path = %path.display(), "reading a file's tags panicked");
        Err(Unplayable::panicked())
    })
}

fn read_tags_unguarded(path: &Path, format: AudioFormat) -> Result<FileTags, Unplayable> {
    let tagged = open(path, ParseOptions::new()).map_err(|e| unplayable(&e))?;
    let properties = tagged.properties();
    let duration_ms = u32::try_from(properties.duration().as_millis()).unwrap_or(u32::MAX);
    if duration_ms == 0 && properties.sample_rate().is_none() {
        return Err(Unplayable::new(FileProblem::NoSound));
    }
    let tags: Vec<&Tag> = tagged
        .primary_tag()
        .into_iter()
        .chain(tagged.tags())
        .collect();
    // The primary tag first; a field it lacks is taken from another tag (an MP3's ID3v1).
    let text = |get: &dyn Fn(&Tag) -> Option<String>| {
        tags.iter().find_map(|tag| {
            get(tag)
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        })
    };
    let number = |get: &dyn Fn(&Tag) -> Option<u32>| tags.iter().find_map(|tag| get(tag));
    Ok(FileTags {
        title: text(&|tag| tag.title().map(std::borrow::Cow::into_owned)),
        artist: text(&|tag| tag.artist().map(std::borrow::Cow::into_owned)),
        album: text(&|tag| tag.album().map(std::borrow::Cow::into_owned)),
        album_artist: text(&|tag| tag.get_string(&ItemKey::AlbumArtist).map(str::to_owned)),
        track_no: number(&|tag| tag.track()).filter(|n| *n > 0),
        disc_no: number(&|tag| tag.disk()).filter(|n| *n > 0),
        year: number(&|tag| tag.year()).filter(|n| *n > 0),
        duration_ms,
        codec: Some(codec(format, properties.bit_depth())),
        sample_rate: properties.sample_rate(),
        channels: properties.channels(),
        has_embedded_cover: tags.iter().any(|tag| !tag.pictures().is_empty()),
    })
}

fn embedded_picture_unguarded(path: &Path) -> Result<Option<(Vec<u8>, String)>, Unplayable> {
    let tagged =
        open(path, ParseOptions::new().read_properties(false)).map_err(|e| unplayable(&e))?;
    let pictures: Vec<&Picture> = tagged.tags().iter().flat_map(Tag::pictures).collect();
    let chosen = pictures
        .iter()
        .find(|p| p.pic_type() == PictureType::CoverFront)
        .or_else(|| pictures.first());
    Ok(chosen.map(|picture| {
        let mime = picture
            .mime_type()
            .map_or("application/octet-stream", |m| m.as_str());
        (picture.data().to_vec(), mime.to_owned())
    }))
}

fn open(path: &Path, options: ParseOptions) -> Result<TaggedFile, LoftyError> {
    Probe::open(path)?
        .options(options)
        .guess_file_type()?
        .read()
}

/// The codec where a format's name does not say it: an MP4's ALAC carries a bit depth in
/// its sample description, its AAC does not.
fn codec(format: AudioFormat, bit_depth: Option<u8>) -> &'static str {
    match format {
        AudioFormat::Mp3 => "MP3",
        AudioFormat::Flac => "FLAC",
        AudioFormat::M4a if bit_depth.is_some() => "ALAC",
        AudioFormat::M4a => "AAC",
        AudioFormat::Ogg => "Vorbis",
        AudioFormat::Opus => "Opus",
        AudioFormat::Wav => "PCM",
    }
}

/// Why lofty could not read a file, as the listener would say it.
fn unplayable(error: &LoftyError) -> Unplayable {
    let problem = match error.kind() {
        ErrorKind::UnknownFormat => FileProblem::NotAudio,
        ErrorKind::Io(io) => match io.kind() {
            std::io::ErrorKind::NotFound => FileProblem::Gone,
            std::io::ErrorKind::PermissionDenied => FileProblem::NotAllowed,
            std::io::ErrorKind::UnexpectedEof => FileProblem::CutShort,
            _ => return Unplayable::unreadable(io),
        },
        // Lofty says what it found wrong in a codec's own terms ("no moov atom"): a
        // listener can only act on damaged or incomplete.
        _ => FileProblem::Damaged,
    };
    Unplayable::new(problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_m4a_is_alac_only_with_a_bit_depth() {
        assert_eq!(codec(AudioFormat::M4a, Some(16)), "ALAC");
        assert_eq!(codec(AudioFormat::M4a, None), "AAC");
    }

    #[test]
    fn a_panicking_read_is_a_damaged_file_in_words() {
        let path = Path::new("/music/bad.mp3");
        let panicked: Result<u32, _> = unless_it_panics(path, || panic!("lofty overflow"));
        assert_eq!(panicked.unwrap_err(), Unplayable::panicked());
        assert_eq!(unless_it_panics(path, || Ok::<_, Unplayable>(7)), Ok(7));
        let cut = Unplayable::new(FileProblem::CutShort);
        assert_eq!(
            unless_it_panics(path, || Err::<u32, _>(cut.clone())),
            Err(cut)
        );
    }

    #[test]
    fn a_missing_file_is_said_to_be_gone() {
        let dir = tempfile::tempdir().unwrap();
        let gone = read_tags(&dir.path().join("gone.mp3"), AudioFormat::Mp3).unwrap_err();
        assert_eq!(gone, Unplayable::new(FileProblem::Gone));
    }

    #[test]
    fn text_is_not_audio() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.flac");
        std::fs::write(
            &path,
            "these are not the sounds you are looking for\n".repeat(50),
        )
        .unwrap();
        let refused = read_tags(&path, AudioFormat::Flac).unwrap_err();
        assert!(
            matches!(
                refused.problem,
                FileProblem::NotAudio | FileProblem::Damaged
            ),
            "{refused:?}"
        );
    }
}
