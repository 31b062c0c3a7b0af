use strato_model::ipc::FilterKind;

use super::*;

/// A profile as `AutoEQ` publishes them (the numbers of a real one's shape).
const PROFILE: &str = "Preamp: -6.6 dB
Filter 1: ON LSC Fc 105 Hz Gain 6.3 dB Q 0.70
Filter 2: ON PK Fc 160 Hz Gain -2.9 dB Q 0.49
Filter 3: ON PK Fc 1347 Hz Gain 1.6 dB Q 1.64
Filter 4: ON PK Fc 3040 Hz Gain -3.2 dB Q 2.67
Filter 5: ON PK Fc 5534 Hz Gain 3.9 dB Q 4.07
Filter 6: ON HSC Fc 10000 Hz Gain -3.3 dB Q 0.70
Filter 7: OFF PK Fc 19000 Hz Gain 0.5 dB Q 1.00
";

#[test]
fn reads_an_autoeq_profile() {
    let profile = parse(PROFILE).unwrap();
    assert_eq!(profile.preamp_db, Some(-6.6));
    assert_eq!(profile.bands.len(), 7);
    assert_eq!(
        profile.bands[0],
        EqBand {
            kind: FilterKind::LowShelf,
            frequency_hz: 105.0,
            gain_db: 6.3,
            q: 0.70,
            enabled: true,
        }
    );
    assert_eq!(profile.bands[5].kind, FilterKind::HighShelf);
    assert!((profile.bands[4].q - 4.07).abs() < 1e-6);
    assert!(
        !profile.bands[6].enabled,
        "an OFF filter is kept, switched off"
    );
}

#[test]
fn reads_older_and_equalizer_apo_forms() {
    let profile = parse(
        "\u{feff}# a comment\r\n\r\nfilter: on ls fc 80 hz gain 4 db\r\n\
         Filter 2: ON HP Fc 20 Hz\r\nFilter 3: ON PK Fc 1000 Hz Gain 2 dB BW Oct 1.0\r\n",
    )
    .unwrap();
    assert_eq!(profile.preamp_db, None);
    assert_eq!(profile.bands[0].kind, FilterKind::LowShelf);
    assert!((profile.bands[0].q - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
    assert_eq!(profile.bands[1].kind, FilterKind::HighPass);
    assert!((profile.bands[2].q - std::f32::consts::SQRT_2).abs() < 1e-5);
}

#[test]
fn refuses_what_it_cannot_read_saying_where_and_why() {
    let cases = [
        ("Preamp: -6 dB\n", "no filters"),
        (
            "Filter 1: ON BP Fc 100 Hz Q 1\n",
            "line 1: the filter type \"BP\"",
        ),
        (
            "Preamp: -6 dB\nFilter 1: ON PK Gain 3 dB\n",
            "line 2: the filter has no frequency",
        ),
        (
            "Filter 1: ON PK Fc 100 Hz Gain 99 dB Q 1\n",
            "line 1: a gain of 99 dB is out of range",
        ),
        (
            "Filter 1: ON PK Fc abc Hz Gain 1 dB Q 1\n",
            "line 1: the frequency \"abc\" is not a number",
        ),
        (
            "Filter 1: ON PK Fc 100 Hz Gain 1 dB Q\n",
            "line 1: the Q has no value",
        ),
        (
            "Filter 1: ON PK Fc 100 Hz Gain 1 dB Q 0\n",
            "line 1: a Q of 0 is out of range",
        ),
        (
            "Filter 1: MAYBE PK Fc 100\n",
            "line 1: a filter starts with ON or OFF",
        ),
        (
            "Filter 1: ON PK Fc NaN Hz Gain 1 dB Q 1\n",
            "is not a number",
        ),
        (
            "Preamp: loud\nFilter 1: ON PK Fc 100 Hz Gain 1 dB Q 1\n",
            "line 1: the pre-amp \"loud\"",
        ),
        (
            "Channel: L\nFilter 1: ON PK Fc 100 Hz Gain 1 dB Q 1\n",
            "line 1: \"Channel\" is not",
        ),
        (
            "just some words\n",
            "line 1: \"just some words\" is not a pre-amp",
        ),
        // A key whose sixth byte falls inside a character (found by the fuzzer).
        (
            "abcd\u{fffd}:x\n",
            "line 1: \"abcd\u{fffd}\" is not a pre-amp",
        ),
        (
            "Filter 1: ON PK Fc 100 Hz Gain 1 dB Q 1 Slope 12\n",
            "\"slope\" is not part of a filter",
        ),
    ];
    for (text, expected) in cases {
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains(expected), "{text:?}: {err}");
    }
    let many = "Filter: ON PK Fc 100 Hz Gain 1 dB Q 1\n".repeat(MAX_FILTERS + 1);
    assert_eq!(parse(&many), Err(ProfileError::TooManyFilters));
    assert_eq!(
        parse(&"#".repeat(MAX_PROFILE_BYTES + 1)),
        Err(ProfileError::TooLarge)
    );
}

/// Read or refused in words, never a panic, never more bands than there were filters.
fn read_or_refused(text: &str) {
    match parse(text) {
        Ok(profile) => assert!(profile.bands.len() <= 7, "{text:?}"),
        Err(err) => assert!(err.to_string().len() > 10, "{text:?}: {err}"),
    }
}

#[test]
fn cut_or_gapped_profiles_are_read_or_refused_in_words() {
    for end in 0..PROFILE.len() {
        read_or_refused(&PROFILE[..end]);
    }
    let words: Vec<&str> = PROFILE.split_whitespace().collect();
    for skip in 0..words.len() {
        let text: Vec<&str> = words
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, w)| *w)
            .collect();
        read_or_refused(&text.join(" "));
    }
}
