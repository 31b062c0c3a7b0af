//! Playlist sync: the pending edits go up in order, the changes feed comes down.
//!
//! One pass ([`PlaylistSync::sync`]):
//!
//! 1. **Push.** The oldest pending edit is sent with its `Idempotency-Key` (every POST) and
//!    `If-Match` (the revision of the snapshot held). The answer is taken in by the library in
//!    the same transaction that retires the edit ([`Library::mark_op_done`]), which also
//!    rebases the edits behind it, so the next one is read afresh from the log.
//! 2. **On 412** the changes feed is pulled: the new snapshots are taken in, the pending
//!    edits re-applied on top through their anchors (their positions rebased, edits that no
//!    longer apply resolved by the conflict policy, each with a record), and the push goes
//!    on with the same key: a refused request is not stored by the service, so its key is
//!    still free.
//! 3. **Pull.** When the log is empty, the changes feed brings what other devices did.
//!
//! The feed is never pulled while an edit may have been applied without its answer arriving
//! (a dropped connection): the pass ends there, and the next pass re-sends that edit first,
//! with the same key, so the service replays its stored answer instead of applying it again.
//!
//! Failures: the network or a 5xx ends the pass (the edit stays, its attempt counted); a
//! refusal for good (400, 409) parks the edit with a record for the listener, and the
//! playlist is re-read so the local copy shows what the server has.

use std::collections::HashMap;

use strato_cloud::{ApiClient, CloudError, CloudErrorKind};
use strato_library::{AddedItem, Library, PendingOp, PlaylistOp};
use strato_model::api::{AddItems, MoveItem, NewPlaylist, Playlist, PlaylistPatch};

use crate::LibraryHandle;

/// The name of the playlist changes feed's cursor in the library.
const CURSOR: &str = "playlists";

/// 412s in a row on one edit before the pass gives up for now (another device writing to
/// the same playlist without pause). The edit stays pending.
const MAX_CONFLICTS_PER_EDIT: u32 = 16;
/// The most tracks the service takes in one add (`AddItems.track_ids`, docs/api.md).
const MAX_ADD_PER_REQUEST: usize = 500;

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Edits the server acknowledged.
    pub sent: u64,
    /// Edits the conflict policy resolved instead (each has a record).
    pub resolved: u64,
    /// Edits the server refused for good (each has a record).
    pub refused: u64,
    /// 412 answers that made the pass pull and rebase.
    pub conflicts: u64,
    /// Playlists taken in from the changes feed.
    pub pulled: u64,
}

/// Why a pass stopped early. The edits are all still in the log.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error("Your playlists could not be saved on this computer: {0}")]
    Library(#[from] strato_library::Error),
    #[error(
        "Your playlists are changing on another device right now; Strato will try again \
         shortly."
    )]
    Contended,
    /// A pass with an `OpenSubsonic` server stopped early.
    #[error(transparent)]
    Subsonic(#[from] crate::subsonic_playlists::SubsonicSyncError),
}

impl SyncError {
    /// Worth trying again later by itself (the network, the service, a busy playlist).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Cloud(error) => {
                error.kind() == CloudErrorKind::Offline
                    || error
                        .status()
                        .is_none_or(|status| status == 429 || status >= 500)
            }
            Self::Library(_) => false,
            Self::Contended => true,
            Self::Subsonic(error) => error.is_transient(),
        }
    }
}

/// Sends the library's pending playlist edits and takes in the service's changes.
#[derive(Clone, Debug)]
pub struct PlaylistSync {
    api: ApiClient,
    library: LibraryHandle,
}

/// How the service answered one edit.
enum Answer {
    /// Applied; the playlist as it is now (`None` for a delete).
    Applied(Option<Playlist>),
    /// 412: the revision held is stale.
    Stale,
    /// 404: the playlist or the item is gone.
    Gone,
    /// Refused for good, with the service's words.
    Refused(String),
}

impl PlaylistSync {
    #[must_use]
    pub fn new(api: ApiClient, library: LibraryHandle) -> Self {
        Self { api, library }
    }

    /// One pass: push every pending edit, then pull the changes feed.
    ///
    /// # Errors
    /// The network, the service or the database stopped the pass; nothing is lost, the next
    /// pass goes on from where this one stopped.
    pub async fn sync(&self) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let mut conflicts_in_a_row = (0_i64, 0_u32);
        while let Some(pending) = self.library.call(|lib| lib.next_pending_op()).await? {
            let seq = pending.seq;
            match self.send(&pending).await {
                Ok(Answer::Applied(snapshot)) => {
                    let outcome = self
                        .library
                        .call(move |lib| lib.mark_op_done(seq, snapshot.as_ref()))
                        .await?;
                    report.sent += 1;
                    report.resolved += outcome.map_or(0, |o| len(&o.resolved_ops));
                }
                Ok(Answer::Stale) => {
                    conflicts_in_a_row = match conflicts_in_a_row {
                        (last, count) if last == seq => (seq, count + 1),
                        _ => (seq, 1),
                    };
                    if conflicts_in_a_row.1 > MAX_CONFLICTS_PER_EDIT {
                        return Err(SyncError::Contended);
                    }
                    report.conflicts += 1;
                    self.pull(&mut report).await?;
                }
                Ok(Answer::Gone) => self.gone(&pending, &mut report).await?,
                Ok(Answer::Refused(reason)) => {
                    self.library
                        .call(move |lib| lib.mark_op_rejected(seq, &reason))
                        .await?;
                    report.refused += 1;
                    self.refresh(&pending.playlist_id, &mut report).await?;
                }
                Err(error) => {
                    if error.kind() != CloudErrorKind::Auth {
                        let words = error.to_string();
                        self.library
                            .call(move |lib| lib.mark_op_failed(seq, &words))
                            .await?;
                    }
                    return Err(error.into());
                }
            }
        }
        self.pull(&mut report).await?;
        Ok(report)
    }

    /// Sends one edit.
    async fn send(&self, pending: &PendingOp) -> Result<Answer, CloudError> {
        let id = pending.playlist_id.as_str();
        let key = Some(pending.idempotency_key.as_str());
        let revision = {
            let id = id.to_owned();
            self.library
                .call(move |lib| lib.server_revision(&id).ok().flatten())
                .await
        };
        let result = match (&pending.op, revision) {
            (PlaylistOp::Create { name, description }, _) => {
                let new = NewPlaylist {
                    name: name.clone(),
                    description: description.clone(),
                };
                self.api.create_playlist(&new, key).await.map(Some)
            }
            (_, None) => {
                // Only a create is sent for a playlist the server has not seen, and the log
                // keeps a playlist's create before its other edits.
                return Ok(Answer::Refused(
                    "the playlist was never saved on the service".into(),
                ));
            }
            (PlaylistOp::Rename { name }, Some(revision)) => {
                let patch = PlaylistPatch {
                    name: Some(name.clone()),
                    description: None,
                    public: None,
                };
                self.api
                    .update_playlist(id, revision, &patch)
                    .await
                    .map(Some)
            }
            (PlaylistOp::Describe { description }, Some(revision)) => {
                let patch = PlaylistPatch {
                    name: None,
                    description: Some(description.clone()),
                    public: None,
                };
                self.api
                    .update_playlist(id, revision, &patch)
                    .await
                    .map(Some)
            }
            (PlaylistOp::Delete, Some(revision)) => {
                self.api.delete_playlist(id, revision).await.map(|()| None)
            }
            (
                PlaylistOp::AddTracks {
                    items, position, ..
                },
                Some(revision),
            ) => self
                .add_in_requests(id, revision, items, *position, key)
                .await
                .map(Some),
            (PlaylistOp::RemoveItem { item_id }, Some(revision)) => self
                .api
                .remove_playlist_item(id, revision, item_id)
                .await
                .map(Some),
            (
                PlaylistOp::MoveItem {
                    item_id, position, ..
                },
                Some(revision),
            ) => self
                .api
                .move_playlist_item(
                    id,
                    revision,
                    item_id,
                    MoveItem {
                        position: *position,
                    },
                    key,
                )
                .await
                .map(Some),
            (other, Some(_)) => {
                return Ok(Answer::Refused(format!(
                    "this version of Strato cannot send a {} edit",
                    other.kind()
                )));
            }
        };
        match result {
            Ok(snapshot) => Ok(Answer::Applied(snapshot)),
            Err(error) => classify(error),
        }
    }

    /// Sends an add of any length as consecutive requests of at most
    /// [`MAX_ADD_PER_REQUEST`] tracks: an edit here may add a whole playlist's worth (a saved
    /// queue, a large selection), the service takes 500 at a time. Each request has its own
    /// idempotency key derived from the edit's (the first keeps it as it is), so a retry after
    /// any failure replays the requests already applied and sends the rest; the answer is the
    /// playlist after the last.
    async fn add_in_requests(
        &self,
        id: &str,
        mut revision: u64,
        items: &[AddedItem],
        position: Option<u32>,
        key: Option<&str>,
    ) -> Result<Playlist, CloudError> {
        // (An empty add, which the library never logs, goes as one request the service
        // refuses, like any other malformed edit.)
        let requests = items.len().div_ceil(MAX_ADD_PER_REQUEST).max(1);
        let mut index = 0;
        loop {
            let start = (index * MAX_ADD_PER_REQUEST).min(items.len());
            let chunk = &items[start..(start + MAX_ADD_PER_REQUEST).min(items.len())];
            let add = AddItems {
                track_ids: chunk.iter().map(|item| item.track_id.clone()).collect(),
                position: position
                    .map(|first| first.saturating_add(u32::try_from(start).unwrap_or(u32::MAX))),
            };
            let request_key = key.map(|key| match index {
                0 => key.to_owned(),
                n => format!("{key}.{n}"),
            });
            let playlist = self
                .api
                .add_playlist_items(id, revision, &add, request_key.as_deref())
                .await?;
            index += 1;
            if index == requests {
                return Ok(playlist);
            }
            revision = playlist.revision;
        }
    }

    /// A 404: a delete is done; otherwise the playlist is re-read, so the conflict policy
    /// resolves the edit against what the server has.
    async fn gone(&self, pending: &PendingOp, report: &mut SyncReport) -> Result<(), SyncError> {
        let seq = pending.seq;
        if pending.op == PlaylistOp::Delete {
            self.library
                .call(move |lib| lib.mark_op_done(seq, None))
                .await?;
            report.sent += 1;
            return Ok(());
        }
        self.refresh(&pending.playlist_id, report).await?;
        let still_pending = self
            .library
            .call(move |lib| {
                lib.next_pending_op()
                    .map(|op| op.is_some_and(|op| op.seq == seq))
            })
            .await?;
        if still_pending {
            // The playlist and the item are both there, yet the service said 404: report
            // rather than retry forever.
            self.library
                .call(move |lib| {
                    lib.mark_op_rejected(seq, "the service could not find what it changes")
                })
                .await?;
            report.refused += 1;
        }
        Ok(())
    }

    /// Re-reads one playlist from the service into the library. A playlist the service has
    /// never had (its create was refused) has nothing to re-read.
    async fn refresh(&self, playlist_id: &str, report: &mut SyncReport) -> Result<(), SyncError> {
        let id = playlist_id.to_owned();
        let on_service = self
            .library
            .call(move |lib| lib.server_revision(&id).ok().flatten())
            .await
            .is_some();
        if !on_service {
            return Ok(());
        }
        let id = playlist_id.to_owned();
        match self.api.playlist(playlist_id).await {
            Ok(snapshot) => {
                let outcome = self
                    .library
                    .call(move |lib| lib.apply_server_snapshot(&snapshot))
                    .await?;
                report.resolved += len(&outcome.resolved_ops);
            }
            Err(error) if error.kind() == CloudErrorKind::NotFound => {
                let resolved = self
                    .library
                    .call(move |lib| lib.apply_server_deletion(&id))
                    .await?;
                report.resolved += len(&resolved);
            }
            Err(error) => return Err(error.into()),
        }
        report.pulled += 1;
        Ok(())
    }

    /// Where this device stands in the changes feed: every change up to this `seq` is in.
    pub async fn feed_cursor(&self) -> Result<u64, SyncError> {
        Ok(self
            .library
            .call(|lib| lib.sync_cursor(CURSOR))
            .await?
            .and_then(|cursor| cursor.parse::<u64>().ok())
            .unwrap_or(0))
    }

    /// Takes in the changes feed since the stored cursor.
    async fn pull(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        let since = self.feed_cursor().await?;
        let feed = self.api.playlist_changes(since).await?;
        if feed.changes.is_empty() && feed.cursor == since {
            return Ok(());
        }
        // Each change carries the playlist as it is now, so only the last per playlist counts.
        let mut latest: HashMap<String, (u64, Option<Playlist>)> = HashMap::new();
        for change in feed.changes {
            latest.insert(change.playlist_id, (change.seq, change.playlist));
        }
        let mut latest: Vec<_> = latest.into_iter().collect();
        latest.sort_by_key(|(_, (seq, _))| *seq);
        let cursor = feed.cursor;
        let (pulled, resolved) = self
            .library
            .call(move |lib| take_in(lib, latest, cursor))
            .await?;
        report.pulled += pulled;
        report.resolved += resolved;
        Ok(())
    }
}

/// Applies the feed's playlists, then moves the cursor. A crash in between only means the
/// same snapshots are taken in again, which changes nothing.
fn take_in(
    lib: &mut Library,
    latest: Vec<(String, (u64, Option<Playlist>))>,
    cursor: u64,
) -> Result<(u64, u64), strato_library::Error> {
    let (mut pulled, mut resolved) = (0, 0);
    for (id, (_, playlist)) in latest {
        resolved += match playlist {
            Some(snapshot) => len(&lib.apply_server_snapshot(&snapshot)?.resolved_ops),
            None => len(&lib.apply_server_deletion(&id)?),
        };
        pulled += 1;
    }
    lib.set_sync_cursor(CURSOR, &cursor.to_string())?;
    Ok((pulled, resolved))
}

/// Sorts a failed request into what the pass does next.
fn classify(error: CloudError) -> Result<Answer, CloudError> {
    match (error.kind(), error.status()) {
        (CloudErrorKind::Conflict, _) => Ok(Answer::Stale),
        (CloudErrorKind::NotFound, _) => Ok(Answer::Gone),
        (CloudErrorKind::Offline | CloudErrorKind::Auth, _) => Err(error),
        (_, Some(status)) if (400..500).contains(&status) && status != 429 => {
            Ok(Answer::Refused(error.to_string()))
        }
        _ => Err(error),
    }
}

fn len(items: &[i64]) -> u64 {
    u64::try_from(items.len()).unwrap_or(u64::MAX)
}
