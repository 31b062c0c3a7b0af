//! Filling in the catalog data of tracks that playlists name but the library has never seen
//! (a playlist made or grown on another device), so they read well, offline too.
//!
//! A playlist of thousands of new tracks must not take hours to show its titles, nor flood
//! the service or the UI: the tracks are asked for a few at a time, stored in batches, and
//! the UI is told at most once a second while it goes on. The tracks are asked for through
//! the service trait, so a Subsonic server's playlists are filled in as the cloud's are.

use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use strato_model::api::Track;
use strato_service::{MusicService, ServiceErrorKind};
use strato_sync::LibraryHandle;

/// How the catalog is filled in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FillPlan {
    /// Tracks asked for at once.
    pub in_flight: usize,
    /// Tracks stored in one transaction.
    pub batch: usize,
    /// Tracks filled in by one pass; a longer backlog goes on at the next pass.
    pub per_pass: usize,
    /// The UI hears of progress at most this often while a pass goes on.
    pub progress_interval: Duration,
}

impl Default for FillPlan {
    fn default() -> Self {
        Self {
            in_flight: 8,
            batch: 64,
            per_pass: 10_000,
            progress_interval: Duration::from_secs(1),
        }
    }
}

/// What a pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FillReport {
    /// Tracks stored.
    pub stored: usize,
    /// Tracks the catalog does not have (left out: their rows keep saying "Not loaded yet").
    pub missing: usize,
    /// Whether the pass stopped early because the service stopped answering.
    pub interrupted: bool,
}

/// Fetches and stores the tracks playlists name that the library lacks. `progress` is called
/// (throttled) when stored tracks should be shown before the pass ends.
pub(crate) async fn fill_playlist_tracks(
    service: &dyn MusicService,
    library: &LibraryHandle,
    plan: FillPlan,
    mut progress: impl FnMut(),
) -> FillReport {
    let per_pass = plan.per_pass;
    let ids = match library
        .call(move |lib| lib.uncached_playlist_tracks(per_pass))
        .await
    {
        Ok(ids) => ids,
        Err(error) => {
            tracing::warn!(%error, "could not read which playlist tracks are missing");
            return FillReport::default();
        }
    };
    let mut report = FillReport::default();
    let mut last_progress = Instant::now();
    for batch in ids.chunks(plan.batch.max(1)) {
        // Owned ids: futures borrowing the batch trip the compiler's `Send` check for
        // spawned tasks (a higher-ranked lifetime it cannot prove general).
        let answers: Vec<_> = stream::iter(batch.to_vec())
            .map(|id| async move {
                let answer = service.track(&id).await;
                (id, answer)
            })
            .buffer_unordered(plan.in_flight.max(1))
            .collect()
            .await;
        let mut tracks: Vec<Track> = Vec::with_capacity(answers.len());
        for (id, answer) in answers {
            match answer {
                Ok(track) => tracks.push(track),
                Err(error) if error.kind() == ServiceErrorKind::NotFound => {
                    tracing::debug!(track_id = %id, "a playlist names a track the catalog lacks");
                    report.missing += 1;
                }
                Err(error) => {
                    tracing::debug!(%error, track_id = %id, "could not fetch a playlist's track");
                    report.interrupted = true;
                }
            }
        }
        if !tracks.is_empty() {
            let count = tracks.len();
            match library.call(move |lib| lib.upsert_tracks(&tracks)).await {
                Ok(()) => report.stored += count,
                Err(error) => {
                    tracing::warn!(%error, "could not store the playlists' tracks");
                    report.interrupted = true;
                }
            }
        }
        // The service stopped answering (or the disk refused): the next sync pass goes on.
        if report.interrupted {
            break;
        }
        if report.stored > 0 && last_progress.elapsed() >= plan.progress_interval {
            progress();
            last_progress = Instant::now();
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use strato_cloud::{ApiClient, Credentials, ServiceClient};
    use strato_library::Library;
    use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto};

    async fn demo_api(cloud: &DevCloud) -> ApiClient {
        let service = ServiceClient::connect(cloud.api_url()).await.unwrap();
        let ready = cloud.config();
        let tokens = service
            .sign_in(&Credentials {
                username: ready.demo_username.clone().unwrap(),
                password: ready.demo_password.clone().unwrap(),
            })
            .await
            .unwrap();
        ApiClient::new(service, tokens)
    }

    /// A library with one playlist naming every catalog track and two the catalog lacks,
    /// none of them cached.
    async fn library_naming_the_catalog(api: &ApiClient) -> (LibraryHandle, usize) {
        let mut ids: Vec<String> = api
            .tracks(None, 100)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|t| t.id)
            .collect();
        let catalog = ids.len();
        ids.extend(["tr-withdrawn-1".to_owned(), "tr-withdrawn-2".to_owned()]);
        let mut library = Library::open_in_memory().unwrap();
        let playlist = library.create_playlist("From elsewhere", "").unwrap();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        library
            .add_tracks(&playlist.playlist.id, &ids, None)
            .unwrap();
        (LibraryHandle::new(library), catalog)
    }

    fn small_batches() -> FillPlan {
        FillPlan {
            in_flight: 3,
            batch: 4,
            per_pass: 1_000,
            progress_interval: Duration::ZERO,
        }
    }

    #[tokio::test]
    async fn every_track_is_filled_in_by_batches_and_the_missing_ones_are_left_out() {
        let cloud = DevCloud::start(Moto::start()).await;
        let api = demo_api(&cloud).await;
        let (library, catalog) = library_naming_the_catalog(&api).await;
        assert!(catalog > 8, "the demo catalog has {catalog} tracks");

        let mut updates = 0;
        let report = fill_playlist_tracks(&api, &library, small_batches(), || updates += 1).await;
        assert_eq!(
            report,
            FillReport {
                stored: catalog,
                missing: 2,
                interrupted: false
            }
        );
        // Every batch of four holds at least two catalog tracks: the UI heard of each.
        assert_eq!(updates, (catalog + 2).div_ceil(4));
        let left = library
            .call(|lib| lib.uncached_playlist_tracks(100))
            .await
            .unwrap();
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(left.iter().all(|id| id.starts_with("tr-withdrawn")));
    }

    #[tokio::test]
    async fn a_service_that_stops_answering_ends_the_pass_and_the_next_goes_on() {
        let cloud = DevCloud::start(Moto::start()).await;
        let api = demo_api(&cloud).await;
        let (library, catalog) = library_naming_the_catalog(&api).await;
        cloud
            .add_fault(&FaultRule {
                error_rate: Some(1.0),
                error_status: Some(400),
                times: Some(1),
                ..FaultRule::new("/v1/tracks/*").on(FaultTarget::Api)
            })
            .await;

        let first = fill_playlist_tracks(&api, &library, small_batches(), || {}).await;
        assert!(first.interrupted, "{first:?}");
        assert!(first.stored < catalog, "{first:?}");
        let second = fill_playlist_tracks(&api, &library, small_batches(), || {}).await;
        assert!(!second.interrupted, "{second:?}");
        assert_eq!(first.stored + second.stored, catalog);
    }
}
