//! The catalog listing kept in the account's library, and the walks that keep it current.
//!
//! The catalog screen reads its list from the library, a page at a time
//! (`strato_library::Library::catalog_page`), so it shows at once, offline too. A **walk**
//! reads the service's listing (`GET /v1/tracks`) page by page, in order, and ranks each
//! page's tracks in one transaction; after each page the window hears where the list changed
//! (`catalog-changed`), so it re-reads only from there. A complete walk ends by unlisting the
//! tracks it did not see.
//!
//! Each account library has one [`CatalogList`]: the list's state, published on a `watch`
//! channel that page reads and the window's events read from. While an API client is at hand
//! it has one [`CatalogWalker`], a task that owns the walks: one at a time, a request made
//! while one runs is answered by it, and dropping the walker (offline, sign-out, another
//! client) ends the walk it was making. A walk runs when the walker starts if the list is
//! empty or was last read whole longer ago than [`CatalogWalkSettings::max_age`], and on
//! request ([`CatalogWalker::refresh`]).

use std::sync::Arc;

use strato_cloud::ApiClient;
use strato_library::{CatalogSplice, CatalogWrite, Library};
use strato_model::ipc::{self, AppError, CatalogChange, CatalogStatus};
use strato_sync::LibraryHandle;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::error::{from_cloud, from_library};
use crate::playback::AppEvents;
use crate::settings::CatalogWalkSettings;

/// Cursors of the list are the rank of the last track read, after this prefix, so a cursor of
/// the service's (read without a library) is never taken for one.
const CURSOR_PREFIX: &str = "rank:";

/// The list as the library holds it, and what the walk is doing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ListState {
    /// Tracks listed.
    pub total: u64,
    pub refreshing: bool,
    /// Tracks the current (or last) walk has read.
    pub walked: u64,
    /// When a walk last read the whole listing (Unix seconds).
    pub listed_at: Option<i64>,
    /// Why the last walk stopped short.
    pub error: Option<AppError>,
}

impl ListState {
    /// The window's view of it; `problem` comes first (e.g. being offline).
    pub(crate) fn status(&self, problem: Option<AppError>) -> CatalogStatus {
        CatalogStatus {
            total: Some(count(self.total)),
            refreshing: self.refreshing,
            walked: count(self.walked),
            listed_at: self.listed_at,
            problem: problem.or_else(|| self.error.clone()),
        }
    }

    /// Whether a walker starting now should walk at once.
    fn walk_due(&self, now: i64, settings: CatalogWalkSettings) -> bool {
        let max_age = i64::try_from(settings.max_age.as_secs()).unwrap_or(i64::MAX);
        self.total == 0
            || self
                .listed_at
                .is_none_or(|at| now.saturating_sub(at) >= max_age || at > now)
    }
}

/// One account's catalog list: its state, shared with the walker and the page reads.
pub(crate) struct CatalogList {
    state: watch::Sender<ListState>,
}

impl CatalogList {
    /// Reads where the list stood when the library was last closed.
    pub(crate) fn open(library: &Library) -> strato_library::Result<Self> {
        let state = ListState {
            total: library.catalog_len()?,
            listed_at: library.catalog_listed_at()?,
            ..ListState::default()
        };
        Ok(Self {
            state: watch::Sender::new(state),
        })
    }

    pub(crate) fn state(&self) -> ListState {
        self.state.borrow().clone()
    }

    /// Waits while the list is empty and a walk is filling it: the first page of a first
    /// walk is worth waiting for, an empty screen is not. Returns at once otherwise.
    pub(crate) async fn first_filled(&self) {
        let mut state = self.state.subscribe();
        // An error means the list is gone (the account closed): nothing to wait for.
        let _ = state.wait_for(|s| s.total > 0 || !s.refreshing).await;
    }

    /// Starts the walker for `api`. The returned task ends with the walker's last request
    /// sender (or when aborted).
    pub(crate) fn start_walker(
        &self,
        runtime: &Handle,
        api: Arc<ApiClient>,
        library: LibraryHandle,
        events: Arc<dyn AppEvents>,
        settings: CatalogWalkSettings,
    ) -> (CatalogWalker, JoinHandle<()>) {
        // An empty list will be walked at once: a page read from now on waits for it. The
        // guard goes with the task, so a walker dropped before it ever ran ends the wait too.
        self.state.send_modify(|s| s.refreshing |= s.total == 0);
        let starting = Walking(self.state.clone());
        let (requests, received) = mpsc::unbounded_channel();
        let walks = Walks {
            api,
            library,
            state: self.state.clone(),
            events,
            settings,
        };
        let task = runtime.spawn(walks.run(starting, received));
        (CatalogWalker { requests }, task)
    }
}

/// Asks the account's walker for walks; see the module's documentation.
pub(crate) struct CatalogWalker {
    requests: mpsc::UnboundedSender<()>,
}

impl CatalogWalker {
    /// Walks the listing again soon (at once, unless a walk is running: then that one is the
    /// answer).
    pub(crate) fn refresh(&self) {
        // Closed only once the walker's task has ended, with the account's session.
        let _ = self.requests.send(());
    }
}

/// The cursor of the page after the track ranked `rank`.
pub(crate) fn cursor_after(rank: u64) -> String {
    format!("{CURSOR_PREFIX}{rank}")
}

/// The rank a cursor of [`cursor_after`] names; `None` for anything else.
pub(crate) fn rank_of_cursor(cursor: &str) -> Option<u64> {
    cursor.strip_prefix(CURSOR_PREFIX)?.parse().ok()
}

/// The walker's task: its API client and where it writes.
struct Walks {
    api: Arc<ApiClient>,
    library: LibraryHandle,
    state: watch::Sender<ListState>,
    events: Arc<dyn AppEvents>,
    settings: CatalogWalkSettings,
}

/// Marks the walk over however it ends, also when its task is aborted mid-page, so nothing
/// waits on a walk that is no longer running.
struct Walking(watch::Sender<ListState>);

impl Drop for Walking {
    fn drop(&mut self) {
        self.0
            .send_if_modified(|s| std::mem::replace(&mut s.refreshing, false));
    }
}

impl Walks {
    async fn run(self, starting: Walking, mut requests: mpsc::UnboundedReceiver<()>) {
        let now = crate::unix_now();
        // The service answers again: an earlier walk's failure is no longer the news.
        self.state.send_modify(|s| s.error = None);
        let due = self.state.borrow().walk_due(now, self.settings);
        if due {
            self.walk(starting).await;
        } else {
            drop(starting);
            self.tell(None);
        }
        while requests.recv().await.is_some() {
            self.walk(Walking(self.state.clone())).await;
            // Asked for while it ran: that walk was the answer.
            while requests.try_recv().is_ok() {}
        }
    }

    /// Reads the whole listing into the library, telling the window after each page; the
    /// list reads as refreshing until `walking` is dropped, however the walk ends.
    async fn walk(&self, walking: Walking) {
        self.state.send_modify(|s| {
            s.refreshing = true;
            s.walked = 0;
            s.error = None;
        });
        self.tell(None);
        let mut cursor: Option<String> = None;
        let mut walked: u64 = 0;
        loop {
            let page = match self
                .api
                .tracks(cursor.as_deref(), self.settings.page_size)
                .await
            {
                Ok(page) => page,
                Err(error) => return self.stopped(walking, from_cloud(&error)),
            };
            let first_rank = walked;
            walked += page.items.len() as u64;
            let tracks = page.items;
            let written = self
                .library
                .call(move |lib| lib.rank_catalog_page(first_rank, &tracks))
                .await;
            match written {
                Ok(write) => self.wrote(write, |s| s.walked = walked),
                Err(error) => return self.stopped(walking, from_library(&error)),
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        match self
            .library
            .call(move |lib| {
                let write = lib.end_catalog_walk(walked)?;
                Ok::<_, strato_library::Error>((write, lib.catalog_listed_at()?))
            })
            .await
        {
            Ok((write, listed_at)) => {
                drop(walking);
                self.wrote(write, |s| s.listed_at = listed_at);
                tracing::info!(tracks = walked, "catalog listed");
            }
            Err(error) => self.stopped(walking, from_library(&error)),
        }
    }

    fn wrote(&self, write: CatalogWrite, also: impl FnOnce(&mut ListState)) {
        self.state.send_modify(|s| {
            s.total = write.listed;
            also(s);
        });
        self.tell(write.changed.map(splice));
    }

    fn stopped(&self, walking: Walking, error: AppError) {
        tracing::info!(%error.message, "the catalog walk stopped");
        self.state.send_modify(|s| s.error = Some(error));
        drop(walking);
        self.tell(None);
    }

    fn tell(&self, changed: Option<ipc::CatalogSplice>) {
        let status = self.state.borrow().status(None);
        self.events
            .catalog_changed(&CatalogChange { status, changed });
    }
}

fn splice(splice: CatalogSplice) -> ipc::CatalogSplice {
    ipc::CatalogSplice {
        kept: count(splice.kept),
        cursor: splice.after.map(cursor_after),
    }
}

/// Counts for the window; no catalog comes near `u32::MAX` tracks.
fn count(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn cursors_round_trip_and_others_are_not_taken() {
        assert_eq!(rank_of_cursor(&cursor_after(0)), Some(0));
        assert_eq!(rank_of_cursor(&cursor_after(99_999)), Some(99_999));
        assert_eq!(rank_of_cursor("eyJvZmZzZXQiOjUwfQ"), None);
        assert_eq!(rank_of_cursor("rank:-1"), None);
    }

    #[test]
    fn a_walk_is_due_when_the_list_is_empty_old_or_never_finished() {
        let settings = CatalogWalkSettings {
            page_size: 200,
            max_age: Duration::from_secs(3600),
        };
        let listed = |total, listed_at| ListState {
            total,
            listed_at,
            ..ListState::default()
        };
        let now = 1_800_000_000;
        assert!(listed(0, Some(now)).walk_due(now, settings), "empty");
        assert!(listed(10, None).walk_due(now, settings), "never whole");
        assert!(listed(10, Some(now - 3600)).walk_due(now, settings), "old");
        assert!(
            !listed(10, Some(now - 3599)).walk_due(now, settings),
            "fresh"
        );
        assert!(
            listed(10, Some(now + 60)).walk_due(now, settings),
            "clock went back"
        );
    }
}
