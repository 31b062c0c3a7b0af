import type { AppError, ErrorKind } from "../../ipc";
import { m } from "../../paraglide/messages.js";
import { localeStore } from "./locale.svelte";

/**
 * The core words its errors in English, each sentence made for its case ("Incorrect username
 * or password."): more specific than any kind, so an English window shows them as they are.
 * A window in another language shows its own sentence for the error's kind instead.
 */
const CORE_LANGUAGE = "en";

/** Whether the window speaks the language the core writes its sentences in. */
export function speaksCoreLanguage(): boolean {
  return localeStore.current === CORE_LANGUAGE;
}

// A record over the generated union: a kind added on the Rust side fails the type check here
// until it has its words.
const KIND_WORDS: Readonly<Record<ErrorKind, () => string>> = {
  not_signed_in: () => m.error_not_signed_in(),
  auth: () => m.error_auth(),
  network: () => m.error_network(),
  server: () => m.error_server(),
  not_found: () => m.error_not_found(),
  forbidden: () => m.error_forbidden(),
  playback: () => m.error_playback(),
  unsupported_format: () => m.error_unsupported_format(),
  damaged_media: () => m.error_damaged_media(),
  corrupt_download: () => m.error_corrupt_download(),
  storage_full: () => m.error_storage_full(),
  storage: () => m.error_storage(),
  no_output_device: () => m.error_no_output_device(),
  invalid_input: () => m.error_invalid_input(),
  untrusted: () => m.error_untrusted(),
  internal: () => m.error_internal(),
};

/** Marks an error the window made itself, its message already in the window's language. */
const WORDED_HERE = Symbol("worded by the window");

/**
 * An error the window raises itself ("Give the playlist a name."), worded in its language:
 * `errorWords` shows its message in every language. The mark survives a spread
 * (`{ ...error, action }`).
 */
export function windowError(kind: ErrorKind, message: string): AppError {
  return { kind, message, [WORDED_HERE]: true } as AppError;
}

/** An error as the listener reads it, in the window's language. */
export function errorWords(error: AppError): string {
  if (WORDED_HERE in error) return error.message;
  if (speaksCoreLanguage() && error.message.trim() !== "") return error.message;
  // A kind this window does not know yet (a newer core) keeps the core's words.
  return KIND_WORDS[error.kind]?.() ?? error.message;
}
