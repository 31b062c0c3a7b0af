//! Opening a Subsonic server's tracks: the song's `stream` address, fetched progressively
//! into the range cache as any single file is.
//!
//! The streaming quality chooses what is asked for. Automatic or High: the original file
//! (`format=raw`), which every server sends whole with byte ranges, so the engine seeks
//! anywhere as it does in the cloud's MP3, and the listener hears what they keep on their
//! server. Normal or Low (a metered connection): at most 128 or 64 kbit/s (`maxBitRate`),
//! which a server meets by transcoding what is above it; a transcode has no length known in
//! advance, so seeking reaches only what has been fetched (the log says which it asked). The address carries the account's credentials (a salted
//! token, or the hex password of a server that takes nothing else): the fetcher names
//! addresses without their query in every error and log line.

use std::sync::{Arc, Mutex};

use strato_audio::{AudioError, MediaOpener, QueueItem, TrackMedia};
use strato_model::ipc::{AppError, ErrorKind};
use strato_service::ServiceError;
use strato_stream::abr::Quality;
use strato_stream::fetch::MediaFetcher;
use strato_subsonic::{StreamOptions, SubsonicClient};

use super::TrackContext;
use super::media::ProgressiveMedia;
use super::plain::PlainFetcher;
use super::track::opener_error;
use crate::error::from_service;

/// Opens a Subsonic account's tracks by their ids.
pub(crate) struct SubsonicOpener {
    context: TrackContext,
    fetcher: Arc<PlainFetcher>,
    client: Mutex<Option<Arc<SubsonicClient>>>,
}

impl SubsonicOpener {
    pub(crate) fn new(context: TrackContext) -> Self {
        Self {
            context,
            fetcher: Arc::new(PlainFetcher::new()),
            client: Mutex::new(None),
        }
    }

    /// The signed-in Subsonic account's client, or `None` when the account is not one.
    pub(crate) fn set_client(&self, client: Option<Arc<SubsonicClient>>) {
        *super::lock(&self.client) = client;
    }

    /// Whether a Subsonic account is signed in: its tracks are opened here.
    pub(crate) fn is_armed(&self) -> bool {
        super::lock(&self.client).is_some()
    }
}

impl MediaOpener for SubsonicOpener {
    fn open(&self, item: &QueueItem) -> Result<Arc<dyn TrackMedia>, AudioError> {
        let client = super::lock(&self.client).clone().ok_or_else(|| {
            opener_error(AppError::new(
                ErrorKind::NotSignedIn,
                "Sign in to play music.",
            ))
        })?;
        let ctx = &self.context;
        let stream = client
            .stream_url_of(&item.id, &options_for(ctx.choices().hls.quality))
            .map_err(|err| opener_error(from_service(&ServiceError::from(err))))?;
        // Neither the address nor the track is named: the one holds credentials, the other
        // is what the listener plays.
        tracing::info!(
            original = stream.is_original(),
            "play: opening a Subsonic track"
        );
        let fetcher: Arc<dyn MediaFetcher> = self.fetcher.clone();
        ProgressiveMedia::start(
            &ctx.runtime,
            fetcher,
            stream.url().clone(),
            ctx.choices().hls.retry,
            item.duration,
        )
        .map(|media| Arc::new(media) as Arc<dyn TrackMedia>)
        .map_err(AudioError::Io)
    }
}

/// What `stream` is asked for at the listener's streaming quality.
fn options_for(quality: Quality) -> StreamOptions {
    let limited = |kbps| StreamOptions {
        max_bitrate_kbps: Some(kbps),
        // A length for the transcode, where the server can estimate one.
        estimate_content_length: true,
        ..StreamOptions::default()
    };
    match quality {
        Quality::Low => limited(64),
        Quality::Normal => limited(128),
        // Automatic (a listener's own server is usually at hand) and High: the original.
        _ => StreamOptions::original(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streaming_quality_chooses_the_original_or_a_limit() {
        assert_eq!(options_for(Quality::Auto), StreamOptions::original());
        assert_eq!(options_for(Quality::High), StreamOptions::original());
        assert_eq!(options_for(Quality::Normal).max_bitrate_kbps, Some(128));
        assert_eq!(options_for(Quality::Low).max_bitrate_kbps, Some(64));
        assert_eq!(options_for(Quality::Low).format, None);
    }
}
