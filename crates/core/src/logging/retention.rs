//! How much log the app keeps: the daily files of the last [`RetentionPolicy::keep_days`]
//! days, at most [`RetentionPolicy::max_total_bytes`] in all.
//!
//! tracing-appender names and rotates the daily files (`strato.log.YYYY-MM-DD`, UTC dates)
//! but can only cap their number; [`CappedWriter`] wraps it to add the rest: it prunes old
//! files when it starts and whenever the day turns, and caps the day's own file at
//! [`RetentionPolicy::max_daily_bytes`], so the folder never holds more than the total. Old
//! files are pruned down to `max_total_bytes - max_daily_bytes`, leaving room for today's.
//!
//! The wrapper runs on tracing-appender's writer thread, so pruning never blocks a caller.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use time::{Date, Month};

/// Limits on the log folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Files of days older than this many days before today are deleted.
    pub keep_days: u16,
    /// The most all the daily files together may hold.
    pub max_total_bytes: u64,
    /// The most one day's file may hold; lines past it are dropped until the next day.
    pub max_daily_bytes: u64,
}

impl RetentionPolicy {
    /// Two weeks, 50 MB in all, 10 MB a day: a fortnight of ordinary use, and room for the
    /// day something went wrong when a listener sends their logs.
    pub const DEFAULT: Self = Self {
        keep_days: 14,
        max_total_bytes: 50 * 1024 * 1024,
        max_daily_bytes: 10 * 1024 * 1024,
    };
}

/// What a prune removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pruned {
    pub removed: Vec<PathBuf>,
}

/// The daily file of `day` in `dir`, as tracing-appender names it.
#[must_use]
pub fn daily_file(dir: &Path, prefix: &str, day: Date) -> PathBuf {
    dir.join(format!(
        "{prefix}.{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    ))
}

/// The day in a daily file's name (`<prefix>.YYYY-MM-DD`); `None` for any other file.
fn day_of(file_name: &str, prefix: &str) -> Option<Date> {
    let date = file_name.strip_prefix(prefix)?.strip_prefix('.')?;
    let mut parts = date.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Deletes the daily files in `dir` that `policy` no longer keeps on `today`: those of days
/// more than `keep_days` before it, then the oldest of the rest until the days before
/// today hold at most `max_total_bytes - max_daily_bytes`. Today's file is never touched;
/// other files in the folder are not ours and stay.
pub fn prune(dir: &Path, prefix: &str, policy: RetentionPolicy, today: Date) -> Pruned {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Pruned::default();
    };
    let mut older: Vec<(Date, PathBuf, u64)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let meta = entry.metadata().ok().filter(std::fs::Metadata::is_file)?;
            let day = day_of(entry.file_name().to_str()?, prefix)?;
            (day < today).then(|| (day, entry.path(), meta.len()))
        })
        .collect();
    // Oldest first.
    older.sort();
    let budget = policy
        .max_total_bytes
        .saturating_sub(policy.max_daily_bytes);
    let first_kept = today.to_julian_day() - i32::from(policy.keep_days);
    let mut total: u64 = older.iter().map(|(_, _, len)| len).sum();
    let mut pruned = Pruned::default();
    for (day, path, len) in older {
        if day.to_julian_day() >= first_kept && total <= budget {
            break;
        }
        // A file that cannot be removed (open elsewhere on Windows) is tried again next time.
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
            pruned.removed.push(path);
        }
    }
    pruned
}

/// Today's date in UTC, as tracing-appender dates its files.
#[must_use]
pub fn utc_today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// A writer over the daily appender that keeps the folder within a [`RetentionPolicy`].
pub struct CappedWriter<W> {
    inner: W,
    dir: PathBuf,
    prefix: String,
    policy: RetentionPolicy,
    clock: Box<dyn Fn() -> Date + Send>,
    day: Date,
    written_today: u64,
    capped: bool,
}

impl<W> std::fmt::Debug for CappedWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CappedWriter")
            .field("dir", &self.dir)
            .field("policy", &self.policy)
            .field("day", &self.day)
            .field("written_today", &self.written_today)
            .finish_non_exhaustive()
    }
}

impl<W: Write> CappedWriter<W> {
    /// Wraps `inner`, which writes `dir/<prefix>.<today>`; prunes the folder now. `clock`
    /// says what day it is (UTC, as the appender's: [`utc_today`]).
    pub fn new(
        inner: W,
        dir: &Path,
        prefix: &str,
        policy: RetentionPolicy,
        clock: Box<dyn Fn() -> Date + Send>,
    ) -> Self {
        let today = clock();
        let mut writer = Self {
            inner,
            dir: dir.to_owned(),
            prefix: prefix.to_owned(),
            policy,
            clock,
            day: today,
            written_today: 0,
            capped: false,
        };
        writer.start_day(today);
        writer
    }

    /// Prunes for `today` and counts what its file already holds (an earlier run the same day).
    fn start_day(&mut self, today: Date) {
        self.day = today;
        prune(&self.dir, &self.prefix, self.policy, today);
        self.written_today =
            std::fs::metadata(daily_file(&self.dir, &self.prefix, today)).map_or(0, |m| m.len());
        self.capped = false;
    }
}

/// The line written once when a day's file reaches its cap.
const CAP_NOTICE: &[u8] =
    b"-- the log of this day reached its size limit; later lines are dropped until tomorrow --\n";

impl<W: Write> Write for CappedWriter<W> {
    /// Each call is one formatted event (tracing-appender's worker writes them whole), so a
    /// line past the cap is dropped entire, never cut.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let today = (self.clock)();
        if today != self.day {
            self.start_day(today);
        }
        let room = self
            .policy
            .max_daily_bytes
            .saturating_sub(self.written_today);
        if self.capped || buf.len() as u64 > room.saturating_sub(CAP_NOTICE.len() as u64) {
            if !self.capped {
                self.capped = true;
                self.inner.write_all(CAP_NOTICE)?;
                self.written_today += CAP_NOTICE.len() as u64;
            }
            // Reported as written: the caller can do nothing better with a dropped line.
            return Ok(buf.len());
        }
        let written = self.inner.write(buf)?;
        self.written_today += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
#[path = "retention_tests.rs"]
mod tests;
