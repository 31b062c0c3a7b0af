//! The scrobbling driver: the player's events turned into the rule's
//! ([`strato_scrobble::PlayEvent`]) on a task of the app's runtime, and what the rule says
//! (playing now, a listen) handed to the account's targets.
//!
//! The player thread only copies the few events the rule needs into an unbounded channel
//! ([`ScrobbleDriver::observe`]): it never waits on the network, the keychain or the disk.
//! The task numbers each play (a new [`PlayId`] at every track change), looks the track's
//! catalog data up (the queue's, else the library's; a local file's are its tags, and a file
//! without an artist is not scrobbled), and decides how a play ended: a
//! position within [`NATURAL_END`] of the player's length when the track changed or the queue
//! ended is a play that ran to its end ([`PlayEvent::Finished`], judged by its real length);
//! anything else is a skip or a stop ([`PlayEvent::Ended`]).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use strato_audio::PlayerEvent;
use strato_local::ids::is_local_track_id;
use strato_model::ipc::{PlaybackState, Track};
use strato_scrobble::{PlayEvent, PlayId, Scrobble, ScrobbleRule, listen_of};
use tokio::sync::mpsc;

use super::targets::{Targets, service_kind};
use crate::offline::AccountLibrary;
use crate::queue_view::QueueKeeper;
use crate::streaming::RoutingOpener;

/// How close to the player's length a play must have come to have run to its end: the
/// position is reported four times a second, so the last one before the end is within it.
const NATURAL_END: Duration = Duration::from_millis(1500);

/// How often the library followed is compared with the app's: well within the time a move
/// of the data folder waits for the library to be let go (10 s).
const LIBRARY_CHECK: Duration = Duration::from_millis(250);

/// What the rule needs of one player event.
#[derive(Debug)]
enum Heard {
    Track(Option<String>),
    Position {
        at: Duration,
        length: Option<Duration>,
    },
    State(PlaybackState),
}

/// The player's side of scrobbling: cheap to call from the player thread.
#[derive(Clone)]
pub(crate) struct ScrobbleDriver {
    heard: mpsc::UnboundedSender<Heard>,
    targets: Arc<Mutex<Targets>>,
}

/// Where the task finds a track's catalog data.
struct Catalog {
    queue: Arc<QueueKeeper>,
    library: Arc<Mutex<Option<Arc<AccountLibrary>>>>,
}

impl ScrobbleDriver {
    /// The driver, with its task running on `runtime` until the app ends; tracks are looked
    /// up in `queue`, else in the signed-in account's `library`.
    pub(crate) fn start(
        runtime: &tokio::runtime::Handle,
        queue: &Arc<QueueKeeper>,
        library: &Arc<Mutex<Option<Arc<AccountLibrary>>>>,
    ) -> Self {
        let catalog = Catalog {
            queue: Arc::clone(queue),
            library: Arc::clone(library),
        };
        let (heard, received) = mpsc::unbounded_channel();
        let targets = Arc::new(Mutex::new(Targets::default()));
        runtime.spawn(follow_plays(received, catalog, Arc::clone(&targets)));
        runtime.spawn(follow_library(Arc::clone(library), Arc::clone(&targets)));
        Self { heard, targets }
    }

    /// Takes what the rule needs from a player event. Runs on the player thread: never
    /// waits (the channel is unbounded; the task keeps up with four events a second).
    pub(crate) fn observe(&self, event: &PlayerEvent) {
        let heard = match event {
            PlayerEvent::TrackChanged { id, .. } => Heard::Track(id.clone()),
            PlayerEvent::Position {
                position_ms,
                duration_ms,
                ..
            } => Heard::Position {
                at: Duration::from_millis(u64::from(*position_ms)),
                length: duration_ms.map(|ms| Duration::from_millis(u64::from(ms))),
            },
            PlayerEvent::State(state) => Heard::State(*state),
            _ => return,
        };
        // Closed only when the app is shutting down.
        let _ = self.heard.send(heard);
    }

    /// The targets of the account signed in, for the app's commands.
    pub(crate) fn targets(&self) -> &Arc<Mutex<Targets>> {
        &self.targets
    }
}

/// Keeps the targets' senders on the library the app's slot holds, until the app ends: a
/// move of the data folder takes the library out and waits until nothing holds it.
async fn follow_library(
    slot: Arc<Mutex<Option<Arc<AccountLibrary>>>>,
    targets: Arc<Mutex<Targets>>,
) {
    let mut tick = tokio::time::interval(LIBRARY_CHECK);
    loop {
        tick.tick().await;
        let library = slot.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(account) = targets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .account_mut()
        {
            account.follow_library(library.as_ref());
        }
    }
}

/// The play in progress, as the task follows it.
struct Current {
    play: PlayId,
    track: Option<Track>,
    last: Duration,
    length: Option<Duration>,
}

/// Feeds the rule until the app ends.
async fn follow_plays(
    mut received: mpsc::UnboundedReceiver<Heard>,
    catalog: Catalog,
    targets: Arc<Mutex<Targets>>,
) {
    let mut rule = ScrobbleRule::new();
    let mut plays = 0_u64;
    let mut current: Option<Current> = None;
    while let Some(heard) = received.recv().await {
        match heard {
            Heard::Track(id) => {
                if let Some(ended) = current.take() {
                    end_play(&mut rule, &ended, &targets);
                }
                // Of the files and links played, only local tracks are scrobbled: their
                // tags name them (the targets keep their id from the account's server).
                let Some(id) =
                    id.filter(|id| !RoutingOpener::is_location(id) || is_local_track_id(id))
                else {
                    continue;
                };
                plays += 1;
                let track = catalog
                    .track(&id)
                    .await
                    .filter(|t| !is_local_track_id(&t.id) || !t.artist_name.trim().is_empty());
                let play = PlayId(plays);
                let duration = track
                    .as_ref()
                    .map(|t| Duration::from_millis(u64::from(t.duration_ms)))
                    .filter(|d| !d.is_zero());
                let due = rule.feed(PlayEvent::Started {
                    play,
                    duration,
                    at: crate::unix_now(),
                });
                current = Some(Current {
                    play,
                    track,
                    last: Duration::ZERO,
                    length: None,
                });
                act(due, current.as_ref(), &targets);
            }
            Heard::Position { at, length } => {
                if let Some(play) = current.as_mut() {
                    play.last = at;
                    play.length = length.or(play.length);
                    let due = rule.feed(PlayEvent::Position(at));
                    act(due, current.as_ref(), &targets);
                }
            }
            Heard::State(state) => match state {
                PlaybackState::Paused => {
                    rule.feed(PlayEvent::Paused);
                }
                PlaybackState::Playing => {
                    rule.feed(PlayEvent::Resumed);
                }
                PlaybackState::Ended | PlaybackState::Idle | PlaybackState::Error => {
                    if let Some(ended) = current.take() {
                        end_play(&mut rule, &ended, &targets);
                    }
                }
                _ => {}
            },
        }
    }
}

/// The play `ended` is over: run to its end, or cut short.
fn end_play(rule: &mut ScrobbleRule, ended: &Current, targets: &Arc<Mutex<Targets>>) {
    let ran_out = ended
        .length
        .is_some_and(|length| ended.last + NATURAL_END >= length);
    let event = match ended.length {
        Some(length) if ran_out => PlayEvent::Finished {
            play: ended.play,
            length: length.max(ended.last),
        },
        _ => PlayEvent::Ended { play: ended.play },
    };
    let due = rule.feed(event);
    act(due, Some(ended), targets);
}

/// Hands what became due to the account's targets.
fn act(due: Option<Scrobble>, play: Option<&Current>, targets: &Arc<Mutex<Targets>>) {
    let (Some(due), Some(track)) = (due, play.and_then(|p| p.track.as_ref())) else {
        return;
    };
    let targets = targets.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(account) = targets.account() else {
        return;
    };
    match due {
        Scrobble::PlayingNow => account.playing_now(track),
        Scrobble::Listen { listened_at } => {
            let listen = listen_of(
                track,
                service_kind(account.session()),
                &account.session().username,
                listened_at,
            );
            account.listened(listen);
        }
    }
}

impl Catalog {
    /// `id`'s catalog data: the queue's, else the library's; `None` if neither has it (a
    /// play that then never scrobbles: there is nothing to name it by).
    async fn track(&self, id: &str) -> Option<Track> {
        if let Some(track) = self.queue.track(id) {
            return Some(track);
        }
        let library = self
            .library
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()?;
        let id = id.to_owned();
        library
            .handle()
            .call(move |lib| lib.track(&id))
            .await
            .ok()
            .flatten()
    }
}
