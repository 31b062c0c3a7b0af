//! The app's processes as Linux accounts for them: the `strato` process and everything it
//! started (`WebKitGTK`'s web and network processes), with their CPU time and their
//! proportional set size (PSS: shared pages divided among the processes sharing them, so
//! the sum over the app is what it really costs).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// One process of the app.
#[derive(Debug, Clone)]
pub struct Process {
    pub pid: u32,
    pub name: String,
}

/// `(pid, ppid, comm, utime + stime in clock ticks)` from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<(u32, u32, String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid ...": comm may hold spaces, so split at its last ')'.
    let (head, rest) = stat.rsplit_once(')')?;
    let comm = head.split_once('(')?.1.to_owned();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After comm: state(0) ppid(1) ... utime(11) stime(12).
    let parent = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((pid, parent, comm, utime + stime))
}

fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

/// The app's processes: the newest live `strato` process and its descendants.
pub fn app_processes() -> Result<Vec<Process>> {
    let table: Vec<_> = all_pids().into_iter().filter_map(stat).collect();
    let root = table
        .iter()
        .filter(|(_, _, comm, _)| comm == "strato")
        .map(|(pid, ..)| *pid)
        .max()
        .context("no strato process is running")?;
    let mut found = vec![Process {
        pid: root,
        name: "strato".into(),
    }];
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for (pid, ppid, comm, _) in &table {
            if *ppid == parent {
                found.push(Process {
                    pid: *pid,
                    name: short_name(comm),
                });
                frontier.push(*pid);
            }
        }
    }
    Ok(found)
}

/// `WebKitWebProces` (comm is cut at 15 bytes) reads as "web"; the network process as
/// "network"; anything else by its own name.
fn short_name(comm: &str) -> String {
    match comm {
        c if c.starts_with("WebKitWebProc") => "web".into(),
        c if c.starts_with("WebKitNetwork") => "network".into(),
        c => c.into(),
    }
}

/// Clock ticks per second (`sysconf(_SC_CLK_TCK)`: 100 on every Linux we run on).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU used by each process over `window`, in percent of one core, by process name (processes
/// of one name summed), with `"all"` the whole app.
pub async fn cpu_percent(processes: &[Process], window: Duration) -> Vec<(String, f64)> {
    let ticks = |p: &Process| stat(p.pid).map_or(0, |(.., t)| t);
    let before: Vec<u64> = processes.iter().map(ticks).collect();
    let started = Instant::now();
    tokio::time::sleep(window).await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut by_name: Vec<(String, f64)> = Vec::new();
    let mut all = 0.0;
    for (process, before) in processes.iter().zip(before) {
        let used = ticks(process).saturating_sub(before);
        #[allow(clippy::cast_precision_loss)] // ticks over seconds: small numbers
        let percent = used as f64 / TICKS_PER_SECOND / elapsed * 100.0;
        all += percent;
        match by_name.iter_mut().find(|(name, _)| *name == process.name) {
            Some((_, sum)) => *sum += percent,
            None => by_name.push((process.name.clone(), percent)),
        }
    }
    by_name.push(("all".into(), all));
    by_name
}

/// The proportional set size of each process in MB, by process name, with `"all"`.
pub fn pss_mb(processes: &[Process]) -> Vec<(String, f64)> {
    let mut by_name: HashMap<String, f64> = HashMap::new();
    let mut order = Vec::new();
    let mut all = 0.0;
    for process in processes {
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{}/smaps_rollup", process.pid))
        else {
            continue;
        };
        let field = |name: &str| -> f64 {
            rollup
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0.0)
                / 1024.0
        };
        let mb = field("Pss:");
        // Where it is: the process's own heap, or its share of mapped files (libraries).
        eprintln!(
            "  pss {} ({}): {mb:.0} MB, anonymous {:.0}, files {:.0}, shared memory {:.0}",
            process.name,
            process.pid,
            field("Pss_Anon:"),
            field("Pss_File:"),
            field("Pss_Shmem:")
        );
        all += mb;
        if !by_name.contains_key(&process.name) {
            order.push(process.name.clone());
        }
        *by_name.entry(process.name.clone()).or_default() += mb;
    }
    let mut out: Vec<(String, f64)> = order
        .into_iter()
        .map(|name| {
            let mb = by_name[&name];
            (name, mb)
        })
        .collect();
    out.push(("all".into(), all));
    out
}
