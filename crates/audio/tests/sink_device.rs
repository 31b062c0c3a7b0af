//! The real output, on whatever this machine has. Without a sound card (CI, containers) the
//! answers must be clean errors in words, never a panic; with one, the device must report a
//! rate the engine can resample to.

use strato_audio::{DeviceSink, Sink, SinkError, output_devices};

#[test]
fn listing_devices_does_not_panic() {
    match output_devices() {
        Ok(devices) => {
            assert!(devices.iter().filter(|d| d.is_default).count() <= 1);
            for d in &devices {
                assert!(!d.name.is_empty());
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

#[test]
fn an_unknown_device_is_no_device_in_words() {
    let error = DeviceSink::open(Some("strato test: no such device")).unwrap_err();
    assert!(matches!(error, SinkError::NoDevice(_)), "{error:?}");
    let words = error.to_string();
    assert!(words.contains("no such device"), "{words}");
}

#[test]
fn default_device_opens_or_says_why() {
    match DeviceSink::open(None) {
        Ok(sink) => {
            assert!(sink.preferred_rate().is_some_and(|r| r > 0));
            assert!(!sink.is_lost());
        }
        Err(error) => {
            assert!(matches!(error, SinkError::NoDevice(_)), "{error:?}");
            // "no audio output device could be opened: <device>: <what the OS said>"
            assert!(error.to_string().len() > "no audio output device".len());
        }
    }
}
