//! Why no decoder took a source: it failed to be read, it is audio in a format Strato does
//! not play (or in one it plays, damaged), or it is not audio at all.
//!
//! symphonia's probe answers "no suitable format reader found" in all three cases (a read
//! error during the probe ends its search like the end of the stream does). [`Sniffer`]
//! wraps the source handed to the probe and keeps what tells them apart: the first read
//! error, and the first bytes. [`explain_refusal`] turns that into an error in words.

use std::io::{Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::{AudioError, MediaSource};

/// Bytes of the start kept to recognise what a source is.
const HEAD_LEN: usize = 64;

/// What a [`Sniffer`] saw.
#[derive(Debug, Default)]
pub(crate) struct Sniffed {
    head: Vec<u8>,
    /// The first read error, as the error it means.
    read_error: Option<AudioError>,
}

/// A media source that records its first bytes and its first read error.
pub(crate) struct Sniffer {
    inner: Box<dyn MediaSource>,
    pos: u64,
    seen: Arc<Mutex<Sniffed>>,
}

impl Sniffer {
    pub(crate) fn new(inner: Box<dyn MediaSource>) -> (Self, Arc<Mutex<Sniffed>>) {
        let seen = Arc::new(Mutex::new(Sniffed::default()));
        let sniffer = Self {
            inner,
            pos: 0,
            seen: Arc::clone(&seen),
        };
        (sniffer, seen)
    }
}

fn lock(seen: &Mutex<Sniffed>) -> MutexGuard<'_, Sniffed> {
    seen.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Read for Sniffer {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                let mut seen = lock(&self.seen);
                // Only a read continuing the start extends the head.
                if usize::try_from(self.pos).is_ok_and(|pos| pos == seen.head.len())
                    && seen.head.len() < HEAD_LEN
                {
                    let take = n.min(HEAD_LEN - seen.head.len());
                    seen.head.extend_from_slice(&buf[..take]);
                }
                self.pos += n as u64;
                Ok(n)
            }
            Err(err) => {
                let mut seen = lock(&self.seen);
                if seen.read_error.is_none() {
                    // The error itself goes to the reader; a copy with its kind and words
                    // stays here.
                    seen.read_error = Some(meaning_of(&err));
                }
                Err(err)
            }
        }
    }
}

impl Seek for Sniffer {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.pos = self.inner.seek(pos)?;
        Ok(self.pos)
    }
}

impl MediaSource for Sniffer {
    fn is_seekable(&self) -> bool {
        self.inner.is_seekable()
    }

    fn byte_len(&self) -> Option<u64> {
        self.inner.byte_len()
    }
}

/// What a read error means, from a copy of it (the error itself goes on to the reader).
fn meaning_of(err: &std::io::Error) -> AudioError {
    match err.get_ref() {
        Some(inner) => AudioError::from_io(std::io::Error::new(err.kind(), inner.to_string())),
        None => AudioError::Io(std::io::Error::new(err.kind(), err.to_string())),
    }
}

/// The error a read of the source failed with, once: after the probe, a format reader's
/// read error is the source's when this says so.
pub(crate) fn take_read_error(seen: &Mutex<Sniffed>) -> Option<AudioError> {
    lock(seen).read_error.take()
}

/// The error for a source no format reader took, given what its [`Sniffer`] saw and the
/// probe's own refusal.
pub(crate) fn explain_refusal(seen: &Mutex<Sniffed>, refusal: AudioError) -> AudioError {
    let mut seen = lock(seen);
    if let Some(err) = seen.read_error.take() {
        // The bytes never came: that is the cause, not their format.
        return err;
    }
    match recognise(&seen.head) {
        Recognised::Empty => AudioError::NotAudio("it is empty".into()),
        Recognised::DamagedAudio(name) => AudioError::Malformed(format!(
            "it starts as {name} audio does, but no {name} reader could read it"
        )),
        Recognised::OtherAudio(name) => AudioError::Unsupported(format!(
            "{name} audio; Strato plays MP3 (and MP1, MP2), AAC, M4A (AAC or ALAC), FLAC, WAV, \
             AIFF, Ogg Vorbis and Opus"
        )),
        Recognised::NotAudio(what) => AudioError::NotAudio(what.into()),
        Recognised::Unknown => refusal,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Recognised {
    Empty,
    /// A format Strato plays, that its reader refused: damaged.
    DamagedAudio(&'static str),
    /// Audio in a format Strato does not play.
    OtherAudio(&'static str),
    NotAudio(&'static str),
    Unknown,
}

fn recognise(head: &[u8]) -> Recognised {
    if head.is_empty() {
        return Recognised::Empty;
    }
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    // Formats Strato plays: if the probe refused one, it is damaged.
    let played: [(&[u8], usize, &[u8], &'static str); 5] = [
        (b"RIFF", 8, b"WAVE", "WAV"),
        (b"FORM", 8, b"AIFF", "AIFF"),
        (b"FORM", 8, b"AIFC", "AIFF"),
        (b"fLaC", 0, b"", "FLAC"),
        (b"OggS", 0, b"", "Ogg"),
    ];
    for (magic, offset, second, name) in played {
        if at(0, magic) && at(offset, second) {
            return Recognised::DamagedAudio(name);
        }
    }
    let audio: [(&[u8], usize, &[u8], &'static str); 5] = [
        (b"wvpk", 0, b"", "WavPack"),
        (b"MAC ", 0, b"", "Monkey's Audio"),
        (b"caff", 0, b"", "Core Audio (CAF)"),
        (b"#!AMR", 0, b"", "AMR"),
        (&[0x30, 0x26, 0xb2, 0x75], 0, b"", "Windows Media (WMA)"),
    ];
    for (magic, offset, second, name) in audio {
        if at(0, magic) && at(offset, second) {
            return Recognised::OtherAudio(name);
        }
    }
    let other: [(&[u8], &'static str); 7] = [
        (b"%PDF", "it is a PDF document"),
        (b"\x89PNG", "it is a PNG image"),
        (b"\xff\xd8\xff", "it is a JPEG image"),
        (b"GIF8", "it is a GIF image"),
        (b"PK\x03\x04", "it is a ZIP archive"),
        (b"#EXTM3U", "it is an M3U playlist"),
        (b"MThd", "it is a MIDI score, not recorded sound"),
    ];
    for (magic, what) in other {
        if at(0, magic) {
            return Recognised::NotAudio(what);
        }
    }
    // Text, judged on the head: an HTML error page from a server, a note, a JSON answer. The
    // head may end inside a multi-byte character; what comes before it decides.
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return Recognised::Unknown,
    };
    let looks_textual = text.chars().all(|c| !c.is_control() || c.is_whitespace());
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if looks_textual && !start.is_empty() {
        if start.starts_with('<') {
            return Recognised::NotAudio("it looks like a web page");
        }
        return Recognised::NotAudio("it is text");
    }
    Recognised::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_what_is_not_audio() {
        assert_eq!(recognise(b""), Recognised::Empty);
        assert_eq!(
            recognise(b"RIFF\x24\x08\0\0WAVEfmt "),
            Recognised::DamagedAudio("WAV")
        );
        assert_eq!(
            recognise(b"fLaC\0\0\0\x22"),
            Recognised::DamagedAudio("FLAC")
        );
        assert_eq!(
            recognise(b"wvpk\0\0\0\0"),
            Recognised::OtherAudio("WavPack")
        );
        assert_eq!(
            recognise(b"<!DOCTYPE html><html><body>404</body></html>"),
            Recognised::NotAudio("it looks like a web page")
        );
        assert_eq!(
            recognise(b"hello\nworld\n"),
            Recognised::NotAudio("it is text")
        );
        // Cut inside a two-byte character: still text.
        let cafe = "caf\u{e9}".as_bytes();
        assert_eq!(
            recognise(&cafe[..cafe.len() - 1]),
            Recognised::NotAudio("it is text")
        );
        // Whitespace alone says nothing.
        assert_eq!(recognise(b"  \n"), Recognised::Unknown);
        assert_eq!(
            recognise(b"\x89PNG\r\n\x1a\n\0\0"),
            Recognised::NotAudio("it is a PNG image")
        );
        // An MP3 frame header is neither.
        assert_eq!(
            recognise(&[0xff, 0xfb, 0x90, 0x64, 0, 0]),
            Recognised::Unknown
        );
    }

    #[test]
    fn a_read_error_is_the_cause() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "The server answered 404 Not Found for http://h/x.mp3.",
                ))
            }
        }
        impl Seek for Failing {
            fn seek(&mut self, _: SeekFrom) -> std::io::Result<u64> {
                Ok(0)
            }
        }
        impl MediaSource for Failing {
            fn is_seekable(&self) -> bool {
                false
            }
            fn byte_len(&self) -> Option<u64> {
                None
            }
        }
        let (mut sniffer, seen) = Sniffer::new(Box::new(Failing));
        assert!(sniffer.read(&mut [0; 8]).is_err());
        let err = explain_refusal(&seen, AudioError::Unsupported("no reader".into()));
        assert!(
            matches!(err, AudioError::NotFound(ref m) if m.contains("404")),
            "{err:?}"
        );
    }
}
