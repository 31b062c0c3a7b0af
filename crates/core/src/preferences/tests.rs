//! The settings file on a real disk: round trips, damaged and newer files, the saving task.

use std::path::Path;

use strato_model::ipc::{LoudnessTarget, QualityChoice, ThemeChoice};

use super::*;

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn choices_saved_are_read_back_whole_and_only_the_file_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let first = Preferences::load(Some(dir.path()), Vec::new());
    assert_eq!(first.current(), Settings::default());
    assert_eq!(first.view().notice, None);
    assert!(first.update(|s| {
        s.playback.volume = 0.4;
        s.playback.muted = true;
        s.appearance.theme = ThemeChoice::Dark;
        s.quality.streaming = QualityChoice::Low;
        s.quality.loudness_target = LoudnessTarget::Lufs23;
        s.output.device = Some("USB DAC".into());
        s.shortcuts.insert("next".into(), "Ctrl+N".into());
    }));
    assert!(
        !first.update(|s| s.playback.volume = 0.4),
        "no change, nothing to save"
    );
    first.flush();
    assert_eq!(
        files_in(dir.path()),
        ["settings.json"],
        "a temporary file was left"
    );

    let again = Preferences::load(Some(dir.path()), Vec::new());
    assert_eq!(again.current(), first.current());
    let text = std::fs::read_to_string(dir.path().join("settings.json")).unwrap();
    assert!(text.contains("\"version\": 1"), "{text}");
    assert!(text.contains("\"loudness_target\": \"lufs23\""), "{text}");
}

#[test]
fn a_file_without_the_newer_fields_reads_them_as_their_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("settings.json"),
        r#"{"version": 1, "playback": {"volume": 0.25}}"#,
    )
    .unwrap();
    let loaded = Preferences::load(Some(dir.path()), Vec::new()).current();
    assert!((loaded.playback.volume - 0.25).abs() < f32::EPSILON);
    assert!(!loaded.playback.muted);
    assert_eq!(loaded.appearance, Settings::default().appearance);
    // Written before there was a loudness target: the default, -14 LUFS.
    assert_eq!(loaded.quality.loudness_target, LoudnessTarget::Lufs14);
}

#[test]
fn a_damaged_file_is_kept_aside_and_the_defaults_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let damaged = "{\"version\": 1, \"playback\": {\"vol";
    std::fs::write(dir.path().join("settings.json"), damaged).unwrap();
    let preferences = Preferences::load(Some(dir.path()), Vec::new());
    assert_eq!(preferences.current(), Settings::default());
    let notice = preferences.view().notice.unwrap().message;
    assert!(
        notice.contains("damaged") && notice.contains("settings.json.damaged"),
        "{notice}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("settings.json.damaged")).unwrap(),
        damaged,
        "what was there is kept as it was"
    );
    preferences.update(|s| s.playback.volume = 0.5);
    preferences.flush();
    assert!(
        (Preferences::load(Some(dir.path()), Vec::new())
            .current()
            .playback
            .volume
            - 0.5)
            .abs()
            < f32::EPSILON
    );
}

#[test]
fn a_file_from_a_newer_strato_is_read_and_never_written_over() {
    let dir = tempfile::tempdir().unwrap();
    let newer = r#"{"version": 7, "playback": {"volume": 0.3}, "visualiser": "bars"}"#;
    std::fs::write(dir.path().join("settings.json"), newer).unwrap();
    let preferences = Preferences::load(Some(dir.path()), Vec::new());
    assert!((preferences.current().playback.volume - 0.3).abs() < f32::EPSILON);
    assert!(
        preferences
            .view()
            .notice
            .unwrap()
            .message
            .contains("newer Strato")
    );
    preferences.update(|s| s.playback.volume = 0.9);
    preferences.flush();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("settings.json")).unwrap(),
        newer
    );
}

#[test]
fn a_burst_of_changes_is_saved_by_the_task_without_a_flush() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let preferences = Preferences::load(Some(dir.path()), Vec::new());
    preferences.keep_saved(runtime.handle(), Box::new(|_| {}));
    for step in 1..=50_u8 {
        preferences.update(|s| s.playback.volume = f32::from(step) / 100.0);
    }
    let deadline = std::time::Instant::now() + SAVE_DELAY * 10;
    loop {
        let saved = Preferences::load(Some(dir.path()), Vec::new()).current();
        // 0.5, not the default of 1.0: a missing file does not pass.
        if (saved.playback.volume - 0.5).abs() < f32::EPSILON {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the last volume was not saved: {saved:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn without_a_folder_nothing_is_written_and_the_screen_is_told() {
    let preferences = Preferences::load(None, vec![SettingKey::DataDir]);
    preferences.update(|s| s.playback.volume = 0.1);
    preferences.flush();
    let view = preferences.view();
    assert_eq!(view.file, None);
    assert_eq!(view.overridden, [SettingKey::DataDir]);
}

#[test]
fn a_failed_save_is_told_with_words_and_so_is_the_next_that_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("strato");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let preferences = Preferences::load(Some(&config), Vec::new());
    let (told, heard) = std::sync::mpsc::channel();
    preferences.keep_saved(
        runtime.handle(),
        Box::new(move |view| told.send(view.notice.map(|n| n.message)).unwrap()),
    );
    // The folder the file goes in is a file now: no save can succeed, whoever runs this.
    std::fs::write(&config, b"in the way").unwrap();
    preferences.update(|s| s.playback.volume = 0.3);
    let notice = heard.recv_timeout(SAVE_DELAY * 20).unwrap().unwrap();
    assert!(notice.contains("could not be saved"), "{notice}");
    assert_eq!(
        preferences.view().notice.map(|n| n.message).as_deref(),
        Some(notice.as_str())
    );

    std::fs::remove_file(&config).unwrap();
    preferences.update(|s| s.playback.volume = 0.4);
    assert_eq!(heard.recv_timeout(SAVE_DELAY * 20).unwrap(), None);
    assert_eq!(preferences.view().notice, None);
    let saved = Preferences::load(Some(&config), Vec::new()).current();
    assert!((saved.playback.volume - 0.4).abs() < f32::EPSILON);
}
