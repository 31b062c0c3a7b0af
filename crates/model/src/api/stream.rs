use serde::{Deserialize, Serialize};

/// `GET /v1/tracks/{id}/stream`: where to fetch a track and the CDN credentials to do it with.
///
/// The HLS tree is authorised by `CloudFront` signed cookies (a custom policy whose resource is
/// a wildcard over the track's HLS folder); the MP3 by a signed URL. Both expire at
/// `expires_at`; after a 403 the client asks for a fresh grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamGrant {
    pub track_id: String,
    pub hls_master_url: String,
    pub mp3_url: String,
    pub expires_at: i64,
    /// Send these as a `Cookie` header on every request under `hls_master_url`'s folder.
    /// (They are also set with `Set-Cookie`, for clients that keep a cookie jar.)
    pub cookies: Vec<CdnCookie>,
    pub segment_kind: SegmentKind,
    /// Samples of encoder priming at the start of the HLS rendition's decoded audio.
    pub encoder_delay_samples: u32,
    /// Samples of padding at its end. Trimming both gives gapless playback.
    pub padding_samples: u32,
    pub sample_rate: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdnCookie {
    pub name: String,
    pub value: String,
    pub path: String,
}

/// The container of a track's HLS media segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// MPEG-2 transport stream carrying AAC.
    Ts,
    /// Fragmented MP4 (CMAF) with an `EXT-X-MAP` init section.
    Fmp4,
    /// Packed audio: raw ADTS AAC with an ID3 timestamp per segment.
    Adts,
}

/// Which copy `GET /v1/tracks/{id}/download?quality=` grants: the MP3 at 96 kbit/s, the
/// VBR (about 190 kbit/s, the default) or 320 kbit/s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DownloadQuality {
    Low,
    #[default]
    Normal,
    High,
}

impl DownloadQuality {
    /// The query value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
        }
    }
}

/// `GET /v1/tracks/{id}/download`: a signed URL to an offline copy and how to verify it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadGrant {
    pub track_id: String,
    pub url: String,
    pub format: String,
    pub size: u64,
    /// Lowercase hex SHA-256 of the whole file.
    pub sha256: String,
    pub expires_at: i64,
    /// The copy granted; absent from services that offer one only (read as normal).
    #[serde(default)]
    pub quality: DownloadQuality,
}
