// The only module that talks to Tauri. Everything else calls these typed functions.
import { convertFileSrc, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { Page, PlayerStatus, Session, Track } from "./bindings";
import { toAppError } from "./errors";

export type * from "./bindings";
export type TrackPage = Page<Track>;
export { isAppError, toAppError } from "./errors";

export type Unlisten = () => void;

export const PLAYER_STATUS_EVENT = "player-status";
const COVER_SCHEME = "cover";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toAppError(error);
  }
}

export function defaultServiceUrl(): Promise<string> {
  return call("default_service_url");
}

export function session(): Promise<Session | null> {
  return call("session");
}

export function signIn(serviceUrl: string, username: string, password: string): Promise<Session> {
  return call("sign_in", { serviceUrl, username, password });
}

export function signOut(): Promise<void> {
  return call("sign_out");
}

export function catalogTracks(cursor: string | null): Promise<TrackPage> {
  return call("catalog_tracks", { cursor });
}

export function playTrack(trackId: string): Promise<void> {
  return call("play_track", { trackId });
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

export async function onPlayerStatus(callback: (status: PlayerStatus) => void): Promise<Unlisten> {
  try {
    return await listen<PlayerStatus>(PLAYER_STATUS_EVENT, (event) => callback(event.payload));
  } catch (error) {
    throw toAppError(error);
  }
}

/** URL of an album's cover, served by the Rust side's `cover` URI scheme. */
export function coverUrl(albumId: string): string {
  try {
    return convertFileSrc(albumId, COVER_SCHEME);
  } catch {
    // Outside Tauri (plain browser dev) there is no scheme; the <img> falls back.
    return "";
  }
}
