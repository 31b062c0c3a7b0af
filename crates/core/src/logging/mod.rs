//! Logging for the front ends: a daily log file in the OS's log folder, and stderr.
//!
//! Nothing logged anywhere in the project carries a password, a token or a CDN signature:
//! those types redact their `Debug`, and URLs pass through `strato_cloud::redact`. Accounts
//! are named by `strato_cloud::redact::account_tag`, never by their username. The default
//! filter also keeps HTTP and AWS SDK internals (which can print request bodies) at `warn`.
//! The folder is kept to two weeks and 50 MB ([`retention`]).

pub mod retention;

use std::path::PathBuf;

use retention::{CappedWriter, RetentionPolicy};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The filter when `STRATO_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info,strato_core=debug,strato_cloud=debug,strato_audio=debug,aws_smithy_runtime=warn,aws_sdk_cognitoidentityprovider=warn,hyper=warn,reqwest=warn";

/// Keeps the log file's writer alive; drop it last.
#[must_use = "logging stops when the guard is dropped"]
pub struct LogGuard {
    _worker: tracing_appender::non_blocking::WorkerGuard,
    pub directory: PathBuf,
}

impl std::fmt::Debug for LogGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogGuard")
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

/// The daily files' names: `strato.log.YYYY-MM-DD`.
const FILE_PREFIX: &str = "strato.log";

/// Starts logging to `<log dir>/strato.log.<date>` and stderr, pruning the folder to
/// [`RetentionPolicy::DEFAULT`] now and as days turn. `STRATO_LOG` overrides the filter
/// (`RUST_LOG` syntax).
pub fn init() -> std::io::Result<LogGuard> {
    let directory = log_dir();
    std::fs::create_dir_all(&directory)?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .build(&directory)
        .map_err(std::io::Error::other)?;
    let capped = CappedWriter::new(
        appender,
        &directory,
        FILE_PREFIX,
        RetentionPolicy::DEFAULT,
        Box::new(retention::utc_today),
    );
    let (writer, worker) = tracing_appender::non_blocking(capped);
    let filter =
        EnvFilter::try_from_env("STRATO_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer),
        )
        .try_init()
        .map_err(std::io::Error::other)?;
    Ok(LogGuard {
        _worker: worker,
        directory,
    })
}

/// The OS's place for an application's logs.
#[must_use]
pub fn log_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STRATO_LOG_DIR") {
        return PathBuf::from(dir);
    }
    platform_log_dir().unwrap_or_else(|| std::env::temp_dir().join("strato-logs"))
}

#[cfg(target_os = "macos")]
fn platform_log_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().join("Library/Logs/Strato"))
}

#[cfg(target_os = "windows")]
fn platform_log_dir() -> Option<PathBuf> {
    // %LOCALAPPDATA%\Strato\logs, as the README says (ProjectDirs would add a "data" level).
    directories::BaseDirs::new().map(|d| d.data_local_dir().join("Strato").join("logs"))
}

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
fn platform_log_dir() -> Option<PathBuf> {
    // XDG puts logs under the state directory.
    let dirs = directories::ProjectDirs::from("dev", "Strato", "strato")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("logs"),
    )
}
