//! Stars sent to an `OpenSubsonic` server: the toggles the library keeps waiting
//! ([`Library::record_star`](strato_library::Library::record_star)) go up oldest first, one
//! `star` or `unstar` each, and leave the library once the server took them.
//!
//! Run at the start of every playlist pass ([`crate::SubsonicPlaylistSync::sync`]), and by
//! the app right after a toggle made online, so a star reaches the server at once. Two
//! senders of one library never run together ([`LibraryHandle::star_sender`]): the second
//! waits, then finds the toggles the first sent gone. So the server sees the toggles in the
//! order they were made. The server's list is taken in ([`take_in_starred`]) in the same
//! turn, after sending: a toggle sent between the list being read and taken in would leave
//! the library (sent) while the list read before it does not show it, so the star shown
//! would be undone.
//!
//! What may be sent twice (an answer lost, a crash between the call and the record) does no
//! harm on a server that takes a star it already has, and one that refuses it says so with an
//! error (Supysonic: code 0, "already starred"). So a refusal is checked against the server's
//! own list (`getStarred2`) before it counts: a toggle the server already shows is done; one
//! it does not is refused for good, the star shown goes back, and the refusal is said in
//! words ([`StarsSent::refused`]), and [`LibraryHandle::star_refusals`] changes, so what
//! shows the stars reads them again whoever sent the toggle. The network, the server's own
//! failure, or the credentials end the run with the toggle kept for the next one.

use strato_library::{StarEdit, StarKind};
use strato_subsonic::{StarTarget, SubsonicClient, SubsonicError, SubsonicErrorKind, wire};

use crate::LibraryHandle;
use crate::subsonic_playlists::SubsonicSyncError;

/// What a run sent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StarsSent {
    /// Toggles the server took (or already showed).
    pub sent: u64,
    /// Toggles the server refused for good, with its words; they left the library and the
    /// stars shown went back.
    pub refused: Vec<RefusedStar>,
}

/// A toggle the server refused for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedStar {
    pub edit: StarEdit,
    /// The server's refusal, in words.
    pub reason: String,
}

/// The server's stars as taken in by [`take_in_starred`].
#[derive(Debug, Clone)]
pub struct StarsTakenIn {
    /// The server's list (`getStarred2`), read after the toggles were sent.
    pub listed: wire::Starred,
    /// The stars kept now: the server's, with the toggles still waiting on top.
    pub kept: Vec<(StarKind, String)>,
    /// Toggles still waiting for the server.
    pub waiting: u64,
}

/// Sends every toggle waiting in `library`, oldest first.
///
/// # Errors
/// The network, the server's own failure, the credentials or the database stopped the run;
/// the toggle it was on and those after it still wait.
pub async fn send_star_edits(
    client: &SubsonicClient,
    library: &LibraryHandle,
) -> Result<StarsSent, SubsonicSyncError> {
    let _turn = library.star_sender().await;
    send_waiting(client, library).await
}

/// Sends the toggles waiting (as [`send_star_edits`]; if they cannot be sent now, they
/// wait), then reads the server's stars and takes them in as the library's, all in one
/// turn of the sender: no toggle is sent between the read and the taking in.
///
/// # Errors
/// The server's list could not be read (the network, the server, the credentials), or the
/// database; the stars kept are as they were.
pub async fn take_in_starred(
    client: &SubsonicClient,
    library: &LibraryHandle,
) -> Result<StarsTakenIn, SubsonicSyncError> {
    let _turn = library.star_sender().await;
    if let Err(error) = send_waiting(client, library).await {
        tracing::info!(%error, "stars still wait for the server");
    }
    let listed = client.starred().await?;
    let server = star_list(&listed);
    let (kept, waiting) = library
        .call(move |lib| {
            lib.replace_stars(&server)?;
            Ok::<_, strato_library::Error>((lib.stars()?, lib.star_edits_waiting()?))
        })
        .await?;
    Ok(StarsTakenIn {
        listed,
        kept,
        waiting,
    })
}

/// Sends the toggles waiting, in the sender's turn (held by the caller).
async fn send_waiting(
    client: &SubsonicClient,
    library: &LibraryHandle,
) -> Result<StarsSent, SubsonicSyncError> {
    let mut sent = StarsSent::default();
    while let Some(edit) = library.call(|lib| lib.next_star_edit()).await? {
        let answer = if edit.starred {
            client.star(target(&edit)).await
        } else {
            client.unstar(target(&edit)).await
        };
        let seq = edit.seq;
        match answer {
            Ok(()) => {
                library.call(move |lib| lib.star_sent(seq)).await?;
                sent.sent += 1;
            }
            Err(error) if !is_refusal(&error) => return Err(error.into()),
            Err(error) => {
                // Already so on the server (sent before, or by another client): done.
                let listed = client.starred().await?;
                if shows(&listed, &edit) {
                    library.call(move |lib| lib.star_sent(seq)).await?;
                    sent.sent += 1;
                } else {
                    tracing::warn!(%error, kind = ?edit.kind, "the server refused a star");
                    library.call(move |lib| lib.star_refused(seq)).await?;
                    library.note_star_refused();
                    sent.refused.push(RefusedStar {
                        edit,
                        reason: error.to_string(),
                    });
                }
            }
        }
    }
    Ok(sent)
}

/// The server's stars as the library keeps them.
#[must_use]
pub fn star_list(starred: &wire::Starred) -> Vec<(StarKind, String)> {
    let tracks = starred
        .song
        .iter()
        .map(|song| (StarKind::Track, song.id.clone()));
    let albums = starred
        .album
        .iter()
        .map(|album| (StarKind::Album, album.id.clone()));
    let artists = starred
        .artist
        .iter()
        .map(|artist| (StarKind::Artist, artist.id.clone()));
    tracks.chain(albums).chain(artists).collect()
}

fn target(edit: &StarEdit) -> StarTarget<'_> {
    match edit.kind {
        StarKind::Track => StarTarget::Song(&edit.item_id),
        StarKind::Album => StarTarget::Album(&edit.item_id),
        StarKind::Artist => StarTarget::Artist(&edit.item_id),
    }
}

/// Whether the server's list already shows `edit` done.
fn shows(listed: &wire::Starred, edit: &StarEdit) -> bool {
    let listed = star_list(listed)
        .into_iter()
        .any(|(kind, id)| kind == edit.kind && id == edit.item_id);
    listed == edit.starred
}

/// A refusal for good: the server answered with its envelope (not found, not allowed, its
/// generic error), or the request could not be made; not the network, a 5xx or a 429, an
/// answer that could not be read, or the credentials.
fn is_refusal(error: &SubsonicError) -> bool {
    if error.is_transient() {
        return false;
    }
    match error.kind() {
        SubsonicErrorKind::Forbidden
        | SubsonicErrorKind::NotFound
        | SubsonicErrorKind::Server
        | SubsonicErrorKind::Unsupported => error.code().is_some(),
        SubsonicErrorKind::InvalidInput => true,
        _ => false,
    }
}
