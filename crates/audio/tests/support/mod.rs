//! Playing files through the real player into a WAV file, for the tests that measure what
//! comes out.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use strato_audio::{
    AudioError, FileMedia, MediaOpener, Player, PlayerEvent, QueueItem, Sink, TrackMedia, WavSink,
};
use strato_model::ipc::{PlaybackState, SignalPath};

/// Opens queue items as the files of a folder, by name.
pub struct Files(pub PathBuf);

impl MediaOpener for Files {
    fn open(&self, item: &QueueItem) -> Result<Arc<dyn TrackMedia>, AudioError> {
        Ok(Arc::new(FileMedia::new(self.0.join(&item.id))))
    }
}

/// What a play left behind: the capture's format and samples, and the signal paths the
/// player reported.
pub struct Played {
    pub spec: hound::WavSpec,
    pub samples: Vec<f32>,
    pub signals: Vec<SignalPath>,
}

/// Plays `track` of `dir` into the WAV file `sink` writes (made with the capture's path,
/// `dir/<track>.captured.wav`), after `setup` has commanded the player.
pub fn play(
    dir: &Path,
    track: &str,
    sink: impl FnOnce(&Path) -> WavSink + Send + 'static,
    setup: impl FnOnce(&Player),
) -> Played {
    let item = QueueItem {
        id: track.into(),
        ..QueueItem::default()
    };
    play_queue(
        dir,
        &format!("{track}.captured.wav"),
        vec![item],
        sink,
        setup,
    )
}

/// Plays `items` (files of `dir`) in order into the WAV file `sink` writes at
/// `dir/<capture>`, after `setup` has commanded the player.
pub fn play_queue(
    dir: &Path,
    capture: &str,
    items: Vec<QueueItem>,
    sink: impl FnOnce(&Path) -> WavSink + Send + 'static,
    setup: impl FnOnce(&Player),
) -> Played {
    let capture = dir.join(capture);
    let path = capture.clone();
    let mut sink = Some(sink);
    let (events, ended) = mpsc::channel();
    let signals = Arc::new(Mutex::new(Vec::new()));
    let heard = Arc::clone(&signals);
    let player = Player::spawn(
        Box::new(move || {
            let make = sink.take().expect("the sink is opened once");
            Ok(Box::new(make(&path)) as Box<dyn Sink>)
        }),
        Arc::new(Files(dir.to_owned())),
        move |event| match event {
            PlayerEvent::State(state @ (PlaybackState::Ended | PlaybackState::Error)) => {
                let _ = events.send(state);
            }
            PlayerEvent::Signal(signal) => heard.lock().unwrap().push(signal),
            _ => {}
        },
    )
    .unwrap();
    setup(&player);
    player.set_queue(items, 0, Duration::ZERO);
    let state = ended.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(state, PlaybackState::Ended);
    drop(player);
    let mut reader = hound::WavReader::open(&capture).unwrap();
    let spec = reader.spec();
    let samples = reader.samples::<f32>().map(Result::unwrap).collect();
    let signals = signals.lock().unwrap().clone();
    Played {
        spec,
        samples,
        signals,
    }
}
