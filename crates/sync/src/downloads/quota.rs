//! The one storage limit for offline music and the streaming cache.
//!
//! Space counts complete downloads plus what running downloads have reserved (their promised
//! size), so concurrent downloads cannot overshoot together. To make room, unpinned complete
//! downloads (the streaming cache) are evicted, least recently played first, through
//! [`Library::eviction_candidates`](strato_library::Library::eviction_candidates); pinned ones
//! never are.

use std::path::Path;
use std::sync::atomic::Ordering;

use super::storage::{TrackFiles, remove_if_present};
use super::{DownloadError, DownloadEvent, Shared};
use crate::LibraryHandle;

/// Reserves `size` bytes for `track_id`'s download, evicting unpinned downloads as needed.
///
/// # Errors
/// [`DownloadErrorKind::Quota`](super::DownloadErrorKind::Quota) when even evicting every
/// unpinned download leaves no room; evicting or reading the library failing.
pub(crate) async fn reserve(
    shared: &Shared,
    track_id: &str,
    size: u64,
) -> Result<(), DownloadError> {
    let _gate = shared.quota_gate.lock().await;
    loop {
        let quota = shared.quota_bytes.load(Ordering::Relaxed);
        let used = used_bytes(shared, track_id).await?;
        if used.saturating_add(size) <= quota {
            if let Some(reserved) = shared.run().active.get_mut(track_id) {
                *reserved = size;
            }
            return Ok(());
        }
        if !evict_one(shared).await? {
            return Err(DownloadError::quota(used, quota));
        }
    }
}

/// After the limit was lowered: evicts unpinned downloads until what is stored fits (or only
/// pinned ones are left).
pub(crate) async fn enforce(shared: &Shared) -> Result<(), DownloadError> {
    let _gate = shared.quota_gate.lock().await;
    while used_bytes(shared, "").await? > shared.quota_bytes.load(Ordering::Relaxed) {
        if !evict_one(shared).await? {
            break;
        }
    }
    Ok(())
}

/// Evicts every unpinned download: the listener cleared the streaming cache.
pub(crate) async fn clear_cache(shared: &Shared) -> Result<(usize, u64), DownloadError> {
    let _gate = shared.quota_gate.lock().await;
    let mut freed = (0, 0);
    while let Some((track_id, bytes)) = evict_next(&shared.library, &shared.dir).await? {
        shared.emit(DownloadEvent::Evicted { track_id });
        freed = (freed.0 + 1, freed.1 + bytes);
    }
    Ok(freed)
}

/// [`clear_cache`] while no manager runs (offline): the library's records and the files in
/// `dir`, nothing else to keep in step.
///
/// # Errors
/// If the library cannot be read or a file cannot be deleted.
pub async fn clear_cache_offline(
    library: &LibraryHandle,
    dir: &Path,
) -> Result<(usize, u64), DownloadError> {
    let mut freed = (0, 0);
    while let Some((_, bytes)) = evict_next(library, dir).await? {
        freed = (freed.0 + 1, freed.1 + bytes);
    }
    Ok(freed)
}

/// Complete downloads plus the reservations of running ones other than `except`.
async fn used_bytes(shared: &Shared, except: &str) -> Result<u64, DownloadError> {
    let stored = shared
        .library
        .call(|lib| {
            Ok::<_, strato_library::Error>(
                lib.downloaded_bytes(true)? + lib.downloaded_bytes(false)?,
            )
        })
        .await
        .map_err(DownloadError::library)?;
    let reserved: u64 = shared
        .run()
        .active
        .iter()
        .filter(|(id, _)| id.as_str() != except)
        .map(|(_, bytes)| bytes)
        .sum();
    Ok(stored + reserved)
}

/// Evicts the least recently played unpinned download; `false` when there is none.
async fn evict_one(shared: &Shared) -> Result<bool, DownloadError> {
    let Some((track_id, _)) = evict_next(&shared.library, &shared.dir).await? else {
        return Ok(false);
    };
    tracing::info!(track_id, "evicted from the streaming cache to make room");
    shared.emit(DownloadEvent::Evicted { track_id });
    Ok(true)
}

/// Deletes the least recently played unpinned download, its file first: a row without a
/// file is downloaded again, a file without a row would be lost space. Its id and size;
/// `None` when there is none.
async fn evict_next(
    library: &LibraryHandle,
    dir: &Path,
) -> Result<Option<(String, u64)>, DownloadError> {
    let dir = dir.to_owned();
    library
        .call(move |lib| {
            let Some(victim) = lib
                .eviction_candidates(1)
                .map_err(DownloadError::library)?
                .into_iter()
                .next()
            else {
                return Ok(None);
            };
            let files = victim
                .path
                .as_deref()
                .and_then(|path| TrackFiles::recorded(&dir, path));
            if let Some(files) = files {
                remove_if_present(&files.complete).map_err(DownloadError::write)?;
            }
            lib.remove_download(&victim.track_id)
                .map_err(DownloadError::library)?;
            Ok::<_, DownloadError>(Some((victim.track_id, victim.size.unwrap_or(0))))
        })
        .await
}
