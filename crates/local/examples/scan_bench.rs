//! Scanning 10,000 local files, against the I/O floor measured in the same run.
//!
//! Six small real files are made by ffmpeg once (MP3, FLAC and ALAC with an embedded
//! 500×500 JPEG, Ogg Vorbis, Opus, WAV; three seconds of stereo), then copied into a tree of
//! artist and album folders (100 artists, 10 albums each, 10 tracks an album, one format an
//! album, a `cover.jpg` beside each album), and every copy's tags rewritten by lofty so no
//! two files say the same. Then, best of `--runs`:
//!
//! - the floor: a plain walk that stats every file and reads its first 64 KiB, one thread
//!   (what any scan must at least do: find the files and read their headers);
//! - lofty alone: every file's tags, properties and pictures read, one thread, nothing kept
//!   (what the scan adds to the floor before SQLite);
//! - a cold scan: a new index, every file read (`Scanner::scan_all`);
//! - a rescan with nothing changed.
//!
//! Peak memory is the process's `VmHWM`, reset before each pass (Linux; said unavailable
//! elsewhere). `--drop-caches` empties the page cache before each pass (Linux, as root), so
//! the disk is read, not memory.
//!
//! ```sh
//! scripts/bench local            # or: cargo run --profile perf -p strato-local --example scan_bench
//! scan_bench [--files 10000] [--runs 3] [--drop-caches] [--keep DIR]
//! ```

// Figures for a table: counts and sizes far below 2^52 become floats exactly enough.
#![allow(clippy::cast_precision_loss)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lofty::config::WriteOptions;
use lofty::file::TaggedFileExt;
use lofty::tag::{Accessor, ItemKey, Tag, TagExt};
use strato_local::{LocalIndex, ScanReport, Scanner};

/// The sources: extension, ffmpeg's codec arguments, and whether the cover goes inside.
const SOURCES: [(&str, &[&str], bool); 6] = [
    (
        "mp3",
        &["-c:a", "libmp3lame", "-b:a", "192k", "-id3v2_version", "3"],
        true,
    ),
    ("flac", &["-c:a", "flac"], true),
    ("m4a", &["-c:a", "alac"], true),
    ("ogg", &["-c:a", "libvorbis", "-q:a", "5"], false),
    ("opus", &["-c:a", "libopus", "-b:a", "128k"], false),
    ("wav", &["-c:a", "pcm_s16le"], false),
];

/// The floor's read of each file: enough for any format's headers.
const HEAD_BYTES: usize = 64 * 1024;

struct Options {
    files: usize,
    runs: usize,
    drop_caches: bool,
    keep: Option<PathBuf>,
}

fn main() {
    let options = options();
    let temporary = tempfile::tempdir().expect("a temporary folder");
    let work = options
        .keep
        .clone()
        .unwrap_or_else(|| temporary.path().to_owned());
    let music = work.join(format!("music-{}", options.files));
    let started = Instant::now();
    let bytes = generate(&work, &music, options.files);
    println!(
        "{} files, {:.0} MiB, generated in {:.1} s; {} cores; page cache {}",
        options.files,
        mib(bytes),
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        if options.drop_caches {
            "dropped before each pass"
        } else {
            "warm (the files were just written or read)"
        }
    );

    let mut floor = Pass::default();
    let mut lofty_alone = Pass::default();
    let mut cold = Pass::default();
    let mut again = Pass::default();
    let mut index_bytes = 0;
    for run in 0..options.runs {
        prepare(&options);
        floor.keep(measure(|| plain_walk(&music)));
        prepare(&options);
        lofty_alone.keep(measure(|| read_every_tag(&music)));
        let database = work.join(format!("local-files-{run}.sqlite3"));
        let mut index = LocalIndex::open(&database).expect("the index");
        index.add_folder(&music).expect("the folder");
        prepare(&options);
        let (report, pass) = measure_scan(&mut index);
        assert_eq!(report.read, options.files as u64, "{report:?}");
        assert_eq!(report.failed, 0, "{report:?}");
        cold.keep(pass);
        prepare(&options);
        let (report, pass) = measure_scan(&mut index);
        assert_eq!(report.unchanged, options.files as u64, "{report:?}");
        again.keep(pass);
        drop(index);
        index_bytes = std::fs::metadata(&database).map_or(0, |m| m.len());
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
        }
    }
    print_table(
        options.files,
        &floor,
        &[(LOFTY_ALONE, &lofty_alone), (COLD, &cold), (AGAIN, &again)],
    );
    println!("index on disk after a scan: {:.1} MiB", mib(index_bytes));
}

fn options() -> Options {
    let mut options = Options {
        files: 10_000,
        runs: 3,
        drop_caches: false,
        keep: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--files" => options.files = value().parse().expect("--files N"),
            "--runs" => options.runs = value().parse::<usize>().expect("--runs N").max(1),
            "--keep" => options.keep = Some(PathBuf::from(value())),
            "--drop-caches" => options.drop_caches = true,
            other => panic!("unknown argument {other}"),
        }
    }
    options
}

/// The best time of a pass over its runs, its largest peak memory and the most that peak
/// rose above what the process held when the pass began (KiB).
#[derive(Default)]
struct Pass {
    best: Option<Duration>,
    peak_kib: Option<u64>,
    growth_kib: Option<u64>,
}

impl Pass {
    fn keep(&mut self, measured: Measured) {
        self.best = Some(
            self.best
                .map_or(measured.time, |best| best.min(measured.time)),
        );
        self.peak_kib = measured.peak_kib.max(self.peak_kib);
        let growth = measured
            .peak_kib
            .zip(measured.start_kib)
            .map(|(peak, start)| peak.saturating_sub(start));
        self.growth_kib = growth.max(self.growth_kib);
    }
}

#[derive(Clone, Copy)]
struct Measured {
    time: Duration,
    start_kib: Option<u64>,
    peak_kib: Option<u64>,
}

fn measure(pass: impl FnOnce()) -> Measured {
    reset_peak_memory();
    let start_kib = memory_kib("VmRSS:");
    let started = Instant::now();
    pass();
    Measured {
        time: started.elapsed(),
        start_kib,
        peak_kib: memory_kib("VmHWM:"),
    }
}

fn measure_scan(index: &mut LocalIndex) -> (ScanReport, Measured) {
    let mut report = ScanReport::default();
    let pass = measure(|| report = Scanner::new(index).scan_all().expect("the scan"));
    (report, pass)
}

const FLOOR: &str = "floor: walk, stat, first 64 KiB, one thread";
const LOFTY_ALONE: &str = "lofty alone: tags, properties, pictures, one thread";
const COLD: &str = "cold scan (new index)";
const AGAIN: &str = "rescan, nothing changed";

fn print_table(files: usize, floor: &Pass, passes: &[(&str, &Pass)]) {
    let floor_time = floor.best.unwrap_or_default();
    println!();
    println!("| pass | time | files/s | peak memory (VmHWM) | against the floor |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, pass) in std::iter::once(&(FLOOR, floor)).chain(passes) {
        let time = pass.best.unwrap_or_default();
        let memory = match (pass.peak_kib, pass.growth_kib) {
            (Some(peak), Some(growth)) => format!(
                "{:.1} MiB (+{:.1} in the pass)",
                peak as f64 / 1024.0,
                growth as f64 / 1024.0
            ),
            _ => "unavailable on this system".to_owned(),
        };
        println!(
            "| {name} | {:.2} s | {:.0} | {memory} | {:.2}× |",
            time.as_secs_f64(),
            files as f64 / time.as_secs_f64(),
            time.as_secs_f64() / floor_time.as_secs_f64(),
        );
    }
}

/// The reference: every file found, stated, and its head read, as plainly as can be.
fn plain_walk(root: &Path) {
    let mut buffer = vec![0u8; HEAD_BYTES];
    let mut files = 0usize;
    for entry in walkdir::WalkDir::new(root).follow_links(true) {
        let entry = entry.expect("a walkable tree");
        let metadata = entry.metadata().expect("a file's metadata");
        if !metadata.is_file() {
            continue;
        }
        let mut file = std::fs::File::open(entry.path()).expect("a readable file");
        let mut read = 0;
        while read < HEAD_BYTES {
            match file.read(&mut buffer[read..]).expect("reading a file") {
                0 => break,
                n => read += n,
            }
        }
        files += 1;
    }
    std::hint::black_box(files);
}

/// What lofty does for the scan, and nothing else.
fn read_every_tag(root: &Path) {
    let mut tags = 0usize;
    for entry in walkdir::WalkDir::new(root).follow_links(true) {
        let entry = entry.expect("a walkable tree");
        if strato_local::AudioFormat::of_path(entry.path()).is_none() {
            continue;
        }
        let tagged = lofty::read_from_path(entry.path()).expect("a readable file");
        tags += tagged.tags().len();
    }
    std::hint::black_box(tags);
}

/// Makes the tree under `music` (kept when it is already complete); its size in bytes.
fn generate(work: &Path, music: &Path, files: usize) -> u64 {
    // Beside the tree, not in it: the floor's walk would count it.
    let done = music.with_extension("complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(music);
        let sources = work.join("sources");
        std::fs::create_dir_all(&sources).expect("the sources' folder");
        make_sources(&sources);
        copy_and_retag(&sources, music, files);
        std::fs::write(&done, b"").expect("the tree's marker");
    }
    walkdir::WalkDir::new(music)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|entry| entry.metadata().ok())
        .filter(std::fs::Metadata::is_file)
        .map(|metadata| metadata.len())
        .sum()
}

fn make_sources(dir: &Path) {
    let cover = dir.join("cover.jpg");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=s=500x500",
        "-frames:v",
        "1",
        "-q:v",
        "3",
        cover.to_str().unwrap(),
    ]);
    for (extension, codec, embedded) in SOURCES {
        let out = dir.join(format!("source.{extension}"));
        let mut args = vec![
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330:duration=3:sample_rate=44100",
            "-ac",
            "2",
        ];
        if embedded {
            args.extend(["-i", cover.to_str().unwrap(), "-map", "0:a", "-map", "1:v"]);
            args.extend(["-c:v", "copy", "-disposition:v", "attached_pic"]);
        }
        args.extend(codec);
        args.extend(["-metadata", "title=Source", "-metadata", "artist=Source"]);
        args.push(out.to_str().unwrap());
        ffmpeg(&args);
    }
}

/// Copies the sources into `Artist NNN/Album NNNN/NN Track N.ext`, each with its own tags,
/// on every core.
fn copy_and_retag(sources: &Path, music: &Path, files: usize) {
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    std::thread::scope(|scope| {
        for first in 0..threads {
            scope.spawn(move || {
                for i in (first..files).step_by(threads) {
                    copy_one(sources, music, i);
                }
            });
        }
    });
}

fn copy_one(sources: &Path, music: &Path, i: usize) {
    let album = i / 10;
    let artist = album / 10;
    let (extension, _, embedded) = SOURCES[album % SOURCES.len()];
    let folder = music.join(format!("Artist {artist:03}/Album {album:04}"));
    std::fs::create_dir_all(&folder).expect("an album folder");
    if !embedded && i.is_multiple_of(10) {
        std::fs::copy(sources.join("cover.jpg"), folder.join("cover.jpg")).expect("a cover");
    }
    let track = u32::try_from(i % 10 + 1).expect("a track number");
    let path = folder.join(format!("{track:02} Track {i}.{extension}"));
    std::fs::copy(sources.join(format!("source.{extension}")), &path).expect("a copy");
    let mut tagged = lofty::read_from_path(&path).expect("the copy's tags");
    if tagged.primary_tag().is_none() {
        // A WAV: ffmpeg wrote RIFF INFO, lofty's first choice there is an ID3v2 chunk.
        tagged.insert_tag(Tag::new(tagged.primary_tag_type()));
    }
    let tag = tagged.primary_tag_mut().expect("the copy has a tag");
    tag.set_title(format!("Track {i} of album {album}"));
    tag.set_artist(format!("Artist {artist}"));
    tag.set_album(format!("Album {album}"));
    tag.set_track(track);
    tag.insert_text(ItemKey::AlbumArtist, format!("Artist {artist}"));
    tag.save_to_path(&path, WriteOptions::default())
        .expect("the copy's new tags");
}

fn ffmpeg(args: &[&str]) {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .expect("running ffmpeg");
    assert!(
        output.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn prepare(options: &Options) {
    if options.drop_caches && !drop_page_cache() {
        eprintln!("could not drop the page cache (Linux, as root only): the cache is warm");
    }
}

/// Empties the page cache, so a pass reads the disk (Linux, as root).
#[cfg(target_os = "linux")]
fn drop_page_cache() -> bool {
    let _ = Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

#[cfg(not(target_os = "linux"))]
fn drop_page_cache() -> bool {
    false
}

/// Resets `VmHWM` to the memory in use now (Linux 4.0 and later: `5` to `clear_refs`).
#[cfg(target_os = "linux")]
fn reset_peak_memory() {
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        eprintln!("could not reset the peak memory: it counts from the start of the process");
    }
}

#[cfg(not(target_os = "linux"))]
fn reset_peak_memory() {}

/// A line of `/proc/self/status` in KiB: `VmHWM:` the peak resident memory since the last
/// reset, `VmRSS:` the resident memory now.
#[cfg(target_os = "linux")]
fn memory_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Unavailable: only Linux says a process's memory this way.
#[cfg(not(target_os = "linux"))]
fn memory_kib(_field: &str) -> Option<u64> {
    None
}
