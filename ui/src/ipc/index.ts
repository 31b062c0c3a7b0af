// The only module that talks to Tauri. Everything else calls these typed functions.
import { convertFileSrc, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  AppError,
  CodeDelivery,
  Page,
  PlayerStatus,
  RememberedAccount,
  RepeatMode,
  Session,
  SignInStep,
  SignUpOutcome,
  StaySignedIn,
  Track,
} from "./bindings";
import { toAppError } from "./errors";

export type * from "./bindings";
export type TrackPage = Page<Track>;
export { isAppError, toAppError } from "./errors";

export type Unlisten = () => void;

export const PLAYER_STATUS_EVENT = "player-status";
const COVER_SCHEME = "cover";

/**
 * Commands about signing in. Their "auth" errors are about the attempt (wrong password,
 * wrong code); any other command's "auth" error means the session ended.
 */
const ACCOUNT_COMMANDS: ReadonlySet<string> = new Set([
  "sign_in",
  "answer_challenge",
  "restore_session",
  "sign_up",
  "confirm_sign_up",
  "resend_confirmation_code",
  "forgot_password",
  "confirm_forgot_password",
  // A refusal there is about the account switched to; the current session goes on.
  "switch_account",
]);

const sessionEndedListeners = new Set<(error: AppError) => void>();

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    const appError = toAppError(error);
    if (appError.kind === "auth" && !ACCOUNT_COMMANDS.has(command)) {
      for (const listener of sessionEndedListeners) listener(appError);
    }
    throw appError;
  }
}

/**
 * Calls `listener` when a command fails because the session ended (its refresh was refused).
 * The backend has already signed out and forgotten the kept session by then.
 */
export function onSessionEnded(listener: (error: AppError) => void): Unlisten {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

export function defaultServiceUrl(): Promise<string> {
  return call("default_service_url");
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

export function catalogTracks(cursor: string | null): Promise<TrackPage> {
  return call("catalog_tracks", { cursor });
}

export function playTrack(trackId: string): Promise<void> {
  return call("play_track", { trackId });
}

/** Replaces the queue with `trackIds` and plays the one at `start`. */
export function playQueue(trackIds: readonly string[], start: number): Promise<void> {
  return call("play_queue", { trackIds, start });
}

/** Plays the queue's track at `index` (an index into `PlayerStatus.queue`). */
export function jump(index: number): Promise<void> {
  return call("jump", { index });
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

/** 0 (silent) to 1 (full). */
export function setVolume(volume: number): Promise<void> {
  return call("set_volume", { volume: Math.min(1, Math.max(0, volume)) });
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
