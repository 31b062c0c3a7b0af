//! A song's bytes and a cover's: the stream and download URLs the audio engine and the
//! download manager fetch themselves (with Range), and cover images (cached elsewhere).
//!
//! Whether a stream is the original file matters to the listener: a server that transcodes
//! sends a stream without a length it knows in advance, so it cannot serve byte ranges and
//! seeking is limited. [`StreamUrl::is_original`] says which, from what was asked and what
//! the song is, so the app can say so before it plays.

use bytes::Bytes;
use url::Url;

use crate::client::{SubsonicClient, read_envelope};
use crate::redact::redact_url;
use crate::{SubsonicError, SubsonicErrorKind, wire};

/// What `stream` is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamOptions {
    /// The most kbit/s wanted (`maxBitRate`); `None` or 0 for no limit.
    pub max_bitrate_kbps: Option<u32>,
    /// The format wanted (`format`): `raw` for the original whatever the limit, or a
    /// suffix (`mp3`, `opus`); `None` for the server's choice.
    pub format: Option<String>,
    /// Ask the server for a `Content-Length` estimate of a transcoded stream
    /// (`estimateContentLength`).
    pub estimate_content_length: bool,
}

impl StreamOptions {
    /// The original file, whatever its bit rate.
    #[must_use]
    pub fn original() -> Self {
        Self {
            format: Some("raw".to_owned()),
            ..Self::default()
        }
    }
}

/// A signed stream or download address, with whether it sends the original file. Its
/// `Debug` and [`Self::redacted`] hide the credentials in it.
#[derive(Clone, PartialEq, Eq)]
pub struct StreamUrl {
    url: Url,
    original: bool,
}

impl StreamUrl {
    /// The address to fetch (it carries credentials: never log it; log [`Self::redacted`]).
    #[must_use]
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The address with its credentials replaced, for logs.
    #[must_use]
    pub fn redacted(&self) -> String {
        redact_url(&self.url)
    }

    /// Whether the server sends the original file (byte ranges, seeking anywhere), rather
    /// than a transcode.
    #[must_use]
    pub fn is_original(&self) -> bool {
        self.original
    }
}

impl std::fmt::Debug for StreamUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamUrl")
            .field("url", &self.redacted())
            .field("original", &self.original)
            .finish()
    }
}

/// A cover image as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverArt {
    pub bytes: Bytes,
    /// The MIME type the server gave (`image/jpeg`), or `application/octet-stream`.
    pub content_type: String,
}

/// Whether `stream` with `options` sends `song`'s original file: `format=raw`; or no
/// transcode asked or set on the server (`transcodedSuffix`) and either no bit-rate limit
/// or the song's own bit rate within it. A song of unknown bit rate under a limit counts as
/// transcoded: the app would rather not promise seeking.
#[must_use]
pub fn sends_original(song: &wire::Song, options: &StreamOptions) -> bool {
    let suffix = song.suffix.as_deref();
    match options.format.as_deref() {
        Some(format) if format.eq_ignore_ascii_case("raw") => return true,
        Some(format) if Some(format) != suffix => return false,
        Some(_) => {}
        None => {
            if song
                .transcoded_suffix
                .as_deref()
                .is_some_and(|transcoded| Some(transcoded) != suffix)
            {
                return false;
            }
        }
    }
    match options.max_bitrate_kbps {
        None | Some(0) => true,
        Some(limit) => song.bit_rate.is_some_and(|rate| rate <= limit),
    }
}

impl SubsonicClient {
    /// The `stream` address of `song` with `options`, and whether it sends the original.
    /// No request is made: the audio engine fetches it, with Range when it is the original.
    pub fn stream_url(
        &self,
        song: &wire::Song,
        options: &StreamOptions,
    ) -> Result<StreamUrl, SubsonicError> {
        self.stream_url_with(&song.id, options, sends_original(song, options))
    }

    /// The `stream` address of the song `id` when only its id is at hand (a queue's track):
    /// it is known to send the original only when `options` ask for it (`format=raw`).
    pub fn stream_url_of(
        &self,
        id: &str,
        options: &StreamOptions,
    ) -> Result<StreamUrl, SubsonicError> {
        let original = options
            .format
            .as_deref()
            .is_some_and(|format| format.eq_ignore_ascii_case("raw"));
        self.stream_url_with(id, options, original)
    }

    fn stream_url_with(
        &self,
        id: &str,
        options: &StreamOptions,
        original: bool,
    ) -> Result<StreamUrl, SubsonicError> {
        let mut params = vec![("id", id.to_owned())];
        if let Some(limit) = options.max_bitrate_kbps {
            params.push(("maxBitRate", limit.to_string()));
        }
        if let Some(format) = &options.format {
            params.push(("format", format.clone()));
        }
        if options.estimate_content_length {
            params.push(("estimateContentLength", "true".to_owned()));
        }
        let url = self.url("stream", &params, true, "play the track")?;
        Ok(StreamUrl { url, original })
    }

    /// The `download` address of song `id`: always the original file.
    pub fn download_url(&self, id: &str) -> Result<StreamUrl, SubsonicError> {
        let url = self.url(
            "download",
            &[("id", id.to_owned())],
            true,
            "download the track",
        )?;
        Ok(StreamUrl {
            url,
            original: true,
        })
    }

    /// `getCoverArt` of a `coverArt` id, at most `size` pixels wide when given. `None` when
    /// the server has no cover: an error envelope (code 70, or a failure inside: Supysonic
    /// fails on an album whose only art is embedded) or an HTTP error. Only a failure to reach
    /// the server, or one of the account (signed out, forbidden), is an error.
    pub async fn cover_art(
        &self,
        id: &str,
        size: Option<u32>,
    ) -> Result<Option<CoverArt>, SubsonicError> {
        let what = "load the cover";
        let mut params = vec![("id", id.to_owned())];
        if let Some(size) = size {
            params.push(("size", size.to_string()));
        }
        let url = self.url("getCoverArt", &params, true, what)?;
        tracing::debug!(url = %redact_url(&url), "subsonic cover");
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| SubsonicError::transport(e, what))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| SubsonicError::transport(e, what))?;
        let is_envelope = content_type.contains("json") || content_type.contains("xml");
        if status.is_success() && !is_envelope && !bytes.is_empty() {
            return Ok(Some(CoverArt {
                bytes,
                content_type,
            }));
        }
        match read_envelope(status, &bytes, what) {
            Err(err)
                if matches!(
                    err.kind(),
                    SubsonicErrorKind::Auth | SubsonicErrorKind::Forbidden
                ) =>
            {
                Err(err)
            }
            Err(err) => {
                tracing::debug!(
                    code = err.code(),
                    status = status.as_u16(),
                    "no cover: {err}"
                );
                Ok(None)
            }
            Ok(_) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn song(suffix: &str, bit_rate: Option<u32>) -> wire::Song {
        wire::Song {
            id: "s".into(),
            suffix: Some(suffix.into()),
            bit_rate,
            ..wire::Song::default()
        }
    }

    #[test]
    fn raw_or_no_limit_is_the_original() {
        let flac = song("flac", Some(900));
        assert!(sends_original(&flac, &StreamOptions::original()));
        assert!(sends_original(&flac, &StreamOptions::default()));
        let unlimited = StreamOptions {
            max_bitrate_kbps: Some(0),
            ..StreamOptions::default()
        };
        assert!(sends_original(&flac, &unlimited));
    }

    #[test]
    fn a_limit_below_the_songs_rate_or_another_format_transcodes() {
        let limit = |kbps| StreamOptions {
            max_bitrate_kbps: Some(kbps),
            ..StreamOptions::default()
        };
        assert!(!sends_original(&song("flac", Some(900)), &limit(320)));
        assert!(sends_original(&song("mp3", Some(192)), &limit(320)));
        assert!(sends_original(&song("mp3", Some(320)), &limit(320)));
        assert!(
            !sends_original(&song("mp3", None), &limit(320)),
            "unknown rate"
        );
        let opus = StreamOptions {
            format: Some("opus".into()),
            ..StreamOptions::default()
        };
        assert!(!sends_original(&song("mp3", Some(128)), &opus));
        assert!(sends_original(&song("opus", Some(128)), &opus));
        let mut set_on_server = song("flac", Some(900));
        set_on_server.transcoded_suffix = Some("mp3".into());
        assert!(!sends_original(&set_on_server, &StreamOptions::default()));
    }
}
