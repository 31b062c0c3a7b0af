import { afterEach, describe, expect, it } from "vitest";
import type { AppError, ErrorKind } from "../../ipc";
import { errorWords, localeStore, windowError } from "./index";

afterEach(() => localeStore.use(null));

// A record, so a kind added on the Rust side fails the type check until it is tested here.
const EVERY_KIND: Readonly<Record<ErrorKind, true>> = {
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
const KINDS = Object.keys(EVERY_KIND) as ErrorKind[];

describe("errorWords", () => {
  it("passes the core's own sentence through in English", () => {
    localeStore.use("en");
    const error: AppError = { kind: "auth", message: "Incorrect username or password." };
    expect(errorWords(error)).toBe("Incorrect username or password.");
  });

  it("words the error's kind in German", () => {
    localeStore.use("de");
    expect(errorWords({ kind: "network", message: "Could not reach the service." })).toBe(
      "Keine Verbindung zum Dienst. Strato versucht es weiter.",
    );
  });

  it("has a sentence for every kind in both languages", () => {
    for (const language of ["en", "de"]) {
      localeStore.use(language);
      for (const kind of KINDS) {
        // An empty message leaves the kind's sentence, in English too.
        expect(errorWords({ kind, message: "" }).trim(), `${language}: ${kind}`).not.toBe("");
      }
    }
  });

  it("keeps the words of an error the window made itself, in any language", () => {
    localeStore.use("de");
    const error = { ...windowError("invalid_input", "Geben Sie der Playlist einen Namen."), action: "Speichern" };
    expect(errorWords(error)).toBe("Geben Sie der Playlist einen Namen.");
  });
});
