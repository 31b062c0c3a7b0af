//! Each output device's equaliser as the app keeps it: set, read back per device, kept
//! across a restart and by a Settings screen that read the settings before, and filled from
//! a headphone profile file (a damaged, a huge and a missing one refused in words).

use std::sync::Arc;

use strato_audio::NullDevices;
use strato_core::{App, AppSettings, AudioOutput, DeviceListHandle};
use strato_model::ipc::{EqMode, EqualizerSettings, ErrorKind, FilterKind};

mod engine_support;

use engine_support::Recorder;

fn settings_in(dir: &std::path::Path) -> AppSettings {
    let devices = NullDevices::new(&["Speakers", "USB DAC"]);
    let mut settings = AppSettings::new(
        "http://127.0.0.1:9",
        AudioOutput::Devices(DeviceListHandle(Arc::new(devices))),
    );
    settings.config_dir = Some(dir.to_owned());
    settings
}

fn bass_boost() -> EqualizerSettings {
    let mut settings = EqualizerSettings {
        enabled: true,
        ..EqualizerSettings::default()
    };
    settings.graphic_db[0] = 6.0;
    settings.graphic_db[1] = 4.0;
    settings
}

#[tokio::test]
async fn each_device_keeps_its_own_equaliser_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let app = App::start(settings_in(dir.path()), Arc::new(Recorder::default())).unwrap();
        // The Settings screen read the settings before the equaliser was set...
        let stale = app.settings().settings;
        let view = app.set_equalizer(Some("USB DAC".into()), bass_boost());
        assert_eq!(view.device.as_deref(), Some("USB DAC"));
        assert!(
            view.preamp_db < -6.0,
            "the two boosts add up: {}",
            view.preamp_db
        );
        // ...and saves something else: the equaliser stays.
        let mut chosen = stale;
        chosen.output.device = Some("USB DAC".into());
        app.update_settings(chosen).unwrap();
        assert_eq!(app.equalizer(Some("USB DAC".into())).settings, bass_boost());
        // The other device has its own, untouched.
        assert!(!app.equalizer(None).settings.enabled);
    }
    let app = App::start(settings_in(dir.path()), Arc::new(Recorder::default())).unwrap();
    assert_eq!(app.equalizer(Some("USB DAC".into())).settings, bass_boost());
    assert_eq!(
        app.equalizer(Some("Speakers".into())).settings,
        EqualizerSettings::default()
    );
}

#[tokio::test]
async fn values_out_of_range_are_held_at_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(settings_in(dir.path()), Arc::new(Recorder::default())).unwrap();
    let mut wild = bass_boost();
    wild.graphic_db = vec![90.0; 3];
    wild.preamp_db = Some(-100.0);
    let view = app.set_equalizer(None, wild);
    assert_eq!(view.settings.graphic_db.len(), 10);
    assert!((view.settings.graphic_db[0] - 24.0).abs() < f32::EPSILON);
    assert_eq!(view.settings.preamp_db, Some(-30.0));
    assert!((view.preamp_db + 30.0).abs() < 1e-3);
}

#[tokio::test]
async fn a_headphone_profile_becomes_the_parametric_equaliser() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(settings_in(dir.path()), Arc::new(Recorder::default())).unwrap();
    let profile = dir.path().join("Sennheiser HD 650 ParametricEQ.txt");
    std::fs::write(
        &profile,
        "Preamp: -6.3 dB\nFilter 1: ON LSC Fc 105 Hz Gain 6.3 dB Q 0.70\n\
         Filter 2: ON PK Fc 2000 Hz Gain -2.0 dB Q 1.20\n",
    )
    .unwrap();
    let view = app
        .import_equalizer_profile(Some("USB DAC".into()), &profile)
        .await
        .unwrap();
    let settings = &view.settings;
    assert!(settings.enabled);
    assert_eq!(settings.mode, EqMode::Parametric);
    assert_eq!(
        settings.profile.as_deref(),
        Some("Sennheiser HD 650 ParametricEQ")
    );
    assert_eq!(settings.bands.len(), 2);
    assert_eq!(settings.bands[0].kind, FilterKind::LowShelf);
    assert_eq!(settings.preamp_db, Some(-6.3));
    assert_eq!(app.equalizer(Some("USB DAC".into())).settings, *settings);
}

#[tokio::test]
async fn files_that_are_not_profiles_are_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(settings_in(dir.path()), Arc::new(Recorder::default())).unwrap();
    let damaged = dir.path().join("damaged.txt");
    std::fs::write(&damaged, "Preamp: -6 dB\nFilter 1: ON XX Fc 100 Hz\n").unwrap();
    let huge = dir.path().join("huge.txt");
    std::fs::write(&huge, "#".repeat(200_000)).unwrap();
    let cases = [
        (damaged, "line 2: the filter type \"XX\""),
        (huge, "too large to be a headphone profile"),
        (dir.path().join("missing.txt"), "could not be read"),
    ];
    for (path, words) in cases {
        let err = app.import_equalizer_profile(None, &path).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{err:?}");
        assert!(err.message.contains(words), "{}", err.message);
    }
    // Nothing was changed by the refusals.
    assert_eq!(app.equalizer(None).settings, EqualizerSettings::default());
}
