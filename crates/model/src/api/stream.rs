use serde::{Deserialize, Serialize};

/// `GET /v1/tracks/{id}/stream`: where to fetch a track and the CDN credentials to do it with.
///
/// The HLS tree is authorised by `CloudFront` signed cookies (a custom policy whose resource is
/// a wildcard over the track's HLS folder); the MP3 by a signed URL. Both expire at
/// `expires_at`; after a 403 the client asks for a fresh grant. Its `Debug` leaves the
/// credentials out (a signed URL's query, the cookies' values): a grant printed in a log or
/// a panic hands nothing out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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

impl std::fmt::Debug for StreamGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamGrant")
            .field("track_id", &self.track_id)
            .field("hls_master_url", &self.hls_master_url)
            .field("mp3_url", &without_query(&self.mp3_url))
            .field("expires_at", &self.expires_at)
            .field("cookies", &self.cookies)
            .field("segment_kind", &self.segment_kind)
            .field("encoder_delay_samples", &self.encoder_delay_samples)
            .field("padding_samples", &self.padding_samples)
            .field("sample_rate", &self.sample_rate)
            .finish()
    }
}

/// A signed cookie; its `Debug` shows its name and path, never its value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdnCookie {
    pub name: String,
    pub value: String,
    pub path: String,
}

impl std::fmt::Debug for CdnCookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CdnCookie")
            .field("name", &self.name)
            .field("value", &"[redacted]")
            .field("path", &self.path)
            .finish()
    }
}

/// A URL as a log may show it: its query (a signature's place) cut off.
fn without_query(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?[redacted]"),
        None => url.to_owned(),
    }
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

/// `GET /v1/tracks/{id}/download`: a signed URL to an offline copy and how to verify it. Its
/// `Debug` leaves the URL's signature out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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

impl std::fmt::Debug for DownloadGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadGrant")
            .field("track_id", &self.track_id)
            .field("url", &without_query(&self.url))
            .field("format", &self.format)
            .field("size", &self.size)
            .field("sha256", &self.sha256)
            .field("expires_at", &self.expires_at)
            .field("quality", &self.quality)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_printed_hands_out_no_credential() {
        let grant = StreamGrant {
            track_id: "t-1".into(),
            hls_master_url: "https://cdn.example/media/t-1/hls/master.m3u8".into(),
            mp3_url: "https://cdn.example/media/t-1/a.mp3?Expires=9&Signature=s1gn4ture&Key-Pair-Id=KPAIR".into(),
            expires_at: 9,
            cookies: vec![CdnCookie {
                name: "CloudFront-Signature".into(),
                value: "c00k1e-s1gn4ture".into(),
                path: "/media/t-1/hls/".into(),
            }],
            segment_kind: SegmentKind::Ts,
            encoder_delay_samples: 2112,
            padding_samples: 100,
            sample_rate: 44_100,
        };
        let download = DownloadGrant {
            track_id: "t-1".into(),
            url: "https://cdn.example/media/t-1/vbr.mp3?Signature=d0wnl0ad".into(),
            format: "mp3".into(),
            size: 1,
            sha256: "00".into(),
            expires_at: 9,
            quality: DownloadQuality::Normal,
        };
        let printed = format!("{grant:?} {download:?}");
        for secret in ["s1gn4ture", "KPAIR", "c00k1e-s1gn4ture", "d0wnl0ad"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("CloudFront-Signature"), "{printed}");
        assert!(
            printed.contains("https://cdn.example/media/t-1/a.mp3?[redacted]"),
            "{printed}"
        );
    }
}
