#![allow(clippy::float_cmp, reason = "gains of exactly 0 and 1 are the point")]

use super::*;

fn source(channels: u16) -> (rtrb::Producer<f32>, RingSource, Arc<StreamShared>) {
    let (producer, consumer) = rtrb::RingBuffer::new(64);
    let shared = Arc::new(StreamShared::default());
    let mut source = RingSource::new(
        consumer,
        Arc::clone(&shared),
        (
            NonZero::new(channels).unwrap(),
            NonZero::new(48_000).unwrap(),
        ),
        true,
    );
    // No fade: the tests of whole frames see every sample as it is.
    (source.level, source.fade_frames) = (1, 1);
    (producer, source, shared)
}

/// A stereo source at 48 kHz with its 10 ms fades, faded in or not, and a second
/// of a steady 0.5 queued.
fn fading(faded_in: bool) -> (rtrb::Producer<f32>, RingSource, Arc<StreamShared>) {
    let (mut producer, consumer) = rtrb::RingBuffer::new(96_000);
    producer.push_entire_slice(&vec![0.5; 96_000]).unwrap();
    let shared = Arc::new(StreamShared::default());
    let source = RingSource::new(
        consumer,
        Arc::clone(&shared),
        (NonZero::new(2).unwrap(), NonZero::new(48_000).unwrap()),
        faded_in,
    );
    (producer, source, shared)
}

fn frames(source: &mut RingSource, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| (source.next(), source.next()))
        .map(|(l, _)| l.unwrap())
        .collect()
}

#[test]
fn pause_fades_out_in_ten_milliseconds_and_resume_fades_back_in() {
    let (_producer, mut source, shared) = fading(true);
    assert!(
        frames(&mut source, 100).iter().all(|v| *v == 0.5),
        "untouched at full gain"
    );
    shared.paused.store(true, Ordering::Relaxed);
    let out = frames(&mut source, 600);
    // 480 frames down, evenly, never a step larger than one of the ramp.
    assert!(
        out.windows(2)
            .all(|w| (w[0] - w[1]).abs() <= 0.5 / 480.0 + 1e-6)
    );
    assert!(
        out[470] > 0.0 && out[480..].iter().all(|v| *v == 0.0),
        "{}",
        out[470]
    );
    let taken = shared.played_samples.load(Ordering::Relaxed);
    frames(&mut source, 100);
    assert_eq!(
        shared.played_samples.load(Ordering::Relaxed),
        taken,
        "paused takes nothing"
    );
    shared.paused.store(false, Ordering::Relaxed);
    let out = frames(&mut source, 600);
    assert!(
        out.windows(2)
            .all(|w| (w[0] - w[1]).abs() <= 0.5 / 480.0 + 1e-6)
    );
    assert!(out[..470].iter().all(|v| *v < 0.5) && out[480..].iter().all(|v| *v == 0.5));
}

#[test]
fn a_cut_stream_fades_out_before_it_ends_and_a_new_one_fades_in() {
    let (_producer, mut source, shared) = fading(true);
    frames(&mut source, 10);
    shared.stopped.store(true, Ordering::Relaxed);
    let out: Vec<f32> = source.by_ref().collect();
    assert_eq!(out.len() / 2, 479, "ten milliseconds of fade, then the end");
    assert!(
        out.windows(2)
            .all(|w| (w[0] - w[1]).abs() <= 0.5 / 480.0 + 1e-6)
    );
    let (_producer, mut next, _) = fading(false);
    let out = frames(&mut next, 500);
    assert!(
        out[0] < 0.01 && out[..479].windows(2).all(|w| w[1] > w[0]),
        "{}",
        out[0]
    );
    assert_eq!(out[499], 0.5);
}

#[test]
fn a_stopped_stream_with_nothing_queued_ends_at_once() {
    let (_producer, mut source, shared) = source(2);
    shared.stopped.store(true, Ordering::Relaxed);
    assert_eq!(source.next(), None);
}

#[test]
fn underrun_and_pause_play_whole_frames_of_silence() {
    let (mut producer, mut source, shared) = source(2);
    // Half a frame queued is not played: the callback waits for the whole frame.
    producer.push(0.5).unwrap();
    assert_eq!(source.next(), Some(0.0));
    assert_eq!(source.next(), Some(0.0));
    producer.push(0.25).unwrap();
    assert_eq!(source.next(), Some(0.5));
    assert_eq!(source.next(), Some(0.25));
    assert_eq!(shared.played_samples.load(Ordering::Relaxed), 2);
    shared.paused.store(true, Ordering::Relaxed);
    producer.push_entire_slice(&[1.0, 1.0]).unwrap();
    assert_eq!((source.next(), source.next()), (Some(0.0), Some(0.0)));
    assert_eq!(shared.played_samples.load(Ordering::Relaxed), 2);
    shared.stopped.store(true, Ordering::Relaxed);
    assert_eq!(source.next(), None);
}

#[test]
fn heartbeat_advances_while_paused() {
    let (_producer, mut source, shared) = source(2);
    shared.paused.store(true, Ordering::Relaxed);
    for _ in 0..HEARTBEAT_SAMPLES * 3 {
        source.next();
    }
    assert_eq!(shared.heartbeat.load(Ordering::Relaxed), 3);
}

#[test]
fn a_silent_callback_is_a_stall_a_beating_one_is_not() {
    let start = Instant::now();
    let watch = StallWatch::new(start);
    assert!(!watch.stalled(0, start + Duration::from_secs(1)));
    assert!(watch.stalled(0, start + STALL_AFTER + Duration::from_secs(1)));
    // A beat resets the clock.
    let later = start + Duration::from_secs(10);
    assert!(!watch.stalled(1, later));
    assert!(!watch.stalled(1, later + Duration::from_secs(1)));
    assert!(watch.stalled(1, later + STALL_AFTER + Duration::from_secs(1)));
}

#[test]
fn a_stream_that_starts_empty_still_fades_in_when_its_music_comes() {
    // A seek over the network: the new stream's first callbacks find nothing to play.
    let (mut producer, consumer) = rtrb::RingBuffer::new(4_096);
    let shared = Arc::new(StreamShared::default());
    let mut source = RingSource::new(
        consumer,
        Arc::clone(&shared),
        (NonZero::new(2).unwrap(), NonZero::new(48_000).unwrap()),
        false,
    );
    assert!(frames(&mut source, 2_000).iter().all(|v| *v == 0.0));
    producer.push_entire_slice(&[0.5; 2_000]).unwrap();
    let out = frames(&mut source, 600);
    assert!(out[0] < 0.01, "the first frame at {} of 0.5", out[0]);
    assert!(out[..479].windows(2).all(|w| w[1] > w[0]));
    // Played out, then paused with nothing queued: it resumes from silence too.
    frames(&mut source, 400);
    shared.paused.store(true, Ordering::Relaxed);
    assert_eq!(frames(&mut source, 10), [0.0; 10]);
    producer.push_entire_slice(&[0.5; 200]).unwrap();
    shared.paused.store(false, Ordering::Relaxed);
    assert!(frames(&mut source, 1)[0] < 0.01);
}
