//! The queue through the App facade, against real moto and devcloud processes and the null
//! sink: edits while playing (play next, add to queue, the same track twice, moves, removal,
//! clear, jump, save as playlist), what the window is sent (one event per change; position
//! ticks whose size does not depend on the queue's length), and the queue across a restart.

mod app_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app_support::eventually;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{
    ErrorKind, PlaybackState, PlayerStatus, QueueEntry, QueueView, RepeatMode,
};
use strato_testkit::{DevCloud, Moto};

/// Every event the window would get, with its size as the shell sends it (JSON).
#[derive(Default)]
struct Window {
    sent: Mutex<Vec<Sent>>,
}

#[derive(Clone)]
enum Sent {
    Status(Box<PlayerStatus>, usize),
    Queue(Box<QueueView>),
}

impl AppEvents for Window {
    fn player_status(&self, status: &PlayerStatus) {
        let bytes = serde_json::to_vec(status).unwrap().len();
        self.sent
            .lock()
            .unwrap()
            .push(Sent::Status(Box::new(status.clone()), bytes));
    }

    fn queue_changed(&self, view: &QueueView) {
        self.sent
            .lock()
            .unwrap()
            .push(Sent::Queue(Box::new(view.clone())));
    }
}

impl Window {
    fn mark(&self) -> usize {
        self.sent.lock().unwrap().len()
    }

    fn since(&self, mark: usize) -> Vec<Sent> {
        self.sent.lock().unwrap()[mark..].to_vec()
    }

    fn queue_events_since(&self, mark: usize) -> Vec<QueueView> {
        self.since(mark)
            .into_iter()
            .filter_map(|s| match s {
                Sent::Queue(view) => Some(*view),
                Sent::Status(..) => None,
            })
            .collect()
    }

    fn last_status(&self) -> Option<PlayerStatus> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find_map(|s| match s {
                Sent::Status(status, _) => Some(*status.clone()),
                Sent::Queue(_) => None,
            })
    }
}

async fn signed_in(cloud: &DevCloud, data_dir: Option<&std::path::Path>) -> (App, Arc<Window>) {
    let window = Arc::new(Window::default());
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = data_dir.map(std::path::Path::to_owned);
    let app = App::start(settings, window.clone()).unwrap();
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    (app, window)
}

async fn catalog(app: &App) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = app.catalog_tracks(cursor).await.unwrap();
        ids.extend(page.items.into_iter().map(|t| t.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return ids,
        }
    }
}

/// Waits until every event of the commands sent before has reached the window: the player
/// handles commands in order, so once a volume set after them is reported, they are done.
async fn settled(app: &App, window: &Window, volume: f32) {
    app.set_volume(volume);
    eventually("the player to catch up", || async {
        window
            .last_status()
            .is_some_and(|s| (s.volume - volume).abs() < 1e-6)
            .then_some(())
    })
    .await;
}

/// The whole queue, in play order.
fn entries(app: &App) -> Vec<QueueEntry> {
    let view = app.queue_view();
    let mut all = Vec::new();
    while all.len() < view.length as usize {
        let page = app.queue_page(u32::try_from(all.len()).unwrap(), 500);
        assert!(!page.entries.is_empty());
        all.extend(page.entries);
    }
    all
}

/// What identifies each entry: its id, its track, and whether the listener queued it.
fn identities(entries: &[QueueEntry]) -> Vec<(u64, String, bool)> {
    entries
        .iter()
        .map(|e| (e.entry_id, e.track_id.clone(), e.queued))
        .collect()
}

fn tracks_of(entries: &[QueueEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.track_id.as_str()).collect()
}

async fn playing(window: &Window, track: &str) {
    eventually(&format!("{track} to play"), || async {
        window
            .last_status()
            .is_some_and(|s| {
                s.state == PlaybackState::Playing && s.track.is_some_and(|t| t.id == track)
            })
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_queue_is_edited_while_it_plays_one_event_per_change() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (app, window) = signed_in(&cloud, None).await;
    let ids = catalog(&app).await;
    let (t1, t2, t3, t4, extra) = (&ids[0], &ids[1], &ids[2], &ids[3], &ids[4]);
    app.play_queue(vec![t1.clone(), t2.clone(), t3.clone()], 0)
        .await
        .unwrap();
    playing(&window, t1).await;
    settled(&app, &window, 0.9).await;

    // Play next: one event, the track right after the one playing, and what plays next.
    let mark = window.mark();
    app.play_next(vec![extra.clone()]).await.unwrap();
    settled(&app, &window, 0.8).await;
    let events = window.queue_events_since(mark);
    assert_eq!(events.len(), 1, "one event per change");
    let view = &events[0];
    assert_eq!(view.length, 4);
    assert_eq!(view.current, Some(0));
    assert_eq!(view.plays_next.as_ref().unwrap().track_id, *extra);
    assert!(view.plays_next.as_ref().unwrap().queued);
    let window_entries = &view.window.as_ref().expect("the entries changed").entries;
    assert_eq!(tracks_of(window_entries), [t1, extra, t2, t3]);

    // The same track added twice: two entries, each its own, after what was queued.
    app.add_to_queue(vec![t4.clone()]).await.unwrap();
    app.add_to_queue(vec![t4.clone()]).await.unwrap();
    settled(&app, &window, 0.7).await;
    let all = entries(&app);
    assert_eq!(tracks_of(&all), [t1, extra, t4, t4, t2, t3]);
    assert_ne!(all[2].entry_id, all[3].entry_id);

    // Moved by keyboard (one place down, as Alt+Down does), then removed: one copy only.
    let mark = window.mark();
    app.move_in_queue(vec![all[1].entry_id], 2);
    settled(&app, &window, 0.6).await;
    assert_eq!(window.queue_events_since(mark).len(), 1);
    assert_eq!(tracks_of(&entries(&app)), [t1, t4, extra, t4, t2, t3]);
    app.remove_from_queue(vec![all[3].entry_id]);
    // The entry playing is not taken away.
    app.remove_from_queue(vec![all[0].entry_id]);
    settled(&app, &window, 0.5).await;
    let now = entries(&app);
    assert_eq!(tracks_of(&now), [t1, t4, extra, t2, t3]);
    assert_eq!(now[1].entry_id, all[2].entry_id, "the other copy stays");
    assert_eq!(app.player_status().track.unwrap().id, *t1, "still playing");

    // Jump to an entry; clear what is next.
    app.jump(now[2].entry_id);
    playing(&window, extra).await;
    let view = app.queue_view();
    assert_eq!(view.current, Some(2));
    assert_eq!(view.now_playing.unwrap().entry_id, now[2].entry_id);
    app.clear_queue();
    settled(&app, &window, 0.4).await;
    assert_eq!(
        tracks_of(&entries(&app)),
        [t1, t4, extra],
        "played and playing stay"
    );
    assert_eq!(app.queue_view().plays_next, None);

    // Repeat all: the first entry plays after the last.
    app.set_repeat(RepeatMode::All);
    settled(&app, &window, 0.3).await;
    assert_eq!(app.queue_view().plays_next.unwrap().track_id, *t1);
    app.set_repeat(RepeatMode::One);
    settled(&app, &window, 0.2).await;
    assert_eq!(app.queue_view().plays_next.unwrap().track_id, *extra);

    // Without t1 library there is nowhere to save to; the words say so.
    let refused = app.save_queue_as_playlist("Mine").await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::NotSignedIn, "{refused:?}");
    let nothing = app.add_to_queue(Vec::new()).await.unwrap_err();
    assert_eq!(nothing.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn ticks_cost_the_same_with_a_queue_of_10_and_of_10_000() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (app, window) = signed_in(&cloud, None).await;
    let ids = catalog(&app).await;
    let queue_of = |n: usize| -> Vec<String> { ids.iter().cycle().take(n).cloned().collect() };

    let mut per_tick = Vec::new();
    for (length, volume) in [(10, 0.9), (10_000, 0.8)] {
        app.play_queue(queue_of(length), 0).await.unwrap();
        // The new queue is in place (its start reported) before waiting for it to play.
        settled(&app, &window, volume).await;
        playing(&window, &ids[0]).await;
        let view = app.queue_view();
        assert_eq!(view.length as usize, length);
        // What a change of a 10,000-entry queue sends: a window, not the queue.
        let window_bytes = serde_json::to_vec(&view).unwrap().len();
        assert!(window_bytes < 64 * 1024, "{window_bytes} bytes");
        let mark = window.mark();
        // Eight position ticks of steady playback (a size check: the count, not the time).
        let sent = eventually("eight position ticks", || async {
            let sent = window.since(mark);
            let ticks = sent
                .iter()
                .filter(|s| matches!(s, Sent::Status(s, _) if s.state == PlaybackState::Playing))
                .count();
            (ticks >= 8).then_some(sent)
        })
        .await;
        let mut status_bytes = 0;
        let mut ticks = 0;
        for event in &sent {
            match event {
                Sent::Status(_, bytes) => {
                    status_bytes += bytes;
                    ticks += 1;
                }
                Sent::Queue(view) => {
                    panic!("the queue was sent while nothing changed: {view:?}")
                }
            }
        }
        per_tick.push(status_bytes / ticks);
        if length == 10_000 {
            let whole: usize = entries(&app)
                .iter()
                .map(|e| serde_json::to_vec(e).unwrap().len() + 1)
                .sum();
            println!(
                "queue of {length}: {} bytes per tick; a change sends {window_bytes} bytes; \
                 the whole queue would be {whole} bytes",
                per_tick[1]
            );
        }
    }
    println!(
        "bytes per tick: queue of 10: {}, of 10,000: {}",
        per_tick[0], per_tick[1]
    );
    let (small, large) = (per_tick[0], per_tick[1]);
    assert!(
        large.abs_diff(small) * 20 <= small,
        "a tick with 10,000 queued costs {large} bytes, with 10 {small}"
    );
}

#[tokio::test]
async fn edits_shuffle_and_repeat_survive_a_restart_and_save_as_a_playlist() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let before;
    let ids;
    {
        let (app, window) = signed_in(&cloud, Some(dir.path())).await;
        ids = catalog(&app).await;
        app.play_queue(ids[..4].to_vec(), 0).await.unwrap();
        playing(&window, &ids[0]).await;
        app.add_to_queue(vec![ids[0].clone()]).await.unwrap();
        app.set_repeat(RepeatMode::All);
        app.pause();
        settled(&app, &window, 0.9).await;
        before = entries(&app);
        assert_eq!(before.len(), 5);
        assert!(before[1].queued && !before[2].queued);
        // Saved off the player thread.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let (app, window) = signed_in(&cloud, Some(dir.path())).await;
    eventually("the queue to come back", || async {
        (app.queue_view().length == 5).then_some(())
    })
    .await;
    assert_eq!(
        identities(&entries(&app)),
        identities(&before),
        "the same entries, ids and marks"
    );
    assert_eq!(app.queue_view().current, Some(0));
    eventually("repeat to come back", || async {
        (app.player_status().repeat == RepeatMode::All).then_some(())
    })
    .await;

    // Edits work on the restored queue before it plays; new entries get new ids.
    app.play_next(vec![ids[5].clone()]).await.unwrap();
    settled(&app, &window, 0.8).await;
    let now = entries(&app);
    assert_eq!(now.len(), 6);
    assert_eq!(now[1].track_id, ids[5]);
    assert!(before.iter().all(|e| e.entry_id != now[1].entry_id));
    assert_eq!(app.player_status().state, PlaybackState::Paused);

    let saved = app.save_queue_as_playlist("From the queue").await.unwrap();
    assert_eq!(saved.name, "From the queue");
    assert_eq!(saved.item_count, 6);
    let items: Vec<String> = app
        .playlist(&saved.id)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.track_id)
        .collect();
    assert_eq!(
        items.iter().map(String::as_str).collect::<Vec<_>>(),
        tracks_of(&now)
    );

    // Resumed, it plays the current entry.
    app.resume();
    playing(&window, &ids[0]).await;
}

#[tokio::test]
async fn quitting_while_playing_keeps_the_place_to_the_second() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let ids;
    {
        let (app, window) = signed_in(&cloud, Some(dir.path())).await;
        ids = catalog(&app).await;
        app.play_queue(ids[..3].to_vec(), 1).await.unwrap();
        playing(&window, &ids[1]).await;
        // Moved within the keeper's interval of periodic saves: only the quit can write it.
        app.seek(7_000);
        eventually("the seek to land", || async {
            window
                .last_status()
                .is_some_and(|s| s.position_ms >= 7_000 && s.state == PlaybackState::Playing)
                .then_some(())
        })
        .await;
        app.prepare_to_quit(Duration::from_secs(10)).await;
        assert_eq!(app.player_status().state, PlaybackState::Paused);
    }

    let (app, _window) = signed_in(&cloud, Some(dir.path())).await;
    let status = eventually("the queue to come back", || async {
        let status = app.player_status();
        status.track.is_some().then_some(status)
    })
    .await;
    assert_eq!(status.track.map(|t| t.id), Some(ids[1].clone()));
    assert_eq!(status.state, PlaybackState::Paused);
    assert!(
        (7_000..8_500).contains(&status.position_ms),
        "resumes at {} ms",
        status.position_ms
    );
}
