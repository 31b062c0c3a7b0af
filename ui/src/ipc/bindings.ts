// Generated from crates/model by `UPDATE_BINDINGS=1 cargo test -p strato-model`.
// Do not edit by hand.

export type ErrorKind = "not_signed_in" | "auth" | "network" | "server" | "not_found" | "forbidden" | "playback" | "unsupported_format" | "damaged_media" | "corrupt_download" | "storage_full" | "storage" | "no_output_device" | "invalid_input" | "untrusted" | "internal";
export type AppError = { kind: ErrorKind, message: string, };
export type Session = { service_url: string, username: string, };
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
export type ReplayGain = { track_gain_db: number, track_peak: number, album_gain_db: number, album_peak: number, };
export type Track = { id: string, title: string, artist_id: string, artist_name: string, album_id: string, album_title: string, track_number: number, duration_ms: number, 
/**
 * CDN path of the album's cover art, relative to `cdn_base_url`.
 */
cover_path: string | null, replaygain: ReplayGain | null, };
export type Page<T> = { items: Array<T>, next_cursor: string | null, };
export type Album = { id: string, title: string, artist_id: string, artist_name: string, year: number, track_count: number, 
/**
 * Tracks meant to run into each other with no silence (a live set, a suite).
 */
gapless: boolean, cover_path: string | null, };
export type Artist = { id: string, name: string, };
export type SearchResults = { tracks: Array<Track>, albums: Array<Album>, artists: Array<Artist>, };
export type PlaybackState = "idle" | "loading" | "playing" | "buffering" | "paused" | "ended" | "error";
export type OutputStatus = { "kind": "available", device: string, } | { "kind": "unavailable", reason: string, };
export type RepeatMode = "off" | "all" | "one";
export type PlayerStatus = { state: PlaybackState, track: Track | null, position_ms: number, duration_ms: number | null, output: OutputStatus, error: AppError | null, 
/**
 * How far into the track its audio has been fetched.
 */
buffered_ms: number, 
/**
 * The queue: the track heard is `queue[queue_index]`.
 */
queue: Array<Track>, queue_index: number | null, shuffle: boolean, repeat: RepeatMode, 
/**
 * 0.0 (silent) to 1.0.
 */
volume: number, };
export type LibraryPlaylist = { id: string, name: string, description: string, item_count: number, 
/**
 * Edits made here that the service has not acknowledged yet (0 = in sync).
 */
unsynced_edits: number, 
/**
 * The listener asked to keep it for offline listening (new tracks download too).
 */
offline: boolean, };
export type PlaylistView = { playlist: LibraryPlaylist, items: Array<PlaylistEntry>, };
export type PlaylistEntry = { item_id: string, track_id: string, 
/**
 * The track's data, when the app has seen it (a playlist synced from another device
 * may name tracks not fetched yet).
 */
track: Track | null, offline: OfflineState, };
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
notices: Array<SyncNotice>, };
export type SyncState = "idle" | "syncing" | "offline" | "error";
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
total: number, bytes_used: number, quota_bytes: number, 
/**
 * The last failure: its kind (a full disk or quota, a damaged file, the network, ...)
 * and a sentence to show.
 */
error: AppError | null, };
