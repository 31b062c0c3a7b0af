//! Headphone correction profiles as `AutoEQ` publishes them (`ParametricEQ.txt`, the
//! Equalizer APO form):
//!
//! ```text
//! Preamp: -6.2 dB
//! Filter 1: ON LSC Fc 105 Hz Gain 5.5 dB Q 0.70
//! Filter 2: ON PK Fc 140 Hz Gain -3.8 dB Q 0.47
//! ```
//!
//! Read into parametric bands the listener sees and edits. Filter kinds: `PK` (peaking),
//! `LSC`/`LS` and `HSC`/`HS` (shelves), `LPQ`/`LP` and `HPQ`/`HP` (passes); a filter
//! without a `Q` gets 0.707, one given a bandwidth (`BW Oct 1.0`) the Q of that width.
//! `OFF` filters are kept, switched off. Comments (`#`) and blank lines are skipped;
//! anything else is refused with its line number and what was wrong, never guessed at.

use strato_model::ipc::{EQ_GAIN_LIMIT_DB, EqBand, FilterKind};

/// The most filters a profile may have (`AutoEQ`'s have ten; Equalizer APO's a few dozen).
pub const MAX_FILTERS: usize = 64;
/// The largest profile file read, in bytes.
pub const MAX_PROFILE_BYTES: usize = 64 * 1024;

/// A profile's pre-amp and bands.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The profile's `Preamp:`, in dB, when it has one.
    pub preamp_db: Option<f32>,
    pub bands: Vec<EqBand>,
}

/// Why a profile could not be read, in words for the listener.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("line {line}: {problem}")]
    Line { line: usize, problem: String },
    #[error("the file has no filters: is it an AutoEQ ParametricEQ.txt?")]
    NoFilters,
    #[error("the file has more than {MAX_FILTERS} filters")]
    TooManyFilters,
    #[error("the file is larger than a profile can be (64 KB)")]
    TooLarge,
}

/// Reads a `ParametricEQ.txt`.
///
/// # Errors
/// A line that is neither a comment, a pre-amp nor a filter, a filter of a kind the
/// equaliser does not have or with a value out of range, no filters, or too many.
pub fn parse(text: &str) -> Result<Profile, ProfileError> {
    if text.len() > MAX_PROFILE_BYTES {
        return Err(ProfileError::TooLarge);
    }
    let mut profile = Profile {
        preamp_db: None,
        bands: Vec::new(),
    };
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |problem: String| ProfileError::Line {
            line: index + 1,
            problem,
        };
        let (key, rest) = line
            .split_once(':')
            .ok_or_else(|| at(format!("\"{}\" is not a pre-amp or a filter", shown(line))))?;
        let key = key.trim();
        if key.eq_ignore_ascii_case("preamp") {
            profile.preamp_db = Some(read_preamp(rest).map_err(at)?);
        } else if key
            .get(..6)
            .is_some_and(|k| k.eq_ignore_ascii_case("filter"))
        {
            if profile.bands.len() == MAX_FILTERS {
                return Err(ProfileError::TooManyFilters);
            }
            profile.bands.push(read_filter(rest).map_err(at)?);
        } else {
            return Err(at(format!(
                "\"{}\" is not a pre-amp or a filter",
                shown(key)
            )));
        }
    }
    if profile.bands.is_empty() {
        return Err(ProfileError::NoFilters);
    }
    Ok(profile)
}

/// At most 40 characters of what was read, for an error.
fn shown(text: &str) -> String {
    text.chars().take(40).collect()
}

fn read_preamp(rest: &str) -> Result<f32, String> {
    let mut words = rest.split_whitespace();
    let value = words.next().ok_or("the pre-amp has no value")?;
    let db = number(value, "the pre-amp")?;
    match words.next() {
        None => {}
        Some(unit) if unit.eq_ignore_ascii_case("db") => {}
        Some(other) => return Err(format!("the pre-amp's unit \"{}\" is not dB", shown(other))),
    }
    if !(-30.0..=30.0).contains(&db) {
        return Err(format!("a pre-amp of {db} dB is out of range (-30 to 30)"));
    }
    Ok(db)
}

fn read_filter(rest: &str) -> Result<EqBand, String> {
    let mut words = rest.split_whitespace();
    let enabled = match words.next() {
        Some(on) if on.eq_ignore_ascii_case("on") => true,
        Some(off) if off.eq_ignore_ascii_case("off") => false,
        _ => return Err("a filter starts with ON or OFF".into()),
    };
    let kind_word = words.next().ok_or("the filter has no type")?;
    let kind = match kind_word.to_ascii_uppercase().as_str() {
        "PK" | "PEQ" => FilterKind::Peaking,
        "LSC" | "LS" => FilterKind::LowShelf,
        "HSC" | "HS" => FilterKind::HighShelf,
        "LPQ" | "LP" => FilterKind::LowPass,
        "HPQ" | "HP" => FilterKind::HighPass,
        other => {
            return Err(format!(
                "the filter type \"{}\" is not one the equaliser has (PK, LSC, HSC, LPQ, HPQ)",
                shown(other)
            ));
        }
    };
    let (mut frequency, mut gain, mut q) = (None, 0.0, std::f32::consts::FRAC_1_SQRT_2);
    while let Some(word) = words.next() {
        match word.to_ascii_lowercase().as_str() {
            "fc" => frequency = Some(next_number(&mut words, "the frequency")?),
            "gain" => gain = next_number(&mut words, "the gain")?,
            "q" => q = next_number(&mut words, "the Q")?,
            "bw" => {
                let unit = words.next().unwrap_or_default();
                if !unit.eq_ignore_ascii_case("oct") {
                    return Err("a bandwidth must be in octaves (BW Oct 1.0)".into());
                }
                let octaves = next_number(&mut words, "the bandwidth")?;
                if !(0.01..=10.0).contains(&octaves) {
                    return Err(format!("a bandwidth of {octaves} octaves is out of range"));
                }
                q = 2f32.powf(octaves / 2.0) / (2f32.powf(octaves) - 1.0);
            }
            "hz" | "db" => {}
            other => return Err(format!("\"{}\" is not part of a filter", shown(other))),
        }
    }
    let frequency_hz = frequency.ok_or("the filter has no frequency (Fc)")?;
    if !(1.0..=40_000.0).contains(&frequency_hz) {
        return Err(format!("a frequency of {frequency_hz} Hz is out of range"));
    }
    if gain.abs() > EQ_GAIN_LIMIT_DB {
        return Err(format!(
            "a gain of {gain} dB is out of range (-{EQ_GAIN_LIMIT_DB} to {EQ_GAIN_LIMIT_DB})"
        ));
    }
    if !(0.05..=50.0).contains(&q) {
        return Err(format!("a Q of {q} is out of range (0.05 to 50)"));
    }
    Ok(EqBand {
        kind,
        frequency_hz,
        gain_db: gain,
        q,
        enabled,
    })
}

fn next_number<'a>(words: &mut impl Iterator<Item = &'a str>, what: &str) -> Result<f32, String> {
    number(words.next().ok_or(format!("{what} has no value"))?, what)
}

fn number(word: &str, what: &str) -> Result<f32, String> {
    word.parse::<f32>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{what} \"{}\" is not a number", shown(word)))
}

#[cfg(test)]
mod tests;
