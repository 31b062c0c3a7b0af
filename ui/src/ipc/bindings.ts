// Generated from crates/model by `UPDATE_BINDINGS=1 cargo test -p strato-model`.
// Do not edit by hand.

export type ErrorKind = "not_signed_in" | "auth" | "network" | "server" | "not_found" | "playback" | "no_output_device" | "invalid_input" | "internal";
export type AppError = { kind: ErrorKind, message: string, };
export type Session = { service_url: string, username: string, };
export type ReplayGain = { track_gain_db: number, track_peak: number, album_gain_db: number, album_peak: number, };
export type Track = { id: string, title: string, artist_id: string, artist_name: string, album_id: string, album_title: string, track_number: number, duration_ms: number, 
/**
 * CDN path of the album's cover art, relative to `cdn_base_url`.
 */
cover_path: string | null, replaygain: ReplayGain | null, };
export type Page<T> = { items: Array<T>, next_cursor: string | null, };
export type PlaybackState = "idle" | "loading" | "playing" | "paused" | "ended" | "error";
export type OutputStatus = { "kind": "available", device: string, } | { "kind": "unavailable", reason: string, };
export type PlayerStatus = { state: PlaybackState, track: Track | null, position_ms: number, duration_ms: number | null, output: OutputStatus, error: AppError | null, };
