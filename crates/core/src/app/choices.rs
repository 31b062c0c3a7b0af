//! The listener's choices ([`crate::preferences`]) as the app applies them, all at once: the
//! player takes the volume, mute, output device and `ReplayGain`; the quality, format and
//! buffer apply from the next track opened (the one playing goes on as it was); a new
//! storage limit applies to the library now. The data folder moves by its own command
//! ([`App::move_data_folder`]). The window's look is the shell's: it hears of each change
//! ([`crate::AppEvents`]).

use strato_model::ipc::{
    AppError, AppearanceSettings, OutputSettings, PlaybackSettings, SettingKey, Settings,
    SettingsView,
};

use super::{App, lock, sink_opener};
use crate::settings::AppSettings;
use crate::streaming::StreamChoices;

/// Unmuting a volume of zero goes back to half.
const UNMUTE_VOLUME: f32 = 0.5;

impl App {
    /// The choices, which of them the environment overrides, and where they are kept.
    #[must_use]
    pub fn settings(&self) -> SettingsView {
        self.preferences.view()
    }

    /// Takes the listener's `settings`, applying at once what can be; they are saved. The
    /// volume and mute are not taken from them: they belong to the player's controls
    /// ([`Self::set_volume`], [`Self::set_muted`]), which may have moved since the screen
    /// read the settings it sends back; nor are the equalisers (the Equaliser panel's,
    /// [`Self::set_equalizer`]).
    pub fn update_settings(&self, settings: Settings) -> Result<SettingsView, AppError> {
        let before = self.preferences.current();
        let mut settings = settings;
        settings.playback = before.playback;
        settings.sound = before.sound.clone();
        let scale = AppearanceSettings::TEXT_SCALE;
        settings.appearance.text_scale_percent = settings
            .appearance
            .text_scale_percent
            .clamp(*scale.start(), *scale.end());
        // The player's controls and the equalisers are taken from what is kept now, inside
        // the update: one changed since `before` was read is not undone.
        self.preferences.update(|s| {
            let (playback, sound) = (s.playback, std::mem::take(&mut s.sound));
            *s = settings.clone();
            (s.playback, s.sound) = (playback, sound);
        });
        let free = |key| !self.settings.overridden.contains(&key);
        if settings.output.device != before.output.device && free(SettingKey::OutputDevice) {
            self.player.set_output(sink_opener(
                self.settings.audio_output.clone(),
                settings.output.device.clone(),
            ));
        }
        if settings.output.device != before.output.device {
            // Each device has its own equaliser.
            self.player.set_equalizer(self.output_equalizer());
        }
        if settings.output.crossfade_seconds != before.output.crossfade_seconds {
            self.player
                .set_crossfade(crossfade_length(settings.output.crossfade_seconds));
        }
        if settings.output.match_source_rate != before.output.match_source_rate {
            self.player
                .set_match_source_rate(settings.output.match_source_rate);
        }
        if settings.device_name != before.device_name {
            self.devices.set_name(settings.device_name.as_deref());
        }
        let applied = self.applied_settings();
        let gain_changed = settings.quality.replay_gain != before.quality.replay_gain
            || settings.quality.preamp_db.to_bits() != before.quality.preamp_db.to_bits()
            || settings.quality.loudness_target != before.quality.loudness_target;
        if gain_changed && free(SettingKey::ReplayGain) {
            self.player.set_replay_gain(applied.replay_gain);
        }
        if settings.quality != before.quality {
            self.stream_choices.send_replace(StreamChoices {
                format: applied.stream_format,
                hls: applied.hls.clone(),
            });
        }
        let library = lock(&self.library).clone();
        if let Some(library) = &library {
            library.set_download_quality(applied.download_quality);
            if settings.share_playback_reports != before.share_playback_reports {
                library.set_reporting(settings.share_playback_reports);
            }
        }
        let quota_changed = settings.storage.quota_mb != before.storage.quota_mb;
        if let (Some(library), Some(runtime), true) = (library, &self.runtime, quota_changed) {
            let bytes = applied.storage_quota_bytes;
            runtime.spawn(async move {
                if let Err(error) = library.set_quota(bytes).await {
                    tracing::warn!(%error, "the new storage limit was not applied");
                }
            });
        }
        let view = self.settings();
        self.events.settings_changed(&view);
        Ok(view)
    }

    /// The settings in effect: the ones the app started with, the listener's choices over
    /// every one the environment has not fixed.
    pub(super) fn applied_settings(&self) -> AppSettings {
        let mut applied = self.settings.clone();
        applied.apply(&self.preferences.current(), false);
        applied
    }

    /// Volume from 0.0 (silent) to 1.0 (unchanged); kept across restarts. Setting one
    /// unmutes.
    pub fn set_volume(&self, volume: f32) {
        let volume = volume.clamp(0.0, 1.0);
        self.player.set_volume(volume);
        self.preferences.update(|s| {
            s.playback.volume = volume;
            s.playback.muted = false;
        });
    }

    /// Silences the sound, or brings back the volume it had; kept across restarts.
    pub fn set_muted(&self, muted: bool) {
        self.preferences.update(|s| {
            s.playback.muted = muted;
            if !muted && s.playback.volume <= 0.0 {
                s.playback.volume = UNMUTE_VOLUME;
            }
        });
        self.player
            .set_volume(heard_volume(self.preferences.current().playback));
    }
}

/// The player as the app starts: the gain, and the volume, shuffle and repeat as the
/// listener left them (a queue restored from the library later brings its own, saved with
/// the same).
pub(super) fn apply_to_player(
    player: &strato_audio::Player,
    settings: &AppSettings,
    choices: &Settings,
) {
    let playback = choices.playback;
    player.set_replay_gain(settings.replay_gain);
    player.set_equalizer(choices.sound.equalizer(settings.audio_device.as_deref()));
    player.set_match_source_rate(choices.output.match_source_rate);
    player.set_crossfade(crossfade_length(choices.output.crossfade_seconds));
    player.set_volume(heard_volume(playback));
    player.set_shuffle(playback.shuffle);
    player.set_repeat(super::play::engine_repeat(playback.repeat));
}

/// The overlap between tracks the listener chose, within what the player does.
fn crossfade_length(seconds: u8) -> std::time::Duration {
    std::time::Duration::from_secs(seconds.min(OutputSettings::MAX_CROSSFADE_SECONDS).into())
}

/// What the player plays at.
pub(super) fn heard_volume(playback: PlaybackSettings) -> f32 {
    if playback.muted {
        0.0
    } else {
        playback.volume.clamp(0.0, 1.0)
    }
}

/// The settings the app starts with: `settings`, with the listener's saved choices over
/// every one the environment has not fixed (none when this run keeps no settings file).
pub(super) fn with_choices(mut settings: AppSettings, choices: &Settings) -> AppSettings {
    if settings.config_dir.is_some() {
        settings.apply(choices, false);
    }
    settings
}
