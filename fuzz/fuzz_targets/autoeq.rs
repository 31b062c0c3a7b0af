//! A headphone profile file the listener picked (`AutoEQ`'s `ParametricEQ.txt`): read or
//! refused, never a panic, and what is read stays within what the equaliser can play
//! (finite values in range, no more filters than allowed), so no design downstream sees a
//! NaN or an absurd Q.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strato_dsp::autoeq::{MAX_FILTERS, parse};
use strato_model::ipc::EQ_GAIN_LIMIT_DB;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(profile) = parse(&text) {
        assert!(!profile.bands.is_empty() && profile.bands.len() <= MAX_FILTERS);
        if let Some(preamp) = profile.preamp_db {
            assert!(preamp.is_finite() && preamp.abs() <= 30.0);
        }
        for band in &profile.bands {
            assert!((1.0..=40_000.0).contains(&band.frequency_hz));
            assert!(band.gain_db.is_finite() && band.gain_db.abs() <= EQ_GAIN_LIMIT_DB);
            assert!((0.05..=50.0).contains(&band.q));
        }
    }
});
