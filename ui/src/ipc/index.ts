// The only module that talks to Tauri. Everything else calls these typed functions.
import { convertFileSrc } from "@tauri-apps/api/core";
import { getCurrentWindow } from "@tauri-apps/api/window";
import type {
  AboutView,
  AlbumPage,
  Appearance,
  ArtistPage,
  CacheCleared,
  CatalogChange,
  CatalogPage,
  CodeDelivery,
  DataFolderMoved,
  DataFolderView,
  DesktopWords,
  DownloadsPage,
  DownloadsStatus,
  HomeFeedView,
  HomeShelves,
  LaunchOutcome,
  LibraryPlaylist,
  OfflineState,
  OfflineTarget,
  OutputDevices,
  Page,
  PlayedTrack,
  PlayerStatus,
  PlaylistChanges,
  Settings,
  SettingsView,
  PlaylistItemEdit,
  PlaylistView,
  QueuePage,
  QueueView,
  RememberedAccount,
  RepeatMode,
  SearchResults,
  ServiceTrust,
  Session,
  SignInStep,
  SignUpOutcome,
  StaySignedIn,
  SyncStatus,
  Track,
} from "./bindings";
import { call, subscribe, type Unlisten } from "./transport";

export type * from "./bindings";
export { isAppError, toAppError } from "./errors";
export { onSessionEnded, type Unlisten } from "./transport";
export * from "./updates";
export * from "./uploads";
export * from "./devices";
export * from "./sound";
export * from "./playlist_files";
export * from "./stars";

export const PLAYER_STATUS_EVENT = "player-status";
/** The queue changed (once per change): a `QueueView`. */
export const QUEUE_CHANGED_EVENT = "queue-changed";
/** The library's playlists changed (an edit, a sync): re-read them. No payload. */
/** The listener signed out everywhere on another device (no payload). */
export const SIGNED_OUT_ELSEWHERE_EVENT = "signed-out-elsewhere";
export const PLAYLISTS_CHANGED_EVENT = "playlists-changed";
export const SYNC_STATUS_EVENT = "sync-status";
export const DOWNLOADS_STATUS_EVENT = "downloads-status";
/** The catalog list changed, or its refresh moved on: a `CatalogChange`. */
export const CATALOG_CHANGED_EVENT = "catalog-changed";
/** The settings changed, or what their screen should say did (a save failed): a `SettingsView`. */
export const SETTINGS_CHANGED_EVENT = "settings-changed";
/** The window's look changed (the listener's choice, or the desktop's theme): an `Appearance`. */
export const APPEARANCE_EVENT = "appearance";
/** A link, files or `strato play` were handed to the app: `runLaunches`. No payload. */
export const LAUNCHES_WAITING_EVENT = "launches-waiting";
const COVER_SCHEME = "cover";

export function defaultServiceUrl(): Promise<string> {
  return call("default_service_url");
}

/** Whether a developer setting lets any service address in (the sign-in screen warns). */
export function serviceTrust(): Promise<ServiceTrust> {
  return call("service_trust");
}

export function session(): Promise<Session | null> {
  return call("session");
}

/** Signs in, or stops at a challenge to answer with `answerChallenge`. */
export function signIn(
  serviceUrl: string,
  username: string,
  password: string,
  staySignedIn: boolean,
): Promise<SignInStep> {
  return call("sign_in", { serviceUrl, username, password, staySignedIn });
}

/** Signs in to a Subsonic server with an API key made on it: the account is the key's owner. */
export function signInWithApiKey(serviceUrl: string, apiKey: string, staySignedIn: boolean): Promise<Session> {
  return call("sign_in_with_api_key", { serviceUrl, apiKey, staySignedIn });
}

/** The new password or the code a challenge asked for. */
export function answerChallenge(challengeId: string, answer: string): Promise<SignInStep> {
  return call("answer_challenge", { challengeId, answer });
}

/** Whether "stay signed in" can be offered here, and if not, why. */
export function staySignedIn(): Promise<StaySignedIn> {
  return call("stay_signed_in");
}

/** At start: the session kept from last time (or the current one), if any. */
export function restoreSession(): Promise<Session | null> {
  return call("restore_session");
}

export function signUp(
  serviceUrl: string,
  username: string,
  password: string,
  email: string,
): Promise<SignUpOutcome> {
  return call("sign_up", { serviceUrl, username, password, email });
}

export function confirmSignUp(serviceUrl: string, username: string, code: string): Promise<void> {
  return call("confirm_sign_up", { serviceUrl, username, code });
}

export function resendConfirmationCode(serviceUrl: string, username: string): Promise<CodeDelivery> {
  return call("resend_confirmation_code", { serviceUrl, username });
}

export function forgotPassword(serviceUrl: string, username: string): Promise<CodeDelivery> {
  return call("forgot_password", { serviceUrl, username });
}

export function confirmForgotPassword(
  serviceUrl: string,
  username: string,
  code: string,
  newPassword: string,
): Promise<void> {
  return call("confirm_forgot_password", { serviceUrl, username, code, newPassword });
}

export function signOut(): Promise<void> {
  return call("sign_out");
}

/** The accounts kept on this computer ("stay signed in"), the signed-in one marked `current`. */
export function rememberedAccounts(): Promise<RememberedAccount[]> {
  return call("remembered_accounts");
}

/** Signs in as a kept account from its kept token; playback stops. The account left stays kept. */
export function switchAccount(serviceUrl: string, username: string): Promise<Session> {
  return call("switch_account", { serviceUrl, username });
}

/** Removes a kept account and its token from this computer. */
export function forgetAccount(serviceUrl: string, username: string): Promise<void> {
  return call("forget_account", { serviceUrl, username });
}

/**
 * Up to `limit` catalog tracks (100 when null, at most 1,000) after `cursor` (the previous
 * page's opaque `next_cursor`; null for the start), in the service's order. Read from this
 * computer's library: at once, offline too.
 */
export function catalogTracks(cursor: string | null, limit: number | null = null): Promise<CatalogPage> {
  return call("catalog_tracks", { cursor, limit });
}

/** Reads the service's catalog listing again, in the background (`onCatalogChanged` follows it). */
export function refreshCatalog(): Promise<void> {
  return call("refresh_catalog");
}

export function onCatalogChanged(callback: (change: CatalogChange) => void): Promise<Unlisten> {
  return subscribe(CATALOG_CHANGED_EVENT, callback);
}

/**
 * Searches the local full-text index of what this computer has seen of the catalog: no
 * network, answers at once, offline too.
 */
export function searchLibrary(query: string): Promise<SearchResults> {
  return call("search_library", { query });
}

/**
 * Searches the whole catalog on the service (what it finds is cached locally). Offline, the
 * backend answers with `searchLibrary`'s results instead.
 */
export function searchCatalog(query: string): Promise<SearchResults> {
  return call("search_catalog", { query });
}

export function playTrack(trackId: string): Promise<void> {
  return call("play_track", { trackId });
}

/** Replaces the queue with `trackIds` and plays the one at `start`. */
export function playQueue(trackIds: readonly string[], start: number): Promise<void> {
  return call("play_queue", { trackIds, start });
}

/** Plays the queue's entry `entryId` (a `QueueEntry.entry_id`). */
export function jump(entryId: number): Promise<void> {
  return call("jump", { entryId });
}

/** Puts tracks right after the one playing (into an empty queue: they play). */
export function playNext(trackIds: readonly string[]): Promise<void> {
  return call("play_next", { trackIds });
}

/** Puts tracks after the one playing and what was queued before, ahead of the rest. */
export function addToQueue(trackIds: readonly string[]): Promise<void> {
  return call("add_to_queue", { trackIds });
}

/**
 * Moves queue entries together, in their queue order, so the first lands at index
 * `position` of the queue counted without them.
 */
export function moveInQueue(entryIds: readonly number[], position: number): Promise<void> {
  return call("move_in_queue", { entryIds, position: Math.max(0, Math.round(position)) });
}

/** Takes entries out of the queue (the one playing stays). */
export function removeFromQueue(entryIds: readonly number[]): Promise<void> {
  return call("remove_from_queue", { entryIds });
}

/** Empties "next up"; what played and what plays now stay. */
export function clearQueue(): Promise<void> {
  return call("clear_queue");
}

/** A new playlist with the queue's tracks in play order. */
export function saveQueueAsPlaylist(name: string): Promise<LibraryPlaylist> {
  return call("save_queue_as_playlist", { name });
}

/** The queue now, with a window of entries around the one playing. */
export function queueView(): Promise<QueueView> {
  return call("queue_view");
}

/** Up to `limit` (at most 500) of the queue's entries from `offset`, in play order. */
export function queuePage(offset: number, limit: number): Promise<QueuePage> {
  return call("queue_page", { offset, limit });
}

export function next(): Promise<void> {
  return call("next");
}

/** The previous track, or the start of this one when it has played a few seconds. */
export function previous(): Promise<void> {
  return call("previous");
}

export function seek(positionMs: number): Promise<void> {
  return call("seek", { positionMs: Math.max(0, Math.round(positionMs)) });
}

/** 0 (silent) to 1 (full); kept across restarts, and unmutes. */
export function setVolume(volume: number): Promise<void> {
  return call("set_volume", { volume: Math.min(1, Math.max(0, volume)) });
}

/** Silences the sound, or brings back its volume; kept across restarts. */
export function setMuted(muted: boolean): Promise<void> {
  return call("set_muted", { muted });
}

/** The listener's settings, which of them the environment overrides, and their file. */
/** This Strato's version and where its logs are. */
export function about(): Promise<AboutView> {
  return call("about");
}

/** Opens the log folder in the desktop's file manager. */
export function openLogFolder(): Promise<void> {
  return call("open_log_folder");
}

/** The output devices to choose from now (the system may add and remove them any time). */
export function outputDevices(): Promise<OutputDevices> {
  return call("output_devices");
}

export function settings(): Promise<SettingsView> {
  return call("settings");
}

/** Saves the listener's settings; what the player can take applies at once. */
export function updateSettings(settings: Settings): Promise<SettingsView> {
  return call("update_settings", { settings });
}

/** Where the libraries and downloads are kept. */
export function dataFolder(): Promise<DataFolderView> {
  return call("data_folder");
}

/**
 * Moves the libraries and downloads to `folder` (or a Strato folder inside it): copied,
 * verified, switched to, and only then deleted where they were.
 */
export function moveDataFolder(folder: string): Promise<DataFolderMoved> {
  return call("move_data_folder", { folder });
}

/** Asks for a folder with the OS's own dialog; null when the listener cancelled. */
export function chooseFolder(title: string): Promise<string | null> {
  return call("choose_folder", { title });
}

/** Deletes the tracks kept because they were heard; pinned downloads stay. */
export function clearStreamCache(): Promise<CacheCleared> {
  return call("clear_stream_cache");
}

export function setShuffle(shuffle: boolean): Promise<void> {
  return call("set_shuffle", { shuffle });
}

export function setRepeat(repeat: RepeatMode): Promise<void> {
  return call("set_repeat", { repeat });
}

export function pause(): Promise<void> {
  return call("pause");
}

export function resume(): Promise<void> {
  return call("resume");
}

export function playerStatus(): Promise<PlayerStatus> {
  return call("player_status");
}

/** Tells the core whether the page is seen: while hidden, the position's ticks stop. */
export function setWindowShown(shown: boolean): Promise<void> {
  return call("set_window_shown", { shown });
}

/**
 * The look the shell started the window with (its first-paint script keeps it on `window`),
 * or null outside the app.
 */
export function initialAppearance(): Appearance | null {
  return (globalThis as { __STRATO_APPEARANCE__?: Appearance }).__STRATO_APPEARANCE__ ?? null;
}

export function onSettingsChanged(callback: (view: SettingsView) => void): Promise<Unlisten> {
  return subscribe(SETTINGS_CHANGED_EVENT, callback);
}

/**
 * Carries out what the app was opened with and the core kept (a `strato://` link, files, a
 * second launch's `strato play`): each answers with the page to show or why it could not be.
 */
export function runLaunches(): Promise<LaunchOutcome[]> {
  return call("run_launches");
}

/** The label of the window this page is in: "main", or "mini" for the mini-player. */
export function windowLabel(): string {
  try {
    return getCurrentWindow().label;
  } catch {
    // Outside the app (a test page): the main window's page.
    return "main";
  }
}

/** Opens the mini-player (a small window always on top), or closes it. */
export function toggleMiniPlayer(): Promise<void> {
  return call("toggle_mini_player");
}

/** From the mini-player: the main window back in front, the mini-player closed. */
export function showMainWindow(): Promise<void> {
  return call("show_main_window");
}

/** The tray menu's words, in the window's language (the shell draws the menu). */
export function setDesktopWords(words: DesktopWords): Promise<void> {
  return call("set_desktop_words", { words });
}

/** A launch was handed to the running app: ask for it with `runLaunches`. */
export function onLaunchesWaiting(callback: () => void): Promise<Unlisten> {
  return subscribe<null>(LAUNCHES_WAITING_EVENT, () => callback());
}

export function onAppearance(callback: (appearance: Appearance) => void): Promise<Unlisten> {
  return subscribe(APPEARANCE_EVENT, callback);
}

export function onPlayerStatus(callback: (status: PlayerStatus) => void): Promise<Unlisten> {
  return subscribe(PLAYER_STATUS_EVENT, callback);
}

export function onQueueChanged(callback: (view: QueueView) => void): Promise<Unlisten> {
  return subscribe(QUEUE_CHANGED_EVENT, callback);
}

// Playlists: read from and edited in the local library, so they answer at once, offline too.
// Edits are sent to the service by the sync engine.

export function playlists(): Promise<LibraryPlaylist[]> {
  return call("playlists");
}

export function playlist(id: string): Promise<PlaylistView> {
  return call("playlist", { id });
}

/** The data of the tracks named that the app has seen (a long list's rows, as it scrolls to them). */
export function tracks(ids: readonly string[]): Promise<Track[]> {
  return call("tracks", { ids });
}

/** Whether each track named plays offline, in the order asked (for lists that do not carry it). */
export function offlineStates(ids: readonly string[]): Promise<OfflineState[]> {
  return call("offline_states", { ids });
}

export function createPlaylist(name: string, description: string): Promise<LibraryPlaylist> {
  return call("create_playlist", { name, description });
}

export function renamePlaylist(id: string, name: string): Promise<LibraryPlaylist> {
  return call("rename_playlist", { id, name });
}

export function describePlaylist(id: string, description: string): Promise<LibraryPlaylist> {
  return call("describe_playlist", { id, description });
}

/** Shows the playlist on the listener's page for everyone, or stops (asked of the service at once). */
export function setPlaylistPublic(id: string, isPublic: boolean): Promise<LibraryPlaylist> {
  return call("set_playlist_public", { id, public: isPublic });
}

export function deletePlaylist(id: string): Promise<void> {
  return call("delete_playlist", { id });
}

/**
 * Inserts `trackIds` before the item at `position`, or at the end when it is null. Answers
 * what changed (the items added, with their ids and place), not the whole playlist.
 */
export function addToPlaylist(
  id: string,
  trackIds: readonly string[],
  position: number | null = null,
): Promise<PlaylistChanges> {
  return call("add_to_playlist", { id, trackIds, position });
}

/** Answers the item removed. */
export function removeFromPlaylist(id: string, itemId: string): Promise<PlaylistChanges> {
  return call("remove_from_playlist", { id, itemId });
}

/** Moves an item so that it ends up at index `position` (counted without the item itself). */
export function moveInPlaylist(id: string, itemId: string, position: number): Promise<PlaylistChanges> {
  return call("move_in_playlist", { id, itemId, position });
}

/**
 * Applies `edits` to a playlist's items in order, all or none: a selection removed or moved
 * (one move per item, each after the one before), an edit undone. Answers the playlist as it
 * is then and what changed.
 */
export function editPlaylist(id: string, edits: readonly PlaylistItemEdit[]): Promise<PlaylistChanges> {
  return call("edit_playlist", { id, edits });
}

/** Replaces the queue with the playlist's tracks and plays the one at index `start`. */
export function playPlaylist(id: string, start: number): Promise<void> {
  return call("play_playlist", { id, start });
}

export function onPlaylistsChanged(callback: () => void): Promise<Unlisten> {
  return subscribe<null>(PLAYLISTS_CHANGED_EVENT, () => callback());
}

/** The listener signed out everywhere on another device: this one's session is over too. */
export function onSignedOutElsewhere(callback: () => void): Promise<Unlisten> {
  return subscribe<null>(SIGNED_OUT_ELSEWHERE_EVENT, () => callback());
}

export function syncStatus(): Promise<SyncStatus> {
  return call("sync_status");
}

export function syncNow(): Promise<void> {
  return call("sync_now");
}

export function dismissSyncNotice(id: number): Promise<void> {
  return call("dismiss_sync_notice", { id });
}

export function onSyncStatus(callback: (status: SyncStatus) => void): Promise<Unlisten> {
  return subscribe(SYNC_STATUS_EVENT, callback);
}

/** Keeps (or stops keeping) a track, album or playlist for offline listening. */
export function setOffline(target: OfflineTarget, offline: boolean): Promise<void> {
  return call("set_offline", { target, offline });
}

export function downloadsStatus(): Promise<DownloadsStatus> {
  return call("downloads_status");
}

export function pauseDownloads(): Promise<void> {
  return call("pause_downloads");
}

export function resumeDownloads(): Promise<void> {
  return call("resume_downloads");
}

export function onDownloadsStatus(callback: (status: DownloadsStatus) => void): Promise<Unlisten> {
  return subscribe(DOWNLOADS_STATUS_EVENT, callback);
}

// Browsing: catalog pages from the service (cached in the library, so they open offline from
// what this computer has seen; `source` says which), and what lives only here.

/** "Recently played" and "Available offline": from the library, at once, offline too. */
export function homeShelves(): Promise<HomeShelves> {
  return call("home_shelves");
}

/** The service's picks and the newest albums (offline: the newest albums seen here). */
export function homeFeed(): Promise<HomeFeedView> {
  return call("home_feed");
}

export function albumPage(id: string): Promise<AlbumPage> {
  return call("album_page", { id });
}

export function artistPage(id: string): Promise<ArtistPage> {
  return call("artist_page", { id });
}

/** What is kept offline with its downloads counted, the streaming cache and the quota. */
export function downloadsPage(): Promise<DownloadsPage> {
  return call("downloads_page");
}

/** Stops keeping anything offline and deletes every download. */
export function removeAllDownloads(): Promise<void> {
  return call("remove_all_downloads");
}

export function retryFailedDownloads(): Promise<void> {
  return call("retry_failed_downloads");
}

/** A page of the play history, newest first; pass the previous page's `next_cursor`. */
export function playHistory(cursor: string | null): Promise<Page<PlayedTrack>> {
  return call("play_history", { cursor });
}

/**
 * URL of an album's cover, served by the Rust side's `cover` URI scheme. `version` (the
 * cover's path at the service, which changes with each new cover of an uploaded track) only
 * makes a new URL, so the web view does not show the old image it cached.
 */
export function coverUrl(albumId: string, version?: string | null): string {
  try {
    const url = convertFileSrc(albumId, COVER_SCHEME);
    return version ? `${url}?v=${encodeURIComponent(version)}` : url;
  } catch {
    // Outside Tauri (plain browser dev) there is no scheme; the <img> falls back.
    return "";
  }
}
export * from "./lyrics";
export * from "./scrobbling";
export * from "./local_files";
export * from "./local_playlists";
