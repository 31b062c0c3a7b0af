import type { AppError, ErrorKind } from "./bindings";

const ERROR_KINDS: readonly ErrorKind[] = [
  "not_signed_in",
  "auth",
  "network",
  "server",
  "not_found",
  "playback",
  "no_output_device",
  "invalid_input",
  "internal",
];

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === "string" && (ERROR_KINDS as readonly string[]).includes(value);
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
