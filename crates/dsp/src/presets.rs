//! The graphic equaliser's presets: gains in dB for the ten octave bands of
//! [`GRAPHIC_BANDS_HZ`](strato_model::ipc::GRAPHIC_BANDS_HZ), 31 Hz first. Gentle on purpose
//! (a few dB): the automatic pre-amp takes the largest boost back off the whole sound.

/// Every preset, by the name the UI translates (`eq_preset_<name>`).
pub const PRESETS: [(&str, [f32; 10]); 10] = [
    ("flat", [0.0; 10]),
    (
        "bass_boost",
        [6.0, 5.0, 3.5, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    ),
    (
        "treble_boost",
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.5, 3.0, 4.5, 5.5],
    ),
    (
        "loudness",
        [5.0, 3.5, 1.0, 0.0, -1.0, 0.0, -0.5, 1.5, 3.0, 3.5],
    ),
    (
        "rock",
        [4.0, 3.0, 1.5, -0.5, -1.5, -0.5, 1.0, 2.5, 3.0, 3.0],
    ),
    (
        "pop",
        [-1.0, 0.5, 2.0, 3.0, 3.0, 1.5, 0.0, -0.5, -0.5, -1.0],
    ),
    ("jazz", [3.0, 2.0, 1.0, 1.5, -1.0, -1.0, 0.0, 1.0, 2.0, 2.5]),
    (
        "classical",
        [3.0, 2.0, 1.0, 0.0, 0.0, 0.0, -1.0, -1.0, 1.0, 2.0],
    ),
    (
        "vocal",
        [-2.0, -1.5, -0.5, 1.0, 3.0, 3.5, 3.0, 1.5, 0.0, -1.0],
    ),
    (
        "electronic",
        [4.5, 4.0, 1.0, 0.0, -1.5, 1.0, 0.5, 1.0, 3.5, 4.0],
    ),
];

/// The gains of the preset called `name`.
#[must_use]
pub fn preset(name: &str) -> Option<[f32; 10]> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, g)| *g)
}
