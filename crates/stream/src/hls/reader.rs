//! The decoder's end of the forward buffer: a blocking byte reader over a bounded queue of
//! segments that a loader task fills.

use std::io::Read;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::lock;
use crate::StreamError;

/// What the loader puts in the queue.
#[derive(Debug)]
pub(crate) enum Item {
    /// Decoder input: one segment's audio, or an init section.
    Data(Arc<Vec<u8>>),
    /// The decoder must start afresh here, probing with this hint.
    NewRun(&'static str),
    /// The track cannot go on.
    Failed(StreamError),
}

type SharedReceiver = Arc<Mutex<mpsc::Receiver<Item>>>;

/// The queue of one loader, handed out as one reader per run.
#[derive(Debug)]
pub(crate) struct RunSource {
    queue: SharedReceiver,
    /// Set by a reader that stopped at a run boundary: the next run's hint.
    boundary: Arc<Mutex<Option<&'static str>>>,
}

impl RunSource {
    pub(crate) fn new(capacity: usize) -> (Self, mpsc::Sender<Item>) {
        let (tx, rx) = mpsc::channel(capacity);
        (
            Self {
                queue: Arc::new(Mutex::new(rx)),
                boundary: Arc::new(Mutex::new(None)),
            },
            tx,
        )
    }

    pub(crate) fn first_reader(&self) -> SegmentReader {
        SegmentReader {
            queue: Arc::clone(&self.queue),
            boundary: Arc::clone(&self.boundary),
            current: Arc::new(Vec::new()),
            pos: 0,
            done: false,
        }
    }

    /// A reader for the run after the boundary the last reader stopped at, if it did.
    pub(crate) fn next_run(&self) -> Option<(SegmentReader, &'static str)> {
        let hint = lock(&self.boundary).take()?;
        Some((self.first_reader(), hint))
    }
}

/// Decoder input of one run. `read` blocks until the loader has fetched the next segment;
/// it returns end-of-file at the run's end, or when the track's fetching was stopped.
#[derive(Debug)]
pub struct SegmentReader {
    queue: SharedReceiver,
    boundary: Arc<Mutex<Option<&'static str>>>,
    current: Arc<Vec<u8>>,
    pos: usize,
    done: bool,
}

impl Read for SegmentReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.pos < self.current.len() {
                let n = buf.len().min(self.current.len() - self.pos);
                buf[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            let item = lock(&self.queue).blocking_recv();
            match item {
                Some(Item::Data(bytes)) => {
                    self.current = bytes;
                    self.pos = 0;
                }
                Some(Item::NewRun(hint)) => {
                    *lock(&self.boundary) = Some(hint);
                    self.done = true;
                }
                Some(Item::Failed(err)) => {
                    self.done = true;
                    // The kind survives as the io error's kind (see `From<StreamError>`).
                    return Err(err.into());
                }
                None => self.done = true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_segments_and_stops_at_a_boundary() {
        let (source, tx) = RunSource::new(8);
        tx.try_send(Item::Data(Arc::new(b"abc".to_vec()))).unwrap();
        tx.try_send(Item::Data(Arc::new(b"de".to_vec()))).unwrap();
        tx.try_send(Item::NewRun("mp4")).unwrap();
        tx.try_send(Item::Data(Arc::new(b"xyz".to_vec()))).unwrap();
        drop(tx);
        let mut first = source.first_reader();
        let mut all = Vec::new();
        first.read_to_end(&mut all).unwrap();
        assert_eq!(all, b"abcde");
        let (mut second, hint) = source.next_run().expect("a second run");
        assert_eq!(hint, "mp4");
        all.clear();
        second.read_to_end(&mut all).unwrap();
        assert_eq!(all, b"xyz");
        assert!(source.next_run().is_none());
    }

    #[test]
    fn a_failure_is_an_error_naming_it() {
        let (source, tx) = RunSource::new(2);
        tx.try_send(Item::Failed(StreamError::Unsupported("HE-AAC".into())))
            .unwrap();
        let err = source.first_reader().read(&mut [0; 4]).unwrap_err();
        assert!(err.to_string().contains("HE-AAC"), "{err}");
        assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
    }
}
