//! What the service accepts, and what ffprobe and ffmpeg say a file is.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use strato_model::api::{AudioFormat, UploadDetails};

/// Accepted kinds of file: (name, extensions).
pub const ACCEPTED: [(&str, &[&str]); 8] = [
    ("MP3", &["mp3"]),
    ("FLAC", &["flac"]),
    ("WAV", &["wav"]),
    ("AIFF", &["aif", "aiff"]),
    ("AAC", &["m4a", "aac", "mp4"]),
    ("ALAC", &["m4a"]),
    ("OGG Vorbis", &["ogg", "oga"]),
    ("Opus", &["opus", "ogg"]),
];

#[must_use]
pub fn accepted_formats() -> Vec<AudioFormat> {
    ACCEPTED
        .iter()
        .map(|(name, extensions)| AudioFormat {
            name: (*name).to_owned(),
            extensions: extensions.iter().map(|e| (*e).to_owned()).collect(),
        })
        .collect()
}

/// Whether a file of this name is of an accepted kind (by its extension).
#[must_use]
pub fn accepts_name(file_name: &str) -> bool {
    let extension = Path::new(file_name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase());
    extension.is_some_and(|ext| {
        ACCEPTED
            .iter()
            .any(|(_, exts)| exts.contains(&ext.as_str()))
    })
}

/// The audio stream processing reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioStream {
    /// Which accepted kind it is.
    pub format: &'static str,
    pub sample_rate: u32,
}

/// What ffprobe found.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    container: String,
    codec: Option<String>,
    sample_rate: u32,
    pub duration_ms: u64,
    pub has_cover: bool,
    pub tags: UploadDetails,
}

impl Probe {
    /// The audio, if the file is an accepted kind.
    #[must_use]
    pub fn accepted(&self) -> Option<AudioStream> {
        let codec = self.codec.as_deref()?;
        let container: Vec<&str> = self.container.split(',').collect();
        let has = |name: &str| container.contains(&name);
        let format = match codec {
            "mp3" if has("mp3") => "MP3",
            "flac" if has("flac") => "FLAC",
            pcm if pcm.starts_with("pcm_") && has("wav") => "WAV",
            pcm if pcm.starts_with("pcm_") && has("aiff") => "AIFF",
            "aac" if has("mp4") || has("m4a") || has("aac") => "AAC",
            "alac" if has("mp4") || has("m4a") => "ALAC",
            "vorbis" if has("ogg") => "OGG Vorbis",
            "opus" if has("ogg") => "Opus",
            _ => return None,
        };
        (self.sample_rate > 0 && self.duration_ms > 0).then_some(AudioStream {
            format,
            sample_rate: self.sample_rate,
        })
    }
}

#[derive(Debug, Deserialize)]
struct ProbeJson {
    #[serde(default)]
    streams: Vec<StreamJson>,
    format: Option<FormatJson>,
}

#[derive(Debug, Deserialize)]
struct StreamJson {
    codec_type: Option<String>,
    codec_name: Option<String>,
    sample_rate: Option<String>,
    #[serde(default)]
    disposition: HashMap<String, i64>,
    #[serde(default)]
    tags: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct FormatJson {
    format_name: Option<String>,
    duration: Option<String>,
    #[serde(default)]
    tags: HashMap<String, String>,
}

/// Probes `path`; `Ok(None)` when ffprobe cannot read it at all (not audio).
pub async fn probe(path: &Path) -> Result<Option<Probe>, String> {
    let args: Vec<&std::ffi::OsStr> = [
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
    ]
    .iter()
    .map(std::ffi::OsStr::new)
    .chain([path.as_os_str()])
    .collect();
    match super::processing::run("ffprobe", &args, None).await {
        Ok(json) => Ok(parse_probe(&json)),
        Err(error) if error.starts_with("running ") => Err(error),
        Err(_) => Ok(None),
    }
}

fn parse_probe(json: &[u8]) -> Option<Probe> {
    let parsed: ProbeJson = serde_json::from_slice(json).ok()?;
    let format = parsed.format?;
    let audio = parsed
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("audio"));
    let has_cover = parsed.streams.iter().any(|s| {
        s.codec_type.as_deref() == Some("video") && s.disposition.get("attached_pic") == Some(&1)
    });
    // Tags live on the container (ID3, MP4, FLAC) or on the stream (Ogg's comments).
    let mut tags: HashMap<String, String> = HashMap::new();
    for (key, value) in audio
        .map(|a| a.tags.iter())
        .into_iter()
        .flatten()
        .chain(format.tags.iter())
    {
        tags.insert(key.to_lowercase(), value.clone());
    }
    let seconds = format
        .duration
        .as_deref()
        .and_then(|d| d.parse::<f64>().ok())
        .unwrap_or(0.0);
    Some(Probe {
        container: format.format_name.unwrap_or_default(),
        codec: audio.and_then(|a| a.codec_name.clone()),
        sample_rate: audio
            .and_then(|a| a.sample_rate.as_deref())
            .and_then(|r| r.parse().ok())
            .unwrap_or(0),
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // clamped positive
        duration_ms: (seconds.max(0.0) * 1000.0).round() as u64,
        has_cover,
        tags: super::processing::details_from_tags(&tags),
    })
}

/// (integrated loudness in LUFS, true peak in dBTP) from ffmpeg's `ebur128` summary on
/// stderr; `None` for silence (at the absolute gate) or no summary.
#[must_use]
pub fn parse_ebur128(stderr: &str) -> Option<(f64, f64)> {
    let summary = &stderr[stderr.rfind("Summary:")?..];
    let value = |label: &str| -> Option<f64> {
        let line = summary
            .lines()
            .find(|l| l.trim_start().starts_with(label))?;
        line.trim_start()
            .strip_prefix(label)?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    let integrated = value("I:")?;
    let peak = value("Peak:")?;
    (integrated > -70.0 && peak.is_finite()).then_some((integrated, peak))
}

/// "3 h 5 min", "4 min 10 s", for messages.
#[must_use]
pub fn spoken_duration(ms: u64) -> String {
    let seconds = ms / 1000;
    match (seconds / 3600, seconds % 3600 / 60, seconds % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// "1.2 GB", "350 MB", for messages.
#[must_use]
pub fn spoken_size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // for display
    let value = bytes as f64;
    if value >= 1e9 {
        format!("{:.1} GB", value / 1e9)
    } else if value >= 1e6 {
        format!("{:.0} MB", value / 1e6)
    } else {
        format!("{:.0} kB", (value / 1e3).ceil())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ebur128_summary_is_read_and_silence_is_none() {
        let stderr = "[Parsed_ebur128_0 @ 0x1] t: 1 M: -20 I: -19.0 LUFS\n\
            [Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -27.1 LUFS\n\
            \x20   Threshold: -37.1 LUFS\n\n  Loudness range:\n    LRA:        20.0 LU\n\n\
            \x20 True peak:\n    Peak:      -24.1 dBFS\n";
        assert_eq!(parse_ebur128(stderr), Some((-27.1, -24.1)));
        let silence = "Summary:\n  Integrated loudness:\n    I:         -70.0 LUFS\n  True peak:\n    Peak:       -inf dBFS\n";
        assert_eq!(parse_ebur128(silence), None);
        assert_eq!(parse_ebur128("no summary"), None);
    }

    #[test]
    fn a_tag_longer_than_a_detail_may_be_is_cut_and_trimmed() {
        let tags: std::collections::HashMap<String, String> = [
            ("title".to_owned(), "é".repeat(100_000)),
            ("artist".to_owned(), "  Someone  ".to_owned()),
            ("album".to_owned(), format!("{} x", "a".repeat(199))),
        ]
        .into();
        let details = crate::uploads::processing::details_from_tags(&tags);
        assert_eq!(details.title.unwrap().chars().count(), 200);
        assert_eq!(details.artist.as_deref(), Some("Someone"));
        // Cut at 200, then the space it ends with trimmed.
        assert_eq!(details.album.unwrap(), "a".repeat(199));
    }

    #[test]
    fn names_are_accepted_by_extension() {
        for name in [
            "a.MP3", "b.flac", "c.wav", "d.aiff", "e.m4a", "f.ogg", "g.opus",
        ] {
            assert!(accepts_name(name), "{name}");
        }
        for name in ["a.txt", "b.mp3.exe", "noextension", "c.wma"] {
            assert!(!accepts_name(name), "{name}");
        }
    }

    #[test]
    fn a_probe_is_accepted_only_for_an_accepted_codec_in_its_container() {
        let probe = |container: &str, codec: &str| Probe {
            container: container.to_owned(),
            codec: Some(codec.to_owned()),
            sample_rate: 44_100,
            duration_ms: 1000,
            ..Probe::default()
        };
        assert_eq!(probe("flac", "flac").accepted().unwrap().format, "FLAC");
        assert_eq!(
            probe("mov,mp4,m4a,3gp,3g2,mj2", "alac")
                .accepted()
                .unwrap()
                .format,
            "ALAC"
        );
        assert_eq!(probe("ogg", "opus").accepted().unwrap().format, "Opus");
        assert_eq!(probe("wav", "pcm_s24le").accepted().unwrap().format, "WAV");
        assert!(probe("matroska,webm", "opus").accepted().is_none());
        assert!(probe("image2", "mjpeg").accepted().is_none());
        assert!(
            Probe {
                codec: None,
                ..probe("mp3", "mp3")
            }
            .accepted()
            .is_none()
        );
    }

    #[test]
    fn durations_and_sizes_are_spoken() {
        assert_eq!(spoken_duration(3 * 3_600_000 + 5 * 60_000), "3 h 5 min");
        assert_eq!(spoken_duration(250_000), "4 min 10 s");
        assert_eq!(spoken_size(1_200_000_000), "1.2 GB");
        assert_eq!(spoken_size(350_000_000), "350 MB");
    }
}
