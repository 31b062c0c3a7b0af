//! Retention on real files of known sizes and dates, with a clock the test turns.

use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use time::{Date, Month};

use super::{CappedWriter, RetentionPolicy, daily_file, prune};

const PREFIX: &str = "strato.log";
const KB: u64 = 1024;

fn day(month: Month, d: u8) -> Date {
    Date::from_calendar_date(2025, month, d).unwrap()
}

fn make(dir: &Path, date: Date, bytes: u64) {
    let len = usize::try_from(bytes).unwrap();
    std::fs::write(daily_file(dir, PREFIX, date), vec![b'x'; len]).unwrap();
}

/// The daily files left, as (month day, size), oldest first; other files are listed by name.
fn left(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            format!(
                "{} {}",
                e.file_name().to_string_lossy(),
                e.metadata().unwrap().len()
            )
        })
        .collect();
    names.sort();
    names
}

const SMALL: RetentionPolicy = RetentionPolicy {
    keep_days: 14,
    max_total_bytes: 100 * KB,
    max_daily_bytes: 20 * KB,
};

#[test]
fn files_older_than_the_kept_days_are_removed_and_the_rest_stay() {
    let dir = tempfile::tempdir().unwrap();
    let today = day(Month::March, 20);
    make(dir.path(), day(Month::March, 5), KB); // 15 days before: gone
    make(dir.path(), day(Month::March, 6), KB); // 14 days before: kept
    make(dir.path(), day(Month::March, 19), KB);
    make(dir.path(), today, KB);
    std::fs::write(dir.path().join("notes.txt"), "not ours").unwrap();
    std::fs::write(dir.path().join("strato.log.garbage"), "not a date").unwrap();

    let pruned = prune(dir.path(), PREFIX, SMALL, today);

    assert_eq!(
        pruned.removed,
        [daily_file(dir.path(), PREFIX, day(Month::March, 5))]
    );
    assert_eq!(
        left(dir.path()),
        [
            "notes.txt 8",
            "strato.log.2025-03-06 1024",
            "strato.log.2025-03-19 1024",
            "strato.log.2025-03-20 1024",
            "strato.log.garbage 10",
        ]
    );
}

#[test]
fn the_oldest_files_go_until_the_earlier_days_fit_beside_a_full_today() {
    let dir = tempfile::tempdir().unwrap();
    let today = day(Month::March, 20);
    // 4 days of 30 KB: 120 KB, over the 100 - 20 = 80 KB the earlier days may hold.
    for d in 16..20 {
        make(dir.path(), day(Month::March, d), 30 * KB);
    }
    // Today's file is never pruned, even when it is large.
    make(dir.path(), today, 50 * KB);

    prune(dir.path(), PREFIX, SMALL, today);

    assert_eq!(
        left(dir.path()),
        [
            "strato.log.2025-03-18 30720",
            "strato.log.2025-03-19 30720",
            "strato.log.2025-03-20 51200",
        ]
    );
}

/// A clock the test moves forward.
fn clock_at(start: Date) -> (Arc<Mutex<Date>>, Box<dyn Fn() -> Date + Send>) {
    let now = Arc::new(Mutex::new(start));
    let read = Arc::clone(&now);
    (now, Box::new(move || *read.lock().unwrap()))
}

/// Writes `dir/strato.log.<the clock's day>`, reopening when the day changes, as the appender.
struct DailyFiles {
    dir: std::path::PathBuf,
    clock: Arc<Mutex<Date>>,
}

impl std::io::Write for DailyFiles {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let path = daily_file(&self.dir, PREFIX, *self.clock.lock().unwrap());
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?
            .write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_day_is_capped_and_the_folder_is_pruned_at_start_and_when_the_day_turns() {
    let dir = tempfile::tempdir().unwrap();
    let start = day(Month::March, 20);
    make(dir.path(), day(Month::March, 1), KB); // too old already
    make(dir.path(), day(Month::March, 6), KB); // too old from tomorrow on
    make(dir.path(), start, 15 * KB); // an earlier run today
    let (now, clock) = clock_at(start);
    let files = DailyFiles {
        dir: dir.path().to_owned(),
        clock: Arc::clone(&now),
    };

    let mut writer = CappedWriter::new(files, dir.path(), PREFIX, SMALL, clock);
    // Pruned at start.
    assert!(!daily_file(dir.path(), PREFIX, day(Month::March, 1)).exists());
    assert!(daily_file(dir.path(), PREFIX, day(Month::March, 6)).exists());

    // 15 KB were there; lines of 1 KB fit until the 20 KB cap, then one notice, then nothing.
    let line = [b'y'; 1024];
    for _ in 0..20 {
        assert_eq!(writer.write(&line).unwrap(), line.len());
    }
    let today_file = std::fs::read(daily_file(dir.path(), PREFIX, start)).unwrap();
    assert!(
        today_file.len() as u64 <= SMALL.max_daily_bytes,
        "{}",
        today_file.len()
    );
    assert!(
        today_file.len() as u64 > SMALL.max_daily_bytes - 2 * KB,
        "the day stopped early: {}",
        today_file.len()
    );
    let text = String::from_utf8_lossy(&today_file);
    assert_eq!(text.matches("reached its size limit").count(), 1);
    assert!(text.ends_with("until tomorrow --\n"), "the notice is last");

    // The next day: a new file, written in full, and the 14-day-old file pruned.
    let next = day(Month::March, 21);
    *now.lock().unwrap() = next;
    writer.write_all(&line).unwrap();
    assert_eq!(
        std::fs::read(daily_file(dir.path(), PREFIX, next)).unwrap(),
        line
    );
    assert!(!daily_file(dir.path(), PREFIX, day(Month::March, 6)).exists());
    assert!(daily_file(dir.path(), PREFIX, start).exists());
}
