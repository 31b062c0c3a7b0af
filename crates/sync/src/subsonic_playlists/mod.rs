//! Playlist sync with an `OpenSubsonic` server: the edits made offline go up in order through
//! the library's operation log, the server's playlists come down, and another client's
//! edits are found by comparison, since the API has neither revisions nor item ids.
//!
//! What stands in for what the Strato cloud gives ([`crate::playlists`]):
//! - **Revisions.** The library keeps the last copy of each playlist seen on the server
//!   ([`Library::last_seen_playlist`]), written in the same transaction as the snapshot is
//!   taken in or the edit retired. Revisions are counted here: each server state taken in
//!   is one more than the last; an answer to our write that also holds another client's
//!   edit counts two, so the library takes it in whole rather than as ours alone.
//! - **Item ids.** Each copy read is matched against the previous one, so entries keep
//!   their ids and the pending edits naming them still find them (`content.rs`).
//! - **`If-Match`.** Before each edit the playlist is read (`getPlaylist`) and compared
//!   with the last copy seen. The same: the edit is sent. Different: another client
//!   changed it; that copy is taken in, and the library's conflict policy rebases the
//!   pending edits on it (the same path as the cloud's 412), then the pass goes on.
//! - **Idempotency keys.** A write whose answer was lost may or may not have been applied.
//!   The next pass reads the playlist and compares it with the last copy seen with the edit
//!   applied: equal, the edit is retired without being sent again (no track added twice).
//!   An edit sent as several requests (`plan.rs`), and a create, record an attempt before
//!   the first request, so a run cut short is taken up where it stopped and a playlist
//!   made by a create whose answer was lost is found (`push.rs`) rather than made twice.
//!   (`createPlaylist` takes no comment: a description given with the create is logged as
//!   an edit of its own as the create is retired, so a pass may send one more edit than
//!   the listener made.)
//!
//! A pass ([`SubsonicPlaylistSync::sync`]): every pending edit, oldest first; then, the log
//! empty, a pull (`pull.rs`): `getPlaylists`, each playlist whose name, comment, size or
//! `changed` differs from the last copy seen read and taken in (every one when the server
//! does not say `changed`, as Supysonic), new ones added, those gone removed (the conflict
//! policy keeping edits made here in a restored copy). Only the account's own playlists are
//! kept: others' public ones can be read, never changed.
//!
//! Failures: the network, a 5xx or a 429, an answer cut short, end the pass with the edit
//! kept (why, in words); a refusal for good (codes 10, 50, 70 for a song, or any other
//! envelope) parks the edit with a record in words, and the playlist is read again so the
//! local copy shows what the server has. A server that fails on the edit itself (a 5xx or an
//! unreadable answer to the write, the playlist read a moment before) is counted against the
//! edit, and after [`MAX_SERVER_FAILURES`] of them the edit is parked the same way: the log
//! replays in order, so an edit a server always fails on (a crash answered as a bare 500)
//! would hold back every later one. A failure to read, or the network, counts nothing: then
//! the server is down, not failing on the edit. A playlist gone from the server takes the
//! conflict policy's path for a deletion elsewhere; a delete of it is done.
//!
//! What comparison cannot tell: a lost answer and another client's edit of the same
//! playlist before the next pass look like another client's edit alone, so the edit is sent
//! again; a reorder by another client in the same second as the last change seen, with
//! name and size unchanged, is found only by the next change or edit of that playlist; two
//! clients adding the same track at the end keep one copy, not two.
//!
//! Used as [`crate::PlaylistSync`] is: [`SubsonicPlaylistSync::new`] with a signed-in
//! client and the account's library, then [`SubsonicPlaylistSync::sync`] for each pass.

mod content;
mod plan;
mod pull;
mod push;

use strato_library::{Library, PendingOp, PlaylistOp};
use strato_model::api::Playlist;
use strato_subsonic::{SubsonicClient, SubsonicError, SubsonicErrorKind, wire};

use crate::{LibraryHandle, SyncReport};

/// Playlists taken in for one edit in one pass before the pass gives up for now (another
/// client writing to the same playlist without pause). The edit stays pending.
const MAX_CONFLICTS_PER_EDIT: u32 = 16;

/// Server failures on an edit's own requests (see the module doc) before it is parked. The
/// passes after a failure come within a minute (the schedule's back-off), so a server failing
/// on one edit holds the others back for about that long.
pub const MAX_SERVER_FAILURES: u32 = 5;

/// Kept as an edit's last error while its requests are on their way: if the app stops
/// before the answer, the listener reads why it is still pending.
const SENDING: &str = "Strato was interrupted while sending this change; it will check what \
                       reached the server before sending any more.";

/// Why a pass stopped early. The edits are all still in the log.
#[derive(Debug, thiserror::Error)]
pub enum SubsonicSyncError {
    #[error(transparent)]
    Server(#[from] SubsonicError),
    #[error("Your playlists could not be saved on this computer: {0}")]
    Library(#[from] strato_library::Error),
    #[error(
        "Your playlists are changing on another device right now; Strato will try again \
         shortly."
    )]
    Contended,
}

impl SubsonicSyncError {
    /// Worth trying again later by itself (the network, the server, a busy playlist). An
    /// answer cut short reads as an unreadable one (reqwest reports a body that broke off
    /// as undecodable), so any failure without a Subsonic code but the credentials and the
    /// server's identity counts.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Server(error) => {
                error.is_transient()
                    || (error.kind() == SubsonicErrorKind::Server && error.code().is_none())
            }
            Self::Library(_) => false,
            Self::Contended => true,
        }
    }
}

/// Sends the library's pending playlist edits to an `OpenSubsonic` server and takes in its
/// playlists.
#[derive(Clone, Debug)]
pub struct SubsonicPlaylistSync {
    client: SubsonicClient,
    library: LibraryHandle,
}

/// What a failed request means for the edit.
enum Failure {
    /// Try again later: the pass ends, the edit stays (the network, the server's own
    /// trouble, the credentials).
    Stop(SubsonicError),
    /// Not found (code 70): the playlist, or what the edit names.
    NotFound(String),
    /// Refused for good, in the server's words.
    Refused(String),
}

impl SubsonicPlaylistSync {
    #[must_use]
    pub fn new(client: SubsonicClient, library: LibraryHandle) -> Self {
        Self { client, library }
    }

    /// One pass: send the stars toggled here, push every pending playlist edit, then pull
    /// the server's playlists.
    ///
    /// # Errors
    /// The network, the server or the database stopped the pass; nothing is lost, the next
    /// pass goes on from where this one stopped.
    pub async fn sync(&self) -> Result<SyncReport, SubsonicSyncError> {
        let mut report = SyncReport::default();
        // The stars toggled here first: a toggle is one idempotent call, never held back by
        // a playlist edit, nor holding one back: a star the server will not take now waits
        // for the next pass. (Not counted in the report, which is the playlists'.)
        if let Err(error) = crate::send_star_edits(&self.client, &self.library).await {
            tracing::warn!(%error, "the stars were not sent in this pass");
        }
        let mut conflicts_in_a_row = (0_i64, 0_u32);
        while let Some(pending) = self.library.call(|lib| lib.next_pending_op()).await? {
            let before = report.conflicts;
            self.push(&pending, &mut report).await?;
            if report.conflicts > before {
                conflicts_in_a_row = match conflicts_in_a_row {
                    (last, count) if last == pending.seq => (last, count + 1),
                    _ => (pending.seq, 1),
                };
                if conflicts_in_a_row.1 > MAX_CONFLICTS_PER_EDIT {
                    return Err(SubsonicSyncError::Contended);
                }
            }
        }
        self.pull(&mut report).await?;
        Ok(report)
    }

    /// Takes in `copy`, read from the server, as the last seen: the pending edits are
    /// rebased on it by the conflict policy. Its revision is the one held plus one.
    async fn take_in(
        &self,
        mut copy: Playlist,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        let outcome = self
            .library
            .call(move |lib| {
                copy.revision = held_revision(lib, &copy.id) + 1;
                lib.apply_seen_snapshot(&copy)
            })
            .await?;
        report.resolved += count(outcome.resolved_ops.len());
        Ok(())
    }

    /// Retires `pending` with `answer`, the server's copy after it. `exact`: the answer is
    /// the last copy seen with this edit applied and nothing else, so the local copy already
    /// shows it; otherwise it holds another client's edit too, and is taken in whole.
    async fn retire(
        &self,
        pending: &PendingOp,
        answer: Playlist,
        exact: bool,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        self.retire_with(pending, answer, exact, report, |_| Ok(()))
            .await
    }

    /// [`Self::retire`], running `first` in the same library call just before: the two are
    /// done together or not at all as far as a pass cut short (dropped at an `.await`) goes.
    async fn retire_with(
        &self,
        pending: &PendingOp,
        mut answer: Playlist,
        exact: bool,
        report: &mut SyncReport,
        first: impl FnOnce(&mut Library) -> Result<(), strato_library::Error> + Send + 'static,
    ) -> Result<(), SubsonicSyncError> {
        let (seq, playlist_id) = (pending.seq, pending.playlist_id.clone());
        let outcome = self
            .library
            .call(move |lib| {
                first(lib)?;
                let steps = if exact { 1 } else { 2 };
                answer.revision = held_revision(lib, &playlist_id) + steps;
                lib.mark_op_done_seen(seq, Some(&answer))
            })
            .await?;
        report.sent += 1;
        report.resolved += outcome.map_or(0, |o| count(o.resolved_ops.len()));
        Ok(())
    }

    /// Parks edit `seq`, which the server refused for good, with `reason` for the listener;
    /// then reads the playlist again so the local copy shows what the server has.
    async fn park(
        &self,
        pending: &PendingOp,
        reason: String,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        let seq = pending.seq;
        self.library
            .call(move |lib| lib.mark_op_rejected(seq, &reason))
            .await?;
        report.refused += 1;
        self.refresh(&pending.playlist_id, report).await
    }

    /// Reads one playlist from the server into the library, if the server has it.
    async fn refresh(
        &self,
        playlist_id: &str,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        let id = playlist_id.to_owned();
        let Some(seen) = self
            .library
            .call(move |lib| lib.last_seen_playlist(&id))
            .await?
        else {
            return Ok(());
        };
        match self.client.playlist(playlist_id).await.map_err(classify) {
            Ok(server) => {
                let copy = content::named_after(&server, &seen.items);
                self.take_in(copy, report).await
            }
            Err(Failure::NotFound(_)) => {
                let id = playlist_id.to_owned();
                let resolved = self
                    .library
                    .call(move |lib| lib.apply_server_deletion(&id))
                    .await?;
                report.resolved += count(resolved.len());
                Ok(())
            }
            Err(Failure::Stop(error)) => Err(error.into()),
            // Readable a moment ago; the next pass reads it again.
            Err(Failure::Refused(_)) => Ok(()),
        }
    }

    /// Ends the pass on `error` with edit `seq` kept: why is noted for the listener (not
    /// counted as the edit's failure), unless the credentials were refused (the edit is not
    /// at fault).
    async fn stop(&self, seq: i64, error: SubsonicError) -> SubsonicSyncError {
        if !matches!(
            error.kind(),
            SubsonicErrorKind::Auth | SubsonicErrorKind::Untrusted
        ) {
            let words = error.to_string();
            if let Err(library) = self
                .library
                .call(move |lib| lib.record_op_note(seq, &words))
                .await
            {
                return library.into();
            }
        }
        error.into()
    }

    /// A request of the edit itself (not a read) failed with `error`, to be tried again
    /// later. A server failure is counted against the edit, and the last one allowed parks
    /// it (the pass goes on); anything else ends the pass as [`Self::stop`] does.
    async fn write_failed(
        &self,
        pending: &PendingOp,
        error: SubsonicError,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        if !is_server_failure(&error) {
            return Err(self.stop(pending.seq, error).await);
        }
        if pending.attempts + 1 >= MAX_SERVER_FAILURES {
            let reason = gave_up(&pending.op, &error);
            return self.park(pending, reason, report).await;
        }
        let (seq, words) = (pending.seq, error.to_string());
        self.library
            .call(move |lib| lib.mark_op_failed(seq, &words))
            .await?;
        Err(error.into())
    }

    /// Records that edit `seq` is being sent, before a request the next pass must be able
    /// to tell was made (see [`SENDING`] and [`was_attempted`]).
    async fn note_sending(&self, seq: i64) -> Result<(), SubsonicSyncError> {
        self.library
            .call(move |lib| lib.record_op_note(seq, SENDING))
            .await?;
        Ok(())
    }
}

/// Whether `playlist` is the signed-in account's (an API key names no one: then every
/// playlist listed counts, as does one whose owner the server does not say).
fn owned_by(playlist: &wire::Playlist, user: Option<&str>) -> bool {
    match (user, playlist.owner.as_deref()) {
        (Some(user), Some(owner)) => owner.eq_ignore_ascii_case(user),
        _ => true,
    }
}

/// The revision of the library's copy of `playlist_id` (0 for none yet).
fn held_revision(lib: &Library, playlist_id: &str) -> u64 {
    lib.server_revision(playlist_id).ok().flatten().unwrap_or(0)
}

/// Whether a request of `pending` may have reached the server before: something was noted
/// about it (being sent, or a failure, which may have come after the request arrived).
fn was_attempted(pending: &PendingOp) -> bool {
    pending.attempts > 0 || pending.last_error.is_some()
}

/// The server failed on a request, as opposed to the network or a busy server (429): a 5xx
/// or an answer without an envelope that could not be read.
fn is_server_failure(error: &SubsonicError) -> bool {
    error.kind() == SubsonicErrorKind::Server
        && error.code().is_none()
        && error.status() != Some(429)
}

/// Why edit `op` is parked after [`MAX_SERVER_FAILURES`] server failures, the last `error`.
fn gave_up(op: &PlaylistOp, error: &SubsonicError) -> String {
    format!(
        "the server failed on it {MAX_SERVER_FAILURES} times, so Strato stopped \
         trying (its last answer: \u{201c}{error}\u{201d}).{}",
        empty_playlist_hint(op, error)
    )
}

/// What the listener can do when the server failed (a 5xx, or its envelope's code 0, as
/// Supysonic 0.7.9 wraps its own crash) on a rename or a description: the likely cause.
fn empty_playlist_hint(op: &PlaylistOp, error: &SubsonicError) -> &'static str {
    let fields_only = matches!(op, PlaylistOp::Rename { .. } | PlaylistOp::Describe { .. });
    if fields_only
        && error.kind() == SubsonicErrorKind::Server
        && error.code().is_none_or(|code| code == 0)
    {
        " Some servers cannot rename or describe a playlist that has never had a song: add \
         one, then change it again."
    } else {
        ""
    }
}

/// Sorts a failed request into what the pass does next.
fn classify(error: SubsonicError) -> Failure {
    if error.is_transient() {
        return Failure::Stop(error);
    }
    match (error.kind(), error.code()) {
        (SubsonicErrorKind::NotFound, Some(70)) => Failure::NotFound(error.to_string()),
        // An envelope saying no (a bad parameter, not allowed, anything the server will say
        // again), or a request this client would not make (an empty name).
        (
            SubsonicErrorKind::Forbidden
            | SubsonicErrorKind::NotFound
            | SubsonicErrorKind::Server
            | SubsonicErrorKind::Unsupported,
            Some(_),
        )
        | (SubsonicErrorKind::InvalidInput, _) => Failure::Refused(error.to_string()),
        // The network, the credentials, an answer that could not be read: not the edit's
        // fault.
        _ => Failure::Stop(error),
    }
}

fn count(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}
