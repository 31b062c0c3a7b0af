//! The listener's choices across a restart of the app: the settings file on disk, the
//! volume and mute, the output device (null devices), and the environment's overrides.

mod engine_support;

use std::sync::Arc;
use std::time::Duration;

use engine_support::Recorder;
use strato_audio::NullDevices;
use strato_core::{App, AppSettings, AudioOutput, DeviceListHandle};
use strato_model::ipc::{OutputStatus, RepeatMode, SettingKey, ThemeChoice};

fn settings_in(dir: &std::path::Path, devices: &NullDevices) -> AppSettings {
    let mut settings = AppSettings::new(
        "http://127.0.0.1:9",
        AudioOutput::Devices(DeviceListHandle(Arc::new(devices.clone()))),
    );
    settings.config_dir = Some(dir.to_owned());
    settings
}

async fn volume_becomes(events: &Recorder, volume: f32) {
    events
        .wait_until(
            &format!("the volume {volume}"),
            Duration::from_secs(5),
            |s| (s.volume - volume).abs() < 1e-6,
        )
        .await;
}

#[tokio::test]
async fn volume_mute_device_and_theme_are_kept_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let devices = NullDevices::new(&["Speakers", "USB DAC"]);
    {
        let events = Arc::new(Recorder::default());
        let app = App::start(settings_in(dir.path(), &devices), events.clone()).unwrap();
        app.set_volume(0.4);
        app.set_muted(true);
        app.set_shuffle(true);
        app.set_repeat(RepeatMode::All);
        volume_becomes(&events, 0.0).await;
        let mut chosen = app.settings().settings;
        chosen.output.device = Some("USB DAC".into());
        chosen.appearance.theme = ThemeChoice::Light;
        app.update_settings(chosen).unwrap();
        events
            .wait_until("the chosen device", Duration::from_secs(5), |s| {
                s.output
                    == OutputStatus::Available {
                        device: "USB DAC".into(),
                    }
            })
            .await;
    }

    let events = Arc::new(Recorder::default());
    let app = App::start(settings_in(dir.path(), &devices), events.clone()).unwrap();
    let view = app.settings();
    assert!(view.settings.playback.muted);
    assert!(view.settings.playback.shuffle);
    assert_eq!(view.settings.playback.repeat, RepeatMode::All);
    events
        .wait_until("shuffle and repeat as left", Duration::from_secs(5), |s| {
            s.shuffle && s.repeat == RepeatMode::All
        })
        .await;
    assert_eq!(view.settings.output.device.as_deref(), Some("USB DAC"));
    assert_eq!(view.settings.appearance.theme, ThemeChoice::Light);
    assert_eq!(
        view.file.as_deref(),
        Some(dir.path().join("settings.json").to_str().unwrap())
    );
    events
        .wait_until("the kept device to open", Duration::from_secs(5), |s| {
            s.output
                == OutputStatus::Available {
                    device: "USB DAC".into(),
                }
        })
        .await;
    volume_becomes(&events, 0.0).await;
    app.set_muted(false);
    volume_becomes(&events, 0.4).await;
}

#[tokio::test]
async fn a_device_named_by_the_environment_wins_and_the_screen_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let devices = NullDevices::new(&["Speakers", "USB DAC"]);
    std::fs::write(
        dir.path().join("settings.json"),
        r#"{"version": 1, "output": {"device": "USB DAC"}}"#,
    )
    .unwrap();
    let mut settings = settings_in(dir.path(), &devices);
    // As `STRATO_AUDIO_DEVICE=Speakers` makes them.
    settings.audio_device = Some("Speakers".into());
    settings.overridden = vec![SettingKey::OutputDevice];
    let events = Arc::new(Recorder::default());
    let app = App::start(settings, events.clone()).unwrap();
    events
        .wait_until(
            "the device the environment names",
            Duration::from_secs(5),
            |s| {
                s.output
                    == OutputStatus::Available {
                        device: "Speakers".into(),
                    }
            },
        )
        .await;
    let view = app.settings();
    assert_eq!(view.overridden, [SettingKey::OutputDevice]);
    assert_eq!(
        view.settings.output.device.as_deref(),
        Some("USB DAC"),
        "the listener's own choice is kept for when the environment no longer names one"
    );
}

/// The Settings screen sends back the whole settings it read; a volume changed in the
/// player bar since then is not taken back by it.
#[tokio::test]
async fn saving_the_screen_s_settings_keeps_a_volume_set_since_it_read_them() {
    let dir = tempfile::tempdir().unwrap();
    let devices = NullDevices::new(&["Speakers"]);
    let events = Arc::new(Recorder::default());
    let app = App::start(settings_in(dir.path(), &devices), events.clone()).unwrap();
    let read_by_the_screen = app.settings().settings;
    app.set_volume(0.3);
    volume_becomes(&events, 0.3).await;
    let mut chosen = read_by_the_screen;
    chosen.appearance.compact_rows = true;
    let view = app.update_settings(chosen).unwrap();
    assert!(
        (view.settings.playback.volume - 0.3).abs() < 1e-6,
        "{view:?}"
    );
    assert!(view.settings.appearance.compact_rows);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        (events.last().unwrap().volume - 0.3).abs() < 1e-6,
        "the player's volume went back to the screen's"
    );
}
