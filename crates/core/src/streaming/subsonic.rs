//! Opening a Subsonic server's tracks: the song's `stream` address, fetched progressively
//! into the range cache as any single file is.
//!
//! The original file is asked for (`format=raw`): every server sends it whole with byte
//! ranges, so the engine seeks anywhere as it does in the cloud's MP3, and the listener hears
//! what they keep on their server. The address carries the account's credentials (a salted
//! token, or the hex password of a server that takes nothing else): the fetcher names
//! addresses without their query in every error and log line.

use std::sync::{Arc, Mutex};

use strato_audio::{AudioError, MediaOpener, QueueItem, TrackMedia};
use strato_model::ipc::{AppError, ErrorKind};
use strato_service::ServiceError;
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
        let stream = client
            .stream_url_of(&item.id, &StreamOptions::original())
            .map_err(|err| opener_error(from_service(&ServiceError::from(err))))?;
        // Neither the address nor the track is named: the one holds credentials, the other
        // is what the listener plays.
        tracing::info!(
            original = stream.is_original(),
            "play: opening a Subsonic track"
        );
        let ctx = &self.context;
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
