import type { AppError, ErrorKind } from "./bindings";

// A record over the generated union: adding a kind on the Rust side fails the type check here
// until the UI knows it.
const KNOWN_KINDS: Readonly<Record<ErrorKind, true>> = {
  not_signed_in: true,
  auth: true,
  network: true,
  server: true,
  not_found: true,
  forbidden: true,
  playback: true,
  unsupported_format: true,
  damaged_media: true,
  corrupt_download: true,
  storage_full: true,
  storage: true,
  no_output_device: true,
  invalid_input: true,
  untrusted: true,
  internal: true,
};

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === "string" && Object.hasOwn(KNOWN_KINDS, value);
}

export function isAppError(value: unknown): value is AppError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return isErrorKind(candidate.kind) && typeof candidate.message === "string";
}

/**
 * Turns whatever `invoke` rejected with into an AppError. The Rust side
 * serialises its errors as `{kind, message}`; anything else (a plain string
 * from Tauri itself, a JS exception) becomes an "internal" error.
 */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return { kind: value.kind, message: value.message };
  if (value instanceof Error) return { kind: "internal", message: value.message };
  if (typeof value === "object" && value !== null) {
    const message = (value as Record<string, unknown>).message;
    // A newer backend may send a kind this UI doesn't know yet; keep its words.
    if (typeof message === "string") return { kind: "internal", message };
  }
  return { kind: "internal", message: String(value) };
}
