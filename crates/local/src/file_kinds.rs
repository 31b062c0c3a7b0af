//! Which files under a music folder matter, by name alone: the audio formats Strato plays
//! (by extension, any case), the folder covers (cover, folder or front, as JPEG or PNG), and
//! the hidden entries that are never looked into.
//!
//! By name, not by content: a scan must not open every file of a folder to find its music.
//! A file named as audio whose content is not is caught when its tags are read.

use std::path::Path;

/// An audio format Strato plays, as its files are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioFormat {
    Mp3,
    Flac,
    /// MP4 audio: AAC or ALAC.
    M4a,
    /// Ogg Vorbis.
    Ogg,
    Opus,
    Wav,
}

impl AudioFormat {
    /// The format of a file named `path`, if it is one Strato plays.
    #[must_use]
    pub fn of_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?;
        Some(match extension.to_ascii_lowercase().as_str() {
            "mp3" => Self::Mp3,
            "flac" => Self::Flac,
            "m4a" => Self::M4a,
            "ogg" | "oga" => Self::Ogg,
            "opus" => Self::Opus,
            "wav" => Self::Wav,
            _ => return None,
        })
    }

    /// The name kept in the index (the usual extension).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mp3 => "mp3",
            Self::Flac => "flac",
            Self::M4a => "m4a",
            Self::Ogg => "ogg",
            Self::Opus => "opus",
            Self::Wav => "wav",
        }
    }
}

/// Folder covers in the order one is chosen when a folder holds several.
const COVER_NAMES: [&str; 9] = [
    "cover.jpg",
    "cover.jpeg",
    "cover.png",
    "folder.jpg",
    "folder.jpeg",
    "folder.png",
    "front.jpg",
    "front.jpeg",
    "front.png",
];

/// How much a file named `name` is preferred as its folder's cover (lower first), or `None`
/// when it is not a cover's name.
#[must_use]
pub fn cover_rank(name: &str) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    COVER_NAMES.iter().position(|cover| *cover == lower)
}

/// The cover of the folder `dir` as it is on disk now: the best-ranked cover file in it.
#[must_use]
pub fn folder_cover(dir: &Path) -> Option<std::path::PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let rank = cover_rank(entry.file_name().to_str()?)?;
            entry.path().is_file().then(|| (rank, entry.path()))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, path)| path)
}

/// Whether an entry named `name` with `metadata` is hidden: a dot name on every system
/// (macOS's `._` resource forks among them), and the hidden attribute on Windows.
#[must_use]
pub fn is_hidden(name: &std::ffi::OsStr, metadata: Option<&std::fs::Metadata>) -> bool {
    if name.to_str().is_some_and(|name| name.starts_with('.')) {
        return true;
    }
    hidden_attribute(metadata)
}

#[cfg(windows)]
fn hidden_attribute(metadata: Option<&std::fs::Metadata>) -> bool {
    use std::os::windows::fs::MetadataExt;
    const FILE_ATTRIBUTE_HIDDEN: u32 = 0x2;
    metadata.is_some_and(|m| m.file_attributes() & FILE_ATTRIBUTE_HIDDEN != 0)
}

#[cfg(not(windows))]
fn hidden_attribute(_metadata: Option<&std::fs::Metadata>) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_known_by_extension_in_any_case() {
        assert_eq!(
            AudioFormat::of_path(Path::new("a/B.MP3")),
            Some(AudioFormat::Mp3)
        );
        assert_eq!(
            AudioFormat::of_path(Path::new("x.Flac")),
            Some(AudioFormat::Flac)
        );
        assert_eq!(
            AudioFormat::of_path(Path::new("x.m4a")),
            Some(AudioFormat::M4a)
        );
        assert_eq!(
            AudioFormat::of_path(Path::new("x.opus")),
            Some(AudioFormat::Opus)
        );
        assert_eq!(AudioFormat::of_path(Path::new("x.txt")), None);
        assert_eq!(AudioFormat::of_path(Path::new("mp3")), None);
    }

    #[test]
    fn covers_are_ranked_and_others_are_not_covers() {
        assert!(cover_rank("Cover.JPG") < cover_rank("folder.png"));
        assert!(cover_rank("folder.png") < cover_rank("front.jpg"));
        assert_eq!(cover_rank("back.jpg"), None);
    }

    #[test]
    fn dot_names_are_hidden() {
        assert!(is_hidden(std::ffi::OsStr::new(".git"), None));
        assert!(is_hidden(std::ffi::OsStr::new("._song.mp3"), None));
        assert!(!is_hidden(std::ffi::OsStr::new("song.mp3"), None));
    }
}
