//! `strato upload`: the app's upload path without its window. Files go into the account's
//! upload journal (shared with the app) and the command waits until each is a track, failed,
//! or paused, printing progress about once a second.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use strato_core::{App, AppEvents, AppSettings};
use strato_model::api::Visibility;
use strato_model::ipc::{PlayerStatus, TransferState, UploadRequest};

/// How often the command looks at its transfers.
const POLL: Duration = Duration::from_millis(250);

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _status: &PlayerStatus) {}
}

pub(crate) async fn run(
    settings: AppSettings,
    service: &str,
    username: &str,
    password: String,
    files: Vec<PathBuf>,
    public: bool,
) -> anyhow::Result<()> {
    let app = App::start(settings, Arc::new(Quiet)).context("could not start")?;
    app.sign_in(service, username, password)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let paths: Vec<String> = files
        .iter()
        .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    let candidates = app
        .upload_candidates(paths)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let visibility = if public {
        Visibility::Public
    } else {
        Visibility::Private
    };
    let mut requests = Vec::new();
    for candidate in candidates.candidates {
        if let Some(refusal) = candidate.refusal {
            eprintln!("skipped: {refusal}");
            continue;
        }
        requests.push(UploadRequest {
            path: candidate.path,
            details: candidate.details,
            visibility,
        });
    }
    if requests.is_empty() {
        bail!("nothing to upload");
    }
    let ids = app
        .queue_uploads(requests)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let mut last_line = Instant::now();
    loop {
        let status = app
            .transfers()
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        let mine: Vec<_> = status
            .transfers
            .iter()
            .filter(|t| ids.contains(&t.id))
            .collect();
        let waiting = mine.iter().any(|t| {
            matches!(
                t.state,
                TransferState::Queued | TransferState::Uploading | TransferState::Processing
            )
        });
        if !waiting || last_line.elapsed() >= Duration::from_secs(1) {
            last_line = Instant::now();
            for transfer in &mine {
                let state = format!("{:?}", transfer.state).to_lowercase();
                let percent = transfer.bytes_sent * 100 / transfer.size.max(1);
                let message = transfer.message.as_deref().unwrap_or("");
                eprintln!("{state:>10} {percent:>3}% {} {message}", transfer.file_name);
            }
        }
        if !waiting {
            let failed = mine
                .iter()
                .filter(|t| t.state != TransferState::Ready)
                .count();
            for transfer in mine.iter().filter(|t| t.state == TransferState::Ready) {
                println!(
                    "{}\t{}",
                    transfer.track_id.as_deref().unwrap_or_default(),
                    transfer.file_name
                );
            }
            drop(app);
            return match failed {
                0 => Ok(()),
                n => bail!("{n} of {} files did not become tracks", ids.len()),
            };
        }
        tokio::time::sleep(POLL).await;
    }
}
