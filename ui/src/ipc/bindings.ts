// Generated from crates/model by `UPDATE_BINDINGS=1 cargo test -p strato-model`.
// Do not edit by hand.

export type ErrorKind = "not_signed_in" | "auth" | "network" | "server" | "not_found" | "forbidden" | "playback" | "unsupported_format" | "damaged_media" | "corrupt_download" | "storage_full" | "storage" | "no_output_device" | "invalid_input" | "untrusted" | "internal";
export type AppError = { kind: ErrorKind, message: string, };
export type Session = { service_url: string, username: string, kind: ServiceKind, features: Features, };
export type SignInStep = { "step": "signed_in", session: Session, } | { "step": "challenge", challenge: SignInChallenge, };
export type SignInChallenge = { 
/**
 * Names this challenge when answering it; a newer sign-in makes it stale.
 */
id: string, kind: ChallengeKind, 
/**
 * What to do, as a sentence: "To sign in, choose a new password."
 */
prompt: string, };
export type ChallengeKind = { "kind": "new_password" } | { "kind": "authenticator_code" } | { "kind": "sms_code", destination: string | null, };
export type StaySignedIn = { available: boolean, 
/**
 * Why it is unavailable, or a caveat when it is (the Linux kernel keyring forgets at
 * logout).
 */
reason: string | null, };
export type ServiceTrust = { 
/**
 * The developer setting (`STRATO_ALLOW_INSECURE_SERVICE`) is on: any address is
 * accepted, even without https, and the service may name its own sign-in endpoint. The
 * sign-in screen shows a warning while it is.
 */
allow_insecure: boolean, };
export type CodeDelivery = { destination: string | null, 
/**
 * `EMAIL` or `SMS`.
 */
medium: string | null, };
export type SignUpOutcome = { 
/**
 * `false` until the code sent to `delivery` is confirmed.
 */
confirmed: boolean, delivery: CodeDelivery, };
export type RememberedAccount = { service_url: string, username: string, 
/**
 * Whether it is the account signed in now.
 */
current: boolean, };
export type ServiceKind = "strato" | "open_subsonic";
export type Features = { 
/**
 * Listeners upload their own music to it, and share it with others (Explore).
 */
uploads: boolean, 
/**
 * Synced lyrics for its tracks.
 */
lyrics: boolean, 
/**
 * Tracks, albums and artists can be starred (favourites kept by the server).
 */
stars: boolean, 
/**
 * Playlists carry revisions, so a stale write is refused by the server itself; without
 * them a conflict is found by comparing with the playlist as last seen.
 */
playlist_revisions: boolean, 
/**
 * The library's playlists are kept in step with the service's.
 */
playlist_sync: boolean, 
/**
 * Its tracks can be kept on this computer to play offline.
 */
downloads: boolean, 
/**
 * The whole catalog can be listed page by page (the Catalog screen).
 */
catalog: boolean, 
/**
 * It pushes what changed on the listener's other devices as it happens, and playback
 * moves between them.
 */
live_updates: boolean, 
/**
 * It records what was played (Subsonic's `scrobble`).
 */
scrobble: boolean, };
export type ReplayGain = { track_gain_db: number, track_peak: number, album_gain_db: number, album_peak: number, };
export type Listener = { 
/**
 * The account's stable id (its Cognito `sub`): `GET /v1/users/{id}`.
 */
id: string, name: string, };
export type Track = { id: string, title: string, artist_id: string, artist_name: string, album_id: string, album_title: string, track_number: number, duration_ms: number, 
/**
 * CDN path of the album's cover art, relative to `cdn_base_url`.
 */
cover_path: string | null, replaygain: ReplayGain | null, 
/**
 * Who uploaded it; `None` for the service's own catalog.
 */
owner?: Listener, };
export type Page<T> = { items: Array<T>, next_cursor: string | null, };
export type CatalogPage = { items: Array<Track>, 
/**
 * Pass it back for the next page; `None` when this page ends the list. Opaque.
 */
next_cursor: string | null, status: CatalogStatus, };
export type CatalogStatus = { 
/**
 * How many tracks the list holds now; `None` when it is read from the service page by
 * page (no library) and the end is not known.
 */
total: number | null, 
/**
 * A walk of the service's listing is refreshing the list.
 */
refreshing: boolean, 
/**
 * Tracks that walk (or the last one) has read so far.
 */
walked: number, 
/**
 * When a walk last read the whole listing (Unix seconds); `None` if none ever did here.
 */
listed_at: number | null, 
/**
 * Why the list may be out of date: offline, or the last walk failed. In words.
 */
problem: AppError | null, };
export type CatalogChange = { status: CatalogStatus, 
/**
 * `None` when the tracks listed read exactly as before (only the status moved).
 */
changed: CatalogSplice | null, };
export type CatalogSplice = { kept: number, 
/**
 * The cursor to read on from (`None`: from the start).
 */
cursor: string | null, };
export type Album = { id: string, title: string, artist_id: string, artist_name: string, year: number, track_count: number, 
/**
 * Tracks meant to run into each other with no silence (a live set, a suite).
 */
gapless: boolean, cover_path: string | null, };
export type Artist = { id: string, name: string, };
export type SearchResults = { tracks: Array<Track>, albums: Array<Album>, artists: Array<Artist>, };
export type PlaybackState = "idle" | "loading" | "playing" | "buffering" | "paused" | "ended" | "error";
export type OutputStatus = { "kind": "available", device: string, } | { "kind": "standing_in", device: string, wanted: string, } | { "kind": "unavailable", reason: string, };
export type RepeatMode = "off" | "all" | "one";
export type PlayerStatus = { state: PlaybackState, track: Track | null, position_ms: number, duration_ms: number | null, output: OutputStatus, error: AppError | null, 
/**
 * How far into the track its audio has been fetched.
 */
buffered_ms: number, shuffle: boolean, repeat: RepeatMode, 
/**
 * 0.0 (silent) to 1.0.
 */
volume: number, 
/**
 * What the sound goes through on its way out, while a stream plays.
 */
signal: SignalPath | null, };
export type SignalPath = { source_rate: number, source_channels: number, output_rate: number, output_channels: number, 
/**
 * The bits of the samples the device takes, when the output says.
 */
output_bits: number | null, 
/**
 * Whether those samples are floating point (else integers).
 */
output_float: boolean, 
/**
 * The music is converted to the device's rate (band-limited, in the engine).
 */
resampled: boolean, 
/**
 * The equaliser shapes the sound (it is on and not flat).
 */
equalized: boolean, 
/**
 * The true-peak limiter guards the output (for a loudness target above -18 LUFS, a
 * boosting equaliser or crossfade): it delays the sound 1.5 ms and lowers only what
 * would pass -1 dBTP.
 */
limited: boolean, };
export type QueueEntry = { entry_id: number, track_id: string, 
/**
 * The track's data (`None` for a file or URL played without the catalog).
 */
track: Track | null, 
/**
 * Added with "play next" or "add to queue": it plays before the rest of the list.
 */
queued: boolean, };
export type QueuePage = { 
/**
 * The entries' [`QueueView::revision`]: a page of another revision is of another queue.
 */
revision: number, offset: number, entries: Array<QueueEntry>, };
export type QueueView = { 
/**
 * Changes whenever the entries or their order change, not when only the place in them
 * moves: entries read at one revision stay valid until it changes.
 */
revision: number, length: number, 
/**
 * The index of the entry heard now (or paused, or about to play).
 */
current: number | null, now_playing: QueueEntry | null, 
/**
 * The entry that plays when this one ends by itself: with repeat-one the same one,
 * with repeat-all the first after the last, with shuffle the next in the shuffled order.
 */
plays_next: QueueEntry | null, 
/**
 * Entries around the one heard, sent when the entries changed (`None` when only the
 * place in them moved: what was read before still holds).
 */
window: QueuePage | null, };
export type OfflineState = "none" | "queued" | "downloading" | "available" | "failed";
export type OfflineTarget = { "kind": "track", "id": string } | { "kind": "album", "id": string } | { "kind": "playlist", "id": string };
export type SyncStatus = { state: SyncState, 
/**
 * Edits waiting to reach the service.
 */
unsynced_edits: number, 
/**
 * When everything was last in step with the service (Unix seconds).
 */
last_synced_at: number | null, 
/**
 * Why the last attempt failed: a kind the UI may branch on and a sentence to show.
 */
error: AppError | null, 
/**
 * What the conflict policy did that the listener should know, until dismissed.
 */
notices: Array<SyncNotice>, 
/**
 * How other devices' changes arrive.
 */
live: LiveUpdates, };
export type SyncState = "idle" | "syncing" | "offline" | "error";
export type LiveUpdates = "live" | "connecting" | "polling";
export type SyncNotice = { id: number, message: string, created_at: number, };
export type DownloadsStatus = { paused: boolean, 
/**
 * Tracks downloading now.
 */
active: number, 
/**
 * Tracks kept and verified.
 */
done: number, failed: number, 
/**
 * Tracks asked for.
 */
total: number, 
/**
 * Bytes of the tracks kept, offline music and the stream cache together.
 */
bytes_used: number, 
/**
 * The part of `bytes_used` that is the stream cache: tracks kept because they were
 * heard, deleted first when room is needed.
 */
bytes_cached: number, quota_bytes: number, 
/**
 * The last failure: its kind (a full disk or quota, a damaged file, the network, ...)
 * and a sentence to show.
 */
error: AppError | null, };
export type PlaylistItemEdit = { "kind": "add", track_ids: Array<string>, position: number | null, } | { "kind": "remove", item_id: string, } | { "kind": "move", item_id: string, after: string | null, };
export type HomeFeed = { generated_at: number, next_reshuffle_at: number, tracks: Array<Track>, albums: Array<Album>, };
export type PageSource = { "kind": "service" } | { "kind": "library", reason: AppError, };
export type HomeShelves = { 
/**
 * Tracks heard lately, each once, the latest first.
 */
recently_played: Array<Track>, 
/**
 * Albums, playlists and tracks kept for offline listening, the latest asked for first.
 */
offline: Array<OfflineItem>, };
export type HomeFeedView = { 
/**
 * The service's picks, reshuffled by the service every few hours; `None` when it could
 * not be asked (they are the service's to choose).
 */
picks: HomeFeed | null, 
/**
 * Albums, newest first: the service's, or (offline) the newest this computer has seen.
 */
new_albums: Array<Album>, source: PageSource, };
export type AlbumPage = { album: Album, 
/**
 * In track order; offline, the ones this computer has seen.
 */
tracks: Array<Track>, 
/**
 * The listener keeps the album for offline listening.
 */
kept_offline: boolean, 
/**
 * How far its downloads got.
 */
offline: OfflineProgress, source: PageSource, };
export type ArtistPage = { artist: Artist, 
/**
 * Newest first.
 */
albums: Array<Album>, 
/**
 * The albums' tracks, album by album in the same order, each in track order.
 */
tracks: Array<Track>, source: PageSource, };
export type OfflineProgress = { 
/**
 * Tracks it stands for.
 */
tracks: number, 
/**
 * Of those, downloaded and verified: they play without the network.
 */
downloaded: number, 
/**
 * Of those, failed (retried later, or by "Retry").
 */
failed: number, 
/**
 * Bytes the downloaded ones take on disk.
 */
bytes: number, };
export type OfflineItem = { 
/**
 * What it is; give it back to `set_offline(target, false)` to remove it.
 */
target: OfflineTarget, title: string, 
/**
 * The artist of an album or a track; empty for a playlist.
 */
subtitle: string, 
/**
 * The album whose cover stands for it (a playlist's first track's), if known.
 */
cover_album_id: string | null, 
/**
 * The artist to link to, for an album or a track.
 */
artist_id: string | null, progress: OfflineProgress, 
/**
 * When the listener asked (Unix seconds).
 */
requested_at: number, };
export type DownloadsPage = { 
/**
 * What the listener keeps offline, the latest asked for first.
 */
items: Array<OfflineItem>, 
/**
 * Tracks kept because they were heard at length (the streaming cache, cleared first
 * when room is needed).
 */
cached_tracks: number, cached_bytes: number, 
/**
 * The downloads as a whole: the quota, the bytes used, what is running or failed.
 */
status: DownloadsStatus, };
export type PlayedTrack = { track_id: string, 
/**
 * The track's data, when this computer has it.
 */
track: Track | null, 
/**
 * When it started (Unix seconds).
 */
played_at: number, 
/**
 * How much of it was heard.
 */
ms_played: number, };
export type Settings = { playback: PlaybackSettings, output: OutputSettings, quality: QualitySettings, storage: StorageSettings, appearance: AppearanceSettings, desktop: DesktopSettings, 
/**
 * The equaliser of each output device.
 */
sound: SoundSettings, 
/**
 * A language tag ("en", "de"); `None` follows the system's.
 */
language: string | null, 
/**
 * What this computer is called among the listener's devices; `None`: the computer's
 * own name.
 */
device_name: string | null, 
/**
 * Send the service anonymous playback reports (counts by the hour: waits, stalls,
 * errors by kind; `docs/api.md`, "Telemetry"). Off unless the listener turns it on.
 */
share_playback_reports: boolean, 
/**
 * Lyrics only from this computer (a file's own, and those kept from earlier lookups):
 * the track's artist and title are not sent to LRCLIB or the listener's server.
 */
lyrics_local_only: boolean, 
/**
 * Shortcuts the listener changed: an action's name to its keys ("Ctrl+Right").
 */
shortcuts: { [key in string]: string }, };
export type PlaybackSettings = { 
/**
 * 0.0 (silent) to 1.0 (unchanged).
 */
volume: number, muted: boolean, shuffle: boolean, repeat: RepeatMode, };
export type OutputSettings = { 
/**
 * The device's id or name; `None` plays through the system's default.
 */
device: string | null, 
/**
 * Run the device at each track's own sample rate when it can (reopening it between
 * tracks of different rates), instead of converting every track to the device's rate.
 */
match_source_rate: boolean, 
/**
 * Seconds the end of a track overlaps the start of the next, one fading out as the
 * other fades in (0 to 12; 0: none, tracks follow each other gaplessly). Tracks of one
 * album played in order are never crossfaded.
 */
crossfade_seconds: number, };
export type QualitySettings = { streaming: QualityChoice, format: FormatChoice, 
/**
 * The quality tracks are downloaded in for offline listening.
 */
downloads: QualityChoice, 
/**
 * How far ahead of the listener a stream is fetched.
 */
buffer_seconds: number, replay_gain: ReplayGainChoice, 
/**
 * Added to every track's gain, in dB (-15 to +15).
 */
preamp_db: number, 
/**
 * The loudness every track (or album) is brought to, by its `ReplayGain` or, for a track
 * without, by its loudness as measured when it was first played in full or downloaded.
 */
loudness_target: LoudnessTarget, };
export type QualityChoice = "auto" | "low" | "normal" | "high";
export type FormatChoice = "hls" | "mp3";
export type ReplayGainChoice = "track" | "album" | "off";
export type LoudnessTarget = "lufs14" | "lufs18" | "lufs23";
export type StorageSettings = { 
/**
 * One limit for downloads and the stream cache together, in megabytes. A JSON number
 * (exact far beyond any disk), not a `bigint`.
 */
quota_mb: number, 
/**
 * Where downloads and the library live; `None`: the OS's data folder for Strato.
 */
data_dir: string | null, };
export type AppearanceSettings = { theme: ThemeChoice, 
/**
 * The whole window's text, in percent (80 to 200).
 */
text_scale_percent: number, compact_rows: boolean, };
export type DesktopSettings = { 
/**
 * Closing the window hides it and the music plays on, from the tray; Quit (in the tray
 * or the app's menu) ends Strato. Off: closing the window quits, as most apps do. (On
 * macOS a closed window always leaves the app running, as the OS's apps do.)
 */
close_to_tray: boolean, 
/**
 * A desktop notification with the cover when a new track starts, while the window is
 * not in front.
 */
notify_track_change: boolean, 
/**
 * Strato takes the media keys itself (a global grab), for desktops that do not pass
 * them to players through the media session. Taken anyway where there is no media
 * session.
 */
take_media_keys: boolean, 
/**
 * Ask the update server for a newer Strato when the app starts and once a day.
 */
check_for_updates: boolean, };
export type ThemeChoice = "system" | "light" | "dark";
export type SettingKey = "output_device" | "streaming_quality" | "stream_format" | "buffer_seconds" | "replay_gain" | "storage_quota" | "data_dir";
export type SettingsView = { settings: Settings, overridden: Array<SettingKey>, 
/**
 * The settings file; `None` when this run keeps none.
 */
file: string | null, 
/**
 * Something about the file the listener should know: it was damaged, written by a
 * newer Strato, or could not be saved (a `storage` error, worded for the listener).
 */
notice: AppError | null, };
export type CacheCleared = { tracks: number, bytes: number, };
export type DataFolderView = { 
/**
 * `None`: this run keeps nothing on the disk.
 */
path: string | null, 
/**
 * The OS's data folder for Strato, not one the listener chose.
 */
is_default: boolean, };
export type DataFolderMoved = { 
/**
 * Where the music is now.
 */
path: string, files: number, bytes: number, 
/**
 * What could not be deleted from the old folder, in words (the move itself succeeded).
 */
leftover: AppError | null, };
export type Theme = "light" | "dark";
export type Appearance = { 
/**
 * `None`: as the system is, which the web view knows itself (its
 * `prefers-color-scheme`, as on Windows and macOS).
 */
theme: Theme | null, text_scale_percent: number, compact_rows: boolean, };
export type OutputDeviceView = { 
/**
 * What the system calls it; what the settings keep.
 */
name: string, is_default: boolean, };
export type OutputDevices = { devices: Array<OutputDeviceView>, 
/**
 * False when this run plays to a file or nowhere (`STRATO_AUDIO_OUTPUT`): there is
 * no device to choose.
 */
choosable: boolean, };
export type AboutView = { version: string, 
/**
 * Where the logs are written; `None` when this run writes none to a file.
 */
log_dir: string | null, };
export type LaunchPage = { "kind": "album", id: string, } | { "kind": "playlist", id: string, };
export type LaunchOutcome = { 
/**
 * The page to show, if it named one.
 */
page: LaunchPage | null, 
/**
 * Why it could not be done, in words for the listener.
 */
error: AppError | null, };
export type DesktopWords = { nothing_playing: string, play: string, pause: string, next: string, previous: string, show: string, hide: string, mini_player: string, quit: string, };
export type UpdateOffer = { 
/**
 * The new version ("1.4.0").
 */
version: string, 
/**
 * The running one.
 */
current_version: string, 
/**
 * What changed, in the publisher's words (plain text, may be empty).
 */
notes: string, 
/**
 * When it was published (RFC 3339), if the server said.
 */
published: string | null, 
/**
 * Whether this copy can replace itself: installed from one of Strato's packages (the
 * Windows and macOS installers, the `.deb`, `.rpm` or `AppImage`). A copy built from
 * source or installed by a distribution is updated the way it was installed.
 */
can_install: boolean, };
export type UpdatePhase = "idle" | "checking" | "up_to_date" | "available" | "downloading" | "ready" | "installing";
export type UpdateStep = "check" | "download" | "install";
export type UpdateStatus = { phase: UpdatePhase, 
/**
 * What is offered, from `Available` on.
 */
offer: UpdateOffer | null, 
/**
 * Bytes downloaded so far, while `Downloading` (and the whole, once `Ready`).
 */
received_bytes: number, 
/**
 * The download's size, when the server said.
 */
total_bytes: number | null, 
/**
 * Why the last step failed, in words: a check the listener asked for, a download, a
 * signature that did not verify, an install. Automatic checks that find no network
 * leave none (they are tried again the next day).
 */
error: AppError | null, 
/**
 * The step `error` came from.
 */
failed_step: UpdateStep | null, 
/**
 * When the server was last asked (RFC 3339), in this run.
 */
last_checked: string | null, };
export type Visibility = "private" | "public";
export type UploadDetails = { title?: string | null, artist?: string | null, album?: string | null, track_number?: number | null, };
export type AudioFormat = { 
/**
 * What a listener calls it: "FLAC", "MP3", "ALAC".
 */
name: string, 
/**
 * File name extensions, lower case, without the dot.
 */
extensions: Array<string>, };
export type UploadLimits = { max_file_bytes: number, max_duration_ms: number, 
/**
 * The caller's storage: the sizes of their uploads that are not deleted.
 */
quota_bytes: number, used_bytes: number, formats: Array<AudioFormat>, };
export type UploadStatus = "uploading" | "processing" | "ready" | "failed";
export type FailureKind = "not_audio" | "too_long" | "checksum_mismatch" | "internal";
export type UploadFailure = { kind: FailureKind, 
/**
 * In words a listener understands, e.g. "this file is not audio we can read".
 */
message: string, };
export type Takedown = { reason: string, at: number, };
export type Upload = { 
/**
 * `up-…`: also the track's id.
 */
id: string, file_name: string, size: number, status: UploadStatus, 
/**
 * While processing: 0.0 to 1.0.
 */
progress: number, visibility: Visibility, details: UploadDetails, failure: UploadFailure | null, takedown: Takedown | null, 
/**
 * When ready: the track as listeners see it.
 */
track: Track | null, created_at: number, updated_at: number, };
export type UploadPatch = { title?: string | null, artist?: string | null, album?: string | null, track_number?: number | null, visibility?: Visibility | null, };
export type PlaylistSummary = { id: string, name: string, description: string, revision: number, item_count: number, updated_at: number, public: boolean, };
export type ListenerProfile = { listener: Listener, 
/**
 * Their public, ready tracks, newest first.
 */
tracks: Array<Track>, 
/**
 * Their public playlists, oldest first.
 */
playlists: Array<PlaylistSummary>, };
export type SharedPlaylist = { playlist: PlaylistSummary, items: Array<PlaylistItem>, 
/**
 * The tracks of the first [`SHARED_PLAYLIST_TRACKS`] items the service still offers;
 * the rest are read (`shared_tracks`) as the list scrolls to them.
 */
tracks: Array<Track>, };
export type TransferState = "queued" | "uploading" | "paused" | "processing" | "ready" | "failed";
export type Transfer = { 
/**
 * This computer's id for it (pause, resume, cancel take it).
 */
id: string, file_name: string, size: number, bytes_sent: number, 
/**
 * Bytes per second lately, while sending.
 */
bytes_per_sec: number, state: TransferState, 
/**
 * Why it failed or waits, in words.
 */
message: string | null, visibility: Visibility, details: UploadDetails, 
/**
 * The track it became (also the service's upload id, once announced).
 */
track_id: string | null, };
export type TransfersStatus = { transfers: Array<Transfer>, bytes_sent: number, bytes_total: number, 
/**
 * The last failure to show, if any.
 */
error: AppError | null, };
export type UploadCandidate = { path: string, file_name: string, size: number, 
/**
 * The kind of file ("FLAC"), or `None` when the service does not take it.
 */
format: string | null, details: UploadDetails, duration_ms: number | null, 
/**
 * Why it cannot be sent, in words (too large, not a kind the service takes), checked
 * against the service's limits before anything is sent.
 */
refusal: string | null, };
export type UploadCandidates = { candidates: Array<UploadCandidate>, limits: UploadLimits | null, };
export type UploadRequest = { path: string, details: UploadDetails, visibility: Visibility, };
export type DevicesView = { 
/**
 * The live channel is open: the list is current and commands can be sent. Otherwise
 * the list is empty (nothing is known of the other devices).
 */
reachable: boolean, 
/**
 * This device first, then the others by name.
 */
devices: Array<DeviceView>, 
/**
 * The last command that could not be carried out, in words, until the next one is.
 */
problem: AppError | null, };
export type DeviceView = { device_id: string, name: string, 
/**
 * `linux`, `macos`, `windows`, or what another app says.
 */
os: string, this_device: boolean, 
/**
 * What it plays (`None`: it has said nothing yet).
 */
playback: RemotePlayback | null, };
export type RemotePlayback = { track: RemoteTrack | null, playing: boolean, position_ms: number, 
/**
 * 0.0 to 1.0.
 */
volume: number, };
export type RemoteTrack = { track_id: string, title: string, artist: string, duration_ms: number, };
export type RemoteCommand = { "action": "play" } | { "action": "pause" } | { "action": "next" } | { "action": "previous" } | { "action": "seek", position_ms: number, } | { "action": "volume", volume: number, } | { "action": "hand_to", device_id: string, };
export type DiagnosticsView = { 
/**
 * The last 24 hours, oldest first, the current hour last.
 */
hours: Array<HourOfPlay>, 
/**
 * The latest plays that ended on an error, newest first.
 */
recent_errors: Array<PlayProblem>, 
/**
 * Where sound goes now (`None`: no output).
 */
output_device: string | null, };
export type HourOfPlay = { 
/**
 * The hour's start, Unix seconds.
 */
starts_at: number, plays: number, 
/**
 * The median wait from a play asked for to its first audio, over the plays that waited.
 */
median_first_audio_ms: number | null, stalls: number, stalled_ms: number, bitrate_switches: number, };
export type PlayProblem = { 
/**
 * When the play began, Unix seconds.
 */
at: number, track_id: string, 
/**
 * The track's title, when the library knows it.
 */
title: string | null, error: AppError, };
export type ExportedDiagnostics = { 
/**
 * Where it was written.
 */
path: string, 
/**
 * Files in it.
 */
entries: number, 
/**
 * Its size.
 */
bytes: number, };
export type FilterKind = "peaking" | "low_shelf" | "high_shelf" | "low_pass" | "high_pass";
export type EqBand = { kind: FilterKind, frequency_hz: number, gain_db: number, 
/**
 * Quality: higher is narrower (0.1 to 20; 0.707 is a shelf without overshoot).
 */
q: number, 
/**
 * A band switched off is kept, and not heard.
 */
enabled: boolean, };
export type EqMode = "graphic" | "parametric";
export type EqualizerSettings = { enabled: boolean, mode: EqMode, 
/**
 * The graphic equaliser's gain per band of [`GRAPHIC_BANDS_HZ`], in dB.
 */
graphic_db: Array<number>, 
/**
 * The graphic preset the gains came from, while they are unchanged ("rock").
 */
preset: string | null, 
/**
 * The parametric equaliser's bands, in the order they are applied.
 */
bands: Array<EqBand>, 
/**
 * The name of the headphone correction profile the bands came from, when imported.
 */
profile: string | null, 
/**
 * A pre-amp the listener set, in dB. `None` follows the largest boost of the curve, so
 * that the equalised sound never exceeds full scale before the limiter.
 */
preamp_db: number | null, };
export type SoundSettings = { equalizers: { [key in string]: EqualizerSettings }, };
export type EqPreset = { name: string, gains_db: Array<number>, };
export type EqualizerView = { 
/**
 * The device these settings belong to (`None`: the system's default).
 */
device: string | null, settings: EqualizerSettings, 
/**
 * The total response, in dB, at [`Self::curve_hz`], pre-amp included.
 */
curve_db: Array<number>, 
/**
 * Log-spaced frequencies from 20 Hz to 20 kHz.
 */
curve_hz: Array<number>, 
/**
 * The pre-amp in force: the listener's, or the one following the largest boost.
 */
preamp_db: number, 
/**
 * The graphic equaliser's presets.
 */
presets: Array<EqPreset>, };
export type LibraryPlaylist = { id: string, name: string, description: string, item_count: number, 
/**
 * Edits made here that the service has not acknowledged yet (0 = in sync).
 */
unsynced_edits: number, 
/**
 * The listener asked to keep it for offline listening (new tracks download too).
 */
offline: boolean, 
/**
 * Shown on the listener's page for everyone (as the service last said).
 */
public: boolean, 
/**
 * Its length: the sum of the tracks the app has seen.
 */
duration_ms: number, };
export type PlaylistView = { playlist: LibraryPlaylist, items: Array<PlaylistItem>, 
/**
 * The tracks of the first [`PLAYLIST_FIRST_TRACKS`] items that the app has seen.
 */
tracks: Array<Track>, };
export type PlaylistItem = { item_id: string, track_id: string, offline: OfflineState, 
/**
 * False when the service said the track is no longer available (deleted or taken down):
 * shown as such, never played.
 */
available: boolean, };
export type PlaylistEntry = { item_id: string, track_id: string, 
/**
 * The track's data, when the app has seen it (a playlist synced from another device
 * may name tracks not fetched yet).
 */
track: Track | null, offline: OfflineState, };
export type PlaylistChanges = { 
/**
 * The playlist's details now (its item count, its edits waiting for sync). Its id may
 * differ from the one the command named: sync may have given the playlist the
 * service's id meanwhile.
 */
playlist: LibraryPlaylist, 
/**
 * In the order they apply.
 */
changes: Array<PlaylistChange>, };
export type PlaylistChange = { "kind": "added", position: number, items: Array<PlaylistEntry>, } | { "kind": "removed", item_ids: Array<string>, } | { "kind": "moved", item_ids: Array<string>, position: number, };
export type PlaylistImport = { 
/**
 * The name the file gives (M3U's `#PLAYLIST:`, XSPF's title), else the file's name.
 */
name: string, format: PlaylistFileFormat, 
/**
 * How many tracks the file lists.
 */
entries: number, 
/**
 * The tracks matched, in the file's order: the service's, and files on this computer
 * (`file://` ids, matched by their path), which go into a playlist on this computer.
 */
matched: Array<Track>, 
/**
 * How many of `matched` are files on this computer.
 */
local_matched: number, 
/**
 * The entries no track matched, in the file's order.
 */
unmatched: Array<UnmatchedEntry>, };
export type PlaylistFileFormat = "m3u" | "xspf";
export type UnmatchedEntry = { 
/**
 * Its place in the file, from 1.
 */
position: number, 
/**
 * What the file says it is: "Artist – Title", else its file name or address.
 */
label: string, reason: UnmatchedReason, };
export type UnmatchedReason = { "kind": "nothing_to_look_for" } | { "kind": "not_found" } | { "kind": "length_differs", expected_ms: number, closest_ms: number, } | { "kind": "ambiguous", count: number, };
export type LocalPlaylistSummary = { 
/**
 * `local-playlist:<uuid>`.
 */
id: string, name: string, 
/**
 * How many items it holds, missing ones included.
 */
items: number, 
/**
 * Of those, items whose file cannot be played from where it is named: neither in the
 * music folders nor on disk, or there but damaged.
 */
missing: number, 
/**
 * Its length: every item's, a missing one's as last known.
 */
duration_ms: number, 
/**
 * When its name or items last changed, Unix milliseconds.
 */
updated_at_ms: number, 
/**
 * One more at every change of its name or items: an edit computed from positions
 * (the Undo of a removal) names the revision it was computed at, and is refused if
 * another change came first.
 */
revision: number, };
export type LocalPlaylistPage = { id: string, name: string, 
/**
 * The revision these items are at (see [`LocalPlaylistSummary::revision`]).
 */
revision: number, items: Array<LocalPlaylistItem>, };
export type LocalPlaylistItem = { 
/**
 * The item's own id, which stays with it through every move: what removing and moving
 * it name (a playlist may hold the same file twice).
 */
item_id: string, 
/**
 * Its place, from 0.
 */
position: number, 
/**
 * The file's track (its id is the file's `file://` URL): from the index when the file
 * is there, else made of the tags last known.
 */
track: Track, 
/**
 * The file cannot be played from where it is named (neither in the music folders nor
 * on disk, or damaged): shown greyed, not played. A file outside the music folders that
 * is there plays.
 */
missing: boolean, };
export type LocalPlaylistEdited = { playlist: LocalPlaylistSummary, 
/**
 * The items the edit added, in order: what its Undo removes.
 */
added_item_ids: Array<string>, };
export type ImportedPlaylists = { 
/**
 * The account's playlist of the service's tracks, when the file named any.
 */
library: LibraryPlaylist | null, 
/**
 * The playlist on this computer of the files on this computer, when it named any.
 */
local: LocalPlaylistSummary | null, };
export type LyricsView = { track_id: string, lyrics: TrackLyrics, };
export type TrackLyrics = { "kind": "synced", lines: Array<LyricsLine>, source: LyricsOrigin, } | { "kind": "plain", text: string, source: LyricsOrigin, } | { "kind": "instrumental", source: LyricsOrigin, } | { "kind": "not_found", looked_online: boolean, };
export type LyricsLine = { 
/**
 * From the start of the track.
 */
at_ms: number, 
/**
 * Empty for a pause.
 */
text: string, };
export type LyricsOrigin = "lrclib" | "server" | "file" | "tags";
export type ScrobblingView = { 
/**
 * The `ListenBrainz` user the kept token belongs to; `None` when not connected.
 */
listenbrainz_user: string | null, 
/**
 * Plays are reported to the account's server (a Subsonic account's `scrobble`).
 */
server_scrobbles: boolean, 
/**
 * Listens heard and not sent yet (offline, or the service not answering), all targets.
 */
pending: number, 
/**
 * Why the last attempt to send failed, in words, until one succeeds.
 */
last_error: string | null, };
export type StarKind = "track" | "album" | "artist";
export type StarRef = { kind: StarKind, id: string, };
export type StarredPage = { tracks: Array<Track>, albums: Array<Album>, artists: Array<Artist>, 
/**
 * Stars toggled on this computer that the server has not taken yet (made offline):
 * those starred are not on the page until it has.
 */
waiting: number, };
export type LocalFilesView = { 
/**
 * Why local files cannot be used now (this run keeps no files, the index on disk cannot
 * be read, the data folder is being moved), with the kind a window in another language
 * words it by; `None` when they can.
 */
unavailable: AppError | null, 
/**
 * The folders added, by path.
 */
folders: Array<LocalFolder>, 
/**
 * Tracks that play, in every folder.
 */
tracks: number, 
/**
 * What the scan under way has done so far; `None` when none runs.
 */
scanning: LocalScanProgress | null, 
/**
 * Why the last scan stopped short, until one ends well.
 */
scan_problem: AppError | null, 
/**
 * Why changes on disk are not followed as they happen (they are then seen at the next
 * start or rescan).
 */
watch_problem: AppError | null, 
/**
 * Files found that cannot be played, with why: the first [`LocalFilesView::FAILED_LISTED`]
 * by path.
 */
failed: Array<LocalFailedFile>, 
/**
 * How many files cannot be played in all.
 */
failed_count: number, 
/**
 * Goes up each time the tracks, albums or artists may have changed (a scan's batch
 * written, a file the watcher saw, a folder removed): a page showing them reads them
 * again when it moves.
 */
revision: number, };
export type LocalFolder = { 
/**
 * As added: absolute, links resolved; what the `remove_local_folder` command takes.
 */
path: string, 
/**
 * Its files that play.
 */
tracks: number, 
/**
 * Its files that cannot be played.
 */
failed: number, state: LocalFolderState, };
export type LocalFolderState = "ready" | "missing" | "unreadable";
export type LocalScanProgress = { 
/**
 * Audio files found on disk so far.
 */
found: number, 
/**
 * Of those, found as the index had them (not opened again).
 */
unchanged: number, 
/**
 * Files new or changed that were read.
 */
read: number, 
/**
 * Of those read, files that cannot be played.
 */
failed: number, 
/**
 * Files gone from disk, taken out of the index.
 */
removed: number, };
export type LocalFailedFile = { path: string, 
/**
 * Why, for the window to word in its language.
 */
problem: LocalFileProblem, 
/**
 * Why, in English ("This file is damaged or incomplete, so Strato cannot play it."),
 * with the system's own words for an I/O error: what an English window shows.
 */
reason: string, };
export type LocalFileProblem = "not_audio" | "damaged" | "cut_short" | "no_sound" | "gone" | "not_allowed" | "unreadable";
export type LocalAlbumPage = { album: Album, 
/**
 * In disc and track order.
 */
tracks: Array<Track>, };
export type LocalArtistPage = { artist: Artist, 
/**
 * The albums whose album artist they are, by title.
 */
albums: Array<Album>, 
/**
 * The tracks they play or whose album is theirs, in album order.
 */
tracks: Array<Track>, };
