//! "Export diagnostics" (Settings › Privacy): one zip a listener can attach to a report, with
//! what a person helping them needs and nothing that would let anyone into their account:
//!
//! - `README.txt`: what is inside, and what was taken out;
//! - `versions.json`: Strato's version, the OS and the processor;
//! - `settings.json`: the listener's choices (they hold no secret; the data folder's path,
//!   which may name the OS account, is among them);
//! - `diagnostics.json` and `plays.json`: the Diagnostics screen's last day, and every play
//!   measured this month (track ids, waits, stalls, bitrate switches, errors in words, which
//!   may name a track, and the output device's name);
//! - `devices.json`: the listener's devices as this app last heard of them (their names and
//!   what each plays);
//! - `logs/`: the newest week of log files, each line passed through
//!   [`strato_cloud::redact::secrets`] (tokens, signed URLs and signed cookies), though the
//!   logs are written never to hold them: a second line of defence for a file that leaves
//!   this computer.
//!
//! The zip is written beside its destination and renamed into place, so a full disk or a
//! crash leaves no half-written file under the name chosen.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use strato_library::PlayMetrics;
use strato_model::ipc::{AppError, DevicesView, DiagnosticsView, ExportedDiagnostics, Settings};
use zip::write::SimpleFileOptions;

use crate::error::from_io;

/// Log files in the zip: the newest, a week of days.
const LOG_FILES: usize = 7;
/// The daily log files' prefix (`crate::logging`).
const LOG_PREFIX: &str = "strato.log";

/// What goes into the zip, gathered by the app before the (blocking) write.
pub(crate) struct ExportContents {
    pub settings: Settings,
    pub devices: DevicesView,
    /// `None`: nobody signed in, so no library to read.
    pub diagnostics: Option<DiagnosticsView>,
    pub plays: Vec<PlayMetrics>,
    /// `None`: this run writes no log file.
    pub log_dir: Option<PathBuf>,
    /// Unix seconds.
    pub made_at: i64,
}

/// A play as `plays.json` has it.
#[derive(Serialize)]
struct PlayRecord<'a> {
    track_id: &'a str,
    started_at: i64,
    first_audio_ms: Option<u32>,
    stalls: u32,
    stalled_ms: u32,
    bitrate_switches: u32,
    error_kind: Option<&'a str>,
    error: Option<&'a str>,
    output_device: Option<&'a str>,
}

#[derive(Serialize)]
struct Versions {
    strato: &'static str,
    os: &'static str,
    os_family: &'static str,
    arch: &'static str,
}

/// Writes the zip at `to`. Blocking: call off the async threads.
pub(crate) fn write(to: &Path, contents: &ExportContents) -> Result<ExportedDiagnostics, AppError> {
    let what = "save your diagnostics";
    let folder = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let file = tempfile::Builder::new()
        .prefix(".strato-diagnostics")
        .tempfile_in(folder)
        .map_err(|e| from_io(&e, what))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip_time(contents.made_at));
    let mut entries = 0_u32;
    let mut add = |name: &str, bytes: &[u8]| -> Result<(), AppError> {
        zip.start_file(name, options).map_err(|e| zip_error(&e))?;
        zip.write_all(bytes).map_err(|e| from_io(&e, what))?;
        entries += 1;
        Ok(())
    };
    add("README.txt", readme(contents).as_bytes())?;
    add("versions.json", &json(&versions())?)?;
    add("settings.json", &json(&contents.settings)?)?;
    add("devices.json", &json(&contents.devices)?)?;
    if let Some(diagnostics) = &contents.diagnostics {
        add("diagnostics.json", &json(diagnostics)?)?;
    }
    let plays: Vec<PlayRecord<'_>> = contents.plays.iter().map(play_record).collect();
    add("plays.json", &json(&plays)?)?;
    for log in newest_logs(contents.log_dir.as_deref()) {
        let Ok(bytes) = std::fs::read(&log) else {
            // Rotated away since it was listed: the others still go.
            continue;
        };
        let name = log
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        add(&format!("logs/{name}"), redacted_log(&bytes).as_bytes())?;
    }
    let file = zip.finish().map_err(|e| zip_error(&e))?;
    file.as_file().sync_all().map_err(|e| from_io(&e, what))?;
    let bytes = file
        .as_file()
        .metadata()
        .map_err(|e| from_io(&e, what))?
        .len();
    file.persist(to).map_err(|e| from_io(&e.error, what))?;
    tracing::info!(entries, bytes, "diagnostics exported");
    Ok(ExportedDiagnostics {
        path: to.display().to_string(),
        entries,
        bytes,
    })
}

/// Every line of a log file, with anything secret taken out.
fn redacted_log(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(&strato_cloud::redact::secrets(line));
        out.push('\n');
    }
    out
}

/// The newest [`LOG_FILES`] daily logs in `dir` (their names sort by date).
fn newest_logs(dir: Option<&Path>) -> Vec<PathBuf> {
    let Some(Ok(entries)) = dir.map(std::fs::read_dir) else {
        return Vec::new();
    };
    let mut logs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(LOG_PREFIX))
        })
        .collect();
    logs.sort();
    let skip = logs.len().saturating_sub(LOG_FILES);
    logs.split_off(skip)
}

fn play_record(play: &PlayMetrics) -> PlayRecord<'_> {
    PlayRecord {
        track_id: &play.track_id,
        started_at: play.started_at,
        first_audio_ms: play.first_audio_ms,
        stalls: play.stalls,
        stalled_ms: play.stalled_ms,
        bitrate_switches: play.bitrate_switches,
        error_kind: play.error.as_ref().map(|(kind, _)| kind.as_str()),
        error: play.error.as_ref().map(|(_, words)| words.as_str()),
        output_device: play.output_device.as_deref(),
    }
}

fn versions() -> Versions {
    Versions {
        strato: env!("CARGO_PKG_VERSION"),
        os: std::env::consts::OS,
        os_family: std::env::consts::FAMILY,
        arch: std::env::consts::ARCH,
    }
}

fn readme(contents: &ExportContents) -> String {
    let made = time::OffsetDateTime::from_unix_timestamp(contents.made_at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    format!(
        "Strato diagnostics, made {made} (UTC).\n\
         \n\
         versions.json     Strato's version, the operating system and the processor\n\
         settings.json     your settings\n\
         devices.json      your devices with Strato open, as this computer last heard\n\
         diagnostics.json  the last day of playback, hour by hour, and recent errors\n\
         plays.json        every play measured this month: the wait for the first audio,\n\
         \x20                 stalls, bitrate switches, the error it ended on\n\
         logs/             the newest week of Strato's logs\n\
         \n\
         Nothing here lets anyone into your account: there is no password, no token and no\n\
         signed link in these files. The logs are written without them, and every file was\n\
         checked again and anything of that shape replaced by [token] or REDACTED.\n\
         \n\
         It does hold what helps to understand a problem and is yours: the names of your\n\
         devices and output devices, the tracks played (by id; a track that failed by its\n\
         title, in the error's words) and the folder your music is kept in.\n{}",
        if contents.diagnostics.is_none() {
            "\nNobody was signed in, so there is no playback history in this file.\n"
        } else {
            ""
        }
    )
}

/// `value` as JSON, through the same redaction as the logs: an error's words quote what the
/// service or the CDN said, which should never hold a credential, but this file leaves the
/// computer.
fn json(value: &impl Serialize) -> Result<Vec<u8>, AppError> {
    serde_json::to_string_pretty(value)
        .map(|text| strato_cloud::redact::secrets(&text).into_bytes())
        .map_err(|e| {
            AppError::new(
                strato_model::ipc::ErrorKind::Internal,
                format!("diagnostics as JSON: {e}"),
            )
        })
}

fn zip_error(error: &zip::result::ZipError) -> AppError {
    match error {
        zip::result::ZipError::Io(io) => from_io(io, "save your diagnostics"),
        other => AppError::new(
            strato_model::ipc::ErrorKind::Internal,
            format!("writing the diagnostics zip: {other}"),
        ),
    }
}

/// A zip entry's time (zip keeps local date and time to two seconds; UTC is written).
fn zip_time(unix: i64) -> zip::DateTime {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return zip::DateTime::default();
    };
    zip::DateTime::from_date_and_time(
        u16::try_from(at.year()).unwrap_or(1980),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_week_of_logs_is_taken_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=9 {
            std::fs::write(dir.path().join(format!("{LOG_PREFIX}.2026-12-0{day}")), "x").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let names: Vec<String> = newest_logs(Some(dir.path()))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), LOG_FILES);
        assert_eq!(names[0], "strato.log.2026-12-03");
        assert_eq!(names[6], "strato.log.2026-12-09");
        assert!(newest_logs(None).is_empty());
    }

    #[test]
    fn a_log_line_leaves_without_its_secrets() {
        let jwt = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        let text = format!("a line\nGET /m.mp3?Signature=s1gn&Key-Pair-Id=K9 {jwt}\n");
        let clean = redacted_log(text.as_bytes());
        assert!(clean.starts_with("a line\n"));
        for secret in ["s1gn", "K9", jwt] {
            assert!(!clean.contains(secret), "{clean}");
        }
    }
}
